-- Attack: captures beyond the limit of 32, a hundred thousand nested
-- parentheses (the matcher's recursion), long chains of optional items,
-- back-references to open or missing captures, and position captures
-- on a 1 MB subject.
-- Must: "too many captures", "pattern too complex", "invalid capture
-- index" and similar errors, caught by pcall; no native stack overflow.
local function try(name, f, ...)
  local ok, a, b = pcall(f, ...)
  print(name, ok, type(a) == "string" and #a > 60 and #a or a, b)
end
local s = ("a"):rep(100)
try("33 captures", string.find, s, ("(a)"):rep(33))
try("32 captures", string.find, s, ("(a)"):rep(32))
try("1e5 nested", string.find, s, ("("):rep(100000) .. "a" .. (")"):rep(100000))
try("1e5 a?", string.find, s, ("a?"):rep(100000))
try("1e5 a? then b", string.find, ("a"):rep(200000), ("a?"):rep(100000) .. "b")
try("1e5 a- then b", string.find, ("a"):rep(1000), ("a-"):rep(1000) .. "b")
try("open backref", string.find, s, "(a%1)")
try("missing backref", string.find, s, "(a)%2")
try("backref 0", string.find, s, "%0")
try("position captures", function() return select("#", (("x"):rep(1 << 20)):match(("()x"):rep(32))) end)
try("gsub %9", string.gsub, s, "(a)", "%9")
try("gsub %2 of one", string.gsub, s, "(a)", "%2")
try("gsub bad %", string.gsub, s, "a", "%x")
try("unbalanced %b", string.find, ("(("):rep(10000), "%b()")
try("deep match via gsub", function()
  local p = ("(a?)"):rep(32)
  return #s:gsub(p, "%1%2%3")
end)
print("after:", ("a"):match("(a)"))
