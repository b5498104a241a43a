#include "testing/tests/self_exec.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace scheduler::testing_support {
namespace {

// Single-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

ChildResult RunSelf(const std::string& gtest_filter,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& extra_args) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string command = "env";
  for (const char* inherited :
       {"XML_OUTPUT_FILE", "GTEST_OUTPUT", "TEST_PREMATURE_EXIT_FILE", "TEST_SHARD_STATUS_FILE",
        "GTEST_SHARD_STATUS_FILE", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS",
        "GTEST_SHARD_INDEX", "TESTBRIDGE_TEST_ONLY"}) {
    command += std::string(" -u ") + inherited;
  }
  // env takes its -u options before any NAME=VALUE.
  for (const auto& [name, value] : env) {
    if (value.empty()) command += " -u " + name;
  }
  for (const auto& [name, value] : env) {
    if (!value.empty()) command += " " + ShellQuote(name + "=" + value);
  }
  command += " " + ShellQuote(self) + " " + ShellQuote("--gtest_filter=" + gtest_filter) + " " +
             extra_args + " 2>&1";
  ChildResult result;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

ScopedEnv::ScopedEnv(const char* name, const char* value) : name_(name) {
  if (const char* old = std::getenv(name)) {
    had_value_ = true;
    old_value_ = old;
  }
  if (value == nullptr) {
    ::unsetenv(name);
  } else {
    ::setenv(name, value, 1);
  }
}

ScopedEnv::~ScopedEnv() {
  if (had_value_) {
    ::setenv(name_.c_str(), old_value_.c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

}  // namespace scheduler::testing_support
