-- Attack: debug.setlocal on the hidden state of loops (numeric for
-- counters and steps replaced by strings, nil and floats; generic for
-- iterator state; the to-be-closed slot), locals of other levels and of
-- suspended coroutines, vararg slots (negative indices), and
-- getlocal/setlocal at extreme levels and indices.
-- Must: the loops end or raise an error; nothing reads a value as the
-- wrong type; no crash.
if not debug or not debug.setlocal then print("no debug library") return end
local function clobber(level, value)
  for i = 1, 10 do
    local name = debug.getlocal(level + 1, i)
    if name and name:sub(1, 1) == "(" then debug.setlocal(level + 1, i, value) end
  end
end
for _, v in ipairs{"str", false, 1.5, math.maxinteger, math.mininteger, {}, 0} do
  local count = 0
  local ok, e = pcall(function()
    for i = 1, 10 do
      count = count + 1
      if count == 2 then clobber(1, v) end
      if count > 100 then error("loop did not end") end
    end
  end)
  print("numeric for, " .. tostring(v):sub(1, 6), ok, e, count)
end
for _, v in ipairs{"str", false, 1.5, {}} do
  local count = 0
  local ok, e = pcall(function()
    for k in pairs({1, 2, 3, 4, 5}) do
      count = count + 1
      if count == 2 then clobber(1, v) end
      if count > 100 then error("loop did not end") end
    end
  end)
  print("generic for, " .. tostring(v):sub(1, 6), ok, e, count)
end
print("tbc slot:", pcall(function()
  local x <close> = setmetatable({}, {__close = function() end})
  debug.setlocal(1, 1, 42)
end))
local co = coroutine.create(function(...) local a, b = 1, 2 coroutine.yield() return a, b, ... end)
coroutine.resume(co, 1, 2, 3)
for _, idx in ipairs{-100, -3, -1, 0, 1, 2, 3, 100} do
  pcall(debug.setlocal, co, 1, idx, "x")
end
print("coroutine locals:", coroutine.resume(co))
for _, lvl in ipairs{-1, 0, 1, 2, 3, 100, math.maxinteger, math.mininteger} do
  for _, idx in ipairs{math.mininteger, -1, 0, 1, 255, math.maxinteger} do
    pcall(debug.getlocal, lvl, idx)
    pcall(debug.setlocal, lvl, idx, nil)
  end
end
print("vararg slots:", (function(...)
  debug.setlocal(1, -1, "changed")
  debug.setlocal(1, -2, "new")
  return ...
end)(1))
print("after:", 1 + 1)
