-- Attack: to-be-closed variables whose __close handlers misbehave: a
-- handler that opens another to-be-closed variable with the same
-- handler (recursion through closing), handlers that error (each error
-- replacing the last), a handler that errors while a stack overflow
-- unwinds, a non-closable value, and a handler that yields.
-- Must: errors caught by pcall, every handler run at most once per
-- variable, the coroutine ends normally; no crash.
local function closer(f) return setmetatable({}, {__close = f}) end
local function rec()
  local x <close> = closer(function() rec() end)
end
print("recursive close:", pcall(rec))
print("errors replace:", pcall(function()
  local a <close> = closer(function() error("a") end)
  local b <close> = closer(function() error("b") end)
  local c <close> = closer(function(_, e) error({e}) end)
  error("body")
end))
local function overflow() local x <close> = closer(function() error("in close") end) return 1 + overflow() end
print("close during overflow:", pcall(overflow))
print("non-closable:", pcall(function() local x <close> = {} end))
print("non-closable number:", pcall(function() local x <close> = 42 end))
local co = coroutine.wrap(function()
  local x <close> = closer(function() coroutine.yield("from close") end)
  return "body done"
end)
print("yield in close:", co(), co())
local co2 = coroutine.create(function()
  local x <close> = closer(function() error("closing") end)
  coroutine.yield()
end)
coroutine.resume(co2)
print("coroutine.close:", coroutine.close(co2))
print("close again:", coroutine.close(co2))
local co3 = coroutine.create(function()
  local x <close> = closer(function() coroutine.yield() end)
  coroutine.yield()
end)
coroutine.resume(co3)
print("yield while closing:", pcall(coroutine.close, co3))
print("for-loop closer:", pcall(function()
  for i in function(_, i) if not i then return 1 end end, nil, nil, closer(function() error("loop close") end) do
    error("loop body")
  end
end))
print("after:", 1 + 1)
