#!/usr/bin/env bash
# Installs what `bazel build --config=windows` and run_windows_tests.sh need, using Debian's apt
# only (no other network access). Idempotent: a second run checks and does nothing.
#
#   * the mingw-w64 cross compiler (x86_64-w64-mingw32-g++-posix) and wine64 to run the tests;
#   * GoogleTest sources (/usr/src/googletest, Debian package `googletest`), built from source by
#     //third_party/mingw for the Windows target;
#   * Abseil sources: the upstream tarball of Debian's `abseil` source package (the same version as
#     libabsl-dev), unpacked to $UNIFIED_SCHEDULER_SRC/abseil-cpp, which the @mingw_absl repository
#     (third_party/mingw/repositories.bzl) points at. Fetching it needs a deb-src entry for the
#     Debian mirror already configured; this script adds one if it is missing.
#
# Must run as root (apt-get). Prints one line per step.
set -euo pipefail

SRC_ROOT="${UNIFIED_SCHEDULER_SRC:-/opt/unified_scheduler/src}"
ABSL_DIR="${SRC_ROOT}/abseil-cpp"
DEB_SRC_FILE=/etc/apt/sources.list.d/unified-scheduler-deb-src.sources
export DEBIAN_FRONTEND=noninteractive

log() { echo "setup_windows_toolchain: $*"; }

apt_updated=0
apt_update_once() {
  if [[ "${apt_updated}" == 0 ]]; then
    apt-get update -qq
    apt_updated=1
  fi
}

# --- Packages ---------------------------------------------------------------------------------
missing=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null || missing+=(g++-mingw-w64-x86-64)
[[ -x /usr/lib/wine/wine64 ]] || missing+=(wine64)
[[ -f /usr/src/googletest/googletest/src/gtest-all.cc ]] || missing+=(googletest)
# `apt-get source` unpacks with dpkg-source; we only need the download, but dpkg-dev also
# provides the tools that verify the .dsc.
command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt_update_once
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "packages present"
fi

# --- deb-src entry ----------------------------------------------------------------------------
# Mirror the configured `deb` entries (deb822 or one-line format) as `deb-src`, so the sources
# come from the same Debian mirror and suite as the binaries.
has_deb_src() {
  grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! has_deb_src; then
  log "adding ${DEB_SRC_FILE}"
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"${DEB_SRC_FILE}"
  elif [[ -f /etc/apt/sources.list ]]; then
    # One-line format: the same lines as deb-src, in a .list file.
    DEB_SRC_FILE=/etc/apt/sources.list.d/unified-scheduler-deb-src.list
    sed -n -e 's/^deb \(.*\)$/deb-src \1/p' /etc/apt/sources.list >"${DEB_SRC_FILE}"
  else
    log "no Debian apt source found to mirror as deb-src" >&2
    exit 1
  fi
  apt_updated=0
  apt_update_once
fi

# --- Abseil sources ---------------------------------------------------------------------------
if [[ -f "${ABSL_DIR}/absl/base/config.h" ]]; then
  log "abseil sources present in ${ABSL_DIR}"
else
  # The version of the installed libabsl-dev, so Linux and Windows builds use the same Abseil.
  version="$(dpkg-query -W -f='${source:Version}' libabsl-dev 2>/dev/null || true)"
  spec="abseil${version:+=${version}}"
  work="$(mktemp -d)"
  trap 'rm -rf "${work}"' EXIT
  log "fetching ${spec} with apt-get source"
  apt_update_once
  (cd "${work}" && apt-get source --download-only -qq "${spec}" >/dev/null 2>&1) ||
    (cd "${work}" && apt-get source --download-only -qq abseil >/dev/null)
  orig="$(ls "${work}"/abseil_*.orig.tar.* | head -n 1)"
  # The upstream tarball, without Debian's patches: those rename the inline namespace and adjust
  # the CMake build for Debian's shared libraries, neither of which a static mingw build wants.
  mkdir -p "${SRC_ROOT}"
  rm -rf "${ABSL_DIR}.tmp"
  mkdir -p "${ABSL_DIR}.tmp"
  tar -xf "${orig}" -C "${ABSL_DIR}.tmp" --strip-components=1
  rm -rf "${ABSL_DIR}"
  mv "${ABSL_DIR}.tmp" "${ABSL_DIR}"
  basename "${orig}" >"${ABSL_DIR}/.unified_scheduler_source"
  log "abseil sources unpacked to ${ABSL_DIR} ($(cat "${ABSL_DIR}/.unified_scheduler_source"))"
fi

log "done"
