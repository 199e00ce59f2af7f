-- GET /rest/v1/user_data?id=eq.<id> as supabase-js's .eq('id', id).single() sends it, rotating
-- over every seeded (user token, item id) pair; the anon key as apikey (LK_APIKEY).
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local pairs_, i
local apikey = os.getenv("LK_APIKEY")
function init(args)
  pairs_ = load_rows("pairs.tsv")
  i = (id * 7919) % #pairs_
end

function request()
  i = i % #pairs_ + 1
  local p = pairs_[i]
  return wrk.format("GET", "/rest/v1/user_data?select=*&id=eq." .. p[2], {
    ["Authorization"] = "Bearer " .. p[1],
    ["apikey"] = apikey,
    ["Accept"] = "application/vnd.pgrst.object+json",
  })
end
