-- Unbounded recursion through every kind of native boundary must end
-- with a catchable "C stack overflow" (or "stack overflow") error, never
-- with an overflow of the Rust stack. Run it on a thread with a small
-- stack (2 MiB) to check the per-level cost of each boundary.

local function overflows(f)
  local ok, e = pcall(f)
  assert(not ok, "expected an error")
  e = tostring(e)
  assert(string.find(e, "stack overflow", 1, true) or string.find(e, "error in error handling", 1, true)
    or string.find(e, "too many", 1, true), e)
end

local function meta(event, body)
  local t = setmetatable({}, {})
  getmetatable(t)[event] = body
  return t
end

overflows(function() local t = meta("__index", function(t, k) return t[k] end) return t.x end)
overflows(function() local t = meta("__newindex", function(t, k, v) t[k] = v end) t.x = 1 end)
overflows(function() local t = meta("__add", function(a, b) return a + b end) return t + 1 end)
overflows(function() local t = meta("__concat", function(a, b) return a .. b end) return t .. 1 end)
overflows(function() local t = meta("__len", function(a) return #a end) return #t end)
overflows(function() local t = meta("__unm", function(a) return -a end) return -t end)
overflows(function() local t = meta("__lt", function(a, b) return a < b end) return t < t end)
overflows(function() local t = meta("__le", function(a, b) return a <= b end) return t <= t end)
overflows(function()
  local mt = {}
  mt.__eq = function(a, b) return a == b end
  return setmetatable({}, mt) == setmetatable({}, mt)
end)
overflows(function() local t = meta("__close", function(a) local x <close> = a end) do local y <close> = t end end)
overflows(function() local t = meta("__tostring", function(a) return tostring(a) end) return tostring(t) end)
overflows(function() local t = meta("__tostring", function(a) return string.format("%s", a) end) return tostring(t) end)
overflows(function() local function f() return (string.gsub("a", ".", f)) end return f() end)
overflows(function() local function f(a, b) table.sort({3, 2, 1}, f) return a < b end table.sort({3, 2, 1}, f) end)
overflows(function() local t = meta("__index", function(t, k) return table.concat(t, ",", 1, 1) end) return table.concat(t, ",", 1, 1) end)
overflows(function() local t = meta("__index", function(t, k) return table.unpack(t, 1, 1) end) return t[1] end)
overflows(function() local t = meta("__index", function(t, i) for k in ipairs(t) do end end) for k in ipairs(t) do end end)
overflows(function() local function f() return coroutine.wrap(f)() end return f() end)
overflows(function() local function f() return coroutine.wrap(function() return (string.gsub("a", ".", f)) end)() end return f() end)
overflows(function() local function r() load(r) return nil end local f = load(r) error("stack overflow: reader") end)
overflows(function()
  package.preload.robustness_m1 = function() return require "robustness_m2" end
  package.preload.robustness_m2 = function()
    package.loaded.robustness_m1 = nil
    package.loaded.robustness_m2 = nil
    return require "robustness_m1"
  end
  return require "robustness_m1"
end)

-- pcall, xpcall and coroutines nest without limit errors of their own,
-- but must not crash either.
local function f() return pcall(f) end
assert(f() == true)
local function g() return xpcall(g, debug.traceback) end
assert(g() == true)
local function h() return coroutine.resume(coroutine.create(h)) end
assert(h() == true)

print("OK")
