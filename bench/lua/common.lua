-- Shared by every scenario: status counting and a machine-readable summary.
-- response() counts each status so that run.py can tell expected from unexpected
-- codes; done() prints one line starting with "BENCH_JSON " that run.py parses.
local M = {}

function M.read_lines(path)
  local lines = {}
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in file:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  file:close()
  assert(#lines > 0, "empty list file " .. path)
  return lines
end

function M.split(line)
  local fields = {}
  for field in line:gmatch("%S+") do fields[#fields + 1] = field end
  return fields
end

-- Thread-local counters, read back in done() through thread:get().
statuses = {}
exhausted = 0
cursor = 0

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local counts, out_of_items, used = {}, 0, 0
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do
      counts[code] = (counts[code] or 0) + n
    end
    out_of_items = out_of_items + (thread:get("exhausted") or 0)
    used = used + (thread:get("cursor") or 0)
  end
  local parts = {}
  for code, n in pairs(counts) do parts[#parts + 1] = string.format('"%s":%d', code, n) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},'
      .. '"statuses":{%s},"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"status_errors":%d,"exhausted":%d,"cursor":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    table.concat(parts, ","), e.connect, e.read, e.write, e.timeout, e.status, out_of_items, used))
end

return M
