-- Attack: finalizers that misbehave: errors (with error objects whose
-- __tostring errors too), resurrection with a new finalizer every time,
-- collectgarbage() and yields inside finalizers, a non-function __gc, a
-- finalizer that makes ten new finalizable objects, and finalizers left
-- for the state's close.
-- Must: errors become warnings (or are ignored); every cycle ends; the
-- state closes; no crash. Finalizers still pending at exit run then.
local function fin(f) return setmetatable({}, {__gc = f}) end
for i = 1, 100 do fin(function() error("in __gc") end) end
for i = 1, 100 do fin(function() error(setmetatable({}, {__tostring = function() error("tostring") end})) end) end
collectgarbage()
local revived = 0
local function again(o)
  revived = revived + 1
  if revived < 1000 then setmetatable(o, {__gc = again}) end
end
fin(again)
for i = 1, 1100 do collectgarbage() end
print("revived:", revived)
fin(function() collectgarbage() collectgarbage("step") end)
fin(function() coroutine.yield() end)
fin(setmetatable({}, {__call = function() end}))
fin(42)
collectgarbage()
local made = 0
local function spawn()
  made = made + 1
  if made < 10000 then for i = 1, 10 do fin(spawn) end end
end
fin(spawn)
for i = 1, 20 do collectgarbage() end
print("made > 1:", made > 1)
-- Left for close: finalizers that error, allocate and make more.
for i = 1, 100 do fin(function() local t = {} for j = 1, 1000 do t[j] = {} end error("at close") end) end
for i = 1, 10 do fin(function() fin(function() error("made at close") end) end) end
print("after:", 1 + 1)
