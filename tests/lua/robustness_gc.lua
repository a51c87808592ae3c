-- Collector stress and API details found while fuzzing: finalizers that
-- resurrect objects into weak tables, raise errors or call the collector;
-- collections from inside metamethods, iterators and coroutines; and the
-- reference's results for collectgarbage("step") in generational mode.

-- 1. Resurrection, weak tables and erroring finalizers (must not crash;
-- every weak entry left must be usable).
do
  local weakk = setmetatable({}, {__mode = "k"})
  local weakv = setmetatable({}, {__mode = "v"})
  local resurrected = {}
  local function mk(i)
    return setmetatable({id = i, payload = {tostring(i)}}, {__gc = function(self)
      if self.id % 3 == 0 then resurrected[#resurrected + 1] = self end
      if self.id % 5 == 0 then weakk[self] = {self}; weakv[self.id] = self end
      if self.id % 7 == 0 then error("finalizer error") end
      if self.id % 11 == 0 then collectgarbage("step", 1) end
      if self.id % 13 == 0 then collectgarbage() end
    end})
  end
  for round = 1, 4 do
    for i = 1, 300 do
      local o = mk(i + round * 1000)
      if i % 2 == 0 then weakk[o] = i end
      if i % 4 == 0 then weakv[i] = o end
    end
    collectgarbage()
  end
  collectgarbage()
  collectgarbage()
  for k, v in pairs(weakk) do assert(k.payload[1] == tostring(k.id)) end
  for k, v in pairs(weakv) do assert(v.payload[1] == tostring(v.id)) end
  for _, o in ipairs(resurrected) do assert(o.payload[1] == tostring(o.id)) end
end

-- 2. Collections from inside metamethods, iterators, sort and gsub.
do
  local mt = {__index = function(t, k) collectgarbage() return k end,
    __add = function(a, b) collectgarbage() return {} end,
    __concat = function(a, b) collectgarbage("step", 10) return "c" end,
    __close = function() collectgarbage() end}
  local o = setmetatable({}, mt)
  for i = 1, 30 do
    assert(o[i] == i)
    assert(type(o + o) == "table")
    assert(o .. "x" == "c")
    do local c <close> = o end
  end
  local function iter(s, c) collectgarbage() if c < 30 then return c + 1, {c} end end
  for i, v in iter, nil, 0 do assert(v[1] == i - 1) end
  local arr = {}
  for i = 1, 200 do arr[i] = {v = (i * 7919) % 200} end
  table.sort(arr, function(a, b) collectgarbage("step", 1) return a.v < b.v end)
  for i = 2, 200 do assert(arr[i - 1].v <= arr[i].v) end
  local s = string.rep("abc", 50):gsub(".", function(c) collectgarbage("step") return {c:upper()} and c:upper() end)
  assert(s == string.rep("ABC", 50))
end

-- 3. Coroutines collected while suspended, with collections inside.
do
  local cos = {}
  for i = 1, 30 do
    cos[i] = coroutine.create(function(a)
      local locals = {a, {a}, tostring(a)}
      for j = 1, 5 do collectgarbage("step", j) coroutine.yield(locals[2]) end
      return locals
    end)
  end
  for round = 1, 5 do
    for i = 1, 30 do
      local ok, v = coroutine.resume(cos[i], i)
      assert(ok and v[1] == i)
    end
    collectgarbage()
  end
  cos = nil
  collectgarbage()
end

-- 4. collectgarbage("step", n) with a negative n does no work (5.4.8
-- returns false unless a cycle was completed before).
collectgarbage()
assert(collectgarbage("step", -1) == false)

-- 5. In generational mode a "step" is a minor collection, whatever the
-- incremental parameters were (gengc.lua, "bug introduced in commit
-- 9cf3299fa", with small incremental steps set beforehand).
do
  collectgarbage("incremental", 1, 40, 1)
  collectgarbage("generational")
  local t = setmetatable({}, {__mode = "kv"})
  collectgarbage()
  t[1] = {10}
  collectgarbage("step", 0)
  collectgarbage("step", 0)
  t[1] = {10}
  collectgarbage("step", 0)
  assert(t[1] == nil)
  collectgarbage("incremental", 200, 100, 13)
end

-- 6. Chains of ephemeron entries (each key keeps the next key alive
-- through its value), in both orders: everything reachable from the head
-- survives, and all of it goes once the head is dropped. (Convergence is
-- linear in luna; a quadratic one takes seconds here.)
for _, reverse in ipairs({false, true}) do
  local N = 20000
  local t = setmetatable({}, {__mode = "k"})
  local keys = {}
  for i = 1, N do keys[i] = {} end
  for i = 1, N - 1 do
    if reverse then t[keys[i + 1]] = keys[i] else t[keys[i]] = keys[i + 1] end
  end
  local head = reverse and keys[N] or keys[1]
  keys = nil
  collectgarbage()
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  assert(n == N - 1, n)
  head = nil
  collectgarbage()
  assert(next(t) == nil)
end

print("OK")
