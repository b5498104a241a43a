#!/usr/bin/env bash
# Installs what building and testing this repository needs on Debian bookworm (as root; only
# Debian's mirror is reached). Idempotent and quick when everything is already there.
#   tools/install_deps.sh            # Bazel 4, GCC, the libraries, python3, Xvfb, libdispatch
# libdispatch (Apple's GCD built for Linux, which the macOS dispatcher's tests run on) is not in
# bookworm: third_party/libdispatch/fetch_libdispatch.sh takes it from trixie's swiftlang package
# into /opt/unified_scheduler/libdispatch without touching the system's apt sources (a 424 MB
# download, about a minute, once per machine).
# The Windows cross toolchain (mingw-w64, wine, library sources) is installed by
# platforms/windows/setup_windows_toolchain.sh, which tools/test.sh --windows calls.
set -euo pipefail

# bazel-bootstrap: Bazel 4.2.3; bazel-platforms: @platforms; g++ 12 brings libasan/libtsan/
# libubsan for the sanitizer configs; the lib*-dev packages are what //third_party wraps;
# python3 renders BENCHMARKS.md's table and plot; clang-14 and clang-tidy-14 are the static checks
# of tools/test.sh --lint (clang-tidy, the thread-safety build); libx11-dev, xvfb, xdotool,
# x11-apps (xwd) and xfonts-base (the core fonts it draws with) are the X11 search box example's
# build and its test under a virtual X server (gpui_integration/examples/search_box_x11_test.sh).
packages=(
  bazel-bootstrap
  bazel-platforms
  clang-14
  clang-tidy-14
  g++
  libabsl-dev
  libbenchmark-dev
  libboost-dev
  libgflags-dev
  libgmock-dev
  libgtest-dev
  libtbb-dev
  libx11-dev
  python3
  x11-apps
  xdotool
  xfonts-base
  xvfb
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "install_deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

"$(dirname "$0")/../third_party/libdispatch/fetch_libdispatch.sh"
