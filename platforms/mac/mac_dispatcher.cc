#include "platforms/mac/mac_dispatcher.h"

#include <CoreFoundation/CoreFoundation.h>
#include <dispatch/dispatch.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_misuse.h"
#include "platforms/internal/run_step.h"
#include "scheduler/current_task.h"
#include "scheduler/internal/task_core.h"

namespace scheduler {
namespace mac_internal {

struct Item;

// Everything GCD callbacks touch. Held by the dispatcher and by every record
// handed to GCD, so callbacks that arrive after the dispatcher died are safe.
struct State {
  std::mutex mu;
  std::condition_variable steps_done;
  Item* head = nullptr;  // records that still hold a runnable; guarded by mu
  bool stopped = false;  // guarded by mu
  int running = 0;       // steps in progress; guarded by mu
  std::atomic<bool> quit_requested{false};
};

// One submission: the runnable, where it goes, and no earlier than when.
struct Item {
  std::shared_ptr<State> state;
  Runnable runnable;  // guarded by state->mu while listed
  bool foreground = false;
  bool never = false;  // a timer that never fires: not handed to GCD
  Instant deadline = Instant::min();
  Item* prev = nullptr;  // list links; guarded by state->mu
  Item* next = nullptr;
  bool listed = false;
};

namespace {

// Steps running on this thread (more than one when a step destroys the
// dispatcher, whose Shutdown must then not wait for its own caller).
thread_local int steps_on_this_thread = 0;

// RunMainLoop activations on this (the main) thread.
thread_local int main_loop_depth = 0;

// Beyond this a timer is treated as "never" (dispatch_time takes int64 ns).
constexpr Duration kNever = std::chrono::hours(24 * 365 * 100);

void Link(State& s, Item* item) {
  item->next = s.head;
  if (s.head != nullptr) s.head->prev = item;
  s.head = item;
  item->listed = true;
}

void Unlink(State& s, Item* item) {
  if (item->prev != nullptr) item->prev->next = item->next;
  if (item->next != nullptr) item->next->prev = item->prev;
  if (s.head == item) s.head = item->next;
  item->prev = item->next = nullptr;
  item->listed = false;
}

dispatch_queue_t QueueFor(const Item& item) {
  return item.foreground ? dispatch_get_main_queue()
                         : dispatch_get_global_queue(QOS_CLASS_DEFAULT, 0);
}

void Trampoline(void* context);

void Submit(Item* item) {
  const Instant now = std::chrono::steady_clock::now();
  if (item->deadline <= now) {
    dispatch_async_f(QueueFor(*item), item, &Trampoline);
  } else {
    const int64_t ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(item->deadline - now).count();
    dispatch_after_f(dispatch_time(DISPATCH_TIME_NOW, ns), QueueFor(*item), item, &Trampoline);
  }
}

// GCD's callback for every record: runs the runnable if Shutdown has not
// taken it, then frees the record.
void Trampoline(void* context) {
  Item* item = static_cast<Item*>(context);
  State& state = *item->state;
  if (std::chrono::steady_clock::now() < item->deadline) {
    // GCD's timers may fire a little early (leeway, clock rounding); the
    // contract is "never before the deadline", so wait out the rest.
    bool listed;
    {
      std::lock_guard<std::mutex> lock(state.mu);
      listed = item->listed;
    }
    if (listed) {
      Submit(item);
      return;
    }
  }
  Runnable runnable;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    if (item->listed) {
      Unlink(state, item);
      runnable = std::move(item->runnable);
      ++state.running;
    }
  }
  const std::shared_ptr<State> keep = std::move(item->state);
  delete item;
  if (!runnable) return;
  ++steps_on_this_thread;
  platform_internal::RunStep(std::move(runnable));
  --steps_on_this_thread;
  std::lock_guard<std::mutex> lock(keep->mu);
  if (--keep->running == 0) keep->steps_done.notify_all();
}

// Hands `runnable` to GCD (or keeps it, for `never`), unless stopped.
void Enqueue(const std::shared_ptr<State>& state, Runnable runnable, bool foreground,
             Instant deadline, bool never) {
  auto* item = new Item;
  item->state = state;
  item->runnable = std::move(runnable);
  item->foreground = foreground;
  item->never = never;
  item->deadline = deadline;
  bool listed = false;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (!state->stopped) {
      Link(*state, item);
      listed = true;
    }
  }
  if (!listed) {
    delete item;  // stopped: drops the runnable (cancelling the task), unlocked
    return;
  }
  // From here the record belongs to GCD (freed by Trampoline) or, for
  // `never`, to the list (freed by Shutdown). Shutdown may empty it before
  // Submit; GCD then calls an empty record, which only frees itself.
  if (!never) Submit(item);
}

}  // namespace
}  // namespace mac_internal

namespace {

Parker& ThreadParker() {
  thread_local Parker parker;
  return parker;
}

}  // namespace

std::shared_ptr<MacDispatcher> MacDispatcher::Create(PlatformDispatcherOptions,
                                                     std::source_location location) {
  if (pthread_main_np() == 0) {
    internal::FatalError(
        "MacDispatcher::Create must be called on the process's main thread: GCD runs the main "
        "queue (foreground tasks) there. Called at " +
        FormatLocation(location) + ".");
  }
  return std::shared_ptr<MacDispatcher>(new MacDispatcher(location));
}

MacDispatcher::MacDispatcher(std::source_location created_at)
    : state_(std::make_shared<mac_internal::State>()), created_at_(created_at) {}

MacDispatcher::~MacDispatcher() { ShutdownNow(); }

void MacDispatcher::Schedule(Runnable runnable) {
  ScheduleAfter(Duration::zero(), std::move(runnable));
}

void MacDispatcher::ScheduleForeground(Runnable runnable) {
  ScheduleAfter(Duration::zero(), std::move(runnable));
}

void MacDispatcher::ScheduleAfter(Duration delay, Runnable runnable) {
  const bool foreground = runnable.metadata().is_foreground();
  const bool never = delay >= mac_internal::kNever;
  const Instant deadline = delay <= Duration::zero() ? Instant::min() : SaturatingAdd(Now(), delay);
  mac_internal::Enqueue(state_, std::move(runnable), foreground, deadline, never);
}

bool MacDispatcher::Park(std::optional<Duration> timeout) { return ThreadParker().Park(timeout); }

Unparker MacDispatcher::GetUnparker() { return ThreadParker().GetUnparker(); }

bool MacDispatcher::IsMainThread() const { return pthread_main_np() != 0; }

Instant MacDispatcher::Now() const { return std::chrono::steady_clock::now(); }

void MacDispatcher::RunMainLoop() {
  if (pthread_main_np() == 0) {
    std::ostringstream caller;
    caller << "thread " << std::this_thread::get_id();
    platform_internal::FailRunMainLoopOffMainThread("MacDispatcher", caller.str(),
                                                    "the process's main thread", created_at_);
  }
  // The main queue is serial: a loop run from inside one of its steps could
  // never run the next one.
  if (mac_internal::main_loop_depth > 0) {
    platform_internal::FailRunMainLoopReentered("MacDispatcher", created_at_);
  }
  // A step may drop the last reference to this object; keep the state.
  const std::shared_ptr<mac_internal::State> state = state_;
  ++mac_internal::main_loop_depth;
  struct LeaveLoop {
    ~LeaveLoop() { --mac_internal::main_loop_depth; }
  } leave_loop;
  while (!state->quit_requested.exchange(false)) {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->stopped) return;
    }
    // Returns after each drain of the main queue (a "handled source"), after
    // CFRunLoopStop, or after the (huge) timeout; the flag decides.
    CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0e10, /*returnAfterSourceHandled=*/true);
  }
}

void MacDispatcher::QuitMainLoop() {
  state_->quit_requested.store(true);
  CFRunLoopRef main = CFRunLoopGetMain();
  CFRunLoopStop(main);
  CFRunLoopWakeUp(main);
}

void MacDispatcher::Shutdown() {
  // GCD's threads are the process's, not ours, and Shutdown on one of them
  // outside a step would not wait for itself: only the in-step check applies.
  platform_internal::CheckShutdownCaller("MacDispatcher", /*on_pool_thread=*/false, "",
                                         created_at_);
  ShutdownNow();
}

void MacDispatcher::ShutdownNow() {
  std::vector<Runnable> doomed;
  std::vector<mac_internal::Item*> never_handed_to_gcd;
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->stopped = true;
    while (mac_internal::Item* item = state_->head) {
      mac_internal::Unlink(*state_, item);
      doomed.push_back(std::move(item->runnable));
      if (item->never) never_handed_to_gcd.push_back(item);
    }
    // Steps already running finish first (except the one this thread is in,
    // if the last reference died inside a step).
    state_->steps_done.wait(
        lock, [this] { return state_->running <= mac_internal::steps_on_this_thread; });
  }
  for (mac_internal::Item* item : never_handed_to_gcd) delete item;
  doomed.clear();  // frames die here, unlocked; later schedules are refused
}

}  // namespace scheduler
