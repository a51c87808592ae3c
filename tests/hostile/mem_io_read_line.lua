-- Attack: file:read("l") and io.lines(..., "L") on /dev/zero, where no
-- newline ever comes.
-- Must: "not enough memory" (raised, or nil plus message), no abort.
if not io or not io.open then print("no io library") return end
local f = io.open("/dev/zero", "rb")
if not f then print("no /dev/zero") return end
print("l:", pcall(f.read, f, "l"))
f:close()
collectgarbage()
print("lines L:", pcall(function()
  for l in io.lines("/dev/zero", "L") do return #l end
end))
collectgarbage()
print("after:", 1 + 1)
