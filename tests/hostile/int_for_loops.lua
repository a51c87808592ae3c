-- Attack: numeric for loops at the integer limits, where a naive
-- counter overflows and loops forever or skips: from maxinteger - 2 to
-- maxinteger, down to mininteger, steps of maxinteger and mininteger, a
-- float limit beyond the integer range, NaN limits and a zero step.
-- Must: exactly the iterations PUC makes (3, 3, 2, 2, ...), "'for' step
-- is zero"; every loop ends.
local min, max = math.mininteger, math.maxinteger
local function count(a, b, c)
  local ok, r = pcall(function()
    local n = 0
    for i = a, b, c do
      n = n + 1
      if n > 10 then return "runaway" end
    end
    return n
  end)
  return ok and r or "error: " .. r
end
print("max-2..max", count(max - 2, max, 1))
print("min+2..min,-1", count(min + 2, min, -1))
print("min..min+2", count(min, min + 2, 1))
print("step max", count(0, max, max))
print("step min", count(0, min, min))
print("step max from min", count(min, max, max))
print("step min from max", count(max, min, min))
print("1..0 step min", count(1, 0, min))
print("max-1..inf", count(max - 1, math.huge, 1))
print("min+1..-inf", count(min + 1, -math.huge, -1))
print("float limit 2^63", count(max - 1, 2^63, 1))
print("float limit -2^63", count(min + 1, -2^63, -1))
print("nan limit", count(1, 0/0, 1))
print("nan start", count(0/0, 1, 1))
print("nan step", count(1, 2, 0/0))
print("zero step", count(1, 2, 0))
print("zero float step", count(1, 2, 0.0))
print("string bounds", count("1", "2", "1"))
print("float start", count(max - 0.5, max, 1))
print("huge float step", count(1.0, 2.0, 2^1000))
print("after:", count(1, 3, 1))
