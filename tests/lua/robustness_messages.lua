-- Error messages that differed from PUC Lua 5.4.8 in differential
-- fuzzing. Each expected text below is the reference interpreter's.

local function err(f, ...)
  local ok, m = pcall(f, ...)
  assert(not ok)
  return m
end

-- Drops the "chunk:line: " prefix, checking that there is one.
local function nopos(m)
  local rest = string.match(m, "^[^:]+:%d+: (.*)$")
  assert(rest, m)
  return rest
end

-- Invalid table keys: 5.4.8 says "table index is ...".
assert(nopos(err(function() local t = {} t[nil] = 1 end)) == "table index is nil")
assert(nopos(err(function() local t = {} t[0/0] = 1 end)) == "table index is NaN")
assert(err(rawset, {}, nil, 1) == "table index is nil")
assert(err(rawset, {}, 0/0, 1) == "table index is NaN")
assert(nopos(err(function() local k = nil return {[k] = 1} end)) == "table index is nil")
assert(nopos(err(function() local t = setmetatable({}, {__newindex = {}}) t[nil] = 1 end)) == "table index is nil")

-- "invalid key to 'next'" is raised by the table code, without position,
-- however `next` is reached.
assert(err(next, {}, "nokey") == "invalid key to 'next'")
assert(err(function() return next({}, "nokey") end) == "invalid key to 'next'")
assert(err(function() for k in next, {}, "x" do end end) == "invalid key to 'next'")
-- coroutine.wrap adds the position of its caller to string errors, once.
do
  local co = coroutine.wrap(function() return next({}, "nokey") end)
  assert(nopos(err(function() return co() end)) == "invalid key to 'next'")
end

-- The coroutine functions check their argument as a "thread".
assert(err(coroutine.status, 1) == "bad argument #1 to 'coroutine.status' (thread expected, got number)")
assert(err(coroutine.resume, 1) == "bad argument #1 to 'coroutine.resume' (thread expected, got number)")
assert(err(coroutine.close, 1) == "bad argument #1 to 'coroutine.close' (thread expected, got number)")

-- Names in messages are cut at the first zero byte, as the reference's C
-- strings are. (Names that are not valid UTF-8 are shown with U+FFFD
-- replacements in luna, where the reference keeps the raw bytes.)
assert(nopos(err(function() local a = 1 return a ~ "a\0b" end))
  == "attempt to perform bitwise operation on a string value (constant 'a')")
assert(nopos(err(function() local t = {} return t["a\0b"].x end)) == "attempt to index a nil value (field 'a')")
assert(nopos(err(function() return _ENV["g\0h"]() end)) == "attempt to call a nil value (global 'g')")

-- math.fmod checks its second argument first (the reference evaluates
-- the two luaL_checknumber calls right to left).
assert(err(math.fmod, {}, print) == "bad argument #2 to 'math.fmod' (number expected, got function)")
assert(err(math.fmod, "x", 1) == "bad argument #1 to 'math.fmod' (number expected, got string)")

print("OK")
