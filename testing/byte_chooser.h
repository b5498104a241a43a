// ByteChooser: takes the scheduling choices from a string of bytes, so that
// a fuzzer mutating the bytes mutates the schedule (Strategy::kFuzz).
//
//   auto chooser = std::make_shared<ByteChooser>(data, size);
//   auto scheduler = TestScheduler::Create(
//       {.seed = seed, .strategy = Strategy::kFuzz, .chooser = chooser});
//
// Each choice among n candidates (schedule_chooser.h) reads one byte b and
// picks index b % n (two bytes, little-endian, when n > 256). Index 0 is the
// non-preemptive choice, so a zero byte means "carry on" and the byte values
// a mutator tries first (0, 1, 0xff, ...) mean "carry on" and "switch"; past
// the end of the bytes every choice is 0, so an empty string is the calm,
// non-preemptive schedule and a short one decides only the first choices. The run is
// recorded like any other (record_schedule), and its Schedule replays it
// without the bytes.
//
// Thread-safety: as ScheduleChooser (one run, the driving thread).
#ifndef TESTING_BYTE_CHOOSER_H_
#define TESTING_BYTE_CHOOSER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "testing/schedule_chooser.h"

namespace scheduler {

class ByteChooser final : public ScheduleChooser {
 public:
  // Copies the bytes.
  ByteChooser(const uint8_t* data, size_t size) : bytes_(data, data + size) {}
  explicit ByteChooser(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}

  size_t Choose(const ChoicePoint& point) override;

  // Bytes read so far.
  size_t bytes_used() const { return next_; }

 private:
  uint32_t NextByte() { return next_ < bytes_.size() ? bytes_[next_++] : 0; }

  const std::vector<uint8_t> bytes_;
  size_t next_ = 0;
};

}  // namespace scheduler

#endif  // TESTING_BYTE_CHOOSER_H_
