// Internal: escaping text for JSON string literals, shared by the trace
// exporters (the TestScheduler's and the Cloud session trace).
#ifndef SCHEDULER_INTERNAL_JSON_ESCAPE_H_
#define SCHEDULER_INTERNAL_JSON_ESCAPE_H_

#include <string>
#include <string_view>

namespace scheduler::internal {

// `s` with quotes, backslashes and control characters escaped; no
// surrounding quotes.
std::string JsonEscape(std::string_view s);

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_JSON_ESCAPE_H_
