-- Attack: endless readers that never return nil: a thousand '(' per
-- call (the parser's nesting limit must stop it), then '{', "do ",
-- function bodies and index brackets the same way.
-- Must: load returns nil plus "too many syntax levels"/"C stack
-- overflow" after a bounded amount of input; no crash.
local cases = {{"return ", "("}, {"return ", "{"}, {" ", "do "}, {"return ", "function() return "},
               {"return a", "[a"}, {"return ", "not "}}
for _, c in ipairs(cases) do
  local calls = 0
  local f, e = load(function()
    calls = calls + 1
    if calls == 1 then return c[1] end
    return c[2]:rep(1000)
  end)
  print(c[2], f ~= nil, e, calls < 1000)
end
print("after:", load("return 1 + 1")())
