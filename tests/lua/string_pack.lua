-- Tests of string.pack, string.packsize and string.unpack: every option,
-- endianness and alignment, limits, and PUC-Rio 5.4's errors.

local maxi = 0x7fffffffffffffff
local mini = -maxi - 1
local pack, unpack, packsize = string.pack, string.unpack, string.packsize

local function checkerror(msg, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "call should have failed: " .. msg)
  err = tostring(err):gsub("^[^:]*:%d+: ", "")
  assert(err == msg, "expected <" .. msg .. "> got <" .. err .. ">")
end

local function bytes(s)
  local r = ""
  for i = 1, #s do r = r .. string.format("%02x", s:byte(i)) end
  return r
end

-- Sizes.
assert(packsize("b") == 1 and packsize("B") == 1)
assert(packsize("h") == 2 and packsize("H") == 2)
assert(packsize("i") == 4 and packsize("I") == 4)
assert(packsize("l") == 8 and packsize("L") == 8)
assert(packsize("j") == 8 and packsize("J") == 8 and packsize("T") == 8)
assert(packsize("f") == 4 and packsize("d") == 8 and packsize("n") == 8)
assert(packsize("i7") == 7 and packsize("c10") == 10 and packsize("x") == 1)
assert(packsize("") == 0)
assert(packsize("i4i8") == 12)
assert(packsize("!i1i8") == 16)
assert(packsize("!4i1i8") == 12)
assert(packsize("<>=! ") == 0)
assert(packsize("i1Xi4") == 1)
assert(packsize("!i1Xi4") == 4)
checkerror("bad argument #1 to 'string.packsize' (variable-length format)", packsize, "s")
checkerror("bad argument #1 to 'string.packsize' (variable-length format)", packsize, "z")
checkerror("bad argument #1 to 'string.packsize' (format result too large)", packsize, "c1073741824c1073741824")
checkerror("invalid format option 'r'", packsize, "r")
checkerror("invalid format option '\255'", packsize, "\255")
assert(packsize("c1073741824") == 1073741824)

-- Integers, both byte orders.
assert(bytes(pack("<i4", 100)) == "64000000")
assert(bytes(pack(">i4", 100)) == "00000064")
assert(bytes(pack("<i2 >i2 =i2", 1, 2, 3)) == "0100" .. "0002" .. "0300")
assert(bytes(pack(">i3", -2)) == "fffffe")
assert(bytes(pack("<I16", 1)) == "01" .. string.rep("00", 15))
assert(bytes(pack(">i16", -1)) == string.rep("ff", 16))
assert(bytes(pack("B", 255) .. pack("b", -128)) == "ff80")
assert(bytes(pack(">j", mini)) == "8000000000000000")
assert(unpack("<i4", pack("<i4", -5)) == -5)
assert(unpack("<I2", "\1\2") == 0x0201)
assert(unpack(">I2", "\1\2") == 0x0102)
assert(unpack("<i16", pack("<i16", mini)) == mini)
assert(unpack(">I9", "\0\0\0\0\0\0\0\0\1") == 1)
assert(unpack("i16", string.rep("\255", 16)) == -1)
assert(unpack("<i3", "\254\255\255") == -2)
assert(unpack("<I3", "\254\255\255") == 0xfffffe)
for i = 1, 16 do
  assert(unpack("<i" .. i, pack("<i" .. i, -1)) == -1)
  assert(unpack(">I" .. i, pack(">I" .. i, 127)) == 127)
end
checkerror("bad argument #2 to 'string.pack' (integer overflow)", pack, "i1", 128)
checkerror("bad argument #2 to 'string.pack' (integer overflow)", pack, "i1", -129)
checkerror("bad argument #2 to 'string.pack' (unsigned overflow)", pack, "I1", 256)
checkerror("bad argument #2 to 'string.pack' (unsigned overflow)", pack, "I1", -1)
checkerror("bad argument #3 to 'string.pack' (integer overflow)", pack, "i4i2", 1, 40000)
checkerror("9-byte integer does not fit into Lua Integer", unpack, "<i9", "\0\0\0\0\0\0\0\0\1")
checkerror("16-byte integer does not fit into Lua Integer", unpack, "i16", string.rep('\3', 16))
checkerror("bad argument #2 to 'string.pack' (number expected, got nil)", pack, "i4")
checkerror("bad argument #3 to 'string.pack' (number expected, got nil)", pack, "i4i4i4", 1)
checkerror("bad argument #2 to 'string.pack' (number expected, got string)", pack, "i4", "x")
checkerror("bad argument #2 to 'string.pack' (number has no integer representation)", pack, "i4", 1.5)
assert(unpack("i4", pack("i4", "7")) == 7)
assert(unpack("i4", pack("i4", 7.0)) == 7)

-- Floats.
assert(unpack("d", pack("d", 1.5)) == 1.5)
assert(unpack("n", pack("n", -0.1)) == -0.1)
assert(unpack("f", pack("f", 0.5)) == 0.5)
assert(unpack("f", pack("f", 0.1)) ~= 0.1)
assert(unpack(">d", pack(">d", 1/0)) == 1/0)
assert(bytes(pack(">d", 1.0)) == "3ff0000000000000")
assert(bytes(pack("<f", 1.0)) == "0000803f")
do
  local x = unpack("d", pack("d", 0/0))
  assert(x ~= x)
end
assert(unpack("d", pack("d", "1.5")) == 1.5)
assert(unpack("d", pack("d", 3)) == 3.0)
checkerror("bad argument #2 to 'string.pack' (number expected, got string)", pack, "d", "x")

-- Strings.
assert(pack("z", "alo") == "alo\0")
assert(pack("s1", "ab") == "\2ab")
assert(pack(">s2", "ab") == "\0\2ab")
assert(pack("c5", "ab") == "ab\0\0\0")
assert(pack("c0", "") == "")
assert(pack("c3", 123) == "123")
do
  local s = pack("s1z", "ab", "cd")
  local a, b, n = unpack("s1z", s)
  assert(a == "ab" and b == "cd" and n == #s + 1)
end
do
  local a, b, c = unpack("z", "abc\0def")
  assert(a == "abc" and b == 5 and c == nil)
  assert(unpack("s1", "\3abcd") == "abc")
  assert(unpack("c2", "abcd", 2) == "bc")
  local s = string.rep("x", 1000)
  assert(unpack("s", pack("s", s)) == s)
  assert(unpack("z", pack("z", s)) == s)
end
checkerror("bad argument #2 to 'string.pack' (string longer than given size)", pack, "c2", "abc")
checkerror("bad argument #2 to 'string.pack' (string length does not fit in given size)",
           pack, "s1", string.rep("x", 256))
checkerror("bad argument #2 to 'string.pack' (string contains zeros)", pack, "z", "a\0b")
checkerror("missing size for format option 'c'", pack, "c", "abc")
checkerror("bad argument #2 to 'string.unpack' (unfinished string for format 'z')", unpack, "z", "abc")
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "s1", "\5abc")
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "c5", "abcd")

-- Padding and alignment.
assert(pack("xb", 1) == "\0\1")
assert(pack("!4 i1 i4", 1, 2) == "\1\0\0\0\2\0\0\0")
assert(pack("!2 i1 i8", 1, 2):len() == 10)
assert(pack("i1 Xi4 i1", 1, 2) == "\1\2")
assert(pack("i1 !4 Xi8 i1", 1, 2) == "\1\0\0\0\2")
do
  local a, b, n = unpack("!4 i1 i4", "\1\0\0\0\2\0\0\0")
  assert(a == 1 and b == 2 and n == 9)
end
assert(unpack("x", "\0") == 2)
checkerror("bad argument #1 to 'string.pack' (invalid next option for option 'X')", pack, "X")
checkerror("bad argument #1 to 'string.pack' (invalid next option for option 'X')", pack, "Xc1")
checkerror("bad argument #1 to 'string.unpack' (invalid next option for option 'X')", unpack, "XXi", "")
checkerror("bad argument #1 to 'string.pack' (format asks for alignment not power of 2)", pack, "!4i3", 0)
checkerror("integral size (17) out of limits [1,16]", pack, "i17", 1)
checkerror("integral size (0) out of limits [1,16]", pack, "i0", 1)
checkerror("integral size (17) out of limits [1,16]", pack, "!17", 1)
checkerror("integral size (17) out of limits [1,16]", pack, "Xi17")
checkerror("invalid format option 'r'", pack, "i3r", 0)
checkerror("invalid format option '0'", packsize, "c1" .. string.rep("0", 40))

-- Positions in unpack.
do
  local s = "abcdef"
  assert(unpack("c1", s, -1) == "f")
  assert(unpack("c1", s, -100) == "a")
  assert(unpack("c0", s, 7) == "")
  assert(select(2, unpack("c0", s, 7)) == 7)
  assert(select(2, unpack("", s, 4)) == nil)
  assert(unpack("", s, 4) == 4)
  assert(unpack("b", "abc", 3) == 99)
end
checkerror("bad argument #3 to 'string.unpack' (initial position out of string)", unpack, "c0", "abc", 5)
checkerror("bad argument #3 to 'string.unpack' (initial position out of string)", unpack, "b", "abc", maxi)
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "b", "abc", 4)
checkerror("bad argument #2 to 'string.unpack' (data string too short)", unpack, "i4", "abc")
checkerror("bad argument #2 to 'string.unpack' (string expected, got no value)", unpack, "i4")

-- Many results.
do
  local n = 200
  local s = string.rep("\1", n)
  local t = {unpack(string.rep("b", n), s)}
  assert(#t == n + 1 and t[n] == 1 and t[n + 1] == n + 1)
end
checkerror("stack overflow (too many results)", unpack, string.rep("c0", 1000000), "")

-- The format ends at a zero byte.
assert(pack("i1\0i1", 1, 2) == "\1")
assert(packsize("i4\0i4") == 4)
