-- Attack: malformed patterns at every entry point (find, match, gmatch,
-- gsub): unclosed sets and captures, a trailing '%', '%b' and '%f'
-- without arguments, sets with ranges ending at the pattern's end, the
-- NUL byte, and byte values above 127 in ranges.
-- Must: "malformed pattern ..." or "invalid ..." errors or results;
-- never a read past the pattern's end.
local pats = {"[", "[a", "[a-", "[%", "[^", "[]", "[^]", "(", "((", ")", "%", "a%", "%b", "%ba",
              "%f", "%fa", "%f[", "(()", "%1", "[%a-z]", "[a-%%]", "[\0-\255]", "\0", "[\255-\0]",
              "%g%", "(()%1)", "[]-]", "[%]", "^", "$", "^$", "%z", ".-$", "(%b)", "%f[%]"}
local n = 0
for _, p in ipairs(pats) do
  for _, fn in ipairs{"find", "match", "gsub", "gmatch"} do
    local ok, e = pcall(function()
      if fn == "gsub" then return ("abc\0]"):gsub(p, "x") end
      if fn == "gmatch" then for _ in ("abc\0]"):gmatch(p) do end return true end
      return string[fn]("abc\0]", p)
    end)
    if not ok then n = n + 1 end
  end
end
print("errors:", n)
print("after:", ("abc"):find("b"))
