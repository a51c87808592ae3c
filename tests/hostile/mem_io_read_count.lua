-- Attack: file:read(n) with counts of 2^40 and maxinteger on /dev/zero
-- (a reader that preallocates the count fails at once), and read("n")
-- on an endless run of zero digits.
-- Must: an error or nil plus message; no abort; bounded memory.
if not io or not io.open then print("no io library") return end
local f = io.open("/dev/zero", "rb")
if not f then print("no /dev/zero") return end
print("n:", pcall(f.read, f, "n"))
print("2^40:", pcall(function() local s = f:read(1 << 40) return s and #s end))
collectgarbage()
print("maxinteger:", pcall(function() local s = f:read(math.maxinteger) return s and #s end))
collectgarbage()
print("many counts:", pcall(function() return select("#", f:read(table.unpack({}, 1, 250)) ) end))
f:close()
print("after:", 1 + 1)
