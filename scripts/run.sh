#!/usr/bin/env bash
# Builds caseengine and runs its HTTP API on the embedded default: RocksDB in ./data
# (or $CASEENGINE_DATA). An empty folder is first seeded with a realistic demo caseload
# (2,000 clients; $CASEENGINE_SEED_CLIENTS to change), so there is something to look at.
# Listens on 127.0.0.1:8080 ($CASEENGINE_LISTEN); Ctrl-C stops it cleanly.
# The data keys in the folder are wrapped with a key-encryption key kept beside it,
# ./data.kek (made by the first seed or start, mode 0600); $CASEENGINE_KEK_FILE names
# another. Without that key nothing in the folder opens (docs/event_log.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
data="${CASEENGINE_DATA:-data}"
if [ ! -e "$data/CURRENT" ]; then
  ./build/caseengine seed --data "$data" --clients "${CASEENGINE_SEED_CLIENTS:-2000}"
fi
exec ./build/caseengine serve --demo --data "$data" "$@"
