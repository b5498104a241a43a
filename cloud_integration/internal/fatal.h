// Internal: the abort path for misuse that must not continue.
#ifndef CLOUD_INTEGRATION_INTERNAL_FATAL_H_
#define CLOUD_INTEGRATION_INTERNAL_FATAL_H_

#include <string>

namespace cloud::internal {

// Prints "cloud: fatal: <message>" to stderr and aborts.
[[noreturn]] void Fatal(const std::string& message);

}  // namespace cloud::internal

#endif  // CLOUD_INTEGRATION_INTERNAL_FATAL_H_
