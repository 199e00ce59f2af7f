-- GET of a fixed URL with no extra headers (GET /health, and the nginx ceiling row).
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")
