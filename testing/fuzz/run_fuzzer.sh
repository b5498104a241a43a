#!/usr/bin/env bash
# Runs the scheduler fuzzer (AFL++) for SECONDS (default 60) starting from the
# checked-in corpus, then prints the statistics. The dictionary holds the marker
# that starts an input's schedule bytes, so AFL++ mutates programs and schedules. Findings land in
# $WORK/default/crashes; once fixed, copy each into testing/fuzz/corpus/ so the
# regression test (//testing/fuzz:corpus_regression_test) keeps it fixed.
#   testing/fuzz/run_fuzzer.sh 1800
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-60}"
OUT="${OUT:-/tmp/scheduler_fuzzer}"
WORK="${WORK:-/tmp/scheduler_fuzz_work}"
OUT="${OUT}" testing/fuzz/build_fuzzer.sh
mkdir -p "${WORK}"
# No core-dump helper or CPU governor tuning on these machines: tell AFL++ not to insist.
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=1
afl-fuzz -i testing/fuzz/corpus -x testing/fuzz/schedule.dict -o "${WORK}" -V "${SECONDS_TO_RUN}" -t 2000 -m none \
  -- "${OUT}" >"${WORK}/afl.log" 2>&1 || true
stats="${WORK}/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "${stats}"
crashes=$(grep -E '^saved_crashes' "${stats}" | awk '{print $3}')
hangs=$(grep -E '^saved_hangs' "${stats}" | awk '{print $3}')
[[ "${crashes}" == "0" && "${hangs}" == "0" ]]
