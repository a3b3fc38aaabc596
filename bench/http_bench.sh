#!/usr/bin/env bash
# http_bench: the HTTP API under load with wrk, on keep-alive connections; the load
# generator runs on the same 2-core machine as the server.
#
#   bash bench/http_bench.sh [connections] [seconds] [clients]
#
# Seeds a scratch folder with a caseload (default 2,000 clients), starts `caseengine
# serve` on it, then runs three scenarios and prints one JSON line each:
#   http_commands   a command mix (register, note, action, officer) from `connections`
#                   connections, each waiting for its answer (wrk)
#   http_healthz    GET /healthz, the floor: a route that does no work
#   http_case_list  case list pages (filtered, sorted, 50 rows)
# Each line adds the server's CPU time per request (all its threads, user and kernel,
# from /proc), that time by thread name and the server threads' context switches per
# request; a last line, http_summary, gives commands/s against healthz/s of the same run.
# ONLY=commands runs the first scenario alone; SERVE_ARGS adds flags to `caseengine serve`
# (such as "--log-level warn", which leaves out the request log's lines).
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
"$bin" serve --demo --data "$dir" --listen "127.0.0.1:$port" ${IO_THREADS:+--io-threads $IO_THREADS} \
  ${THREADS:+--threads $THREADS} ${SERVE_ARGS:-} \
  > /tmp/caseengine-http-bench.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir" "$dir".{ids,before,after}' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
  sleep 0.1
done
curl -sf -H 'Authorization: Bearer demo-officer' -H 'Accept: text/csv' \
  "http://127.0.0.1:$port/cases?status=open&columns=case_id&limit=1000" \
  | tail -n +2 | tr -d '\r' > "$dir.ids"

# The server's threads: "name ticks switches" lines (CPU ticks: utime + stime, fields 14
# and 15 of stat; context switches, voluntary and not, from status).
snapshot() {
  local task line name switches
  for task in /proc/"$server"/task/*; do
    line=$(cat "$task/stat" 2>/dev/null) || continue
    name=${line#*\(}
    name=${name%%\)*}
    set -- ${line##*\) }
    switches=$(awk '/ctxt_switches/ { n += $2 } END { print n + 0 }' "$task/status" 2>/dev/null)
    echo "${name// /_} $((${12} + ${13})) ${switches:-0}"
  done
}

# Runs wrk with a script; prints its JSON line with the server's CPU per request added.
measure() {
  local script=$1
  shift
  snapshot > "$dir.before"
  local line
  line=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" \
    "http://127.0.0.1:$port" "$@" | tail -n 1)
  snapshot > "$dir.after"
  python3 - "$dir.before" "$dir.after" "$line" "$(getconf CLK_TCK)" <<'EOF'
import collections, json, sys
def read(path):
    ticks, switches = collections.Counter(), collections.Counter()
    for row in open(path):
        name, n, s = row.split()
        ticks[name] += int(n)
        switches[name] += int(s)
    return ticks, switches
(before, switched_before), (after, switched_after) = read(sys.argv[1]), read(sys.argv[2])
result = json.loads(sys.argv[3])
tick_us = 1e6 / int(sys.argv[4])
requests = max(1, result["requests"])
spent = {k: (after[k] - before.get(k, 0)) * tick_us / requests for k in after}
result["server_cpu_us_per_request"] = round(sum(spent.values()), 1)
result["server_cpu_us_by_thread"] = {
    k: round(v, 1) for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v >= 0.05}
# Every time a thread of the server stopped running (it waited, or was preempted).
result["server_switches_per_request"] = round(
    sum(switched_after[k] - switched_before.get(k, 0) for k in switched_after) / requests, 2)
print(json.dumps(result))
EOF
}

commands=$(measure bench/http_commands.lua -- "$dir.ids")
echo "$commands"
[ "${ONLY:-}" = commands ] && exit 0
healthz=$(measure bench/http_healthz.lua)
echo "$healthz"
measure bench/http_queries.lua
python3 - "$commands" "$healthz" <<'EOF'
import json, sys
c, h = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"bench": "http_summary",
                  "commands_per_s": c["requests_per_s"], "healthz_per_s": h["requests_per_s"],
                  "commands_vs_healthz": round(c["requests_per_s"] / max(1, h["requests_per_s"]), 3),
                  "commands_p99_ms": c["p99_ms"],
                  "server_cpu_us_per_command": c["server_cpu_us_per_request"]}))
EOF
