-- Attack: debug.getinfo, traceback and the metatable functions at odd
-- levels and with odd arguments: levels 0 to 300, negative and huge
-- levels, every option letter and invalid ones, '>' with and without a
-- function, getinfo of threads that are dead, running, normal or never
-- started, traceback with non-string messages and huge levels, and
-- debug.setmetatable on nil, booleans, numbers and functions.
-- Must: tables, nil or the documented errors ("invalid option", "level
-- out of range"); the type metatables work as set and are removed
-- again; no crash.
if not debug or not debug.getinfo then print("no debug library") return end
local count = 0
for level = -2, 300 do
  if debug.getinfo(level, "nSltufrL") then count = count + 1 end
end
print("levels with info:", count)
for _, lvl in ipairs{math.maxinteger, math.mininteger, 1 << 31, -(1 << 31)} do
  print("level " .. lvl, pcall(debug.getinfo, lvl))
end
for _, opt in ipairs{"", "X", ">", ">S", "*", "nnnnnnnnnnnnnnnnn", "\0", "S\0L", "a"} do
  print("option " .. opt:gsub("%z", "\\0"), pcall(debug.getinfo, 1, opt))
end
print("> with function:", pcall(debug.getinfo, print, ">S"))
local dead = coroutine.create(function() end)
coroutine.resume(dead)
local fresh = coroutine.create(function() end)
local co = coroutine.create(function()
  local main = coroutine.running()
  return debug.getinfo(main, 1, "n"), debug.traceback(main, "tb", 0)
end)
print("threads:", debug.getinfo(dead, 0), debug.getinfo(fresh, 0), coroutine.resume(co))
for _, msg in ipairs{42, {}, false} do print("traceback non-string:", debug.traceback(msg)) end
print("traceback levels:", #debug.traceback("m", math.maxinteger), #debug.traceback("m", -5))
print("traceback of self in coroutine:", coroutine.wrap(function() return #debug.traceback(coroutine.running(), "x", 1) end)())
debug.setmetatable(nil, {__index = function() return "from nil" end, __call = function() return "called nil" end})
debug.setmetatable(10, {__index = function() error("number index") end, __len = function() return 99 end})
debug.setmetatable(print, {__index = print, __concat = function() return "fn" end})
debug.setmetatable(true, {__add = function() return "bool add" end})
print("type metatables:", (nil).x, pcall(function() return (1).x end), #7, print .. print, true + 1, pcall(nil))
debug.setmetatable(nil, nil)
debug.setmetatable(10, nil)
debug.setmetatable(print, nil)
debug.setmetatable(true, nil)
print("uservalue:", pcall(debug.getuservalue, {}, 1), pcall(debug.setuservalue, {}, 1, 1))
if io and io.stdout then
  print("file uservalue:", pcall(debug.getuservalue, io.stdout, math.maxinteger), pcall(debug.setuservalue, io.stdout, {}, 5))
end
print("after:", 1 + 1)
