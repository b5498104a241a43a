// Uses an imported @unified_scheduler target through its repo-root include path.

#include <cstdio>

#include "third_party/smoke/smoke_lib.h"

int main() {
  unified_scheduler::smoke::WordCounter counter;
  counter.Add("imported");
  const absl::StatusOr<int> parsed = unified_scheduler::smoke::ParsePositive("3");
  if (!parsed.ok() || *parsed != 3 || counter.Count("imported") != 1) {
    std::fprintf(stderr, "consumer: unexpected results\n");
    return 1;
  }
  std::printf("consumer: %s\n", counter.Summary().c_str());
  return 0;
}
