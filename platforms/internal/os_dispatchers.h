// Internal: the factory of each OS's PlatformDispatcher, one declaration
// each. `CreatePlatformDispatcher` (platform_dispatcher.h) calls the one for
// the build's OS; tests call them by name (the macOS one is also built and
// tested on Linux, see platforms/mac/BUILD.bazel). Each OS's .cc file says
// how its half works.
//
// All three must be called on the thread that will run `RunMainLoop` (on
// macOS: the process's main thread, fatal otherwise). Misuse reports name the
// dispatcher "LinuxDispatcher", "WindowsDispatcher" or "MacDispatcher".
#ifndef PLATFORMS_INTERNAL_OS_DISPATCHERS_H_
#define PLATFORMS_INTERNAL_OS_DISPATCHERS_H_

#include <memory>
#include <source_location>

#include "platforms/platform_dispatcher.h"

namespace scheduler {

// Our work-stealing pool (platforms/linux/linux_dispatcher.cc); honours
// every option.
std::shared_ptr<PlatformDispatcher> CreateLinuxDispatcher(
    PlatformDispatcherOptions options = {},
    std::source_location location = std::source_location::current());

// The Windows Thread Pool API (platforms/windows/windows_dispatcher.cc); at
// most `options.worker_threads` threads, no LIFO slot.
std::shared_ptr<PlatformDispatcher> CreateWindowsDispatcher(
    PlatformDispatcherOptions options = {},
    std::source_location location = std::source_location::current());

// Grand Central Dispatch (platforms/mac/mac_dispatcher.cc); `options` is
// ignored: GCD sizes its own pool.
std::shared_ptr<PlatformDispatcher> CreateMacDispatcher(
    PlatformDispatcherOptions options = {},
    std::source_location location = std::source_location::current());

}  // namespace scheduler

#endif  // PLATFORMS_INTERNAL_OS_DISPATCHERS_H_
