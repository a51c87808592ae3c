-- Attack: the value stack filled by library functions: unpack of ten
-- million values, string.byte over a 16 MB string, select with a million
-- arguments, utf8.codepoint over a long string, string.char of a million
-- arguments.
-- Must: "too many results"/"string slice too long"/"stack overflow"
-- errors, or success; no abort.
local function try(name, f, ...)
  local ok, r = pcall(f, ...)
  print(name, ok, r)
end
local big = ("a"):rep(1 << 24)
try("unpack 1e7", function() return select("#", table.unpack({}, 1, 10000000)) end)
try("unpack 2^31", function() return select("#", table.unpack({}, 1, 1 << 31)) end)
try("byte 16M", function() return select("#", big:byte(1, -1)) end)
try("codepoint 16M", function() return select("#", utf8.codepoint(big, 1, -1)) end)
local args = {}
for i = 1, 999000 do args[i] = 65 end
try("char 999000", function() return #string.char(table.unpack(args)) end)
try("select 999000", function() return select("#", table.unpack(args)) end)
try("varargs to print", function() return pcall(print, table.unpack(args, 1, 0)) end)
try("return 999000", function() local function f() return table.unpack(args) end return select("#", f()) end)
print("after:", select("#", 1, 2, 3))
