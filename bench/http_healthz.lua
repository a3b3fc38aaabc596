-- wrk script: GET /healthz over keep-alive connections, the floor of the server (a route
-- that does no work, answered on the I/O thread).
function request()
  return wrk.format("GET", "/healthz")
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    '{"bench":"http_healthz","requests":%d,"seconds":%.2f,"requests_per_s":%.0f,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non_2xx":%d}\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
