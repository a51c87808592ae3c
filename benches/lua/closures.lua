-- Closures: creation and calls through upvalues.
local function make_counter()
  local n = 0
  return function(d) n = n + d; return n end
end
local total = 0
for i = 1, 600000 do
  local c = make_counter()
  c(i); total = total + c(1)
end
local function compose(f, g) return function(x) return f(g(x)) end end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
local h = compose(inc, dbl)
for i = 1, 6000000 do total = total + h(i) end
print(total)
