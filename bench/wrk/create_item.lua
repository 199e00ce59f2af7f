-- POST /data, rotating over the 100 seeded users; ~100 B of content and a small metadata object.
-- With LK_CREATE_PATH=/rest/v1/user_data?select=*, the same row as supabase-js's
-- .insert(row).select() sends it (the anon key LK_APIKEY as apikey, return=representation).
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local users, i, n
local path = os.getenv("LK_CREATE_PATH") or "/data"
local rest = path ~= "/data"
function init(args)
  users = load_rows("users.tsv") -- email, user id, access token
  i = (id * 37) % #users
  n = 0
end

function request()
  i = i % #users + 1
  n = n + 1
  local body = string.format(
    '{"title":"bench note %d-%d","content":"%s","metadata":{"source":"wrk","n":%d}}',
    id, n, string.rep("lorem ipsum ", 8), n)
  local headers = {
    ["Authorization"] = "Bearer " .. users[i][3],
    ["Content-Type"] = "application/json",
  }
  if rest then
    headers["apikey"] = os.getenv("LK_APIKEY")
    headers["Prefer"] = "return=representation"
  end
  return wrk.format("POST", path, headers, body)
end
