-- wrk script: a mix of casework commands over keep-alive connections.
-- Arguments (after --): a file of case ids, one per line. Per 10 requests:
-- 2 register a client, 4 add a note, 2 create an action, 2 assign an officer.
local ids = {}
local counter = 0
local headers = {
  ["Authorization"] = "Bearer demo-officer",
  ["Content-Type"] = "application/json",
}
local failures = 0

function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(os.time() + (args[2] and tonumber(args[2]) or 0))
end

function request()
  counter = counter + 1
  local r = counter % 10
  local id = ids[math.random(#ids)]
  if r < 2 then
    return wrk.format("POST", "/clients", headers,
      '{"surname":"Load","forenames":"Test","date_of_birth":"1990-01-01","postcode":"AB1 2CD"}')
  elseif r < 6 then
    return wrk.format("POST", "/cases/" .. id .. "/notes", headers,
      '{"text":"Called the client about the documents for the application."}')
  elseif r < 8 then
    return wrk.format("POST", "/cases/" .. id .. "/actions", headers,
      '{"title":"Check identity documents","due":"2026-12-31"}')
  else
    local roles = {"secondary", "supervisor", "other"}
    return wrk.format("POST", "/cases/" .. id .. "/officers", headers,
      '{"user_id":"supervisor","role":"' .. roles[math.random(3)] .. '"}')
  end
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    '{"bench":"http_commands","requests":%d,"seconds":%.2f,"requests_per_s":%.0f,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
