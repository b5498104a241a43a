#!/usr/bin/env bash
set -euo pipefail
out="$(docs/examples/quickstart)"
echo "${out}"
[[ "${out}" == "Sum = 10" ]]
