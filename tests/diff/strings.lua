-- String library basics with deterministic output.
local s = "Hello, Lua World"
print(#s, s:upper(), s:lower(), s:sub(1, 5), s:sub(-5), s:sub(8, -7))
print(s:find("Lua"), s:find("o", 6), s:find("%s"), s:find(".", 1, true))
print(s:match("(%a+), (%a+)"), s:gsub("o", "0"), s:rep(2, "|"))
print(("%d items"):format(3), ("x"):byte(), string.char(72, 105))
for w in s:gmatch("%a+") do io.write(w, ".") end print()
print(("abc"):reverse(), ("  trim  "):match("^%s*(.-)%s*$"), ("a,b,,c"):gsub(",", ";"))
print(string.format("%5.1f|%-8s|%08.3f|%+d|%o|%X|%e", 2.345, "hi", 3.14159, 5, 8, 255, 12345.678))
print(("key=val"):match("(%w+)=(%w+)"), ("2024-01-05"):match("(%d+)-(%d+)-(%d+)"))
print(("%bxy"):len(), ("f(a(b)c)"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+"))
print(tostring(12), tostring(1.5), tostring(nil), tostring(true))
print(("x"):rep(0), ("ab"):rep(3, ","), #("\0\1\2"), ("\65\066\x43\u{44}"))
