-- The root of a package (found through "?/init.lua").
return { kind = "init", file = select(2, ...) }
