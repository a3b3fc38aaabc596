#!/usr/bin/env bash
# Builds caseengine and runs it on its embedded default: RocksDB in ./data.
# Until the HTTP server lands, this demonstrates the event log: it appends sample
# registrations durably, reads a stream back and verifies the hash chain.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/caseengine log-demo --data "${CASEENGINE_DATA:-data}" "$@"
./build/casereplay verify --data "${CASEENGINE_DATA:-data}"
