// Small value types that name tasks, labels and sessions.
//
// All three are cheap to copy, totally ordered and hashable with both
// `absl::Hash` and `std::hash`, so they can key any container. None of them is
// ever zero: a zero value means "not assigned" inside the implementation.
#ifndef SCHEDULER_IDS_H_
#define SCHEDULER_IDS_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <utility>

namespace scheduler {

namespace internal {

// CRTP base for a strongly typed 64-bit id; `Tag` keeps the types distinct.
template <typename Tag>
class IdBase {
 public:
  constexpr IdBase() = default;
  constexpr explicit IdBase(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }

  friend constexpr auto operator<=>(const IdBase&, const IdBase&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const IdBase& id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  uint64_t value_ = 0;
};

}  // namespace internal

// Identifies one spawned task. Assigned by the task's scheduler at spawn time
// (`Scheduler::NextTaskId()`), so the TestScheduler hands out the same ids on
// every run of a seed.
class TaskId : public internal::IdBase<TaskId> {
 public:
  using IdBase::IdBase;
};

// A label attached to tasks spawned with `SpawnLabeled`. Production schedulers
// ignore labels; the TestScheduler can deprioritize every task with a label to
// force rare orderings. Create one per call site with `TaskLabel::New()`,
// the only public way to make one, so a label is never zero (the seeds'
// `NonZeroU64`); copies keep the value.
class TaskLabel : public internal::IdBase<TaskLabel> {
 public:
  TaskLabel() = delete;
  // Returns a process-wide unique, non-zero label. Thread-safe.
  static TaskLabel New();

 private:
  // Private: inherited constructors would keep the base's public access.
  constexpr explicit TaskLabel(uint64_t value) : IdBase(value) {}
};

// Names a foreground session: each `ForegroundExecutor` is one session, and
// the foreground tasks of one session run in FIFO order.
class SessionId : public internal::IdBase<SessionId> {
 public:
  using IdBase::IdBase;
  // Returns a process-wide unique, non-zero session id. Thread-safe.
  static SessionId New();
};

std::ostream& operator<<(std::ostream& os, TaskId id);
std::ostream& operator<<(std::ostream& os, TaskLabel label);
std::ostream& operator<<(std::ostream& os, SessionId session);

}  // namespace scheduler

template <>
struct std::hash<scheduler::TaskId> {
  size_t operator()(scheduler::TaskId id) const { return std::hash<uint64_t>()(id.value()); }
};
template <>
struct std::hash<scheduler::TaskLabel> {
  size_t operator()(scheduler::TaskLabel l) const { return std::hash<uint64_t>()(l.value()); }
};
template <>
struct std::hash<scheduler::SessionId> {
  size_t operator()(scheduler::SessionId s) const { return std::hash<uint64_t>()(s.value()); }
};

#endif  // SCHEDULER_IDS_H_
