-- Debug-library calls with out-of-range levels and indices must return
-- nil or raise an error, never panic (checked builds included).

local co = coroutine.create(function(a, b, ...) local x, y = 1, 2 coroutine.yield() end)
coroutine.resume(co, 10, 20, 30, 40)

-- Local index 0 of a suspended coroutine's frame (a checked build
-- underflowed counting the active locals).
assert(debug.getlocal(co, 1, 0) == nil)
assert(debug.setlocal(co, 1, 0, "v") == nil)
assert(debug.getlocal(1, 0) == nil)
assert(debug.getlocal(function(a) end, 0) == nil)

for _, lvl in ipairs{-1, 0, 1, 2, 100, math.maxinteger} do
  for _, idx in ipairs{-3, -1, 0, 1, 2, 3, 100, math.mininteger, math.maxinteger} do
    pcall(debug.getlocal, co, lvl, idx)
    pcall(debug.setlocal, co, lvl, idx, "v")
    pcall(debug.getlocal, lvl, idx)
  end
end

local up1, up2 = 1, 2
local function g() return up1 + up2 end
for _, i in ipairs{-1, 0, 1, 2, 3, 256, math.maxinteger, math.mininteger} do
  pcall(debug.getupvalue, g, i)
  pcall(debug.getupvalue, print, i)
  pcall(debug.setupvalue, string.gmatch("a", "a"), i, 5)
  pcall(debug.upvalueid, g, i)
  pcall(debug.upvaluejoin, g, i, g, 1)
  pcall(debug.upvaluejoin, g, 1, print, i)
end
assert(math.type(g()) == "integer")

for _, l in ipairs{-1, 0, 1, 2, 50, math.maxinteger} do
  pcall(debug.getinfo, l)
  pcall(debug.getinfo, co, l)
  pcall(debug.traceback, co, "m", l)
end

assert(coroutine.close(co))
assert(not pcall(debug.getlocal, co, 1, 1))
print("OK")
