-- GET of a fixed /rest/v1 path with one user's bearer token and the anon key as apikey.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LK_TOKEN")
wrk.headers["apikey"] = os.getenv("LK_APIKEY")
