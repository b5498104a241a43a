#!/bin/bash
# The worker_simulation binary's contract, as a user runs it: the default
# sweep finds the planted bug (exit 1, a failing seed with its spawn location
# and replay command), replaying that seed reproduces it, --trace_out writes
# the first failing seed's traces, and --fix_bug passes every seed (exit 0).
set -u
bin="$1"
out="${TEST_TMPDIR:-/tmp}"
fail() { echo "FAIL: $*"; exit 1; }

"$bin" --trace_out="$out/first_failure.json" >"$out/sweep.txt" 2>&1
rc=$?
cat "$out/sweep.txt"
[ "$rc" -eq 1 ] || fail "default sweep exited $rc, want 1 (bug found)"
grep -q "validated 1600 sessions in 200 seeds" "$out/sweep.txt" || fail "no summary line"
grep -q "spawned at cloud_integration/example_worker.cc:" "$out/sweep.txt" || fail "no spawn location"
replay=$(grep -m1 -o "replay: bazel run //cloud_integration:worker_simulation -- --seed=[0-9]*" "$out/sweep.txt")
[ -n "$replay" ] || fail "no replay command"
seed="${replay##*=}"
for f in first_failure.trace.json first_failure.svg first_failure.html first_failure.sessions.json; do
  [ -s "$out/$f" ] || fail "missing trace file $f"
done
grep -q "trace of seed $seed written to" "$out/sweep.txt" || fail "trace is not of the first failing seed"

"$bin" --seed="$seed" >"$out/replay.txt" 2>&1
rc=$?
cat "$out/replay.txt"
[ "$rc" -eq 1 ] || fail "replay of seed $seed exited $rc, want 1"
first_sweep=$(grep -m1 "^seed $seed: " "$out/sweep.txt")
grep -qxF "$first_sweep" "$out/replay.txt" || fail "replay does not reproduce: $first_sweep"

"$bin" --fix_bug >"$out/fixed.txt" 2>&1
rc=$?
tail -1 "$out/fixed.txt"
[ "$rc" -eq 0 ] || fail "--fix_bug exited $rc, want 0"
grep -q "200 seeds: 0 seeds failed" "$out/fixed.txt" || fail "--fix_bug summary"
echo "PASS"
