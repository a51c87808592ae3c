-- Attack: __eq, __lt and __le that recurse into the same comparison,
-- that return unusual values, and that throw unusual error objects, in
-- plain comparisons and inside table.sort.
-- Must: "C stack overflow" or the thrown values, caught by pcall; the
-- sort raises an error or sorts; no crash.
local mt = {}
mt.__eq = function(a, b) return a == b end
mt.__lt = function(a, b) return a < b end
mt.__le = function(a, b) return a <= b end
local x, y = setmetatable({}, mt), setmetatable({}, mt)
print("__eq:", pcall(function() return x == y end))
print("__lt:", pcall(function() return x < y end))
print("__le:", pcall(function() return x <= y end))
print("__lt mixed:", pcall(function() return x < 1 end))
mt.__lt = function(a, b) return b <= a end
mt.__le = function(a, b) return b < a end
print("__lt/__le cycle:", pcall(function() return x < y end))
mt.__eq = function() return setmetatable({}, mt) end
mt.__lt = function() error(setmetatable({}, {__tostring = function() error("again") end})) end
print("__eq table:", pcall(function() return x == y, x ~= y end))
local ok, e = pcall(function() return x < y end)
print("__lt error object:", ok, type(e))
local n = 0
mt.__lt = function() n = n + 1 return n % 3 == 0 end
local t = {}
for i = 1, 1000 do t[i] = setmetatable({}, mt) end
print("sort inconsistent:", pcall(table.sort, t))
print("sort inconsistent cmp:", pcall(table.sort, {5, 3, 1, 4, 2, 9, 8, 7, 6, 0}, function() return true end))
print("after:", 1 < 2)
