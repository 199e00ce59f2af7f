-- POST /data, rotating over the 100 seeded users; ~100 B of content and a small metadata object.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local users, i, n
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
  return wrk.format("POST", "/data", {
    ["Authorization"] = "Bearer " .. users[i][3],
    ["Content-Type"] = "application/json",
  }, body)
end
