-- Attack: the string metatable shared by all strings made hostile: its
-- __index replaced by a function that indexes strings again (recursion
-- on every method call), by a table whose __index errors, and removed;
-- then __eq/__lt/__concat/__len added on strings and the library used.
-- Must: errors from the recursion and the missing methods, caught by
-- pcall; the library functions themselves keep working; no crash.
local smt = getmetatable("")
local saved = smt.__index
smt.__index = function(s, k) return s[k] end
print("recursive __index:", pcall(function() return ("x"):upper() end))
smt.__index = setmetatable({}, {__index = function() error("no method") end})
print("erroring __index:", pcall(function() return ("x"):upper() end))
smt.__index = nil
print("no __index:", pcall(function() return ("x"):upper() end))
smt.__index = saved
smt.__len = function() return 42 end
smt.__concat = function(a, b) return "concat" end
smt.__unm = function(s) return -#s end
smt.__add = function(a, b) return "added" end
print("string metamethods:", #"abc", "a" .. {}, pcall(function() return -"x" end), "x" + 1)
print("format still works:", string.format("%s %d", "a", 1), ("a"):rep(3))
smt.__len, smt.__concat, smt.__unm, smt.__add = nil, nil, nil, nil
print("after:", ("x"):upper())
