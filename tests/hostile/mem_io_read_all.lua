-- Attack: file:read("a") on /dev/zero, which never ends.
-- Must: "not enough memory" (raised, or nil plus message), no abort; the
-- io buffer counts against the memory limit.
if not io or not io.open then print("no io library") return end
local f = io.open("/dev/zero", "rb")
if not f then print("no /dev/zero") return end
print(pcall(f.read, f, "a"))
f:close()
collectgarbage()
print("after:", 1 + 1)
