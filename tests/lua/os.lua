-- Tests of the os library: date (every C99 conversion, "*t", UTC and
-- local time), time (with normalisation), difftime, clock, getenv,
-- execute, remove, rename, tmpname and setlocale. Exact local times
-- depend on the time zone of the machine, so local-time checks are
-- relations (round trips, differences); UTC results are exact.

local function check(got, expected, what)
  if got ~= expected then
    error((what or "check") .. ": got " .. tostring(got) .. ", expected " .. tostring(expected), 2)
  end
end

local function checkerr(msg, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("no error, expected: " .. msg, 2) end
  if err ~= msg then error("wrong error: " .. tostring(err) .. "\n  expected: " .. msg, 2) end
end

local function pack(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  return table.concat(t, ",", 1, t.n)
end

-- date in UTC -----------------------------------------------------------
check(os.date("!%c", 0), "Thu Jan  1 00:00:00 1970")
check(os.date("!%Y-%m-%d %H:%M:%S", 1720000000), "2024-07-03 09:46:40")
check(os.date("!%x %X %D %F %e %g %G %V %u %w %U %W %j %C %y %p %r %R %T %h %%", 0),
  "01/01/70 00:00:00 01/01/70 1970-01-01  1 70 1970 01 4 4 00 00 001 19 70 AM 12:00:00 AM 00:00 00:00:00 Jan %")
check(os.date("!%a %A %b %B", 1720000000), "Wed Wednesday Jul July")
check(os.date("!%I %p", 1720000000 + 4 * 3600), "01 PM")
check(os.date("!%n%t"), "\n\t")
check(os.date("!%Z %z", 0), "GMT +0000")
check(os.date("!%Ec|%EC|%Ex|%EX|%Ey|%EY|%Od|%Oe|%OH|%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy", 0),
  "Thu Jan  1 00:00:00 1970|19|01/01/70|00:00:00|70|1970|01| 1|00|12|01|00|00|4|00|01|4|00|70")
check(os.date("!abc", 0), "abc")
check(os.date("!", 0), "")
check(os.date("!x\0%Y", 0), "x\0" .. "1970")
-- years far from now, as glibc prints them
check(os.date("!%Y|%C|%y|%F|%G|%g|%V|%c", -62198841600), "-2|-1|98|-2-12-31|-2|98|53|Thu Dec 31 00:00:00 -2")
check(os.date("!%Y|%C|%y|%F|%G|%g|%V", -62167219200), "0|0|00|0-01-01|-1|99|52")
check(os.date("!%Y|%C|%y|%F|%G|%g|%V", 253402300800), "10000|100|00|10000-01-01|9999|99|52")
check(os.date("!%Y-%m-%d %H:%M:%S", 2^40), "36812-02-20 00:36:16")
check(os.date("!%Y-%m-%d %H:%M:%S", -2^40), "-32873-11-12 23:23:44")
-- ISO 8601 weeks around the new year
local iso = {}
for _, t in ipairs{1230681600, 1230768000, 1262217600, 1262304000, 1293753600, 1293840000, 1104451200, 1104537600} do
  iso[#iso + 1] = os.date("!%G-%V-%u", t)
end
check(table.concat(iso, " "), "2009-01-3 2009-01-4 2009-53-4 2009-53-5 2010-52-5 2010-52-6 2004-53-5 2004-53-6")
-- "*t" and "!*t"
do
  local t = os.date("!*t", 1720000000)
  check(pack(t.year, t.month, t.day, t.hour, t.min, t.sec, t.yday, t.wday, t.isdst),
    "2024,7,3,9,46,40,185,4,false")
  check(os.date("!*t\0zz", 0).year, 1970)
  local l = os.date("*t", 1720000000)
  check(type(l.isdst), "boolean")
  check(math.type(l.year), "integer")
  check(os.time(l), 1720000000)
end
-- errors
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%Ez abc')", os.date, "%Ez abc")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%')", os.date, "%")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%')", os.date, "abc%")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%E')", os.date, "%E")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%O')", os.date, "%O\0x")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%Q')", os.date, "%Q")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%k')", os.date, "%k")
checkerr("bad argument #1 to 'os.date' (invalid conversion specifier '%Oz')", os.date, "%Oz")
checkerr("date result cannot be represented in this installation", os.date, "%Y", 2^60)
checkerr("bad argument #2 to 'os.date' (number has no integer representation)", os.date, "%Y", 1.5)
checkerr("bad argument #1 to 'os.date' (string expected, got table)", os.date, {})
check(os.date("!%Y", "10"), "1970")
check(type(os.date()), "string")

-- time ------------------------------------------------------------------
check(math.type(os.time()), "integer")
do
  local noon1 = os.time{year = 2000, month = 1, day = 1, hour = 12}
  local noon2 = os.time{year = 2000, month = 1, day = 2, hour = 12}
  check(noon2 - noon1, 86400)
  -- hour defaults to 12, min and sec to 0
  check(os.time{year = 2000, month = 1, day = 1}, noon1)
  check(os.time{year = 2000, month = 1, day = 1, hour = 12, min = 0, sec = 0}, noon1)
  -- numeric strings and integral floats are accepted
  check(os.time{year = "2000", month = 1.0, day = "1"}, noon1)
  -- out-of-range fields are normalised, and the table is updated
  local t = {year = 2000, month = 14, day = -3, hour = 25, min = -70, sec = 3661}
  local r = os.time(t)
  check(pack(t.year, t.month, t.day, t.hour, t.min, t.sec, t.yday, t.wday), "2001,1,29,0,51,1,29,2")
  check(r, os.time{year = 2001, month = 1, day = 29, hour = 0, min = 51, sec = 1})
  local u = {year = 2020, month = 0, day = 0}
  os.time(u)
  check(pack(u.year, u.month, u.day, u.hour), "2019,11,30,12")
  -- round trips through os.date
  for _, x in ipairs{0, 86400 * 365, 951782400, 1234567890, 1720000000} do
    check(os.time(os.date("*t", x)), x)
  end
  -- metamethods are used to read and write the fields
  local reads = {}
  local proxy = setmetatable({}, {__index = function(_, k)
    reads[#reads + 1] = k
    return ({year = 2001, month = 2, day = 3})[k]
  end})
  check(os.time(proxy), os.time{year = 2001, month = 2, day = 3})
  check(table.concat(reads, " ", 1, 7), "year month day hour min sec isdst")
end
checkerr("field 'year' missing in date table", os.time, {})
checkerr("field 'month' missing in date table", os.time, {year = 2000})
checkerr("field 'day' missing in date table", os.time, {year = 2000, month = 1})
checkerr("field 'day' is not an integer", os.time, {year = 2000, month = 1, day = 1.5})
checkerr("field 'hour' is not an integer", os.time, {year = 2000, month = 1, day = 1, hour = "x"})
checkerr("field 'year' is not an integer", os.time, {year = "x", month = 1, day = 1})
checkerr("field 'day' is out-of-bound", os.time, {year = 2000, month = 1, day = 2^40})
checkerr("field 'sec' is out-of-bound", os.time, {year = 2000, month = 1, day = 1, sec = 2^31})
checkerr("field 'month' is out-of-bound", os.time, {year = 2000, month = -2^31, day = 1})
checkerr("field 'year' is out-of-bound", os.time, {year = 2^31 + 1900, month = 1, day = 1})
checkerr("bad argument #1 to 'os.time' (table expected, got number)", os.time, 1)

-- difftime ----------------------------------------------------------------
check(os.difftime(10, 3), 7.0)
check(math.type(os.difftime(1, 1)), "float")
check(os.difftime(-1, 2^53), -9007199254740993.0)
checkerr("bad argument #2 to 'os.difftime' (number expected, got no value)", os.difftime, 1)
checkerr("bad argument #1 to 'os.difftime' (number has no integer representation)", os.difftime, 1.5, 1)

-- clock -------------------------------------------------------------------
do
  local c0 = os.clock()
  check(math.type(c0), "float")
  assert(c0 >= 0)
  local x = 0
  while os.clock() - c0 < 0.02 do x = x + 1 end
  assert(os.clock() >= c0 + 0.02)
end

-- getenv ------------------------------------------------------------------
check(type(os.getenv("PATH")), "string")
check(os.getenv("LUNA_SURELY_UNDEFINED_VARIABLE_XYZ"), nil)
check(os.getenv(""), nil)
checkerr("bad argument #1 to 'os.getenv' (string expected, got no value)", os.getenv)

-- setlocale -----------------------------------------------------------------
check(os.setlocale(), "C")
check(os.setlocale("C"), "C")
check(os.setlocale("POSIX"), "C")
check(type(os.setlocale("")), "string") -- the locale of the environment (luna: always "C")
check(os.setlocale("C"), "C")
check(os.setlocale("xx_YY.nothing"), nil)
check(os.setlocale(nil, "numeric"), "C")
check(os.setlocale("C", "time"), "C")
checkerr("bad argument #2 to 'os.setlocale' (invalid option 'bad')", os.setlocale, nil, "bad")
checkerr("bad argument #1 to 'os.setlocale' (string expected, got table)", os.setlocale, {})

-- execute -------------------------------------------------------------------
check(os.execute(), true)
check(pack(os.execute("true")), "true,exit,0")
check(pack(os.execute("exit 3")), "nil,exit,3")
check(pack(os.execute("kill -9 $$")), "nil,signal,9")
checkerr("bad argument #1 to 'os.execute' (string expected, got table)", os.execute, {})

-- files -------------------------------------------------------------------
do
  local name = os.tmpname()
  check(type(name), "string")
  check(#name, 15) -- "/tmp/lua_XXXXXX"
  check(os.tmpname() ~= name, true)
  check(os.rename(name, name .. ".moved"), true)
  check(pack(os.rename(name, name .. ".x")), "nil,No such file or directory,2")
  check(os.remove(name .. ".moved"), true)
  check(pack(os.remove(name .. ".moved")), "nil," .. name .. ".moved: No such file or directory,2")
  -- empty directories can be removed, others cannot
  check(os.execute("mkdir " .. name .. ".d"), true)
  check(os.execute("touch " .. name .. ".d/f"), true)
  check(pack(os.remove(name .. ".d")), "nil," .. name .. ".d: Directory not empty,39")
  check(os.remove(name .. ".d/f"), true)
  check(os.remove(name .. ".d"), true)
  checkerr("bad argument #1 to 'os.remove' (string expected, got no value)", os.remove)
  checkerr("bad argument #2 to 'os.rename' (string expected, got no value)", os.rename, "a")
end

-- exit (argument checks only: a successful call ends the process)
checkerr("bad argument #1 to 'os.exit' (number expected, got string)", os.exit, "x")
checkerr("bad argument #1 to 'os.exit' (number has no integer representation)", os.exit, 1.5)
