-- A mixed workload over the 100 seeded users: 70% GET /data/{id}, 20% POST /data,
-- 10% PUT /data/{id}; each request picks a random (user token, own item id) pair.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local pairs_, n
function init(args)
  pairs_ = load_rows("pairs.tsv")
  math.randomseed(1234 + id) -- reproducible sequence per thread
  n = 0
end

function request()
  local p = pairs_[math.random(#pairs_)]
  local auth = "Bearer " .. p[1]
  local r = math.random(100)
  n = n + 1
  if r <= 70 then
    return wrk.format("GET", "/data/" .. p[2], { ["Authorization"] = auth })
  elseif r <= 90 then
    local body = string.format('{"title":"mix %d-%d","content":"%s","metadata":{"n":%d}}',
      id, n, string.rep("lorem ipsum ", 8), n)
    return wrk.format("POST", "/data",
      { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
  else
    local body = string.format('{"title":"mix edit %d-%d"}', id, n)
    return wrk.format("PUT", "/data/" .. p[2],
      { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
  end
end
