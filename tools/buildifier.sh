#!/usr/bin/env bash
# Formats every Bazel file of the repository (BUILD, WORKSPACE, .bzl and the BUILD files of
# third_party's wrappers and shims) with buildifier, or checks that they are formatted.
#   tools/buildifier.sh           # rewrite the files in place
#   tools/buildifier.sh --check   # list the files that are not formatted; exit 1 if any (CI)
#
# buildifier comes from npm's @bazel/buildifier, pinned below, which ships the prebuilt binaries
# inside the package (nothing is downloaded at install time). It is installed once into a private
# directory outside the work tree ($BUILDIFIER_HOME, default ~/.cache/unified_scheduler/...), so a
# fresh machine needs only Node.js and npm (Debian's npm is installed if npm is missing).
#
# Only formatting is checked (-lint=off): buildifier 8's lint warnings are about Bazel 8's
# module-era rules (load cc_library from @rules_cc, ...), which do not apply to Bazel 4.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly version="8.2.1"
readonly home="${BUILDIFIER_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/unified_scheduler/buildifier-${version}}"

case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "buildifier.sh: no buildifier binary for $(uname -m)" >&2; exit 1 ;;
esac
binary="${home}/node_modules/@bazel/buildifier/buildifier-linux_${arch}"

if [[ ! -x "${binary}" ]]; then
  if ! command -v npm >/dev/null; then
    echo "buildifier.sh: installing Debian's npm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends npm
  fi
  echo "buildifier.sh: installing @bazel/buildifier@${version} into ${home}"
  mkdir -p "${home}"
  npm install --prefix "${home}" --no-save --no-audit --no-fund --loglevel=error \
    "@bazel/buildifier@${version}" >&2
fi
# (Not `| grep -q`: grep exits at the first match and, under pipefail, the SIGPIPE that
# buildifier then gets would fail the check at random.)
if [[ "$("${binary}" --version)" != *"version: ${version}"* ]]; then
  echo "buildifier.sh: ${binary} is not buildifier ${version}" >&2
  exit 1
fi

# Every Bazel file under version control; the wrappers' *.BUILD and the shims' BUILD.shim files
# are BUILD files too (buildifier tells the type from the name).
mapfile -t files < <(git ls-files -- 'WORKSPACE' 'BUILD.bazel' '*/WORKSPACE' '*/BUILD.bazel' \
  '*.bzl' '*.BUILD' '*/BUILD.shim')
if ((${#files[@]} == 0)); then
  echo "buildifier.sh: no Bazel files found (not a git checkout?)" >&2
  exit 1
fi

if [[ "${1:-}" == "--check" ]]; then
  if ! "${binary}" -mode=check -lint=off "${files[@]}"; then
    echo "buildifier.sh: the files above are not formatted; run tools/buildifier.sh" >&2
    exit 1
  fi
  echo "buildifier: ${#files[@]} files formatted"
elif [[ -z "${1:-}" ]]; then
  "${binary}" -mode=fix -lint=off "${files[@]}"
else
  echo "usage: tools/buildifier.sh [--check]" >&2
  exit 2
fi
