-- POST /auth/login with the right password, rotating over the 100 seeded users. Also the login
-- flood of the isolation row, which is why it counts 429/503 answers.
dofile(os.getenv("LK_WRK_DIR") .. "/lib.lua")

local users, i
local password = os.getenv("LK_PASSWORD")
function init(args)
  users = load_rows("users.tsv")
  i = (id * 37) % #users
end

function request()
  i = i % #users + 1
  local body = string.format('{"email":"%s","password":"%s"}', users[i][1], password)
  return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  count_status(status)
end
