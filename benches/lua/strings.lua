-- String building: concatenation in loops, table.concat, formatting.
local parts = {}
for i = 1, 300000 do parts[#parts + 1] = "item" .. i end
local s = table.concat(parts, ",")
local acc = ""
for i = 1, 20000 do acc = acc .. (i % 10) end
local n = 0
for i = 1, 400000 do
  local x = "k" .. (i % 1000) .. ":" .. i
  n = n + #x
end
local t = {}
for i = 1, 200000 do t[i] = string.format("%d:%s", i, "v") end
print(#s, #acc, n, #table.concat(t))
