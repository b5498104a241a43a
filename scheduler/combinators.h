// Combinators: wait for all of several futures, for the first of them, or for
// one with a deadline.
//
//   // All, results in order; the first failure cancels the rest and is rethrown.
//   auto [user, prefs] = co_await WhenAll(LoadUser(id), LoadPrefs(id));
//   std::vector<Page> pages = co_await WhenAll(std::move(page_futures));
//
//   // The first to finish wins; the others are cancelled, and their frames are
//   // destroyed before the result is returned.
//   std::variant<Reply, Reply> r = co_await Race(AskPrimary(), AskReplica());
//   WhenAnyResult<Reply> first = co_await WhenAny(std::move(replies));  // .index, .value
//
//   // A deadline on the scheduler's clock (the fake clock under the TestScheduler,
//   // so the test decides exactly when it expires).
//   std::optional<Reply> reply = co_await WithTimeout(Ask(), std::chrono::seconds(1));
//
// HOW THEY RUN. Each combinator is a Future, so nothing happens until it is
// awaited, and it must be awaited inside a task (a spawned future or one
// awaited by it); elsewhere it is a fatal error naming the call site. It
// spawns every input as a *branch*: a child task on the awaiting task's own
// scheduler, in its mode (the branches of a foreground task run on the main
// thread in its session; a labeled task's branches carry its label), with the
// awaiting task as `TaskMetadata::parent`. Branches of a background task may
// run in parallel on a multi-threaded scheduler, so what they share must be
// thread-safe. If the awaiting task's scheduler is gone, the combinator throws
// `TaskCancelledError`.
//
// RESULTS. `void` branches contribute `std::monostate` to tuples and variants.
// A branch cancelled by its scheduler (e.g. at shutdown) counts as failed with
// `TaskCancelledError`.
//
// CANCELLATION. Cancelling a branch means what dropping its Task means
// (task.h): its frame is destroyed at its suspension point and it never
// resumes. Before a combinator returns or throws, every branch it cancelled
// has had its frame destroyed, even one whose step was running on another
// thread at that moment (the combinator waits for that step to end). If the
// awaiting task is itself cancelled while it waits in a combinator, the
// branches are cancelled with it (idle ones at once; queued or running ones
// when their scheduler next looks at them, as for any dropped Task). The
// same holds one level down: when a combinator cancels a branch that is
// itself waiting in a combinator (a `WhenAll` under `WithTimeout`), that
// branch's frame is gone before the outer combinator returns, and its own
// branches go as dropped Tasks do. A timer branch (`WithTimeout`'s) has no
// frame and is not waited for.
//
// DETERMINISM. Under the TestScheduler, branches are ordinary tasks, so the
// seed decides which finishes first; when the combinator finds several
// finished at once, the lowest index counts as first.
#ifndef SCHEDULER_COMBINATORS_H_
#define SCHEDULER_COMBINATORS_H_

#include <cstddef>
#include <optional>
#include <source_location>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "scheduler/duration.h"
#include "scheduler/future.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"

namespace scheduler {

// `std::monostate` for `void`, else `T`: what a branch contributes to a
// tuple or variant.
template <typename T>
using BranchValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// The result of `WhenAny`: which input finished first, and its value.
template <typename T>
struct WhenAnyResult {
  size_t index;
  T value;
};
template <>
struct WhenAnyResult<void> {
  size_t index;
};

namespace internal {

// The scheduler of the task running on this thread. Fatal outside a task;
// throws TaskCancelledError if the scheduler is gone. `operation` and
// `location` name the call in errors.
std::shared_ptr<Scheduler> CurrentTaskScheduler(const char* operation,
                                                std::source_location location);

// What a branch of the running task is spawned with (see HOW THEY RUN).
struct BranchSpawn {
  std::shared_ptr<Scheduler> scheduler;
  ScheduleMode mode;
  TaskMetadata metadata;
};
BranchSpawn PrepareBranch(const char* operation, std::source_location location);

template <typename T>
Task<T> SpawnBranch(Future<T> future, const char* operation, std::source_location location) {
  BranchSpawn spawn = PrepareBranch(operation, location);
  return SpawnWithMode(spawn.scheduler, spawn.mode, std::move(spawn.metadata), std::move(future));
}

// Waits until the first of `branches` has finished (its frame gone), cancels
// the others, and waits until their frames are gone too. Returns the index of
// the first (the lowest, if several were found finished at once).
Future<size_t> RaceBranches(std::vector<TaskCoreBase*> branches);

// Waits until every branch has finished, or until the first that failed (see
// TaskCoreBase::Failed); then cancels the rest and waits until their frames
// are gone. Returns the index of the failed branch, or nullopt.
Future<std::optional<size_t>> JoinBranches(std::vector<TaskCoreBase*> branches);

template <typename T>
BranchValue<T> TakeBranchValue(Task<T>& task, const char* operation) {
  if constexpr (std::is_void_v<T>) {
    task.TakeResult(operation);
    return std::monostate();
  } else {
    return task.TakeResult(operation);
  }
}

template <typename... Ts, size_t... Is>
std::variant<BranchValue<Ts>...> TakeWinner(std::tuple<Task<Ts>...>& tasks, size_t winner,
                                            std::index_sequence<Is...>) {
  std::optional<std::variant<BranchValue<Ts>...>> result;
  ((Is == winner ? (void)result.emplace(std::in_place_index<Is>,
                                        TakeBranchValue(std::get<Is>(tasks), "Race"))
                 : (void)0),
   ...);
  return std::move(*result);
}

// Rethrows what the failed branch `index` finished with.
template <typename... Ts, size_t... Is>
void RethrowBranch(std::tuple<Task<Ts>...>& tasks, size_t index, std::index_sequence<Is...>) {
  ((Is == index ? (void)TakeBranchValue(std::get<Is>(tasks), "WhenAll") : (void)0), ...);
}

template <typename... Ts>
std::vector<TaskCoreBase*> CoresOf(std::tuple<Task<Ts>...>& tasks) {
  return std::apply([](auto&... t) { return std::vector<TaskCoreBase*>{TaskAccess::Core(t)...}; },
                    tasks);
}

template <typename T>
std::vector<TaskCoreBase*> CoresOf(std::vector<Task<T>>& tasks) {
  std::vector<TaskCoreBase*> cores;
  cores.reserve(tasks.size());
  for (Task<T>& t : tasks) cores.push_back(TaskAccess::Core(t));
  return cores;
}

}  // namespace internal

// Runs every future as a branch and yields their values in argument order.
// The first branch to fail (exception or cancellation) cancels the others;
// once their frames are gone, its exception is rethrown.
template <typename... Ts>
Future<std::tuple<BranchValue<Ts>...>> WhenAll(Future<Ts>... futures) {
  static_assert(sizeof...(Ts) > 0, "WhenAll needs at least one future");
  std::tuple<Task<Ts>...> tasks{
      internal::SpawnBranch(std::move(futures), "WhenAll", std::source_location::current())...};
  std::vector<internal::TaskCoreBase*> cores = internal::CoresOf(tasks);
  std::optional<size_t> failed = co_await internal::JoinBranches(std::move(cores));
  if (failed.has_value()) {
    internal::RethrowBranch(tasks, *failed, std::index_sequence_for<Ts...>());
  }
  co_return std::apply(
      [](auto&... t) {
        return std::tuple<BranchValue<Ts>...>(internal::TakeBranchValue(t, "WhenAll")...);
      },
      tasks);
}

// WhenAll over a range: the values in input order (for `void`, nothing). An
// empty input completes at once.
template <typename T>
Future<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> WhenAll(
    std::vector<Future<T>> futures,
    std::source_location location = std::source_location::current()) {
  std::vector<Task<T>> tasks;
  tasks.reserve(futures.size());
  for (Future<T>& f : futures)
    tasks.push_back(internal::SpawnBranch(std::move(f), "WhenAll", location));
  futures.clear();
  std::vector<internal::TaskCoreBase*> cores = internal::CoresOf(tasks);
  std::optional<size_t> failed = co_await internal::JoinBranches(std::move(cores));
  if (failed.has_value()) internal::TakeBranchValue(tasks[*failed], "WhenAll");  // rethrows
  if constexpr (std::is_void_v<T>) {
    co_return;
  } else {
    std::vector<T> values;
    values.reserve(tasks.size());
    for (Task<T>& t : tasks) values.push_back(t.TakeResult("WhenAll"));
    co_return values;
  }
}

// Runs every future as a branch; the first to finish wins. The others are
// cancelled, and their frames are destroyed before this returns. Yields the
// winner's value as the variant alternative of its position (`index()`), or
// rethrows its exception (a winner that failed still wins).
template <typename... Ts>
Future<std::variant<BranchValue<Ts>...>> Race(Future<Ts>... futures) {
  static_assert(sizeof...(Ts) > 0, "Race needs at least one future");
  std::tuple<Task<Ts>...> tasks{
      internal::SpawnBranch(std::move(futures), "Race", std::source_location::current())...};
  std::vector<internal::TaskCoreBase*> cores = internal::CoresOf(tasks);
  const size_t winner = co_await internal::RaceBranches(std::move(cores));
  co_return internal::TakeWinner(tasks, winner, std::index_sequence_for<Ts...>());
}

// Race over a range: the winner's index and value. The input must not be
// empty (a fatal error naming `location`).
template <typename T>
Future<WhenAnyResult<T>> WhenAny(std::vector<Future<T>> futures,
                                 std::source_location location = std::source_location::current()) {
  if (futures.empty()) {
    internal::FatalError("WhenAny of no futures at " + FormatLocation(location) +
                         " (nothing could ever finish first)");
  }
  std::vector<Task<T>> tasks;
  tasks.reserve(futures.size());
  for (Future<T>& f : futures)
    tasks.push_back(internal::SpawnBranch(std::move(f), "WhenAny", location));
  futures.clear();
  std::vector<internal::TaskCoreBase*> cores = internal::CoresOf(tasks);
  const size_t winner = co_await internal::RaceBranches(std::move(cores));
  if constexpr (std::is_void_v<T>) {
    tasks[winner].TakeResult("WhenAny");
    co_return WhenAnyResult<void>{winner};
  } else {
    co_return WhenAnyResult<T>{winner, tasks[winner].TakeResult("WhenAny")};
  }
}

// Runs `future` as a branch against a timer of `timeout` on the scheduler's
// clock. Yields its value if it finishes first, or `std::nullopt` once the
// timer fires, after the branch's frame is destroyed. A future that finishes
// exactly when the timer fires, as seen at one wake-up, wins; an exception
// it throws first is rethrown. For `Future<void>`: true if it finished in time.
template <typename T>
Future<std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>> WithTimeout(
    Future<T> future, Duration timeout,
    std::source_location location = std::source_location::current()) {
  Task<T> task = internal::SpawnBranch(std::move(future), "WithTimeout", location);
  Task<void> timer =
      Timer(internal::CurrentTaskScheduler("WithTimeout", location), timeout, location);
  // Built outside the co_await: GCC 12 mishandles a braced temporary passed
  // by value to a coroutine inside one (ARCHITECTURE.md, toolchain traps).
  std::vector<internal::TaskCoreBase*> cores{internal::TaskAccess::Core(task),
                                             internal::TaskAccess::Core(timer)};
  const size_t winner = co_await internal::RaceBranches(std::move(cores));
  if constexpr (std::is_void_v<T>) {
    if (winner == 0) task.TakeResult("WithTimeout");
    co_return winner == 0;
  } else {
    if (winner != 0) co_return std::nullopt;
    co_return std::optional<T>(task.TakeResult("WithTimeout"));
  }
}

}  // namespace scheduler

#endif  // SCHEDULER_COMBINATORS_H_
