-- Attack: load readers that misbehave: errors with strings, tables and
-- nil; non-string results (numbers, which PUC accepts, tables, booleans,
-- functions); the empty string; a reader that yields; one that loads
-- recursively; one that collects garbage and returns pieces split in
-- the middle of tokens, escapes and long brackets; a callable table.
-- Must: load returns a function or nil plus a message ("reader function
-- must return a string", the reader's error, "attempt to yield across a
-- C-call boundary"); nothing leaks into the chunk; no crash.
local function from(list)
  local i = 0
  return function()
    i = i + 1
    local v = list[i]
    if type(v) == "function" then return v() end
    return v
  end
end
local function try(name, reader, mode)
  local ok, f, e = pcall(load, reader, "=reader", mode)
  if not ok then f, e = nil, f end
  local r
  if f then r = {pcall(f)} end
  print(name, f ~= nil, e, r and r[1], r and tostring(r[2]))
end
try("error string", from{"return 1", function() error("reader failed") end})
try("error table", from{"return 1", function() error({}) end})
try("error nil", from{"return 1", function() error() end})
try("number", from{"return ", 42})
try("table", from{"return ", {}})
try("boolean", from{"return ", true})
try("function", from{"return ", function() return print end})
try("empty string ends", from{"return 1", "", "+ 1"})
try("no values", function() end)
try("yield", function() return coroutine.yield() end)
local co = coroutine.wrap(function()
  return load(function() return coroutine.yield("y") end)
end)
print("yield in coroutine:", pcall(co))
local depth = 0
local function rec()
  depth = depth + 1
  if depth < 300 then return load(rec) and "" end
end
try("recursive", rec)
local pieces = {"ret", "urn \"a\\", "x4", "1\\u{4", "1}\\z   ", "  b\" .. [", "==[x]", "=]==] .. 0x", "1p", "4"}
local j = 0
try("split tokens", function()
  collectgarbage()
  j = j + 1
  return pieces[j]
end)
try("binary first byte", from{"\27", "Lua"})
try("binary in text mode", from{"\27Lua"}, "t")
try("callable table", setmetatable({}, {__call = function() return nil end}))
try("huge piece", from{"return #[[" .. ("x"):rep(1 << 24) .. "]]"})
print("after:", load("return 1 + 1")())
