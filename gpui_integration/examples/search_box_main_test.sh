#!/bin/sh
# End-to-end: pipe keystrokes into search_box_main (real dispatcher, real threads) and check
# what it prints. Timing-independent checks only: the final results, and that every printed
# result set matches the query it claims to be for.
set -eu
BIN="$1"
MATCH_AWK="$2"  # results_match_query.awk
OUT="${TEST_TMPDIR:-/tmp}/search_box_out.txt"

fail() {
  echo "FAIL: $*" >&2
  echo "--- output ---" >&2
  cat "$OUT" >&2
  exit 1
}

# Every "results for" / "final results for" line: each word must start with the query.
check_consistent() {
  awk -f "$MATCH_AWK" "$OUT" || fail "a result does not match its query"
}

# 1. A burst of keystrokes, then end of input: the final line is the last query's results.
printf 's\nse\nsea\n' | "$BIN" > "$OUT"
tail -n 1 "$OUT" | grep -qx 'final results for "sea": sea seal search season seat' ||
  fail "burst: wrong final results"
check_consistent

# 2. Typing with pauses longer than the debounce: intermediate searches may show (timing
#    decides how many), the final line is still exactly the last query's.
printf 's\n#pause 120\nse\n#pause 120\nsec\n' | "$BIN" > "$OUT"
tail -n 1 "$OUT" | grep -qx 'final results for "sec": second secret section secure' ||
  fail "pauses: wrong final results"
[ "$(grep -c '^final results for' "$OUT")" -eq 1 ] || fail "pauses: more than one final line"
check_consistent

# 3. A custom word list and a result limit.
WORDS="${TEST_TMPDIR:-/tmp}/words.txt"
printf 'alpha\nalps\nbeta\nalpine\n' > "$WORDS"
printf 'al\n' | "$BIN" --words="$WORDS" --max_results=2 > "$OUT"
tail -n 1 "$OUT" | grep -qx 'final results for "al": alpha alps' || fail "word list: wrong results"

# 4. Empty input: Enter on an empty field shows the first results.
: | "$BIN" --max_results=3 > "$OUT"
tail -n 1 "$OUT" | grep -qx 'final results for "": scheduler sea seal' || fail "empty input"

echo PASS
