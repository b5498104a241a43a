#include "third_party/smoke/smoke_lib.h"

#include <string>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace unified_scheduler::smoke {

absl::StatusOr<int> ParsePositive(absl::string_view text) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("not an integer: '", text, "'"));
  }
  if (value <= 0) {
    return absl::OutOfRangeError(absl::StrCat("not positive: ", value));
  }
  return value;
}

void WordCounter::Add(absl::string_view word) {
  absl::MutexLock lock(&mu_);
  ++counts_[word];
}

int WordCounter::Count(absl::string_view word) const {
  absl::MutexLock lock(&mu_);
  auto it = counts_.find(word);
  return it == counts_.end() ? 0 : it->second;
}

std::string WordCounter::Summary() const {
  absl::btree_map<std::string, int> sorted;
  {
    absl::MutexLock lock(&mu_);
    sorted.insert(counts_.begin(), counts_.end());
  }
  return absl::StrJoin(sorted, ",", absl::PairFormatter("="));
}

}  // namespace unified_scheduler::smoke
