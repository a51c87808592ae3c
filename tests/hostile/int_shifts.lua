-- Attack: shifts by 63, 64, 65, -64, maxinteger and mininteger (whose
-- negation overflows), in registers, with constant operands and through
-- strings and floats, and bitwise ops on floats that do not fit.
-- Must: 0 for shifts of 64 bits or more, the other results of PUC, and
-- "number has no integer representation" errors; no overflow panic.
local min, max = math.mininteger, math.maxinteger
local counts = {63, 64, 65, -63, -64, -65, 127, max, min, max - 1, min + 1}
local out = {}
for _, n in ipairs(counts) do
  out[#out + 1] = string.format("%d:%x:%x:%x:%x", n, 1 << n, 1 >> n, -1 << n, min >> n)
end
print(table.concat(out, " "))
print("constants:", 1 << 64, 1 >> 64, 1 << -64, -1 >> 63, 1 << 63, min >> min, max << max)
print("string counts:", pcall(function() return 1 << "64", "1" >> "-64" end))
print("float counts:", pcall(function() return 1 << 64.0, 1 << 2^63 end))
print("nan count:", pcall(function() return 1 << (0/0) end))
print("float operand:", pcall(function() return 2^64 | 0 end))
print("bnot:", ~min, ~max, ~0)
print("after:", 1 << 2)
