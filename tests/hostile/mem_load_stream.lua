-- Attack: load with a reader that streams 1 GB of a line comment in
-- 1 MB pieces (PUC's lexer needs constant memory for it).
-- Must: the chunk loads (memory stays bounded), or load fails with a
-- memory or source-size error; the streamed pieces are not all kept
-- alive; no abort.
local piece = ("x"):rep(1 << 20)
local i = 0
local f, e = load(function()
  i = i + 1
  if i == 1 then return "--" end
  if i > 1025 then return nil end
  return piece
end)
print("1 GB comment:", f ~= nil, e, i)
f = nil
collectgarbage()
print("after:", load("return 1 + 1")())
