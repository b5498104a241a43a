// The PlatformDispatcher on macOS, on Grand Central Dispatch. Most code gets
// it through `CreatePlatformDispatcher()` (platform_dispatcher.h, which
// documents the behaviour).
//
//   background runnables  -> dispatch_async_f on a global concurrent queue
//   foreground runnables  -> dispatch_async_f on dispatch_get_main_queue()
//   ScheduleAfter         -> dispatch_after_f on the matching queue
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
// Timers of `Duration::max()` are kept by PlatformDispatcher; anything beyond
// ~100 years is never handed to GCD either (dispatch_time takes int64 ns) and
// waits in the list for `Shutdown`. A cancelled timer's record is emptied at
// once (its runnable freed); GCD later calls the empty record, which frees
// itself, so what a cancelled timer costs until its deadline is one small
// record inside GCD.
//
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

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/dispatcher_step.h"
#include "platforms/internal/os_dispatchers.h"
#include "scheduler/internal/task_core.h"

namespace scheduler {
namespace mac_internal {

struct Item;

// Everything GCD callbacks touch. Held by the dispatcher and by every record
// handed to GCD, so callbacks that arrive after the dispatcher died are safe.
struct State {
  // Pinned during steps. Valid whenever a record still holds a runnable: the
  // dispatcher empties every record (Stop) and waits for running steps
  // (Join) before it dies.
  const Scheduler* dispatcher = nullptr;
  std::mutex mu;
  std::condition_variable steps_done;
  Item* head = nullptr;  // records that still hold a runnable; guarded by mu
  // Listed timer records by task, so a cancel finds its record at once.
  absl::flat_hash_map<internal::TaskCoreBase*, Item*> timers;  // guarded by mu
  bool stopped = false;                                        // guarded by mu
  int running = 0;                                             // steps in progress; guarded by mu
  std::atomic<bool> quit_requested{false};
};

// One submission: the runnable, where it goes, and no earlier than when.
struct Item {
  std::shared_ptr<State> state;
  Runnable runnable;  // guarded by state->mu while listed
  bool foreground = false;
  bool never = false;  // a timer that never fires: not handed to GCD
  Instant deadline = Instant::min();
  internal::TaskCoreBase* timer_of = nullptr;  // set for timers: key in State::timers
  Item* prev = nullptr;                        // list links; guarded by state->mu
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
  if (item->timer_of != nullptr) s.timers[item->timer_of] = item;
}

void Unlink(State& s, Item* item) {
  if (item->timer_of != nullptr) s.timers.erase(item->timer_of);
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
void HandOffToGcd(Item* item) { __tsan_release(item); }
void TakeFromGcd(Item* item) { __tsan_acquire(item); }
#else
void HandOffToGcd(Item*) {}
void TakeFromGcd(Item*) {}
#endif

void Submit(Item* item) {
  // Everything read from the record is read before the hand-off: from there
  // on, GCD may run (and free) it on another thread.
  dispatch_queue_t queue = QueueFor(*item);
  const Instant now = std::chrono::steady_clock::now();
  if (item->deadline <= now) {
    HandOffToGcd(item);
    dispatch_async_f(queue, item, &Trampoline);
  } else {
    const int64_t ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(item->deadline - now).count();
    HandOffToGcd(item);
    dispatch_after_f(dispatch_time(DISPATCH_TIME_NOW, ns), queue, item, &Trampoline);
  }
}

// GCD's callback for every record: runs the runnable if Shutdown has not
// taken it, then frees the record.
void Trampoline(void* context) {
  Item* item = static_cast<Item*>(context);
  TakeFromGcd(item);
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
  platform_internal::RunDispatcherStep(std::move(runnable), keep->dispatcher);
  --steps_on_this_thread;
  std::lock_guard<std::mutex> lock(keep->mu);
  if (--keep->running == 0) keep->steps_done.notify_all();
}

// Hands `runnable` to GCD (or keeps it, for `never`). Returns it if stopped
// (the dispatcher's shutdown policy decides when it dies, never under mu).
Runnable Enqueue(const std::shared_ptr<State>& state, Runnable runnable, bool foreground,
                 Instant deadline, bool timer, bool never) {
  auto item = std::make_unique<Item>();
  item->state = state;
  item->foreground = foreground;
  item->never = never;
  item->deadline = deadline;
  if (timer) item->timer_of = internal::RunnableAccess::Peek(runnable);
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->stopped) return runnable;
    item->runnable = std::move(runnable);
    Link(*state, item.get());
  }
  // From here the record belongs to GCD (freed by Trampoline) or, for
  // `never`, to the list (freed by Stop). Stop or a cancel may empty it
  // before Submit; GCD then calls an empty record, which only frees itself.
  Item* submitted = item.release();
  if (!never) Submit(submitted);
  return Runnable();
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
  }

  Runnable PushBackground(Runnable runnable) override {
    return mac_internal::Enqueue(state_, std::move(runnable), /*foreground=*/false, Instant::min(),
                                 /*timer=*/false, /*never=*/false);
  }
  Runnable PushForeground(Runnable runnable) override {
    return mac_internal::Enqueue(state_, std::move(runnable), /*foreground=*/true, Instant::min(),
                                 /*timer=*/false, /*never=*/false);
  }
  Runnable AddTimer(Instant deadline, Runnable runnable) override {
    const bool foreground = runnable.metadata().is_foreground();
    const bool never = deadline - std::chrono::steady_clock::now() >= mac_internal::kNever;
    return mac_internal::Enqueue(state_, std::move(runnable), foreground, deadline,
                                 /*timer=*/true, never);
  }
  Runnable CancelTimer(internal::TaskCoreBase* task) override {
    mac_internal::Item* never_item = nullptr;
    Runnable cancelled;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      auto it = state_->timers.find(task);
      if (it == state_->timers.end()) return Runnable();
      mac_internal::Item* item = it->second;
      mac_internal::Unlink(*state_, item);
      cancelled = std::move(item->runnable);
      // GCD frees the records it was given; a `never` record it never saw.
      if (item->never) never_item = item;
    }
    delete never_item;
    return cancelled;
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
    std::vector<mac_internal::Item*> never_handed_to_gcd;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->stopped = true;
      while (mac_internal::Item* item = state_->head) {
        mac_internal::Unlink(*state_, item);
        doomed.push_back(std::move(item->runnable));
        if (item->never) never_handed_to_gcd.push_back(item);
      }
    }
    for (mac_internal::Item* item : never_handed_to_gcd) delete item;
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
