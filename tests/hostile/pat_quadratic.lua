-- Attack: patterns that are merely slow: '.-' scanning and gsub with
-- empty matches over a 1 MB subject, anchors that never match, '%f'
-- frontiers and '%b' balances over long runs, gmatch with empty
-- matches. Each is quadratic at worst on sizes kept to seconds in PUC.
-- Must: the results (or an instruction limit error in the facade); no
-- crash.
local s = ("ab"):rep(1 << 19)
print("gsub empty:", #s:gsub("", "-"))
print("gsub .-:", s:gsub("a.-b", "") and "ok")
local n = 0
for _ in s:gmatch("()") do n = n + 1 end
print("gmatch empty:", n)
print("frontier:", select("#", s:find("%f[%z]")))
local nested = ("("):rep(5000) .. (")"):rep(5000)
print("%b:", nested:find("%b()") )
local t = ("a"):rep(3000)
print("quadratic .-:", t:find(".-b"))
print("quadratic a-:", t:find("a-b"))
print("after:", ("x"):find("x"))
