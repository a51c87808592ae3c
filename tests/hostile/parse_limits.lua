-- Attack: the compiler's fixed limits: more than 200 locals, 255
-- upvalues, 255 registers in one expression list, 200,000 constants
-- (beyond what one instruction can address),
-- a million table constructor items, a million gotos and labels, a
-- long string with a million '=' in its brackets.
-- Must: errors such as "too many local variables" or "function or
-- expression needs too many registers", or success; never a crash.
local function try(name, src)
  local f, msg = load(src)
  if f then
    local ok, r = pcall(f)
    print(name, "compiled", ok, ok and type(r) or tostring(r):sub(1, 80))
  else
    print(name, "rejected", msg:sub(1, 100))
  end
end
local t = {}
for i = 1, 300 do t[i] = "local a" .. i .. " = " .. i end
try("300 locals", table.concat(t, "\n"))
t = {}
for i = 1, 300 do t[i] = "local u" .. i .. " = " .. i end
local uses = {}
for i = 1, 300 do uses[i] = "u" .. i end
try("300 upvalues", "local function outer() " .. table.concat(t, " ", 1, 150) ..
  " return function() " .. table.concat(t, " ", 151, 300) .. " return function() return " ..
  table.concat(uses, "+") .. " end end end return outer()()()")
try("1e5 results", "return " .. ("1,"):rep(100000) .. "1")
try("1e5 args", "return print(" .. ("1,"):rep(100000) .. "1)")
try("1e5 targets", ("a,"):rep(100000) .. "a = 1")
t = {}
for i = 1, 200000 do t[i] = "'k" .. i .. "'" end
try("2e5 constants", "return {" .. table.concat(t, ",") .. "}")
try("2e5 numeric constants", "return {" .. table.concat(t, ","):gsub("'k", ""):gsub("'", ".5") .. "}")
try("1e6 items", "return {" .. ("1,"):rep(1000000) .. "}")
try("1e6 named fields", "return {" .. ("a=1,"):rep(1000000) .. "}")
t = {}
for i = 1, 40000 do t[i] = "goto l" .. i .. " ::l" .. i .. "::" end
try("4e4 labels", table.concat(t, " "))
try("1e5 forward gotos", ("goto e "):rep(100000) .. "::e::")
try("1e5 duplicate labels", ("do ::l:: end "):rep(100000))
local eq = ("="):rep(1000000)
try("long brackets", "return [" .. eq .. "[x]" .. eq .. "]")
try("unfinished long string", "return [" .. eq .. "[x")
try("long comment", "--[" .. eq .. "[" .. ("x"):rep(1000000) .. "]" .. eq .. "] return 1")
