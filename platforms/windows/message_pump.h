// The Windows main loop's event sources: window messages and kernel objects.
//
// The Windows PlatformDispatcher's main thread is a message pump: inside
// `RunMainLoop` it sleeps in MsgWaitForMultipleObjectsEx until a foreground
// runnable is pushed (a spawn, a wake-up, a due foreground timer), a message
// arrives in its queue, or a handle a foreground task waits for is signaled.
// So windows created on the main thread work while foreground tasks run:
//
//   HWND hwnd = CreateWindowExW(...);          // on the main thread
//   dispatcher->RunMainLoop();                 // pumps its messages
//
//   // Inside a foreground task (ForegroundExecutor, ScheduleForeground):
//   co_await Signaled(process_handle);         // the main thread waits in the pump
//
//   // Thread messages, dialogs, accelerators: see every message first.
//   MessageFilter filter = FilterMessages(*dispatcher, [&](const MSG& msg) {
//     return IsDialogMessageW(dialog, const_cast<MSG*>(&msg));
//   });
//
// THE MAIN-LOOP RULE. `RunMainLoop` turns like this: if foreground runnables
// are queued, the pump first takes what is ready now, without sleeping, then
// every queued runnable runs, in FIFO order, as one batch; if none are
// queued, the loop sleeps in MsgWaitForMultipleObjectsEx (QS_ALLINPUT,
// MWMO_INPUTAVAILABLE) and takes what woke it. Taking what is ready means:
// the tasks whose handles are signaled are woken (queued behind the runnables
// already queued, like any wake-up), then up to 256 queued messages are
// removed with PeekMessage and each is offered to the message filters, then
// translated and dispatched (TranslateMessage, DispatchMessage; messages sent
// from other threads with SendMessage are delivered by PeekMessage itself).
// So a window procedure runs on the main thread between two batches, never
// in the middle of one; a busy main thread still pumps once per batch; an
// idle one sleeps in the kernel (no polling, no timeout).
// Order across threads: a message posted (or a handle signaled) before a
// foreground runnable is pushed, by any thread, is taken before that runnable
// runs (up to the 256-message limit of one turn).
//
// WM_QUIT (PostQuitMessage, or PostThreadMessage of WM_QUIT) ends
// `RunMainLoop` like `QuitMainLoop`: the message is consumed (its exit code
// is dropped) and the loop returns after the batch it is in; a later
// `RunMainLoop` pumps again. Modal loops that Windows or a window procedure
// run inside DispatchMessage (MessageBox, DialogBox, moving or resizing a
// window) pump messages but run no foreground runnables until they return,
// as with any Win32 message loop. Window procedures run like foreground
// steps (the dispatcher reachable for spawning), but an exception must not
// escape one: it would unwind through USER32's frames, which Windows does not
// promise to survive; filters are called by the pump itself, so an exception
// escaping a filter is reported and swallowed like a step's.
//
// The main thread (the thread that created the dispatcher) has a message
// queue from the dispatcher's creation, so PostThreadMessage to it works at
// once; thread messages (no window) reach the filters, then
// DispatchMessage, which ignores them.
//
// Thread-safety: `FilterMessages` and the MessageFilter it returns belong to
// the main thread; a `Signaled` wait belongs to the foreground task awaiting
// it, and may be cancelled from any thread (dropping the task's handle).
//
// Misuse (fatal, naming the call site): `FilterMessages` off the main thread
// or on a dispatcher that is not the Windows one; destroying or resetting a
// MessageFilter off the main thread; awaiting `Signaled` outside a
// foreground step of a Windows main loop (in a background task, off the main
// thread, under the TestScheduler); a value that is not an open handle; more
// than 62 `Signaled` waits pending at once (MsgWaitForMultipleObjectsEx
// waits for at most MAXIMUM_WAIT_OBJECTS - 1 handles, one of which wakes the
// loop; wait for more objects with a thread-pool wait in a background task,
// or with one foreground task per group of them).
//
// This header does not include <windows.h>: a HANDLE is a `void*`, and MSG
// is `struct tagMSG`.
#ifndef PLATFORMS_WINDOWS_MESSAGE_PUMP_H_
#define PLATFORMS_WINDOWS_MESSAGE_PUMP_H_

#include <coroutine>
#include <functional>
#include <memory>
#include <source_location>

#include "platforms/platform_dispatcher.h"
#include "platforms/windows/internal/handle_interest.h"

struct tagMSG;

namespace scheduler {

namespace windows_internal {
class MessagePumpWaiter;
struct MessageFilterEntry;
}  // namespace windows_internal

// A registered message filter. Move-only; removes the filter when destroyed
// or reset, which must happen on the main thread: after `Reset` returns, the
// filter is never called again. A filter may destroy its own MessageFilter.
// A MessageFilter may outlive its dispatcher (it then does nothing).
class MessageFilter {
 public:
  MessageFilter() = default;  // filters nothing
  MessageFilter(MessageFilter&& other) noexcept;
  MessageFilter& operator=(MessageFilter&& other) noexcept;
  ~MessageFilter();

  // Removes the filter now; nothing if already removed. Main thread only.
  void Reset();

  bool active() const { return state_ != nullptr; }

 private:
  struct State;
  friend MessageFilter FilterMessages(PlatformDispatcher&, std::function<bool(const tagMSG&)>,
                                      std::source_location);
  explicit MessageFilter(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

// Calls `filter` on the main thread, inside `RunMainLoop`, with every message
// the pump takes from the main thread's queue (WM_QUIT excepted), before it
// is translated and dispatched; returning true consumes the message (it is
// not dispatched, and later filters do not see it). Filters are called in
// the order they were added. Must be called on the main thread of
// `dispatcher`, a Windows dispatcher. The filter runs like a foreground step:
// with the dispatcher reachable for spawning; an exception escaping it is
// reported and swallowed.
[[nodiscard]] MessageFilter FilterMessages(
    PlatformDispatcher& dispatcher, std::function<bool(const tagMSG&)> filter,
    std::source_location location = std::source_location::current());

// What `co_await Signaled(handle)` returns: awaiting it suspends the
// foreground task until the kernel object is signaled. The wait is a real
// wait, with its side effects: an auto-reset event is reset, a semaphore
// decremented, a mutex acquired by the main thread (an abandoned one counts
// as signaled). Cancellation-safe: when the task is cancelled while waiting,
// the wait is removed, and a signal that comes later resumes nothing (one
// that the main thread's wait already took in the current turn may still be
// consumed). The handle may be closed as soon as the wait is over or
// cancelled: the pump waits on its own duplicate. After the dispatcher shuts
// down, a pending wait is ended by cancelling its task. Await it once, at
// once (`co_await Signaled(handle)`).
class HandleSignal {
 public:
  using IsSchedulerAwaitable = void;

  // Movable until it is awaited (the compiler may move it into the frame).
  HandleSignal(HandleSignal&& other) noexcept
      : location_(other.location_), interest_{.handle = other.interest_.handle} {}
  HandleSignal& operator=(const HandleSignal&) = delete;
  ~HandleSignal();

  // Called by the awaiting Future with the co_await's location, which misuse
  // reports name.
  void CheckAwaitedAt(std::source_location where) { location_ = where; }
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}

 private:
  friend HandleSignal Signaled(void*, std::source_location);
  HandleSignal(void* handle, std::source_location location);

  std::source_location location_;
  std::shared_ptr<windows_internal::MessagePumpWaiter> waiter_;  // set while added
  windows_internal::HandleInterest interest_;
};

// Waits until the kernel object `handle` (an event, a process, a thread, a
// semaphore, a mutex, a waitable timer, ...) is signaled. In a foreground
// task on a Windows main loop only.
[[nodiscard]] HandleSignal Signaled(
    void* handle, std::source_location location = std::source_location::current());

}  // namespace scheduler

#endif  // PLATFORMS_WINDOWS_MESSAGE_PUMP_H_
