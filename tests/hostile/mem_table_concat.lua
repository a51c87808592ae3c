-- Attack: table.concat asked for a 16 GB result made of a thousand
-- references to one 16 MB string, then for a result with eight 128 MB
-- separators.
-- Must: "not enough memory" errors caught by pcall; no abort.
local s = ("x"):rep(1 << 24)
local t = {}
for i = 1, 1000 do t[i] = s end
print("16 GB:", pcall(table.concat, t))
collectgarbage()
print("separator:", pcall(table.concat, {1, 2, 3, 4, 5, 6, 7, 8, 9}, ("y"):rep(1 << 27)))
collectgarbage()
print("after:", table.concat({1, 2, 3}, ","))
