-- Attack: coroutines resuming coroutines a hundred thousand deep (each
-- resume is a native boundary), a wrap() that calls itself, and a deep
-- chain whose innermost coroutine yields a huge number of values.
-- Must: "C stack overflow" (or a similar error) caught by pcall; no crash.
local function nest(n)
  local co = coroutine.wrap(function() return nest(n + 1) end)
  return co()
end
print("wrap chain:", pcall(nest, 0))

local function nest2(n)
  local co = coroutine.create(function() return nest2(n + 1) end)
  local ok, e = coroutine.resume(co)
  if not ok then error(e, 0) end
  return e
end
print("resume chain:", pcall(nest2, 0))

local self
self = coroutine.wrap(function() return self() end)
print("wrap itself:", pcall(self))

-- A chain of 150 coroutines; the innermost yields 10,000 values, which
-- travel through every level.
local function chain(n)
  if n == 0 then
    return coroutine.yield(table.unpack({}, 1, 10000))
  end
  local co = coroutine.wrap(function() return chain(n - 1) end)
  return co()
end
local co = coroutine.wrap(function() return chain(150) end)
print("yield through chain:", pcall(function() return select("#", co()) end))
print("after:", 1 + 1)
