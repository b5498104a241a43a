#include "testing/schedule.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace scheduler {

std::string Schedule::ToString() const {
  std::string out = absl::StrCat(seed, ":");
  for (size_t i = 0; i < steps.size();) {
    size_t run = 1;
    while (i + run < steps.size() && steps[i + run] == steps[i]) ++run;
    if (i > 0) out.push_back('.');
    absl::StrAppend(&out, steps[i].value());
    if (run > 1) absl::StrAppend(&out, "x", run);
    i += run;
  }
  return out;
}

absl::StatusOr<Schedule> Schedule::Parse(std::string_view std_text) {
  // Debian's Abseil has its own string_view type.
  const absl::string_view text(std_text.data(), std_text.size());
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule \"", text, "\": expected <seed>:<steps>, e.g. 17:1.2x14.1"));
  }
  Schedule schedule;
  if (!absl::SimpleAtoi(text.substr(0, colon), &schedule.seed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule \"", text, "\": the seed is not a non-negative integer"));
  }
  const absl::string_view body = text.substr(colon + 1);
  if (body.empty()) return schedule;
  // Runs beyond this are surely a typo, and would exhaust memory.
  constexpr uint64_t kMaxSteps = uint64_t{1} << 28;
  for (absl::string_view token : absl::StrSplit(body, '.')) {
    const size_t x = token.find('x');
    uint64_t id = 0;
    uint64_t count = 1;
    const bool id_ok = absl::SimpleAtoi(token.substr(0, x), &id) && id > 0;
    const bool count_ok = x == absl::string_view::npos ||
                          (absl::SimpleAtoi(token.substr(x + 1), &count) && count > 0);
    if (!id_ok || !count_ok || schedule.steps.size() + count > kMaxSteps) {
      return absl::InvalidArgumentError(absl::StrCat("schedule \"", text, "\": bad step \"", token,
                                                     "\" (want <task id> or <task id>x<count>)"));
    }
    schedule.steps.insert(schedule.steps.end(), count, TaskId(id));
  }
  return schedule;
}

}  // namespace scheduler
