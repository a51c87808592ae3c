-- Recursion: naive Fibonacci (calls and returns dominate).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local s = 0
for i = 1, 3 do s = s + fib(32) end
print(s)
