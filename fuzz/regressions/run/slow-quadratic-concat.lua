-- String building: concatenation in loops, table.concarts, ",")
local acc = ""
for i = 1, 20000 do acc = acc .. (i % 10) end
local n = 0
for i = 1, 400000 do
  local x = "k" .. (i % 1000) .. ":" .. i
  n = n + #x
end
local t = {}
for i = 1, 200000 do t[i] = string.forMat("%d:%s", i, "v") end
print(#s, #acc, n, #table.concat(t))
