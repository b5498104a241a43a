// dispatch_source_set_timer and dispatch_source_set_event_handler_f, wrapped (see
// early_timers.h).
#include "platforms/mac/tests/early_timers.h"

#include <dispatch/dispatch.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>

// The linker sends every call to the wrapped functions in this executable here, and the names
// __real_* to libdispatch's definitions.
extern "C" {
void __real_dispatch_source_set_timer(dispatch_source_t source, dispatch_time_t start,
                                      uint64_t interval, uint64_t leeway);
void __wrap_dispatch_source_set_timer(dispatch_source_t source, dispatch_time_t start,
                                      uint64_t interval, uint64_t leeway);
void __real_dispatch_source_set_event_handler_f(dispatch_source_t source,
                                                dispatch_function_t handler);
void __wrap_dispatch_source_set_event_handler_f(dispatch_source_t source,
                                                dispatch_function_t handler);
}

namespace early_timers {
namespace {

// A source's handler is called with the source's context, so sources are known by it.
struct Source {
  dispatch_function_t handler = nullptr;
  dispatch_time_t asked_for = 0;  // of the last shifted arming not yet seen to fire; 0: none
};

std::mutex mu;
int shift_left = 0;                           // guarded by mu
int64_t shift_ns = 0;                         // guarded by mu
std::unordered_map<void*, Source>* sources =  // guarded by mu; never freed (handlers may
    new std::unordered_map<void*, Source>;    // run during exit)
std::atomic<int> early{0};

void CallHandler(void* context) {
  dispatch_function_t handler;
  {
    std::lock_guard<std::mutex> lock(mu);
    Source& source = (*sources)[context];
    // dispatch_time(DISPATCH_TIME_NOW, 0) reads the clock the timer's start is on.
    if (source.asked_for != 0 && dispatch_time(DISPATCH_TIME_NOW, 0) < source.asked_for) {
      early.fetch_add(1);
    }
    source.asked_for = 0;
    handler = source.handler;
  }
  handler(context);
}

}  // namespace

void FireNextTimersEarly(int count, std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> lock(mu);
  shift_left = count;
  shift_ns = by.count();
}

int EarlyFires() { return early.load(); }

}  // namespace early_timers

extern "C" void __wrap_dispatch_source_set_event_handler_f(dispatch_source_t source,
                                                           dispatch_function_t handler) {
  {
    std::lock_guard<std::mutex> lock(early_timers::mu);
    (*early_timers::sources)[dispatch_get_context(source)].handler = handler;
  }
  __real_dispatch_source_set_event_handler_f(source, &early_timers::CallHandler);
}

extern "C" void __wrap_dispatch_source_set_timer(dispatch_source_t source, dispatch_time_t start,
                                                 uint64_t interval, uint64_t leeway) {
  if (start != DISPATCH_TIME_FOREVER) {
    std::lock_guard<std::mutex> lock(early_timers::mu);
    if (early_timers::shift_left > 0) {
      --early_timers::shift_left;
      (*early_timers::sources)[dispatch_get_context(source)].asked_for = start;
      start = dispatch_time(start, -early_timers::shift_ns);
    }
  }
  __real_dispatch_source_set_timer(source, start, interval, leeway);
}
