-- Shared by every bench/run wrk script (loaded with dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")).
-- Gives each wrk thread an id, reads the seed files bench/run wrote into LK_DATA, counts
-- non-2xx statuses for the scripts that look at responses, and prints one machine-readable
-- BENCH line from done() that bench/run parses (wrk's own text report is kept as well).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Lines of LK_DATA/<name>, split on tabs: { {field1, field2, ...}, ... }.
function load_rows(name)
  local rows = {}
  for line in io.lines(os.getenv("LK_DATA") .. "/" .. name) do
    local row = {}
    for field in string.gmatch(line, "[^\t]+") do
      table.insert(row, field)
    end
    if #row > 0 then table.insert(rows, row) end
  end
  assert(#rows > 0, "no rows in " .. name)
  return rows
end

-- Status counters for scripts that define response(); read back per thread in done().
s401, s429, s503, s_other = 0, 0, 0, 0
function count_status(status)
  if status < 300 then return end
  if status == 401 then s401 = s401 + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status == 503 then s503 = s503 + 1
  else s_other = s_other + 1 end
end

function done(summary, latency, requests)
  local sums = { s401 = 0, s429 = 0, s503 = 0, s_other = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(sums) do sums[k] = sums[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d non2xx=%d " ..
    "connect=%d read=%d write=%d timeout=%d s401=%d s429=%d s503=%d s_other=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect, e.read, e.write, e.timeout, sums.s401, sums.s429, sums.s503, sums.s_other))
end
