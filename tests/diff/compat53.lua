-- Differential test of the Lua 5.3 compatibility of Lua 5.4 (LUA_COMPAT_5_3):
-- the deprecated math functions and '__le' through '__lt', with yields.
local mt = {__lt = function(a, b) print("lt", a.v, b.v) return a.v < b.v end}
local a, b = setmetatable({v=1}, mt), setmetatable({v=2}, mt)
print(a <= b, b <= a, a <= a, a >= b, b >= a)
print(pcall(function() return a <= 1 end))
print(pcall(function() return 1 <= a end))
print(pcall(function() return a >= 1 end))
local mt2 = {__lt = function(x, y) local xv = type(x)=="table" and x.v or x; local yv = type(y)=="table" and y.v or y; return xv < yv end}
local c = setmetatable({v=5}, mt2)
print(c <= 5, c <= 4, 5 <= c, 6 <= c, c >= 5, c >= 6, c <= 5.0, 4.5 <= c)
-- yields
local co = coroutine.wrap(function()
  local mt3 = {__lt = function(x, y) local r = coroutine.yield("lt") return r end}
  local p, q = setmetatable({}, mt3), setmetatable({}, mt3)
  local r1 = p <= q
  local r2 = not (p <= q)
  local r3 = p <= 3
  local r4 = 3 >= p
  if p <= q then r5 = "then" else r5 = "else" end
  return r1, r2, r3, r4, r5
end)
print(co()) print(co(true)) print(co(false)) print(co(true)) print(co(false)) print(co(true))
print(pcall(function() return {} <= {} end))
print(pcall(function() return setmetatable({}, {__lt=function() error("boom") end}) <= {} end))
print(pcall(function() return setmetatable({}, {__lt=function() error("x", 2) end}) <= {} end))
-- the metamethod is named after the operation in tracebacks
local named = setmetatable({}, {__lt = function() print(debug.traceback("in lt")) return false end})
print(named <= named)
print(math.frexp(0), math.frexp(-0.0), math.frexp(1/0))
print(math.frexp(-1/0)) print(math.frexp(0/0)) print(math.frexp(-(0/0))) print(math.frexp(5e-324)) print(math.frexp(-2.5e-310)) print(math.frexp(1.7976931348623157e308))
print(math.frexp(3)) print(math.frexp("8"))
print(math.ldexp(0.5, 1024), math.ldexp(1, -1074), math.ldexp(1, -1075), math.ldexp(3, -1076), math.ldexp(1.5, -1074))
print(math.ldexp(1, 2^31), math.ldexp(1, 2^32+3), math.ldexp(1, -2^31), math.ldexp(-0.0, 5), math.ldexp(1/0, -5000), math.ldexp(0/0, 3))
print(math.ldexp(5e-324, 2000), math.ldexp(1.7976931348623157e308, -2098), math.ldexp(1.7976931348623157e308, -2100))
print(math.ldexp(1, "3"), pcall(math.ldexp, 1, "3.5"))
print(pcall(math.ldexp, 1, 1.5)) print(pcall(math.ldexp, 1)) print(pcall(math.ldexp, "x", 1)) print(pcall(math.ldexp, 1, 2^63))
print(math.pow(2, 0.5), math.pow(-8, 1/3), math.pow(0, -1), math.pow(-0.0, -1), math.pow(2, 1024), math.pow(1, 0/0), math.pow(3, 2))
print(pcall(math.pow, 2)) print(pcall(math.pow)) print(pcall(math.pow, {}, 1))
print(math.cosh(1), math.sinh(1), math.tanh(1), math.log10(1000), math.log10(0), math.log10(-1), math.cosh(1000), math.sinh(-1000), math.tanh(-0.0))
print(math.atan2(1, 2), math.atan2(1), math.atan2(-0.0, -1))
print(pcall(math.cosh)) print(pcall(math.log10, "a"))
print(math.type(math.frexp(8)), math.type(select(2, math.frexp(8))))
for _, n in ipairs{"pow","frexp","ldexp","cosh","sinh","tanh","log10","atan2"} do assert(math[n]) end
