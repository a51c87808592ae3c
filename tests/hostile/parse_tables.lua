-- Attack: the parser and code generator with a million nested table
-- constructors, and a constructor whose fields are nested calls.
-- Must: load fails with "too many syntax levels"/"C stack overflow";
-- no native stack overflow.
local n = 1000000
local f, msg = load("return " .. ("{"):rep(n) .. ("}"):rep(n))
assert(not f)
print("braces:", msg:sub(1, 100))
f, msg = load("return " .. ("{a="):rep(n) .. "1" .. ("}"):rep(n))
assert(not f)
print("fields:", msg:sub(1, 100))
f, msg = load("return " .. ("{[{"):rep(n / 2) .. "1" .. ("}]=1}"):rep(n / 2))
assert(not f)
print("keys:", msg:sub(1, 100))
f, msg = load("return " .. ("f("):rep(n) .. (")"):rep(n))
assert(not f)
print("calls:", msg:sub(1, 100))
