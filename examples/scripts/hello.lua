-- A small tour of Lua run by the luna interpreter.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local squares = {}
for i = 1, 10 do squares[#squares + 1] = i * i end

local Account = {}
Account.__index = Account
function Account.new(owner) return setmetatable({owner = owner, balance = 0}, Account) end
function Account:deposit(n) self.balance = self.balance + n; return self end

local acct = Account.new("luna"):deposit(40):deposit(2)

local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i) end
end)

print("fib(25) = " .. fib(25))
print("squares: " .. table.concat(squares, " "))
print(string.format("%s has %d", acct.owner, acct.balance))
print("generated: " .. gen() .. ", " .. gen() .. ", " .. gen())
print(pcall(error, {code = 42}) == false and "errors are values" or "?")
