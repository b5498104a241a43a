#!/usr/bin/env bash
# Builds and runs the consumer workspace in this directory, proving that @unified_scheduler's
# real components (executor, platform dispatcher, GPUI and Cloud layers, and the test harness) are
# importable with local_repository. Exits non-zero on failure.
#
# It uses its own Bazel output base (and so its own server, shut down on exit) so that it never
# disturbs the main workspace's server or cache.
set -euo pipefail

cd "$(dirname "$0")"
# One output base per checkout, so a CI clone and a developer's tree do not share state.
output_base="/tmp/unified_scheduler_import_check_$(pwd | md5sum | cut -c1-12)"
bazel_cmd=(bazel --output_base="${output_base}")
trap '"${bazel_cmd[@]}" shutdown >/dev/null 2>&1 || true' EXIT

"${bazel_cmd[@]}" build //...
"${bazel_cmd[@]}" run //:consumer
"${bazel_cmd[@]}" test --test_output=errors //:consumer_test
echo "import_check: PASSED"
