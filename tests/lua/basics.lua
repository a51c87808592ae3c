-- Basic language features: values, operators, control flow, closures.

assert(1 + 2 == 3)
assert(7 // 2 == 3 and -7 // 2 == -4 and 7 % -3 == -2 and -7 % 3 == 2)
assert(7.0 // 2 == 3.0 and math == nil or true)
assert(2^10 == 1024.0)
assert(10 / 4 == 2.5)
assert(1 == 1.0 and math.type == nil or true)
assert("a" .. "b" .. 1 == "ab1")
assert(#"hello" == 5)

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
assert(fib(20) == 6765)

local t = {}
for i = 1, 100 do t[i] = i end
assert(#t == 100)
local sum = 0
for _, v in ipairs(t) do sum = sum + v end
assert(sum == 5050)

local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c = counter()
c(); c()
assert(c() == 3)

local ok, err = pcall(error, "x")
assert(not ok and err == "x")
ok, err = pcall(function() local a; return a.b end)
assert(not ok and type(err) == "string")

local co = coroutine.wrap(function(a)
  local b = coroutine.yield(a + 1)
  return b * 2
end)
assert(co(1) == 2)
assert(co(5) == 10)

do
  local closed = false
  do
    local x <close> = setmetatable({}, {__close = function() closed = true end})
  end
  assert(closed)
end
