-- Attack: table functions given ranges near 2^63: table.move over the
-- whole integer range and onto maxinteger, table.insert/remove with a
-- __len of maxinteger or mininteger, table.unpack of ranges with
-- maxinteger bounds, table.concat at the end of the range, table.sort
-- with a huge __len, and ipairs over a proxy stopping at maxinteger.
-- Must: "too many elements to move", "destination wrap around",
-- "position out of bounds", "too many results to unpack", "array too
-- big" and similar errors, or short results; no endless loop, no
-- overflow panic.
local min, max = math.mininteger, math.maxinteger
local function try(name, f, ...)
  local ok, r, r2 = pcall(f, ...)
  print(name, ok, r, r2)
end
try("move whole range", table.move, {}, 1, max, 2)
try("move from min", table.move, {}, min, -1, 1)
try("move min..max", table.move, {}, min, max, 1)
try("move onto max", table.move, {1, 2, 3}, 1, 3, max)
try("move onto max-1", table.move, {1, 2}, 1, 2, max - 1)
try("move empty at max", table.move, {}, max, max - 1, 1)
try("move max..max", function() return table.move({[max] = 7}, max, max, 1)[1] end)
local function lenproxy(n)
  return setmetatable({}, {__len = function() return n end, __index = function() return 1 end,
                           __newindex = function() end})
end
try("insert with len max", table.insert, lenproxy(max), "x")
try("insert at 1 with len max", table.insert, lenproxy(max), 1, "x")
try("insert with len min", table.insert, lenproxy(min), "x")
try("insert pos max", table.insert, {}, max, "x")
try("insert pos min", table.insert, {}, min, "x")
try("remove with len max", table.remove, lenproxy(max))
try("remove max-1 with len max", table.remove, lenproxy(max), max - 1)
try("remove with len min", table.remove, lenproxy(min))
try("remove pos min", table.remove, {}, min)
try("unpack max..max", table.unpack, {}, max, max)
try("unpack max-1..max", table.unpack, {}, max - 1, max)
try("unpack min..min+1", table.unpack, {}, min, min + 1)
try("unpack 1..max", table.unpack, {}, 1, max)
try("unpack min..max", table.unpack, {}, min, max)
try("unpack max..min", table.unpack, {}, max, min)
try("concat max-1..max", table.concat, lenproxy(0), ",", max - 1, max)
try("concat min..min+1", table.concat, lenproxy(0), ",", min, min + 1)
try("sort len max", table.sort, lenproxy(max))
try("sort len 2^31", table.sort, lenproxy(1 << 31))
try("sort len min", table.sort, lenproxy(min))
try("len float", table.insert, setmetatable({}, {__len = function() return 2.5 end}), 1)
try("len string", table.insert, setmetatable({}, {__len = function() return "3" end}), 1)
local hits = 0
local top = setmetatable({}, {__index = function(_, i) if i >= max - 2 then hits = hits + 1 return i end end})
for i, v in ipairs(top) do break end
print("ipairs from 1:", hits)
print("after:", table.unpack({1, 2}, 1, 2))
