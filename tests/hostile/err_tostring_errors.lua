-- Attack: an uncaught error whose object's __tostring raises another
-- error object of the same kind, so every attempt to describe an error
-- raises a new one.
-- Must: the script ends with an error; the CLI reports something (even a
-- placeholder) and exits with status 1; no crash, no endless loop.
local mt = {}
mt.__tostring = function() error(setmetatable({}, mt)) end
error(setmetatable({}, mt))
