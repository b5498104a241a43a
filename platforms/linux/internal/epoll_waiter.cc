#include "platforms/linux/internal/epoll_waiter.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

#include "platforms/internal/dispatcher_step.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace scheduler::linux_internal {
namespace {

uint32_t ToEpoll(FdEvents events) {
  uint32_t out = 0;
  if (HasAny(events, FdEvents::kReadable)) out |= EPOLLIN;
  if (HasAny(events, FdEvents::kWritable)) out |= EPOLLOUT;
  return out;
}

FdEvents FromEpoll(uint32_t events) {
  FdEvents out = FdEvents::kNone;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLPRI)) out |= FdEvents::kReadable;
  if (events & EPOLLOUT) out |= FdEvents::kWritable;
  if (events & EPOLLERR) out |= FdEvents::kError;
  if (events & EPOLLHUP) out |= FdEvents::kHangUp;
  return out;
}

// std::strerror is not thread-safe; the category's message is.
std::string ErrnoText(int error) { return std::generic_category().message(error); }

int CheckedFd(int fd, const char* what) {
  if (fd < 0) internal::FatalError(std::string("EpollWaiter: ") + what + ": " + ErrnoText(errno));
  return fd;
}

}  // namespace

EpollWaiter::EpollWaiter()
    : epoll_fd_(CheckedFd(epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_fd_(CheckedFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd")) {
  // Edge-triggered (see WAKE-UPS in the header): every write is reported
  // once, and the counter is never read on the way.
  epoll_event event{};
  event.events = EPOLLIN | EPOLLET;
  event.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) != 0) {
    internal::FatalError("EpollWaiter: registering the eventfd: " + ErrnoText(errno));
  }
}

EpollWaiter::~EpollWaiter() {
  close(wake_fd_);
  close(epoll_fd_);
}

int EpollWaiter::UpdateLocked(int fd, FdEntry& entry, bool refresh) {
  FdEvents wanted = FdEvents::kNone;
  for (const FdInterest* interest : entry.interests) wanted |= interest->events;
  const uint32_t events = ToEpoll(wanted);
  if (entry.interests.empty()) {
    // Errors ignored: the descriptor may have been closed already (epoll
    // forgot it then), which the contract allows to go unnoticed here.
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    fds_.erase(fd);
    return 0;
  }
  if (events == entry.registered && !refresh) return 0;
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  if (entry.registered != 0) {
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0) {
      entry.registered = events;
      return 0;
    }
    // ENOENT: the descriptor was closed while watched and its number reused;
    // the new file is registered afresh below.
    if (errno != ENOENT) return errno;
  }
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) return errno;
  entry.registered = events;
  return 0;
}

void EpollWaiter::Add(FdInterest* interest, std::source_location location) {
  Waker refused;
  int error = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_.load(std::memory_order_relaxed) && interest->watch == nullptr) {
      refused = std::move(interest->waker);
    } else {
      FdEntry& entry = fds_[interest->fd];
      entry.interests.push_back(interest);
      interest->added = true;
      // Refreshed even if the events are unchanged: if the number was
      // closed and reused, only a system call finds the new file unregistered.
      error = UpdateLocked(interest->fd, entry, /*refresh=*/true);
      if (error != 0) {
        entry.interests.pop_back();
        interest->added = false;
        UpdateLocked(interest->fd, entry, /*refresh=*/false);
      }
    }
  }
  refused.Wake();
  if (error != 0) {
    internal::FatalError("scheduler: cannot wait for file descriptor " +
                         std::to_string(interest->fd) + " (at " + FormatLocation(location) +
                         "): epoll_ctl: " + ErrnoText(error) +
                         " (not an open descriptor, or one epoll cannot wait for, such as a "
                         "regular file)");
  }
}

void EpollWaiter::Remove(FdInterest* interest) {
  Waker dropped;  // released after the mutex
  std::lock_guard<std::mutex> lock(mu_);
  if (!interest->added) return;
  interest->added = false;
  dropped = std::move(interest->waker);
  auto it = fds_.find(interest->fd);
  if (it == fds_.end()) return;
  std::vector<FdInterest*>& interests = it->second.interests;
  for (size_t i = 0; i < interests.size(); ++i) {
    if (interests[i] == interest) {
      interests.erase(interests.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  UpdateLocked(interest->fd, it->second, /*refresh=*/false);
}

size_t EpollWaiter::registered_fds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fds_.size();
}

void EpollWaiter::Sleep(std::unique_lock<std::mutex>& lock, const Scheduler* dispatcher) {
  lock.unlock();
  sleeps_.fetch_add(1, std::memory_order_relaxed);
  WaitAndDispatch(-1, dispatcher);
  lock.lock();
}

void EpollWaiter::Poll(const Scheduler* dispatcher) {
  polls_.fetch_add(1, std::memory_order_relaxed);
  WaitAndDispatch(0, dispatcher);
}

void EpollWaiter::Wake() {
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) == sizeof one) return;
  // EAGAIN: the never-read counter is full (2^64 - 2 wake-ups). Empty it and
  // write again; a reset of the counter raises no event, the write does.
  uint64_t count;
  [[maybe_unused]] ssize_t read_bytes = read(wake_fd_, &count, sizeof count);
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
}

void EpollWaiter::Stop() {
  std::vector<Waker> wakes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_.store(true, std::memory_order_relaxed);
    for (auto it = fds_.begin(); it != fds_.end();) {
      FdEntry& entry = it->second;
      size_t kept = 0;
      for (FdInterest* interest : entry.interests) {
        if (interest->watch != nullptr) {
          entry.interests[kept++] = interest;
        } else {
          interest->added = false;
          wakes.push_back(std::move(interest->waker));
        }
      }
      entry.interests.resize(kept);
      const int fd = (it++)->first;  // UpdateLocked may erase the entry
      UpdateLocked(fd, entry, /*refresh=*/false);
    }
  }
  // The stopped dispatcher refuses these tasks, which cancels them.
  for (const Waker& waker : wakes) waker.Wake();
}

void EpollWaiter::WaitAndDispatch(int timeout_ms, const Scheduler* dispatcher) {
  const int n = epoll_wait(epoll_fd_, events_, static_cast<int>(std::size(events_)), timeout_ms);
  if (n <= 0) return;  // nothing, or EINTR: the loop checks again
  // A wake-up alone (the round trip of a foreground push): nothing to look
  // up, and the edge-triggered eventfd needs no read.
  if (n == 1 && events_[0].data.fd == wake_fd_) return;
  std::vector<Waker> wakes;
  std::vector<std::pair<std::shared_ptr<WatchCallback>, FdEvents>> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < n; ++i) {
      const int fd = events_[i].data.fd;
      if (fd == wake_fd_) continue;  // edge-triggered: nothing to drain
      auto it = fds_.find(fd);
      if (it == fds_.end()) continue;  // removed since the kernel reported it
      const FdEvents got = FromEpoll(events_[i].events);
      FdEntry& entry = it->second;
      size_t kept = 0;
      for (FdInterest* interest : entry.interests) {
        const FdEvents match = got & (interest->events | FdEvents::kError | FdEvents::kHangUp);
        if (match == FdEvents::kNone) {
          entry.interests[kept++] = interest;
        } else if (interest->watch != nullptr) {
          calls.emplace_back(interest->watch, match);
          entry.interests[kept++] = interest;
        } else {
          interest->reported = match;
          interest->added = false;
          wakes.push_back(std::move(interest->waker));
        }
      }
      if (kept != entry.interests.size()) {
        entry.interests.resize(kept);
        UpdateLocked(fd, entry, /*refresh=*/false);
      }
    }
  }
  // Woken tasks queue up behind the foreground runnables already queued.
  for (const Waker& waker : wakes) waker.Wake();
  for (auto& call : calls) {
    // Named, not a structured binding: clang 14 (the clang_tsa build) cannot
    // capture a structured binding in a lambda.
    auto& watch = call.first;
    const auto events = call.second;
    // A callback may remove later watches of this batch, or drop the
    // dispatcher's last reference (then the loop is stopped and returns).
    if (watch->removed || stopped_.load(std::memory_order_relaxed)) continue;
    platform_internal::RunDispatcherCallback([&] { watch->on_ready(events); }, dispatcher,
                                             "an FdWatch callback");
  }
}

}  // namespace scheduler::linux_internal
