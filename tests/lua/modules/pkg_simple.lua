-- A module for tests/lua/package.lua: records its arguments and how many
-- times it ran.
PKG_SIMPLE_RUNS = (PKG_SIMPLE_RUNS or 0) + 1
local name, file = ...
return { name = name, file = file, nargs = select("#", ...) }
