-- Attack: a return hook that raises an error when pcall itself returns,
-- outside any protected call, so the error leaves the main chunk from a
-- hook running in a native frame that has already finished its work.
-- Must: the script ends with the hook's error ("hook return"), reported
-- as an ordinary uncaught error (PUC's lua: exit status 1 and a
-- traceback); no internal error, no crash.
if not debug or not debug.sethook then print("no debug library") error("hook return") end
local function f(x) return x + 1 end
debug.sethook(function(ev)
  local info = debug.getinfo(2, "f")
  if info and info.func == pcall then
    debug.sethook()
    error("hook " .. ev, 0)
  end
end, "r")
print(pcall(f, 1))
print("not reached")
