-- Tests of the math library: every function and constant, integer/float
-- results, PUC's error messages, and the xoshiro256** generator (same
-- sequences as PUC Lua 5.4.8 for the same seeds).

local function check(got, expected, what)
  local same = got == expected and math.type(got) == math.type(expected)
  if not same and not (got ~= got and expected ~= expected) then
    error((what or "check") .. ": got " .. tostring(got) .. " (" .. tostring(math.type(got)) .. "), expected "
      .. tostring(expected) .. " (" .. tostring(math.type(expected)) .. ")", 2)
  end
end

local function checkerr(msg, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("no error, expected: " .. msg, 2) end
  if err ~= msg then error("wrong error: " .. tostring(err) .. "\n  expected: " .. msg, 2) end
end

local maxi, mini = math.maxinteger, math.mininteger
local inf, nan = math.huge, 0 / 0

-- constants
check(math.pi, 3.141592653589793)
check(math.huge, 1 / 0)
check(maxi, 0x7fffffffffffffff)
check(mini, -0x8000000000000000)

-- abs
check(math.abs(-3), 3)
check(math.abs(3), 3)
check(math.abs(-2.5), 2.5)
check(math.abs(-0.0), 0.0)
check(math.abs(mini), mini)
check(math.abs("-3"), 3.0)
check(math.abs(-inf), inf)
checkerr("bad argument #1 to 'math.abs' (number expected, got no value)", math.abs)

-- floor / ceil
check(math.floor(3.7), 3)
check(math.floor(-3.5), -4)
check(math.floor(5), 5)
check(math.floor("3.7"), 3)
check(math.floor(-0.0), -0)
check(math.floor(2^62 + 0.0), 2^62 // 1 | 0)
check(math.floor(2^63), 2^63)
check(math.floor(1e100), 1e100)
check(math.floor(-inf), -inf)
check(math.floor(nan), nan)
check(math.ceil(3.2), 4)
check(math.ceil(-3.5), -3)
check(math.ceil(-0.5), -0)
check(math.ceil(-2^63), mini)
check(math.ceil(7), 7)
checkerr("bad argument #1 to 'math.floor' (number expected, got string)", math.floor, "x")
checkerr("bad argument #1 to 'math.ceil' (number expected, got table)", math.ceil, {})

-- fmod
check(math.fmod(7, 3), 1)
check(math.fmod(-7, 3), -1)
check(math.fmod(7, -3), 1)
check(math.fmod(-7, -3), -1)
check(math.fmod(7, -1), 0)
check(math.fmod(mini, -1), 0)
check(math.fmod(mini, 1), 0)
check(math.fmod(3, mini), 3)
check(math.fmod(5.5, 2), 1.5)
check(math.fmod(-5.5, 2), -1.5)
check(math.fmod(5.5, -2), 1.5)
check(math.fmod(7, 3.0), 1.0)
check(math.fmod("7", "3"), 1.0)
check(math.fmod(2, inf), 2.0)
check(math.fmod(inf, 2), nan)
check(math.fmod(2, 0.0), nan)
checkerr("bad argument #2 to 'math.fmod' (zero)", math.fmod, 1, 0)
checkerr("bad argument #2 to 'math.fmod' (number expected, got no value)", math.fmod, 1)
checkerr("bad argument #1 to 'math.fmod' (number expected, got string)", math.fmod, "a", 1)

-- modf
do
  local a, b = math.modf(3.5)
  check(a, 3); check(b, 0.5)
  a, b = math.modf(-2.5)
  check(a, -2); check(b, -0.5)
  a, b = math.modf(-3e23)
  check(a, -3e23); check(b, 0.0)
  a, b = math.modf(inf)
  check(a, inf); check(b, 0.0)
  a, b = math.modf(nan)
  check(a, nan); check(b, nan)
  a, b = math.modf(3)
  check(a, 3); check(b, 0.0)
  a, b = math.modf(mini)
  check(a, mini); check(b, 0.0)
  a, b = math.modf(2^63)
  check(a, 2^63); check(b, 0.0)
end

-- sqrt, exp, log
check(math.sqrt(16), 4.0)
check(math.sqrt(2), 1.4142135623730951)
check(math.sqrt(-1), nan)
check(math.exp(0), 1.0)
check(math.exp(1), 2.718281828459045)
check(math.log(1), 0.0)
check(math.log(8, 2), 3.0)
check(math.log(100, 10), 2.0)
check(math.log(1000, 10), 3.0)
check(math.log(27, 3), 3.0)
check(math.log(7, 3), 1.7712437491614221)
check(math.log(0), -inf)
check(math.log(-1), nan)
check(math.log(8, "2"), 3.0)
check(math.log(2^-1074, 2), -1074.0)
check(math.log(8, 0.5), -3.0)
check(math.log(8, 1), inf)
checkerr("bad argument #2 to 'math.log' (number expected, got table)", math.log, 1, {})

-- trigonometry and angles
check(math.sin(0), 0.0)
check(math.cos(0), 1.0)
check(math.tan(0), 0.0)
check(math.sin(math.pi / 2), 1.0)
check(math.asin(1), math.pi / 2)
check(math.acos(1), 0.0)
check(math.acos(2), nan)
check(math.atan(1), math.pi / 4)
check(math.atan(1, 2), 0.4636476090008061)
check(math.atan(-1, -1), -2.356194490192345)
check(math.atan(0, -1), math.pi)
check(math.atan(-0.0, -1), -math.pi)
check(math.deg(math.pi), 180.0)
check(math.rad(180), math.pi)
check(math.deg(1), 57.29577951308232)
-- With LUA_COMPAT_5_3, math.atan2 is the same function as math.atan and
-- the message names whichever of the two a traversal of the library table
-- finds first (string hashes are seeded at random), as in PUC.
do
  local ok, err = pcall(math.atan, 1, "x")
  assert(not ok)
  assert(err == "bad argument #2 to 'math.atan' (number expected, got string)"
    or err == "bad argument #2 to 'math.atan2' (number expected, got string)", err)
end

-- tointeger, type, ult
check(math.tointeger(3.0), 3)
check(math.tointeger(3.5), nil)
check(math.tointeger(2^63), nil)
check(math.tointeger(-2^63), mini)
check(math.tointeger("8"), 8)
check(math.tointeger("0x7fffffffffffffff"), maxi)
check(math.tointeger("1e2"), 100)
check(math.tointeger(" 5 "), 5)
check(math.tointeger({}), nil)
check(math.tointeger("x"), nil)
checkerr("bad argument #1 to 'math.tointeger' (value expected)", math.tointeger)
check(math.type(1), "integer")
check(math.type(1.0), "float")
check(math.type("1"), nil)
check(math.type(nil), nil)
checkerr("bad argument #1 to 'math.type' (value expected)", math.type)
check(math.ult(1, 2), true)
check(math.ult(-1, 2), false)
check(math.ult(2, -1), true)
check(math.ult(maxi, mini), true)
checkerr("bad argument #1 to 'math.ult' (number has no integer representation)", math.ult, 1.5, 2)

-- min / max
check(math.max(1, 2, 3), 3)
check(math.max(3.5, 2), 3.5)
check(math.max(1, 1.0), 1)
check(math.max(1.0, 1), 1.0)
check(math.min(1, 1.0), 1)
check(math.min(3, 1, 2), 1)
check(math.min(-0.0, 0), -0.0)
check(math.max(nan, 1), nan)
check(math.max(1, nan), 1)
check(math.min(nan, 1), nan)
check(math.max(mini, maxi), maxi)
check(math.max("a", "b"), "b") -- any values comparable with '<'
check(math.min(2^53, 2^53 + 1), 2^53)
checkerr("bad argument #1 to 'math.max' (value expected)", math.max)
checkerr("bad argument #1 to 'math.min' (value expected)", math.min)
checkerr("attempt to compare number with string", math.max, 1, "x")
do
  local mt = {__lt = function(a, b) return a.v < b.v end}
  local a, b, c = setmetatable({v = 2}, mt), setmetatable({v = 5}, mt), setmetatable({v = 1}, mt)
  check(math.max(a, b, c), b)
  check(math.min(a, b, c), c)
end

-- random: the sequences of PUC Lua 5.4.8
do
  local s1, s2 = math.randomseed(42)
  check(s1, 42); check(s2, 0)
  check(math.random(0), -1276290044721465627)
  check(math.random(), 0.45178389935924312)
  check(math.random(10), 6)
  check(math.random(-5, 5), 0)
  s1, s2 = math.randomseed(42, 7)
  check(s1, 42); check(s2, 7)
  check(math.random(0), -3100642489518372304)
  check(math.random(), 0.97213906090725322)
  check(math.random(10), 10)
  check(math.random(-5, 5), -1)
  check(math.random(mini, maxi), -1237560839212265203)
  math.randomseed(5.0, -6)
  check(math.random(0), 4513465710818777163)
  check(math.random(100), 2)
  math.randomseed(0)
  local t = {}
  for i = 1, 5 do t[#t + 1] = math.random(7) end
  for i = 1, 3 do t[#t + 1] = math.random(1, 2^40 + 3) end
  for i = 1, 3 do t[#t + 1] = math.random(mini, -1) end
  check(table.concat(t, " "),
    "2 1 4 6 5 610130679865 893291297073 400850466102 -1916210319650966358 -509584769231359838 -5462373086060620729")
  -- floats are in [0, 1) with 53 random bits
  for _ = 1, 1000 do
    local r = math.random()
    assert(r >= 0 and r < 1 and math.type(r) == "float")
  end
  for _ = 1, 1000 do
    local r = math.random(3, 5)
    assert(r >= 3 and r <= 5 and math.type(r) == "integer")
  end
  -- seeds from the clock: two results, integers
  local a, b = math.randomseed()
  check(math.type(a), "integer"); check(math.type(b), "integer")
  -- errors
  checkerr("wrong number of arguments", math.random, 1, 2, 3)
  checkerr("bad argument #1 to 'math.random' (interval is empty)", math.random, 2, 1)
  checkerr("bad argument #1 to 'math.random' (interval is empty)", math.random, 0, -1)
  checkerr("bad argument #1 to 'math.random' (number has no integer representation)", math.random, 1.5)
  checkerr("bad argument #2 to 'math.random' (number has no integer representation)", math.random, 1, 2.5)
  checkerr("bad argument #1 to 'math.random' (number expected, got string)", math.random, "a")
  checkerr("bad argument #1 to 'math.randomseed' (number has no integer representation)", math.randomseed, 1.5)
  checkerr("bad argument #1 to 'math.randomseed' (number expected, got nil)", math.randomseed, nil)
  checkerr("bad argument #2 to 'math.randomseed' (number expected, got string)", math.randomseed, 1, "x")
end
