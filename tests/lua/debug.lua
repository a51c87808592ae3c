-- Tests of the debug library, as Lua 5.4 specifies it: traceback
-- (messages, levels, non-string messages, deep stacks, tail calls,
-- threads), getinfo (every option "nSltufrL", levels, functions given as
-- values, threads, transfer information inside hooks, argument errors),
-- getlocal/setlocal (locals, temporaries, loop state, varargs, parameters
-- of function values, other coroutines), getupvalue/setupvalue,
-- upvalueid/upvaluejoin, sethook/gethook (call, return, tail call, line
-- and count events, per coroutine, removal), getmetatable/setmetatable
-- (on non-table values too), getregistry, getuservalue/setuservalue and
-- setcstacklimit (which returns 200, LUAI_MAXCCALLS, as in PUC 5.4.8).
-- debug.debug reads standard input and is not run. Line numbers are
-- computed relative to known lines, so the script does not depend on
-- where it is run from. Every check holds under PUC Lua 5.4.4 and 5.4.8.

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

local function line() return debug.getinfo(2, "l").currentline end

local SRC = debug.getinfo(1, "S").short_src
local MAIN = debug.getinfo(1, "f").func

-- the library itself -----------------------------------------------------
do
  local names = {}
  for k, v in pairs(debug) do
    check(type(v), "function", k)
    names[#names + 1] = k
  end
  table.sort(names)
  check(table.concat(names, " "), "debug gethook getinfo getlocal getmetatable getregistry getupvalue "
    .. "getuservalue setcstacklimit sethook setlocal setmetatable setupvalue setuservalue traceback "
    .. "upvalueid upvaluejoin", "names")
end

-- traceback ---------------------------------------------------------------
local function starts(s, prefix, what)
  if s:sub(1, #prefix) ~= prefix then
    error((what or "prefix") .. ": got\n" .. s .. "\nexpected to start with\n" .. prefix, 2)
  end
end

do
  local tb, l = debug.traceback(), line()
  starts(tb, "stack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  tb, l = debug.traceback(nil), line()
  starts(tb, "stack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  tb, l = debug.traceback("hello"), line()
  starts(tb, "hello\nstack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  tb, l = debug.traceback("", 1), line()
  starts(tb, "\nstack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  -- numbers are messages, converted to strings
  tb, l = debug.traceback(42), line()
  starts(tb, "42\nstack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  tb, l = debug.traceback(1.5, 1), line()
  starts(tb, "1.5\nstack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  tb = debug.traceback("12", 1)
  starts(tb, "12\nstack traceback:\n")
  -- other messages are returned untouched (even with a level)
  local t = {}
  check(debug.traceback(t), t)
  check(debug.traceback(t, 5), t)
  check(debug.traceback(true), true)
  check(debug.traceback(false), false)
  check(debug.traceback(print), print)
  check(debug.traceback(coroutine.running()), debug.traceback(coroutine.running()))
  check(select("#", debug.traceback(t)), 1)
  check(type(debug.traceback(io.stdout)), "userdata")
  -- level 0 is traceback itself
  tb, l = debug.traceback("m", 0), line()
  starts(tb, "m\nstack traceback:\n\t[C]: in function 'debug.traceback'\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  -- levels out of range: only the header
  check(debug.traceback("m", 1000), "m\nstack traceback:")
  check(debug.traceback("m", -1), "m\nstack traceback:")
  check(debug.traceback(nil, -5), "stack traceback:")
  check(debug.traceback(nil, 1000), "stack traceback:")
  checkerr("bad argument #2 to 'debug.traceback' (number expected, got string)", debug.traceback, "m", "x")
  checkerr("bad argument #2 to 'debug.traceback' (number has no integer representation)", debug.traceback, "m", 1.5)
  -- names of functions in tracebacks
  local LF = line(); local function f(lv) local s = debug.traceback("x", lv) return s end
  starts(f(1), "x\nstack traceback:\n\t" .. SRC .. ":" .. LF .. ": in local 'f'\n\t" .. SRC .. ":")
  tb, l = f(2), line()
  starts(tb, "x\nstack traceback:\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  local obj = {}
  function obj.field() local s = debug.traceback() return s end
  function obj:method() local s = debug.traceback() return s end
  local LG = line(); function GlobalTracebackFn() local s = debug.traceback() return s end
  starts(obj.field(), "stack traceback:\n\t" .. SRC .. ":" .. (LG - 2) .. ": in field 'field'\n")
  starts(obj:method(), "stack traceback:\n\t" .. SRC .. ":" .. (LG - 1) .. ": in method 'method'\n")
  starts(GlobalTracebackFn(), "stack traceback:\n\t" .. SRC .. ":" .. LG .. ": in function 'GlobalTracebackFn'\n")
  GlobalTracebackFn = nil
  local LU = line(); local function upf() local s = debug.traceback() return s end
  local function viaup() local s = upf() return s end
  starts(viaup(), "stack traceback:\n\t" .. SRC .. ":" .. LU .. ": in upvalue 'upf'\n\t"
    .. SRC .. ":" .. (LU + 1) .. ": in local 'viaup'\n")
  -- anonymous function, called from C (pcall)
  local LA = line(); local ok, s = pcall(function() local s = debug.traceback() return s end)
  check(ok, true)
  starts(s, "stack traceback:\n\t" .. SRC .. ":" .. LA .. ": in function <" .. SRC .. ":" .. LA .. ">\n\t"
    .. "[C]: in function 'pcall'\n\t" .. SRC .. ":" .. LA .. ": in main chunk")
  -- tail calls
  local LT = line(); local function inner() local s = debug.traceback() return s end
  local function outer() return inner() end
  tb, l = outer(), line()
  starts(tb, "stack traceback:\n\t" .. SRC .. ":" .. LT .. ": in function <" .. SRC .. ":" .. LT .. ">\n"
    .. "\t(...tail calls...)\n\t" .. SRC .. ":" .. l .. ": in main chunk")
  -- deep stacks show the first 10 and the last 11 levels
  local nlevels
  local function rec(n)
    if n == 0 then
      nlevels = 0
      while debug.getinfo(nlevels + 1, "l") do nlevels = nlevels + 1 end
      local s = debug.traceback("deep")
      return s
    end
    local s = rec(n - 1)
    return s
  end
  tb = rec(40)
  local lines = {}
  for ln in (tb .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = ln end
  check(#lines, 2 + 10 + 1 + 11, "deep traceback lines")
  check(lines[1], "deep")
  check(lines[2], "stack traceback:")
  check(lines[13], "\t...\t(skipping " .. (nlevels - 22) .. " levels)")  -- (one less than hidden)
  for i = 3, 12 do starts(lines[i], "\t" .. SRC .. ":", "deep level " .. i) end
  check(lines[4], lines[5])
  check(lines[14], lines[15])
  -- a stack of 22 levels is shown whole, one of 23 is cut
  local function rec2(limit)
    local k = 0
    while debug.getinfo(k + 1, "l") do k = k + 1 end
    if k >= limit then
      local s = debug.traceback(nil, 1)
      return s
    end
    local s = rec2(limit)
    return s
  end
  lines = {}
  for ln in (rec2(22) .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = ln end
  check(#lines, 1 + 22, "uncut traceback lines")
  lines = {}
  for ln in (rec2(23) .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = ln end
  check(#lines, 1 + 10 + 1 + 11, "cut traceback lines")
  check(lines[12], "\t...\t(skipping 1 levels)")
  -- threads
  local LC = line(); local co = coroutine.create(function(x)
    local y = x
    coroutine.yield(y)
    error("boom")
  end)
  check(debug.traceback(co), "stack traceback:")  -- not started
  coroutine.resume(co, 1)
  local yieldline = "\n\t[C]: in function 'coroutine.yield'"
  local coline = "\n\t" .. SRC .. ":" .. (LC + 2) .. ": in function <" .. SRC .. ":" .. LC .. ">"
  check(debug.traceback(co), "stack traceback:" .. yieldline .. coline)
  check(debug.traceback(co, nil), "stack traceback:" .. yieldline .. coline)
  check(debug.traceback(co, "msg"), "msg\nstack traceback:" .. yieldline .. coline)
  check(debug.traceback(co, 7), "7\nstack traceback:" .. yieldline .. coline)
  check(debug.traceback(co, "msg", 0), "msg\nstack traceback:" .. yieldline .. coline)
  check(debug.traceback(co, "msg", 1), "msg\nstack traceback:" .. coline)
  check(debug.traceback(co, "msg", 2), "msg\nstack traceback:")
  check(debug.traceback(co, nil, -1), "stack traceback:")
  check(debug.traceback(co, t), t)
  check(debug.traceback(co, t, 1), t)
  checkerr("bad argument #3 to 'debug.traceback' (number expected, got table)", debug.traceback, co, "m", {})
  -- a coroutine dead by an error keeps its stack
  check(coroutine.resume(co), false)
  check(debug.traceback(co), "stack traceback:\n\t[C]: in function 'error'\n\t" .. SRC .. ":" .. (LC + 3)
    .. ": in function <" .. SRC .. ":" .. LC .. ">")
  -- a coroutine that returned has none
  local co2 = coroutine.create(function() return 1 end)
  coroutine.resume(co2)
  check(debug.traceback(co2), "stack traceback:")
  check(debug.traceback(co2, "m"), "m\nstack traceback:")
  -- the running coroutine given explicitly starts at level 1, as without it
  local co3 = coroutine.create(function()
    local a = debug.traceback(coroutine.running(), "m")
    local b = debug.traceback("m")
    local c = debug.traceback(coroutine.running(), "m", 0)
    return a, b, c
  end)
  local ok3, a, b, c = coroutine.resume(co3)
  check(ok3, true)
  check(a:gsub(":%d+:", ":N:"), (b:gsub(":%d+:", ":N:")))
  starts(a, "m\nstack traceback:\n\t" .. SRC .. ":")
  starts(c, "m\nstack traceback:\n\t[C]: in function 'debug.traceback'\n\t" .. SRC .. ":")
  -- the main thread seen from a coroutine: it is inside resume
  local mainth = coroutine.running()
  local co4 = coroutine.create(function() return debug.traceback(mainth, "main") end)
  local l4 = line(); local _, mtb = coroutine.resume(co4)
  starts(mtb, "main\nstack traceback:\n\t[C]: in function 'coroutine.resume'\n\t" .. SRC .. ":" .. l4 .. ": in main chunk")
end

-- getinfo -------------------------------------------------------------------
local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return table.concat(ks, " ")
end

do
  -- the default options are "flnSrtu": every field but activelines
  local LF = line(); local function f(a, b, ...) local i = debug.getinfo(1) return i end
  local i = f(1, 2, 3)
  check(keys(i), "currentline ftransfer func istailcall isvararg lastlinedefined linedefined name namewhat "
    .. "nparams ntransfer nups short_src source what")
  check(i.func, f)
  check(i.currentline, LF)
  check(i.linedefined, LF)
  check(i.lastlinedefined, LF)
  check(i.what, "Lua")
  check(i.source:sub(1, 1), "@")
  check(i.short_src, SRC)
  check(i.name, "f")
  check(i.namewhat, "local")
  check(i.nups, 1)  -- _ENV, for 'debug'
  check(i.nparams, 2)
  check(i.isvararg, true)
  check(i.istailcall, false)
  check(i.ftransfer, 0)
  check(i.ntransfer, 0)
  check(keys(debug.getinfo(1, "")), "")
  check(keys(debug.getinfo(print, "")), "")
  -- one option at a time
  check(keys(debug.getinfo(1, "S")), "lastlinedefined linedefined short_src source what")
  check(keys(debug.getinfo(1, "l")), "currentline")
  check(keys(debug.getinfo(1, "u")), "isvararg nparams nups")
  check(keys(debug.getinfo(1, "n")), "namewhat")  -- no name: the main chunk
  check(keys(debug.getinfo(1, "t")), "istailcall")
  check(keys(debug.getinfo(1, "r")), "ftransfer ntransfer")
  check(keys(debug.getinfo(1, "f")), "func")
  check(keys(debug.getinfo(1, "L")), "activelines")
  check(keys(debug.getinfo(1, "SSll")), "currentline lastlinedefined linedefined short_src source what")
  check(keys(debug.getinfo(f, "nSltufrL")), "activelines currentline ftransfer func istailcall isvararg "
    .. "lastlinedefined linedefined namewhat nparams ntransfer nups short_src source what")

  -- S: the main chunk, Lua functions, C functions, chunk names
  local m = debug.getinfo(1, "Su")
  check(m.what, "main")
  check(m.linedefined, 0)
  check(m.lastlinedefined, 0)
  check(m.short_src, SRC)
  check(m.nups, 1)
  check(m.nparams, 0)
  check(m.isvararg, true)
  check(debug.getinfo(MAIN, "S").what, "main")
  local LM = line(); local function multi(x)
    return x
  end
  local s = debug.getinfo(multi, "S")
  check(s.linedefined, LM)
  check(s.lastlinedefined, LM + 2)
  check(s.what, "Lua")
  local c = debug.getinfo(print, "Slnutf")
  check(c.what, "C")
  check(c.source, "=[C]")
  check(c.short_src, "[C]")
  check(c.linedefined, -1)
  check(c.lastlinedefined, -1)
  check(c.currentline, -1)
  check(c.nups, 0)
  check(c.nparams, 0)
  check(c.isvararg, true)
  check(c.name, nil)
  check(c.namewhat, "")
  check(c.istailcall, false)
  check(c.func, print)
  s = debug.getinfo(load("x = 1"), "S")
  check(s.source, "x = 1")
  check(s.short_src, '[string "x = 1"]')
  check(s.what, "main")
  check(debug.getinfo(load("x = 1\ny = 2"), "S").short_src, '[string "x = 1..."]')
  check(debug.getinfo(load("return 1", "=my chunk"), "S").source, "=my chunk")
  check(debug.getinfo(load("return 1", "=my chunk"), "S").short_src, "my chunk")
  check(debug.getinfo(load("return 1", "@file.lua"), "S").short_src, "file.lua")
  local long = string.rep("abcdefghij", 10)
  check(debug.getinfo(load("return 1", "=" .. long), "S").short_src, long:sub(1, 59))
  check(debug.getinfo(load("return 1", "@" .. long), "S").short_src, "..." .. long:sub(-56))
  check(debug.getinfo(load("return 1 --" .. long), "S").short_src,
    '[string "' .. ("return 1 --" .. long):sub(1, 45) .. '..."]')
  check(debug.getinfo(load("return function() end", "@x.lua")(), "S").what, "Lua")

  -- l: current line of active functions, -1 otherwise
  check(debug.getinfo(1, "l").currentline, line())
  local l = line(); check(debug.getinfo(1, "l").currentline, l)
  check(debug.getinfo(f, "l").currentline, -1)
  check(debug.getinfo(0, "l").currentline, -1)  -- getinfo itself (C)

  -- u: upvalues and parameters
  local up1, up2 = 1, 2
  local u = debug.getinfo(function(p, q, r) return up1 + up2 end, "u")
  check(u.nups, 2)
  check(u.nparams, 3)
  check(u.isvararg, false)
  u = debug.getinfo(function(...) return up1 end, "u")
  check(u.nups, 1)
  check(u.nparams, 0)
  check(u.isvararg, true)
  u = debug.getinfo(function() end, "u")
  check(u.nups, 0)
  check(u.isvararg, false)
  check(debug.getinfo(coroutine.wrap(function() end), "u").nups, 1)  -- a C closure: its thread

  -- f: levels
  check(debug.getinfo(0, "f").func, debug.getinfo)
  check(debug.getinfo(1, "f").func, MAIN)
  local function lv() local a, b, cc = debug.getinfo(1, "f"), debug.getinfo(2, "f"), debug.getinfo(0, "f") return a, b, cc end
  local a, b, cc = lv()
  check(a.func, lv)
  check(b.func, MAIN)
  check(cc.func, debug.getinfo)
  check(debug.getinfo(1000), nil)
  check(debug.getinfo(-1), nil)
  -- levels are C ints: the argument is truncated to 32 bits
  check(debug.getinfo((1 << 32) + 1, "f").func, MAIN)
  check(debug.getinfo(math.mininteger, "f").func, debug.getinfo)
  check(debug.getinfo(1000, "X"), nil)  -- options are checked only for existing levels
  check(debug.getinfo("1", "f").func, MAIN)
  check(debug.getinfo(1.0, "f").func, MAIN)
  local nl = 0
  while debug.getinfo(nl, "l") do nl = nl + 1 end
  check(debug.getinfo(nl - 1) ~= nil, true)
  check(debug.getinfo(nl), nil)
  -- a function given as a value is not active: no name, no line
  i = debug.getinfo(lv)
  check(i.func, lv)
  check(i.name, nil)
  check(i.namewhat, "")
  check(i.currentline, -1)
  check(i.istailcall, false)

  -- n: how the function was called
  local t = {}
  function t.fld() local r = debug.getinfo(1, "n") return r end
  function t:mth() local r = debug.getinfo(1, "n") return r end
  local function loc() local r = debug.getinfo(1, "n") return r end
  function GlobalInfoFn() local r = debug.getinfo(1, "n") return r end
  local function viaup() local r = loc() return r end
  local function names(r) return tostring(r.name) .. "/" .. r.namewhat end
  check(names(t.fld()), "fld/field")
  check(names(t:mth()), "mth/method")
  check(names(loc()), "loc/local")
  check(names(GlobalInfoFn()), "GlobalInfoFn/global")
  GlobalInfoFn = nil
  check(names(viaup()), "loc/upvalue")
  check(names(debug.getinfo(0, "n")), "getinfo/field")
  check(names(debug.getinfo(1, "n")), "nil/")  -- main chunk
  local _, r = pcall(function() local r = debug.getinfo(1, "n") return r end)
  check(names(r), "nil/")  -- called from C
  local mt = setmetatable({}, {
    __index = function() local r = debug.getinfo(1, "n") return r end,
    __add = function() local r = debug.getinfo(1, "n") return r end,
    __concat = function() local r = debug.getinfo(1, "n") return r end,
    __call = function() local r = debug.getinfo(1, "n") return r end,
    __len = function() local r = debug.getinfo(1, "n") return r end,
    __unm = function() local r = debug.getinfo(1, "n") return r end,
    __bor = function() local r = debug.getinfo(1, "n") return r end,
    __idiv = function() local r = debug.getinfo(1, "n") return r end,
    __eq = function() r = debug.getinfo(1, "n") return true end,
    __lt = function() r = debug.getinfo(1, "n") return true end,
    __le = function() r = debug.getinfo(1, "n") return true end,
    __newindex = function() r = debug.getinfo(1, "n") end,
    __close = function() r = debug.getinfo(1, "n") end,
  })
  check(names(mt.x), "index/metamethod")
  check(names(mt + 1), "add/metamethod")
  check(names(1 .. mt), "concat/metamethod")
  check(names(mt()), "mt/local")  -- __call: named as the called value
  check(names(#mt), "len/metamethod")
  check(names(-mt), "unm/metamethod")
  check(names(mt | 1), "bor/metamethod")
  check(names(mt // 1), "idiv/metamethod")
  local _ = mt == setmetatable({}, getmetatable(mt))
  check(names(r), "eq/metamethod")
  _ = mt < mt
  check(names(r), "lt/metamethod")
  _ = mt <= mt
  check(names(r), "le/metamethod")
  mt.x = 1
  check(names(r), "newindex/metamethod")
  do local _ <close> = mt end
  check(names(r), "close/metamethod")
  local key = "fld"
  check(names(t[key]()), "?/field")  -- a key that is not a constant
  check(names(t["fld"]()), "fld/field")
  for _ in function() r = debug.getinfo(1, "n") end do end
  check(names(r), "for iterator/for iterator")

  -- t: tail calls
  local function callee() local r = debug.getinfo(1, "tn") return r end
  local function caller() return callee() end
  i = caller()
  check(i.istailcall, true)
  check(i.name, nil)
  check(i.namewhat, "")
  i = callee()
  check(i.istailcall, false)
  check(i.name, "callee")

  -- L: lines with code
  local LA = line(); local function act(x)
    local y = x

    return y
  end
  local function activelines(fn)
    local ls = {}
    for k, v in pairs(debug.getinfo(fn, "L").activelines) do
      check(v, true)
      ls[#ls + 1] = k - LA
    end
    table.sort(ls)
    return table.concat(ls, ",")
  end
  check(activelines(act), "1,3,4")
  -- a vararg function: the line of its header has code only for VARARGPREP,
  -- which does not count
  LA = line(); local function vact(...)
    local y = ...
    return y
  end
  check(activelines(vact), "1,2,3")
  LA = line(); local function oneline(...) return ... end
  check(activelines(oneline), "0")
  check(debug.getinfo(print, "L").activelines, nil)
  check(type(debug.getinfo(1, "L").activelines), "table")
  check(debug.getinfo(1, "L").activelines[line()], true)
  check(next(debug.getinfo(load(string.dump(act, true)), "L").activelines), nil)  -- stripped

  -- r: nothing is transferred outside hooks
  i = debug.getinfo(1, "r")
  check(i.ftransfer, 0)
  check(i.ntransfer, 0)

  -- another thread
  local LC = line(); local co = coroutine.create(function(x)
    coroutine.yield(x)
  end)
  check(debug.getinfo(co, 0), nil)  -- not started: no levels
  check(debug.getinfo(co, f, "S").what, "Lua")  -- functions need no level
  coroutine.resume(co, 1)
  i = debug.getinfo(co, 0, "Sf")
  check(i.what, "C")
  check(i.func, coroutine.yield)
  i = debug.getinfo(co, 1)
  check(i.currentline, LC + 1)
  check(i.linedefined, LC)
  check(i.what, "Lua")
  check(i.istailcall, false)
  check(debug.getinfo(co, 2), nil)
  check(debug.getinfo(co, -1), nil)
  check(debug.getinfo(co, 2, "X"), nil)
  coroutine.resume(co)
  check(debug.getinfo(co, 0), nil)  -- dead

  -- errors
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option)", debug.getinfo, 1, "X")
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option)", debug.getinfo, 1, "Sl ")
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option)", debug.getinfo, 1, "S>")
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option)", debug.getinfo, print, "X")
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option '>')", debug.getinfo, 1, ">S")
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option '>')", debug.getinfo, print, ">")
  checkerr("bad argument #2 to 'debug.getinfo' (invalid option '>')", debug.getinfo, 1000, ">")
  checkerr("bad argument #3 to 'debug.getinfo' (invalid option)", debug.getinfo, coroutine.running(), 0, "?")
  checkerr("bad argument #2 to 'debug.getinfo' (string expected, got table)", debug.getinfo, 1, {})
  checkerr("bad argument #1 to 'debug.getinfo' (number expected, got table)", debug.getinfo, {})
  checkerr("bad argument #1 to 'debug.getinfo' (number expected, got no value)", debug.getinfo)
  checkerr("bad argument #1 to 'debug.getinfo' (number expected, got nil)", debug.getinfo, nil, "l")
  checkerr("bad argument #1 to 'debug.getinfo' (number expected, got string)", debug.getinfo, "x")
  checkerr("bad argument #1 to 'debug.getinfo' (number has no integer representation)", debug.getinfo, 1.5)
  checkerr("bad argument #2 to 'debug.getinfo' (number expected, got no value)", debug.getinfo, co)
  checkerr("bad argument #2 to 'debug.getinfo' (number expected, got table)", debug.getinfo, co, {})
end

-- getlocal / setlocal ---------------------------------------------------------
-- names and values of the locals of the function at `level` (from the caller
-- of this function), up to the first temporary
local function locals(level)
  local t = {}
  local k = 1
  while true do
    local name, v = debug.getlocal(level + 1, k)
    if not name or name:sub(1, 1) == "(" then break end
    t[#t + 1] = name .. "=" .. tostring(v)
    k = k + 1
  end
  return table.concat(t, " ")
end

do
  local function f(a, b)
    local c = a + b
    do
      local d = 10
      check(locals(1), "a=1 b=2 c=3 d=10")
    end
    check(locals(1), "a=1 b=2 c=3")  -- d is out of scope
    local e = "e"
    local s = locals(1)  -- s is not active yet
    return s
  end
  check(f(1, 2), "a=1 b=2 c=3 e=e")
  -- results: name and value; nothing but nil beyond the active locals
  local function g(x)
    local n, v = debug.getlocal(1, 1)
    check(n, "x")
    check(v, "xv")
    check(select("#", debug.getlocal(1, 1)), 2)
    check(debug.getlocal(1, 50), nil)
    check(select("#", debug.getlocal(1, 50)), 1)
    check(debug.getlocal(1, 0), nil)
    check(debug.getlocal(1, 100), nil)
    -- setlocal changes the variable and returns its name
    check(debug.setlocal(1, 1, "new"), "x")
    check(x, "new")
    check(debug.setlocal(1, 3, "new"), "v")
    check(v, "new")
    check(debug.setlocal(1, 100, 1), nil)
    check(select("#", debug.setlocal(1, 100, 1)), 1)
    check(debug.setlocal(1, 0, 1), nil)
    check(debug.setlocal(1, -1, 1), nil)  -- not a vararg function
    check(debug.getlocal(1, -1), nil)
    -- the caller's locals
    local n2, v2 = debug.getlocal(2, 1)
    check(n2, "gcaller")
    check(v2, 1)
    check(debug.setlocal(2, 1, 2), "gcaller")
    return n
  end
  local function gwrap()
    local gcaller = 1
    local r = g("xv")
    return r, gcaller
  end
  local gr, gc = gwrap()
  check(gr, "x")
  check(gc, 2)
  -- temporaries: registers in use beyond the active locals
  local function tmp()
    local a = "a"
    local t = {"one", "two", debug.getlocal(1, 2)}
    local u = {"one", "two", debug.getlocal(1, 4)}
    local w = {"one", "two", debug.getlocal(1, 7)}
    return t, u, w
  end
  local t, u, w = tmp()
  check(t[3], "(temporary)")
  check(t[4], t)  -- the table being built
  check(u[3], "(temporary)")
  check(u[4], "one")
  check(w[3], nil)  -- beyond the registers in use
  -- a C function's stack slots: its arguments
  check(debug.getlocal(0, 1), "(C temporary)")
  check(select(2, debug.getlocal(0, 1)), 0)
  check(select(2, debug.getlocal(0, 2)), 2)
  check(debug.getlocal(0, 3), nil)
  check(debug.getlocal(0, -1), nil)
  table.sort({3, 1, 2}, function(x, y)
    local n, v = debug.getlocal(2, 1)  -- sort's first argument
    check(n, "(C temporary)")
    check(type(v), "table")
    return x < y
  end)
  pcall(function()
    local n, v = debug.getlocal(2, 1)  -- pcall's first argument
    check(n, "(C temporary)")
    check(type(v), "function")
    check(debug.setlocal(2, 1, v), "(C temporary)")
  end)
  -- loop control state
  local function forlocals()
    local r = {}
    for i = 10, 10 do
      local k = 1
      while true do
        local n, v = debug.getlocal(1, k)
        if n == "r" then goto continue end
        if not n or n == "k" then break end
        r[#r + 1] = n
        if n == "i" then r[#r] = "i=" .. v end
        ::continue::
        k = k + 1
      end
    end
    for key, val in pairs({x = 1}) do
      local k = 1
      while true do
        local n, v = debug.getlocal(1, k)
        if not n or n == "k" then break end
        if n ~= "r" and n ~= "i" then r[#r + 1] = n .. (n:sub(1, 1) == "(" and "" or "=" .. v) end
        k = k + 1
      end
    end
    return table.concat(r, " ")
  end
  check(forlocals(), "(for state) (for state) (for state) i=10 (for state) (for state) (for state) (for state) key=x val=1")

  -- varargs: negative indices
  local function va(a, ...)
    check(debug.getlocal(1, 1), "a")
    local n, v = debug.getlocal(1, -1)
    check(n, "(vararg)")
    check(v, "v1")
    n, v = debug.getlocal(1, -2)
    check(n, "(vararg)")
    check(v, "v2")
    check(debug.getlocal(1, -3), nil)
    check(debug.setlocal(1, -2, "changed"), "(vararg)")
    check(debug.setlocal(1, -3, "x"), nil)
    check(select(2, ...), "changed")
    check(select("#", ...), 2)
    return true
  end
  check(va("a", "v1", "v2"), true)
  local function va0(...)
    check(debug.getlocal(1, -1), nil)
    check(select("#", ...), 0)
    return true
  end
  check(va0(), true)
  local function vanil(...)
    local n, v = debug.getlocal(1, -2)
    check(n, "(vararg)")
    check(v, nil)
    check(debug.getlocal(1, -4), nil)
    return true
  end
  check(vanil(1, nil, 3), true)

  -- functions given as values: only parameter names, no values
  local function params(p1, p2, ...) local inner = 1 return inner end
  check(debug.getlocal(params, 1), "p1")
  check(debug.getlocal(params, 2), "p2")
  check(select("#", debug.getlocal(params, 1)), 1)
  check(debug.getlocal(params, 3), nil)  -- a local, not a parameter
  check(select("#", debug.getlocal(params, 3)), 1)
  check(debug.getlocal(params, 0), nil)
  check(debug.getlocal(params, -1), nil)
  check(debug.getlocal(print, 1), nil)
  check(select("#", debug.getlocal(print, 1)), 1)
  check(debug.getlocal(load(string.dump(params, true)), 1), nil)  -- stripped
  check(debug.getlocal(coroutine.running(), params, 2), "p2")

  -- locals of another coroutine
  local co = coroutine.create(function(p)
    local q = p * 2
    local r = coroutine.yield(q)
    return p, q, r
  end)
  check(select(2, coroutine.resume(co, 5)), 10)
  -- level 0 is yield, level 1 the coroutine's function
  local n, v = debug.getlocal(co, 1, 1)
  check(n, "p")
  check(v, 5)
  n, v = debug.getlocal(co, 1, 2)
  check(n, "q")
  check(v, 10)
  check(debug.getlocal(co, 1, 3), nil)  -- r is not active yet (a call in progress)
  check(debug.getlocal(co, 1, -1), nil)
  check(debug.setlocal(co, 1, 2, 99), "q")
  check(debug.setlocal(co, 1, 9, 99), nil)
  checkerr("bad argument #2 to 'debug.getlocal' (level out of range)", debug.getlocal, co, 2, 1)
  checkerr("bad argument #2 to 'debug.setlocal' (level out of range)", debug.setlocal, co, 2, 1, 0)
  checkerr("bad argument #3 to 'debug.getlocal' (number expected, got no value)", debug.getlocal, co, 1)
  checkerr("bad argument #4 to 'debug.setlocal' (value expected)", debug.setlocal, co, 1, 1)
  local ok, p, q, r = coroutine.resume(co, 7)
  check(ok, true)
  check(p, 5)
  check(q, 99)
  check(r, 7)
  checkerr("bad argument #2 to 'debug.getlocal' (level out of range)", debug.getlocal, co, 0, 1)
  -- the main thread, seen from a coroutine
  local mainth = coroutine.running()
  local mainlocal = "here"
  co = coroutine.wrap(function()
    local k = 1
    while true do
      local name, val = debug.getlocal(mainth, 1, k)  -- level 0 is resume
      if name == "mainlocal" then return val end
      if not name then return nil end
      k = k + 1
    end
  end)
  check(co(), "here")

  -- errors
  checkerr("bad argument #1 to 'debug.getlocal' (level out of range)", debug.getlocal, 1000, 1)
  checkerr("bad argument #1 to 'debug.getlocal' (level out of range)", debug.getlocal, -1, 1)
  checkerr("bad argument #1 to 'debug.setlocal' (level out of range)", debug.setlocal, 1000, 1, 0)
  checkerr("bad argument #1 to 'debug.setlocal' (level out of range)", debug.setlocal, 1000, 1)
  checkerr("bad argument #2 to 'debug.getlocal' (number expected, got no value)", debug.getlocal, 1)
  checkerr("bad argument #2 to 'debug.getlocal' (number expected, got no value)", debug.getlocal, print)
  checkerr("bad argument #1 to 'debug.getlocal' (number expected, got table)", debug.getlocal, {}, 1)
  checkerr("bad argument #2 to 'debug.getlocal' (number has no integer representation)", debug.getlocal, 1, 1.5)
  checkerr("bad argument #3 to 'debug.setlocal' (value expected)", debug.setlocal, 1, 1)
  checkerr("bad argument #2 to 'debug.setlocal' (number expected, got no value)", debug.setlocal, 1)
  checkerr("bad argument #1 to 'debug.setlocal' (number expected, got function)", debug.setlocal, print, 1, 1)
end

-- getupvalue / setupvalue -----------------------------------------------------
do
  local a, b = 1, 2
  local function f() return b, a end  -- upvalues in order of first use
  local n, v = debug.getupvalue(f, 1)
  check(n, "b")
  check(v, 2)
  n, v = debug.getupvalue(f, 2)
  check(n, "a")
  check(v, 1)
  check(select("#", debug.getupvalue(f, 3)), 0)
  check(select("#", debug.getupvalue(f, 0)), 0)
  check(select("#", debug.getupvalue(f, -1)), 0)
  check(select("#", debug.getupvalue(f, (1 << 32) + 1)), 2)  -- a C int: index 1
  -- setupvalue writes the variable itself, shared with its scope and other
  -- closures
  local function g() return a end
  check(debug.setupvalue(f, 2, 10), "a")
  check(a, 10)
  check(g(), 10)
  check(select("#", debug.setupvalue(f, 2, 10)), 1)
  check(debug.setupvalue(f, 1, nil), "b")
  check(b, nil)
  check(select("#", debug.setupvalue(f, 3, 0)), 0)
  check(select("#", debug.setupvalue(f, 0, 0)), 0)
  -- closed upvalues
  local function mk() local x = "x0" return function() return x end end
  local h = mk()
  check(select(2, debug.getupvalue(h, 1)), "x0")
  check(debug.setupvalue(h, 1, "x1"), "x")
  check(h(), "x1")
  -- _ENV
  n, v = debug.getupvalue(MAIN, 1)
  check(n, "_ENV")
  check(v, _ENV)
  check(select(2, debug.getupvalue(function() return print end, 1)), _G)
  local env = {}
  local chunk = load("return y")
  check(debug.setupvalue(chunk, 1, env), "_ENV")
  env.y = "from env"
  check(chunk(), "from env")
  -- stripped functions have no upvalue names
  local s = load(string.dump(function() return a end, true))
  check(debug.getupvalue(s, 1), "(no name)")
  check(debug.setupvalue(s, 1, 5), "(no name)")
  check(s(), 5)
  -- C functions: upvalues are named ""
  check(select("#", debug.getupvalue(print, 1)), 0)
  check(select("#", debug.setupvalue(print, 1, 1)), 0)
  local co1 = coroutine.create(function() return 1 end)
  local co2 = coroutine.create(function() return 2 end)
  local w = coroutine.wrap(function() return 0 end)
  n, v = debug.getupvalue(w, 1)
  check(n, "")
  check(type(v), "thread")
  check(select("#", debug.getupvalue(w, 2)), 0)
  check(debug.setupvalue(w, 1, co2), "")
  check(w(), 2)  -- the wrapper now resumes co2
  check(coroutine.status(co2), "dead")
  check(coroutine.status(co1), "suspended")
  -- errors
  checkerr("bad argument #1 to 'debug.getupvalue' (function expected, got number)", debug.getupvalue, 1, 1)
  checkerr("bad argument #1 to 'debug.getupvalue' (function expected, got nil)", debug.getupvalue, nil, 1)
  checkerr("bad argument #2 to 'debug.getupvalue' (number expected, got no value)", debug.getupvalue, f)
  checkerr("bad argument #2 to 'debug.getupvalue' (number expected, got no value)", debug.getupvalue, {})
  checkerr("bad argument #2 to 'debug.getupvalue' (number expected, got string)", debug.getupvalue, f, "a")
  checkerr("bad argument #3 to 'debug.setupvalue' (value expected)", debug.setupvalue, f, 1)
  checkerr("bad argument #1 to 'debug.setupvalue' (function expected, got table)", debug.setupvalue, {}, 1, 1)
  checkerr("bad argument #2 to 'debug.setupvalue' (number expected, got nil)", debug.setupvalue, f, nil, 1)
end

-- upvalueid / upvaluejoin -----------------------------------------------------
do
  local a, b = 1, 2
  local function f1() return a end
  local function f2() return a, b end
  local function f3() return b end
  local id = debug.upvalueid(f1, 1)
  check(type(id), "userdata")
  check(id, debug.upvalueid(f1, 1))
  check(id, debug.upvalueid(f2, 1))  -- the same variable
  check(debug.upvalueid(f2, 2), debug.upvalueid(f3, 1))
  check(debug.upvalueid(f2, 1) ~= debug.upvalueid(f2, 2), true)
  check(debug.upvalueid(f1, 2), nil)
  check(debug.upvalueid(f1, 0), nil)
  check(debug.upvalueid(f1, -1), nil)
  check(select("#", debug.upvalueid(f1, 2)), 1)
  check(debug.upvalueid(print, 1), nil)
  -- the identity survives the closing of the variable
  local function mk()
    local x = 0
    local function get() return x end
    local function set(v) x = v end
    return get, set, debug.upvalueid(get, 1)
  end
  local get, set, openid = mk()
  check(debug.upvalueid(get, 1), openid)
  check(debug.upvalueid(set, 1), openid)
  local get2 = mk()
  check(debug.upvalueid(get2, 1) ~= openid, true)
  -- C closures
  local w1 = coroutine.wrap(function() end)
  local w2 = coroutine.wrap(function() end)
  check(type(debug.upvalueid(w1, 1)), "userdata")
  check(debug.upvalueid(w1, 1), debug.upvalueid(w1, 1))
  check(debug.upvalueid(w1, 1) ~= debug.upvalueid(w2, 1), true)
  check(debug.upvalueid(w1, 2), nil)
  checkerr("bad argument #1 to 'debug.upvalueid' (function expected, got number)", debug.upvalueid, 1, 1)
  checkerr("bad argument #2 to 'debug.upvalueid' (number expected, got no value)", debug.upvalueid, f1)
  checkerr("bad argument #2 to 'debug.upvalueid' (number expected, got no value)", debug.upvalueid, {})

  -- upvaluejoin: f1's first upvalue becomes f3's first one
  check(select("#", debug.upvaluejoin(f1, 1, f3, 1)), 0)
  check(f1(), 2)
  check(debug.upvalueid(f1, 1), debug.upvalueid(f3, 1))
  b = 20
  check(f1(), 20)
  a = 10
  check(f1(), 20)
  check(f2(), 10)  -- f2 still sees a
  set(5)
  check(get(), 5)
  debug.upvaluejoin(get, 1, f2, 2)
  check(get(), 20)
  set(6)  -- set still writes the old variable
  check(get(), 20)
  -- errors
  checkerr("bad argument #2 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, f1, 2, f3, 1)
  checkerr("bad argument #2 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, f1, 0, f3, 1)
  checkerr("bad argument #4 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, f1, 1, f3, 2)
  checkerr("bad argument #4 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, f1, 1, f3, -1)
  checkerr("bad argument #2 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, print, 1, f3, 1)
  checkerr("bad argument #4 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, f1, 1, print, 1)
  checkerr("bad argument #1 to 'debug.upvaluejoin' (Lua function expected)", debug.upvaluejoin, w1, 1, f3, 1)
  checkerr("bad argument #3 to 'debug.upvaluejoin' (Lua function expected)", debug.upvaluejoin, f1, 1, w1, 1)
  checkerr("bad argument #1 to 'debug.upvaluejoin' (function expected, got number)", debug.upvaluejoin, 1, 1, f3, 1)
  checkerr("bad argument #3 to 'debug.upvaluejoin' (function expected, got nil)", debug.upvaluejoin, f1, 1, nil, 1)
  checkerr("bad argument #2 to 'debug.upvaluejoin' (number expected, got no value)", debug.upvaluejoin)
  checkerr("bad argument #4 to 'debug.upvaluejoin' (number expected, got no value)", debug.upvaluejoin, f1, 1, f3)
end

-- sethook / gethook -----------------------------------------------------------
do
  check(debug.gethook(), nil)
  check(select("#", debug.gethook()), 1)
  local function hk() end
  -- gethook reports the function, the mask (always in the order "crl") and
  -- the count
  debug.sethook(hk, "lrc", 7)
  local h, m, c = debug.gethook()
  debug.sethook()
  check(h, hk)
  check(m, "crl")
  check(c, 7)
  check(debug.gethook(), nil)
  debug.sethook(hk, "l x c")  -- unknown letters are ignored
  h, m, c = debug.gethook()
  debug.sethook(nil)
  check(m, "cl")
  check(c, 0)
  check(debug.gethook(), nil)
  debug.sethook(hk, "", 3)  -- a count alone
  h, m, c = debug.gethook()
  debug.sethook(nil, "crl", 5)  -- a nil hook removes, whatever the rest
  check(h, hk)
  check(m, "")
  check(c, 3)
  check(debug.gethook(), nil)
  debug.sethook(hk, "", 0)  -- no event at all: no hook
  check(debug.gethook(), nil)
  debug.sethook(hk, "", -1)
  check(debug.gethook(), nil)
  debug.sethook(hk, "r", -5)  -- the count is kept even when not positive
  h, m, c = debug.gethook()
  debug.sethook()
  check(h, hk)
  check(m, "r")
  check(c, -5)
  check(select("#", debug.sethook()), 0)

  -- call, return and tail call events
  local evs = {}
  local function leaf() return 1 end
  local function mid() leaf() return leaf() end
  local function rec(ev, ln)
    local f = debug.getinfo(2, "f").func
    if f == leaf or f == mid then
      check(ln, nil)
      evs[#evs + 1] = ev .. (f == leaf and " leaf" or " mid")
    end
  end
  debug.sethook(rec, "cr")
  mid()
  debug.sethook()
  check(table.concat(evs, ", "), "call mid, call leaf, return leaf, tail call leaf, return leaf")
  evs = {}
  debug.sethook(rec, "c")
  mid()
  debug.sethook()
  check(table.concat(evs, ", "), "call mid, call leaf, tail call leaf")
  evs = {}
  debug.sethook(rec, "r")
  mid()
  debug.sethook()
  check(table.concat(evs, ", "), "return leaf, return leaf")

  -- C functions have call and return events too
  evs = {}
  debug.sethook(function(ev)
    local f = debug.getinfo(2, "f").func
    if f == math.max then evs[#evs + 1] = ev end
  end, "cr")
  math.max(1, 2)
  debug.sethook()
  check(table.concat(evs, " "), "call return")

  -- the hook is called by the hooked thread; the name of the hook function
  -- is "?", of kind "hook"
  local info
  debug.sethook(function()
    info = debug.getinfo(1, "nS")
    debug.sethook()
  end, "c")
  leaf()
  check(info.name, "?")
  check(info.namewhat, "hook")
  check(info.what, "Lua")

  -- no hook runs while a hook is running
  local inner = 0
  local calls = 0
  local function counted() inner = inner + 1 end
  debug.sethook(function(ev)
    if debug.getinfo(2, "f").func == counted then calls = calls + 1 end
    counted()
  end, "c")
  counted()
  counted()
  debug.sethook()
  check(calls, 2)  -- the calls made by the hook itself were not hooked
  check(inner, 5)  -- 2 calls, and 3 from the hook (for counted twice and sethook)

  -- line events: the new line, on entering a new line or jumping back
  local lines = {}
  local LL = line(); local function lf(n)
    local s = 0
    for i = 1, n do
      s = s + i
    end
    return s
  end
  debug.sethook(function(ev, ln)
    check(ev, "line")
    if debug.getinfo(2, "f").func == lf then
      check(debug.getinfo(2, "l").currentline, ln)
      lines[#lines + 1] = ln - LL
    end
  end, "l")
  check(lf(2), 3)
  debug.sethook()
  check(table.concat(lines, " "), "1 2 3 2 3 2 5")
  -- several statements on one line: one event
  lines = {}
  LL = line(); local function oneline() local x = 1; local y = 2; return x + y end
  debug.sethook(function(ev, ln)
    if debug.getinfo(2, "f").func == oneline then lines[#lines + 1] = ln - LL end
  end, "l")
  oneline()
  debug.sethook()
  check(table.concat(lines, " "), "0")

  -- count events: every n instructions, with no line
  local n1 = 0
  local function loop() local s = 0 for i = 1, 100 do s = s + i end return s end
  debug.sethook(function(ev, ln)
    check(ev, "count")
    check(ln, nil)
    n1 = n1 + 1
  end, "", 1)
  loop()
  debug.sethook()
  -- every instruction run between the two calls to sethook (the same
  -- count as PUC's, which has the same instruction set)
  check(n1, 212)
  local n10 = 0
  debug.sethook(function() n10 = n10 + 1 end, "", 10)
  loop()
  debug.sethook()
  -- the instructions of the hook function count too (though they do not
  -- call it): 34 events for the 212 instructions plus 4 per hook call
  check(n10, 34)
  -- count and line events together
  local cnt, lns = 0, 0
  debug.sethook(function(ev) if ev == "count" then cnt = cnt + 1 else lns = lns + 1 end end, "l", 1)
  loop()
  debug.sethook()
  check(cnt, 212)  -- as without line events
  check(lns > 0, true)

  -- transfer information: the values passed in, and the values returned
  local got = {}
  local function tr(p, q)
    local r = p + q
    return r, p * q, "x"
  end
  local function vtr(p, ...)
    local a, b = ...
    return b, a, p
  end
  local function transferred(ev)
    local i = debug.getinfo(2, "fr")
    if i.func == tr or i.func == vtr or i.func == math.max then
      local vals = {}
      for k = i.ftransfer, i.ftransfer + i.ntransfer - 1 do
        local name, v = debug.getlocal(2, k)
        vals[#vals + 1] = tostring(v)
      end
      got[#got + 1] = ev .. " " .. table.concat(vals, ",")
      if ev == "call" then check(i.ftransfer, 1) end
    else
      check(i.ftransfer, 0)
      check(i.ntransfer, 0)
    end
  end
  debug.sethook(transferred, "cr")
  tr(3, 4)
  vtr(1, 2, 3)
  math.max(5, 9, 7)
  debug.sethook()
  check(table.concat(got, "; "), "call 3,4; return 7,12,x; call 1; return 3,2,1; call 5,9,7; return 9")
  -- the hooked function's locals can be changed from a hook
  debug.sethook(function(ev)
    if debug.getinfo(2, "f").func == tr then
      local i = debug.getinfo(2, "r")
      if ev == "call" then
        debug.setlocal(2, 1, 100)
      else
        debug.setlocal(2, i.ftransfer + 2, "y")
      end
    end
  end, "cr")
  local r1, r2, r3 = tr(3, 4)
  debug.sethook()
  check(r1, 104)
  check(r2, 400)
  check(r3, "y")

  -- an error in a hook propagates to the hooked code
  local ok, err = pcall(function()
    local fired = false
    debug.sethook(function()
      if not fired then fired = true error("in hook") end
    end, "l")
    local x = 1
    return x
  end)
  debug.sethook()
  check(ok, false)
  check(err:find("in hook", 1, true) ~= nil, true)

  -- hooks belong to a thread
  local seen = {}
  local LC = line(); local co = coroutine.create(function()
    local a = 1
    coroutine.yield()
    local b = 2
  end)
  local function rl(ev, ln) seen[#seen + 1] = ln - LC end
  debug.sethook(co, rl, "l")
  check(debug.gethook(), nil)  -- not on this thread
  h, m, c = debug.gethook(co)
  check(h, rl)
  check(m, "l")
  check(c, 0)
  coroutine.resume(co)
  check(table.concat(seen, " "), "1 2")
  coroutine.resume(co)
  check(table.concat(seen, " "), "1 2 3 4")
  debug.sethook(co)  -- removal, on that thread
  check(debug.gethook(co), nil)
  -- a hook set inside a coroutine
  co = coroutine.create(function()
    debug.sethook(hk, "c", 2)
    coroutine.yield()
  end)
  coroutine.resume(co)
  check(debug.gethook(), nil)
  check(debug.gethook(co), hk)
  check(select(3, debug.gethook(co)), 2)
  debug.sethook(co, nil)
  check(debug.gethook(co), nil)
  -- a coroutine created while a hook is set inherits its mask and count,
  -- but not the Lua function, which is kept by thread
  debug.sethook(hk, "crl", 3)
  co = coroutine.create(function() end)
  debug.sethook()
  h, m, c = debug.gethook(co)
  check(h, nil)
  check(m, "crl")
  check(c, 3)
  check(coroutine.resume(co), true)
  -- the table of hooks in the registry
  local hooks = debug.getregistry()._HOOKKEY
  check(type(hooks), "table")
  check(getmetatable(hooks), hooks)
  check(hooks.__mode, "k")

  -- errors
  checkerr("bad argument #1 to 'debug.sethook' (function expected, got number)", debug.sethook, 1, "c")
  checkerr("bad argument #2 to 'debug.sethook' (string expected, got no value)", debug.sethook, hk)
  checkerr("bad argument #2 to 'debug.sethook' (string expected, got table)", debug.sethook, hk, {})
  checkerr("bad argument #3 to 'debug.sethook' (number expected, got string)", debug.sethook, hk, "c", "x")
  checkerr("bad argument #3 to 'debug.sethook' (string expected, got no value)", debug.sethook, co, hk)
  checkerr("bad argument #2 to 'debug.sethook' (function expected, got table)", debug.sethook, co, {}, "c")
  check(debug.gethook(), nil)
end

-- getmetatable / setmetatable ---------------------------------------------------
do
  check(debug.getmetatable("abc").__index, string)
  check(debug.getmetatable("abc"), getmetatable(""))
  check(debug.getmetatable(1), nil)
  check(debug.getmetatable(nil), nil)
  check(debug.getmetatable(print), nil)
  check(debug.getmetatable({}), nil)
  check(debug.getmetatable(io.stdout), getmetatable(io.stdout))
  check(debug.getmetatable(io.stdout).__name, "FILE*")
  -- __metatable does not protect against the debug library
  local mt = {__metatable = "locked"}
  local t = setmetatable({}, mt)
  check(getmetatable(t), "locked")
  check(debug.getmetatable(t), mt)
  check(debug.setmetatable(t, nil), t)  -- returns its first argument
  check(getmetatable(t), nil)
  check(debug.setmetatable(t, mt), t)
  check(debug.getmetatable(t), mt)
  -- numbers (integers and floats share one metatable)
  local nmt = {__index = {twice = function(n) return 2 * n end}}
  check(debug.setmetatable(5, nmt), 5)
  check(debug.getmetatable(0), nmt)
  check(debug.getmetatable(1.5), nmt)
  check((7):twice(), 14)
  check((1.5):twice(), 3.0)
  check(getmetatable(3), nmt)
  check(debug.setmetatable(0, nil), 0)
  check(debug.getmetatable(1), nil)
  -- booleans
  debug.setmetatable(true, {__index = function(b, k) return k .. tostring(b) end})
  check((false).foo, "foofalse")
  check(debug.getmetatable(false), debug.getmetatable(true))
  debug.setmetatable(false, nil)
  check(debug.getmetatable(true), nil)
  -- nil
  check(select("#", debug.setmetatable(nil, {__call = function() return "called nil" end})), 1)
  local nothing
  check(nothing(), "called nil")
  check(debug.setmetatable(nil, nil), nil)
  check(pcall(nothing), false)
  -- functions
  debug.setmetatable(print, {__index = {kind = "function"}})
  check(check.kind, "function")
  check(debug.getmetatable(function() end), debug.getmetatable(print))
  debug.setmetatable(print, nil)
  check(debug.getmetatable(check), nil)
  -- threads
  local co = coroutine.create(function() end)
  debug.setmetatable(co, {__index = {kind = "thread"}})
  check(coroutine.running().kind, "thread")
  debug.setmetatable(co, nil)
  check(debug.getmetatable(co), nil)
  -- light userdata (the identities of upvalues)
  local up = 1
  local id = debug.upvalueid(function() return up end, 1)
  debug.setmetatable(id, {__index = {kind = "light"}})
  check(id.kind, "light")
  debug.setmetatable(id, nil)
  check(debug.getmetatable(id), nil)
  -- errors
  checkerr("bad argument #2 to 'debug.setmetatable' (nil or table expected, got number)", debug.setmetatable, 1, 2)
  checkerr("bad argument #2 to 'debug.setmetatable' (nil or table expected, got no value)", debug.setmetatable, {})
  checkerr("bad argument #2 to 'debug.setmetatable' (nil or table expected, got boolean)", debug.setmetatable, {}, false)
  checkerr("bad argument #1 to 'debug.getmetatable' (value expected)", debug.getmetatable)
end

-- getregistry ------------------------------------------------------------------
do
  local R = debug.getregistry()
  check(type(R), "table")
  check(debug.getregistry(), R)
  check(R._LOADED, package.loaded)
  check(R._PRELOAD, package.preload)
  check(R[2], _G)  -- LUA_RIDX_GLOBALS
  local th, ismain = coroutine.running()
  if ismain then check(R[1], th) end  -- LUA_RIDX_MAINTHREAD
  check(R["FILE*"], getmetatable(io.stdout))
  -- it is an ordinary table
  R.debug_test_key = "value"
  check(debug.getregistry().debug_test_key, "value")
  R.debug_test_key = nil
end

-- getuservalue / setuservalue ------------------------------------------------
do
  -- file handles are full userdata with no user values
  check(debug.getuservalue(io.stdout), nil)
  check(select("#", debug.getuservalue(io.stdout)), 1)
  check(debug.getuservalue(io.stdout, 1), nil)
  check(debug.getuservalue(io.stdout, 0), nil)
  check(debug.getuservalue(io.stdout, -1), nil)
  check(debug.getuservalue(io.stderr, 2), nil)
  check(select("#", debug.getuservalue(io.stdout, 2)), 1)
  check(debug.setuservalue(io.stdout, 1), nil)  -- fails: no such user value
  check(select("#", debug.setuservalue(io.stdout, 1)), 1)
  check(debug.setuservalue(io.stdout, {}, 1), nil)
  check(debug.setuservalue(io.stdout, 1, 0), nil)
  check(debug.getuservalue(io.stdout), nil)
  -- any other value has none either: one nil
  local up = 1
  for _, v in ipairs({1, 1.5, "s", true, {}, print, coroutine.running(),
                      debug.upvalueid(function() return up end, 1)}) do
    check(debug.getuservalue(v), nil)
    check(select("#", debug.getuservalue(v)), 1)
    check(select("#", debug.getuservalue(v, 2)), 1)
  end
  check(debug.getuservalue(nil), nil)
  check(select("#", debug.getuservalue()), 1)
  -- errors
  checkerr("bad argument #2 to 'debug.getuservalue' (number expected, got string)", debug.getuservalue, 1, "x")
  checkerr("bad argument #2 to 'debug.getuservalue' (number expected, got table)", debug.getuservalue, io.stdout, {})
  checkerr("bad argument #1 to 'debug.setuservalue' (userdata expected, got table)", debug.setuservalue, {}, 1)
  checkerr("bad argument #1 to 'debug.setuservalue' (userdata expected, got no value)", debug.setuservalue)
  checkerr("bad argument #1 to 'debug.setuservalue' (userdata expected, got light userdata)",
    debug.setuservalue, debug.upvalueid(function() return up end, 1), 1)
  checkerr("bad argument #2 to 'debug.setuservalue' (value expected)", debug.setuservalue, io.stdout)
  checkerr("bad argument #3 to 'debug.setuservalue' (number expected, got string)", debug.setuservalue, io.stdout, 1, "x")
  checkerr("bad argument #3 to 'debug.setuservalue' (number expected, got string)", debug.setuservalue, {}, 1, "x")
end

-- setcstacklimit -----------------------------------------------------------------
do
  -- deprecated: the argument is ignored and the result is the fixed limit
  -- of nested C calls (LUAI_MAXCCALLS, 200 in PUC 5.4.8's lstate.c)
  check(debug.setcstacklimit(1000), 200)
  check(debug.setcstacklimit(0), 200)
  check(debug.setcstacklimit(-1), 200)
  check(math.type(debug.setcstacklimit(100)), "integer")
  checkerr("bad argument #1 to 'debug.setcstacklimit' (number expected, got no value)", debug.setcstacklimit)
  checkerr("bad argument #1 to 'debug.setcstacklimit' (number expected, got string)", debug.setcstacklimit, "x")
end

-- odds and ends ---------------------------------------------------------------------
do
  -- strings read as C strings stop at a zero byte: traceback's message,
  -- getinfo's options, sethook's mask
  check(debug.traceback("a\0b", 1000), "a\nstack traceback:")
  check(keys(debug.getinfo(1, "l\0X")), "currentline")
  debug.sethook(function() end, "l\0c")
  local _, m = debug.gethook()
  debug.sethook()
  check(m, "l")
  -- traceback as a message handler
  local LX = line(); local _, tb = xpcall(function() local x = nil; x() end, debug.traceback)
  starts(tb, SRC .. ":" .. LX .. ": attempt to call a nil value (local 'x')\nstack traceback:\n\t"
    .. SRC .. ":" .. LX .. ": in function <" .. SRC .. ":" .. LX .. ">\n\t[C]: in function 'xpcall'\n\t"
    .. SRC .. ":" .. LX .. ": in main chunk")
  local t = {}
  check(select(2, xpcall(function() error(t) end, debug.traceback)), t)
  -- metamethods and iterators in tracebacks
  LX = line(); local co = coroutine.create(function()
    local mt = setmetatable({}, {__index = function() coroutine.yield() end})
    return mt.x
  end)
  coroutine.resume(co)
  check(debug.traceback(co), "stack traceback:\n\t[C]: in function 'coroutine.yield'\n\t"
    .. SRC .. ":" .. (LX + 1) .. ": in metamethod 'index'\n\t"
    .. SRC .. ":" .. (LX + 2) .. ": in function <" .. SRC .. ":" .. LX .. ">")
  LX = line(); co = coroutine.create(function() for _ in function() coroutine.yield() end do end end)
  coroutine.resume(co)
  check(debug.traceback(co), "stack traceback:\n\t[C]: in function 'coroutine.yield'\n\t"
    .. SRC .. ":" .. LX .. ": in for iterator 'for iterator'\n\t"
    .. SRC .. ":" .. LX .. ": in function <" .. SRC .. ":" .. LX .. ">")
  -- finalizers are named __gc
  local info
  setmetatable({}, {__gc = function() info = debug.getinfo(1, "n") end})
  collectgarbage()
  collectgarbage()
  check(info.name, "__gc")
  check(info.namewhat, "metamethod")
  -- a function called from C has no name
  table.sort({1, 2, 3}, function(a, b) info = debug.getinfo(1, "n") return a < b end)
  check(info.name, nil)
  check(info.namewhat, "")
  -- C functions seen from their own call and return events
  local evs = {}
  local function tc() return math.max(1, 2) end  -- a tail call of a C function is a call
  debug.sethook(function(ev)
    local i = debug.getinfo(2, "fnt")
    if i.func == math.max then evs[#evs + 1] = ev .. " " .. i.name .. " " .. i.namewhat .. " " .. tostring(i.istailcall) end
  end, "cr")
  tc()
  debug.sethook()
  check(table.concat(evs, ", "), "call max field false, return max field false")
  -- a hook cannot yield
  co = coroutine.create(function()
    debug.sethook(function() coroutine.yield(1) end, "l")
    local x = 1
    return x
  end)
  local ok, err = coroutine.resume(co)
  check(ok, false)
  check(err, "attempt to yield across a C-call boundary")
  check(coroutine.status(co), "dead")
  -- the locals and lines of a coroutine dead by an error are still there
  LX = line(); co = coroutine.create(function(a) local b = a * 2 error("x") end)
  coroutine.resume(co, 5)
  check(select(2, debug.getlocal(co, 1, 1)), 5)
  check(select(2, debug.getlocal(co, 1, 2)), 10)
  check(debug.getinfo(co, 1, "l").currentline, LX)
  check(debug.getinfo(co, 0, "n").name, "error")
  checkerr("bad argument #2 to 'debug.getlocal' (level out of range)", debug.getlocal, co, 2, 1)
  -- hooks can be set on a dead coroutine
  debug.sethook(co, print, "l")
  check(debug.gethook(co), print)
  debug.sethook(co)
  check(debug.gethook(co), nil)
end

-- debug.debug reads commands from the standard input; it is not run here
check(type(debug.debug), "function")
check(debug.getinfo(debug.debug, "S").what, "C")
