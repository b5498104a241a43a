// Test-only: the slice of CoreFoundation's run-loop API that MacDispatcher calls, implemented on
// Linux over the real libdispatch (//third_party:libdispatch), so that MacDispatcher's unchanged
// sources run against Apple's GCD code here. Declarations follow Apple's documented signatures.
//
// Why not CoreFoundation itself: the Linux build of CF (swift-corelibs-foundation) needs Swift's
// Foundation and ICU. What CF's main run loop does with the main dispatch queue is small, and is
// what cf_run_loop.cc does: libdispatch signals work for the main queue on a pollable handle
// (an eventfd on Linux, a Mach port on macOS) and the run loop, on the main thread, drains the
// queue by calling _dispatch_main_queue_callback_4CF(). Only the main run loop and the default
// mode exist; there are no other sources, timers or observers (CF timers are not used: timers go
// through a dispatch timer source).
//
// Also declares pthread_main_np, which Apple's <pthread.h> provides and glibc's does not.
#ifndef PLATFORMS_MAC_CF_RUN_LOOP_COREFOUNDATION_H_
#define PLATFORMS_MAC_CF_RUN_LOOP_COREFOUNDATION_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct linux_cf_run_loop* CFRunLoopRef;
typedef const struct linux_cf_string* CFStringRef;
typedef double CFTimeInterval;
typedef unsigned char Boolean;
typedef int32_t CFRunLoopRunResult;

enum {
  kCFRunLoopRunFinished = 1,
  kCFRunLoopRunStopped = 2,
  kCFRunLoopRunTimedOut = 3,
  kCFRunLoopRunHandledSource = 4,
};

// The only mode; any other is fatal.
extern const CFStringRef kCFRunLoopDefaultMode;

// Runs the main run loop on the calling thread, which must be the process's main thread (fatal
// otherwise, as is a second, nested run): waits on the main dispatch queue's handle; each time it
// is signalled, drains the main queue. Returns kCFRunLoopRunHandledSource after the first drain
// if `returnAfterSourceHandled`, kCFRunLoopRunStopped after CFRunLoopStop (also one made before
// the call, as in CF), kCFRunLoopRunTimedOut after `seconds` (at least one pass: 0 polls once).
// Never kCFRunLoopRunFinished (the main queue is always a source).
CFRunLoopRunResult CFRunLoopRunInMode(CFStringRef mode, CFTimeInterval seconds,
                                      Boolean returnAfterSourceHandled);
// The main thread's run loop (the only one). Any thread.
CFRunLoopRef CFRunLoopGetMain(void);
// Makes the running CFRunLoopRunInMode, or the next one, return kCFRunLoopRunStopped. Any thread.
void CFRunLoopStop(CFRunLoopRef run_loop);
// Wakes the run loop's wait (it then waits again unless stopped or timed out). Any thread.
void CFRunLoopWakeUp(CFRunLoopRef run_loop);

// Non-zero on the process's main thread (the thread whose id is the process id).
int pthread_main_np(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // PLATFORMS_MAC_CF_RUN_LOOP_COREFOUNDATION_H_
