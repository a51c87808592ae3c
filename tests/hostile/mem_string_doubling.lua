-- Attack: a string doubled by concatenation until memory runs out, then
-- the same through string.rep with itself as separator.
-- Must: "not enough memory" (or "resulting string too large") caught by
-- pcall, no abort; the state keeps working.
print("concat:", pcall(function()
  local s = "x"
  while true do s = s .. s end
end))
collectgarbage()
print("rep:", pcall(function()
  local s = "xy"
  while true do s = s:rep(2, s) end
end))
collectgarbage()
print("after:", ("x"):rep(10))
