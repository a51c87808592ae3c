-- Attack: an uncaught error whose __tostring returns 64 MB, so the host
-- builds a traceback around a huge message.
-- Must: the script ends with an error (the message, or "not enough
-- memory" under a memory limit); the CLI writes the message and exits
-- with status 1; no crash.
error(setmetatable({}, {__tostring = function() return ("E"):rep(1 << 26) end}))
