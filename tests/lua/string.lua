-- Tests of the string library's simple functions (len, sub, byte, char,
-- rep, reverse, lower, upper, dump), the string metatable and the
-- arithmetic metamethods of strings, with PUC-Rio 5.4's error messages.

local maxi = 0x7fffffffffffffff
local mini = -maxi - 1

-- Calls f(...) and checks that it fails with exactly `msg` (after the
-- "chunk:line: " prefix, if any).
local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "call should have failed: " .. msg)
  err = tostring(err):gsub("^[^:]*:%d+: ", "")
  assert(err == msg, "expected <" .. msg .. "> got <" .. err .. ">")
end

-- Counts the values returned.
local function count(...) return select('#', ...) end

-- string.len
assert(string.len("") == 0)
assert(string.len("abc") == 3)
assert(string.len("a\0b\0") == 4)
assert(string.len(123) == 3)
assert(string.len(-1.5) == 4)
assert(("xyz"):len() == 3)
checkerror("bad argument #1 to 'string.len' (string expected, got no value)", string.len)
checkerror("bad argument #1 to 'string.len' (string expected, got table)", string.len, {})
checkerror("bad argument #1 to 'string.len' (string expected, got nil)", string.len, nil)

-- string.sub
local s = "123456789"
assert(s:sub(2, 4) == "234")
assert(s:sub(7) == "789")
assert(s:sub(7, 6) == "")
assert(s:sub(0, 0) == "")
assert(s:sub(-10, 10) == s)
assert(s:sub(-1) == "9")
assert(s:sub(-4) == "6789")
assert(s:sub(-6, -4) == "456")
assert(s:sub(mini, -4) == "123456")
assert(s:sub(mini, maxi) == s)
assert(s:sub(mini, mini) == "")
assert(s:sub(maxi, maxi) == "")
assert(s:sub(10) == "")
assert(s:sub(3.0, "5") == "345")
assert(("\0001\0002"):sub(2, 3) == "1\0")
assert(string.sub(12345, 2, 3) == "23")
checkerror("bad argument #2 to 'string.sub' (number expected, got no value)", string.sub, "x")
checkerror("bad argument #2 to 'string.sub' (number has no integer representation)", string.sub, "x", 1.5)
checkerror("bad argument #3 to 'string.sub' (number expected, got string)", string.sub, "x", 1, "a")

-- string.byte
assert(string.byte("a") == 97)
assert(string.byte("\xe4") == 228)
assert(string.byte("\0") == 0)
assert(string.byte("\0\0alo\0x", -1) == string.byte('x'))
assert(string.byte("ba", 2) == 97)
assert(string.byte("\n\n", 2, -1) == 10)
assert(count(string.byte("")) == 0)
assert(count(string.byte("hi", -3)) == 0)
assert(count(string.byte("hi", 3)) == 0)
assert(count(string.byte("hi", 9, 10)) == 0)
assert(count(string.byte("hi", 2, 1)) == 0)
assert(count(string.byte("hello", 1, -1)) == 5)
assert(count(string.byte("hello", -100, 100)) == 5)
do
  local a, b, c = string.byte("abc", 1, 3)
  assert(a == 97 and b == 98 and c == 99)
end
assert(count(string.byte(string.rep("x", 300), 1, -1)) == 300)
checkerror("stack overflow (string slice too long)", string.byte, string.rep("x", 2000000), 1, -1)

-- string.char
assert(string.char() == "")
assert(string.char(0, 255, 0) == "\0\255\0")
assert(string.char(72, "105", 33.0) == "Hi!")
assert(string.char(string.byte("\xe4l\0u", 1, -1)) == "\xe4l\0u")
checkerror("bad argument #1 to 'string.char' (value out of range)", string.char, 256)
checkerror("bad argument #2 to 'string.char' (value out of range)", string.char, 65, -1)
checkerror("bad argument #1 to 'string.char' (value out of range)", string.char, maxi)
checkerror("bad argument #1 to 'string.char' (value out of range)", string.char, mini)
checkerror("bad argument #2 to 'string.char' (number expected, got table)", string.char, 1, {})
checkerror("bad argument #1 to 'string.char' (number has no integer representation)", string.char, 1.5)

-- string.rep
assert(string.rep('teste', 0) == '')
assert(string.rep('tes\00te', 2) == 'tes\0tetes\000te')
assert(string.rep('', 10) == '')
assert(string.rep('ab', 3) == 'ababab')
assert(string.rep('ab', -3) == '')
assert(string.rep('ab', mini) == '')
assert(string.rep('teste', 0, 'xuxu') == '')
assert(string.rep('teste', 1, 'xuxu') == 'teste')
assert(string.rep('\1\0\1', 2, '\0\0') == '\1\0\1\0\0\1\0\1')
assert(string.rep('', 10, '.') == string.rep('.', 9))
assert(string.rep('x', 5, '') == 'xxxxx')
assert(string.rep('ab', 4, ',') == 'ab,ab,ab,ab')
assert(string.rep(1, 3, 2) == '12121')
for i = 0, 40 do
  assert(#string.rep('a', i) == i)
  assert(#string.rep('ab', i, 'c') == (i > 0 and 3 * i - 1 or 0))
end
assert(#string.rep("abc", 100000, "--") == 3 * 100000 + 2 * 99999)
checkerror("resulting string too large", string.rep, 'aa', 1 << 30)
checkerror("resulting string too large", string.rep, 'a', 1 << 30, ',')
checkerror("resulting string too large", string.rep, 'x', maxi)
checkerror("resulting string too large", string.rep, '', maxi // 2 + 10, 'aa')
checkerror("bad argument #2 to 'string.rep' (number expected, got no value)", string.rep, 'a')
checkerror("bad argument #3 to 'string.rep' (string expected, got table)", string.rep, 'a', 2, {})

-- string.reverse, lower, upper
assert(string.reverse("") == "")
assert(string.reverse("\0\1\2\3") == "\3\2\1\0")
assert(string.reverse("\0001234") == "4321\0")
assert(string.reverse(123) == "321")
assert(string.upper("ab\0c") == "AB\0C")
assert(string.lower("\0ABCc%$") == "\0abcc%$")
assert(string.upper("\xe4\xc4z") == "\xe4\xc4Z")
assert(string.lower("\xe4\xc4Z") == "\xe4\xc4z")
assert(string.upper(1e100) == "1E+100")
checkerror("bad argument #1 to 'string.upper' (string expected, got boolean)", string.upper, true)

-- string.dump
checkerror("bad argument #1 to 'string.dump' (function expected, got no value)", string.dump)
checkerror("bad argument #1 to 'string.dump' (function expected, got number)", string.dump, 1)
checkerror("unable to dump given function", string.dump, print)

-- the string metatable
do
  local mt = getmetatable("")
  assert(type(mt) == "table")
  assert(getmetatable("abc") == mt)
  assert(mt.__index == string)
  for _, e in ipairs{"__add", "__sub", "__mul", "__mod", "__pow", "__div", "__idiv", "__unm"} do
    assert(type(mt[e]) == "function", e)
  end
  assert(mt.__band == nil and mt.__concat == nil and mt.__len == nil)
  assert(("abc"):upper() == "ABC")
  assert(("%d"):rep(2) == "%d%d")
  assert(("x").len == string.len)
  assert(("abc")[2] == nil)
  local ok, err = pcall(function() return ("x"):nosuchmethod() end)
  assert(not ok and err:find("attempt to call a nil value %(method 'nosuchmethod'%)"))
  ok, err = pcall(function() return ("x"):rep("y") end)
  assert(not ok and err:find("bad argument #1 to 'rep' %(number expected, got string%)"))
end

-- arithmetic on strings
assert("10" + 1 == 11)
assert("10" - "3" == 7)
assert("2" * "3" == 6)
assert("7" % "3" == 1)
assert("2" ^ "10" == 1024.0)
assert("7" / "2" == 3.5)
assert("7" // "2" == 3)
assert(-"3" == -3)
assert(-"3.5" == -3.5)
assert("0x10" + 0 == 16)
assert(" 10 " + 0 == 10)
assert("1e2" + 0 == 100.0)
assert("10" + 1.5 == 11.5)
assert(10 + "1" == 11)
assert("9223372036854775807" + 1 == mini)
assert(tostring("10" + 1) == "11")
assert(tostring("10" * 1.0) == "10.0")
assert(tostring("7.0" // 2) == "3.0")
assert(tostring("1" / "1") == "1.0")
checkerror("attempt to add a 'string' with a 'number'", function() return "abc" + 1 end)
checkerror("attempt to add a 'number' with a 'string'", function() return 1 + "abc" end)
checkerror("attempt to sub a 'string' with a 'string'", function() return "a" - "1" end)
checkerror("attempt to mul a 'string' with a 'table'", function() return "1" * {} end)
checkerror("attempt to add a 'table' with a 'string'", function() return {} + "1" end)
checkerror("attempt to unm a 'string' with a 'string'", function() return -"abc" end)
checkerror("attempt to pow a 'string' with a 'nil'", function() local x; return "2" ^ x end)
checkerror("attempt to add a 'string' with a 'number'", function() return "1\0" + 1 end)
checkerror("attempt to divide by zero", function() return "1" // "0" end)
checkerror("attempt to perform 'n%0'", function() return "1" % "0" end)
-- A non-string operand's own metamethod is used when the string does not
-- convert.
do
  local obj = setmetatable({}, {__add = function(a, b) return "mt" end,
                                __concat = function() return "c" end})
  assert("x" + obj == "mt")
  assert(obj + "x" == "mt")
  assert("10" + obj == "mt")
end
-- Bitwise operators do not convert strings.
checkerror("attempt to perform bitwise operation on a string value (constant '10')",
           function() return "10" & 1 end)

