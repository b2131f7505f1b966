-- Shared by every scenario: a request body chosen per request from the
-- scenario's table, and a JSON line of results at the end.
-- The runner writes `bodies` (a Lua table of strings) and `headers` into data.lua.
local threads = {}

function setup(thread)
  thread:set("failures", 0)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  counter = math.random(1, #bodies)
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", path, headers, bodies[counter])
end

function response(status, hdrs, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true)
     or string.find(body, '"code"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, "socket_errors": %d, "failed": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    failed))
end
