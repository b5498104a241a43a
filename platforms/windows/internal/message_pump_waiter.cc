#include "platforms/windows/internal/message_pump_waiter.h"

#include <algorithm>
#include <string>
#include <utility>

#include "platforms/internal/dispatcher_step.h"
#include "platforms/internal/main_loop.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace scheduler::windows_internal {
namespace {

HANDLE CheckedEvent(HANDLE event) {
  if (event == nullptr) {
    internal::FatalError("MessagePumpWaiter: CreateEvent failed, error " +
                         std::to_string(GetLastError()));
  }
  return event;
}

}  // namespace

MessagePumpWaiter::MessagePumpWaiter()
    : wake_event_(CheckedEvent(CreateEventW(nullptr, /*bManualReset=*/FALSE,
                                            /*bInitialState=*/FALSE, nullptr))) {
  // A thread gets its message queue on its first call into USER32; without
  // one, PostThreadMessage to it fails.
  MSG msg;
  PeekMessageW(&msg, nullptr, WM_USER, WM_USER, PM_NOREMOVE);
}

MessagePumpWaiter::~MessagePumpWaiter() {
  // Every awaiter holds a reference to this waiter and removes its wait
  // before releasing it, so only removed duplicates are left.
  for (HANDLE handle : closing_) CloseHandle(handle);
  CloseHandle(wake_event_);
}

void MessagePumpWaiter::Add(HandleInterest* interest, std::source_location location) {
  HANDLE duplicate = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), interest->handle, GetCurrentProcess(), &duplicate, 0,
                       FALSE, DUPLICATE_SAME_ACCESS)) {
    internal::FatalError("scheduler: co_await Signaled(handle) at " + FormatLocation(location) +
                         ": DuplicateHandle failed, error " + std::to_string(GetLastError()) +
                         " (not an open handle to a kernel object)");
  }
  Waker refused;
  {
    LockGuard lock(mu_);
    if (stopped_.load(std::memory_order_relaxed)) {
      refused = std::move(interest->waker);
      closing_.push_back(duplicate);
    } else if (waits_.size() >= static_cast<size_t>(kMaxHandleWaits)) {
      closing_.push_back(duplicate);
      internal::FatalError("scheduler: co_await Signaled(handle) at " + FormatLocation(location) +
                           ": " + std::to_string(kMaxHandleWaits) +
                           " handle waits are already pending, the most one "
                           "MsgWaitForMultipleObjectsEx can wait for (MAXIMUM_WAIT_OBJECTS)");
    } else {
      interest->duplicate = duplicate;
      interest->id = next_id_++;
      interest->added = true;
      waits_.push_back(interest);
    }
  }
  refused.Wake();
}

void MessagePumpWaiter::Remove(HandleInterest* interest) {
  Waker dropped;  // released after the mutex
  LockGuard lock(mu_);
  if (!interest->added) return;
  interest->added = false;
  dropped = std::move(interest->waker);
  waits_.erase(std::find(waits_.begin(), waits_.end(), interest));
  // The main thread may be waiting on it right now: closed between waits.
  closing_.push_back(std::exchange(interest->duplicate, nullptr));
}

size_t MessagePumpWaiter::pending_waits() const {
  LockGuard lock(mu_);
  return waits_.size();
}

void MessagePumpWaiter::AddFilter(std::shared_ptr<MessageFilterEntry> entry) {
  filters_.push_back(std::move(entry));
}

void MessagePumpWaiter::RemoveFilter(const MessageFilterEntry* entry) {
  std::erase_if(filters_, [entry](const std::shared_ptr<MessageFilterEntry>& filter) {
    return filter.get() == entry;
  });
}

void MessagePumpWaiter::Sleep(std::unique_lock<std::mutex>& lock, const Scheduler* dispatcher) {
  lock.unlock();
  sleeps_.fetch_add(1, std::memory_order_relaxed);
  WaitAndDispatch(INFINITE, dispatcher);
  lock.lock();
}

void MessagePumpWaiter::Poll(const Scheduler* dispatcher) {
  polls_.fetch_add(1, std::memory_order_relaxed);
  WaitAndDispatch(0, dispatcher);
}

void MessagePumpWaiter::Wake() { SetEvent(wake_event_); }

void MessagePumpWaiter::Stop() {
  std::vector<Waker> wakes;
  {
    LockGuard lock(mu_);
    stopped_.store(true, std::memory_order_relaxed);
    for (HandleInterest* interest : waits_) {
      interest->added = false;
      wakes.push_back(std::move(interest->waker));
      closing_.push_back(std::exchange(interest->duplicate, nullptr));
    }
    waits_.clear();
  }
  // The stopped dispatcher refuses these tasks, which cancels them.
  for (const Waker& waker : wakes) waker.Wake();
}

void MessagePumpWaiter::CloseRemoved() {
  std::vector<HANDLE> closing;
  {
    LockGuard lock(mu_);
    closing.swap(closing_);
  }
  for (HANDLE handle : closing) CloseHandle(handle);
}

void MessagePumpWaiter::WaitAndDispatch(DWORD timeout_ms, const Scheduler* dispatcher) {
  CloseRemoved();
  DWORD count = 0;
  {
    LockGuard lock(mu_);
    for (const HandleInterest* interest : waits_) {
      wait_handles_[count] = interest->duplicate;
      wait_ids_[count] = interest->id;
      ++count;
    }
  }
  wait_handles_[count] = wake_event_;
  const DWORD result = MsgWaitForMultipleObjectsEx(count + 1, wait_handles_, timeout_ms,
                                                   QS_ALLINPUT, MWMO_INPUTAVAILABLE);
  if (result == WAIT_FAILED) {
    internal::FatalError("MessagePumpWaiter: MsgWaitForMultipleObjectsEx failed, error " +
                         std::to_string(GetLastError()));
  }
  // An abandoned mutex counts as signaled (the main thread owns it now, as
  // after any wait for a mutex).
  DWORD first = count;
  if (result < WAIT_OBJECT_0 + count) {
    first = result - WAIT_OBJECT_0;
  } else if (result >= WAIT_ABANDONED_0 && result < WAIT_ABANDONED_0 + count) {
    first = result - WAIT_ABANDONED_0;
  }
  if (first < count) {
    // The wait consumed `first`'s signal; those before it were not
    // signaled; those after it are tested now.
    uint64_t signaled[MAXIMUM_WAIT_OBJECTS];
    size_t n = 0;
    signaled[n++] = wait_ids_[first];
    for (DWORD i = first + 1; i < count; ++i) {
      const DWORD state = WaitForSingleObject(wait_handles_[i], 0);
      if (state == WAIT_OBJECT_0 || state == WAIT_ABANDONED) signaled[n++] = wait_ids_[i];
    }
    WakeSignaled(signaled, n);
  }
  PumpMessages(dispatcher);
}

void MessagePumpWaiter::WakeSignaled(const uint64_t* ids, size_t count) {
  std::vector<Waker> wakes;
  {
    LockGuard lock(mu_);
    for (size_t k = 0; k < count; ++k) {
      // Looked up by id: a wait removed since the array was filled is gone.
      auto it = std::find_if(waits_.begin(), waits_.end(),
                             [id = ids[k]](const HandleInterest* w) { return w->id == id; });
      if (it == waits_.end()) continue;
      HandleInterest* interest = *it;
      waits_.erase(it);
      interest->added = false;
      wakes.push_back(std::move(interest->waker));
      closing_.push_back(std::exchange(interest->duplicate, nullptr));
    }
  }
  // Woken tasks queue up behind the foreground runnables already queued.
  for (const Waker& waker : wakes) waker.Wake();
}

void MessagePumpWaiter::PumpMessages(const Scheduler* dispatcher) {
  bool more = true;
  bool quit = false;
  for (int i = 0; more && !quit && i < kMaxMessagesPerTurn; ++i) {
    if (stopped_.load(std::memory_order_relaxed)) return;
    // PeekMessage runs inside the callback too: it calls window procedures
    // itself, for messages sent from other threads (SendMessage), which never
    // appear in the queue.
    platform_internal::RunDispatcherCallback(
        [&] {
          MSG msg;
          more = PeekMessageW(&msg, nullptr, 0, 0, PM_REMOVE);
          if (!more) return;
          if (msg.message == WM_QUIT) {
            quit = true;
            return;
          }
          if (!filters_.empty()) {
            // A copy: a filter may add or remove filters.
            const std::vector<std::shared_ptr<MessageFilterEntry>> filters = filters_;
            for (const std::shared_ptr<MessageFilterEntry>& entry : filters) {
              if (!entry->removed && entry->filter(msg)) return;
            }
          }
          TranslateMessage(&msg);
          DispatchMessageW(&msg);
        },
        dispatcher, "a window procedure or message filter");
  }
  if (quit) {
    // WM_QUIT (PostQuitMessage) ends RunMainLoop like QuitMainLoop; the loop
    // this waiter serves is the one running on this thread.
    if (platform_internal::MainLoop* loop = platform_internal::MainLoop::Current()) loop->Quit();
  }
}

}  // namespace scheduler::windows_internal
