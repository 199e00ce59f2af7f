-- POST /auth/refresh (or LK_REFRESH_PATH, e.g. /auth/v1/token?grant_type=refresh_token with the
-- apikey LK_APIKEY) where every request presents a refresh token never presented before.
--
-- Refresh tokens are single use, and presenting a used one revokes its session, so a fixed body
-- cannot work. bench/run logs in LK_REFRESH_COUNT times before each run (one session each) and
-- writes the refresh tokens to LK_DATA/<LK_REFRESH_FILE>. Each wrk thread takes its share into a
-- pool; request() takes a token out of the pool and response() puts the new token from the
-- answer back in. A wrk connection has one request in flight at a time, so a pool that starts
-- with at least as many tokens as the thread has connections never runs dry while every answer
-- is a 200: each run walks ~64 rotation chains forward. If an answer is not a 200 its chain ends;
-- should the pool then be empty, the request goes out with an invalid token and is counted as a
-- 401 (visible in the table, never hidden).
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local pool = {}
local path = os.getenv("LK_REFRESH_PATH") or "/auth/refresh"
local headers = { ["Content-Type"] = "application/json" }
if os.getenv("LK_APIKEY") then headers["apikey"] = os.getenv("LK_APIKEY") end
function init(args)
  local nthreads = tonumber(os.getenv("LK_THREADS"))
  local k = 0
  for _, row in ipairs(load_rows(os.getenv("LK_REFRESH_FILE"))) do
    if k % nthreads == id then table.insert(pool, row[1]) end
    k = k + 1
  end
end

function request()
  local token = table.remove(pool) or "exhausted-pool"
  return wrk.format("POST", path, headers, '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  count_status(status)
  if status == 200 then
    local token = string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
    if token then table.insert(pool, token) end
  end
end
