#!/usr/bin/env bash
# Builds caseengine and runs every test (ctest over Catch2). Exit status is the tests'.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
