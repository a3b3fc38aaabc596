#!/usr/bin/env bash
# Runs every named benchmark scenario once and prints one JSON line each (see
# bench/README.md). Build first (scripts/build.sh). Figures are noisy on a 2-core
# machine: compare ratios from one run, and record them in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
b=build/bench
events=${EVENTS:-400000}
for w in 8 64; do
  $b/append_bench --writers "$w" --events "$events" --json
  $b/append_bench --writers "$w" --events "$events" --command-ids --json
  $b/append_bench --writers "$w" --inflight 1 --events "$((events / 2))" --json
done
$b/replay_bench --events 1000000 --json --keep --data /tmp/caseengine-replay-bench
$b/replay_bench --reuse --data /tmp/caseengine-replay-bench --verify --json
rm -rf /tmp/caseengine-replay-bench
$b/command_bench --writers 64 --commands "$((events / 2))" --json
$b/command_bench --writers 8 --commands "$((events / 4))" --json
$b/audit_bench --json
$b/read_bench --clients "${CLIENTS:-100000}" --json
bash bench/http_bench.sh 64 20
