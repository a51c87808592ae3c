-- Attack: a table's array part grown by appending until memory runs out.
-- Must: "not enough memory" caught by pcall, no abort; the table is
-- collectable afterwards and the state keeps working.
local t = {}
print(pcall(function() local i = 0 while true do i = i + 1 t[i] = i end end))
print(#t > 0)
t = nil
collectgarbage()
print("after:", #{1, 2, 3})
