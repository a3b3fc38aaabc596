#!/usr/bin/env bash
# http_bench: the HTTP API under load with wrk, on keep-alive connections; the load
# generator runs on the same 2-core machine as the server.
#
#   bash bench/http_bench.sh [connections] [seconds] [clients]
#
# Seeds a scratch folder with a caseload (default 2,000 clients), starts `caseengine
# serve` on it, then runs two scenarios and prints one JSON line each:
#   http_commands   a command mix (register, note, action, officer) from `connections`
#                   connections, each waiting for its answer (wrk)
#   http_case_list  case list pages (filtered, sorted, 50 rows)
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-64}
seconds=${2:-20}
clients=${3:-2000}
dir=/tmp/caseengine-http-bench
port=${PORT:-18080}
bin=${CASEENGINE:-build/caseengine}
rm -rf "$dir"
"$bin" seed --data "$dir" --clients "$clients" > /dev/null
"$bin" serve --data "$dir" --listen "127.0.0.1:$port" ${IO_THREADS:+--io-threads $IO_THREADS} \
  ${THREADS:+--threads $THREADS} \
  > /tmp/caseengine-http-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
curl -sf -H 'Authorization: Bearer demo-officer' -H 'Accept: text/csv' \
  "http://127.0.0.1:$port/cases?status=open&columns=case_id&limit=1000" \
  | tail -n +2 | tr -d '\r' > "$dir.ids"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/http_commands.lua \
  "http://127.0.0.1:$port" -- "$dir.ids" | tail -n 1
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/http_queries.lua \
  "http://127.0.0.1:$port" | tail -n 1
rm -f "$dir.ids"
