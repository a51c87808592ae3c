-- Attack: an uncaught error whose object's __tostring calls tostring on
-- the object itself, so turning the error into a message recurses.
-- Must: the script ends with an error (the host's message handler gets
-- "C stack overflow"/"error in error handling" or a placeholder such as
-- "(error object is a table value)"); the CLI exits with status 1; no
-- native stack overflow.
error(setmetatable({}, {__tostring = function(s) return tostring(s) end}))
