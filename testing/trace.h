// ExecutionTrace: what one TestScheduler run did, step by step.
//
// The TestScheduler records an event for every step it runs, every timer it
// fires and every step of a blocked future (which runs outside its queue).
// The running hash covers, per event, its kind, the step number, the task id,
// the task's spawn location (file, line, column) and the fake time; it folds
// them with our own mixing function (no std::hash or absl::Hash, which may
// differ between runs or builds, and never an address; one multiply per
// event), so equal hashes mean equal schedules, within a process or across
// processes of one binary. Label and session ids are process-wide counters, so
// they are recorded for display but left out of the hash and of event
// equality.
//
// Keeping the events themselves is optional (memory grows with the run); the
// hash is always kept. Export for viewing: trace_export.h.
//
// Not thread-safe: it belongs to the thread driving the TestScheduler.
#ifndef TESTING_TRACE_H_
#define TESTING_TRACE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include "scheduler/duration.h"
#include "scheduler/ids.h"
#include "scheduler/task_metadata.h"

namespace scheduler {

struct TraceEvent {
  enum class Kind : uint8_t {
    kStep,        // the task ran one step
    kTimerFired,  // the task's timer came due; its runnable was queued
    // The future given to Block / BlockWithTimeout ran one step outside the
    // queue (task: the future's own task, location: the Block call site).
    kDrivenStep,
  };
  Kind kind = Kind::kStep;
  // kStep: this step's number (1-based). Other kinds: steps run before it.
  uint64_t step = 0;
  TaskId task;
  std::source_location location;  // where the task was spawned
  std::optional<TaskLabel> label;
  std::optional<SessionId> session;
  Duration clock{0};  // fake time since the scheduler was created

  // Equal in everything the hash covers.
  bool SameAs(const TraceEvent& other) const;
};

// "step 12: task#3 spawned at a.cc:10:5 (+20ms)" and similar.
std::string DescribeEvent(const TraceEvent& event);

class ExecutionTrace {
 public:
  explicit ExecutionTrace(bool keep_events = false) : keep_events_(keep_events) {}

  void RecordStep(uint64_t step, const TaskMetadata& task, Duration clock) {
    Record(TraceEvent::Kind::kStep, step, task, clock);
  }
  void RecordTimerFired(uint64_t steps_so_far, const TaskMetadata& task, Duration clock) {
    Record(TraceEvent::Kind::kTimerFired, steps_so_far, task, clock);
  }
  void RecordDrivenStep(uint64_t steps_so_far, const TaskMetadata& task, Duration clock) {
    Record(TraceEvent::Kind::kDrivenStep, steps_so_far, task, clock);
  }

  uint64_t hash() const { return hash_; }
  uint64_t event_count() const { return event_count_; }
  bool keeps_events() const { return keep_events_; }
  // Empty unless constructed with keep_events.
  const std::vector<TraceEvent>& events() const { return events_; }

 private:
  void Record(TraceEvent::Kind kind, uint64_t step, const TaskMetadata& task, Duration clock);

  // Spawn-location hashes keyed by the file name's address, line and column
  // (a task's steps keep passing the same literal). The address is only a
  // cache key, never hashed; a collision just recomputes.
  struct LocationSlot {
    const char* file = nullptr;
    uint64_t line_column = 0;
    uint64_t hash = 0;
  };
  static constexpr size_t kLocationSlots = 64;
  // The hash of a spawn location, from its bytes; memoized in locations_.
  uint64_t LocationHash(const std::source_location& location);
  static void FillSlot(LocationSlot& slot, const char* file, uint64_t line_column);
  void KeepEvent(TraceEvent::Kind kind, uint64_t step, const TaskMetadata& task, Duration clock);

  bool keep_events_;
  uint64_t hash_ = 0x243f6a8885a308d3ULL;  // any fixed start
  uint64_t event_count_ = 0;
  std::vector<TraceEvent> events_;
  std::array<LocationSlot, kLocationSlots> locations_{};
};

// The index of the first event where `a` and `b` differ (including one being a
// prefix of the other), or nullopt if they are the same.
std::optional<size_t> FirstDivergence(const std::vector<TraceEvent>& a,
                                      const std::vector<TraceEvent>& b);

}  // namespace scheduler

#endif  // TESTING_TRACE_H_
