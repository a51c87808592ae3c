-- Attack: hooks that raise errors: call, return, line and count hooks
-- (the return hook while a function returns, a tail call, a native
-- function's return, a coroutine's end), hooks that error with tables,
-- hooks that replace themselves, hooks inside coroutines and
-- metamethods, and a count hook of 1 over a loop
-- (debug_hook_return_uncaught.lua has the return hook of pcall).
-- Must: each error propagates to the pcall around it (or is ignored as
-- PUC does), the hook is removed afterwards, and the state runs normal
-- code; no crash.
if not debug or not debug.sethook then print("no debug library") return end
local function f(x) return x + 1 end
local function tail(x) return f(x) end
local function try(name, mask, count, body, target, errval)
  local fired = 0
  local ok, e = pcall(function()
    debug.sethook(function(ev)
      local info = debug.getinfo(2, "f")
      if fired < 1000 and info and info.func == target then
        fired = fired + 1
        error(errval or ("hook " .. ev), 0)
      end
    end, mask, count)
    return body()
  end)
  debug.sethook()
  print(name, ok, tostring(e), fired > 0)
end
local function body() local a = 1 for i = 1, 10 do a = a + i end return a end
try("call", "c", 0, function() return f(1) end, f)
try("return", "r", 0, function() return f(1) end, f)
try("return of tail call", "r", 0, function() return tail(1) end, f)
try("return of native", "r", 0, function() return select("#", 1, 2) end, select)
try("line", "l", 0, body, body)
try("count 1", "", 1, body, body)
try("table error", "c", 0, function() return f(1) end, f, {})
try("nil error", "r", 0, function() return f(1) end, f, nil)
try("return in coroutine", "r", 0, function()
  return coroutine.wrap(function() return f(1) end)()
end, f)
local index = function() return 1 end
try("in metamethod", "c", 0, function()
  return setmetatable({}, {__index = index}).x
end, index)
local function raise() error("body") end
try("return of error", "r", 0, raise, raise)
try("return of error function", "r", 0, raise, error)
-- A hook that keeps replacing itself with a new erroring hook.
local n = 0
local function swap()
  n = n + 1
  debug.sethook(n < 500 and swap or nil, "crl")
  if n % 7 == 0 then error("swap " .. n) end
end
-- (An error of the return hook of 'pcall' itself is raised where pcall
-- returns, outside it, as in PUC: the outer pcall catches those.)
debug.sethook(swap, "crl")
for i = 1, 20 do pcall(pcall, f, i) end
debug.sethook()
print("swapping hooks:", n > 0)
-- Hooks set on a coroutine that errors in its return hook when it ends.
local co = coroutine.create(function() return f(1) end)
debug.sethook(co, function(ev) error("co hook " .. ev) end, "r")
print("coroutine return hook:", coroutine.resume(co))
print("after:", 1 + 1, debug.gethook())
