#include "testing/trace.h"

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace scheduler {
namespace {

// One 64x64->128 multiply, folded: the mixing step of wyhash. Two words go in
// per multiply; an event packs its fields into two words, so it costs one
// (plus one per new spawn location). Not bijective, but a collision needs a
// product of two pseudo-random words to fold to the same value, which is as
// unlikely as for any 64-bit hash; the trace hash only has to tell schedules
// apart.
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

uint64_t RotateLeft32(uint64_t x) { return (x << 32) | (x >> 32); }

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

// Inline into Record, with the rare miss and the optional event log out of
// line: a step's record is then one lookup, one multiply and no register
// spills (it was a third of a step's own instructions).
inline uint64_t ExecutionTrace::LocationHash(const std::source_location& location) {
  const char* file = location.file_name();
  const uint64_t line_column = (uint64_t{location.line()} << 32) | location.column();
  LocationSlot& slot =
      locations_[((reinterpret_cast<uintptr_t>(file) >> 4) ^ line_column) % kLocationSlots];
  if (slot.file != file || slot.line_column != line_column) [[unlikely]] {
    FillSlot(slot, file, line_column);
  }
  return slot.hash;
}

void ExecutionTrace::FillSlot(LocationSlot& slot, const char* file, uint64_t line_column) {
  slot.file = file;
  slot.line_column = line_column;
  slot.hash = Mum(HashString(file) ^ kSecret0, line_column ^ kSecret1);
}

void ExecutionTrace::Record(TraceEvent::Kind kind, uint64_t step, const TaskMetadata& task,
                            Duration clock) {
  // Two words per event, one multiply. The location hash is pseudo-random, so
  // the clock can share its word; the kind takes the step number's two top
  // bits and the task id the top half of the other bits (rotated, so its low
  // bits come first): distinct as long as steps stay below 2^32 and ids below
  // 2^30, and beyond that only as likely to collide as any 64-bit hash.
  const uint64_t kind_step = (static_cast<uint64_t>(kind) << 62) ^ step;
  hash_ = Mum(hash_ ^ LocationHash(task.location) ^ static_cast<uint64_t>(clock.count()) ^ kSecret2,
              kind_step ^ RotateLeft32(task.id.value()) ^ kSecret3);
  ++event_count_;
  if (keep_events_) [[unlikely]]
    KeepEvent(kind, step, task, clock);
}

void ExecutionTrace::KeepEvent(TraceEvent::Kind kind, uint64_t step, const TaskMetadata& task,
                               Duration clock) {
  events_.push_back(
      TraceEvent{kind, step, task.id, task.location, task.label, task.session, clock});
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
