-- Attack: a table's hash part grown with distinct float keys until
-- memory runs out (every insertion past a power of two rehashes).
-- Must: "not enough memory" caught by pcall, no abort; the table is
-- collectable afterwards.
local t = {}
print(pcall(function() local i = 0.5 while true do i = i + 1 t[i] = true end end))
print(next(t) ~= nil)
t = nil
collectgarbage()
print("after:", #{1, 2, 3})
