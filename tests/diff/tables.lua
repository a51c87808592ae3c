-- Tables, metatables and the table library.
local t = {10, 20, 30, x = 1, y = 2}
print(#t, t[2], t.x, rawlen(t), rawget(t, "y"))
table.insert(t, 40) table.insert(t, 1, 5)
print(table.concat(t, " "), table.remove(t), table.remove(t, 1), #t)
local u = {5, 2, 8, 1, 9, 3}
table.sort(u) print(table.concat(u, ","))
table.sort(u, function(a, b) return a > b end) print(table.concat(u, ","))
print(table.unpack({1, 2, 3}))
print(select("#", table.unpack({}, 1, 3)))
local p = table.pack(1, nil, 3) print(p.n, p[1], p[2], p[3])
print(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), ","))
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(a) return "V(" .. a.x .. ")" end
V.__len = function(a) return a.x end
V.__call = function(self, y) return self.x * y end
V.__concat = function(a, b) return tostring(a) .. "|" .. tostring(b) end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
local a, b = setmetatable({x = 1}, V), setmetatable({x = 2}, V)
print(tostring(a + b), a == b, a < b, a <= b, #b, b(21), a .. b, tostring(-a))
local proxy = setmetatable({}, {__index = function(_, k) return k .. "!" end,
  __newindex = function(t, k, v) rawset(t, k, v * 2) end})
proxy.z = 21
print(proxy.q, proxy.z)
local count = 0
for k, v in pairs({1, 2, 3}) do count = count + k * v end
print(count, next({}), type(next({7})))
