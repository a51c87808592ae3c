-- Attack: binary chunks written by hand with huge counts and sizes: 2^31-1
-- instructions, constants, upvalues, prototypes, line entries and local
-- variables with no data behind them, a string constant of 2^62 bytes,
-- variable-length integers that overflow, a closure whose upvalue count
-- disagrees with its prototype's, and a zero stack size.
-- Must: load fails with "truncated chunk", "integer overflow", "not
-- enough memory", a verifier error or "attempt to load a binary chunk";
-- no allocation of the announced size, no abort, no crash.
local header = string.dump(function() end):sub(1, 31)
local function varint(n)
  local bytes = {string.char(0x80 | (n & 0x7f))}
  n = n >> 7
  while n > 0 do
    table.insert(bytes, 1, string.char(n & 0x7f))
    n = n >> 7
  end
  return table.concat(bytes)
end
local RETURN0 = "\x47\x00\x01\x00"
-- A function: source, lines, params, vararg, stack size, then the parts.
local function func(p)
  return (p.source or varint(0)) .. varint(0) .. varint(0) .. "\0" .. "\0" .. (p.stack or "\2") ..
    (p.code or varint(1) .. RETURN0) .. (p.consts or varint(0)) .. (p.upvals or varint(0)) ..
    (p.protos or varint(0)) .. (p.lines or varint(0)) .. (p.abslines or varint(0)) ..
    (p.locvars or varint(0)) .. (p.upnames or varint(0))
end
local function chunk(p, nup) return header .. string.char(nup or 0) .. func(p) end
local max = 2147483647
local cases = {
  {"valid", chunk{}},
  {"code 2^31-1", chunk{code = varint(max)}},
  {"code 1e8", chunk{code = varint(100000000) .. ("\0"):rep(64)}},
  {"constants 2^31-1", chunk{consts = varint(max)}},
  {"string 2^62", chunk{consts = varint(1) .. "\x14" .. varint(1 << 62) .. "abc"}},
  {"short string 2^62", chunk{consts = varint(1) .. "\x04" .. varint(1 << 62) .. "abc"}},
  {"source 2^62", chunk{source = varint(1 << 62) .. "abc"}},
  {"varint overflow", chunk{code = ("\x7f"):rep(20) .. "\x80"}},
  {"varint 1000 zeros", chunk{code = ("\0"):rep(1000) .. "\x81" .. RETURN0}},
  {"upvalues 2^31-1", chunk{upvals = varint(max)}},
  {"protos 2^31-1", chunk{protos = varint(max)}},
  {"lineinfo 2^31-1", chunk{lines = varint(max)}},
  {"abslineinfo 2^31-1", chunk{abslines = varint(max)}},
  {"locvars 2^31-1", chunk{locvars = varint(max)}},
  {"upvalue names 2^31-1", chunk{upnames = varint(max)}},
  {"bad constant tag", chunk{consts = varint(1) .. "\x63"}},
  {"255 closure upvalues, none in proto", chunk({}, 255)},
  {"GETUPVAL 200, no upvalues", chunk{code = varint(2) .. "\x09\x00\x64\x00" .. RETURN0}},
  {"stack size 0", chunk{stack = "\0", code = varint(2) .. "\x01\x00\x00\x80" .. RETURN0}},
  {"LOADK of missing constant", chunk{code = varint(2) .. "\x03\x00\xff\xff" .. RETURN0}},
  {"jump out of code", chunk{code = varint(2) .. string.pack("<I4", ((1000 + (1 << 24) - 1) << 7) | 56) .. RETURN0}},
  {"jump before code", chunk{code = varint(2) .. string.pack("<I4", ((-1000 + (1 << 24) - 1) << 7) | 56) .. RETURN0}},
  {"no return", chunk{code = varint(1) .. "\x01\x00\x00\x80"}},
}
for _, c in ipairs(cases) do
  local ok, f, e = pcall(load, c[2], "=crafted", "b")
  local r = ""
  if ok and f then r = tostring(table.pack(pcall(f))[2]) end
  print(c[1], ok, f ~= nil, e, r)
  f = nil
  collectgarbage()
end
print("after:", 1 + 1)
