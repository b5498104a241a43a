// CreatePlatformDispatcher for Linux builds (see platforms/BUILD.bazel: each
// OS library defines the factory once, and select() links one of them).
#include "platforms/linux/linux_dispatcher.h"
#include "platforms/platform_dispatcher.h"

namespace scheduler {

std::shared_ptr<PlatformDispatcher> CreatePlatformDispatcher(PlatformDispatcherOptions options) {
  return LinuxDispatcher::Create({.worker_threads = options.worker_threads});
}

}  // namespace scheduler
