-- Attack: binary chunk headers with every field wrong in turn: the
-- signature, version, format, the conversion-check bytes, the sizes of
-- instructions, integers and floats, the test integer and float, and
-- headers cut short; plus string.dump on natives, stripped dumps with
-- upvalues, and binary chunks given to load in text mode.
-- Must: "bad binary format", "version mismatch", "format mismatch",
-- "corrupted chunk", "... size mismatch", "integer format mismatch",
-- "float format mismatch", "truncated chunk" and similar errors, or
-- "unable to dump given function"; no crash.
local d = string.dump(function(a) return a end)
for i = 1, 31 do
  for _, v in ipairs{0, 0xff, (d:byte(i) + 1) % 256} do
    local m = d:sub(1, i - 1) .. string.char(v) .. d:sub(i + 1)
    local f, e = load(m, "=hdr", "b")
    if i % 5 == 0 or i < 8 then print(i, v, f ~= nil, e) end
  end
end
print("native:", pcall(string.dump, print))
print("wrapped native:", pcall(string.dump, coroutine.wrap(function() end)))
local up = 5
local s = string.dump(function() return up end, true)
local f = load(s, "=s", "b")
print("stripped with upvalue:", f and pcall(f))
print("text mode:", load(s, "=s", "t"))
print("after:", 1 + 1)
