// Internal: the Windows main loop's waiter (platforms/internal/main_loop_waiter.h):
// a message pump. The main thread sleeps in MsgWaitForMultipleObjectsEx on
// an auto-reset event (wake-ups), the handles foreground tasks wait for, and
// its message queue (QS_ALLINPUT, MWMO_INPUTAVAILABLE); after every wait it
// wakes the tasks whose handles are signaled and pumps the queued messages
// (PeekMessage, the message filters, TranslateMessage, DispatchMessage).
// platforms/windows/message_pump.h exposes it as `Signaled(handle)` and
// `FilterMessages`.
//
// Timers need nothing here: the thread pool's timer fires them, and a
// foreground timer reaches the main thread as a push (which wakes the loop).
//
// HANDLES. Each wait duplicates its handle (DuplicateHandle), so the object
// stays alive, and the wait array holds a handle the caller cannot close,
// for as long as the main thread may be waiting on it; the duplicate is
// closed on the main thread, between two waits, once the wait is removed.
// The main thread copies the registry into its wait array under the mutex
// before each wait and, after it, looks each signaled entry up again by id:
// a wait removed meanwhile (its task cancelled on another thread) is not in
// the registry any more, so a stale signal never resumes anything, even if a
// new wait reuses the old one's address. One wait array holds at most
// MAXIMUM_WAIT_OBJECTS - 1 handles, the wake event among them: at most
// kMaxHandleWaits waits may be pending at once.
//
// MsgWaitForMultipleObjectsEx reports the lowest signaled index only; the
// handles after it are tested (with a zero timeout) in the same turn, so a
// handle that stays signaled cannot starve the others.
//
// Thread-safety: `Add` on the main thread (in a foreground step); `Remove`
// from any thread (a task may be cancelled, and its frame destroyed, on any
// thread); filters, `Sleep` and `Poll` on the main thread; `Wake` and `Stop`
// from any thread.
#ifndef PLATFORMS_WINDOWS_INTERNAL_MESSAGE_PUMP_WAITER_H_
#define PLATFORMS_WINDOWS_INTERNAL_MESSAGE_PUMP_WAITER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <source_location>
#include <vector>

#include "platforms/internal/main_loop_waiter.h"
#include "platforms/windows/internal/handle_interest.h"
#include "platforms/windows/internal/win32.h"

namespace scheduler::windows_internal {

// A message filter, shared with the pump that calls it so that it stays
// alive while it runs, even if it removes itself.
struct MessageFilterEntry {
  std::function<bool(const MSG&)> filter;
  bool removed = false;  // main thread only
};

class MessagePumpWaiter final : public platform_internal::MainLoopWaiter {
 public:
  // One slot of MsgWaitForMultipleObjectsEx's MAXIMUM_WAIT_OBJECTS - 1 goes to
  // the wake event.
  static constexpr int kMaxHandleWaits = MAXIMUM_WAIT_OBJECTS - 2;
  // Messages dispatched per turn at most, so that a window procedure that
  // keeps posting to itself cannot starve foreground runnables.
  static constexpr int kMaxMessagesPerTurn = 256;

  // On the thread that will run the loop (the dispatcher's main thread):
  // gives it a message queue now, so that PostThreadMessage to it works from
  // the start. Aborts if Windows refuses an event.
  MessagePumpWaiter();
  ~MessagePumpWaiter() override;
  MessagePumpWaiter(const MessagePumpWaiter&) = delete;
  MessagePumpWaiter& operator=(const MessagePumpWaiter&) = delete;

  // Registers `interest` (handle set; main thread). A wait added after `Stop`
  // is not registered: its task is woken at once, so the stopped dispatcher
  // refuses and cancels it. Aborts, naming `location`, if the handle cannot
  // be duplicated (not a handle) or kMaxHandleWaits waits are pending.
  void Add(HandleInterest* interest, std::source_location location);

  // Unregisters `interest` if it is added; idempotent. Any thread.
  void Remove(HandleInterest* interest);

  // Message filters (main thread only): called in the order they were added
  // with each message the pump takes, before TranslateMessage; the first
  // that returns true consumes the message.
  void AddFilter(std::shared_ptr<MessageFilterEntry> entry);
  void RemoveFilter(const MessageFilterEntry* entry);

  // --- MainLoopWaiter ---
  void Sleep(std::unique_lock<std::mutex>& lock, const Scheduler* dispatcher) override;
  void Poll(const Scheduler* dispatcher) override;
  void Wake() override;
  void Stop() override;

  // Test hooks: waits that could block (one per sleep) and that could not
  // (one per poll); waits registered now.
  uint64_t sleeps() const { return sleeps_.load(std::memory_order_relaxed); }
  uint64_t polls() const { return polls_.load(std::memory_order_relaxed); }
  size_t pending_waits() const;

 private:
  // Waits up to `timeout_ms`, then wakes the tasks whose handles are
  // signaled and pumps the queued messages.
  void WaitAndDispatch(DWORD timeout_ms, const Scheduler* dispatcher);
  void WakeSignaled(const uint64_t* ids, size_t count);
  void PumpMessages(const Scheduler* dispatcher);
  // Closes the duplicates of removed waits. Main thread, not waiting.
  void CloseRemoved();

  const HANDLE wake_event_;
  mutable Lock mu_;
  std::vector<HandleInterest*> waits_;  // guarded by mu_, in the order added
  std::vector<HANDLE> closing_;         // guarded by mu_: duplicates of removed waits
  uint64_t next_id_ = 1;                // guarded by mu_
  std::atomic<bool> stopped_{false};    // written under mu_
  std::atomic<uint64_t> sleeps_{0};
  std::atomic<uint64_t> polls_{0};
  // Main thread only.
  std::vector<std::shared_ptr<MessageFilterEntry>> filters_;
  HANDLE wait_handles_[MAXIMUM_WAIT_OBJECTS - 1];
  uint64_t wait_ids_[MAXIMUM_WAIT_OBJECTS - 1];
};

}  // namespace scheduler::windows_internal

#endif  // PLATFORMS_WINDOWS_INTERNAL_MESSAGE_PUMP_WAITER_H_
