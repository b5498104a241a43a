// Internal: one foreground task's wait for a kernel object's handle, as the
// Windows main loop's waiter (message_pump_waiter.h) registers it. Kept apart
// from the waiter so that platforms/windows/message_pump.h can hold one
// without including <windows.h> (a HANDLE is a `void*`).
#ifndef PLATFORMS_WINDOWS_INTERNAL_HANDLE_INTEREST_H_
#define PLATFORMS_WINDOWS_INTERNAL_HANDLE_INTEREST_H_

#include <cstdint>

#include "scheduler/waker.h"

namespace scheduler::windows_internal {

// Owned by its awaiter (in the task's frame), which keeps it at a fixed
// address while it is added. Every field but `handle` is guarded by the
// waiter's mutex while added.
struct HandleInterest {
  void* handle = nullptr;     // the caller's handle
  void* duplicate = nullptr;  // the waiter's own handle to the same object
  uint64_t id = 0;            // names this wait in the main thread's wait array
  Waker waker;                // taken when the wait is over
  bool added = false;
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_HANDLE_INTEREST_H_
