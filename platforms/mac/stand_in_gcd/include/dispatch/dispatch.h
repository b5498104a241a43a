// Stand-in for the slice of Apple's libdispatch that MacDispatcher calls, so that
// //platforms/mac compiles and runs on Linux. Declarations follow Apple's documented signatures;
// the behaviour (stand_in_gcd.cc) is a small model of GCD, not GCD: one FIFO main queue drained
// by CFRunLoopRunInMode on the main thread, one concurrent global queue served by a fixed set of
// threads, and a timer thread for dispatch_after_f. Test-only; never shipped.
#ifndef PLATFORMS_MAC_STAND_IN_GCD_DISPATCH_H_
#define PLATFORMS_MAC_STAND_IN_GCD_DISPATCH_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stand_in_dispatch_queue* dispatch_queue_t;
typedef uint64_t dispatch_time_t;
typedef void (*dispatch_function_t)(void* context);

#define DISPATCH_TIME_NOW (0ull)
#define QOS_CLASS_DEFAULT 0x15

dispatch_queue_t dispatch_get_main_queue(void);
dispatch_queue_t dispatch_get_global_queue(intptr_t identifier, uintptr_t flags);
void dispatch_async_f(dispatch_queue_t queue, void* context, dispatch_function_t work);
void dispatch_after_f(dispatch_time_t when, dispatch_queue_t queue, void* context,
                      dispatch_function_t work);
dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // PLATFORMS_MAC_STAND_IN_GCD_DISPATCH_H_
