-- Attack: debug.setupvalue and upvaluejoin on functions they were not
-- made for: the upvalues of native closures (a gmatch iterator, a
-- coroutine.wrap function, io.lines' iterator), which PUC's C code reads
-- back as its own state (PUC crashes on some), _ENV replaced with
-- non-tables, upvaluejoin across unrelated closures and with
-- out-of-range indices, and stripped functions.
-- Must: errors, nil results or ordinary results; natives keep their
-- own state; no crash.
if not debug or not debug.setupvalue then print("no debug library") return end
local function probe(name, f)
  local names = {}
  for i = 1, 5 do
    local n = debug.getupvalue(f, i)
    if n == nil then break end
    names[#names + 1] = n
    for _, v in ipairs{42, "s", {}, false} do debug.setupvalue(f, i, v) end
  end
  print(name, #names, pcall(f))
end
probe("gmatch", string.gmatch("a b c", "%a"))
probe("wrap", coroutine.wrap(function() return 1 end))
if io and io.lines then
  local ok, it = pcall(io.lines, "/dev/null")
  if ok then probe("io.lines", it) end
end
local uses_env = load("return print")
for _, v in ipairs{42, "str", false, setmetatable({}, {__index = function() error("no globals") end})} do
  debug.setupvalue(uses_env, 1, v)
  print("_ENV = " .. type(v), pcall(uses_env))
end
local a, b = 1, "two"
local function fa() return a + 1 end
local function fb() return b .. "!" end
debug.upvaluejoin(fa, 1, fb, 1)
print("joined types:", pcall(fa))
for _, i in ipairs{-1, 0, 2, 256, math.maxinteger, math.mininteger} do
  print("join " .. i, pcall(debug.upvaluejoin, fa, i, fb, 1), pcall(debug.upvaluejoin, fa, 1, fb, i))
end
print("join native:", pcall(debug.upvaluejoin, fa, 1, string.gmatch("a", "a"), 1))
print("upvalueid:", pcall(debug.upvalueid, print, 1), pcall(debug.upvalueid, fa, 5))
local stripped = load(string.dump(function() return a end, true))
if stripped then print("stripped:", debug.getupvalue(stripped, 1), debug.setupvalue(stripped, 1, 5)) end
print("after:", 1 + 1)
