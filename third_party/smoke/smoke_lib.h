#ifndef THIRD_PARTY_SMOKE_SMOKE_LIB_H_
#define THIRD_PARTY_SMOKE_SMOKE_LIB_H_

// A deliberately tiny library: it exists so that the smoke tests and the import check
// (third_party/import_check) have a real target of ours that depends on Abseil. It will be
// replaced by //scheduler in the import check once that exists.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace unified_scheduler::smoke {

// Parses a strictly positive decimal integer. Takes absl::string_view, not std::string_view:
// Debian builds Abseil with ABSL_OPTION_USE_STD_STRING_VIEW=0, so the two are distinct types.
absl::StatusOr<int> ParsePositive(absl::string_view text);

// Thread-safe word counter (exercises absl::Mutex and absl::flat_hash_map across threads).
class WordCounter {
 public:
  void Add(absl::string_view word) ABSL_LOCKS_EXCLUDED(mu_);
  int Count(absl::string_view word) const ABSL_LOCKS_EXCLUDED(mu_);
  // "word=count" pairs sorted by word, joined with ','.
  std::string Summary() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace unified_scheduler::smoke

#endif  // THIRD_PARTY_SMOKE_SMOKE_LIB_H_
