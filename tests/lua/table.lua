-- Tests of the table library: concat, insert, move, pack, remove, sort
-- and unpack, with metamethods and PUC's error messages. Expected values
-- were checked against PUC Lua 5.4.8.

local function check(got, expected, what)
  if got ~= expected and not (got ~= got and expected ~= expected) then
    error((what or "check") .. ": got " .. tostring(got) .. ", expected " .. tostring(expected), 2)
  end
end

local function checkerr(msg, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("no error, expected: " .. msg, 2) end
  if err ~= msg then error("wrong error: " .. tostring(err) .. "\n  expected: " .. msg, 2) end
end

local function list(t, n)
  local parts = {}
  for i = 1, n or #t do parts[i] = tostring(t[i]) end
  return table.concat(parts, ",")
end

-- concat -------------------------------------------------------------
check(table.concat({}), "")
check(table.concat({1, 2, 3}), "123")
check(table.concat({1, 2, 3}, ", "), "1, 2, 3")
check(table.concat({1, 2, 3}, ", ", 2), "2, 3")
check(table.concat({1, 2, 3}, ", ", 2, 2), "2")
check(table.concat({1, 2, 3}, ", ", 3, 2), "")
check(table.concat({1, 2, 3}, 4, 1, 3), "14243")
check(table.concat({1, 2.5, "x", 2^63, -0.0, 1e100}, "|"), "1|2.5|x|9.2233720368548e+18|-0.0|1e+100")
check(table.concat({[-1] = "a", [0] = "b", "c"}, "", -1, 1), "abc")
check(table.concat({"a", "b"}, "\0"), "a\0b")
checkerr("invalid value (nil) at index 4 in table for 'concat'", table.concat, {1, 2, 3}, ",", 1, 4)
checkerr("invalid value (boolean) at index 2 in table for 'concat'", table.concat, {1, true})
checkerr("invalid value (table) at index 1 in table for 'concat'", table.concat, {{}})
checkerr("bad argument #2 to 'table.concat' (string expected, got table)", table.concat, {}, {})
checkerr("bad argument #1 to 'table.concat' (table expected, got string)", table.concat, "abc")
checkerr("bad argument #1 to 'table.concat' (table expected, got no value)", table.concat)
checkerr("bad argument #3 to 'table.concat' (number has no integer representation)", table.concat, {}, "", 1.5)
do -- __index and __len are used
  local p = setmetatable({}, {__index = function(_, k) return k * 10 end, __len = function() return 4 end})
  check(table.concat(p, ","), "10,20,30,40")
  -- a non-table needs both __index and __len
  local u = setmetatable({}, {__index = function() return "x" end})
  check(table.concat(u), "")
  check(table.concat(setmetatable({}, {__index = function() return "x" end, __len = function() return 2 end})), "xx")
  checkerr("invalid value (nil) at index 1 in table for 'concat'", table.concat,
    setmetatable({}, {__len = function() return 2 end}))
end

-- insert -------------------------------------------------------------
do
  local t = {}
  table.insert(t, "a")
  table.insert(t, "b")
  table.insert(t, 1, "c")
  table.insert(t, 2, "d")
  table.insert(t, 5, "e")
  check(list(t), "c,d,a,b,e")
  checkerr("wrong number of arguments to 'insert'", table.insert, {}, 1, 2, 3)
  checkerr("wrong number of arguments to 'insert'", table.insert, {})
  checkerr("bad argument #2 to 'table.insert' (position out of bounds)", table.insert, {}, 3, 2)
  checkerr("bad argument #2 to 'table.insert' (position out of bounds)", table.insert, {}, 0, 2)
  checkerr("bad argument #2 to 'table.insert' (position out of bounds)", table.insert, {1}, -1, 2)
  checkerr("bad argument #2 to 'table.insert' (number has no integer representation)", table.insert, {}, 1.5, 2)
  checkerr("bad argument #2 to 'table.insert' (number expected, got string)", table.insert, {}, "x", 2)
  checkerr("bad argument #1 to 'table.insert' (table expected, got number)", table.insert, 1, 2)
  checkerr("bad argument #1 to 'table.insert' (table expected, got no value)", table.insert)
  checkerr("object length is not an integer", table.insert, setmetatable({}, {__len = function() return 1.5 end}), 1)
  -- a float length with an integer value is accepted
  local f = setmetatable({}, {__len = function() return 2.0 end})
  table.insert(f, "x")
  check(rawget(f, 3), "x")
  -- insert at the end of the length reported by __len
  local s = setmetatable({}, {__len = function() return "3" end})
  table.insert(s, "y")
  check(rawget(s, 4), "y")
end

-- remove -------------------------------------------------------------
do
  local t = {1, 2, 3, 4}
  check(table.remove(t), 4)
  check(table.remove(t, 1), 1)
  check(list(t), "2,3")
  check(table.remove(t, 3), nil) -- position #t + 1 is allowed
  check(table.remove({}), nil)
  check(table.remove({}, 0), nil)
  check(table.remove({[0] = "z"}, 0), "z")
  check(table.remove({1, 2, 3}, 4), nil)
  checkerr("bad argument #2 to 'table.remove' (position out of bounds)", table.remove, {}, 5)
  checkerr("bad argument #2 to 'table.remove' (position out of bounds)", table.remove, {1, 2, 3}, 5)
  checkerr("bad argument #2 to 'table.remove' (position out of bounds)", table.remove, {1, 2, 3}, -1)
  local u = {n = 1, "a"}
  check(table.remove(u, 1), "a")
  check(#u, 0)
end

-- operations through metamethods, in PUC's order -------------------------
do
  local log = {}
  local q = setmetatable({}, {
    __index = function(t, k) log[#log + 1] = "get" .. k; return rawget(t, "_" .. k) end,
    __newindex = function(t, k, v) log[#log + 1] = "set" .. k; rawset(t, "_" .. k, v) end,
    __len = function() return 3 end,
  })
  rawset(q, "_1", "a"); rawset(q, "_2", "b"); rawset(q, "_3", "c")
  table.insert(q, 1, "z")
  check(table.concat(log, " "), "get3 set4 get2 set3 get1 set2 set1")
  log = {}
  check(table.remove(q, 1), "z")
  check(table.concat(log, " "), "get1 get2 set1 get3 set2 set3")
  log = {}
  table.move(q, 1, 3, 2)
  check(table.concat(log, " "), "get3 set4 get2 set3 get1 set2")
  log = {}
  table.sort(q)
  check(table.concat(log, " "), "get1 get3 get2 get1 get3")
end

-- move ---------------------------------------------------------------
do
  check(list(table.move({1, 2, 3, 4, 5}, 2, 4, 1), 5), "2,3,4,4,5")
  check(list(table.move({1, 2, 3, 4, 5}, 1, 3, 3), 5), "1,2,1,2,3")
  check(list(table.move({1, 2, 3}, 1, 3, 1, {}), 3), "1,2,3")
  check(list(table.move({1, 2, 3}, 1, 0, 1, {"x"}), 1), "x")
  local a = {1, 2, 3}
  check(table.move(a, 1, 3, 1), a)
  local b = {}
  check(table.move(a, 1, 3, 2, b), b)
  check(list(b, 4), "nil,1,2,3")
  check(list(table.move({[math.maxinteger - 1] = "a", [math.maxinteger] = "b"},
    math.maxinteger - 1, math.maxinteger, 1), 2), "a,b")
  checkerr("bad argument #4 to 'table.move' (destination wrap around)", table.move, {}, 1, math.maxinteger, 2)
  checkerr("bad argument #3 to 'table.move' (too many elements to move)", table.move, {}, -1, math.maxinteger, 2)
  checkerr("bad argument #4 to 'table.move' (destination wrap around)", table.move, {}, 1, 10, math.maxinteger)
  checkerr("bad argument #5 to 'table.move' (table expected, got number)", table.move, {1, 2, 3}, 1, 3, 1, 5)
  checkerr("bad argument #1 to 'table.move' (table expected, got number)", table.move, 5, 1, 3, 1)
  checkerr("bad argument #2 to 'table.move' (number expected, got no value)", table.move, {})
  -- __eq decides whether two tables are the same for the copy order
  local order = {}
  local eq = function() return true end
  local x = setmetatable({}, {__eq = eq, __index = function(_, k) order[#order + 1] = k; return k end})
  local y = setmetatable({}, {__eq = eq})
  table.move(x, 1, 3, 2, y)
  check(list(y, 4), "nil,1,2,3")
  check(table.concat(order, ","), "3,2,1")
  order = {}
  local x2 = setmetatable({}, {__index = function(_, k) order[#order + 1] = k; return k end})
  table.move(x2, 1, 3, 2, {})
  check(table.concat(order, ","), "1,2,3")
end

-- pack / unpack --------------------------------------------------------
do
  local p = table.pack()
  check(p.n, 0)
  p = table.pack(1, nil, 3, nil)
  check(p.n, 4); check(p[1], 1); check(p[2], nil); check(p[3], 3)
  check(select("#", table.unpack({1, 2, 3})), 3)
  check(list({table.unpack({1, 2, 3}, 2)}), "2,3")
  check(list({table.unpack({1, 2, 3}, -1, 1)}, 3), "nil,nil,1")
  check(select("#", table.unpack({}, 5, 4)), 0)
  check(select("#", table.unpack({}, math.maxinteger, math.maxinteger)), 1)
  check(select("#", table.unpack({}, math.mininteger, math.mininteger)), 1)
  check(select("#", table.unpack({}, 1, 10000)), 10000)
  checkerr("too many results to unpack", table.unpack, {}, 1, math.maxinteger)
  checkerr("too many results to unpack", table.unpack, {}, math.mininteger, math.maxinteger)
  checkerr("too many results to unpack", table.unpack, {}, 1, 1e7)
  checkerr("object length is not an integer", table.unpack, setmetatable({}, {__len = function() return "x" end}))
  local u = setmetatable({}, {__index = function(_, k) return k * 2 end, __len = function() return 3 end})
  check(list({table.unpack(u)}), "2,4,6")
  local big = {}
  for i = 1, 50000 do big[i] = i end
  check(select("#", table.unpack(big)), 50000)
  check(select(-1, table.unpack(big)), 50000)
end

-- sort -----------------------------------------------------------------
do
  local t = {5, 3, 8, 1, 9, 2, 7}
  table.sort(t)
  check(list(t), "1,2,3,5,7,8,9")
  table.sort(t, function(a, b) return a > b end)
  check(list(t), "9,8,7,5,3,2,1")
  local s = {"banana", "apple", "cherry"}
  table.sort(s)
  check(list(s), "apple,banana,cherry")
  table.sort({})
  table.sort({1})
  -- the comparator sees the same calls as in PUC (a hash of them)
  local function lcg(seed)
    local x = seed
    return function() x = (x * 1103515245 + 12345) % 2147483648; return x end
  end
  local function run(n, seed, modk)
    local r = lcg(seed)
    local a = {}
    for i = 1, n do a[i] = r() % modk end
    local h, calls = 0, 0
    table.sort(a, function(x, y)
      calls = calls + 1
      h = (h * 31 + x * 7 + y) % 1000000007
      return x < y
    end)
    for i = 2, n do assert(a[i - 1] <= a[i]) end
    return h, calls
  end
  local expected = {
    {10, 1, 100, 262748596, 29}, {50, 2, 10, 503624653, 256}, {200, 3, 1000, 901894342, 1441},
    {1000, 4, 5, 336107636, 9920}, {3000, 5, 100000, 33080955, 37274}, {2, 6, 3, 7, 1}, {3, 7, 3, 6734, 3},
  }
  for _, e in ipairs(expected) do
    local h, calls = run(e[1], e[2], e[3])
    check(h, e[4], "sort hash " .. e[1])
    check(calls, e[5], "sort calls " .. e[1])
  end
  -- invalid order functions are detected as PUC detects them
  checkerr("invalid order function for sorting", table.sort, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
    function() return true end)
  local d = {}
  for i = 1, 200 do d[i] = (i * 37) % 101 end
  local calls = 0
  checkerr("invalid order function for sorting", table.sort, d, function(a, b) calls = calls + 1; return a <= b end)
  check(calls, 320)
  -- small arrays never detect it
  assert(pcall(table.sort, {3, 2, 1}, function() return true end))
  -- errors
  checkerr("attempt to compare string with number", table.sort, {3, 1, "x"})
  checkerr("bad argument #2 to 'table.sort' (function expected, got number)", table.sort, {1, 2}, 3)
  checkerr("bad argument #1 to 'table.sort' (array too big)", table.sort,
    setmetatable({}, {__len = function() return math.maxinteger end}))
  checkerr("bad argument #1 to 'table.sort' (array too big)", table.sort,
    setmetatable({}, {__len = function() return 2^31 - 1 end}))
  checkerr("bad argument #1 to 'table.sort' (table expected, got string)", table.sort, "abc")
  -- __lt is used without a comparator
  local mt = {__lt = function(a, b) return a.v < b.v end}
  local objs = {}
  for i, v in ipairs{4, 1, 3, 2} do objs[i] = setmetatable({v = v}, mt) end
  table.sort(objs)
  check(objs[1].v .. objs[2].v .. objs[3].v .. objs[4].v, "1234")
  -- a comparator cannot yield
  local co = coroutine.create(function()
    table.sort({3, 2, 1}, function(a, b) coroutine.yield(); return a < b end)
  end)
  local ok, err = coroutine.resume(co)
  check(ok, false)
  check(err, "attempt to yield across a C-call boundary")
  -- larger arrays, with collections running during the comparator
  local big = {}
  for i = 1, 20000 do big[i] = tostring((i * 7919) % 20011) end
  local n = 0
  table.sort(big, function(a, b)
    n = n + 1
    if n % 1000 == 0 then collectgarbage() end
    return a < b
  end)
  for i = 2, #big do assert(big[i - 1] <= big[i]) end
  local same = {}
  for i = 1, 1000 do same[i] = 7 end
  table.sort(same)
  check(same[1] + same[1000], 14)
end
