// Internal: compact spawn locations for Cloud diagnostics.
#ifndef CLOUD_INTEGRATION_INTERNAL_LOCATION_H_
#define CLOUD_INTEGRATION_INTERNAL_LOCATION_H_

#include <source_location>
#include <string>
#include <string_view>

namespace cloud::internal {

// The qualified name of the function in a `std::source_location`, without
// return type, parameters or GCC's coroutine-frame decoration:
// "cloud::EdgeCacheWorker::Put", "cloud::SimulateSeed::<lambda>".
std::string ShortFunctionName(std::string_view function_name);

// "file:line (ShortFunctionName)".
std::string ShortLocation(const std::source_location& location);

}  // namespace cloud::internal

#endif  // CLOUD_INTEGRATION_INTERNAL_LOCATION_H_
