-- Attack: table.concat over a proxy whose __index makes a fresh 1 MB
-- string for every index from 1 to 10^6 (a terabyte in total), then at
-- the edges of the integer range.
-- Must: "not enough memory" caught by pcall (the buffer and the strings
-- count against the memory limit); the edge ranges give a small result
-- or an error; no abort, no endless loop at maxinteger.
local count = 0
local proxy = setmetatable({}, {__index = function(_, i)
  count = count + 1
  return ("z"):rep(1 << 20) .. i
end})
local ok, r = pcall(table.concat, proxy, "", 1, 1000000)
print("1e6 x 1 MB:", ok, ok and #r or r, count > 0)
r = nil
collectgarbage()
local small = setmetatable({}, {__index = function(_, i) return "." end})
print("edge:", pcall(table.concat, small, "", math.maxinteger - 2, math.maxinteger))
print("empty:", pcall(table.concat, small, "", math.maxinteger, math.mininteger))
print("min edge:", pcall(table.concat, small, "", math.mininteger, math.mininteger + 2))
print("after:", table.concat({1, 2, 3}, ","))
