#!/usr/bin/env bash
# Fetches Apple's libdispatch (GCD), as built for Linux by Debian trixie's `swiftlang` package, into
# /opt/unified_scheduler/libdispatch (or $1), for //third_party/libdispatch. Run as root; only
# Debian's mirror is reached. Idempotent: does nothing once the stamp file is there.
#
# Bookworm has no libdispatch; trixie's swiftlang ships the static archives. The system's apt
# sources are not touched: apt gets a private sources list, index directory and cache under a
# temporary directory, downloads the one .deb by name (no dependencies: only the archives and
# headers are extracted, nothing is installed), and the files we need are copied out:
#   lib/libdispatch.a, lib/libBlocksRuntime.a   (usr/libexec/swift/lib/swift_static/linux/)
#   include/dispatch/, include/os/             (usr/libexec/swift/lib/swift/)
#   VERSION                                    (the swiftlang version they came from)
set -euo pipefail

dest="${1:-/opt/unified_scheduler/libdispatch}"
if [[ -f "${dest}/VERSION" && -f "${dest}/lib/libdispatch.a" ]]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
mkdir -p "${work}/lists/partial" "${work}/cache/archives/partial" "${work}/deb"
cat >"${work}/trixie.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-trixie-stable.gpg /usr/share/keyrings/debian-archive-trixie-automatic.gpg
SOURCES

# Only trixie's main Packages index for this architecture: no translations, no Contents, no
# sources.list.d, and no status file (so installed bookworm packages play no part). No lock on
# the system's apt state is taken: nothing of it is read or written.
apt_opts=(
  -o "Dir::Etc::sourcelist=${work}/trixie.sources"
  -o "Dir::Etc::sourceparts=/nonexistent"
  -o "Dir::State::Lists=${work}/lists"
  -o "Dir::State::status=/dev/null"
  -o "Dir::Cache=${work}/cache"
  -o "Acquire::Languages=none"
  -o "APT::Architectures=$(dpkg --print-architecture)"
  -o "Debug::NoLocking=true"
  -o "APT::Sandbox::User=root"  # the private directories belong to root, not to _apt
)
start="$(date +%s)"
echo "fetch_libdispatch: apt-get update (trixie, private lists)"
apt-get "${apt_opts[@]}" -qq update
version="$(apt-cache "${apt_opts[@]}" show --no-all-versions swiftlang | sed -n 's/^Version: //p')"
echo "fetch_libdispatch: downloading swiftlang ${version}"
(cd "${work}/deb" && apt-get "${apt_opts[@]}" -qq download swiftlang)
deb="$(ls "${work}"/deb/swiftlang_*.deb)"

root=./usr/libexec/swift/lib
dpkg-deb --fsys-tarfile "${deb}" | tar -x -C "${work}" \
  "${root}/swift_static/linux/libdispatch.a" \
  "${root}/swift_static/linux/libBlocksRuntime.a" \
  "${root}/swift/dispatch" \
  "${root}/swift/os"

staging="${dest}.partial"
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
