-- Attack: integer division and modulo at the edges: mininteger // -1 and
-- % -1 (which trap in C when done naively), division by zero, math.fmod
-- and math.abs of mininteger, negation and multiplication that wrap,
-- and conversions between floats and integers at 2^63.
-- Must: the wrapped results PUC gives (mininteger // -1 == mininteger,
-- mininteger % -1 == 0), "attempt to perform 'n//0'" and "'n%%0'"
-- errors; no crash (a trap or an overflow panic).
local min, max = math.mininteger, math.maxinteger
local function show(name, f)
  local ok, r = pcall(f)
  print(name, ok, math.type(r) or type(r), r)
end
local m1 = -1
local zero = 0
show("min // -1", function() return min // m1 end)
show("min % -1", function() return min % m1 end)
show("min // -1 constant", function() return math.mininteger // -1 end)
show("min % -1 constant", function() return math.mininteger % -1 end)
show("min // 0", function() return min // zero end)
show("min % 0", function() return min % zero end)
show("min / 0", function() return min / zero end)
show("min // -1.0", function() return min // -1.0 end)
show("fmod(min, -1)", function() return math.fmod(min, m1) end)
show("fmod(min, 0)", function() return math.fmod(min, zero) end)
show("fmod(1, 0.0)", function() return math.fmod(1, 0.0) end)
show("abs(min)", function() return math.abs(min) end)
show("-min", function() return -min end)
show("min * -1", function() return min * m1 end)
show("max + 1", function() return max + 1 end)
show("min - 1", function() return min - 1 end)
show("max * max", function() return max * max end)
show("tointeger(2^63)", function() return math.tointeger(2^63) end)
show("tointeger(-2^63)", function() return math.tointeger(-2^63) end)
show("2^63 | 0", function() return 2^63 | 0 end)
show("-2^63 | 0", function() return -2^63 | 0 end)
show("floor(2^63)", function() return math.floor(2^63) end)
show("ceil(-2^63 - 1e5)", function() return math.ceil(-2^63 - 1e5) end)
show("floor(nan)", function() return math.floor(0/0) end)
show("max + 0.0 == max", function() return max + 0.0 == max end)
show("min + 0.0 == min", function() return min + 0.0 == min end)
show("max < 2^63", function() return max < 2^63 end)
show("min <= -2^63", function() return min <= -2^63 end)
show("ult", function() return math.ult(min, max) end)
show("string //", function() return "9223372036854775807" // "-1" end)
show("string %", function() return "-9223372036854775808" % "-1" end)
show("format min", function() return string.format("%d %5.3d %x", min, min, min) end)
show("tostring -0.0", function() return tostring(-0.0) end)
show("random full range", function() return math.random(min, max) ~= nil end)
show("random(0)", function() return math.type(math.random(0)) end)
show("random empty", function() return math.random(max, min) end)
show("random(min)", function() return math.random(min) end)
show("randomseed", function() math.randomseed(min, max) return math.random(1, 1) end)
print("after:", 7 // 2)
