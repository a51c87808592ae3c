-- Attack: coroutine API misuse: resuming itself, resuming the main
-- thread, resuming a dead or normal coroutine, closing the running one
-- or the main thread, wrap of a dead coroutine, errors with non-string
-- objects through wrap, status/isyieldable/running on odd threads, and
-- a coroutine resumed after its error.
-- Must: the documented errors ("cannot resume non-suspended coroutine",
-- "cannot resume dead coroutine", "cannot close a running coroutine")
-- or false results; no crash.
local main = coroutine.running()
print("resume main:", coroutine.resume(main))
print("close main:", pcall(coroutine.close, main))
local co
co = coroutine.create(function()
  print("resume self:", coroutine.resume(co))
  print("close self:", pcall(coroutine.close, co))
  print("status self:", coroutine.status(co))
  local inner = coroutine.create(function() return coroutine.resume(co) end)
  print("resume normal:", coroutine.resume(inner))
  error({"table error"})
end)
print("body error:", coroutine.resume(co))
print("resume dead:", coroutine.resume(co))
print("close dead with error:", coroutine.close(co))
local w = coroutine.wrap(function() return 1 end)
w()
print("wrap dead:", pcall(w))
local we = coroutine.wrap(function() error(setmetatable({}, {__index = function() error("idx") end})) end)
local ok, e = pcall(we)
print("wrap table error:", ok, type(e))
local wn = coroutine.wrap(function() error() end)
print("wrap nil error:", pcall(wn))
print("wrap non-function:", pcall(coroutine.wrap, 42))
print("create non-function:", pcall(coroutine.create, setmetatable({}, {__call = print})))
print("status of non-thread:", pcall(coroutine.status, {}))
print("isyieldable(co):", coroutine.isyieldable(co))
print("yield in main:", pcall(coroutine.yield, 1))
print("after:", 1 + 1)
