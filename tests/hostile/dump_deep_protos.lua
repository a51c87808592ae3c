-- Attack: a hand-written binary chunk of a million prototypes each
-- nested in the one before (17 MB), so a loader that recurses once per
-- level runs out of native stack (PUC's does: it has no limit there).
-- Must: load fails with an error (a nesting limit, "C stack overflow",
-- "attempt to load a binary chunk") or succeeds; no stack overflow.
local header = string.dump(function() end):sub(1, 31)
local function varint(n)
  local bytes = {string.char(0x80 | (n & 0x7f))}
  n = n >> 7
  while n > 0 do
    table.insert(bytes, 1, string.char(n & 0x7f))
    n = n >> 7
  end
  return table.concat(bytes)
end
local z = varint(0)
local head = z .. z .. z .. "\0\0\2" .. varint(1) .. "\x47\x00\x01\x00" .. z .. z .. varint(1)
local leaf = z .. z .. z .. "\0\0\2" .. varint(1) .. "\x47\x00\x01\x00" .. z .. z .. z .. z .. z .. z .. z
local tail = z .. z .. z .. z
for _, n in ipairs{1000, 1000000} do
  local c = header .. "\0" .. head:rep(n) .. leaf .. tail:rep(n)
  local ok, f, e = pcall(load, c, "=deep", "b")
  print(n, ok, f ~= nil, e)
  f, c = nil, nil
  collectgarbage()
end
print("after:", 1 + 1)
