-- wrk script: case list pages over keep-alive connections: a filtered, sorted page of 50.
local headers = {["Authorization"] = "Bearer demo-officer"}
local paths = {
  "/cases?status=open&sort=-opened_on&limit=50",
  "/cases?officer=officer&sort=surname,forenames&limit=50",
  "/cases?strand_type=homeless_application&strand_status=open&sort=-last_activity&limit=50",
  "/cases?team=allocations&status=open&sort=-days_open&limit=50",
}
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1], headers)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    '{"bench":"http_case_list","requests":%d,"seconds":%.2f,"requests_per_s":%.0f,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non_2xx":%d}\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
