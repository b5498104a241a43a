#include "platforms/linux/internal/futex_parker.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace scheduler::dispatcher_internal {
namespace {

// FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, which is
// steady_clock's clock on Linux, so a retry after a spurious wake-up keeps the
// original deadline.
bool FutexWait(std::atomic<uint32_t>* word, uint32_t expected, Instant deadline) {
  timespec ts;
  timespec* timeout = nullptr;
  if (deadline != Instant::max()) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout = &ts;
  }
  const long r =
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
              expected, timeout, nullptr, FUTEX_BITSET_MATCH_ANY);
  return !(r == -1 && errno == ETIMEDOUT);
}

void FutexWake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, nullptr,
          nullptr, 0);
}

}  // namespace

bool FutexParker::Park(Instant deadline) {
  if (state_.exchange(kEmpty, std::memory_order_acquire) == kNotified) return true;
  uint32_t expected = kEmpty;
  if (!state_.compare_exchange_strong(expected, kParked, std::memory_order_acquire)) {
    state_.store(kEmpty, std::memory_order_relaxed);  // a token arrived meanwhile
    return true;
  }
  while (true) {
    const bool in_time = FutexWait(&state_, kParked, deadline);
    expected = kNotified;
    if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) return true;
    if (!in_time || std::chrono::steady_clock::now() >= deadline) {
      expected = kParked;
      if (state_.compare_exchange_strong(expected, kEmpty, std::memory_order_acquire)) {
        return false;
      }
      state_.store(kEmpty, std::memory_order_relaxed);  // unparked at the last moment
      return true;
    }
    // Spurious wake-up: sleep again.
  }
}

void FutexParker::Unpark() {
  if (state_.exchange(kNotified, std::memory_order_release) == kParked) FutexWake(&state_);
}

}  // namespace scheduler::dispatcher_internal
