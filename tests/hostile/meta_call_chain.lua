-- Attack: __call chains: 10,000 tables each of whose __call is the next
-- (the final one a function that counts its arguments), and a __call
-- that is a non-callable value (meta_call_self.lua has the cycles).
-- Must: a result (the count of the extra self arguments) or an error,
-- within seconds; no crash.
local last = setmetatable({}, {__call = function(...) return select("#", ...) end})
local head = last
for i = 1, 10000 do head = setmetatable({}, {__call = head}) end
print("chain:", pcall(head))
print("non-callable:", pcall(setmetatable({}, {__call = 42})))
print("string __call:", pcall(setmetatable({}, {__call = "print"})))
print("after:", 1 + 1)
