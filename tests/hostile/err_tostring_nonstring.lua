-- Attack: an uncaught error whose object's __tostring returns a table
-- (and whose __name is not a string).
-- Must: the script ends with an error; the CLI prints a placeholder such
-- as "(error object is a table value)" and exits with status 1.
error(setmetatable({}, {__tostring = function(s) return {} end, __name = {}}))
