-- wrk script: list pages over keep-alive connections, one path after another.
--   wrk ... -s bench/http_queries.lua URL                case list pages: filtered, sorted,
--                                                        50 rows (bench "http_case_list")
--   LIST=workload wrk ... -s bench/http_queries.lua URL  officers' workloads: the case
--                                                        officers list grouped by officer,
--                                                        every case then the open ones
--                                                        (bench "http_workload")
-- (An environment variable, not a script argument: wrk calls done() in a Lua state of its
-- own, which init() never saw.)
local headers = {["Authorization"] = "Bearer demo-officer"}
local sets = {
  case_list = {
    "/cases?status=open&sort=-opened_on&limit=50",
    "/cases?officer=officer&sort=surname,forenames&limit=50",
    "/cases?strand_type=homeless_application&strand_status=open&sort=-last_activity&limit=50",
    "/cases?team=allocations&status=open&sort=-days_open&limit=50",
  },
  workload = {
    "/case-officers?group_by=officer&sort=-cases",
    "/case-officers?group_by=officer&case_status=open&sort=-cases",
  },
}
local name = os.getenv("LIST") or "case_list"
local paths = sets[name]
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1], headers)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    '{"bench":"http_%s","requests":%d,"seconds":%.2f,"requests_per_s":%.0f,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non_2xx":%d}\n',
    name, summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
