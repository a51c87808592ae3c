-- Attack: __tostring and __name in every place a value is turned into
-- text: __tostring returning non-strings or erroring, a 10 MB __name, a
-- __name full of format directives, non-string __name, in tostring,
-- print, string.format("%s"), error messages for arithmetic, calls,
-- indexing and bad arguments.
-- Must: "'__tostring' must return a string" or the messages with the
-- name; format directives in __name appear literally; no crash.
local function obj(mt) return setmetatable({}, mt) end
for _, v in ipairs{42, {}, true, function() end} do
  print("__tostring returns " .. type(v), pcall(tostring, obj{__tostring = function() return v end}))
end
print("__tostring nil:", pcall(tostring, obj{__tostring = function() end}))
print("__tostring errors:", pcall(tostring, obj{__tostring = function() error("no") end}))
print("print:", pcall(print, obj{__tostring = function() return {} end}))
print("format:", pcall(string.format, "%s", obj{__tostring = function() return 1 end}))
local fmt = obj{__name = "%s%d%p%n%%%c%q%99999999s"}
print("format directives:", pcall(tostring, fmt))
print("arith:", pcall(function() return fmt + 1 end))
print("call:", pcall(fmt))
print("bad argument:", pcall(math.floor, fmt))
print("concat:", pcall(function() return "x" .. fmt end))
local huge = obj{__name = ("N"):rep(10000000)}
local ok, e = pcall(function() return huge + 1 end)
print("huge name:", ok, #e)
ok, e = pcall(string.rep, huge)
print("huge name argument:", ok, #e)
print("tostring huge:", #tostring(huge))
for _, name in ipairs{42, {}, true} do
  local o = obj{__name = name}
  print("__name " .. type(name), pcall(tostring, o), pcall(math.floor, o))
end
local nul = obj{__name = "a\0b"}
print("NUL in name:", pcall(function() return nul < nul end))
print("after:", tostring(1))
