-- Attack: expressions with a million operands: flat left-associative
-- chains (and, or, +, comparisons) that the parser handles in a loop and
-- that produce long jump lists, and right-associative chains (.., ^)
-- that recurse once per operand.
-- Must: each load either compiles (and the function runs) or fails with
-- a syntax-level/memory error; no crash. The and/or chains are kept to
-- 10,000 operands here because both PUC and luna patch jump lists in
-- quadratic time (parse_andor_million.lua has the full-size attack).
local n = 1000000
local function try(name, src)
  local t = os.clock()
  local f, msg = load(src)
  if f then
    local ok, r = pcall(f)
    print(name, "compiled", ok, type(r), os.clock() - t < 60)
  else
    print(name, "rejected", msg:sub(1, 100))
  end
end
local m = 10000
try("and", "local x = 1 return " .. ("x and "):rep(m) .. "x")
try("or", "local x = false return " .. ("x or "):rep(m) .. "1")
try("and/or", "local x = 1 return " .. ("x and x or "):rep(m / 2) .. "x")
try("if-and", "local x = 1 if " .. ("x and "):rep(m) .. "x then return 1 end")
try("plus", "local x = 1 return " .. ("x + "):rep(n) .. "x")
try("compare", "local x = 1 return " .. ("x == "):rep(n) .. "x")
try("concat", "local x = 'a' return " .. ("x .. "):rep(n) .. "x")
try("pow", "local x = 1 return " .. ("x ^ "):rep(n) .. "x")
try("concat-literals", "return " .. ("'a' .. "):rep(n) .. "'a'")
try("index", "local x = setmetatable({}, {__index = function(t) return t end}) return x" .. (".a"):rep(n))
try("calls", "local function x() return x end return x" .. ("()"):rep(n))
