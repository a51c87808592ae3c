-- Hostile binary chunks: the verifier must reject them, or running them
-- must end with a Lua error or a normal return; never a crash, a Rust
-- panic or an access outside the stack.
--
-- The chunks are assembled here in luna's binary-chunk layout (see
-- luna-core/src/dump.rs): the header of a real `string.dump`, then one
-- prototype with variable-length sizes.

local OPS = {}
do
  local names = [[MOVE LOADI LOADF LOADK LOADKX LOADFALSE LFALSESKIP LOADTRUE LOADNIL GETUPVAL SETUPVAL
GETTABUP GETTABLE GETI GETFIELD SETTABUP SETTABLE SETI SETFIELD NEWTABLE SELF
ADDI ADDK SUBK MULK MODK POWK DIVK IDIVK BANDK BORK BXORK SHRI SHLI
ADD SUB MUL MOD POW DIV IDIV BAND BOR BXOR SHL SHR MMBIN MMBINI MMBINK
UNM BNOT NOT LEN CONCAT CLOSE TBC JMP EQ LT LE EQK EQI LTI LEI GTI GEI TEST TESTSET
CALL TAILCALL RETURN RETURN0 RETURN1 FORLOOP FORPREP TFORPREP TFORCALL TFORLOOP
SETLIST CLOSURE VARARG VARARGPREP EXTRAARG]]
  local i = 0
  for n in names:gmatch("%S+") do OPS[n] = i; i = i + 1 end
end

local OFFSET_SJ = ((1 << 25) - 1) >> 1

local function iABC(op, a, b, c, k)
  return OPS[op] | (a or 0) << 7 | (k or 0) << 15 | (b or 0) << 16 | (c or 0) << 24
end
local function iABx(op, a, bx) return OPS[op] | a << 7 | bx << 15 end
local function iAsBx(op, a, sbx) return OPS[op] | a << 7 | (sbx + (((1 << 17) - 1) >> 1)) << 15 end
local function iAx(op, ax) return OPS[op] | ax << 7 end
local function isJ(op, sj) return OPS[op] | (sj + OFFSET_SJ) << 7 end

-- Variable-length size: big-endian groups of 7 bits, the last one marked.
local function size(x)
  local groups = {}
  repeat
    table.insert(groups, 1, x & 0x7f)
    x = x >> 7
  until x == 0
  groups[#groups] = groups[#groups] | 0x80
  return string.char(table.unpack(groups))
end

local function str(s)
  if s == nil then return size(0) end
  return size(#s + 1) .. s
end

-- p = {code = {...}, maxstack, nparams, vararg, k = {...}, upv = {{instack, idx}}, protos = {...}}
local function proto(p)
  local out = {}
  out[#out + 1] = str(p.source)
  out[#out + 1] = size(0) .. size(0)
  out[#out + 1] = string.char(p.nparams or 0, p.vararg and 1 or 0, p.maxstack)
  out[#out + 1] = size(#p.code)
  for _, i in ipairs(p.code) do out[#out + 1] = string.pack("<I4", i) end
  local k = p.k or {}
  out[#out + 1] = size(#k)
  for _, v in ipairs(k) do
    if math.type(v) == "integer" then out[#out + 1] = "\3" .. string.pack("<i8", v)
    elseif type(v) == "string" then out[#out + 1] = "\4" .. str(v)
    else error("constant type") end
  end
  local upv = p.upv or {{1, 0}}
  out[#out + 1] = size(#upv)
  for _, u in ipairs(upv) do out[#out + 1] = string.char(u[1], u[2], 0) end
  local protos = p.protos or {}
  out[#out + 1] = size(#protos)
  for _, q in ipairs(protos) do out[#out + 1] = proto(q) end
  out[#out + 1] = size(0) .. size(0) .. size(0)   -- no debug information
  return table.concat(out)
end

local HEADER = string.dump(function() end):sub(1, 31)

local function chunk(p)
  p.source = p.source or "=crafted"
  return HEADER .. "\1" .. proto(p)
end

-- Loads `p`; returns the function, or nil when the verifier rejected it
-- (with the expected message).
local function try_load(p)
  local f, e = load(chunk(p), "=crafted", "b")
  if not f then
    assert(string.find(e, "bad binary format", 1, true) or string.find(e, "truncated", 1, true), e)
  end
  return f
end

-- Runs `f` in protected mode, also inside a coroutine (whose stack
-- starts small), and collects garbage afterwards.
local function run(f, ...)
  if not f then return end
  pcall(f, ...)
  local co = coroutine.create(f)
  coroutine.resume(co, ...)
  collectgarbage()
  collectgarbage()
end

local callee = function(...) return select("#", ...) end

-- Runs case `n` (all of them unless the global ONLY_CASE selects one).
local function case(n, f)
  local only = rawget(_G, "ONLY_CASE")
  if only == nil or only == n then f() end
end

-- 1. "Open" operand counts (B = 0) with no preceding instruction that set
-- the top: CALL, TAILCALL, RETURN and SETLIST then compute a negative
-- count from a stale top.
case(1, function()
  run(try_load{maxstack = 10, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("CALL", 5, 0, 1), iABC("RETURN0")}}, callee)
  run(try_load{maxstack = 10, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("CALL", 5, 0, 1), iABC("RETURN0")}}, select)
  run(try_load{maxstack = 10, nparams = 1, code = {iABC("RETURN", 5, 0, 0)}}, callee)
  run(try_load{maxstack = 10, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("TAILCALL", 5, 0, 0), iABC("RETURN0")}}, callee)
  run(try_load{maxstack = 10, nparams = 1, code = {
    iABC("NEWTABLE", 5), iAx("EXTRAARG", 0), iABC("SETLIST", 5, 0, 0), iABC("RETURN0")}}, callee)
  -- The count wraps around and, with C, gives a small last index: the
  -- stores then run below the array part.
  run(try_load{maxstack = 10, nparams = 1, code = {
    iABC("NEWTABLE", 5), iAx("EXTRAARG", 0), iABC("SETLIST", 5, 0, 10), iABC("RETURN0")}}, callee)
  -- An open count after a multiple-result call placed above the consumer.
  run(try_load{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 1, 0), iABC("CALL", 1, 1, 0), iABC("NEWTABLE", 8), iAx("EXTRAARG", 0),
    iABC("SETLIST", 8, 0, 0), iABC("RETURN0")}}, callee)
end)

-- 2. A frame that returns without closing its upvalues leaves an open
-- upvalue pointing into dead stack; shrinking the coroutine's stack then
-- leaves it dangling.
case(2, function()
  do
    local reader = {maxstack = 2, upv = {{1, 200}}, code = {iABC("GETUPVAL", 0, 0), iABC("RETURN1", 0)}}
    local writer = {maxstack = 2, upv = {{1, 200}}, code = {iAsBx("LOADI", 0, 1234), iABC("SETUPVAL", 0, 0), iABC("RETURN0")}}
    for _, ret in ipairs{iABC("RETURN", 201, 3, 0), iABC("RETURN1", 201)} do
      local f = try_load{maxstack = 250, protos = {reader, writer}, code = {
        iAsBx("LOADI", 200, 42), iABx("CLOSURE", 201, 0), iABx("CLOSURE", 202, 1), ret}}
      if f then
        local r, w
        local co = coroutine.create(function() r, w = f(); coroutine.yield() end)
        assert(coroutine.resume(co))
        collectgarbage(); collectgarbage()
        -- The captured variable must still read as 42 (closed on return).
        assert(r() == 42)
        for i = 1, 100 do local t = {} for j = 1, 50 do t[j] = {j} end end
        if w then w(); assert(r() == 1234) end
        co = nil
        collectgarbage(); collectgarbage()
      end
    end
  end
end)

-- 3. A to-be-closed variable left registered by a RETURN0.
case(3, function()
  do
    local f = try_load{maxstack = 250, nparams = 1, code = {iABC("MOVE", 200, 0), iABC("TBC", 200), iABC("RETURN0")}}
    if f then
      local closed = 0
      local obj = setmetatable({}, {__close = function() closed = closed + 1 end})
      local co = coroutine.create(function() f(obj); coroutine.yield(); do local z <close> = obj end end)
      coroutine.resume(co)
      collectgarbage(); collectgarbage()
      coroutine.resume(co)
      coroutine.close(co)
      pcall(f, obj)
      do local y <close> = nil end
    end
  end
end)

-- 4. An arithmetic instruction not followed by its MMBIN: the fast path
-- skips the next instruction, here the last one, and runs off the end of
-- the code. Such code cannot run safely: the verifier must reject it.
case(4, function()
  local f = try_load{maxstack = 2, code = {iAsBx("LOADI", 0, 1), iABC("ADDI", 0, 0, 1 + 127), iABC("RETURN0")}}
  assert(f == nil, "arithmetic without MMBIN accepted")
  f = try_load{maxstack = 3, code = {iAsBx("LOADI", 0, 1), iAsBx("LOADI", 1, 2), iABC("ADD", 0, 0, 1), iABC("RETURN0")}}
  assert(f == nil, "arithmetic without MMBIN accepted")
end)

-- 5. VARARGPREP executed again through a jump to the first instruction.
case(5, function()
  do
    local f = try_load{vararg = true, maxstack = 10, k = {"n"}, code = {
      iABC("VARARGPREP", 0),
      iABC("GETTABUP", 1, 0, 0),
      iABC("ADDI", 2, 1, 1 + 127),
      iABC("MMBINI", 1, 1 + 127, 6),
      iABC("SETTABUP", 0, 0, 2),
      iABC("LTI", 2, 5 + 127, 0, 1),
      isJ("JMP", -7),
      iABC("RETURN", 0, 0, 1)}}
    if f then
      n = 0
      local r = table.pack(pcall(f, 1, 2, 3))
      -- Run correctly, the function returns its three arguments.
      if r[1] then assert(r.n == 4 and r[2] == 1 and r[3] == 2 and r[4] == 3) end
      n = nil
    end
  end
end)

-- 6. NEWTABLE with a hash-size exponent beyond the word size.
case(6, function()
  for _, b in ipairs{64, 65, 100, 255} do
    run(try_load{maxstack = 2, code = {iABC("NEWTABLE", 0, b), iAx("EXTRAARG", 0), iABC("RETURN1", 0)}})
  end
end)

-- 7. RETURN0 with a register operand outside the frame, run under a
-- return hook (which sets the top from it).
case(7, function()
  do
    local f = try_load{maxstack = 2, code = {iABC("RETURN0", 253)}}
    if f then
      local co = coroutine.wrap(function()
        debug.sethook(function() local a, b, c, d, e, g, h, i, j, k = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 return a end, "r")
        f()
        debug.sethook()
        return "done"
      end)
      assert(co() == "done")
    end
  end
end)

-- 8. VARARG in a function that is not vararg: its frame has no extra
-- arguments, but a frame reused by a tail call from a vararg function
-- still carries the caller's count.
case(8, function()
  local f = try_load{maxstack = 4, code = {iABC("VARARG", 0, 0, 0), iABC("RETURN", 0, 0, 0)}}
  if f then
    local function w(...) return f(...) end
    for n = 0, 40 do
      local args = {}
      for i = 1, n do args[i] = i end
      local co = coroutine.create(w)
      coroutine.resume(co, table.unpack(args))
      pcall(w, table.unpack(args))
    end
  end
end)

print("OK")
