-- Attack: yields from every place a coroutine can be suspended in, or
-- cannot: through pcall and xpcall (and their message handlers), from
-- metamethods (__index, __newindex, __add, __eq, __lt, __le, __concat,
-- __len, __call, __close), from a sort comparator, a gsub callback, a
-- load reader, a __tostring called by tostring, and a __gc.
-- Must: yields that PUC allows work (the values travel and the frames
-- resume correctly); the others raise "attempt to yield across a C-call
-- boundary"; no crash.
local Y = coroutine.yield
local function run(name, f, ...)
  local co = coroutine.create(f)
  local out = {}
  local ok, a = coroutine.resume(co, ...)
  local steps = 0
  while ok and coroutine.status(co) == "suspended" and steps < 100 do
    out[#out + 1] = tostring(a)
    ok, a = coroutine.resume(co, "resumed")
    steps = steps + 1
  end
  print(name, ok, tostring(a), table.concat(out, ","))
end
local mt = {
  __index = function(t, k) return Y("index") end,
  __newindex = function(t, k, v) Y("newindex") end,
  __add = function() return Y("add") end,
  __eq = function() return Y("eq") end,
  __lt = function() return Y("lt") end,
  __le = function() return Y("le") end,
  __concat = function() return Y("concat") end,
  __len = function() return Y("len") end,
  __call = function() return Y("call") end,
  __close = function() Y("close") end,
  __tostring = function() return Y("tostring") end,
}
local a, b = setmetatable({}, mt), setmetatable({}, mt)
run("pcall", function() return pcall(Y, "in pcall") end)
run("xpcall handler", function() return xpcall(error, function(m) return Y("in handler") end, "e") end)
run("index", function() return a.x end)
run("newindex", function() a.x = 1 return "done" end)
run("add", function() return a + 1 end)
run("eq", function() return a == b end)
run("lt", function() return a < b end)
run("le", function() return a <= b end)
run("concat", function() return a .. "x" .. b end)
run("len", function() return #a end)
run("call", function() return a() end)
run("close", function() local x <close> = a return "body" end)
run("close on error", function() local x <close> = a error("e") end)
run("sort", function() table.sort({3, 2, 1}, function(x, y) Y("sort") return x < y end) end)
run("gsub", function() return ("ab"):gsub(".", function(c) return Y(c) end) end)
run("load reader", function() return load(function() return Y("reader") end) end)
run("tostring", function() return tostring(a) end)
run("pcall in metamethod", function()
  return setmetatable({}, {__index = function() return select(2, pcall(Y, "deep")) end}).x
end)
run("nested pcall x10", function()
  local function f(n) if n == 0 then return Y("bottom") end return select(2, pcall(f, n - 1)) end
  return f(10)
end)
run("gc", function()
  setmetatable({}, {__gc = function() Y("gc") end})
  collectgarbage()
  return "collected"
end)
print("isyieldable main:", coroutine.isyieldable())
print("after:", 1 + 1)
