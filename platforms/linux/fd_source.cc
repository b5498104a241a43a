#include "platforms/linux/fd_source.h"

#include <string>
#include <thread>
#include <utility>

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/main_loop_source.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace scheduler {
namespace {

using linux_internal::EpollWaiter;

std::string Where(std::source_location location) { return " at " + FormatLocation(location); }

// How fd sources name themselves in misuse reports (main_loop_source.h).
platform_internal::SourceUse FdUse(std::string operation, int fd, std::source_location where,
                                   std::string main_thread_only) {
  return {
      .what = std::move(operation) + "(" + std::to_string(fd) + ")",
      .where = where,
      .main_thread_only = std::move(main_thread_only),
      .wrong_loop = "cannot wait for file descriptors (only the Linux dispatcher's epoll loop can)",
  };
}

// Interests may only ask for readability and writability.
FdEvents Wanted(FdEvents events) { return events & (FdEvents::kReadable | FdEvents::kWritable); }

}  // namespace

struct FdWatch::State {
  std::shared_ptr<EpollWaiter> waiter;
  linux_internal::FdInterest interest;
  std::thread::id main_thread;
  std::source_location location;
};

FdWatch::FdWatch(std::unique_ptr<State> state) : state_(std::move(state)) {}

FdWatch::FdWatch(FdWatch&& other) noexcept = default;

FdWatch::FdWatch() = default;

FdWatch::~FdWatch() { Reset(); }

FdWatch& FdWatch::operator=(FdWatch&& other) noexcept {
  if (this != &other) {
    Reset();
    state_ = std::move(other.state_);
  }
  return *this;
}

void FdWatch::Reset() {
  if (state_ == nullptr) return;
  if (std::this_thread::get_id() != state_->main_thread) {
    internal::FatalError(
        "scheduler: FdWatch of file descriptor " + std::to_string(state_->interest.fd) +
        " (made by WatchFd" + Where(state_->location) +
        ") destroyed or reset off the main thread: its callback runs on the main thread, which "
        "could be calling it right now; destroy watches on the main thread");
  }
  state_->waiter->Remove(&state_->interest);
  // The dispatch of the current turn may hold the callback still: it checks
  // this flag before calling it.
  state_->interest.watch->removed = true;
  state_.reset();
}

FdWatch WatchFd(PlatformDispatcher& dispatcher, int fd, FdEvents events,
                std::function<void(FdEvents)> on_ready, std::source_location location) {
  std::shared_ptr<EpollWaiter> waiter = platform_internal::RegisteringLoopWaiterAs<EpollWaiter>(
      dispatcher, FdUse("WatchFd", fd, location,
                        "watches belong to the main thread, where their callbacks run"));
  auto state = std::make_unique<FdWatch::State>();
  state->waiter = std::move(waiter);
  state->interest.fd = fd;
  state->interest.events = Wanted(events);
  state->interest.watch =
      std::make_shared<linux_internal::WatchCallback>(linux_internal::WatchCallback{
          .on_ready = std::move(on_ready),
      });
  state->main_thread = std::this_thread::get_id();
  state->location = location;
  state->waiter->Add(&state->interest, location);
  return FdWatch(std::move(state));
}

FdReadiness::FdReadiness(int fd, FdEvents events, std::source_location location)
    : location_(location) {
  interest_.fd = fd;
  interest_.events = events;
}

FdReadiness::FdReadiness(FdReadiness&& other) noexcept : location_(other.location_) {
  if (other.waiter_ != nullptr) {
    internal::FatalError("scheduler: an FdReadiness" + Where(location_) +
                         " was moved while its wait was in progress");
  }
  interest_.fd = other.interest_.fd;
  interest_.events = other.interest_.events;
}

FdReadiness::~FdReadiness() {
  if (waiter_ != nullptr) waiter_->Remove(&interest_);
}

bool FdReadiness::await_suspend(std::coroutine_handle<> h) {
  const char* what =
      interest_.events == FdEvents::kReadable ? "co_await Readable" : "co_await Writable";
  std::shared_ptr<EpollWaiter> waiter = platform_internal::AwaitingLoopWaiterAs<EpollWaiter>(
      FdUse(what, interest_.fd, location_, "a file descriptor"));
  interest_.waker = internal::SuspendCurrentTask(h, location_);
  waiter_ = std::move(waiter);
  waiter_->Add(&interest_, location_);
  return true;
}

FdReadiness Readable(int fd, std::source_location location) {
  return FdReadiness(fd, FdEvents::kReadable, location);
}

FdReadiness Writable(int fd, std::source_location location) {
  return FdReadiness(fd, FdEvents::kWritable, location);
}

}  // namespace scheduler
