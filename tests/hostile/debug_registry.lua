-- Attack: the registry vandalised: the globals and main-thread entries
-- replaced, the loaded-module table and the FILE* metatable replaced,
-- then the libraries used (require, io, tostring, load).
-- Must: errors or ordinary results; nothing in the runtime reads its
-- own bookkeeping from the vandalised entries; no crash.
if not debug or not debug.getregistry then print("no debug library") return end
local reg = debug.getregistry()
local saved = {}
for k, v in pairs(reg) do saved[k] = v end
local G = _G
reg[1] = "not a thread"
reg[2] = 42
reg._LOADED = setmetatable({}, {__index = function() error("loaded") end})
reg._PRELOAD = 42
reg["FILE*"] = {}
reg._CLIBS = nil
print("require:", pcall(require, "string"))
print("load with registry globals gone:", pcall(load("return x")))
print("coroutine:", pcall(coroutine.wrap(function() return 1 end)))
if io and io.write then
  print("io.write:", pcall(function() return io.write("") ~= nil end))
  print("io.open:", pcall(function() local f = io.open("/dev/null") return f and f:close() end))
end
print("tostring:", pcall(function() return #tostring({}) > 0 end))
if io and io.stdout then print("tostring of a file:", pcall(function() return #tostring(io.stdout) end)) end
for k, v in pairs(saved) do reg[k] = v end
for k in pairs(reg) do if saved[k] == nil then reg[k] = nil end end
print("after:", 1 + 1, G == _G)
