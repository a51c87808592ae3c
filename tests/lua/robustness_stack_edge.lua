-- Metamethods called from a frame that ends exactly at the end of the
-- stack: the call pushes the metamethod and its arguments into the
-- stack's reserve slots, and the callee's frame must still get room (the
-- stack must grow; the free-space computation must not wrap around).
-- Each function runs as the body of a fresh coroutine, whose stack starts
-- small, with every frame size from 1 to 80 registers.

local function mm(t, k) local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8 return a + h end
local mt = {
  __index = mm, __newindex = function(t, k, v) local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8 end,
  __add = mm, __sub = mm, __unm = mm, __len = mm, __concat = mm, __band = mm,
  __eq = function() local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8 return true end,
  __lt = function() local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8 return true end,
  __call = mm,
  __close = function() local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8 end,
}
local obj = setmetatable({}, mt)
local other = setmetatable({}, mt)

local ops = {
  "return obj.x", "obj.x = 1 return 9", "return obj + 1", "return obj - 1", "return -obj",
  "return #obj", "return obj .. 'x'", "return obj & 1", "return obj == other and 9",
  "return obj < other and 9", "return obj(1)", "do local c <close> = obj end return 9",
  "return select(2, pcall(function() return obj.x end))",
  "return (string.gsub('a', '.', function() return 'b' end)) == 'b' and 9",
  "return tostring(9)",
}

for _, op in ipairs(ops) do
  for nlocals = 0, 80 do
    local names = {}
    for i = 1, nlocals do names[i] = "v" .. i end
    local decl = nlocals > 0 and ("local " .. table.concat(names, ", ")) or ""
    local src = "local obj, other = ... return function() " .. decl .. " " .. op .. " end"
    local f = assert(load(src))(obj, other)
    local r = coroutine.wrap(f)()
    assert(r == 9 or r == "9", op)
  end
end

print("OK")
