#!/usr/bin/env bash
# clang-tidy (.clang-tidy's checks) over the core: scheduler/, executor/, and platforms/' shared
# and Linux sources, with Bazel's compile commands (tools/compile_commands.py) rewritten for clang 14.
#   tools/clang_tidy.sh                    # every core source; exit 1 on any finding
#   tools/clang_tidy.sh scheduler/spawn.cc # only these files
# Headers are checked through the sources that include them (HeaderFilterRegex); header-only
# templates are checked where a core source instantiates them. CI runs this via tools/test.sh --lint.
set -euo pipefail
cd "$(dirname "$0")/.."

tidy="$(command -v clang-tidy-14 || command -v clang-tidy || true)"
if [[ -z "${tidy}" ]]; then
  echo "clang_tidy.sh: clang-tidy not found (tools/install_deps.sh installs clang-tidy-14)" >&2
  exit 1
fi

db="$(mktemp -d)"
trap 'rm -rf "${db}"' EXIT
tools/compile_commands.py --output="${db}/compile_commands.json" \
  //scheduler //executor //platforms:platform_dispatcher //platforms/linux:fd_source

if (($# > 0)); then
  files=("$@")
else
  # The core's production sources: no tests, benchmarks, or other OS's backends.
  mapfile -t files < <(git ls-files -- 'scheduler/*.cc' 'executor/*.cc' 'platforms/*.cc' |
    grep -vE '/(tests|benchmarks|windows|mac)/|_benchmark\.cc$')
fi

echo "clang_tidy.sh: ${#files[@]} files, $(nproc) at a time"
# xargs -P: one clang-tidy per core; --quiet keeps the "N warnings suppressed" lines out.
log="${db}/log"
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 1 "${tidy}" --quiet -p "${db}" >"${log}" 2>&1 || status=$?
grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "${log}" || true
if ((status != 0)); then
  echo "clang_tidy.sh: findings above (fix them, or NOLINT(check) with the reason)" >&2
  exit 1
fi
echo "clang_tidy: ${#files[@]} files clean"
