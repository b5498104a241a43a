// Stand-in for the slice of Apple's CoreFoundation run-loop API that MacDispatcher calls (see
// dispatch/dispatch.h next door for what this stand-in is and is not). Also declares
// pthread_main_np, which Apple's <pthread.h> provides and glibc's does not.
#ifndef PLATFORMS_MAC_STAND_IN_GCD_COREFOUNDATION_H_
#define PLATFORMS_MAC_STAND_IN_GCD_COREFOUNDATION_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stand_in_cf_run_loop* CFRunLoopRef;
typedef const struct stand_in_cf_string* CFStringRef;
typedef double CFTimeInterval;
typedef unsigned char Boolean;
typedef int32_t CFRunLoopRunResult;

enum {
  kCFRunLoopRunFinished = 1,
  kCFRunLoopRunStopped = 2,
  kCFRunLoopRunTimedOut = 3,
  kCFRunLoopRunHandledSource = 4,
};

extern const CFStringRef kCFRunLoopDefaultMode;

// Runs the main queue on the calling (main) thread: waits for work, a CFRunLoopStop or the
// timeout; drains what is queued; returns after one drain if returnAfterSourceHandled.
CFRunLoopRunResult CFRunLoopRunInMode(CFStringRef mode, CFTimeInterval seconds,
                                      Boolean returnAfterSourceHandled);
CFRunLoopRef CFRunLoopGetMain(void);
// Makes the running (or, as in CoreFoundation, the next) CFRunLoopRunInMode return.
void CFRunLoopStop(CFRunLoopRef run_loop);
void CFRunLoopWakeUp(CFRunLoopRef run_loop);

int pthread_main_np(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // PLATFORMS_MAC_STAND_IN_GCD_COREFOUNDATION_H_
