// Parker / Unparker: the "sleep until poked" pair behind `Scheduler::Park`.
//
// A Parker belongs to one waiting thread; any number of Unparkers (copies of
// `parker.GetUnparker()`) may poke it from any thread. An unpark that arrives
// before `Park` is not lost: it is remembered as a single token, and the next
// `Park` consumes it and returns at once. Tokens do not accumulate, so a caller
// must re-check its condition after every return (as with condition variables).
#ifndef SCHEDULER_PARKER_H_
#define SCHEDULER_PARKER_H_

#include <memory>
#include <optional>

#include "scheduler/duration.h"

namespace scheduler {

namespace internal {
struct ParkState;
}  // namespace internal

// Thread-safe, copyable handle that wakes a parked thread.
class Unparker {
 public:
  Unparker() = default;  // an Unparker that does nothing
  // Leaves a token for the parker and wakes it if it is parked.
  void Unpark() const;

 private:
  friend class Parker;
  explicit Unparker(std::shared_ptr<internal::ParkState> state) : state_(std::move(state)) {}
  std::shared_ptr<internal::ParkState> state_;
};

class Parker {
 public:
  Parker();
  Parker(const Parker&) = delete;
  Parker& operator=(const Parker&) = delete;
  ~Parker();

  // Blocks until a token is available (consuming it) or `timeout` elapses.
  // Returns true if it consumed a token, false on timeout. `std::nullopt` waits
  // forever.
  bool Park(std::optional<Duration> timeout);

  // Consumes a pending token without blocking. Returns whether there was one.
  bool TryConsume();

  Unparker GetUnparker() const { return Unparker(state_); }

 private:
  std::shared_ptr<internal::ParkState> state_;
};

}  // namespace scheduler

#endif  // SCHEDULER_PARKER_H_
