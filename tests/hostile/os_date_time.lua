-- Attack: os.date and os.time with extreme and malformed input: times
-- at mininteger, maxinteger and +-2^60, a format of 1 MB, invalid and
-- truncated conversions, years beyond 32 bits, fields that are floats,
-- strings and huge numbers, and a normalisation that overflows.
-- Must: results, nil, or the documented errors ("time out-of-bounds",
-- "field 'year' is out-of-bound", "invalid conversion specifier"); no
-- crash, no overflow panic.
if not os or not os.date then print("no os library") return end
local min, max = math.mininteger, math.maxinteger
local function try(name, f, ...)
  local ok, r = pcall(f, ...)
  print(name, ok, type(r) == "string" and #r > 60 and #r or r)
end
for _, t in ipairs{min, max, 1 << 60, -(1 << 60), 1 << 40, -1} do
  try("date " .. t, os.date, "%Y-%m-%d %H:%M:%S", t)
  try("date ! " .. t, os.date, "!*t", t)
end
try("huge format", os.date, ("%Y"):rep(1 << 18), 0)
for _, f in ipairs{"%", "%E", "%O", "%Ez", "%Oy", "%Q", "%\0", "%5d", "%-d", "x%"} do
  try("format " .. f:gsub("%z", "\\0"), os.date, f, 0)
end
try("year 2^40", os.time, {year = 1 << 40, month = 1, day = 1})
try("year -2^40", os.time, {year = -(1 << 40), month = 1, day = 1})
try("year max", os.time, {year = max, month = 1, day = 1})
try("month max", os.time, {year = 2000, month = max, day = 1})
try("day min", os.time, {year = 2000, month = 1, day = min})
try("sec 2^62", os.time, {year = 2000, month = 1, day = 1, sec = 1 << 62})
try("float field", os.time, {year = 2000.5, month = 1, day = 1})
try("string field", os.time, {year = "2000", month = "x", day = 1})
try("missing day", os.time, {year = 2000, month = 1})
try("difftime", os.difftime, max, min)
try("clock", os.clock)
print("after:", os.time{year = 2000, month = 1, day = 1, hour = 12} ~= nil)
