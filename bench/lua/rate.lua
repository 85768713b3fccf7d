-- POST a rating, walking BENCH_LIST ("token_index photo_id" a line) in order: every
-- (user, photo) pair is fresh, so no request meets the one-rating-per-user 409. Past the
-- end it wraps (those 409s then show as errors) and counts `exhausted`.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local pairs_ = common.read_lines(os.getenv("BENCH_LIST"))
local tokens = common.read_lines(os.getenv("BENCH_TOKENS"))
cursor = 0 -- global: done() reports how many pairs this run used

function request()
  cursor = cursor + 1
  if cursor > #pairs_ then
    exhausted = exhausted + 1
  end
  local fields = common.split(pairs_[(cursor - 1) % #pairs_ + 1])
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[tonumber(fields[1]) + 1],
  }
  local body = string.format('{"value":%d}', cursor % 5 + 1)
  return wrk.format("POST", "/api/photos/" .. fields[2] .. "/ratings", headers, body)
end
