-- Attack: protected calls nested through native frames: pcall calling
-- pcall a hundred thousand times over (one argument list), a recursive
-- function that wraps every level in pcall, and xpcall whose handler
-- recurses the same way.
-- Must: "C stack overflow"/"stack overflow" caught by the outer pcall (or
-- a plain false result); then normal code runs again.
local t = {}
for i = 1, 100000 do t[i] = pcall end
t[#t + 1] = error
print("pcall chain:", select("#", pcall(table.unpack(t))))

local depth = 0
local function rec()
  depth = depth + 1
  return pcall(rec)
end
print("pcall recursion:", pcall(rec), depth > 100)

depth = 0
local function xrec()
  depth = depth + 1
  return xpcall(xrec, xrec)
end
print("xpcall recursion:", pcall(xrec))

-- A message handler that recurses through xpcall itself.
local function handler(m)
  return select(2, xpcall(error, handler, m))
end
print("handler recursion:", xpcall(error, handler, "boom"))

-- Error objects thrown at every level of a deep pcall chain.
local function thrower(n)
  if n == 0 then error({}) end
  local ok, e = pcall(thrower, n - 1)
  error(e, 0)
end
print("rethrow chain:", pcall(thrower, 150))
print("after:", 1 + 1)
