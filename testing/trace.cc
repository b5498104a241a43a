#include "testing/trace.h"

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace scheduler {
namespace {

// One 64x64->128 multiply, folded: the mixing step of wyhash. Two words go in
// per multiply, so an event costs three of them instead of the fourteen
// splitmix64 finalizers it took when every field was folded separately (a
// third of a Tick's own time). Not bijective, but a collision needs a product
// of two pseudo-random words to fold to the same value, which is as unlikely
// as for any 64-bit hash; the trace hash only has to tell schedules apart.
uint64_t Mum(uint64_t a, uint64_t b) {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

// Fixed odd constants (wyhash's), so that a zero field still multiplies
// into the hash.
constexpr uint64_t kSecret0 = 0xa0761d6478bd642fULL;
constexpr uint64_t kSecret1 = 0xe7037ed1a0b428dbULL;
constexpr uint64_t kSecret2 = 0x8ebc6af09c88c6e3ULL;
constexpr uint64_t kSecret3 = 0x589965cc75374cc3ULL;

// FNV-1a over the bytes of a C string.
uint64_t HashString(const char* s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s != '\0'; ++s) {
    h ^= static_cast<unsigned char>(*s);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The hash of a spawn location (file bytes, line, column), memoized by the
// address of the file name and the line and column: a source_location's file
// name is a string literal, so the steps of one task keep passing the same
// pointer. The address is only a cache key; the value is computed from the
// bytes, so determinism across runs and processes is unaffected. Per thread,
// so no locking; a collision just recomputes.
uint64_t HashLocation(const std::source_location& location) {
  struct Slot {
    const char* file = nullptr;
    uint64_t line_column = 0;
    uint64_t hash = 0;
  };
  thread_local Slot cache[64];
  const char* file = location.file_name();
  const uint64_t line_column = (uint64_t{location.line()} << 32) | location.column();
  Slot& slot = cache[((reinterpret_cast<uintptr_t>(file) >> 4) ^ line_column) % 64];
  if (slot.file != file || slot.line_column != line_column) {
    slot.file = file;
    slot.line_column = line_column;
    slot.hash = Mum(HashString(file) ^ kSecret0, line_column ^ kSecret1);
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
  Record(TraceEvent::Kind::kStep, step, task, clock);
}

void ExecutionTrace::RecordTimerFired(uint64_t steps_so_far, const TaskMetadata& task,
                                      Duration clock) {
  Record(TraceEvent::Kind::kTimerFired, steps_so_far, task, clock);
}

void ExecutionTrace::RecordDrivenStep(uint64_t steps_so_far, const TaskMetadata& task,
                                      Duration clock) {
  Record(TraceEvent::Kind::kDrivenStep, steps_so_far, task, clock);
}

void ExecutionTrace::Record(TraceEvent::Kind kind, uint64_t step, const TaskMetadata& task,
                            Duration clock) {
  // The kind takes the step number's two top bits, which no run reaches.
  const uint64_t kind_step = (static_cast<uint64_t>(kind) << 62) ^ step;
  uint64_t h = hash_;
  h = Mum(h ^ HashLocation(task.location) ^ kSecret2, kind_step ^ kSecret3);
  h = Mum(h ^ task.id.value() ^ kSecret1, static_cast<uint64_t>(clock.count()) ^ kSecret0);
  hash_ = h;
  ++event_count_;
  if (keep_events_) {
    events_.push_back(
        TraceEvent{kind, step, task.id, task.location, task.label, task.session, clock});
  }
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
