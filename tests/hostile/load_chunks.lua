-- Attack: load and the compiler with odd sources: NUL bytes, invalid
-- UTF-8, every escape at its limits (\u{7FFFFFFF}, \u{80000000},
-- \999, \x without digits), numerals of a million digits, a million
-- lines, a shebang line, an environment that is not a table, and
-- mode strings that allow nothing.
-- Must: the chunk loads and runs or a syntax error; no crash.
local function try(name, src, mode, env)
  local f, e = load(src, "=src", mode, env)
  local r
  if f then r = {pcall(f)} end
  print(name, f ~= nil, e and e:sub(1, 100), r and r[1], r and tostring(r[2]):sub(1, 60))
end
try("NUL", "return '\0' .. \"\0\" .. [[\0]]")
try("NUL outside string", "return 1\0")
try("invalid UTF-8", "return '\xff\xfe' .. \"\xc0\x80\"")
try("identifier bytes", "local \xe2\x82\xac = 1")
try("\\u max", "return '\\u{7FFFFFFF}'")
try("\\u too big", "return '\\u{80000000}'")
try("\\u huge", "return '\\u{" .. ("F"):rep(100) .. "}'")
try("\\999", "return '\\999'")
try("\\x", "return '\\x'")
try("\\z", "return 'a\\z" .. (" "):rep(100000) .. "b'")
try("unfinished", "return 'abc")
try("decimal 1e6 digits", "return " .. ("9"):rep(1000000))
try("hex 1e6 digits", "return 0x" .. ("f"):rep(1000000))
try("float 1e6 digits", "return 0." .. ("1"):rep(1000000))
try("exponent", "return 1e" .. ("9"):rep(1000))
try("hex float exponent", "return 0x1p" .. ("9"):rep(1000))
try("million lines", ("\n"):rep(1000000) .. "return 1")
try("million CRLF", ("\r\n"):rep(1000000) .. "return error('x')")
try("shebang", "#!/bin/lua\nreturn 1")
try("env number", "return x", "t", 42)
try("env nil", "return x", "t", nil)
try("mode ''", "return 1", "")
try("mode 'x'", "return 1", "x")
try("mode 'bt' text", "return 1", "bt")
print("after:", load("return 1 + 1")())
