-- Control flow, closures, varargs, goto, integer and generic for.
local function range(n, step)
  local out = {}
  for i = 1, n, step or 1 do out[#out + 1] = i end
  return table.concat(out, ",")
end
print(range(10), range(10, 3))
for i = 3, 1, -1 do io.write(i, " ") end print()
for x = 1.0, 2.0, 0.25 do io.write(x, " ") end print()
local function va(...) return select('#', ...), ... end
print(va(1, nil, 3, nil))
print((va(1, 2, 3)))
local t = {va(9, 8)}
print(#t, t[1], t[2], t[3])
do
  local i = 1
  ::top::
  if i <= 3 then io.write("g", i, " ") i = i + 1 goto top end
  print()
end
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(fs[1](), fs[2](), fs[3]())
local a, b, c = (function() return 1, 2, 3 end)()
print(a, b, c)
local s = 0
for _, v in ipairs({5, 6, 7, nil, 9}) do s = s + v end
print(s)
local w = 0
while true do w = w + 1 if w > 5 then break end end
repeat local z = w; w = w - 1 until z < 3
print(w)
