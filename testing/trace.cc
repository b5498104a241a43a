#include "testing/trace.h"

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace scheduler {
namespace {

// splitmix64's finalizer: a bijective mix with good avalanche.
uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Fold(uint64_t h, uint64_t value) { return Mix(h ^ Mix(value + 0x9e3779b97f4a7c15ULL)); }

// FNV-1a over the bytes of a C string.
uint64_t HashString(const char* s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s != '\0'; ++s) {
    h ^= static_cast<unsigned char>(*s);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// HashString memoized by pointer: a source_location's file name is a string
// literal, so steps of one task keep passing the same pointer. Caching by
// pointer cannot change the result (the value is still a hash of the bytes),
// so determinism across runs and processes is unaffected. Per thread, so no
// locking; a collision just recomputes.
uint64_t HashFileName(const char* file) {
  struct Slot {
    const char* key = nullptr;
    uint64_t hash = 0;
  };
  thread_local Slot cache[64];
  Slot& slot = cache[(reinterpret_cast<uintptr_t>(file) >> 4) % 64];
  if (slot.key != file) {
    slot.key = file;
    slot.hash = HashString(file);
  }
  return slot.hash;
}

}  // namespace

bool TraceEvent::SameAs(const TraceEvent& other) const {
  return kind == other.kind && step == other.step && task == other.task &&
         location.line() == other.location.line() && location.column() == other.location.column() &&
         std::string_view(location.file_name()) == other.location.file_name() &&
         clock == other.clock;
}

std::string DescribeEvent(const TraceEvent& event) {
  const std::string where = absl::StrCat(event.location.file_name(), ":", event.location.line(),
                                         ":", event.location.column());
  const std::string time = "+" + absl::FormatDuration(absl::FromChrono(event.clock));
  switch (event.kind) {
    case TraceEvent::Kind::kStep:
      return absl::StrCat("step ", event.step, ": task#", event.task.value(), " spawned at ", where,
                          " (", time, ")");
    case TraceEvent::Kind::kTimerFired:
      return absl::StrCat("timer of task#", event.task.value(), " spawned at ", where, " fired at ",
                          time, " after step ", event.step);
    case TraceEvent::Kind::kDrivenStep:
      return absl::StrCat("blocked future task#", event.task.value(), " (Block at ", where,
                          ") ran a step after step ", event.step, " (", time, ")");
  }
  return "unknown event";
}

void ExecutionTrace::RecordStep(uint64_t step, const TaskMetadata& task, Duration clock) {
  Record(TraceEvent{TraceEvent::Kind::kStep, step, task.id, task.location, task.label, task.session,
                    clock});
}

void ExecutionTrace::RecordTimerFired(uint64_t steps_so_far, const TaskMetadata& task,
                                      Duration clock) {
  Record(TraceEvent{TraceEvent::Kind::kTimerFired, steps_so_far, task.id, task.location, task.label,
                    task.session, clock});
}

void ExecutionTrace::RecordDrivenStep(uint64_t steps_so_far, const TaskMetadata& task,
                                      Duration clock) {
  Record(TraceEvent{TraceEvent::Kind::kDrivenStep, steps_so_far, task.id, task.location, task.label,
                    task.session, clock});
}

void ExecutionTrace::Record(TraceEvent event) {
  uint64_t h = hash_;
  h = Fold(h, static_cast<uint64_t>(event.kind));
  h = Fold(h, event.step);
  h = Fold(h, event.task.value());
  h = Fold(h, HashFileName(event.location.file_name()));
  h = Fold(h, event.location.line());
  h = Fold(h, event.location.column());
  h = Fold(h, static_cast<uint64_t>(event.clock.count()));
  hash_ = h;
  ++event_count_;
  if (keep_events_) events_.push_back(std::move(event));
}

std::optional<size_t> FirstDivergence(const std::vector<TraceEvent>& a,
                                      const std::vector<TraceEvent>& b) {
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    if (!a[i].SameAs(b[i])) return i;
  }
  if (a.size() != b.size()) return common;
  return std::nullopt;
}

}  // namespace scheduler
