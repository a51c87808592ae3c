-- Differential test of string -> number conversion (tonumber, the lexer,
-- string coercion in arithmetic): decimal and hexadecimal numerals of any
-- length, exponents near the 32- and 64-bit limits, exact midpoints between
-- doubles, signs, whitespace and malformed texts. Every result is printed
-- exactly (subtype and "%a"), so any difference in rounding shows.

local function show(v)
  if v == nil then return "nil" end
  if math.type(v) == "integer" then return "int " .. string.format("%d", v) end
  return "flt " .. string.format("%a", v)
end

local n = 0
local function case(s)
  n = n + 1
  local r = tonumber(s)
  local line = n .. "\t" .. show(r)
  -- string coercion in arithmetic goes through the same conversion
  local ok, c = pcall(function() return s + 0 end)
  line = line .. "\t" .. (ok and show(c) or "error")
  -- the lexer: a numeral without sign or spaces is also valid source
  if s:match("^[%w%.]+$") and s:match("^%.?%d") then
    local f = load("return " .. s)
    line = line .. "\t" .. (f and show(f()) or "syntax error")
  end
  print(line)
end

-- Short texts.
for _, s in ipairs{
  "0", "-0", "+0", "-0.0", "0.0", ".5", "5.", "+.5", "-.5", ".", "-.", "e1", ".e1",
  "1e", "1e+", "1e-", "1E5", "1e+5", "1e-5", "1.5e", "1.5e+x", "1..5", "1.5.5",
  "0.1", "0.2", "0.3", "1.7976931348623157e308", "1.7976931348623158e308",
  "1.7976931348623159e308", "179769313486231580793728971405301e276",
  "179769313486231580793728971405304e276", "4.9406564584124654e-324",
  "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-324", "3e-324",
  "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
  "9007199254740993", "9007199254740993.0", "9007199254740995.0",
  "9007199254740993.00000000000000000001", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
  "18446744073709551615", "18446744073709551616", "99999999999999999999",
  "1e2147483647", "1e2147483648", "1e4294967295", "1e4294967296",
  "1e-2147483648", "1e-2147483649", "1e-4294967296", "1e9223372036854775807",
  "1e9223372036854775808", "1e-9223372036854775808", "1e-9223372036854775809",
  "1e18446744073709551616", "1e-18446744073709551617",
  "1e99999999999999999999999999999999999999", "0e99999999999999999999999",
  "0.0e-99999999999999999999", "0e-9223372036854775809", "-0e9223372036854775808",
  "1e+0000000000000000000000000000000000000000001",
  "000000000000000000000000000000001e-1", "0000000000000000000000.000000000001e12",
  "  1.5  ", "\t\n\v\f\r 1.5 \t\n\v\f\r", "1.5\0", "1 .5", "- 1", "--1", "+-1",
  "1.5x", "inf", "-inf", "nan", "NaN", "infinity", "1e5 x",
  -- hexadecimal
  "0x", "0x.", "0x.p1", "0xp1", "0x1p", "0x1p+", "0x1P+3", "  0x1P+3  ", "0X1.P1",
  "-0x1.8p1", "+0x10", "0x1.8e3", "0xep1", "0xA.8p-1", "0x.1", "0x1p-1074",
  "0x1p-1075", "0x1.0000000000001p-1075", "0x1p1023", "0x1p1024",
  "0x1.fffffffffffff8p1023", "0x1.fffffffffffff7ffffffffp1023",
  "0x0.0000000000001p-1022", "0x1p2147483647", "0x1p2147483648",
  "0x1p-2147483648", "0x1p-2147483649", "0x1p9223372036854775807",
  "0x1p9223372036854775808", "0x1p-9223372036854775808",
  "0x1p-9223372036854775809", "0x0p99999999999999999999", "0x1p99999999999999999999",
  "0x1p-99999999999999999999", "0xffffffffffffffff", "0x10000000000000000",
  "0x7fffffffffffffff", "0x8000000000000000", "-0x8000000000000000",
  "0xffffffffffffffff.0", "0xffffffffffffffffff.0", "0x-1", "0x1g", "0x1.8.",
} do case(s) end

-- Long texts: digits beyond what a double holds only decide rounding, and
-- an exponent that compensates a huge digit count works.
for _, k in ipairs{17, 18, 19, 20, 21, 100, 308, 309, 310, 330, 340, 767, 768,
                   769, 770, 799, 800, 801, 802, 1000, 5000, 100000} do
  case(("1"):rep(k) .. "e-" .. (k - 1))
  case(("9"):rep(k) .. "e-" .. k)
  case(("1"):rep(k) .. "e" .. (308 - k))
  case(("1"):rep(k) .. "e" .. (309 - k))
  case(("1"):rep(k) .. "e" .. (-324 - k))
  case(("1"):rep(k) .. "e" .. (-325 - k))
  case(("1"):rep(k))
  case("0." .. ("0"):rep(k) .. "1e" .. (k + 1))
  case("0." .. ("0"):rep(k) .. "1")
  case(("0"):rep(k) .. "1.5")
  case("1" .. ("0"):rep(k) .. "e-" .. k)
  case("1." .. ("0"):rep(k) .. "1")
  case("-1." .. ("9"):rep(k))
  case("0x1" .. ("0"):rep(k) .. "p-" .. 4 * k)
  case("0x" .. ("f"):rep(k) .. "p-" .. 4 * k)
  case("0x0." .. ("0"):rep(k) .. "1p" .. (4 * k + 4))
  case("0x1." .. ("0"):rep(k) .. "1")
  case("0x1.00000000000008" .. ("0"):rep(k))
  case("0x1.00000000000008" .. ("0"):rep(k) .. "1")
  case("0x1.00000000000018" .. ("0"):rep(k))
  case("0x" .. ("0"):rep(k) .. "1p-1074")
end
case(("1"):rep(1000000) .. "e-999999")
case("0." .. ("0"):rep(1000000) .. "1e1000001")
case(("1"):rep(1000000) .. "e-2147483647")
case(("1"):rep(1000000) .. "e-9223372036854775808")

-- Exact midpoints between adjacent doubles (ties go to even), and texts
-- just above and below them. Decimal expansions computed exactly here.

-- Natural numbers as little-endian arrays of base-10^7 limbs.
local BASE = 10000000
local function big(n) -- n: a nonnegative integer
  local b = {}
  repeat b[#b + 1] = n % BASE; n = n // BASE until n == 0
  return b
end
local function mul(a, b) -- a * b
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
-- The decimal text of m * 2^-e (m an odd integer, e > 0): m * 5^e / 10^e.
local function frac(m, e)
  local d = tostr(mul(pow(5, e), big(m)))
  if #d <= e then d = ("0"):rep(e - #d + 1) .. d end
  return d:sub(1, #d - e) .. "." .. d:sub(#d - e + 1)
end
local function around(s)
  case(s)
  case(s .. "0000000000000000000000000000000001")
  -- just below: the last digit (a 5) lowered, nines after it
  case(s:sub(1, -2) .. "4" .. ("9"):rep(40))
end
around(frac(1, 1075))                      -- half the smallest subnormal
around(frac(3, 1075))                      -- between 1 and 2 times it
around(frac((1 << 53) + 1, 53))            -- 1 + 2^-53
around(frac((1 << 53) + 3, 53))            -- 1 + 3 * 2^-53
around(frac((1 << 53) - 1, 1075))          -- below the smallest normal
around(frac((1 << 54) - 1, 1076))
-- The largest double, 2^971 * (2^53 - 1), and the midpoint above it,
-- 2^970 * (2^54 - 1), which rounds to inf (its even neighbour).
do
  local max = tostr(mul(pow(2, 971), big((1 << 53) - 1)))
  case(max)
  case(max .. ".5")
  local mid = tostr(mul(pow(2, 970), big((1 << 54) - 1)))
  case(mid)
  case(mid .. ".000000000000000000001")
  case(mid:sub(1, -2) .. (tonumber(mid:sub(-1)) - 1) .. ".999999999999999999999")
  case(tostr(pow(2, 1024)))
end

-- Pseudo-random numerals (a fixed linear congruential sequence).
local seed = 12345
local function rand(k)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % k
end
local function digits(k, hex)
  local t = {}
  for i = 1, k do
    local d = rand(hex and 16 or 10)
    t[i] = string.format(hex and "%x" or "%d", d)
  end
  return table.concat(t)
end
for _ = 1, 400 do
  local hex = rand(4) == 0
  local ni, nf = rand(30), rand(30)
  if ni + nf == 0 then ni = 1 end
  local s = digits(ni, hex)
  if nf > 0 or rand(2) == 0 then s = s .. "." .. digits(nf, hex) end
  if rand(3) > 0 then
    local e = rand(hex and 2200 or 700) - (hex and 1100 or 350)
    s = s .. (hex and "p" or "e") .. e
  end
  if hex then s = "0x" .. s end
  if rand(4) == 0 then s = "-" .. s end
  case(s)
end
