// Internal: the misuse checks every platform dispatcher makes, with one wording.
//
// Each function aborts with a message naming the dispatcher, the offending
// call and where the dispatcher was created (and the running task, if any), so
// that the same mistake reads the same on Linux, Windows and macOS.
#ifndef PLATFORMS_INTERNAL_DISPATCHER_MISUSE_H_
#define PLATFORMS_INTERNAL_DISPATCHER_MISUSE_H_

#include <source_location>
#include <string>

namespace scheduler::platform_internal {

// `RunMainLoop` was called on `caller_thread`, not on `main_thread`.
[[noreturn]] void FailRunMainLoopOffMainThread(const char* dispatcher,
                                               const std::string& caller_thread,
                                               const std::string& main_thread,
                                               std::source_location created_at);

// `RunMainLoop` was called from inside a foreground step of its own loop.
[[noreturn]] void FailRunMainLoopReentered(const char* dispatcher, std::source_location created_at);

// Aborts if `Shutdown` is called on one of the dispatcher's own pool threads
// (`on_pool_thread`; `why` says what that would deadlock on) or from inside a
// task step.
void CheckShutdownCaller(const char* dispatcher, bool on_pool_thread, const char* why,
                         std::source_location created_at);

}  // namespace scheduler::platform_internal

#endif  // PLATFORMS_INTERNAL_DISPATCHER_MISUSE_H_
