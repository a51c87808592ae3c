-- Attack: plain Lua recursion until the stack limit, with big frames
-- (200 locals), with 200 arguments per call, through varargs, and with a
-- message handler that itself recurses or builds a traceback.
-- Must: "stack overflow" errors caught by pcall/xpcall; the traceback
-- is abbreviated; the state runs code again afterwards.
local function plain() return 1 + plain() end
print("plain:", pcall(plain))

local locals = {}
for i = 1, 199 do locals[i] = "local a" .. i .. " = " .. i end
local big = load(table.concat(locals, " ") .. " local f = ... return 1 + f(f)")
print("big frames:", pcall(big, big))

local function args(...) return 1 + args(...) end
print("200 args:", pcall(args, table.unpack({}, 1, 200)))

local function grow(...) return (grow(1, ...)) end
print("growing varargs:", pcall(grow))

local function overflow() return overflow() + 1 end
local ok, tb = xpcall(overflow, debug and debug.traceback or tostring)
print("traceback:", ok, #tostring(tb) < 100000)
print("handler overflows too:", xpcall(overflow, function(m) return overflow() end))
print("after:", 1 + 1)
