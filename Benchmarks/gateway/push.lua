-- wrk script for `make bench`: PUTs prepared bodies (Benchmarks/gateway/bench.py bodies) to varying groups.
-- Usage: wrk -t T -c C -d D -s push.lua http://127.0.0.1:PORT -- BODY_DIR text|proto VARIANTS GROUPS T
-- Thread t (of T) pushes to groups t, t+T, t+2T, ... < GROUPS, cycling through the VARIANTS bodies, so the
-- requests in flight on one thread always go to different groups.
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

local prepared = {}
local position = 0

function init(args)
  local dir, kind = args[1], args[2]
  local variants, groups, threads = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
  local content_type = "text/plain; version=0.0.4; charset=utf-8"
  if kind == "proto" then
    content_type = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
  end
  for v = 0, variants - 1 do
    local f = assert(io.open(dir .. "/" .. kind .. "-" .. v .. ".body", "rb"))
    local body = f:read("*a")
    f:close()
    for g = tid, groups - 1, threads do
      prepared[#prepared + 1] = wrk.format("PUT", "/metrics/job/bench/instance/i" .. g,
        { ["Content-Type"] = content_type }, body)
    end
  end
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"status_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
