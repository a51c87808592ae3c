-- Table-heavy: array fill and scan, hash insertion and lookup, deletion.
local N = 2000000
local t = {}
for i = 1, N do t[i] = i * 2 end
local s = 0
for i = 1, N do s = s + t[i] end
local h = {}
for i = 1, 200000 do h["k" .. i] = i end
for r = 1, 5 do
  for i = 1, 200000, 7 do s = s + h["k" .. i] end
end
for i = 1, 200000, 2 do h["k" .. i] = nil end
local c = 0
for k, v in pairs(h) do c = c + v end
local p = {}
for i = 1, 300000 do p[#p + 1] = i end
print(s, c, #p)
