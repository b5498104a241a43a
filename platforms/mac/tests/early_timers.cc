// dispatch_after_f, wrapped (see early_timers.h).
#include "platforms/mac/tests/early_timers.h"

#include <dispatch/dispatch.h>

#include <atomic>
#include <cstdint>
#include <mutex>

// The linker sends every call to dispatch_after_f in this executable here, and the name
// __real_dispatch_after_f to libdispatch's definition.
extern "C" {
void __real_dispatch_after_f(dispatch_time_t when, dispatch_queue_t queue, void* context,
                             dispatch_function_t work);
void __wrap_dispatch_after_f(dispatch_time_t when, dispatch_queue_t queue, void* context,
                             dispatch_function_t work);
}

namespace early_timers {
namespace {

// The hand-off of a Shifted record through libdispatch, stated for
// ThreadSanitizer (see HandOffToGcd in mac_dispatcher.cc for why).
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
void HandOff(void* record) { __tsan_release(record); }
void Take(void* record) { __tsan_acquire(record); }
#else
void HandOff(void*) {}
void Take(void*) {}
#endif

std::mutex mu;
int shift_left = 0;    // guarded by mu
int64_t shift_ns = 0;  // guarded by mu
std::atomic<int> early{0};

// A shifted call: the caller's callback, and the time it asked for.
struct Shifted {
  void* context;
  dispatch_function_t work;
  dispatch_time_t asked_for;
};

void RunShifted(void* context) {
  auto* shifted = static_cast<Shifted*>(context);
  Take(shifted);
  // dispatch_time(DISPATCH_TIME_NOW, 0) reads the clock dispatch_after_f's times are on.
  if (dispatch_time(DISPATCH_TIME_NOW, 0) < shifted->asked_for) early.fetch_add(1);
  const Shifted call = *shifted;
  delete shifted;
  call.work(call.context);
}

}  // namespace

void FireNextTimersEarly(int count, std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> lock(mu);
  shift_left = count;
  shift_ns = by.count();
}

int EarlyFires() { return early.load(); }

}  // namespace early_timers

extern "C" void __wrap_dispatch_after_f(dispatch_time_t when, dispatch_queue_t queue, void* context,
                                        dispatch_function_t work) {
  int64_t by = 0;
  {
    std::lock_guard<std::mutex> lock(early_timers::mu);
    if (early_timers::shift_left > 0) {
      --early_timers::shift_left;
      by = early_timers::shift_ns;
    }
  }
  if (by == 0) {
    __real_dispatch_after_f(when, queue, context, work);
    return;
  }
  auto* shifted = new early_timers::Shifted{context, work, when};
  early_timers::HandOff(shifted);
  __real_dispatch_after_f(dispatch_time(when, -by), queue, shifted, &early_timers::RunShifted);
}
