-- Attack: string.rep asked for results of 2^31 to 2^62 bytes, with and
-- without a separator, including an empty string repeated 2^33 times
-- with a one-byte separator (int_rep_empty.lua repeats empty strings).
-- Must: "resulting string too large" or "not enough memory" errors,
-- caught by pcall; no abort from the allocator. Under the sandbox the
-- memory limit stops each attempt before the process grows.
local function try(name, f, ...)
  local ok, r = pcall(f, ...)
  print(name, ok, ok and #r or r)
  r = nil
  collectgarbage()
end
try("2^62", string.rep, "x", 1 << 62)
try("2^40 with sep", string.rep, "x", 1 << 40, ",")
try("2^31", string.rep, "ab", 1 << 31)
try("sep only", string.rep, "", 1 << 33, "x")
print("after:", ("x"):rep(10))
