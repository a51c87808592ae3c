-- Attack: 500,000 coroutines kept alive, each suspended with a frame
-- and a few values on its stack, then dropped at once.
-- Must: success or "not enough memory" (the sandbox's limit); the
-- collector then frees them; no abort.
local cos = {}
local ok, e = pcall(function()
  for i = 1, 500000 do
    local co = coroutine.create(function(a, b, c) coroutine.yield(a, b, c) end)
    coroutine.resume(co, i, i, i)
    cos[i] = co
  end
end)
print("created:", ok, e, #cos)
cos = nil
collectgarbage()
collectgarbage()
print("after:", coroutine.resume(coroutine.create(function() return 1 + 1 end)))
