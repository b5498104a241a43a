#!/usr/bin/env bash
# End-to-end in a real X server: search_box_x11_main in Xvfb, typed into with xdotool (XTEST:
# real key events through the server, as a keyboard would), checked through what it reports on
# stdout (x11 main's "ready", "typed", "drawn" lines), with a screenshot of its window.
#   search_box_x11_test.sh BIN XWD_TO_PNG MATCH_AWK
# Synchronization is on the program's lines (read with a bounded timeout), never on sleeps.
# The screenshot goes to $TEST_UNDECLARED_OUTPUTS_DIR/search_box_x11.png (README: how to update
# docs/search_box_x11.png from it).
#
# Without Xvfb, xdotool, xwd (x11-apps) or python3 it skips with a message, except with CI=true
# (tools/test.sh passes CI through), where tools/install_deps.sh must have installed them.
set -euo pipefail
BIN="$1"
XWD_TO_PNG="$2"
MATCH_AWK="$3"
missing=()
for tool in Xvfb xdotool xwd python3; do
  command -v "${tool}" >/dev/null || missing+=("${tool}")
done
if ((${#missing[@]} > 0)); then
  message="not installed: ${missing[*]} (tools/install_deps.sh installs xvfb, xdotool, x11-apps)"
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: ${message}" >&2
    exit 1
  fi
  echo "SKIPPED search_box_x11_test: ${message}"
  exit 0
fi

TMP="$(mktemp -d "${TEST_TMPDIR:-/tmp}/search_box_x11.XXXXXX")"
SHOTS="${TEST_UNDECLARED_OUTPUTS_DIR:-${TMP}}"
TIMEOUT=60  # seconds for any one expected line (ASan/TSan builds on a loaded 2-core machine)
# Each search waits LATENCY_MS per character short of 8: typing KEY_DELAY_MS apart, overlapping
# searches finish newest first, which is what lets a stale result through if any check is missing.
LATENCY_MS=150
KEY_DELAY_MS=40
DEBOUNCE_MS=10

xvfb_pid=""
app_pid=""
cleanup() {
  [[ -n "${app_pid}" ]] && kill "${app_pid}" 2>/dev/null || true
  [[ -n "${xvfb_pid}" ]] && kill "${xvfb_pid}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

LOG=""  # the running app's output so far
fail() {
  echo "FAIL: $*" >&2
  if [[ -n "${LOG}" ]]; then
    echo "--- program output ---" >&2
    cat "${LOG}" >&2
    echo "--- program stderr ---" >&2
    cat "${LOG}.err" >&2
  fi
  exit 1
}

# An X server on a display number it picks itself (-displayfd: no race for a free number).
mkfifo "${TMP}/displayfd"
Xvfb -displayfd 3 -screen 0 640x400x24 -nolisten tcp 3>"${TMP}/displayfd" 2>"${TMP}/xvfb.log" &
xvfb_pid=$!
exec 3<"${TMP}/displayfd"
read -r -t "${TIMEOUT}" display <&3 || { cat "${TMP}/xvfb.log" >&2; fail "Xvfb did not start"; }
exec 3<&-
export DISPLAY=":${display}"

# start_app NAME FLAGS...: runs the example with its stdout on fd 4; its lines go to $LOG.
start_app() {
  local name="$1"
  shift
  LOG="${TMP}/${name}.log"
  : >"${LOG}"
  mkfifo "${TMP}/${name}.out"
  "${BIN}" --debounce_ms="${DEBOUNCE_MS}" --latency_ms="${LATENCY_MS}" "$@" \
    >"${TMP}/${name}.out" 2>"${LOG}.err" &
  app_pid=$!
  exec 4<"${TMP}/${name}.out"
}

# wait_for REGEX: reads the app's lines until one matches (the line is left in $line), failing
# after TIMEOUT seconds or at end of output.
wait_for() {
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    IFS= read -r -t "$((deadline - SECONDS))" line <&4 || break
    echo "${line}" >>"${LOG}"
    [[ "${line}" =~ $1 ]] && return 0
  done
  fail "no line matching /$1/ within ${TIMEOUT}s"
}

# stale_results FROM: checks the drawn lines from line FROM of $LOG on. Each drawn query is
# matched to the latest "typed" line with its text before it; a drawn query typed earlier than
# the query drawn before it is a stale result. Prints them; exit 1 if any.
stale_results() {
  awk -v from="$1" '
    NR < from { next }
    /^typed "/ { t = $0; sub(/^typed "/, "", t); sub(/"$/, "", t); typed_at[t] = NR }
    /^drawn "/ {
      q = $0; sub(/^drawn "/, "", q); sub(/".*$/, "", q)
      if (!(q in typed_at)) { print "drawn but never typed: " $0; bad = 1; next }
      if (typed_at[q] < last) { print "stale (older query after a newer one): " $0; bad = 1 }
      last = typed_at[q]
    }
    END { exit bad }' "${LOG}"
}

# race: with the field empty, types "session" fast, then clears the field (Ctrl+U). The search
# for "" waits longest of all (8 x LATENCY_MS) and starts last, so when its results are drawn
# every search the typing started has finished: a stale result would have been drawn by then.
# Leaves in $race_start the first log line of the race.
race() {
  race_start=$(($(wc -l <"${LOG}") + 1))
  xdotool type --delay "${KEY_DELAY_MS}" session
  wait_for '^drawn "session": session$'
  xdotool key ctrl+u
  wait_for '^typed ""$'
  wait_for '^drawn "": '
}

# --- The fixed SearchBox --------------------------------------------------------------------
start_app fixed
wait_for '^ready window=[0-9]+$'
window="${line#ready window=}"

# 1. Typed keys reach the window; the results for the whole query are drawn.
xdotool type --delay "${KEY_DELAY_MS}" sea
wait_for '^drawn "sea": sea seal search season seat$'
xwd -id "${window}" -silent >"${TMP}/window.xwd" || fail "xwd failed"
shot="$(python3 "${XWD_TO_PNG}" "${TMP}/window.xwd" "${SHOTS}/search_box_x11.png")" ||
  fail "screenshot conversion failed"
echo "screenshot ${shot}"
# The window's size, and more than its background: text (black, gray) and the field's frame.
[[ "${shot}" =~ :\ 480x300,\ ([0-9]+)\ colors$ ]] && ((BASH_REMATCH[1] >= 3)) ||
  fail "screenshot is not the drawn window: ${shot}"

# 2. Editing: BackSpace, then Ctrl+U clears the field; an empty query shows the first words.
xdotool key BackSpace
wait_for '^typed "se"$'
xdotool key ctrl+u
wait_for '^drawn "": scheduler sea seal search season seat second secret$'

# 3. The stale-result race stays fixed: typing fast never shows an older query's results after
#    a newer one's.
race
stale_results "${race_start}" || fail "stale results were drawn"

# 4. Escape closes the window and the program exits cleanly.
xdotool key Escape
wait_for '^closed$'
wait "${app_pid}" || fail "search_box_x11_main exited with $?"
app_pid=""
awk -f "${MATCH_AWK}" "${LOG}" || fail "a drawn result does not match its query"
exec 4<&-

# --- The check can fail: the same race on the buggy SearchBox shows stale results --------------
# Whether a given run overlaps depends on the timing of the real threads and the X server, so
# the buggy box gets up to three races to show it.
start_app buggy --stale_result_bug
wait_for '^ready window=[0-9]+$'
caught=0
for attempt in 1 2 3; do
  race
  if ! stale_results "${race_start}" >/dev/null; then
    caught=1
    echo "buggy SearchBox: stale results caught in race ${attempt}:"
    stale_results "${race_start}" || true
    break
  fi
done
((caught)) || fail "three races on the buggy SearchBox showed no stale result"
xdotool key Escape
wait_for '^closed$'
wait "${app_pid}" || fail "search_box_x11_main --stale_result_bug exited with $?"
app_pid=""

echo PASS
