-- Tests of string.format: every conversion, flags, widths and precisions,
-- %q literals that read back, %s with tostring semantics, %p, and
-- PUC-Rio 5.4's errors and their order.

local maxi = 0x7fffffffffffffff
local mini = -maxi - 1
local fmt = string.format

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "call should have failed: " .. msg)
  err = tostring(err):gsub("^[^:]*:%d+: ", "")
  assert(err == msg, "expected <" .. msg .. "> got <" .. err .. ">")
end

-- Plain text, '%%' and embedded zeros.
assert(fmt("") == "")
assert(fmt("abc") == "abc")
assert(fmt("%%") == "%")
assert(fmt("%%%d %010d", 10, 23) == "%10 0000000023")
assert(fmt("\0%c\0%c%x\0", 0xe4, 98, 140) == "\0\xe4\0b8c\0")
assert(fmt("%s\0 is not \0%s", 'not be', 'be') == 'not be\0 is not \0be')
assert(fmt("\0%s\0", "\0\0\1") == "\0\0\0\1\0")
assert(fmt(12) == "12")
assert(fmt("%d %d", 1, 2, 3) == "1 2")   -- extra arguments are ignored

-- Integers.
assert(fmt("%d %5d %-5d| %05d %+d % d", 1, 2, 3, 4, 5, 6) == "1     2 3    | 00004 +5  6")
assert(fmt("%i", 42) == "42")
assert(fmt("%5.3i", 7) == "  007")
assert(fmt("%.3d|%.0d|%3.0d|", 5, 0, 0) == "005||   |")
assert(fmt("%013i", -100) == "-000000000100")
assert(fmt("%2.5d", -100) == "-00100")
assert(fmt("%+08d", 31501) == "+0031501")
assert(fmt("%+08d", -30927) == "-0030927")
assert(fmt("%d", 3.0) == "3")
assert(fmt("%d", "10") == "10")
assert(fmt("%d", " 0x10 ") == "16")
assert(fmt("%d", maxi) == "9223372036854775807")
assert(fmt("%d", mini) == "-9223372036854775808")
assert(fmt("%d", 2^53) == "9007199254740992")
assert(fmt("%x %X %#x %#X", 255, 255, 255, 255) == "ff FF 0xff 0XFF")
assert(fmt("%o %#o %#o", 8, 8, 0) == "10 010 0")
assert(fmt("%#x", 0) == "0")
assert(fmt("%x", -1) == "ffffffffffffffff")
assert(fmt("%x", mini) == "8000000000000000")
assert(fmt("%u", -1) == "18446744073709551615")
assert(fmt("%o", -1) == "1777777777777777777777")
assert(fmt("%.u", 0) == "")
assert(fmt("%x", 0.0) == "0")
assert(fmt("%02x", 0.0) == "00")
assert(fmt("%08X", 0xFFFFFFFF) == "FFFFFFFF")
assert(fmt("%#12o", 10) == "         012")
assert(fmt("%#10x", 100) == "      0x64")
assert(fmt("%#-17X", 100) == "0X64             ")
assert(fmt("%#.5x", 0xab) == "0x000ab")
assert(fmt("%-#10o|", 8) == "010       |")
assert(fmt("%99d", 1) == string.rep(" ", 98) .. "1")
assert(fmt("%.99d", 1) == string.rep("0", 98) .. "1")
assert(fmt("%-------------------d", 1) == "1")

-- Characters.
assert(fmt("%c%c%c", 72, 105, 0) == "Hi\0")
assert(fmt("%5c|%-5c|", 65, 66) == "    A|B    |")
assert(fmt("%c", 256 + 65) == "A")
assert(fmt("%-16c", 97) == "a               ")
assert(fmt("%1c%-c%-1c%c", 34, 48, 90, 100) == '"0Zd')

-- Floats.
assert(fmt("%f", 10.3) == "10.300000")
assert(tonumber(fmt("%f", 10.3)) == 10.3)
assert(fmt("%10.3f|%-10.2e|", 3.14159, 31415.9) == "     3.142|3.14e+04  |")
assert(fmt("%g %G %E", 1e20, 1e-20, 12345.678) == "1e+20 1E-20 1.234568E+04")
assert(fmt("%.14g", 0.1) == "0.1")
assert(fmt("%.17g", 0.1) == "0.10000000000000001")
assert(fmt("%g %g %g", 100000, 1000000, 1e-5) == "100000 1e+06 1e-05")
assert(fmt("%.3g|%#g|%#.3g|%+.3e", 0.0001234, 1.0, 1.0, 0) == "0.000123|1.00000|1.00|+0.000e+00")
assert(fmt("%5.1f|%-8.3f|%08.3f|%+08.3f|% f", 1.25, 1.0005, -1.5, 1.5, 2) ==
       "  1.2|1.000   |-001.500|+001.500| 2.000000")
assert(fmt("%.0e %.0e %.1f %.1f %.2f", 15, 25, 0.05, 0.25, 1.005) == "2e+01 2e+01 0.1 0.2 1.00")
assert(fmt("%.f %.0f %#.0f", 2.5, 3.5, 1) == "2 4 1.")
assert(fmt("%+#014.0f", 100) == "+000000000100.")
assert(fmt("%+.3G", 1.5) == "+1.5")
assert(fmt("%g", -0.0) == "-0")
assert(fmt("%12.5e", -0.0) == "-0.00000e+00")
assert(fmt("%e", "1e3") == "1.000000e+03")
assert(fmt("%g", 5e-324) == "4.94066e-324")
assert(fmt("%f %f %f", 1/0, -1/0, 0/0):find("^inf %-inf %-?nan$"))
assert(fmt("%5.1f|%-6f|%E", 1/0, -1/0, 1/0) == "  inf|-inf  |INF")
assert(fmt("% 1.0E", 100) == " 1E+02")
assert(fmt("% .1g", 2^10) == " 1e+03")
do   -- the longest numbers
  local s = fmt("%.99f", -1.7976931348623157e308)
  assert(#s == 309 + 1 + 1 + 99)
  assert(tonumber(s) == -1.7976931348623157e308)
  s = fmt('%.99f', -(10^38))
  assert(#s >= 38 + 101 and tonumber(s) == -(10^38))
  assert(#fmt("%099.99f", 1) == 101)
end

-- Hexadecimal floats.
assert(fmt("%a %A", 1.0, 0.5) == "0x1p+0 0X1P-1")
assert(fmt("%a", -0.0) == "-0x0p+0")
assert(fmt("%A", 0.0) == "0X0P+0")
assert(fmt("%a", 0.1) == "0x1.999999999999ap-4")
assert(fmt("%.3a", 1/3) == "0x1.555p-2")
assert(fmt("%.0a %.0a", 1.5, 2.5) == "0x2p+0 0x1p+1")
assert(fmt("%10.2a|", 1) == " 0x1.00p+0|")
assert(fmt("%+a|% a|%#.0a", 3, 4, 6) == "+0x1.8p+1| 0x1p+2|0x2.p+2")
assert(fmt("%08.3a|%-+10a|", -1.5, 0.75) == "-0x1.800p+0|+0x1.8p-1 |")
assert(fmt("%a", 5e-324) == "0x0.0000000000001p-1022")
assert(fmt("%a", 1.7976931348623157e308) == "0x1.fffffffffffffp+1023")
assert(fmt("%a %A", 1/0, -1/0) == "inf -INF")
for _, n in ipairs{0.1, -0.1, 1/3, -1/3, 1e30, -1e30, -45/247, 1, -1, 2, -2, 3e-20, -3e-20} do
  local s = fmt("%a", n)
  assert(s:find("^%-?0x[1-9a-f]%.?[0-9a-f]*p[-+]?%d+$"))
  assert(tonumber(s) == n)
  s = fmt("%A", n)
  assert(s:find("^%-?0X[1-9A-F]%.?[0-9A-F]*P[-+]?%d+$"))
  assert(tonumber(s) == n)
end

-- Strings and tostring semantics.
assert(fmt("%5.2s|", "abcdef") == "   ab|")
assert(fmt("%-8s|", "ab") == "ab      |")
assert(fmt("%.0s|%.s|", "abc", "abc") == "||")
assert(fmt('"%-50s"', 'a') == '"a' .. string.rep(' ', 49) .. '"')
assert(fmt("-%.20s.20s", string.rep("%", 2000)) == "-" .. string.rep("%", 20) .. ".20s")
assert(fmt('"-%20s.20s"', string.rep("%", 2000)) == fmt("%q", "-" .. string.rep("%", 2000) .. ".20s"))
assert(fmt("%s", string.rep("x", 200)) == string.rep("x", 200))
assert(fmt("%-99s", string.rep("x", 200)) == string.rep("x", 200))
assert(fmt("%s %s", nil, true) == "nil true")
assert(fmt("%s %.4s", false, true) == "false true")
assert(fmt("%.3s %.3s", false, true) == "fal tru")
assert(fmt("%s %s %s %s", 12, 1.5, -0.0, 2^63) == "12 1.5 -0.0 9.2233720368548e+18")
assert(fmt("%s", "a\0b") == "a\0b")
do
  local m = setmetatable({}, {__tostring = function() return "hello" end, __name = "hi"})
  assert(fmt("%s %.10s", m, m) == "hello hello")
  getmetatable(m).__tostring = nil
  assert(fmt("%.4s", m) == "hi: ")
  assert(fmt("%s", m):find("^hi: 0x%x+$"))
  getmetatable(m).__tostring = function() return 42 end
  assert(fmt("%s", m) == "42")
  getmetatable(m).__tostring = function() return {} end
  checkerror("'__tostring' must return a string", fmt, "%s", m)
  getmetatable(m).__tostring = function() return "a\0b" end
  checkerror("bad argument #2 to 'string.format' (string contains zeros)", fmt, "%5s", m)
  assert(fmt("%s", m) == "a\0b")
end
assert(fmt("%s", {}):find("^table: 0x%x+$"))
checkerror("bad argument #2 to 'string.format' (string contains zeros)", fmt, "%10s", "\0")
checkerror("bad argument #2 to 'string.format' (string contains zeros)", fmt, "%.3s", "ab\0c")

-- %q
do
  local x = '"\xe1lo"\n\\'
  assert(fmt('%q%s', x, x) == '"\\"\xe1lo\\"\\\n\\\\""\xe1lo"\n\\')
  assert(fmt('%q', "\0") == [["\0"]])
  assert(fmt('%q', "\r\n\0010\200\127") == '"\\13\\\n\\0010\200\\127"')
  assert(load(fmt('return %q', x))() == x)
  x = "\0\1\0023\5\0009"
  assert(load(fmt('return %q', x))() == x)
  -- math.type without the math library: a float's tostring always has a
  -- '.', an exponent, "inf" or "nan".
  local function mtype(v)
    if type(v) ~= "number" then return nil end
    return tostring(v):find("^%-?%d+$") and "integer" or "float"
  end
  local function checkQ(v)
    local s = fmt("%q", v)
    local nv = load("return " .. s)()
    assert(v == nv and mtype(v) == mtype(nv), s)
  end
  checkQ("\0\0\1\255\u{234}")
  checkQ(maxi)
  checkQ(mini)
  checkQ(0x1.921fb54442d18p+1)
  checkQ(0.1)
  checkQ(-0.0)
  checkQ(5e-324)
  checkQ(1e300)
  checkQ(2^63)
  checkQ(true)
  checkQ(false)
  checkQ(nil)
  checkQ(1/0)
  checkQ(-1/0)
  assert(fmt("%q", 0/0) == "(0/0)")
  assert(fmt("%q", 1/0) == "1e9999")
  assert(fmt("%q", -1/0) == "-1e9999")
  assert(fmt("%q", mini) == "0x8000000000000000")
  assert(fmt("%q", 42) == "42")
  assert(fmt("%q", 1.0) == "0x1p+0")
  assert(fmt("%q", 0.1) == "0x1.999999999999ap-4")
  assert(fmt("%q %q %q", nil, true, false) == "nil true false")
  checkerror("bad argument #2 to 'string.format' (value has no literal form)", fmt, "%q", {})
  checkerror("bad argument #2 to 'string.format' (value has no literal form)", fmt, "%q", print)
  checkerror("specifier '%q' cannot have modifiers", fmt, "%10q", "x")
  checkerror("specifier '%q' cannot have modifiers", fmt, "%-q", "x")
end

-- %p
do
  local null = "(null)"
  assert(fmt("%p", 4) == null)
  assert(fmt("%p", true) == null)
  assert(fmt("%p", nil) == null)
  assert(fmt("%p", {}) ~= null)
  assert(fmt("%p", {}):find("^0x%x+$"))
  assert(fmt("%p", print) ~= null)
  assert(fmt("%p", coroutine.running()) ~= null)
  assert(fmt("%p", print) == fmt("%p", print))
  assert(fmt("%p", print) ~= fmt("%p", assert))
  assert(#fmt("%90p", {}) == 90)
  assert(#fmt("%-60p", {}) == 60)
  assert(fmt("%10p", false) == string.rep(" ", 10 - #null) .. null)
  assert(fmt("%-12p", 1.5) == null .. string.rep(" ", 12 - #null))
  local t1, t2 = {}, {}
  assert(fmt("%p", t1) ~= fmt("%p", t2))
  assert(fmt("%p", t1) == fmt("%p", t1))
  assert(tostring(t1) == "table: " .. fmt("%p", t1))
  local s1 = string.rep("a", 10)
  local s2 = string.rep("aa", 5)
  assert(fmt("%p", s1) == fmt("%p", s2))   -- short strings are interned
  checkerror("invalid conversion specification: '%.3p'", fmt, "%.3p", {})
end

-- Errors, and which one wins when several apply.
local function check(f, msg)
  checkerror(msg, fmt, f, 10)
end
local aux = string.rep('0', 600)
check("%100.3d", "invalid conversion specification: '%100.3d'")
check("%1" .. aux .. ".3d", "invalid format (too long)")
check("%1.100d", "invalid conversion specification: '%1.100d'")
check("%10.1" .. aux .. "004d", "invalid format (too long)")
check("%t", "invalid conversion '%t' to 'format'")
check("%" .. aux .. "d", "invalid format (too long)")
check("%d %d", "bad argument #3 to 'string.format' (no value)")
check("%010c", "invalid conversion specification: '%010c'")
check("%.10c", "invalid conversion specification: '%.10c'")
check("%0.34s", "invalid conversion specification: '%0.34s'")
check("%#i", "invalid conversion specification: '%#i'")
check("%3.1p", "invalid conversion specification: '%3.1p'")
check("%0.s", "invalid conversion specification: '%0.s'")
check("%10q", "specifier '%q' cannot have modifiers")
check("%F", "invalid conversion '%F' to 'format'")
check("%ld", "invalid conversion '%l' to 'format'")
check("%+u", "invalid conversion specification: '%+u'")
check("%+x", "invalid conversion specification: '%+x'")
check("%#s", "invalid conversion specification: '%#s'")
check("% s", "invalid conversion specification: '% s'")
check("%05s", "invalid conversion specification: '%05s'")
check("%5\0d", "invalid conversion '%5' to 'format'")
check("%---------------------d", "invalid format (too long)")
assert(fmt("%--------------------d", 1) == "1")
checkerror("bad argument #2 to 'string.format' (no value)", fmt, "%d")
checkerror("bad argument #2 to 'string.format' (no value)", fmt, "%")
checkerror("bad argument #2 to 'string.format' (no value)", fmt, "abc%")
checkerror("invalid conversion '%' to 'format'", fmt, "%", 1)
checkerror("invalid conversion '%5' to 'format'", fmt, "%5", 1)
checkerror("invalid conversion '%\255' to 'format'", fmt, "%\255", 1)
checkerror("bad argument #2 to 'string.format' (number has no integer representation)", fmt, "%d", 3.5)
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%d", "x")
checkerror("bad argument #2 to 'string.format' (number has no integer representation)", fmt, "%d", "12.5")
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%f", "x")
checkerror("bad argument #2 to 'string.format' (number expected, got Obj)", fmt, "%d",
           setmetatable({}, {__name = "Obj"}))
checkerror("bad argument #1 to 'string.format' (string expected, got no value)", fmt)
-- d i u o x X e E f g G: the argument is checked before the specification;
-- c a A: the specification first.
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%#d", "x")
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%#5.3u", "x")
checkerror("bad argument #2 to 'string.format' (number expected, got string)", fmt, "%100f", "x")
checkerror("invalid conversion specification: '%05c'", fmt, "%05c", "x")
checkerror("invalid conversion specification: '%100a'", fmt, "%100a", "x")
checkerror("invalid conversion specification: '%.3p'", fmt, "%.3p", nil)
-- %s converts first, then checks zeros, then the specification.
checkerror("bad argument #2 to 'string.format' (string contains zeros)", fmt, "%#s", "\0")
checkerror("invalid conversion specification: '%#s'", fmt, "%#s", "x")
-- Errors in a later item come after the earlier items were formatted.
checkerror("bad argument #3 to 'string.format' (number expected, got nil)", fmt, "%d %d", 1, nil)
