-- Attack: the parser's recursion through a million nested parentheses,
-- given to load as one string and again as one byte per reader call.
-- Must: load returns nil plus a message ("too many syntax levels" or
-- "C stack overflow"), never overflowing the native stack.
local n = 1000000
local src = "return " .. ("("):rep(n) .. "1" .. (")"):rep(n)
local f, msg = load(src)
assert(not f, "a million parentheses compiled")
print("string:", msg:sub(1, 120))

local i = 0
f, msg = load(function()
  i = i + 1
  if i <= n then return "(" end
  return nil
end)
assert(not f)
print("reader:", msg:sub(1, 120))

-- Prefix and suffix forms that nest the same way.
for _, pre in ipairs{"- ", "not ", "~ ", "# "} do
  f, msg = load("return " .. pre:rep(n) .. "1")
  assert(not f)
  print(pre, msg:sub(1, 80))
end
