-- Attack: library functions that call back into Lua, nested through
-- themselves: gsub replacement functions calling gsub, sort comparators
-- calling sort, load readers calling load, require loaders requiring
-- themselves, and the same through tostring/__tostring and string.rep.
-- Must: "C stack overflow" (or another error) caught by pcall; no crash.
local function g(s) return (s:gsub(".", g)) end
print("gsub:", pcall(g, "ab"))

local function cmp(a, b) table.sort({3, 2, 1}, cmp) return a < b end
print("sort:", pcall(table.sort, {3, 2, 1}, cmp))

local function reader()
  return load(reader) and nil
end
print("load reader:", pcall(load, reader))

if package then
  package.preload.hostile_self = function() return require("hostile_self") end
  print("require:", pcall(require, "hostile_self"))
end

local function lr(s) return load("return ...")(string.format("%s", setmetatable({}, {__tostring = lr}))) end
print("tostring/format:", pcall(lr))

local function iter() for _ in string.gmatch("aa", ".") do iter() end end
print("gmatch:", pcall(iter))

local function sel(...) return select("#", table.unpack({sel(...)})) end
print("unpack:", pcall(sel))
print("after:", 1 + 1)
