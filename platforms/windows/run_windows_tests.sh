#!/usr/bin/env bash
# Cross-builds tests for Windows (bazel build --config=windows) and runs each test .exe under wine.
#
#   platforms/windows/run_windows_tests.sh                 # the default set below
#   platforms/windows/run_windows_tests.sh //platforms/windows/...   # any target patterns
#
# Default set: the Windows dispatcher's tests (its own + the contract suite), and the core's
# platform-neutral tests (//scheduler, //executor, part of //testing, the TestScheduler's contract
# run), which thereby also run on Windows. Runs setup_windows_toolchain.sh first (idempotent; installs
# with apt-get when something is missing, so it needs root then).
#
# Environment:
#   BAZEL_STARTUP_OPTS  e.g. "--output_base=/root/.cache/bazel_ob_me"
#   BAZEL_BUILD_OPTS    e.g. "--symlink_prefix=/ --config=ci"
#   TEST_TIMEOUT        seconds per test binary (default 600)
#   WINE                the wine loader (default /usr/lib/wine/wine64)
#
# Prints each binary's gtest summary, then one closing line "wine: N passed, M failed, K skipped"
# (test cases); exits non-zero if any test case failed, a binary crashed or timed out, or the build
# failed.
set -uo pipefail

cd "$(dirname "$0")/../.."
WINE="${WINE:-/usr/lib/wine/wine64}"
TEST_TIMEOUT="${TEST_TIMEOUT:-600}"
read -r -a startup <<<"${BAZEL_STARTUP_OPTS:-}"
read -r -a build_opts <<<"${BAZEL_BUILD_OPTS:-}"

if (($# > 0)); then
  patterns=("$@")
else
  # //testing/tests' other tests link testing/tests:self_exec, which is POSIX-only (popen, env,
  # /proc/self/exe), so they do not build for Windows yet.
  patterns=(
    //platforms/windows/...
    //platforms/tests/...
    //scheduler/...
    //executor/...
    //testing:all
    //testing/tests:harness_sharded_test
  )
fi

bash platforms/windows/setup_windows_toolchain.sh || exit 1

# A Linux build before the setup (tools/test.sh runs one) may have fetched the stub repositories
# that stand in for missing sources (third_party/mingw/repositories.bzl); Bazel keeps them until it
# is told to look again.
output_base="$(bazel "${startup[@]}" info output_base 2>/dev/null)"
if [[ -e "${output_base}/external/mingw_absl/missing.bzl" || -e "${output_base}/external/mingw_gtest/missing.bzl" ]]; then
  echo "=== bazel sync --configure (replacing the mingw source stubs fetched before the setup)"
  bazel "${startup[@]}" sync --configure || exit 1
fi

echo "=== bazel build --config=windows ${patterns[*]}"
if ! bazel "${startup[@]}" build --config=windows "${build_opts[@]}" -- "${patterns[@]}"; then
  echo "wine: build failed"
  exit 1
fi
bin_dir="$(bazel "${startup[@]}" info --config=windows "${build_opts[@]}" bazel-bin 2>/dev/null)"

# Every cc_test the patterns name. Those incompatible with Windows (e.g. //platforms/linux) were
# skipped by the build and have no .exe: they are listed as skipped, not run.
mapfile -t tests < <(bazel "${startup[@]}" query --noshow_progress \
  "kind('cc_test rule', set(${patterns[*]}))" 2>/dev/null | sort)

export WINEDEBUG=-all
passed=0
failed=0
skipped=0
broken=()
log_dir="$(mktemp -d)"
for label in "${tests[@]}"; do
  path="${label#//}"
  exe="${bin_dir}/${path/://}.exe"
  if [[ ! -f "${exe}" ]]; then
    echo "--- ${label}: skipped (not built for Windows)"
    continue
  fi
  log="${log_dir}/$(basename "${exe}").log"
  start=$(date +%s)
  # Windows programs end lines with CR LF; the log keeps plain LF for grep.
  timeout "${TEST_TIMEOUT}" "${WINE}" "${exe}" 2>&1 | tr -d '\r' >"${log}"
  status=${PIPESTATUS[0]}
  seconds=$(($(date +%s) - start))
  # gtest's summary: "[  PASSED  ] N tests." and "[  FAILED  ] N tests, listed below:".
  n_passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\..*/\1/p' "${log}" | tail -n 1)
  n_failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below.*/\1/p' "${log}" | tail -n 1)
  n_skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\{0,1\}, listed below.*/\1/p' "${log}" | tail -n 1)
  passed=$((passed + ${n_passed:-0}))
  skipped=$((skipped + ${n_skipped:-0}))
  failed=$((failed + ${n_failed:-0}))
  echo "--- ${label} (${seconds}s, exit ${status})"
  if ((status != 0)); then
    broken+=("${label}")
    # The failures with their messages; the whole log if gtest never got to its summary.
    if grep -q '^\[==========\]' "${log}"; then
      grep -E '^\[  FAILED  \]|Failure$|^Expected|^  Actual|^Value of|^Which is' "${log}" | head -n 200
    else
      tail -n 100 "${log}"
    fi
  fi
  grep -E '^\[==========\] [0-9]+ tests? from|^\[  (PASSED|FAILED|SKIPPED)  ?\] [0-9]+ tests?' "${log}"
done
rm -rf "${log_dir}"

if ((${#broken[@]})); then
  echo "failing binaries: ${broken[*]}"
  ((failed == 0)) && failed=${#broken[@]}  # crashed or timed out before a gtest summary
fi
echo "wine: ${passed} passed, ${failed} failed, ${skipped} skipped"
((${#broken[@]} == 0 && failed == 0))
