-- Attack: errors whose handling misbehaves, caught each time: xpcall
-- handlers that error, recurse, yield or are not functions; error with
-- odd levels and nil; errors inside __close while an error unwinds;
-- error objects with erroring __tostring passed through pcall, xpcall,
-- coroutine.wrap, tostring, print and string.format; a handler that
-- returns many values.
-- Must: false plus the error object, "error in error handling" or the
-- handler's results; no crash.
local bad = setmetatable({}, {__tostring = function(s) return tostring(s) end})
local worse = setmetatable({}, {__tostring = function() error("tostring failed") end})
print("erroring handler:", xpcall(error, function() error("again") end, "e"))
print("recursive handler:", xpcall(error, function(m) return tostring(bad) end, "e"))
print("table handler:", pcall(xpcall, error, setmetatable({}, {__call = function() return "called" end}), "e"))
print("nil handler:", pcall(xpcall, error, nil, "e"))
print("many results:", select("#", xpcall(error, function() return table.unpack({}, 1, 250) end, "e")))
for _, lvl in ipairs{-1, 0, 1, 2, 100, math.maxinteger, math.mininteger} do
  print("level " .. lvl, pcall(error, "m", lvl))
end
print("error nil:", pcall(error))
local ok, e = pcall(function()
  local x <close> = setmetatable({}, {__close = function(_, e) error(bad) end})
  error(worse)
end)
print("close during error:", ok, rawequal(e, bad))
ok, e = pcall(error, bad)
print("bad object:", ok, rawequal(e, bad))
print("tostring bad:", pcall(tostring, bad))
print("tostring worse:", pcall(tostring, worse))
print("print worse:", pcall(print, worse))
print("format worse:", pcall(string.format, "%s", worse))
ok, e = pcall(coroutine.wrap(function() error(bad) end))
print("wrap bad:", ok, rawequal(e, bad))
ok, e = pcall(function() return debug and debug.traceback(bad) == bad end)
print("traceback of bad:", ok, e == true or e == nil)
print("after:", 1 + 1)
