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

-- p = {code = {...}, maxstack, nparams, vararg, k = {...}, upv = {{instack, idx}}, protos = {...},
--      locals = {{name, startpc, endpc}}}
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
  -- Debug information (PUC's layout): no lines, no absolute lines; local
  -- variables {name, startpc, endpc}; no upvalue names.
  local locals = p.locals or {}
  out[#out + 1] = size(0) .. size(0) .. size(#locals)
  for _, v in ipairs(locals) do out[#out + 1] = str(v[1]) .. size(v[2]) .. size(v[3]) end
  out[#out + 1] = size(0)
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

-- Loads `p`, which the verifier must reject.
local function rejected(p)
  local f, e = load(chunk(p), "=crafted", "b")
  assert(f == nil, "hostile chunk accepted")
  assert(string.find(e, "bad binary format", 1, true), e)
end

-- Loads `p`, which the verifier must accept (the compiler emits such code).
local function accepted(p)
  local f, e = load(chunk(p), "=crafted", "b")
  assert(f, e)
  return f
end

local callee = function(...) return select("#", ...) end

-- Runs case `n` (all of them unless the global ONLY_CASE selects one).
local function case(n, f)
  local only = rawget(_G, "ONLY_CASE")
  if only == nil or only == n then f() end
end

-- 1. "Open" operand counts (B = 0) with no preceding instruction that set
-- the top: CALL, TAILCALL, RETURN and SETLIST would compute a negative
-- count from a stale top. The verifier rejects them.
case(1, function()
  rejected{maxstack = 10, nparams = 1, code = {iABC("MOVE", 5, 0), iABC("CALL", 5, 0, 1), iABC("RETURN0")}}
  rejected{maxstack = 10, nparams = 1, code = {iABC("RETURN", 5, 0, 0)}}
  rejected{maxstack = 10, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("TAILCALL", 5, 0, 0), iABC("RETURN", 5, 0, 0)}}
  rejected{maxstack = 10, nparams = 1, code = {
    iABC("NEWTABLE", 5), iAx("EXTRAARG", 0), iABC("SETLIST", 5, 0, 0), iABC("RETURN0")}}
  -- The count would wrap around and, with C, give a small last index:
  -- the stores would run below the array part.
  rejected{maxstack = 10, nparams = 1, code = {
    iABC("NEWTABLE", 5), iAx("EXTRAARG", 0), iABC("SETLIST", 5, 0, 10), iABC("RETURN0")}}
  -- A multiple-result call not right before the consumer.
  rejected{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 1, 0), iABC("CALL", 1, 1, 0), iABC("NEWTABLE", 8), iAx("EXTRAARG", 0),
    iABC("SETLIST", 8, 0, 0), iABC("RETURN0")}}
  -- Right before it, but with its values below the consumer's function.
  rejected{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 1, 0), iABC("CALL", 1, 1, 0), iABC("MOVE", 5, 0), iABC("CALL", 5, 0, 1), iABC("RETURN0")}}
  rejected{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 1, 0), iABC("CALL", 1, 1, 0), iABC("CALL", 1, 0, 1), iABC("RETURN0")}}
  -- Right before it, but the consumer is also reached by a jump or a skip.
  rejected{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("MOVE", 6, 0), isJ("JMP", 1), iABC("CALL", 6, 1, 0), iABC("CALL", 5, 0, 2),
    iABC("RETURN1", 5)}}
  rejected{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("MOVE", 6, 0), iABC("LFALSESKIP", 7), iABC("CALL", 6, 1, 0), iABC("CALL", 5, 0, 2),
    iABC("RETURN1", 5)}}
  -- An open result nobody takes.
  rejected{maxstack = 20, nparams = 1, code = {iABC("MOVE", 5, 0), iABC("CALL", 5, 1, 0), iABC("RETURN0")}}
  -- The valid shape, f(f()), loads and runs.
  local f = accepted{maxstack = 20, nparams = 1, code = {
    iABC("MOVE", 5, 0), iABC("MOVE", 6, 0), iABC("CALL", 6, 1, 0), iABC("CALL", 5, 0, 2), iABC("RETURN1", 5)}}
  assert(f(callee) == 1)
  assert(f(function(...) return ... end) == nil)
  assert(select("#", f(function(...) return ... end)) == 1)
end)

-- 2. A frame that returns without closing its upvalues would leave an open
-- upvalue pointing into dead stack; shrinking the coroutine's stack then
-- leaves it dangling. A function whose closures capture its registers
-- must return with a closing RETURN.
case(2, function()
  local reader = {maxstack = 2, upv = {{1, 200}}, code = {iABC("GETUPVAL", 0, 0), iABC("RETURN1", 0)}}
  local writer = {maxstack = 2, upv = {{1, 200}}, code = {
    iAsBx("LOADI", 0, 1234), iABC("SETUPVAL", 0, 0), iABC("RETURN0")}}
  local function maker(ret)
    return {maxstack = 250, protos = {reader, writer}, code = {
      iAsBx("LOADI", 200, 42), iABx("CLOSURE", 201, 0), iABx("CLOSURE", 202, 1), ret}}
  end
  rejected(maker(iABC("RETURN", 201, 3, 0)))
  rejected(maker(iABC("RETURN1", 201)))
  rejected(maker(iABC("RETURN0")))
  local f = accepted(maker(iABC("RETURN", 201, 3, 0, 1)))
  local r, w
  local co = coroutine.create(function() r, w = f(); coroutine.yield() end)
  assert(coroutine.resume(co))
  collectgarbage(); collectgarbage()
  -- The captured variable reads as 42 (closed on return).
  assert(r() == 42)
  for i = 1, 100 do local t = {} for j = 1, 50 do t[j] = {j} end end
  w(); assert(r() == 1234)
  co = nil
  collectgarbage(); collectgarbage()
  assert(r() == 1234)
  -- A tail call from such a frame closes too.
  rejected{maxstack = 250, nparams = 1, protos = {reader}, code = {
    iABx("CLOSURE", 201, 0), iABC("MOVE", 202, 0), iABC("TAILCALL", 202, 1, 0), iABC("RETURN", 202, 0, 0)}}
  accepted{maxstack = 250, nparams = 1, protos = {reader}, code = {
    iABx("CLOSURE", 201, 0), iABC("MOVE", 202, 0), iABC("TAILCALL", 202, 1, 0, 1), iABC("RETURN", 202, 0, 0, 1)}}
end)

-- 3. A to-be-closed variable left registered by a RETURN0.
case(3, function()
  rejected{maxstack = 250, nparams = 1, code = {iABC("MOVE", 200, 0), iABC("TBC", 200), iABC("RETURN0")}}
  rejected{maxstack = 250, nparams = 1, code = {iABC("MOVE", 200, 0), iABC("TBC", 200), iABC("RETURN1", 0)}}
  rejected{maxstack = 250, nparams = 1, code = {iABC("MOVE", 200, 0), iABC("TBC", 200), iABC("RETURN", 0, 1, 0)}}
  local f = accepted{maxstack = 250, nparams = 1, code = {
    iABC("MOVE", 200, 0), iABC("TBC", 200), iABC("RETURN", 0, 1, 0, 1)}}
  local closed = 0
  local obj = setmetatable({}, {__close = function() closed = closed + 1 end})
  f(obj)
  assert(closed == 1)
  local co = coroutine.create(function() f(obj); coroutine.yield(); do local z <close> = obj end end)
  coroutine.resume(co)
  collectgarbage(); collectgarbage()
  coroutine.resume(co)
  assert(coroutine.status(co) == "dead" and closed == 3)
  -- A generic for registers its closing value too.
  rejected{maxstack = 10, code = {
    iABx("TFORPREP", 0, 0), iABC("TFORCALL", 0, 0, 1), iABx("TFORLOOP", 0, 2), iABC("RETURN0")}}
end)

-- 4. An arithmetic instruction not followed by its MMBIN: the fast path
-- skips the next instruction, here the last one, and would run off the end
-- of the code.
case(4, function()
  rejected{maxstack = 2, code = {iAsBx("LOADI", 0, 1), iABC("ADDI", 0, 0, 1 + 127), iABC("RETURN0")}}
  rejected{maxstack = 3, code = {iAsBx("LOADI", 0, 1), iAsBx("LOADI", 1, 2), iABC("ADD", 0, 0, 1), iABC("RETURN0")}}
  -- The MMBIN of another kind, or one reached by a jump.
  rejected{maxstack = 3, code = {iAsBx("LOADI", 0, 1), iAsBx("LOADI", 1, 2), iABC("ADD", 0, 0, 1),
    iABC("MMBINI", 0, 1 + 127, 6), iABC("RETURN0")}}
  rejected{maxstack = 3, code = {iAsBx("LOADI", 0, 1), iAsBx("LOADI", 1, 2), isJ("JMP", 1), iABC("ADD", 0, 0, 1),
    iABC("MMBIN", 0, 1, 6), iABC("RETURN0")}}
  local f = accepted{maxstack = 3, code = {iAsBx("LOADI", 0, 1), iAsBx("LOADI", 1, 2), iABC("ADD", 0, 0, 1),
    iABC("MMBIN", 0, 1, 6), iABC("RETURN1", 0)}}
  assert(f() == 3)
end)

-- 5. VARARGPREP executed again through a jump to the first instruction.
case(5, function()
  rejected{vararg = true, maxstack = 10, k = {"n"}, code = {
    iABC("VARARGPREP", 0),
    iABC("GETTABUP", 1, 0, 0),
    iABC("ADDI", 2, 1, 1 + 127),
    iABC("MMBINI", 1, 1 + 127, 6),
    iABC("SETTABUP", 0, 0, 2),
    iABC("LTI", 2, 5 + 127, 0, 1),
    isJ("JMP", -7),
    iABC("RETURN", 0, 0, 1)}}
  -- VARARGPREP elsewhere than first, or in a function that is not vararg.
  rejected{vararg = true, maxstack = 10, code = {iABC("VARARGPREP", 0), iABC("VARARGPREP", 0), iABC("RETURN", 0, 1, 1)}}
  rejected{maxstack = 10, code = {iABC("VARARGPREP", 0), iABC("RETURN0")}}
  -- The loop jumping back to the instruction after it is fine.
  local f = accepted{vararg = true, maxstack = 10, k = {"n"}, code = {
    iABC("VARARGPREP", 0),
    iABC("GETTABUP", 1, 0, 0),
    iABC("ADDI", 2, 1, 1 + 127),
    iABC("MMBINI", 1, 1 + 127, 6),
    iABC("SETTABUP", 0, 0, 2),
    iABC("LTI", 2, 5 + 127, 0, 1),
    isJ("JMP", -6),
    iABC("VARARG", 0, 0, 0),
    iABC("RETURN", 0, 0, 1)}}
  n = 0
  local r = table.pack(f(1, 2, 3))
  assert(n == 5 and r.n == 3 and r[1] == 1 and r[2] == 2 and r[3] == 3)
  n = nil
end)

-- 6. NEWTABLE with a hash-size exponent beyond the word size: the request
-- is too large, a memory error.
case(6, function()
  for _, b in ipairs{30, 64, 65, 100, 255} do
    local f = accepted{maxstack = 2, code = {iABC("NEWTABLE", 0, b), iAx("EXTRAARG", 0), iABC("RETURN1", 0)}}
    local ok, e = pcall(f)
    assert(not ok and e == "not enough memory", e)
  end
  local f = accepted{maxstack = 2, code = {iABC("NEWTABLE", 0, 5), iAx("EXTRAARG", 0), iABC("RETURN1", 0)}}
  assert(type(f()) == "table")
end)

-- 7. RETURN0 with a register operand outside the frame, run under a
-- return hook (which sets the top from it).
case(7, function()
  rejected{maxstack = 2, code = {iABC("RETURN0", 253)}}
  rejected{maxstack = 2, code = {iABC("RETURN0", 3)}}
  rejected{maxstack = 2, code = {iABC("RETURN1", 2)}}
  local f = accepted{maxstack = 2, code = {iABC("RETURN0", 2)}}
  local co = coroutine.wrap(function()
    debug.sethook(function() local a, b, c, d, e, g, h, i, j, k = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 return a end, "r")
    f()
    debug.sethook()
    return "done"
  end)
  assert(co() == "done")
end)

-- 8. VARARG in a function that is not vararg: its frame has no extra
-- arguments (and a frame reused by a tail call from a vararg function
-- must not keep the caller's count).
case(8, function()
  rejected{maxstack = 4, code = {iABC("VARARG", 0, 0, 0), iABC("RETURN", 0, 0, 0)}}
  rejected{maxstack = 4, code = {iABC("VARARG", 0, 0, 2), iABC("RETURN1", 0)}}
  local function g(a) return a, debug.getlocal(1, -1) end
  local function w(...) return g(...) end
  for n = 0, 10 do
    local args = {}
    for i = 1, n do args[i] = i end
    local a, name = w(table.unpack(args))
    assert(a == args[1] and name == nil)
  end
end)

-- 9. A tail call inside the scope of a to-be-closed variable (the
-- compiler emits a plain call there): the frame it replaces would drop
-- the variable. It is an error at run time, and the variable is closed.
case(9, function()
  local f = accepted{maxstack = 10, nparams = 1, k = {"tostring"}, code = {
    iABC("MOVE", 1, 0), iABC("TBC", 1), iABC("GETTABUP", 2, 0, 0), iABC("MOVE", 3, 1),
    iABC("TAILCALL", 2, 2, 0, 1), iABC("RETURN", 2, 0, 0, 1)}}
  local closed = 0
  local obj = setmetatable({}, {__close = function() closed = closed + 1 end})
  local ok, e = pcall(f, obj)
  assert(not ok and string.find(e, "invalid bytecode", 1, true) and closed == 1, e)
  local co = coroutine.create(f)
  ok, e = coroutine.resume(co, obj)
  assert(not ok and string.find(e, "invalid bytecode", 1, true))
  assert(coroutine.close(co) == false and closed == 2)
  -- Nothing to close: the tail call happens.
  assert(f(false) == "false")
end)

-- 10. debug.getlocal with index 0 on a suspended coroutine.
case(10, function()
  local co = coroutine.create(function(x) local y = x; coroutine.yield() end)
  coroutine.resume(co, 1)
  assert(debug.getlocal(co, 1, 0) == nil)
  assert(debug.getlocal(co, 1, 1) == "x")
  assert(debug.getlocal(co, 1, 2) == "y")
  assert(debug.getlocal(1, 0) == nil)
  assert(debug.getlocal(print, 0) == nil)
end)

-- 11. Local variable information naming more variables than registers:
-- the debug library would read and write past the frame.
case(11, function()
  local code = {iAsBx("LOADI", 0, 7), iAsBx("LOADI", 1, 8), iABC("RETURN0")}
  rejected{maxstack = 2, code = code, locals = {{"a", 0, 3}, {"b", 0, 3}, {"c", 0, 3}}}
  rejected{maxstack = 2, code = code, locals = {{"a", 2, 3}, {"b", 2, 9}, {"c", 1, 3}}}
  local f = accepted{maxstack = 2, code = {iAsBx("LOADI", 0, 7), iAsBx("LOADI", 1, 8), iABC("GETTABUP", 1, 0, 0),
    iABC("CALL", 1, 1, 1), iABC("RETURN0")}, k = {"probe"}, locals = {{"a", 1, 5}, {"b", 0, 1}, {"c", 2, 3}}}
  local seen = {}
  probe = function()
    for i = 1, 3 do seen[i] = table.pack(debug.getlocal(2, i)) end
  end
  f()
  probe = nil
  -- At the call only "a" is active (in register 0).
  assert(seen[1][1] == "a" and seen[1][2] == 7)
  assert(seen[2][1] == nil and seen[3][1] == nil)
end)

-- 12. Instructions that only exist as the operand of the one before.
case(12, function()
  rejected{maxstack = 2, code = {iABC("NEWTABLE", 0), iAx("EXTRAARG", 0), iABC("SETLIST", 0, 0, 0, 0),
    iAx("EXTRAARG", 0), iABC("RETURN0")}}
  rejected{maxstack = 2, code = {isJ("JMP", 1), iABC("NEWTABLE", 0), iAx("EXTRAARG", 0), iABC("RETURN0")}}
  rejected{maxstack = 2, code = {iAx("EXTRAARG", 0), iABC("RETURN0")}}
  -- A test must have its jump, and something to skip to.
  rejected{maxstack = 2, code = {iABC("TEST", 0, 0, 0), iABC("RETURN0")}}
  rejected{maxstack = 2, code = {iABC("LOADNIL", 0, 1), iABC("EQ", 0, 1), isJ("JMP", -3)}}
  rejected{maxstack = 4, code = {iABC("CONCAT", 0, 1), iABC("RETURN0")}}
end)

-- 13. Random changes to the operands of valid code: each chunk is either
-- rejected or runs to a normal end or a Lua error.
case(13, function()
  local function sample(t, ...)
    local s, u = 0, {}
    for i = 1, #t do s = s + t[i] * 2 - (t[i] // 3) % 5; u[i] = -t[i] end
    for k, v in ipairs(u) do if v < -2 and k ~= 3 then s = s ~ k end end
    local function acc(x) s = s + x return s end
    local r = {acc(1), acc(2), select("#", ...), ...}
    local obj = t.obj
    do local c <close> = obj end
    return s > 10 and #r or s, r[1] == r[2], tostring(s):len(), acc(3)
  end
  local bin = string.dump(sample, true)
  -- Finds the instruction words: after the header, the upvalue count, the
  -- source, the two line numbers, three bytes and the code size.
  local pos = #HEADER + 2
  local function readsize()
    local x = 0
    repeat
      local b = string.byte(bin, pos)
      pos = pos + 1
      x = (x << 7) | (b & 0x7f)
    until b & 0x80 ~= 0
    return x
  end
  local srclen = readsize()
  pos = pos + math.max(srclen - 1, 0)
  readsize(); readsize()
  pos = pos + 3
  local ncode = readsize()
  local first = pos
  assert(string.unpack("<I4", bin, first) & 0x7f == OPS.VARARGPREP)
  local seed = 12345
  local function rand(n)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  end
  local budget = function() error("budget", 0) end
  local loaded = 0
  for trial = 1, 600 do
    local words = {}
    for j = 0, ncode - 1 do words[j] = string.unpack("<I4", bin, first + 4 * j) end
    for _ = 1, 1 + rand(3) do
      local j = rand(ncode)
      local field = rand(4)
      -- Operands only (A, B, C, k), never the opcode.
      local shift, width = ({{7, 8}, {16, 8}, {24, 8}, {15, 1}})[field + 1][1], ({{7, 8}, {16, 8}, {24, 8}, {15, 1}})[field + 1][2]
      local v = rand(4) == 0 and (rand(2) == 0 and 0 or 255) or rand(1 << width)
      words[j] = (words[j] & ~(((1 << width) - 1) << shift)) | (v << shift)
    end
    local parts = {}
    for j = 0, ncode - 1 do parts[#parts + 1] = string.pack("<I4", words[j]) end
    local mutated = bin:sub(1, first - 1) .. table.concat(parts) .. bin:sub(first + 4 * ncode)
    local f = load(mutated, "=mutated", "b")
    if f then
      loaded = loaded + 1
      local obj = setmetatable({}, {__close = function() end})
      local co = coroutine.create(f)
      debug.sethook(co, budget, "", 5000)
      coroutine.resume(co, {1, 2, 3, 4, 5, obj = obj}, "x", 2)
      debug.sethook(budget, "", 5000)
      pcall(f, {7, 8, obj = obj})
      debug.sethook()
    end
  end
  collectgarbage()
  assert(loaded > 50, loaded)
end)

print("OK")
