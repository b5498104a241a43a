#!/usr/bin/env bash
# Builds the AFL++ fuzzer for the scheduler fuzz driver with afl-g++ (GCC with
# AFL++'s assembler-level instrumentation) plus ASan and UBSan. The entry point
# is LLVMFuzzerTestOneInput, with afl_main.cc reading the input from stdin.
# Not libFuzzer: clang 14 lacks std::source_location, which the code uses.
# Installs afl++ if missing. Output: $OUT (default /tmp/scheduler_fuzzer).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-/tmp/scheduler_fuzzer}"

if ! command -v afl-g++ >/dev/null; then
  apt-get update && apt-get install -y --no-install-recommends afl++
fi

# The Debian Abseil libraries //third_party:absl links, in link order.
absl_libs=$(sed -n 's/^ *"\(-labsl_[a-z0-9_]*\)",$/\1/p' third_party/system_absl.BUILD | tr '\n' ' ')

# Production sources plus the TestScheduler's (no tests, benchmarks or harness).
sources=$(ls scheduler/*.cc scheduler/internal/*.cc executor/*.cc testing/*.cc \
  testing/internal/*.cc | grep -vE '_test\.cc$|benchmark|harness|_main\.cc$')

AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 afl-g++ -std=c++20 -O1 -g \
  -fno-omit-frame-pointer -I. ${sources} \
  testing/fuzz/scheduler_fuzz_driver.cc testing/fuzz/scheduler_fuzzer.cc \
  testing/fuzz/afl_main.cc ${absl_libs} -lrt -lpthread -o "${OUT}"
echo "built ${OUT}"
