// CFRunLoop's main run loop over libdispatch's main-queue handle (see
// include/CoreFoundation/CoreFoundation.h for what this is and why).
#include <CoreFoundation/CoreFoundation.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// libdispatch's private interface for CoreFoundation (not in its public headers). On Linux the
// handle is an eventfd (non-blocking) that libdispatch writes whenever the main queue needs
// draining and never reads: the run loop resets it before each drain.
extern "C" {
int _dispatch_get_main_queue_handle_4CF(void);
void _dispatch_main_queue_callback_4CF(void* message);
}

struct linux_cf_string {
  const char* name;
};
struct linux_cf_run_loop {
  // An eventfd of our own for CFRunLoopWakeUp (the dispatch handle is libdispatch's).
  int wake_fd = -1;
  // Set by CFRunLoopStop, consumed by the run it stops (or the next one, as in CF).
  std::atomic<bool> stopped{false};
  // Whether CFRunLoopRunInMode is running; only the main thread touches it.
  bool running = false;
};

namespace {

const linux_cf_string kDefaultModeName{"kCFRunLoopDefaultMode"};

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "CFRunLoop (libdispatch test shim): %s\n", what);
  std::abort();
}

linux_cf_run_loop& MainRunLoop() {
  // Never destroyed: GCD's threads may still call CFRunLoopWakeUp while the process exits.
  static linux_cf_run_loop* const loop = [] {
    auto* created = new linux_cf_run_loop;
    created->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (created->wake_fd < 0) Fatal(std::strerror(errno));
    return created;
  }();
  return *loop;
}

// Empties a non-blocking eventfd (a no-op if it was already empty).
void Reset(int fd) {
  eventfd_t ignored;
  (void)eventfd_read(fd, &ignored);
}

}  // namespace

extern "C" {

const CFStringRef kCFRunLoopDefaultMode = &kDefaultModeName;

CFRunLoopRef CFRunLoopGetMain(void) { return &MainRunLoop(); }

void CFRunLoopStop(CFRunLoopRef run_loop) {
  run_loop->stopped.store(true);
  CFRunLoopWakeUp(run_loop);  // as CF does: a stop must end the wait
}

void CFRunLoopWakeUp(CFRunLoopRef run_loop) {
  if (eventfd_write(run_loop->wake_fd, 1) != 0) Fatal(std::strerror(errno));
}

CFRunLoopRunResult CFRunLoopRunInMode(CFStringRef mode, CFTimeInterval seconds,
                                      Boolean returnAfterSourceHandled) {
  if (mode != kCFRunLoopDefaultMode) Fatal("only kCFRunLoopDefaultMode exists");
  // libdispatch binds the main queue to the main thread, like CF's main run loop.
  if (pthread_main_np() == 0) Fatal("CFRunLoopRunInMode off the main thread");
  linux_cf_run_loop& loop = MainRunLoop();
  if (loop.running) Fatal("nested CFRunLoopRunInMode (not supported by this shim)");
  loop.running = true;
  struct Leave {
    linux_cf_run_loop& loop;
    ~Leave() { loop.running = false; }
  } leave{loop};

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const int dispatch_fd = _dispatch_get_main_queue_handle_4CF();
  while (true) {
    if (loop.stopped.exchange(false)) return kCFRunLoopRunStopped;
    const double left_ms =
        seconds * 1e3 - std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    // At least one pass, as in CF (a timeout of 0 polls once). Rounded up, so a wait never ends
    // before the timeout; beyond ~24 days, wait indefinitely.
    const int timeout_ms = left_ms <= 0     ? 0
                           : left_ms >= 2e9 ? -1
                                            : static_cast<int>(std::ceil(left_ms));
    pollfd fds[2] = {{dispatch_fd, POLLIN, 0}, {loop.wake_fd, POLLIN, 0}};
    const int ready = poll(fds, 2, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      Fatal(std::strerror(errno));
    }
    if (fds[1].revents != 0) Reset(loop.wake_fd);
    if (fds[0].revents != 0) {
      // Reset first: a submission made during the drain signals the handle again.
      Reset(dispatch_fd);
      _dispatch_main_queue_callback_4CF(nullptr);
      if (returnAfterSourceHandled) return kCFRunLoopRunHandledSource;
    }
    if (loop.stopped.exchange(false)) return kCFRunLoopRunStopped;
    if (Clock::now() - start >= std::chrono::duration<double>(seconds)) {
      return kCFRunLoopRunTimedOut;
    }
  }
}

int pthread_main_np(void) { return gettid() == getpid() ? 1 : 0; }

}  // extern "C"
