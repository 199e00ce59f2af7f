-- POST /rest/v1/user_data as supabase-js's .insert(row).select() sends it, rotating over the
-- 100 seeded users; the same row as create_item.lua.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local users, i, n
local apikey = os.getenv("LK_APIKEY")
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
  return wrk.format("POST", "/rest/v1/user_data?select=*", {
    ["Authorization"] = "Bearer " .. users[i][3],
    ["apikey"] = apikey,
    ["Content-Type"] = "application/json",
    ["Prefer"] = "return=representation",
  }, body)
end
