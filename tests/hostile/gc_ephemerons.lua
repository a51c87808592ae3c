-- Attack: the collector's ephemeron convergence: a weak-keyed table
-- holding a chain of 20,000 entries where each value is the next key
-- (inserted in an order that makes every pass mark only one more
-- entry), plus a ring of weak-valued tables, collected repeatedly.
-- Must: each collection ends in reasonable time (no quadratic blow-up
-- beyond seconds); the chain is retained while its head is, and freed
-- after; no crash.
local weak = setmetatable({}, {__mode = "k"})
local keys = {}
for i = 1, 20000 do keys[i] = {} end
for i = 20000 - 1, 1, -1 do weak[keys[i]] = keys[i + 1] end
local head = keys[1]
keys = nil
collectgarbage()
local n = 0
for _ in pairs(weak) do n = n + 1 end
print("retained:", n)
head = nil
collectgarbage()
n = 0
for _ in pairs(weak) do n = n + 1 end
print("after dropping the head:", n)
local ring = {}
for i = 1, 1000 do ring[i] = setmetatable({}, {__mode = "v"}) end
for i = 1, 1000 do ring[i][1] = ring[i % 1000 + 1] end
ring = nil
for i = 1, 5 do collectgarbage() end
print("after:", collectgarbage("count") > 0)
