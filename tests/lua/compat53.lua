-- The Lua 5.3 compatibility of PUC's release build of Lua 5.4
-- (LUA_COMPAT_5_3, on by default): the deprecated math functions
-- (LUA_COMPAT_MATHLIB) and '__le' emulated with '__lt' (LUA_COMPAT_LT_LE),
-- also when that '__lt' yields. Values and messages are those of lua5.4.

local function fails(f, msg, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(string.find(err, msg, 1, true), err)
end

local function eqf(a, b) -- same float, including the sign of zero
  return math.type(a) == "float" and (a == b and 1 / a == 1 / b or a ~= a and b ~= b)
end

-- math: the functions are there
for _, name in ipairs{"atan2", "cosh", "sinh", "tanh", "pow", "frexp", "ldexp", "log10"} do
  assert(type(math[name]) == "function", name)
end

-- math.pow: C's pow, always a float
assert(eqf(math.pow(2, 10), 1024.0))
assert(eqf(math.pow(2, 0.5), math.sqrt(2)))
assert(eqf(math.pow("3", 2), 9.0))
assert(eqf(math.pow(0, -1), 1 / 0) and eqf(math.pow(-0.0, -1), -1 / 0))
assert(eqf(math.pow(1, 0 / 0), 1.0) and eqf(math.pow(0 / 0, 0), 1.0))
assert(eqf(math.pow(2, 1024), math.huge) and eqf(math.pow(2, -1075), 0.0))
local x = math.pow(-8, 1 / 3); assert(x ~= x)
fails(function() return math.pow(2) end, "bad argument #2 to 'pow' (number expected, got no value)")
fails(math.pow, "bad argument #1 to 'math.pow' (number expected, got table)", {}, 1)

-- math.frexp: m * 2^e with 0.5 <= |m| < 1; zero, inf and nan unchanged
local function frexp(v, m, e)
  local gm, ge = math.frexp(v)
  assert(math.type(ge) == "integer" and ge == e, v)
  assert(eqf(gm, m), v)
end
frexp(1, 0.5, 1)
frexp(12, 0.75, 4)
frexp(-12.0, -0.75, 4)
frexp(0.1, 0.8, -3)
frexp(0, 0.0, 0)
frexp(-0.0, -0.0, 0)
frexp(math.huge, math.huge, 0)
frexp(-math.huge, -math.huge, 0)
frexp(0 / 0, 0 / 0, 0)
frexp(2 ^ -1074, 0.5, -1073) -- the smallest subnormal
frexp(-3 * 2 ^ -1074, -0.75, -1072)
frexp(2 ^ -1022 - 2 ^ -1074, 1 - 2 ^ -52, -1022)
frexp(math.maxinteger, 0.5, 64) -- converted to float: 2^63
frexp(1.7976931348623157e308, 1 - 2 ^ -53, 1024)
fails(math.frexp, "bad argument #1 to 'math.frexp' (number expected, got no value)")
fails(math.frexp, "number expected, got string", "x")

-- math.ldexp: m * 2^e rounded once; the exponent an integer cut to 32 bits
assert(eqf(math.ldexp(0.75, 4), 12.0))
assert(eqf(math.ldexp(1, -1074), 2 ^ -1074))
assert(eqf(math.ldexp(1, -1075), 0.0)) -- a tie, to even
assert(eqf(math.ldexp(3, -1076), 2 ^ -1074)) -- 0.75 of the smallest: up
assert(eqf(math.ldexp(1.5, -1074), 2 * 2 ^ -1074)) -- a tie, to even
assert(eqf(math.ldexp(2 ^ -1074, 2000), 2 ^ 926))
assert(eqf(math.ldexp(1.7976931348623157e308, -2098), 2 ^ -1074))
assert(eqf(math.ldexp(1.7976931348623157e308, -2100), 0.0))
assert(eqf(math.ldexp(0.5, 1024), 2 ^ 1023) and eqf(math.ldexp(1, 1024), math.huge))
assert(eqf(math.ldexp(-1, 5000), -math.huge) and eqf(math.ldexp(-1, -5000), -0.0))
assert(eqf(math.ldexp(-0.0, 5), -0.0) and eqf(math.ldexp(math.huge, -5000), math.huge))
assert(eqf(math.ldexp(1, 2 ^ 31), 0.0)) -- 2^31 becomes -2^31 as a C int
assert(eqf(math.ldexp(1, 2 ^ 32 + 3), 8.0)) -- only the low 32 bits count
assert(eqf(math.ldexp(1, "3"), 8.0) and eqf(math.ldexp(1, 3.0), 8.0))
x = math.ldexp(0 / 0, 3); assert(x ~= x)
fails(math.ldexp, "bad argument #2 to 'math.ldexp' (number has no integer representation)", 1, 1.5)
fails(math.ldexp, "bad argument #2 to 'math.ldexp' (number has no integer representation)", 1, 2 ^ 63)
fails(math.ldexp, "bad argument #2 to 'math.ldexp' (number expected, got no value)", 1)
fails(function() return math.ldexp(1, 0.5) end, "bad argument #2 to 'ldexp' (number has no integer representation)")
for _, v in ipairs{1, -1, 0.1, 3e-300, 2 ^ -1070, 1e308, -7.25} do
  assert(eqf(math.ldexp(math.frexp(v)), v + 0.0))
end

-- the hyperbolic functions, log10 and atan2
assert(eqf(math.cosh(0), 1.0) and eqf(math.sinh(-0.0), -0.0) and eqf(math.tanh(-0.0), -0.0))
assert(math.abs(math.cosh(1) - (math.exp(1) + math.exp(-1)) / 2) < 1e-15)
assert(math.abs(math.sinh(1) - (math.exp(1) - math.exp(-1)) / 2) < 1e-15)
assert(math.abs(math.tanh(0.5) - math.sinh(0.5) / math.cosh(0.5)) < 1e-15)
assert(eqf(math.cosh(1000), math.huge) and eqf(math.sinh(-1000), -math.huge))
assert(eqf(math.tanh(1000), 1.0) and eqf(math.tanh(-1000), -1.0))
assert(eqf(math.log10(1000), 3.0) and eqf(math.log10(1e-300), -300.0))
assert(eqf(math.log10(0), -math.huge))
x = math.log10(-1); assert(x ~= x)
assert(eqf(math.atan2(1, 1), math.pi / 4) and eqf(math.atan2(1), math.pi / 4))
assert(eqf(math.atan2(-0.0, -1), -math.pi) and eqf(math.atan2(0.0, -1), math.pi))
assert(math.atan2 == math.atan) -- one function under two names
fails(math.cosh, "bad argument #1 to 'math.cosh' (number expected, got no value)")
fails(math.log10, "bad argument #1 to 'math.log10' (number expected, got string)", "ten")
-- (the message names it 'math.atan' or 'math.atan2', whichever a traversal
-- of the table finds first, in PUC as here)
fails(math.atan2, "bad argument #1 to 'math.atan")

-- '__le' through '__lt': a <= b is not (b < a)
local calls = {}
local mt = {__lt = function(a, b)
  calls[#calls + 1] = {a, b}
  local function v(o) return type(o) == "table" and o.v or o end
  return v(a) < v(b)
end}
local function O(v) return setmetatable({v = v}, mt) end
local one, two = O(1), O(2)
assert(one <= two and not (two <= one) and one <= one)
assert(two >= one and not (one >= two) and one >= one)
calls = {}
assert(not (one <= O(0)))
assert(#calls == 1 and calls[1][1].v == 0 and calls[1][2] == one) -- operands swapped
-- with immediate and constant operands (the LEI/GEI forms and K operands)
local five = O(5)
assert(five <= 5 and not (five <= 4) and 6 >= five and not (4 >= five))
assert(5 <= five and not (6 <= five) and five >= 5.0 and five <= 5.5)
assert(five <= 1e300 and not (five <= -1e300))
assert(("x" <= O("x")) and not (O("y") <= "x")) -- strings with a table
-- an explicit '__le' wins, and its result is taken as is
local both = setmetatable({}, {__lt = function() error("no") end, __le = function() return nil end})
assert(not (both <= both))
-- '__lt' is looked up in the second operand of 'le' first (swapped)
local left = setmetatable({}, {__lt = function() return "left" end})
local right = setmetatable({}, {__lt = function() return false end})
assert(left <= right) -- not right.__lt(right, left)
assert(not (right <= left))
-- results are truth values: any non-false value counts
local yes = setmetatable({}, {__lt = function() return 0 end})
assert(not (yes <= yes))
-- the events test of the official suite: '__eq' and '__lt' only
local t2 = {__eq = function() return true end, __lt = function() return true end}
local c, d = setmetatable({}, t2), setmetatable({}, t2)
assert(c == d and c < d and not (d <= c))
-- errors: inside '__lt', and without any order metamethod
fails(function() return setmetatable({}, {__lt = function() error("inside lt") end}) <= {} end, "inside lt")
fails(function() return {} <= {} end, "attempt to compare two table values")
fails(function() return {} >= 1 end, "attempt to compare number with table")
fails(function() return setmetatable({}, {__name = "My"}) <= true end, "attempt to compare My with boolean")
-- the metamethod is named after the operation in tracebacks
local tb
local named = setmetatable({}, {__lt = function() tb = debug.traceback() return false end})
assert(named <= named)
assert(string.find(tb, "in metamethod 'le'", 1, true), tb)
-- __lt for __le from the library: math.max/min use '<' only, table.sort too
assert(math.max(O(3), O(7), O(5)).v == 7)

-- a yield inside '__lt' used for '__le' is completed, negated, on resume
do
  local function n(o) return type(o) == "table" and o.n or o end
  local ymt = {__lt = function(a, b) return coroutine.yield("lt", n(a), n(b)) end}
  local p, q = setmetatable({n = "p"}, ymt), setmetatable({n = "q"}, ymt)
  local co = coroutine.wrap(function()
    local r = {}
    r[1] = p <= q                           -- not (q < p)
    r[2] = not (p >= q)                     -- not (p < q), negated again
    r[3] = p <= 3                           -- constant operand
    r[4] = 3 >= p
    if p <= q then r[5] = "then" else r[5] = "else" end
    r[6] = p < q                            -- a plain '<' is not negated
    while p <= q do r[7] = (r[7] or 0) + 1 end
    return r
  end)
  local function step(answer, a, b)
    local what, x, y = co(answer)
    assert(what == "lt" and x == a and y == b, tostring(what))
  end
  -- each step answers the pending '__lt' and checks the next one's operands
  local what, x, y = co()
  assert(what == "lt" and x == "q" and y == "p") -- r[1]: q < p
  step(true, "p", "q")   -- r[1] = false; r[2]: p >= q is not (p < q)
  step(true, 3, "p")     -- r[2] = not not true; r[3]: 3 < p
  step(false, 3, "p")    -- r[3] = true; r[4]: 3 >= p is p <= 3, 3 < p
  step(false, "q", "p")  -- r[4] = true; the test of the 'if'
  step(true, "p", "q")   -- "else"; r[6]: p < q
  step(true, "q", "p")   -- r[6] = true; the loop's test
  step(false, "q", "p")  -- one iteration; the loop's test again
  local r = co(true)     -- loop ends
  assert(r[1] == false and r[2] == true and r[3] == true and r[4] == true)
  assert(r[5] == "else" and r[6] == true and r[7] == 1)
end

-- yields inside pcall and nested coroutines keep their own marks
do
  local ymt = {__lt = function(a, b) return coroutine.yield(a.v < b.v) end}
  local function Y(v) return setmetatable({v = v}, ymt) end
  local inner = coroutine.wrap(function()
    local ok, v = pcall(function() return Y(1) <= Y(2) end)
    return ok, v
  end)
  local outer = coroutine.wrap(function()
    local a = Y(5) <= Y(4)
    return a
  end)
  assert(outer() == true)      -- 4 < 5
  assert(inner() == false)     -- 2 < 1
  assert(outer(true) == false) -- not true
  local ok, v = inner(false)
  assert(ok == true and v == true)
end

-- an error after a yield in '__lt' for '__le' unwinds cleanly
do
  local emt = {__lt = function() coroutine.yield() error("after yield") end}
  local e = setmetatable({}, emt)
  local co = coroutine.create(function() return e <= e end)
  assert(coroutine.resume(co))
  local ok, err = coroutine.resume(co)
  assert(not ok and string.find(err, "after yield"))
  -- a later comparison in a fresh coroutine is not affected
  local co2 = coroutine.wrap(function()
    local ymt = {__lt = function() return coroutine.yield() end}
    local a = setmetatable({}, ymt)
    return a <= a, a < a
  end)
  co2()
  co2(false)
  local r1, r2 = co2(false)
  assert(r1 == true and r2 == false)
end

