-- GET of a fixed path with one user's bearer token (GET /auth/me, GET /data?limit=20).
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("LK_TOKEN")
