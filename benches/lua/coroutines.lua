-- Coroutines: generators with yield/resume round trips.
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
  end)
end
local s = 0
for v in gen(2000000) do s = s + v end
local co = coroutine.create(function(a)
  while true do a = coroutine.yield(a * 2) end
end)
for i = 1, 1500000 do
  local _, r = coroutine.resume(co, i)
  s = s + r
end
print(s)
