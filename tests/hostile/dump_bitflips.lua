-- Attack: string.dump output with single-bit and single-byte mutations
-- (5,000 of them, from a fixed pseudo-random sequence) loaded and, when
-- the loader accepts them, run in an empty environment under an
-- instruction budget (a count hook where the debug library exists).
-- PUC's lua5.4 has no bytecode verifier: mutated code can crash it.
-- Must: load rejects a chunk or the chunk runs (or raises an error)
-- safely; no crash, no hang.
local function sample(a, ...)
  local t = {a, ..., n = select("#", ...)}
  local s = 0
  for i = 1, #t do s = s + (t[i] or 0) end
  for k, v in pairs(t) do s = s + #tostring(k) end
  local function inner(x) s = s + x return s end
  local r = inner(3) .. "x" .. 1.5 // 1
  while s > 10 do s = s - 7 end
  return r, s < 100, s == 3, -s, ~s, s & 1, s >> 1
end
local d = string.dump(sample)
local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end
local budget = debug and debug.sethook
local loaded, ran, failed = 0, 0, 0
for i = 1, 5000 do
  local pos = rand(#d - 32) + 33
  local byte = d:byte(pos)
  local new = i % 2 == 0 and (byte ~ (1 << rand(8))) or rand(256)
  local m = d:sub(1, pos - 1) .. string.char(new) .. d:sub(pos + 1)
  local f = load(m, "=mutant", "b", {})
  if f then
    loaded = loaded + 1
    if budget then debug.sethook(function() error("budget") end, "", 100000) end
    local ok = pcall(f, 1, 2, 3)
    if budget then debug.sethook() end
    if ok then ran = ran + 1 else failed = failed + 1 end
  end
end
print("loaded:", loaded, "ran:", ran, "failed:", failed)
print("after:", 1 + 1)
