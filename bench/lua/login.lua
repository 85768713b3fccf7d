-- POST a JSON log-in for a random user of the pool (BENCH_LIST: "username password").
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local users = common.read_lines(os.getenv("BENCH_LIST"))
local bodies = {}
for i, line in ipairs(users) do
  local fields = common.split(line)
  bodies[i] = string.format('{"username":"%s","password":"%s"}', fields[1], fields[2])
end
local headers = { ["Content-Type"] = "application/json" }
math.randomseed(os.time())

function request()
  return wrk.format("POST", "/api/auth/login", headers, bodies[math.random(#bodies)])
end
