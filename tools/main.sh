#!/usr/bin/env bash
# The main job: the Cloud worker simulation, run over many seeds under the TestScheduler.
# Installs dependencies first if this machine lacks them. Extra arguments go to the binary:
#   tools/main.sh                 # default seed count
#   tools/main.sh --seed=17       # replay one seed
#   tools/main.sh --real          # the same worker on the production dispatcher
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
exec bazel run //cloud_integration:worker_simulation -- "$@"
