-- Attack: hooks that do odd things from inside: yield (from a Lua hook,
-- which PUC refuses), collect garbage, read and write locals of the
-- hooked frame (setlocal of the numeric for loop's hidden state), call
-- debug.getinfo at every level with every option, and recurse into
-- the hooked function.
-- Must: errors or ordinary results; the loops end; no crash.
if not debug or not debug.sethook then print("no debug library") return end
local co = coroutine.create(function()
  debug.sethook(function() coroutine.yield("from hook") end, "l")
  local a = 1
  return a
end)
print("yield from hook:", coroutine.resume(co))
debug.sethook(co)
debug.sethook(function() collectgarbage() collectgarbage("step") end, "cr")
local t = {}
for i = 1, 100 do t[i] = {} end
debug.sethook()
print("collecting hook: ok")
local seen = 0
debug.sethook(function()
  for level = 0, 5 do
    local info = debug.getinfo(level, "nSltufrL")
    if info then seen = seen + 1 end
    for i = -3, 10 do pcall(debug.setlocal, level, i, "hooked") end
  end
end, "l")
local s = 0
for i = 1, 10 do s = s + 1 end
debug.sethook()
print("setlocal from hook:", pcall(function() return s end), seen > 0)
local depth = 0
local function g() return 1 end
debug.sethook(function()
  depth = depth + 1
  if depth < 10000 then g() end
end, "c")
g()
debug.sethook()
print("recursive hook:", depth)
debug.sethook(print, "x", -1)
debug.sethook()
print("odd masks:", pcall(debug.sethook, print, {}, 1))
print("after:", 1 + 1)
