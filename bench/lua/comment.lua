-- POST a comment on a random photo (BENCH_LIST: photo ids) as a random user
-- (BENCH_TOKENS: bearer tokens).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local photos = common.read_lines(os.getenv("BENCH_LIST"))
local tokens = common.read_lines(os.getenv("BENCH_TOKENS"))
local texts = {
  '{"text":"Lovely light in this one."}',
  '{"text":"Where was this taken? The colours are great."}',
  '{"text":"Nice composition, the framing works really well here."}',
}
math.randomseed(os.time())

function request()
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }
  local path = "/api/photos/" .. photos[math.random(#photos)] .. "/comments"
  return wrk.format("POST", path, headers, texts[math.random(#texts)])
end
