-- PUT /data/{id}, rotating over every seeded (user token, item id) pair; changes title and content.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local pairs_, i, n
function init(args)
  pairs_ = load_rows("pairs.tsv")
  i = (id * 7919) % #pairs_
  n = 0
end

function request()
  i = i % #pairs_ + 1
  n = n + 1
  local p = pairs_[i]
  local body = string.format('{"title":"edited %d-%d","content":"edited by wrk"}', id, n)
  return wrk.format("PUT", "/data/" .. p[2], {
    ["Authorization"] = "Bearer " .. p[1],
    ["Content-Type"] = "application/json",
  }, body)
end
