-- Tests of the utf8 library: char, charpattern, codes, codepoint, len
-- and offset, strict and lax decoding, and PUC's error messages.

local function check(got, expected, what)
  if got ~= expected then
    error((what or "check") .. ": got " .. tostring(got) .. ", expected " .. tostring(expected), 2)
  end
end

local function checkerr(msg, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("no error, expected: " .. msg, 2) end
  if err ~= msg then error("wrong error: " .. tostring(err) .. "\n  expected: " .. msg, 2) end
end

local function pack(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  return table.concat(t, ",", 1, t.n)
end

-- char and charpattern
check(utf8.char(), "")
check(utf8.char(72, 228, 8364), "H\xC3\xA4\xE2\x82\xAC")
check(utf8.char(0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF),
  "\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF")
check(utf8.char(0x1FFFFF, 0x200000, 0x3FFFFFF, 0x4000000, 0x7FFFFFFF),
  "\xF7\xBF\xBF\xBF\xF8\x88\x80\x80\x80\xFB\xBF\xBF\xBF\xBF\xFC\x84\x80\x80\x80\x80\xFD\xBF\xBF\xBF\xBF\xBF")
check(utf8.char(0), "\0")
check(utf8.char("65"), "A")
check(utf8.char(0xD800), "\xED\xA0\x80")
checkerr("bad argument #1 to 'utf8.char' (value out of range)", utf8.char, 0x80000000)
checkerr("bad argument #1 to 'utf8.char' (value out of range)", utf8.char, -1)
checkerr("bad argument #2 to 'utf8.char' (number expected, got string)", utf8.char, 65, "x")
checkerr("bad argument #1 to 'utf8.char' (number has no integer representation)", utf8.char, 1.5)
check(utf8.charpattern, "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")

-- len
local s = "h\xC3\xA4ll\xE2\x82\xAC" -- "häll€"
check(utf8.len(s), 5)
check(utf8.len(""), 0)
check(utf8.len(s, 4), 3) -- counts characters starting in [4, #s]
check(pack(utf8.len(s, 3)), "nil,3") -- byte 3 is a continuation byte
check(utf8.len(s, 1, 2), 2)
check(utf8.len(s, -3), 1)
check(utf8.len("abc", 4), 0)
check(utf8.len("abc", 1, -5), 0)
check(pack(utf8.len("\xFF")), "nil,1")
check(pack(utf8.len("a\x80b")), "nil,2")
check(pack(utf8.len("\xC3")), "nil,1")
check(pack(utf8.len("\xC0\x80")), "nil,1") -- overlong
check(pack(utf8.len("\xE0\x80\x80")), "nil,1")
check(pack(utf8.len("\xF4\x90\x80\x80")), "nil,1") -- above U+10FFFF
check(pack(utf8.len("\xF4\x90\x80\x80", 1, -1, true)), "1")
check(pack(utf8.len("\xED\xA0\x80")), "nil,1") -- surrogate
check(pack(utf8.len("\xED\xA0\x80", 1, -1, true)), "1")
check(pack(utf8.len("\xFD\xBF\xBF\xBF\xBF\xBF", 1, -1, true)), "1")
check(pack(utf8.len("\xFE", 1, -1, true)), "nil,1")
check(pack(utf8.len("a\0b")), "3")
check(utf8.len(12345), 5)
checkerr("bad argument #2 to 'utf8.len' (initial position out of bounds)", utf8.len, "abc", 5)
checkerr("bad argument #2 to 'utf8.len' (initial position out of bounds)", utf8.len, "abc", 0)
checkerr("bad argument #3 to 'utf8.len' (final position out of bounds)", utf8.len, "abc", 1, 4)
checkerr("bad argument #1 to 'utf8.len' (string expected, got table)", utf8.len, {})

-- codepoint
check(pack(utf8.codepoint(s, 1, -1)), "104,228,108,108,8364")
check(pack(utf8.codepoint(s)), "104")
check(pack(utf8.codepoint(s, 2)), "228")
check(pack(utf8.codepoint(s, -3)), "8364")
check(pack(utf8.codepoint("abc", 3, 2)), "")
check(pack(utf8.codepoint("abc", -1)), "99")
check(pack(utf8.codepoint(12, 1, 2)), "49,50")
check(pack(utf8.codepoint("\xF4\x90\x80\x80", 1, 1, true)), "1114112")
check(pack(utf8.codepoint("\x7F\xC2\x80")), "127")
checkerr("invalid UTF-8 code", utf8.codepoint, "\xFF")
checkerr("invalid UTF-8 code", utf8.codepoint, s, 3) -- a continuation byte
checkerr("invalid UTF-8 code", utf8.codepoint, "\xED\xA0\x80")
checkerr("bad argument #2 to 'utf8.codepoint' (out of bounds)", utf8.codepoint, "abc", 0)
checkerr("bad argument #2 to 'utf8.codepoint' (out of bounds)", utf8.codepoint, "abc", -10)
checkerr("bad argument #3 to 'utf8.codepoint' (out of bounds)", utf8.codepoint, "abc", 1, 4)
do
  local parts = {}
  for i = 1, 300000 do parts[i] = "a" end
  local long = table.concat(parts)
  check(select("#", utf8.codepoint(long, 1, -1)), 300000)
  checkerr("stack overflow (string slice too long)", utf8.codepoint, long .. long .. long .. long, 1, -1)
end

-- offset
check(utf8.offset(s, 1), 1)
check(utf8.offset(s, 2), 2)
check(utf8.offset(s, 3), 4)
check(utf8.offset(s, 5), 6)
check(utf8.offset(s, 6), 9)
check(utf8.offset(s, 7), nil)
check(utf8.offset(s, -1), 6)
check(utf8.offset(s, -5), 1)
check(utf8.offset(s, -6), nil)
check(utf8.offset(s, 0, 3), 2) -- start of the character holding byte 3
check(utf8.offset(s, 0, 8), 6)
check(utf8.offset(s, 0, 9), 9)
check(utf8.offset(s, 1, 4), 4)
check(utf8.offset(s, 2, 4), 5)
check(utf8.offset(s, -1, 4), 2)
check(utf8.offset("", 1), 1)
check(utf8.offset("", -1), nil)
checkerr("initial position is a continuation byte", utf8.offset, s, 1, 3)
checkerr("bad argument #3 to 'utf8.offset' (position out of bounds)", utf8.offset, "abc", 1, 5)
checkerr("bad argument #3 to 'utf8.offset' (position out of bounds)", utf8.offset, "abc", 1, 0)
checkerr("bad argument #1 to 'utf8.offset' (string expected, got no value)", utf8.offset)
checkerr("bad argument #2 to 'utf8.offset' (number has no integer representation)", utf8.offset, "a", 1.5)

-- codes
do
  local out = {}
  for p, c in utf8.codes(s) do out[#out + 1] = p .. ":" .. c end
  check(table.concat(out, " "), "1:104 2:228 4:108 5:108 6:8364")
  out = {}
  for p, c in utf8.codes("") do out[#out + 1] = p end
  check(#out, 0)
  out = {}
  for p, c in utf8.codes("\xF4\x90\x80\x80a", true) do out[#out + 1] = p .. ":" .. c end
  check(table.concat(out, " "), "1:1114112 5:97")
  -- (called through pcall, so the message has no position)
  local iter = utf8.codes("")
  checkerr("invalid UTF-8 code", iter, "\xF4\x90\x80\x80", 0)
  checkerr("invalid UTF-8 code", iter, "a\xFFb", 1)
  checkerr("invalid UTF-8 code", iter, "\xC3\xA4\x80", 0)
  local ok = pcall(function() for _ in utf8.codes("a\xFFb") do end end)
  check(ok, false)
  checkerr("bad argument #1 to 'utf8.codes' (invalid UTF-8 code)", utf8.codes, "\x80")
  checkerr("bad argument #1 to 'utf8.codes' (string expected, got table)", utf8.codes, {})
  -- the iterator is the same function for every call
  local f1, s1, i1 = utf8.codes("ab")
  local f2 = utf8.codes("cd")
  check(f1, f2)
  check(s1, "ab"); check(i1, 0)
  check(pack(f1("ab", 0)), "1,97")
  check(pack(f1("ab", 1)), "2,98")
  check(pack(f1("ab", 2)), "")
  check(pack(f1("ab", -5)), "")
  assert(utf8.codes("a", true) ~= f1)
end
