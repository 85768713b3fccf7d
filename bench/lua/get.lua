-- GET a random path per request from BENCH_LIST (one path a line), so requests spread
-- over many rows instead of hitting one cached answer. BENCH_ACCEPT, when given, names a
-- file whose one line is the Accept header every request sends (images negotiate on it).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local paths = common.read_lines(os.getenv("BENCH_LIST"))
local headers = {}
if os.getenv("BENCH_ACCEPT") then
  headers["Accept"] = common.read_lines(os.getenv("BENCH_ACCEPT"))[1]
end
math.randomseed(os.time())

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
