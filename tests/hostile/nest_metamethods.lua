-- Attack: metamethod chains and recursion through the VM's native
-- boundaries: a million-table __index chain, __index and __newindex
-- functions that index themselves, a __call that calls the object, and
-- a __tostring that calls tostring on the object.
-- Must: "'__index' chain too long", "C stack overflow" or "stack
-- overflow" errors, caught by pcall; no crash.
local base = {}
for i = 1, 1000000 do base = setmetatable({}, {__index = base}) end
print("__index chain:", pcall(function() return base.x end))
local nb = {}
for i = 1, 1000000 do nb = setmetatable({}, {__newindex = nb}) end
print("__newindex chain:", pcall(function() nb.x = 1 end))

local r = setmetatable({}, {})
getmetatable(r).__index = function(t, k) return t[k] end
getmetatable(r).__newindex = function(t, k, v) t[k] = v end
getmetatable(r).__call = function(self, ...) return (self(...)) end
getmetatable(r).__tostring = function(self) return tostring(self) end
getmetatable(r).__len = function(self) return #self end
print("__index:", pcall(function() return r.x end))
print("__newindex:", pcall(function() r.x = 1 end))
print("__call:", pcall(r))
print("__tostring:", pcall(tostring, r))
print("__len:", pcall(function() return #r end))

-- Recursion through a metamethod that goes through pcall each time.
local p = setmetatable({}, {})
getmetatable(p).__index = function(t, k) return select(2, pcall(function() return t[k] end)) end
print("__index via pcall:", pcall(function() return p.x end))
print("after:", 1 + 1)
