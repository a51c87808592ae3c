-- Attack: coroutines passing huge numbers of values across resume and
-- yield (100,000 values each way), and a generator resumed a million
-- times, and coroutines collected while suspended inside pcall,
-- metamethods and with pending to-be-closed variables.
-- Must: the values arrive (or "too many results"/"stack overflow"
-- errors); suspended coroutines are collected without running their
-- __close; no crash.
local vals = {}
for i = 1, 100000 do vals[i] = i end
local co = coroutine.wrap(function(...)
  local n = select("#", ...)
  local back = select("#", coroutine.yield(table.unpack(vals)))
  return n, back
end)
print("yield 1e5:", pcall(function() return select("#", co(table.unpack(vals))) end))
print("resume 1e5:", pcall(co, table.unpack(vals)))
local gen = coroutine.wrap(function() for i = 1, 1000000 do coroutine.yield(i) end return "end" end)
local last
for i = 1, 1000001 do last = gen() end
print("generator:", last)
local closed = 0
for i = 1, 1000 do
  local c = coroutine.create(function()
    local x <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
    pcall(function()
      return setmetatable({}, {__index = function() return coroutine.yield() end}).x
    end)
  end)
  coroutine.resume(c)
end
collectgarbage()
collectgarbage()
print("closed by collection:", closed)
print("after:", 1 + 1)
