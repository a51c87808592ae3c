-- Attack: a table whose __call is the table itself: every attempt to
-- call it finds another callable table and pushes the object once more
-- as an argument, forever; then a two-table cycle. PUC 5.4.4 shifts the
-- arguments on every hop until its 1,000,000-slot stack limit
-- (quadratic: it runs for many minutes).
-- Must: an error ("stack overflow", a '__call' chain limit, ...) caught
-- by pcall, within seconds; no crash, no hang.
local t = setmetatable({}, {})
getmetatable(t).__call = t
print(pcall(t))
print(pcall(t, 1, 2, 3))
print(pcall(function() return t() end))
print(pcall(function() return (t()) end))
local a, b = setmetatable({}, {}), setmetatable({}, {})
getmetatable(a).__call = b
getmetatable(b).__call = a
print("two-table cycle:", pcall(a))
print("after:", 1 + 1)
