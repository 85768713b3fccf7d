-- GET a random path per request from BENCH_LIST (one path a line), so requests spread
-- over many rows instead of hitting one cached answer.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local paths = common.read_lines(os.getenv("BENCH_LIST"))
math.randomseed(os.time())

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
