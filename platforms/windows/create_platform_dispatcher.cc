// CreatePlatformDispatcher for Windows builds (see platforms/BUILD.bazel: each
// OS library defines the factory once, and select() links one of them).
#include "platforms/platform_dispatcher.h"
#include "platforms/windows/windows_dispatcher.h"

namespace scheduler {

std::shared_ptr<PlatformDispatcher> CreatePlatformDispatcher(PlatformDispatcherOptions options,
                                                             std::source_location location) {
  return WindowsDispatcher::Create(options, location);
}

}  // namespace scheduler
