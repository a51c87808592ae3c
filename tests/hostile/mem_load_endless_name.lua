-- Attack: load with an endless reader that streams one identifier
-- forever, 1 MB at a time.
-- Must: load returns nil plus "not enough memory" (or a token or source
-- size error); no abort.
local piece = ("x"):rep(1 << 20)
local n = 0
local f, e = load(function()
  n = n + 1
  if n == 1 then return "return " end
  return piece
end)
print(f ~= nil, e)
f = nil
collectgarbage()
print("after:", load("return 1 + 1")())
