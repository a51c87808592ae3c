-- Attack: every prefix of string.dump's output (full and stripped) for a
-- function with nested closures, upvalues, constants of every type and
-- debug information.
-- Must: every proper prefix fails to load with "truncated chunk" (or
-- "attempt to load a binary chunk" where binary chunks are off); the
-- whole chunk loads and runs; no crash.
local function sample(...)
  local up, s, f, i, b = 1, "str", 1.5, math.maxinteger, true
  local function inner(x) up = up + x return s .. x, f, i, b, nil end
  local t <close> = nil
  for k = 1, 3 do inner(k) end
  return inner, ..., {1, 2, x = "y"}
end
for _, strip in ipairs{false, true} do
  local d = string.dump(sample, strip)
  local loaded, msg = 0, nil
  for i = 0, #d - 1 do
    local f, e = load(d:sub(1, i), "=dump", "b")
    if f then loaded = loaded + 1 else msg = msg or e end
  end
  local whole, e = load(d, "=dump", "b")
  print("strip", strip, "bytes", #d, "prefixes that loaded:", loaded, msg)
  print("whole:", whole ~= nil, e, whole and pcall(whole, 7))
end
print("after:", 1 + 1)
