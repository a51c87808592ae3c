-- String -> number conversion as C's strtod does it (PUC's l_str2d): the
-- nearest double, ties to even, for decimal and hexadecimal numerals of any
-- length; digits beyond what a double holds decide only rounding; an
-- exponent combines with the digit count without overflowing; signs,
-- whitespace and malformed texts. Checked through tonumber, string coercion
-- in arithmetic and the lexer, which share the conversion.

local function same(a, b) -- same number: subtype, value, sign of zero
  if math.type(a) ~= math.type(b) then return false end
  if a ~= a then return b ~= b end
  return a == b and (a ~= 0 or 1 / a == 1 / b)
end

local function check(s, want)
  local got = tonumber(s)
  assert(same(got, want) or got == nil and want == nil,
         string.format("%q: got %s, want %s", #s > 60 and s:sub(1, 60) .. "..." or s,
                       tostring(got), tostring(want)))
  if want ~= nil then
    assert(same(s + 0, want + 0)) -- coercion (adding integer 0 keeps the subtype)
    if s:match("^[%w%.]+$") and s:match("^%.?%d") then
      assert(same(load("return " .. s)(), want), s) -- the lexer
    end
  else
    assert(not pcall(function() return s + 0 end))
  end
end

local inf = math.huge
local tiny = 2 ^ -1074          -- the smallest subnormal
local maxf = 0x1.fffffffffffffp1023

-- short numerals
check("0", 0); check("-0", 0); check("-0.0", -0.0); check("0.0", 0.0)
check(".5", 0.5); check("5.", 5.0); check("+.5", 0.5); check("-.5", -0.5)
check("1E5", 1e5); check("1e+5", 100000.0); check("1e-5", 0.00001)
check("0.1", 1 / 10); check("  1.5  ", 1.5); check("\t\n\v\f\r 1.5 \t\n\v\f\r", 1.5)
check("1.7976931348623157e308", maxf)
check("1.7976931348623158e308", maxf)
check("1.7976931348623159e308", inf)
check("4.9406564584124654e-324", tiny)
check("2.4703282292062328e-324", tiny)
check("2.4703282292062327e-324", 0.0)
check("-2.4703282292062327e-324", -0.0)
check("2.2250738585072011e-308", 0x0.fffffffffffffp-1022)
check("2.2250738585072014e-308", 0x1p-1022)
check("9007199254740993", 9007199254740993)
check("9007199254740993.0", 2.0 ^ 53)          -- a tie: to even
check("9007199254740995.0", 2.0 ^ 53 + 4)      -- a tie: to even
check("9007199254740993.00000000000000000001", 2.0 ^ 53 + 2)
check("9223372036854775807", math.maxinteger)
check("9223372036854775808", 2.0 ^ 63)
check("-9223372036854775808", math.mininteger)
check("-9223372036854775809", -2.0 ^ 63)
check("000000000000000000000000000000001e-1", 0.1)
check("0000000000000000000000.000000000001e12", 1.0)

-- exponents near and beyond the 32- and 64-bit limits
check("1e2147483647", inf); check("1e2147483648", inf); check("1e4294967296", inf)
check("1e-2147483648", 0.0); check("1e-2147483649", 0.0); check("-1e-4294967296", -0.0)
check("1e9223372036854775807", inf); check("1e9223372036854775808", inf)
check("1e-9223372036854775808", 0.0); check("1e-9223372036854775809", 0.0)
check("1e18446744073709551616", inf); check("1e-18446744073709551617", 0.0)
check("1e99999999999999999999999999999999999999", inf)
check("0e99999999999999999999999", 0.0); check("-0e9223372036854775808", -0.0)
check("0.0e-99999999999999999999", 0.0)
check("1e+0000000000000000000000000000000000000000001", 10.0)

-- malformed
for _, s in ipairs{"", " ", "-", "+", ".", "-.", "e1", ".e1", "1e", "1e+", "1e-",
                   "1.5e", "1..5", "1.5.5", "1.5\0", "1 .5", "- 1", "--1", "+-1",
                   "1.5x", "inf", "-inf", "nan", "NaN", "infinity", "1e5 x",
                   "0x", "0x.", "0x.p1", "0xp1", "0x1p", "0x1p+", "0x-1", "0x1g",
                   "0x1.8.", "1e1.5", "0x1p1.5"} do
  check(s, nil)
end

-- hexadecimal
check("0x10", 16); check("0XfF", 255); check("-0x10", -16); check("+0x10", 16)
check("0x1P+3", 8.0); check("  0x1P+3  ", 8.0); check("0X1.P1", 2.0)
check("-0x1.8p1", -3.0); check("0x1.8e3", 1 + 0x8e3 / 0x1000); check("0xep1", 28.0)
check("0xA.8p-1", 5.25); check("0x.1", 0.0625)
check("0xffffffffffffffff", -1); check("0x10000000000000000", 0)
check("0xffffffffffffffff.0", 2.0 ^ 64); check("0xffffffffffffffffff.0", 2.0 ^ 72)
check("0x1p-1074", tiny); check("0x1p-1075", 0.0); check("0x1.0000000000001p-1075", tiny)
check("0x1p1023", 2.0 ^ 1023); check("0x1p1024", inf)
check("0x1.fffffffffffff8p1023", inf); check("0x1.fffffffffffff7ffffffffp1023", maxf)
check("0x1p2147483648", inf); check("0x1p-2147483649", 0.0)
check("0x1p9223372036854775808", inf); check("0x1p-9223372036854775809", 0.0)
check("0x0p99999999999999999999", 0.0); check("-0x0p-99999999999999999999", -0.0)

-- long numerals
for _, k in ipairs{17, 19, 20, 100, 309, 310, 767, 768, 769, 800, 801, 802, 1000, 100000} do
  local ones = ("1"):rep(k)
  check(ones .. "e-" .. (k - 1), 1.1111111111111112)
  check(("9"):rep(k) .. "e-" .. k, 1.0)
  check("0." .. ("0"):rep(k) .. "1e" .. (k + 1), 1.0)
  check(("0"):rep(k) .. "1.5", 1.5)
  check("1" .. ("0"):rep(k) .. "e-" .. k, 1.0)
  check("-1." .. ("0"):rep(k) .. "1", -1.0)
  check(ones .. "e" .. (-325 - k), 0.0)
  check("0x1" .. ("0"):rep(k) .. "p-" .. 4 * k, 1.0)
  check("0x0." .. ("0"):rep(k) .. "1p" .. (4 * k + 4), 1.0)
  check("0x1." .. ("0"):rep(k) .. "1", 1.0)
  check("0x1.00000000000008" .. ("0"):rep(k), 1.0)              -- a tie: to even
  check("0x1.00000000000008" .. ("0"):rep(k) .. "1", 1 + 2 ^ -52) -- above it
  check("0x" .. ("0"):rep(k) .. "1p-1074", tiny)
end
check(("1"):rep(1000000) .. "e-999999", 1.1111111111111112)
check(("1"):rep(1000000) .. "e-2147483647", 0.0)
check(("1"):rep(1000000) .. "e-9223372036854775808", 0.0)
check("0." .. ("0"):rep(1000000) .. "1e1000001", 1.0)
check(("1"):rep(10000), inf)

-- exact midpoints between doubles, computed here in decimal, and the texts
-- just above and just below them

-- natural numbers as little-endian arrays of base-10^7 limbs
local BASE = 10000000
local function big(n)
  local b = {}
  repeat b[#b + 1] = n % BASE; n = n // BASE until n == 0
  return b
end
local function mul(a, b)
  local r = {}
  for i = 1, #a + #b do r[i] = 0 end
  for i = 1, #a do
    local carry = 0
    for j = 1, #b do
      local x = r[i + j - 1] + a[i] * b[j] + carry
      r[i + j - 1] = x % BASE
      carry = x // BASE
    end
    local k = i + #b
    while carry > 0 do
      local x = r[k] + carry
      r[k] = x % BASE
      carry = x // BASE
      k = k + 1
    end
  end
  while #r > 1 and r[#r] == 0 do r[#r] = nil end
  return r
end
local function pow(base, e)
  local r, b = big(1), big(base)
  for _ = 1, e do r = mul(r, b) end
  return r
end
local function tostr(b)
  local t = {string.format("%d", b[#b])}
  for i = #b - 1, 1, -1 do t[#t + 1] = string.format("%07d", b[i]) end
  return table.concat(t)
end
-- the exact decimal text of m * 2^-e (m odd): m * 5^e / 10^e
local function frac(m, e)
  local d = tostr(mul(pow(5, e), big(m)))
  if #d <= e then d = ("0"):rep(e - #d + 1) .. d end
  return d:sub(1, #d - e) .. "." .. d:sub(#d - e + 1)
end
-- a midpoint (its last digit is a 5), its even neighbour, and the others
local function midpoint(s, even, above, below)
  check(s, even)
  check(s .. ("0"):rep(900) .. "1", above)
  check(s:sub(1, -2) .. "4" .. ("9"):rep(900), below)
end
midpoint(frac(1, 1075), 0.0, tiny, 0.0)
midpoint(frac(3, 1075), 2 * tiny, 2 * tiny, tiny)
midpoint(frac((1 << 53) + 1, 53), 1.0, 1 + 2 ^ -52, 1.0)
midpoint(frac((1 << 53) + 3, 53), 1 + 2 ^ -51, 1 + 2 ^ -51, 1 + 2 ^ -52)
midpoint(frac((1 << 53) - 1, 1075), 2 ^ -1022, 2 ^ -1022, 2 ^ -1022 - tiny)
local max = tostr(mul(pow(2, 971), big((1 << 53) - 1)))
check(max, maxf)
check(max .. ".5", maxf)
local mid = tostr(mul(pow(2, 970), big((1 << 54) - 1))) -- max + half an ulp
check(mid, inf)                                          -- a tie: to even
check(mid .. ".000000000000000000001", inf)
check(mid:sub(1, -2) .. (tonumber(mid:sub(-1)) - 1) .. ".999999999999999999999", maxf)
check(tostr(pow(2, 1024)), inf)

-- the conversion agrees with the exact value of the double printed with
-- 17 significant digits, for many doubles
local seed = 7
local function rand(k)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % k
end
for _ = 1, 2000 do
  local v = (rand(1 << 30) / (1 << 30) + 0.5) * 2.0 ^ (rand(2090) - 1070)
  local g = string.format("%.17g", v)
  check(g, g:find("[.e]") and v or math.tointeger(v)) -- digits only: an integer
  check(string.format("%a", v), v)
  check(string.format("%.40e", v), v)
end
