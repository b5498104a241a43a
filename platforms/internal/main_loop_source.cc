#include "platforms/internal/main_loop_source.h"

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/main_loop.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace scheduler::platform_internal {
namespace {

std::string Head(const SourceUse& use) {
  return "scheduler: " + use.what + " at " + FormatLocation(use.where);
}

}  // namespace

std::shared_ptr<MainLoopWaiter> AwaitingLoopWaiter(const SourceUse& use) {
  MainLoop* loop = MainLoop::Current();
  if (loop == nullptr) {
    internal::FatalError(Head(use) +
                         " outside the main loop: only a foreground task, run by RunMainLoop on "
                         "the main thread, can wait for " +
                         use.main_thread_only);
  }
  return loop->waiter();
}

std::shared_ptr<MainLoopWaiter> RegisteringLoopWaiter(PlatformDispatcher& dispatcher,
                                                      const SourceUse& use) {
  if (!dispatcher.IsMainThread()) {
    internal::FatalError(Head(use) + " called off the dispatcher's main thread; " +
                         use.main_thread_only);
  }
  return BackendAccess::Of(dispatcher).main_loop_waiter();
}

void WrongLoopKind(const SourceUse& use, bool dispatcher_loop) {
  internal::FatalError(Head(use) +
                       (dispatcher_loop ? ": this dispatcher's main loop " : ": this main loop ") +
                       use.wrong_loop);
}

}  // namespace scheduler::platform_internal
