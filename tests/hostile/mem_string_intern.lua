-- Attack: 300,000 distinct short strings (interned) and 300,000
-- distinct long ones kept alive in a table, then dropped, twice over,
-- so the string table grows and shrinks.
-- Must: success or "not enough memory" under a small limit; the
-- collector frees them; no abort.
for round = 1, 2 do
  local t = {}
  print(round, pcall(function()
    for i = 1, 300000 do t[i] = "s" .. i end
    for i = 1, 300000 do t[i] = ("l"):rep(48) .. i end
  end))
  t = nil
  collectgarbage()
end
print("after:", "s" .. 1 == "s1")
