-- The ceiling: the same GET on every request, through the same hooks as the scenarios.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
