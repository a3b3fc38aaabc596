-- wrk script: officers' workload counts over keep-alive connections: the case officers
-- list grouped by officer, every case then the open ones only, most cases first,
-- alternately. Each request counts over every assignment of the caseload.
local headers = {["Authorization"] = "Bearer demo-officer"}
local paths = {
  "/case-officers?group_by=officer&sort=-cases",
  "/case-officers?group_by=officer&case_status=open&sort=-cases",
}
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1], headers)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    '{"bench":"http_workload","requests":%d,"seconds":%.2f,"requests_per_s":%.0f,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non_2xx":%d}\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
