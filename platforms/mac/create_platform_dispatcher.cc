// CreatePlatformDispatcher for macOS builds (see platforms/BUILD.bazel: each
// OS library defines the factory once, and select() links one of them).
#include "platforms/internal/os_dispatchers.h"
#include "platforms/platform_dispatcher.h"

namespace scheduler {

std::shared_ptr<PlatformDispatcher> CreatePlatformDispatcher(PlatformDispatcherOptions options,
                                                             std::source_location location) {
  return CreateMacDispatcher(options, location);
}

}  // namespace scheduler
