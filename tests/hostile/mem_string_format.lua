-- Attack: string.format with huge widths and precisions, %q of large
-- strings, a format with 100,000 items each expanding to 1 MB, and a
-- __tostring result of 1 GB.
-- Must: "invalid conversion" for widths beyond two digits, "not enough
-- memory" (or success) for huge results; no abort.
for _, spec in ipairs{"%99999999999d", "%.99999999f", "%2147483648s", "%-99999999999s", "%099d",
                      "%#99.99x", "%'d", "%n", "%99.99i", "%-+ #0d", "%-+ #0-+ #0d", "%99c", "%.3c"} do
  print(spec, pcall(string.format, spec, 42))
end
for _, spec in ipairs{"%99.99f", "%.99f", "%99.99g", "%99a", "%#.99e", "%5.99s"} do
  print(spec, pcall(string.format, spec, 1e308))
end
print(pcall(string.format, "%99.99f", -1e308))
print(pcall(string.format, "%.14g", 0/0))
local big = ("\0\1\"\\\n"):rep(1 << 20)
local ok, r = pcall(string.format, "%q", big)
print("%q 5 MB:", ok, ok and #r or r)
local one = ("x"):rep(1 << 20)
local args = {}
for i = 1, 100000 do args[i] = one end
ok, r = pcall(string.format, ("%s"):rep(100000), table.unpack(args))
print("100 GB format:", ok, ok and #r or r)
r = nil
ok, r = pcall(string.format, "%s", setmetatable({}, {__tostring = function() return one:rep(1024) end}))
print("__tostring 1 GB:", ok, ok and #r or r)
print("after:", string.format("%5d", 42))
