-- Integer and float arithmetic, conversions and formatting.
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, -7.5 % 2)
print(1 / 0, -1 / 0, 2^53, 2^63, math.maxinteger + 1 == math.mininteger)
print(3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 63, 1 << 64, -1 >> 1)
print(10 == 10.0, "10" + 5, "3" * "4", 10 .. 20, 1e15, 1e16, 123456789012)
print(math.type(1), math.type(1.0), math.type("1"), 0x10, 0xA.8p1, 1e-3)
print(string.format("%.3f %5d %-5s| %x %g %q", 3.14159, 42, "ab", 255, 1e20, "a\nb"))
print(tostring(-0.0), 0.1 + 0.2, 100 / 3, -2^63, math.pi)
print(8 % 3.5, -8 % 3.5, 2^-1, 5 // 0.0, -5 // 0.0, 0/0 ~= 0/0)
print(math.tointeger(3.0), math.tointeger(3.5), 3 == 3.0000000000000001)
for _, s in ipairs({"0x", "1e", "  12  ", "0x1p4", "inf", "nan", "1 2", ".5", "5."}) do
  print(s, tonumber(s))
end
print(tonumber("ff", 16), tonumber("zz", 36), tonumber("8", 8), tonumber("1e1", 10))
