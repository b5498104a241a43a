// Test helper: run this test binary again in a child process.
//
// Tests of cross-process properties (the same seed gives the same trace in
// two processes; Bazel shards split seeds; the console output of a failing
// SCHEDULER_TEST) rerun their own binary with a --gtest_filter and extra
// environment variables, and inspect its exit code and output. The child does
// not inherit the files Bazel asked the parent to write (test.xml, the
// premature-exit and shard-status files), so it cannot clobber them.
#ifndef TESTING_TESTS_SELF_EXEC_H_
#define TESTING_TESTS_SELF_EXEC_H_

#include <string>
#include <utility>
#include <vector>

namespace scheduler::testing_support {

struct ChildResult {
  int exit_code = -1;  // -1 if it did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

// Runs `/proc/self/exe --gtest_filter=<filter> <extra_args>` with `env` added
// to (or, for an empty value, removed from) this process's environment.
ChildResult RunSelf(const std::string& gtest_filter,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& extra_args = "");

// Sets (or, for nullptr, unsets) an environment variable for a scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  bool had_value_ = false;
  std::string old_value_;
};

}  // namespace scheduler::testing_support

#endif  // TESTING_TESTS_SELF_EXEC_H_
