#!/usr/bin/env bash
# The test command: every test, plus the layering and importability checks.
#   tools/test.sh               # bazel test //... + checks
#   tools/test.sh --sanitizers  # ... and again under --config=asan_ubsan (ASan and UBSan in one
#                               #     build) and --config=tsan
#   tools/test.sh --windows     # ... and the mingw-w64 cross build, tests run under wine
#   tools/test.sh --lint        # ... and the static checks: buildifier (BUILD files formatted),
#                               #     clang-tidy over the core, the clang thread-safety build
#   tools/test.sh --all         # everything (what CI runs)
# Installs dependencies first if this machine lacks them. Ends with one line
# "ci: N passed, N failed, N skipped" summing every suite; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=0
windows=0
lint=0
for arg in "$@"; do
  case "${arg}" in
    --sanitizers) sanitizers=1 ;;
    --windows) windows=1 ;;
    --lint) lint=1 ;;
    --all) sanitizers=1 windows=1 lint=1 ;;
    *) echo "usage: tools/test.sh [--sanitizers] [--windows] [--lint] [--all]" >&2; exit 2 ;;
  esac
done

tools/install_deps.sh

total_passed=0
total_failed=0
total_skipped=0
status=0

started_at="${SECONDS}"
count() {  # count NAME PASSED FAILED SKIPPED RC
  echo "=== $1: $2 passed, $3 failed, $4 skipped (exit $5) [$((SECONDS - started_at)) s since start]"
  total_passed=$((total_passed + $2))
  total_failed=$((total_failed + $3))
  total_skipped=$((total_skipped + $4))
  if [[ "$5" -ne 0 || "$3" -ne 0 ]]; then status=1; fi
}

# run_tests NAME BAZEL_TEST_ARGS...: one `bazel test`, its per-target results added to the
# totals. A build failure counts as a failure even if no test line says so.
run_tests() {
  local name="$1"
  shift
  local log rc=0
  log="$(mktemp)"
  echo "=== ${name}: bazel test $*"
  bazel test --config=ci "$@" 2>&1 | tee "${log}" || rc=$?
  local passed failed skipped
  passed="$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "${log}" || true)"
  failed="$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|INCOMPLETE|FLAKY)' "${log}" || true)"
  skipped="$(grep -cE '^//[^ ]+ +SKIPPED' "${log}" || true)"
  if [[ "${rc}" -ne 0 && "${failed}" -eq 0 ]]; then failed=1; fi
  count "${name}" "${passed}" "${failed}" "${skipped}" "${rc}"
  rm -f "${log}"
}

# check NAME COMMAND...: a check that passes when the command succeeds.
check() {
  local name="$1"
  shift
  echo "=== ${name}"
  if "$@"; then count "${name}" 1 0 0 0; else count "${name}" 0 1 0 1; fi
}

run_tests "tests" //...

# Layering: production targets never reach the TestScheduler.
no_path_to_testing() {
  local from out
  for from in //scheduler //scheduler:sync //executor //platforms:platform_dispatcher \
      //gpui_integration/... //cloud_integration/...; do
    out="$(bazel query --noshow_progress \
      "somepath(set(${from}) except attr(testonly, 1, set(${from})), //testing/...)" 2>/dev/null)"
    if [[ -n "${out}" ]]; then
      echo "layering violation: ${from} reaches //testing:"
      echo "${out}"
      return 1
    fi
  done
  echo "no production target depends on //testing"
}
check "layering" no_path_to_testing

# Importability: a separate consumer workspace builds our targets via local_repository.
check "import_check" third_party/import_check/check.sh

# What --config=clang_tsa builds: every library with lock annotations (no tests: the check is the
# compile).
clang_tsa_targets="//scheduler //executor //platforms:platform_dispatcher //platforms/linux:fd_source \
  //testing:test_scheduler \
  //gpui_integration //cloud_integration:simulated_execution_context \
  //cloud_integration:session_trace //cloud_integration:worker_runtime"

if ((lint)); then
  check "buildifier" tools/buildifier.sh --check
  check "clang_tidy" tools/clang_tidy.sh
  # The core built with clang: -Wthread-safety checks the Abseil lock annotations (.bazelrc).
  check "clang_tsa" bazel build --config=ci --config=clang_tsa ${clang_tsa_targets}
fi

if ((sanitizers)); then
  # Only what the tests need (--build_tests_only): the plain run above already builds every
  # binary (benchmarks, examples), and the sanitizer builds of the benchmarks' Asio and oneTBB
  # code would cost CI minutes without running anything.
  run_tests "asan_ubsan" --config=asan_ubsan --build_tests_only //...
  run_tests "tsan" --config=tsan --build_tests_only //...
fi

if ((windows)); then
  log="$(mktemp)"
  rc=0
  platforms/windows/run_windows_tests.sh 2>&1 | tee "${log}" || rc=$?
  line="$(grep -E '^wine: [0-9]+ passed, [0-9]+ failed' "${log}" | tail -n 1 || true)"
  wp="$(sed -E 's/^wine: ([0-9]+) passed.*/\1/' <<<"${line:-wine: 0 passed, 1 failed}")"
  wf="$(sed -E 's/^wine: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"${line:-wine: 0 passed, 1 failed}")"
  count "windows" "${wp}" "${wf}" 0 "${rc}"
  rm -f "${log}"
fi

echo "ci: ${total_passed} passed, ${total_failed} failed, ${total_skipped} skipped"
exit "${status}"
