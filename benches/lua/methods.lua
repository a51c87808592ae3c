-- Method calls: objects with metatables and inheritance.
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
function Point:norm2() return self.x * self.x + self.y * self.y end
local Point3 = setmetatable({}, {__index = Point})
Point3.__index = Point3
function Point3.new(x, y, z) local p = Point.new(x, y); p.z = z; return setmetatable(p, Point3) end
function Point3:norm2() return Point.norm2(self) + self.z * self.z end
local acc = Point.new(0, 0)
local s = 0
for i = 1, 1000000 do
  acc = acc:add(Point.new(1, 2))
  s = s + acc:norm2() % 7
end
local q = Point3.new(1, 2, 3)
for i = 1, 1000000 do s = s + q:norm2() end
print(acc.x, acc.y, s)
