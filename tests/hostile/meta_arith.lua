-- Attack: every arithmetic, bitwise, concatenation, length and unary
-- metamethod recursing into its own operator, and two metamethods that
-- call each other.
-- Must: "C stack overflow"/"stack overflow" errors caught by pcall; no
-- native stack overflow.
local mt = {}
local o = setmetatable({}, mt)
local ops = {
  __add = function(a, b) return a + b end, __sub = function(a, b) return a - b end,
  __mul = function(a, b) return a * b end, __div = function(a, b) return a / b end,
  __mod = function(a, b) return a % b end, __pow = function(a, b) return a ^ b end,
  __idiv = function(a, b) return a // b end, __band = function(a, b) return a & b end,
  __bor = function(a, b) return a | b end, __bxor = function(a, b) return a ~ b end,
  __shl = function(a, b) return a << b end, __shr = function(a, b) return a >> b end,
  __concat = function(a, b) return a .. b end, __unm = function(a) return -a end,
  __bnot = function(a) return ~a end, __len = function(a) return #a end,
}
for name, f in pairs(ops) do mt[name] = f end
local names = {}
for name in pairs(ops) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do
  local ok, e = pcall(ops[name], o, o)
  print(name, ok, e)
end
mt.__add = function(a, b) return a - b end
mt.__sub = function(a, b) return a + b end
print("add/sub cycle:", pcall(function() return o + 1 end))
mt.__concat = function(a, b) return {} .. a end
print("concat with a table:", pcall(function() return "x" .. o end))
print("concat chain:", pcall(function() return o .. o .. o .. o .. o .. o .. o .. o end))
print("after:", 1 + 1)
