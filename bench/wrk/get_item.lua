-- GET /data/{id}, rotating over every seeded (user token, item id) pair: 100 users x 10 items.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local pairs_, i
function init(args)
  pairs_ = load_rows("pairs.tsv")
  i = (id * 7919) % #pairs_ -- threads start at different places in the list
end

function request()
  i = i % #pairs_ + 1
  local p = pairs_[i]
  return wrk.format("GET", "/data/" .. p[2], { ["Authorization"] = "Bearer " .. p[1] })
end
