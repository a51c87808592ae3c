-- Float loops: a Mandelbrot set computation.
local w, h, iter = 600, 600, 60
local count = 0
for y = 0, h - 1 do
  local ci = 2.0 * y / h - 1.0
  for x = 0, w - 1 do
    local cr = 2.0 * x / w - 1.5
    local zr, zi = 0.0, 0.0
    local inside = true
    for _ = 1, iter do
      local zr2, zi2 = zr * zr, zi * zi
      if zr2 + zi2 > 4.0 then inside = false break end
      zi = 2.0 * zr * zi + ci
      zr = zr2 - zi2 + cr
    end
    if inside then count = count + 1 end
  end
end
-- Spectral-norm style dot products.
local function A(i, j) local ij = i + j - 1; return 1.0 / (ij * (ij - 1) * 0.5 + i) end
local n = 500
local u, v = {}, {}
for i = 1, n do u[i] = 1.0 end
for _ = 1, 5 do
  for i = 1, n do
    local s = 0.0
    for j = 1, n do s = s + A(i, j) * u[j] end
    v[i] = s
  end
  for i = 1, n do
    local s = 0.0
    for j = 1, n do s = s + A(j, i) * v[j] end
    u[i] = s
  end
end
local vbv, vv = 0.0, 0.0
for i = 1, n do vbv = vbv + u[i] * v[i]; vv = vv + v[i] * v[i] end
print(count, string.format("%.9f", math.sqrt(vbv / vv)))
