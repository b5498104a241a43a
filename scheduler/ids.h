// Small value types that name tasks, labels and sessions.
//
// All three are cheap to copy, totally ordered and hashable with both
// `absl::Hash` and `std::hash`, so they can key any container. None of them is
// ever zero: a zero value means "not assigned" inside the implementation.
#ifndef SCHEDULER_IDS_H_
#define SCHEDULER_IDS_H_

#include <bit>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
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

// An optional id in the size of the id: `std::optional`'s interface (the
// subset that ids need), with zero, which no id ever is, meaning "none".
// `std::optional<Id>` would take twice the space, and every spawned task
// carries three of these (TaskMetadata). Converts implicitly from and to
// `std::optional<Id>`, and compares with it, with `Id` and with
// `std::nullopt`, so code written against `std::optional` keeps working.
// A value type: not thread-safe beyond that of a uint64_t.
template <typename Id>
class OptionalId {
 public:
  using value_type = Id;

  constexpr OptionalId() = default;
  constexpr OptionalId(std::nullopt_t) {}            // NOLINT(google-explicit-constructor)
  constexpr OptionalId(Id id) : id_(id) {}           // NOLINT(google-explicit-constructor)
  constexpr OptionalId(const std::optional<Id>& id)  // NOLINT(google-explicit-constructor)
      : id_(id.has_value() ? *id : kNone) {}

  constexpr operator std::optional<Id>() const {  // NOLINT(google-explicit-constructor)
    return has_value() ? std::optional<Id>(id_) : std::nullopt;
  }

  constexpr bool has_value() const { return id_.value() != 0; }
  constexpr explicit operator bool() const { return has_value(); }
  // Precondition (as for std::optional): has_value().
  constexpr const Id& operator*() const { return id_; }
  constexpr const Id* operator->() const { return &id_; }
  // Throws std::bad_optional_access when empty.
  constexpr const Id& value() const {
    if (!has_value()) throw std::bad_optional_access();
    return id_;
  }
  constexpr Id value_or(Id fallback) const { return has_value() ? id_ : fallback; }
  constexpr void reset() { id_ = kNone; }

  friend constexpr bool operator==(const OptionalId& a, const OptionalId& b) {
    return a.id_ == b.id_;
  }
  friend constexpr bool operator==(const OptionalId& a, const Id& b) {
    return a.has_value() && a.id_ == b;
  }
  friend constexpr bool operator==(const OptionalId& a, std::nullopt_t) { return !a.has_value(); }
  friend constexpr bool operator==(const OptionalId& a, const std::optional<Id>& b) {
    return a == OptionalId(b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const OptionalId& id) {
    return H::combine(std::move(h), std::optional<Id>(id));
  }

 private:
  // The empty value. bit_cast: `TaskLabel`s cannot be made from a number.
  static constexpr Id kNone = std::bit_cast<Id>(uint64_t{0});
  Id id_ = kNone;
};

std::ostream& operator<<(std::ostream& os, TaskId id);
std::ostream& operator<<(std::ostream& os, TaskLabel label);
std::ostream& operator<<(std::ostream& os, SessionId session);
// The id, or "none".
template <typename Id>
std::ostream& operator<<(std::ostream& os, const OptionalId<Id>& id) {
  return id.has_value() ? os << *id : os << "none";
}

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
