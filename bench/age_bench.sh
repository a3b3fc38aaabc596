#!/usr/bin/env bash
# age_bench: how the engine's cost grows with the size of its log. For each caseload size
# (clients registered through the command path by `caseengine seed`, about 8.5 events
# each), starts `caseengine serve` on a kept folder and measures the start, memory, case
# list pages, officers' workload counts, commands, a rebuild of every read model and the
# folder's size; the load generator runs on the same 2-core machine as the server.
#
#   bash bench/age_bench.sh [sizes...]      # client counts, default: 10000 100000 1000000
#
# Environment: AGE_DIR (default /tmp/caseengine-age) keeps each seeded folder as
# $AGE_DIR/clients-N, with its key file clients-N.kek beside it, and reuses it on later
# runs (the commands scenario and the rebuild write into it); CASEENGINE (default
# build/caseengine); SECONDS_PER_LOAD (default 10); PORT (default 18180).
#
# Prints one JSON line per size, {"bench":"age","clients":N,"events":E,...}, then one
# {"bench":"age_summary",...} with the figures the engine's targets are stated in.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
age_dir=${AGE_DIR:-/tmp/caseengine-age}
bin=${CASEENGINE:-build/caseengine}
seconds=${SECONDS_PER_LOAD:-10}
port=${PORT:-18180}
connections=64
url="http://127.0.0.1:$port"
scratch=$(mktemp -d /tmp/caseengine-age-bench.XXXXXX)
server=
seeding=

# Stops the server: SIGTERM, then SIGKILL if it has not gone within 60 s.
stop_server() {
  [ -n "$server" ] || return 0
  kill "$server" 2>/dev/null || true
  for _ in $(seq 600); do
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
}
cleanup() {
  stop_server
  # A seed cut short is not kept: the next run seeds that size again.
  [ -z "$seeding" ] || rm -rf "$seeding" "$seeding.kek"
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$age_dir"
for n in "${sizes[@]}"; do
  data=$age_dir/clients-$n
  kek=$data.kek
  seed_s=null
  if [ ! -d "$data" ] || [ ! -f "$kek" ]; then
    seeding=$data.seeding
    rm -rf "$data" "$kek" "$seeding" "$seeding.kek"
    t=$(date +%s.%N)
    "$bin" seed --data "$seeding" --clients "$n" > "$scratch/seed.log"
    seed_s=$(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$t")
    mv "$seeding.kek" "$kek"
    mv "$seeding" "$data"
    seeding=
  fi
  if curl -s -o /dev/null "$url/healthz"; then
    echo "age_bench: something already answers on port $port" >&2
    exit 1
  fi

  # The start: three pollers from the same instant, every 20 ms, until GET /healthz
  # answers 200, a registration (POST /clients) is answered 2xx, and the first page of
  # the open cases answers 200.
  t0=$(date +%s.%N)
  "$bin" serve --data "$data" --key-file "$kek" --listen "127.0.0.1:$port" \
    > "$scratch/serve.log" 2>&1 &
  server=$!
  start=$(python3 - "$port" "$t0" "$server" <<'EOF'
import http.client, json, os, sys, threading, time
port, t0, pid = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
auth = {"Authorization": "Bearer demo-officer"}
found, failed = {}, []
def poll(name, method, path, body=None, headers={}):
    while time.time() - t0 < 1800 and not failed:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            if 200 <= r.status < 300:
                found[name] = (time.time() - t0, data)
                return
        except OSError:
            pass
        try:
            alive = open(f"/proc/{pid}/stat").read().split(") ")[1][0] != "Z"
        except OSError:
            alive = False
        if not alive:
            failed.append(f"the server stopped before {name}")
            return
        time.sleep(0.02)
    failed.append(f"no answer to {name}")
pollers = [
    threading.Thread(target=poll, args=("healthz", "GET", "/healthz")),
    threading.Thread(target=poll, args=(
        "command", "POST", "/clients",
        '{"surname":"Start","forenames":"Test","date_of_birth":"1990-01-01","postcode":"AB1 2CD"}',
        dict(auth, **{"Content-Type": "application/json"}))),
    threading.Thread(target=poll, args=(
        "list", "GET", "/cases?status=open&sort=-opened_on&limit=50", None, auth)),
]
for p in pollers: p.start()
for p in pollers: p.join()
if failed:
    sys.exit("age_bench: " + "; ".join(failed))
print(json.dumps({
    "start_to_healthz_s": round(found["healthz"][0], 3),
    "start_to_first_command_s": round(found["command"][0], 3),
    "start_to_first_list_s": round(found["list"][0], 3),
    "events": json.loads(found["healthz"][1])["head_position"],
}))
EOF
  )
  # Memory and CPU time of the server once it answers all three.
  rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }
  rss_after_start=$(rss_mb)
  start_cpu_s=$(python3 -c "import sys; f = open(sys.argv[1]).read().split(') ')[1].split(); print(round((int(f[11]) + int(f[12])) / int(sys.argv[2]), 2))" \
    "/proc/$server/stat" "$(getconf CLK_TCK)")

  # Case ids for the commands (as http_bench does: the first 1,000 open cases).
  curl -sf -H 'Authorization: Bearer demo-officer' -H 'Accept: text/csv' \
    "$url/cases?status=open&columns=case_id&limit=1000" | tail -n +2 | tr -d '\r' \
    > "$scratch/ids"
  # The first request of each path, one at a time: a sort order of the case list is built
  # by the first page that asks for it, which would otherwise land in the load's p99.
  slowest_first_ms() {
    local path ms slowest=0
    for path in "$@"; do
      ms=$(curl -sf -o /dev/null -w '%{time_total}' -H 'Authorization: Bearer demo-officer' \
        "$url$path")
      slowest=$(python3 -c "import sys; print(max(float(sys.argv[1]), float(sys.argv[2]) * 1000))" \
        "$slowest" "$ms")
    done
    printf '%.1f' "$slowest"
  }
  case_list_first_ms=$(slowest_first_ms "/cases?status=open&sort=-opened_on&limit=50" \
    "/cases?officer=officer&sort=surname,forenames&limit=50" \
    "/cases?strand_type=homeless_application&strand_status=open&sort=-last_activity&limit=50" \
    "/cases?team=allocations&status=open&sort=-days_open&limit=50")
  workload_first_ms=$(slowest_first_ms "/case-officers?group_by=officer&sort=-cases" \
    "/case-officers?group_by=officer&case_status=open&sort=-cases")
  load() {
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$1" "$url" "${@:2}" | tail -n 1
  }
  # Reads first, commands last: the commands add events to the kept folder.
  case_list=$(load bench/http_queries.lua)
  workload=$(LIST=workload load bench/http_queries.lua)
  commands=$(load bench/http_commands.lua -- "$scratch/ids")
  rss_after_load=$(rss_mb)
  head=$(curl -sf "$url/healthz" | python3 -c "import json, sys; print(json.load(sys.stdin)['head_position'])")
  # Each family's table files (/metrics), in bytes per event of the log.
  family_bytes=$(curl -sf -H 'Authorization: Bearer demo-admin' "$url/metrics" | python3 -c "
import json, re, sys
head = int(sys.argv[1])
out = {}
for line in sys.stdin:
    m = re.match(r'caseengine_store_family_bytes\{family=\"([^\"]+)\"\} (\d+)', line)
    if m:
        out[m.group(1)] = round(int(m.group(2)) / max(head, 1), 1)
print(json.dumps(out))" "$head")
  stop_server

  # Every read model rebuilt from the log, the server stopped.
  t=$(date +%s.%N)
  "$bin" rebuild --data "$data" --key-file "$kek" > "$scratch/rebuild.log" 2>&1
  rebuild_s=$(python3 -c "import sys, time; print(time.time() - float(sys.argv[1]))" "$t")
  disk_mb=$(du -sm "$data" | cut -f1)
  disk_bytes=$(du -sb "$data" | cut -f1)

  python3 - "$n" "$start" "$case_list" "$workload" "$commands" "$rss_after_start" \
    "$rss_after_load" "$start_cpu_s" "$head" "$rebuild_s" "$disk_mb" "$disk_bytes" \
    "$seed_s" "$case_list_first_ms" "$workload_first_ms" "$family_bytes" <<'EOF' | tee -a "$scratch/lines"
import json, sys
(n, start, case_list, workload, commands, rss_start, rss_load, start_cpu, head, rebuild_s,
 disk_mb, disk_bytes, seed_s, case_list_first, workload_first, family_bytes) = sys.argv[1:]
start, case_list, workload, commands = map(json.loads, (start, case_list, workload, commands))
events = start.pop("events")
out = {"bench": "age", "clients": int(n), "events": events}
out.update(start)
out.update({
    "start_server_cpu_s": float(start_cpu),
    "rss_after_start_mb": float(rss_start),
    "case_list_first_ms": float(case_list_first),
    "case_list_per_s": case_list["requests_per_s"],
    "case_list_p99_ms": case_list["p99_ms"],
    "case_list_non_2xx": case_list["non_2xx"],
    "workload_first_ms": float(workload_first),
    "workload_per_s": workload["requests_per_s"],
    "workload_p99_ms": workload["p99_ms"],
    "workload_non_2xx": workload["non_2xx"],
    "commands_per_s": commands["requests_per_s"],
    "commands_p99_ms": commands["p99_ms"],
    "commands_non_2xx": commands["non_2xx"],
    "rss_after_load_mb": float(rss_load),
    "rebuild_events": int(head),
    "rebuild_s": round(float(rebuild_s), 2),
    "rebuild_events_per_s": round(int(head) / float(rebuild_s)),
    "disk_mb": int(disk_mb),
    "disk_bytes_per_event": round(int(disk_bytes) / int(head)),
    "family_bytes_per_event": json.loads(family_bytes),
    "seed_s": json.loads(seed_s),
})
print(json.dumps(out), flush=True)
EOF
done

python3 - "$scratch/lines" <<'EOF'
import json, sys
rows = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["clients"])
small, large = rows[0], rows[-1]
out = {
    "bench": "age_summary",
    "smallest_clients": small["clients"],
    "largest_clients": large["clients"],
    "largest_events": large["events"],
    # target >= 0.8
    "commands_largest_vs_smallest": round(large["commands_per_s"] / max(1, small["commands_per_s"]), 3),
    "case_list_p99_ms": large["case_list_p99_ms"],            # target <= 5 ms
    "workload_p99_ms": large["workload_p99_ms"],              # target <= 20 ms
    "rebuild_events_per_s": large["rebuild_events_per_s"],    # target >= 300,000
    "start_to_first_command_s": large["start_to_first_command_s"],  # target <= 1 s
    "start_to_first_list_s": large["start_to_first_list_s"],        # target <= 1 s
}
out["targets_met"] = {
    "commands_largest_vs_smallest": out["commands_largest_vs_smallest"] >= 0.8,
    "case_list_p99_ms": out["case_list_p99_ms"] <= 5,
    "workload_p99_ms": out["workload_p99_ms"] <= 20,
    "rebuild_events_per_s": out["rebuild_events_per_s"] >= 300000,
    "start_to_first_command_s": out["start_to_first_command_s"] <= 1,
    "start_to_first_list_s": out["start_to_first_list_s"] <= 1,
}
print(json.dumps(out))
EOF
