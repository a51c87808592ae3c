-- Attack: an uncaught error raised inside a coroutine whose object's
-- __tostring yields, then the coroutine's error re-raised by wrap into
-- the main chunk.
-- Must: the script ends with an error; turning it into a message fails
-- cleanly ("attempt to yield across a C-call boundary" or a
-- placeholder); the CLI exits with status 1; no crash.
local co = coroutine.wrap(function()
  error(setmetatable({}, {__tostring = function() return coroutine.yield("tostring yielded") end}))
end)
co()
