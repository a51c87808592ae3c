-- Tests of string.find, string.match, string.gmatch and string.gsub:
-- positions, plain searches, every pattern item, captures, replacements
-- and PUC-Rio 5.4's errors.

local maxi = 0x7fffffffffffffff
local mini = -maxi - 1

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "call should have failed: " .. msg)
  err = tostring(err):gsub("^[^:]*:%d+: ", "")
  assert(err == msg, "expected <" .. msg .. "> got <" .. err .. ">")
end

local function count(...) return select('#', ...) end

-- Joins the values of an iterator into one string.
local function collect(sep, f, s, c)
  local r = ""
  for a, b in f, s, c do
    r = r .. tostring(a) .. (b ~= nil and "=" .. tostring(b) or "") .. sep
  end
  return r
end

-- find: positions and plain searches.
assert(string.find("123456789", "345") == 3)
do
  local a, b = string.find("123456789", "345")
  assert(a == 3 and b == 5)
end
assert(string.find("1234567890123456789", "345", 3) == 3)
assert(string.find("1234567890123456789", "345", 4) == 13)
assert(not string.find("1234567890123456789", "346", 4))
assert(string.find("1234567890123456789", ".45", -9) == 13)
assert(not string.find("abcdefg", "\0", 5, 1))
assert(string.find("", "") == 1)
assert(string.find("", "", 1) == 1)
assert(not string.find("", "", 2))
assert(not string.find('', 'aaa', 1))
assert(('alo(.)alo'):find('(.)', 1, 1) == 4)
assert(string.find("abc", "", 4) == 4)
assert(not string.find("abc", "", 5))
assert(string.find("abc", "", -1) == 3)
assert(string.find("abc", "b", mini) == 2)
assert(not string.find("abc", "b", maxi))
assert(string.find("a+b", "+", 1, true) == 2)
assert(string.find("a.b", ".", 1, true) == 2)
assert(string.find("a\0b", "\0", 1, true) == 2)
assert(string.find("a\0b", "b\0", 1, true) == nil)
assert(string.find("abc", "b", nil, nil) == 2)
assert(string.find(12345, 34) == 3)
do
  local a, b, c, d = string.find("hello", "(l)(l)")
  assert(a == 3 and b == 4 and c == "l" and d == "l")
  assert(count(string.find("hello", "l+")) == 2)
  assert(count(string.find("hello", "()ll()")) == 4)
  assert(select(3, string.find("hello", "()ll")) == 3)
end
checkerror("bad argument #3 to 'string.find' (number has no integer representation)",
           string.find, "abc", "b", 1.5)
checkerror("bad argument #2 to 'string.find' (string expected, got no value)", string.find, "abc")

-- match.
assert(string.match("key=val", "(%w+)=(%w+)") == "key")
assert(select(2, string.match("key=val", "(%w+)=(%w+)")) == "val")
assert(string.match("hello", "l+") == "ll")
assert(string.match("hello", "^h") == "h")
assert(string.match("hello", "^e") == nil)
assert(string.match("hello", "o$") == "o")
assert(string.match("hel$lo", "l$l") == "l$l")
assert(string.match("a^b", "a^b") == "a^b")
assert(string.match("  trim  ", "^%s*(.-)%s*$") == "trim")
assert(string.match("hello", ".", 0) == "h")
assert(string.match("hello", ".", -2) == "l")
assert(string.match("hello", "()", 6) == 6)
assert(string.match("hello", "()", 7) == nil)
assert(string.match("2024-01-15", "(%d+)-(%d+)-(%d+)") == "2024")
assert(count(string.match("hello", "(h)(e)(l)(l)(o)")) == 5)

-- single-character classes and sets.
assert(string.match("abc123", "%a+") == "abc")
assert(string.match("abc123", "%d+") == "123")
assert(string.match(" \t\n\v\f\rx", "%s+") == " \t\n\v\f\r")
assert(string.match("a.b,c", "%p") == ".")
assert(string.match("\1\2a", "%c+") == "\1\2")
assert(string.match("abcDEF", "%l+") == "abc")
assert(string.match("abcDEF", "%u+") == "DEF")
assert(string.match("ab_12", "%w+") == "ab")
assert(string.match("0x1F", "%x+", 3) == "1F")
assert(string.match("a\0b", "%z") == "\0")
assert(string.match("a b", "%g+") == "a")
assert(string.match("abc123", "%A+") == "123")
assert(string.match("123abc", "%D+") == "abc")
assert(string.match("\200\255", "%a") == nil)
assert(string.match("-", "[%-]") == "-")
assert(string.match("a-b", "[a%-z]+") == "a-")
assert(string.match("]", "[]]") == "]")
assert(string.match("^", "[^^]") == nil)
assert(string.match("x^", "[x^]+") == "x^")
assert(string.match("hello", "[^aeiou]+") == "h")
assert(string.match("m", "[a-z]") == "m")
assert(string.match("M", "[a-z]") == nil)
assert(string.match("5", "[%d]") == "5")
assert(string.match("a", "[%a-]") == "a")
assert(string.match("-", "[a-]") == "-")
assert(string.match("\0", "[\0]") == "\0")
assert(string.match("\255", "[\200-\255]") == "\255")

-- quantifiers.
assert(string.match("aaab", "a*") == "aaa")
assert(string.match("aaab", "a-b") == "aaab")
assert(string.match("aaab", "a-") == "")
assert(string.match("b", "a?b") == "b")
assert(string.match("ab", "a?b") == "ab")
assert(string.match("aaa", "a+") == "aaa")
assert(string.match("xyz", "a*") == "")
assert(string.match("<<a>>", "<(.-)>") == "<a")
assert(string.match("<<a>>", "<(.*)>") == "<a>")

-- captures, back references, balance and frontier.
assert(string.match("hello", "()ll()") == 3)
assert(select(2, string.match("hello", "()ll()")) == 5)
assert(string.match("aaa", "(a)%1") == "a")
assert(string.find("abba", "(b)%1") == 2)
assert(string.match('he said "hi" and "bye"', '(["\'])(.-)%1') == '"')
assert(string.match("f(a(b)c)d", "%b()") == "(a(b)c)")
assert(string.match("[[x]]", "%b[]") == "[[x]]")
assert(string.match("abc", "%bac") == "abc")
assert(string.match("abd", "%bac") == nil)
assert(string.match("THE (quick) fox", "%f[%a]%a+") == "THE")
assert(string.match("THE (quick) fox", "%f[%l]%a+") == "quick")
assert(string.match("hello", "%f[%z]") == "")
assert(string.find("hello", "%f[%z]") == 6)
assert(string.gsub("the (quick) fox", "%f[%a]%a+", "X") == "X (X) X")
assert(string.match("((a))", "((.))") == "(")
assert(string.match("abc", "((a)(b))") == "ab")
assert(string.match(string.rep("a", 32), string.rep("(a)", 32)) == "a")

-- pattern errors.
checkerror("malformed pattern (missing ']')", string.find, "abc", "[a")
checkerror("malformed pattern (missing ']')", string.find, "abc", "[^")
checkerror("malformed pattern (missing ']')", string.find, "abc", "[a-")
checkerror("malformed pattern (missing ']')", string.find, "a]", "[]")
checkerror("malformed pattern (ends with '%')", string.find, "abc", "%")
checkerror("malformed pattern (missing ']')", string.find, "abc", "[%")
checkerror("unfinished capture", string.find, "abc", "(()")
checkerror("invalid pattern capture", string.match, "abc", "a)")
checkerror("invalid capture index %1", string.find, "abc", "%1")
checkerror("invalid capture index %2", string.find, "aaa", "(a)%2")
checkerror("malformed pattern (missing arguments to '%b')", string.find, "abc", "%b")
checkerror("malformed pattern (missing arguments to '%b')", string.find, "abc", "%ba")
checkerror("missing '[' after '%f' in pattern", string.find, "abc", "%f")
checkerror("missing '[' after '%f' in pattern", string.find, "abc", "%fa")
checkerror("too many captures", string.find, string.rep("a", 40), string.rep("(a)", 33))
checkerror("pattern too complex",
           string.match, string.rep("a", 500), string.rep("a?", 500) .. string.rep("a", 500))
-- Errors are found while matching: a bad item never reached is harmless.
assert(string.find("abc", "x[") == nil)
assert(string.find("abc", "x%") == nil)

-- gmatch.
assert(collect(",", string.gmatch("one two  three", "%a+")) == "one,two,three,")
assert(collect(",", string.gmatch("a=1, b=2", "(%w+)=(%w+)")) == "a=1,b=2,")
assert(collect("", string.gmatch("abc", "()")) == "1234")
assert(collect("|", string.gmatch("abc", "")) == "||||")
assert(collect("", string.gmatch("abc", ".", 2)) == "bc")
assert(collect("", string.gmatch("abc", ".", -1)) == "c")
assert(collect("", string.gmatch("abc", ".", 10)) == "")
assert(collect("", string.gmatch("abc", ".", mini)) == "abc")
assert(collect("", string.gmatch("^a^a", "^a")) == "^a^a")   -- '^' is no anchor
assert(collect("|", string.gmatch("aaa", "a*")) == "aaa|")
assert(collect("|", string.gmatch("hello world", "%w*")) == "hello|world|")
do
  local f = string.gmatch("abc", ".")
  assert(f() == "a" and f() == "b" and f() == "c")
  assert(f() == nil and f() == nil)
end
do   -- the iterator works across coroutines
  local f = string.gmatch("1 2 3 4 5", "%d+")
  assert(f() == "1")
  local co = coroutine.wrap(f)
  assert(co() == "2")
  assert(f() == "3")
end
do   -- the iterator keeps its strings alive
  local f = string.gmatch(string.rep("x", 100) .. "y", "(x+)(y)")
  collectgarbage()
  local a, b = f()
  assert(#a == 100 and b == "y")
end
checkerror("malformed pattern (missing ']')", string.gmatch("abc", "["))
checkerror("bad argument #2 to 'string.gmatch' (string expected, got no value)", string.gmatch, "abc")

-- gsub with string replacements.
do
  local r, n = string.gsub("hello world", "o", "0")
  assert(r == "hell0 w0rld" and n == 2)
  r, n = string.gsub("hello", "", "-")
  assert(r == "-h-e-l-l-o-" and n == 6)
  r, n = string.gsub("", "", "x")
  assert(r == "x" and n == 1)
  r, n = string.gsub("abc", ".-", "x")
  assert(r == "xaxbxcx" and n == 4)
  r, n = string.gsub("hello world", "l*", "x")
  assert(r == "xhxexox xwxoxrxdx" and n == 9)
end
assert(string.gsub("abc", "%w", "%0%0") == "aabbcc")
assert(string.gsub("hello world", "(%w+)", "<%1>") == "<hello> <world>")
assert(string.gsub("abc", "b", "%%") == "a%c")
assert(string.gsub("abc", "%w", "%1") == "abc")
assert(string.gsub("abc", "(a)(b)(c)", "%3%2%1%0") == "cbaabc")
assert(string.gsub("abc", "()", "%1") == "1a2b3c4")
assert(string.gsub("a.b", "%.", "%%") == "a%b")
assert(string.gsub("abc", "b", 12) == "a12c")
assert(string.gsub("abc", "b", 1.5) == "a1.5c")
assert(string.gsub("abc", "b", "\0") == "a\0c")
assert(string.gsub("hello world", "%w+", "%0 %0", 1) == "hello hello world")
assert(string.gsub("one;two;;three", "([^;]*)", "<%1>") == "<one>;<two>;<>;<three>")
do   -- anchors and maximum counts
  local r, n = string.gsub("aaa", "^a", "x")
  assert(r == "xaa" and n == 1)
  r, n = string.gsub("abc", "^b", "x")
  assert(r == "abc" and n == 0)
  r, n = string.gsub("abc", "$", "x")
  assert(r == "abcx" and n == 1)
  r, n = string.gsub("abc", "%w", "x", 2)
  assert(r == "xxc" and n == 2)
  r, n = string.gsub("abc", "%w", "x", 0)
  assert(r == "abc" and n == 0)
  r, n = string.gsub("abc", "%w", "x", -1)
  assert(r == "abc" and n == 0)
  r, n = string.gsub("abc", "%w", "x", maxi)
  assert(r == "xxx" and n == 3)
  r, n = string.gsub("abc", "%w", "x", 2.0)
  assert(r == "xxc" and n == 2)
end
checkerror("invalid capture index %2", string.gsub, "alo", ".", "%2")
checkerror("invalid capture index %0", string.gsub, "alo", "(%0)", "a")
checkerror("invalid capture index %1", string.gsub, "alo", "(%1)", "a")
checkerror("invalid use of '%' in replacement string", string.gsub, "alo", ".", "%x")
checkerror("invalid use of '%' in replacement string", string.gsub, "alo", ".", "%")
checkerror("bad argument #4 to 'string.gsub' (number has no integer representation)",
           string.gsub, "abc", "%w", "x", 2.5)
checkerror("bad argument #3 to 'string.gsub' (string/function/table expected, got no value)",
           string.gsub, "abc", "b")
checkerror("bad argument #3 to 'string.gsub' (string/function/table expected, got boolean)",
           string.gsub, "abc", "b", true)
checkerror("bad argument #1 to 'string.gsub' (string expected, got table)", string.gsub, {}, "a", "b")

-- gsub with table and function replacements.
assert(string.gsub("abc", "(b)", {b = "B"}) == "aBc")
assert(string.gsub("abc", "%w", {a = 1, b = false}) == "1bc")
assert(string.gsub("abc", ".", {a = 1.5}) == "1.5bc")
assert(string.gsub("abc", ".", {a = "[%0]"}) == "[%0]bc")   -- no escapes in table values
assert(string.gsub("abc", "()b", {[2] = "X"}) == "aXc")
assert(string.gsub("abc", "%w", function(c) return c:upper() end) == "ABC")
assert(string.gsub("abc", "%w", function() end) == "abc")
assert(string.gsub("abc", "%w", function() return false end) == "abc")
assert(string.gsub("hello", "(l)(l)", function(a, b) return b .. a .. "!" end) == "hell!o")
assert(string.gsub("abc", "%w", function(c) return c:byte() end) == "979899")
assert(string.gsub("abc", "%w", setmetatable({}, {__index = function(t, k) return k:upper() end})) == "ABC")
do   -- the count includes matches whose replacement kept the text
  local r, n = string.gsub("abc", "%w", {})
  assert(r == "abc" and n == 3)
end
do   -- an unchanged subject is returned as is
  local s = string.rep("x", 100)
  local r = string.gsub(s, "y", "z")
  assert(r == s)
end
checkerror("invalid replacement value (a table)", string.gsub, "alo", ".", {a = {}})
checkerror("invalid replacement value (a table)", string.gsub, "abc", "%w", function() return {} end)
checkerror("invalid replacement value (a boolean)", string.gsub, "abc", "%w", function() return true end)
checkerror("boom", string.gsub, "abc", "%w", function() error("boom", 0) end)
checkerror("attempt to yield across a C-call boundary", function()
  local co = coroutine.create(function()
    return string.gsub("abc", "%w", function(c) coroutine.yield(c) end)
  end)
  local ok, err = coroutine.resume(co)
  error(err, 0)
end)

-- Long subjects.
do
  local s = string.rep("hello world ", 10000)
  local r, n = s:gsub("o", "0")
  assert(n == 20000 and not r:find("o"))
  local c = 0
  for w in s:gmatch("%a+") do c = c + 1 end
  assert(c == 20000)
  assert(s:find("world", 100000, true) == 100003)
  assert(select(2, s:gsub("%w+", "%0")) == 20000)
end
