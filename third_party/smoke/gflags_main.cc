// Proves that //third_party:gflags links and parses flags.

#include <cstdio>

#include "gflags/gflags.h"

DEFINE_int32(repeat, 1, "How many times to print the greeting.");
DEFINE_string(name, "scheduler", "Who to greet.");

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Smoke test for the gflags wrapper.");
  gflags::ParseCommandLineFlags(&argc, &argv, /*remove_flags=*/true);
  for (int i = 0; i < FLAGS_repeat; ++i) std::printf("hello, %s\n", FLAGS_name.c_str());
  gflags::ShutDownCommandLineFlags();
  return 0;
}
