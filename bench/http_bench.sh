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
# TLS=1 then serves the same folder over HTTPS (a config file with the demo's users and a
# self-signed P-256 certificate made here) and runs http_commands and http_healthz again
# against https:// URLs (scenarios http_tls_commands, http_tls_healthz), then the command
# mix over plain HTTP once more (http_commands_again); a last line, http_tls_summary,
# gives TLS commands/s against the mean of the two plain HTTP runs around it.
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
scheme=http
# Starts the server: the demo on plain HTTP, or with TLS=1's config over HTTPS ($1 = tls).
start() {
  if [ "${1:-}" = tls ]; then
    scheme=https
    "$bin" serve --config "$dir.json" --listen "127.0.0.1:$port" \
      ${IO_THREADS:+--io-threads $IO_THREADS} ${THREADS:+--threads $THREADS} ${SERVE_ARGS:-} \
      > /tmp/caseengine-http-bench.log 2>&1 &
  else
    scheme=http
    "$bin" serve --demo --data "$dir" --listen "127.0.0.1:$port" \
      ${IO_THREADS:+--io-threads $IO_THREADS} ${THREADS:+--threads $THREADS} ${SERVE_ARGS:-} \
      > /tmp/caseengine-http-bench.log 2>&1 &
  fi
  server=$!
  # Until the read models are loaded (lists answer 503 before), as the first scenario
  # waits for its case ids.
  for _ in $(seq 300); do
    curl -sfk -H 'Authorization: Bearer demo-officer' \
      "$scheme://127.0.0.1:$port/cases?limit=1" > /dev/null && break
    sleep 0.1
  done
}
start
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir" "$dir".{ids,before,after,json,crt,key}' EXIT
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
    "$scheme://127.0.0.1:$port" "$@" | tail -n 1)
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
if [ "${ONLY:-}" != commands ]; then
  healthz=$(measure bench/http_healthz.lua)
  echo "$healthz"
  measure bench/http_queries.lua
fi

if [ "${TLS:-}" = 1 ]; then
  kill "$server"
  wait "$server" 2>/dev/null || true
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$dir.key" -out "$dir.crt" 2> /dev/null
  # The demo's users, teams and client types (aggregates/config.cc), as a config file.
  python3 - "$dir" > "$dir.json" <<'EOF'
import hashlib, json, sys
d = sys.argv[1]
def user(name, team, permissions):
    u = {"id": name, "permissions": permissions,
         "token_sha256": hashlib.sha256(("demo-" + name).encode()).hexdigest()}
    if team:
        u["team"] = team
    return u
print(json.dumps({
    "data": d, "key_encryption_key_file": d + ".kek",
    "tls": {"certificate_file": d + ".crt", "key_file": d + ".key"},
    "teams": [{"id": "housing-options", "name": "Housing Options"},
              {"id": "allocations", "name": "Allocations"},
              {"id": "admin-team", "name": "Administration", "allows_cases": False}],
    "client_types": ["potential_client", "direct_service_client", "case_management"],
    "users": [user("admin", "housing-options", ["casework", "administer"]),
              user("officer", "housing-options", ["casework"]),
              user("supervisor", "housing-options",
                   ["casework", "delete_clients", "delete_cases", "move_strands",
                    "change_case_numbers", "send_portal_invitations"]),
              user("auditor", None, ["audit"])]}))
EOF
  start tls
  tls_commands=$(measure bench/http_commands.lua -- "$dir.ids" |
    sed 's/"http_commands"/"http_tls_commands"/')
  echo "$tls_commands"
  if [ "${ONLY:-}" != commands ]; then
    measure bench/http_healthz.lua | sed 's/"http_healthz"/"http_tls_healthz"/'
  fi
  # Plain HTTP again, on the log the TLS run grew: the TLS run is compared with the mean
  # of the runs before and after it, so that a log that grows, or a machine that gets
  # busier, does not count as the cost of TLS.
  kill "$server"
  wait "$server" 2>/dev/null || true
  start
  again=$(measure bench/http_commands.lua -- "$dir.ids" |
    sed 's/"http_commands"/"http_commands_again"/')
  echo "$again"
  python3 - "$commands" "$tls_commands" "$again" <<'EOF'
import json, sys
p, t, a = (json.loads(arg) for arg in sys.argv[1:4])
plain = (p["requests_per_s"] + a["requests_per_s"]) / 2
cpu = (p["server_cpu_us_per_request"] + a["server_cpu_us_per_request"]) / 2
print(json.dumps({"bench": "http_tls_summary",
                  "commands_per_s": [p["requests_per_s"], a["requests_per_s"]],
                  "tls_commands_per_s": t["requests_per_s"],
                  "tls_vs_plain": round(t["requests_per_s"] / max(1, plain), 3),
                  "commands_p99_ms": [p["p99_ms"], a["p99_ms"]], "tls_commands_p99_ms": t["p99_ms"],
                  "server_cpu_us_per_command": round(cpu, 1),
                  "tls_server_cpu_us_per_command": t["server_cpu_us_per_request"]}))
EOF
fi
[ "${ONLY:-}" = commands ] && exit 0
python3 - "$commands" "$healthz" <<'EOF'
import json, sys
c, h = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"bench": "http_summary",
                  "commands_per_s": c["requests_per_s"], "healthz_per_s": h["requests_per_s"],
                  "commands_vs_healthz": round(c["requests_per_s"] / max(1, h["requests_per_s"]), 3),
                  "commands_p99_ms": c["p99_ms"],
                  "server_cpu_us_per_command": c["server_cpu_us_per_request"]}))
EOF
