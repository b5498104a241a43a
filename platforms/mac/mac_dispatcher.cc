// The PlatformDispatcher on macOS, on Grand Central Dispatch. Most code gets
// it through `CreatePlatformDispatcher()` (platform_dispatcher.h, which
// documents the behaviour).
//
//   background runnables  -> dispatch_async_f on a global concurrent queue
//   foreground runnables  -> dispatch_async_f on dispatch_get_main_queue()
//   ScheduleAfter         -> the shared timer heap (scheduler/internal/
//                            timer_heap.h) behind one GCD timer source, set
//                            for the earliest deadline; due runnables are
//                            then dispatch_async_f'd to the matching queue
//   RunMainLoop           -> runs the main thread's CFRunLoop, which drains the
//                            main queue (as in a Cocoa app), until QuitMainLoop
//
// Priorities (`TaskMetadata::priority`) are ignored: every background
// runnable goes to the one default-QoS global queue.
//
// GCD owns the worker threads (`worker_threads` is ignored) and cannot take
// work back once submitted, so every submission goes through a small record
// the dispatcher also keeps in a list: `Shutdown` empties the records (cancelling
// their runnables right away, outside any lock) and waits for steps already
// running; GCD later calls the emptied records, which only free themselves.
//
// TIMERS. Armed timers are not handed to GCD one by one (GCD cannot take a
// dispatch_after back, so a cancelled one would hold memory inside GCD until
// its deadline). They wait in one heap under State::mu, and a single GCD
// timer source is set for the earliest deadline. Its handler takes what is
// due (deadline <= steady_clock::now(), the dispatcher's clock) and submits
// each as an ordinary record, in deadline order, then sets the source for the
// next deadline. So a cancelled timer leaves at once (TimerHeap::Remove) and
// the memory timers hold follows the live ones. Protocol, all under mu:
//   - AddTimer sets the source only if the new deadline is earlier than the
//     one it is set for (`timer_armed_for`); otherwise the handler re-arms
//     when the earlier one fires.
//   - CancelTimer leaves the source as it is: if it was set for this deadline,
//     the handler finds nothing due and re-arms for the real earliest.
//   - The handler fires nothing early: if GCD calls it before the earliest
//     deadline (leeway, clock rounding), it takes nothing and re-arms for the
//     remainder. It links the records of what it took before it unlocks, so
//     Stop, which runs under mu too, finds them: no runnable taken from the
//     heap escapes Shutdown. A fired timer is in exactly one place at a time
//     (the heap, then its record), so it runs at most once.
//   - Stop drains the heap and cancels the source; a handler that runs later
//     sees `stopped` and touches nothing.
// Deadlines beyond ~100 years stay in the heap with the source not set for
// them (dispatch_time takes int64 ns); Duration::max() timers are kept by
// PlatformDispatcher.

// Main thread: the process's main thread (where GCD runs the main queue);
// `CreateMacDispatcher` must be called on it. Foreground runnables run only while
// `RunMainLoop` runs (or the application's own run loop, e.g. NSApplication's,
// which drains the main queue the same way). `RunMainLoop` re-entered from a
// foreground step is fatal: the main queue is serial, so the inner loop could
// never run the next foreground step.
//
// Status: written against Apple's documented GCD and CoreFoundation APIs. No
// macOS host exists in this project's environment, so it has never been
// compiled with Apple's SDK nor run on macOS. On Linux this same source is
// compiled against the real libdispatch (Apple's open-source GCD, as Debian
// builds it for Linux; //third_party/libdispatch) and the contract suite and
// platforms/mac/tests run on it, plain and under ASan, TSan and UBSan: the
// GCD calls run on GCD's own queues, threads and timers. CoreFoundation's run
// loop is a test-only stand-in over libdispatch's main-queue handle
// (//platforms/mac:cf_run_loop). Unverified until run on a Mac: Apple's SDK
// headers and compiler, the real CFRunLoop, the Mach-port main-queue handle
// and Apple's kernel-backed global queues.
#include <CoreFoundation/CoreFoundation.h>
#include <dispatch/dispatch.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/dispatcher_step.h"
#include "platforms/internal/os_dispatchers.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/internal/timer_heap.h"

namespace scheduler {
namespace mac_internal {

struct Item;

// Everything GCD callbacks touch. Held by the dispatcher, by every record
// handed to GCD and by the timer source, so callbacks that arrive after the
// dispatcher died are safe.
struct State {
  // Pinned during steps. Valid whenever a record still holds a runnable: the
  // dispatcher empties every record (Stop) and waits for running steps
  // (Join) before it dies.
  const Scheduler* dispatcher = nullptr;
  std::mutex mu;
  std::condition_variable steps_done;
  Item* head = nullptr;  // records that still hold a runnable; guarded by mu
  // Armed timers (see TIMERS above); guarded by mu.
  internal::TimerHeap timers;
  // Set once before any timer can be armed; cleared (and cancelled) by Stop.
  dispatch_source_t timer_source = nullptr;  // guarded by mu after creation
  Instant timer_armed_for = Instant::max();  // guarded by mu
  bool stopped = false;                      // guarded by mu
  int running = 0;                           // steps in progress; guarded by mu
  std::atomic<bool> quit_requested{false};
};

// One submission: the runnable and where it goes.
struct Item {
  std::shared_ptr<State> state;
  Runnable runnable;  // guarded by state->mu while listed
  bool foreground = false;
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

// The timer source is not set for deadlines further than this (dispatch_time
// takes int64 ns); such timers wait in the heap for Shutdown.
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
  // No `?:`: in C++ the two getters return distinct subclasses of
  // dispatch_queue_t (dispatch_queue_main_t, dispatch_queue_global_t).
  if (item.foreground) return dispatch_get_main_queue();
  // DISPATCH_QUEUE_PRIORITY_DEFAULT is QOS_CLASS_DEFAULT on Apple's systems,
  // and the only spelling libdispatch's Linux headers have.
  return dispatch_get_global_queue(DISPATCH_QUEUE_PRIORITY_DEFAULT, 0);
}

void Trampoline(void* context);

// GCD runs a callback after its submission (the submission happens before
// it). ThreadSanitizer learns that from its libdispatch interceptors on
// Apple's systems; the Linux libdispatch our tests link is not instrumented,
// so under TSan the hand-off of each record is stated here instead.
#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
void HandOffToGcd(void* record) { __tsan_release(record); }
void TakeFromGcd(void* record) { __tsan_acquire(record); }
#else
void HandOffToGcd(void*) {}
void TakeFromGcd(void*) {}
#endif

void Submit(Item* item) {
  // Everything read from the record is read before the hand-off: from there
  // on, GCD may run (and free) it on another thread.
  dispatch_queue_t queue = QueueFor(*item);
  HandOffToGcd(item);
  dispatch_async_f(queue, item, &Trampoline);
}

// GCD's callback for every record: runs the runnable if Shutdown has not
// taken it, then frees the record.
void Trampoline(void* context) {
  Item* item = static_cast<Item*>(context);
  TakeFromGcd(item);
  State& state = *item->state;
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
  platform_internal::RunDispatcherStep(std::move(runnable), keep->dispatcher);
  --steps_on_this_thread;
  std::lock_guard<std::mutex> lock(keep->mu);
  if (--keep->running == 0) keep->steps_done.notify_all();
}

// A record for `runnable`, listed in `state` (whose mu the caller holds).
Item* NewListedItemLocked(const std::shared_ptr<State>& state, Runnable runnable, bool foreground) {
  Item* item = new Item;
  item->state = state;
  item->foreground = foreground;
  item->runnable = std::move(runnable);
  Link(*state, item);
  return item;
}

// Hands `runnable` to GCD. Returns it if stopped (the dispatcher's shutdown
// policy decides when it dies, never under mu).
Runnable Enqueue(const std::shared_ptr<State>& state, Runnable runnable, bool foreground) {
  Item* item;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->stopped) return runnable;
    item = NewListedItemLocked(state, std::move(runnable), foreground);
  }
  // From here the record belongs to GCD (freed by Trampoline). Stop may empty
  // it before Submit; GCD then calls an empty record, which only frees itself.
  Submit(item);
  return Runnable();
}

// Sets the timer source for the earliest armed deadline, or for never.
void ArmTimerSourceLocked(State& state, Instant now) {
  const Instant next = state.timers.earliest();
  state.timer_armed_for = next;
  dispatch_time_t when = DISPATCH_TIME_FOREVER;
  if (next - now < kNever) {
    // Rounded up, so that a source that fires on time is not early; one that
    // fires early anyway finds nothing due and comes back here.
    const int64_t ns =
        std::max<int64_t>(0, std::chrono::ceil<std::chrono::nanoseconds>(next - now).count());
    when = dispatch_time(DISPATCH_TIME_NOW, ns);
  }
  // No repeat, no leeway: GCD may not defer this past the deadline to batch it.
  dispatch_source_set_timer(state.timer_source, when, DISPATCH_TIME_FOREVER, 0);
}

// The timer source's handler (see TIMERS): submits what is due, re-arms.
void TimerSourceFired(void* context) {
  TakeFromGcd(context);
  const std::shared_ptr<State>& state = *static_cast<std::shared_ptr<State>*>(context);
  std::vector<Runnable> due;
  std::vector<Item*> items;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->stopped) return;
    const Instant now = std::chrono::steady_clock::now();
    state->timers.TakeDue(now, due);
    items.reserve(due.size());
    for (Runnable& runnable : due) {
      const bool foreground = runnable.metadata().is_foreground();
      items.push_back(NewListedItemLocked(state, std::move(runnable), foreground));
    }
    ArmTimerSourceLocked(*state, now);
  }
  for (Item* item : items) Submit(item);
}

// Frees the source's reference to State once GCD has released the source.
void TimerSourceFinalized(void* context) {
  TakeFromGcd(context);
  delete static_cast<std::shared_ptr<State>*>(context);
}

}  // namespace
}  // namespace mac_internal

// GCD behind the dispatcher core: every submission is a record in
// State's list (see the file comment), steps run through RunDispatcherStep.
namespace {

class Gcd final : public platform_internal::DispatcherBackend {
 public:
  // GCD sizes its own pool and has no LIFO slot: no option applies.
  Gcd(const PlatformDispatcherOptions&, const Scheduler* dispatcher)
      : state_(std::make_shared<mac_internal::State>()) {
    state_->dispatcher = dispatcher;
    // The timer source (see TIMERS). Its handler runs on the global queue,
    // one call at a time; it holds State through its context until GCD
    // releases it (after Stop cancels it).
    dispatch_source_t source =
        dispatch_source_create(DISPATCH_SOURCE_TYPE_TIMER, 0, 0,
                               dispatch_get_global_queue(DISPATCH_QUEUE_PRIORITY_DEFAULT, 0));
    if (source == nullptr) internal::FatalError("MacDispatcher: dispatch_source_create failed");
    auto* context = new std::shared_ptr<mac_internal::State>(state_);
    dispatch_set_context(source, context);
    dispatch_set_finalizer_f(source, &mac_internal::TimerSourceFinalized);
    dispatch_source_set_event_handler_f(source, &mac_internal::TimerSourceFired);
    dispatch_source_set_timer(source, DISPATCH_TIME_FOREVER, DISPATCH_TIME_FOREVER, 0);
    state_->timer_source = source;
    mac_internal::HandOffToGcd(context);
    dispatch_resume(source);
  }

  Runnable PushBackground(Runnable runnable) override {
    return mac_internal::Enqueue(state_, std::move(runnable), /*foreground=*/false);
  }
  Runnable PushForeground(Runnable runnable) override {
    return mac_internal::Enqueue(state_, std::move(runnable), /*foreground=*/true);
  }
  Runnable AddTimer(Instant deadline, Runnable runnable) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopped) return runnable;
    state_->timers.Push(deadline, std::move(runnable));
    // Only a new earliest deadline moves the source (see TIMERS).
    if (deadline < state_->timer_armed_for) {
      mac_internal::ArmTimerSourceLocked(*state_, std::chrono::steady_clock::now());
    }
    return Runnable();
  }
  Runnable CancelTimer(internal::TaskCoreBase* task) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->timers.Remove(task);
  }
  size_t armed_timers() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->timers.size();
  }
  int worker_threads() const override { return 0; }

  bool RunMainLoop() override {
    // The main queue is serial: a loop run from inside one of its steps could
    // never run the next one.
    if (mac_internal::main_loop_depth > 0) return false;
    // A step may drop the last reference to the dispatcher (and this object).
    const std::shared_ptr<mac_internal::State> state = state_;
    ++mac_internal::main_loop_depth;
    struct LeaveLoop {
      ~LeaveLoop() { --mac_internal::main_loop_depth; }
    } leave_loop;
    while (!state->quit_requested.exchange(false)) {
      {
        std::lock_guard<std::mutex> lock(state->mu);
        if (state->stopped) break;
      }
      // Returns after each drain of the main queue (a "handled source"),
      // after CFRunLoopStop, or after the (huge) timeout; the flags decide.
      CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0e10, /*returnAfterSourceHandled=*/true);
    }
    return true;
  }
  void QuitMainLoop() override {
    state_->quit_requested.store(true);
    WakeMainLoop();
  }
  // GCD's threads are the process's, not ours: Shutdown on one of them
  // outside a step waits for nothing of its own.
  bool OnPoolThread() const override { return false; }

  void Stop(std::vector<Runnable>& doomed) override {
    dispatch_source_t source;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->stopped = true;
      while (mac_internal::Item* item = state_->head) {
        mac_internal::Unlink(*state_, item);
        doomed.push_back(std::move(item->runnable));
      }
      state_->timers.DrainInto(doomed);
      source = std::exchange(state_->timer_source, nullptr);
    }
    // A handler already past its `stopped` check finished under mu; later
    // ones see `stopped`. GCD frees the source (and its State reference)
    // once it is cancelled and released.
    if (source != nullptr) {
      dispatch_source_cancel(source);
      dispatch_release(source);
    }
    WakeMainLoop();  // a running loop sees `stopped` and returns
  }

  void Join(std::vector<Runnable>&) override {
    // Steps already running finish first (except the one this thread is in,
    // if the last reference died inside a step). Nothing reaches the list
    // after Stop.
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->steps_done.wait(
        lock, [this] { return state_->running <= mac_internal::steps_on_this_thread; });
  }

 private:
  static void WakeMainLoop() {
    CFRunLoopRef main = CFRunLoopGetMain();
    CFRunLoopStop(main);
    CFRunLoopWakeUp(main);
  }

  // Shared with every in-flight GCD record, so it outlives this object.
  const std::shared_ptr<mac_internal::State> state_;
};

}  // namespace

std::shared_ptr<PlatformDispatcher> CreateMacDispatcher(PlatformDispatcherOptions options,
                                                        std::source_location location) {
  if (pthread_main_np() == 0) {
    internal::FatalError(
        "CreateMacDispatcher must be called on the process's main thread: GCD runs the main "
        "queue (foreground tasks) there. Called at " +
        FormatLocation(location) + ".");
  }
  return platform_internal::DispatcherFactory::MakeWith<Gcd>("MacDispatcher", location, options);
}

}  // namespace scheduler
