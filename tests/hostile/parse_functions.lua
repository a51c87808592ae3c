-- Attack: nested function bodies (each one a new prototype and a new
-- function state in the compiler) and nested blocks of every kind.
-- Must: "too many syntax levels"/"C stack overflow" from load, no crash.
local n = 200000
local cases = {
  {"function ", ("return function() "):rep(n) .. ("end "):rep(n)},
  {"do", ("do "):rep(n) .. ("end "):rep(n)},
  {"while", ("while x do "):rep(n) .. ("end "):rep(n)},
  {"if", ("if x then "):rep(n) .. ("end "):rep(n)},
  {"repeat", ("repeat "):rep(n) .. ("until x "):rep(n)},
  {"for", ("for i = 1, 2 do "):rep(n) .. ("end "):rep(n)},
  {"local function", ("local function f() "):rep(n) .. ("end "):rep(n)},
}
for _, c in ipairs(cases) do
  local f, msg = load(c[2])
  assert(not f, c[1])
  print(c[1], msg:sub(1, 100))
end
