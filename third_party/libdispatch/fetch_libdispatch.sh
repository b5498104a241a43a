#!/usr/bin/env bash
# Fetches Apple's libdispatch (GCD), as built for Linux by Debian trixie's `swiftlang` package, into
# /opt/unified_scheduler/libdispatch (or $1), for @libdispatch (//third_party/libdispatch). Run as
# root; only Debian's mirror is reached. Idempotent: downloads only when the archives are missing,
# relinks the shared library only when it is missing or glibc_2_38_shim.c changed.
#
# Bookworm has no libdispatch; trixie's swiftlang ships the static archives. The system's apt
# sources are not touched: apt gets a private sources list, index directory and cache under a
# temporary directory, downloads the one .deb by name (424 MB; no dependencies: only the archives
# and headers are extracted, nothing is installed), and the files we need are copied out:
#   lib/libdispatch.a, lib/libBlocksRuntime.a   (usr/libexec/swift/lib/swift_static/linux/)
#   include/dispatch/, include/os/             (usr/libexec/swift/lib/swift/)
#   VERSION                                    (the swiftlang version they came from)
# Then both archives and glibc_2_38_shim.c are linked into lib/libdispatch.so, what Bazel links:
# a separate, uninstrumented module is what ThreadSanitizer can be told to ignore (see BUILD.bazel).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-/opt/unified_scheduler/libdispatch}"

fetch() {
  # Trixie's Release file is signed with the trixie archive keys, which bookworm's
  # debian-archive-keyring has since 2023.3+deb12u2 (a bookworm point release, April 2025).
  local keys=/usr/share/keyrings/debian-archive-trixie
  if [[ ! -f "${keys}-stable.gpg" ]]; then
    echo "fetch_libdispatch: upgrading debian-archive-keyring for trixie's keys"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --only-upgrade debian-archive-keyring
  fi
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "${work}"' RETURN
  mkdir -p "${work}/lists/partial" "${work}/cache/archives/partial" "${work}/deb"
  cat >"${work}/trixie.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: ${keys}-stable.gpg ${keys}-automatic.gpg
SOURCES

  # Only trixie's main Packages index for this architecture: no translations, no Contents, no
  # sources.list.d, and no status file (so installed bookworm packages play no part). No lock on
  # the system's apt state is taken: nothing of it is read or written.
  local apt_opts=(
    -o "Dir::Etc::sourcelist=${work}/trixie.sources"
    -o "Dir::Etc::sourceparts=/nonexistent"
    -o "Dir::State::Lists=${work}/lists"
    -o "Dir::State::status=/dev/null"
    -o "Dir::Cache=${work}/cache"
    -o "Acquire::Languages=none"
    -o "APT::Architectures=$(dpkg --print-architecture)"
    -o "Debug::NoLocking=true"
    -o "APT::Sandbox::User=root" # the private directories belong to root, not to _apt
  )
  local start version deb
  start="$(date +%s)"
  echo "fetch_libdispatch: apt-get update (trixie, private lists)"
  apt-get "${apt_opts[@]}" -qq update
  version="$(apt-cache "${apt_opts[@]}" show --no-all-versions swiftlang | sed -n 's/^Version: //p')"
  echo "fetch_libdispatch: downloading swiftlang ${version}"
  (cd "${work}/deb" && apt-get "${apt_opts[@]}" -qq download swiftlang)
  deb="$(ls "${work}"/deb/swiftlang_*.deb)"

  local root=./usr/libexec/swift/lib
  dpkg-deb --fsys-tarfile "${deb}" | tar -x -C "${work}" \
    "${root}/swift_static/linux/libdispatch.a" \
    "${root}/swift_static/linux/libBlocksRuntime.a" \
    "${root}/swift/dispatch" \
    "${root}/swift/os"

  local staging="${dest}.partial"
  rm -rf "${staging}"
  mkdir -p "${staging}/lib" "${staging}/include"
  cp "${work}/${root}/swift_static/linux/libdispatch.a" \
    "${work}/${root}/swift_static/linux/libBlocksRuntime.a" "${staging}/lib/"
  cp -r "${work}/${root}/swift/dispatch" "${work}/${root}/swift/os" "${staging}/include/"
  echo "swiftlang ${version}" >"${staging}/VERSION"
  rm -rf "${dest}"
  mv "${staging}" "${dest}"
  echo "fetch_libdispatch: ${dest} from swiftlang ${version} ($(du -h "${deb}" | cut -f1) .deb," \
    "$(($(date +%s) - start)) s)"
}

link() {
  local shim="${here}/glibc_2_38_shim.c" stamp="${dest}/lib/libdispatch.so.shim-sha256"
  local sum
  sum="$(sha256sum "${shim}" | cut -d' ' -f1)"
  if [[ -f "${dest}/lib/libdispatch.so" && "$(cat "${stamp}" 2>/dev/null)" == "${sum}" ]]; then
    return
  fi
  local work
  work="$(mktemp -d)"
  trap 'rm -rf "${work}"' RETURN
  gcc -std=c11 -O2 -fPIC -Wall -Wextra -Werror -c "${shim}" -o "${work}/shim.o"
  # -z defs: every symbol the archives need must be found now (in the shim or glibc), not at
  # a test's start.
  gcc -shared -o "${work}/libdispatch.so" -Wl,-soname,libdispatch.so -Wl,-z,defs \
    -Wl,--whole-archive "${dest}/lib/libdispatch.a" "${dest}/lib/libBlocksRuntime.a" \
    -Wl,--no-whole-archive "${work}/shim.o" -pthread
  mv "${work}/libdispatch.so" "${dest}/lib/libdispatch.so"
  echo "${sum}" >"${stamp}"
  echo "fetch_libdispatch: linked ${dest}/lib/libdispatch.so"
}

if [[ ! -f "${dest}/VERSION" || ! -f "${dest}/lib/libdispatch.a" ]]; then
  fetch
fi
link
