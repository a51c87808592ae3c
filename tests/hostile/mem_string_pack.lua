-- Attack: string.pack and friends with huge sizes: a 'c' field of 2 GB
-- padded from an empty string, sizes beyond the format's limits,
-- alignment and 'x' padding repeated a million times, packsize overflow, unpack reading past the end.
-- Must: "format result too large", "not enough memory", "data string too
-- short" and similar errors; no abort.
local function try(name, f, ...)
  local ok, r = pcall(f, ...)
  print(name, ok, type(r) == "string" and #r or r)
  r = nil
  collectgarbage()
end
try("c2e9", string.pack, "c2000000000", "")

try("packsize overflow", string.packsize, ("c2000000000"):rep(1 << 20))
try("packsize huge", string.packsize, ("c2000000000"):rep(8))
try("x padding", string.pack, ("x"):rep(1 << 26))
try("alignment", string.pack, ("!16 x Xi16"):rep(1 << 20))
try("s with huge prefix", string.pack, "s16", ("x"):rep(1000))
try("i16", string.pack, "i16", math.mininteger)
try("unpack past end", string.unpack, "c1099511627776", "abc")
try("unpack z at end", string.unpack, "z", "abc", 4)
try("unpack s8 length lie", string.unpack, "s8", "\255\255\255\255\255\255\255\127abc")
try("unpack many", function() return select("#", string.unpack(("b"):rep(1 << 20), ("\0"):rep(1 << 20))) end)
try("bad sizes", string.pack, "i17", 1)
try("bad align", string.pack, "!3 i4", 1)
try("huge count", string.pack, "i99999999999999999999", 1)
print("after:", #string.pack("i4", 7))
