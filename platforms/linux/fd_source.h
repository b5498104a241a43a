// File descriptors as event sources of the Linux main loop.
//
// The Linux PlatformDispatcher's main thread waits with epoll, so besides
// foreground runnables and timers it can wait for file descriptors: a
// display server's connection (X11, Wayland), a pipe, an eventfd, a socket.
// Two ways in, both on the main thread:
//
//   // A callback for every readiness, until the watch is destroyed:
//   FdWatch watch = WatchFd(*dispatcher, x11_fd, FdEvents::kReadable,
//                           [&](FdEvents) { while (XPending(display)) ...; });
//
//   // Inside a foreground task (ForegroundExecutor, ScheduleForeground):
//   FdEvents ready = co_await Readable(socket_fd);
//   ssize_t n = read(socket_fd, buffer, size);   // non-blocking; EAGAIN: wait again
//
// THE MAIN-LOOP RULE. `RunMainLoop` turns like this: if foreground runnables
// are queued, the descriptors that are ready now are dispatched first (without
// sleeping), then every queued runnable runs, in FIFO order, as one batch; if
// none are queued, the loop sleeps in epoll_wait until a push, a foreground
// timer or a descriptor wakes it, and dispatches the descriptors that are
// ready. Dispatching a descriptor calls its watches' callbacks right there
// (between two batches, never in the middle of one), and wakes the tasks
// awaiting it: they are queued behind the runnables already queued, like any
// other wake-up. So a busy main thread still serves its descriptors once per
// batch, and an idle one sleeps in the kernel (no polling, no timeout).
// Order across threads: a descriptor made ready before a foreground runnable
// is pushed (by any thread: write a pipe, then wake a task) is dispatched
// before that runnable runs.
//
// Readiness is level-triggered: a watch's callback is called again at every
// turn while the descriptor stays ready, so it must consume what is ready
// (read until EAGAIN), or destroy its watch. kError and kHangUp are reported
// whether asked for or not and stay reported until the descriptor is closed:
// on them, destroy the watch. Readiness is a hint, not a promise: use
// non-blocking descriptors and treat EAGAIN as "wait again".
//
// Closing a watched descriptor: destroy its watches (and let its waits
// finish) first. epoll forgets a descriptor when its last file reference is
// closed, so a watch on a closed descriptor just never fires again (unless a
// dup of it is still open: epoll keeps reporting the file then, under the old
// number); awaiting a descriptor that is not open is a fatal error.
//
// Thread-safety: `WatchFd` and the FdWatch it returns belong to the main
// thread; a `Readable`/`Writable` wait belongs to the foreground task awaiting
// it, and may be cancelled from any thread (dropping the task's handle).
//
// Misuse (fatal, naming the call site): `WatchFd` off the main thread;
// destroying or resetting an FdWatch off the main thread; awaiting
// `Readable`/`Writable` outside a foreground step of a Linux main loop (in a
// background task, off the main thread, or under a scheduler whose main loop
// has no epoll: the TestScheduler, macOS, Windows); a descriptor epoll
// refuses (not open, or a regular file).
#ifndef PLATFORMS_LINUX_FD_SOURCE_H_
#define PLATFORMS_LINUX_FD_SOURCE_H_

#include <coroutine>
#include <functional>
#include <memory>
#include <source_location>

#include "platforms/linux/fd_events.h"
#include "platforms/linux/internal/epoll_waiter.h"
#include "platforms/platform_dispatcher.h"

namespace scheduler {

// A registered callback for a file descriptor's readiness. Move-only; stops
// the callback when destroyed or reset, which must happen on the main thread
// (the callback's thread): after `Reset` returns, the callback is never
// called again, even for a readiness already reported in the current turn.
// A callback may destroy its own watch. An FdWatch may outlive its
// dispatcher (it then does nothing).
class FdWatch {
 public:
  FdWatch();  // watches nothing
  FdWatch(FdWatch&& other) noexcept;
  FdWatch& operator=(FdWatch&& other) noexcept;
  ~FdWatch();

  // Stops watching now; nothing if already stopped. Main thread only.
  void Reset();

  bool active() const { return state_ != nullptr; }

 private:
  struct State;
  friend FdWatch WatchFd(PlatformDispatcher&, int, FdEvents, std::function<void(FdEvents)>,
                         std::source_location);
  explicit FdWatch(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

// Calls `on_ready` on the main thread, inside `RunMainLoop`, each time `fd` is
// ready for any of `events` (kReadable, kWritable or both), with the events
// it is ready for (kError and kHangUp included if they hold). Must be called
// on the main thread of `dispatcher`, a Linux dispatcher. Several watches and
// waits may share one descriptor. The callback runs like a foreground step:
// with the dispatcher reachable for spawning, an exception escaping it is
// reported and swallowed.
[[nodiscard]] FdWatch WatchFd(PlatformDispatcher& dispatcher, int fd, FdEvents events,
                              std::function<void(FdEvents)> on_ready,
                              std::source_location location = std::source_location::current());

// What `co_await Readable(fd)` and `co_await Writable(fd)` return: awaiting it
// suspends the foreground task until `fd` is ready, and yields the events it
// is ready for (the asked one, or kError/kHangUp). Cancellation-safe: when the
// task is cancelled while waiting, the wait is unregistered, and a readiness
// the kernel reported before that never resumes anything. After the
// dispatcher shuts down, a pending wait is ended by cancelling its task.
// Await it once, at once (`co_await Readable(fd)`).
class FdReadiness {
 public:
  using IsSchedulerAwaitable = void;

  // Movable until awaited (the coroutine machinery may move it into the
  // frame); a wait in progress stays where it was registered.
  FdReadiness(FdReadiness&& other) noexcept;
  FdReadiness& operator=(FdReadiness&&) = delete;
  ~FdReadiness();

  // Called by the awaiting Future with the co_await's location, which misuse
  // reports name.
  void CheckAwaitedAt(std::source_location where) { location_ = where; }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  FdEvents await_resume() const { return interest_.reported; }

 private:
  friend FdReadiness Readable(int, std::source_location);
  friend FdReadiness Writable(int, std::source_location);
  FdReadiness(int fd, FdEvents events, std::source_location location);

  std::source_location location_;
  std::shared_ptr<linux_internal::EpollWaiter> waiter_;  // set while added
  linux_internal::FdInterest interest_;
};

// Waits until `fd` can be read without blocking (or is at end of file, or
// has an error or hang-up). In a foreground task on a Linux main loop only.
[[nodiscard]] FdReadiness Readable(int fd,
                                   std::source_location location = std::source_location::current());

// Waits until `fd` can be written without blocking (or has an error or
// hang-up). In a foreground task on a Linux main loop only.
[[nodiscard]] FdReadiness Writable(int fd,
                                   std::source_location location = std::source_location::current());

}  // namespace scheduler

#endif  // PLATFORMS_LINUX_FD_SOURCE_H_
