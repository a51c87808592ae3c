-- The io library: opening, reading formats, writing, seeking, buffering,
-- closing, default files, error results and file handle metamethods.
-- Temporary files come from mktemp through io.popen, so that this script
-- needs no other library.

local function tmpname()
  local p = assert(io.popen("mktemp /tmp/luna_io_XXXXXX"))
  local name = p:read("l")
  assert(p:close())
  return name
end

local function remove(name)
  assert(io.popen("rm -f '" .. name .. "'")):close()
end

local function exists(name)
  local f = io.open(name)
  if f then f:close() return true end
  return false
end

local function checkerr(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(msg == expected, "wrong message: " .. tostring(msg))
end

local function writefile(name, text)
  local f = assert(io.open(name, "w"))
  assert(f:write(text) == f)
  assert(f:close() == true)
end

local function readfile(name)
  local f = assert(io.open(name, "r"))
  local s = f:read("a")
  f:close()
  return s
end

local file = tmpname()

-- Types, names and the metatable.
assert(io.type(io.stdin) == "file" and io.type(io.stdout) == "file" and io.type(io.stderr) == "file")
assert(io.type(8) == nil and io.type({}) == nil and io.type(nil) == nil)
checkerr("bad argument #1 to 'io.type' (value expected)", io.type)
assert(getmetatable(io.stdout).__name == "FILE*")
assert(type(getmetatable(io.stdout).__index) == "table")
assert(getmetatable(io.stdout).__index.read == io.stdout.read)
assert(type(tostring(io.stdout)) == "string" and tostring(io.stdout) ~= "file (closed)")
assert(tostring(io.stdin) ~= tostring(io.stdout))
assert(io.input() == io.stdin and io.output() == io.stdout)

-- Standard files cannot be closed.
do
  local a, b = io.stdout:close()
  assert(a == nil and b == "cannot close standard file")
  a, b = io.close(io.stderr)
  assert(a == nil and b == "cannot close standard file")
  assert(io.type(io.stdout) == "file")
end
checkerr("bad argument #1 to '?' (FILE* expected, got no value)", io.stdin.close)
checkerr("bad argument #1 to '?' (FILE* expected, got table)", io.stdin.read, {})

-- io.open errors and modes.
do
  local a, b, c = io.open("/nonexistent/dir/file")
  assert(a == nil and b == "/nonexistent/dir/file: No such file or directory" and c == 2)
  a, b, c = io.open("/nonexistent/dir/file", "w")
  assert(a == nil and b == "/nonexistent/dir/file: No such file or directory" and c == 2)
  for _, m in ipairs({"rw", "rb+", "r+bk", "", "+", "b", "x", "w+a"}) do
    checkerr("bad argument #2 to 'io.open' (invalid mode)", io.open, file, m)
  end
  for _, m in ipairs({"r", "rb", "r+", "r+b", "rbb", "w", "wb", "w+", "a", "ab", "a+", "a+b"}) do
    assert(io.open(file, m)):close()
  end
  checkerr("bad argument #1 to 'io.open' (string expected, got no value)", io.open)
  checkerr("bad argument #2 to 'io.open' (string expected, got table)", io.open, file, {})
end

-- Writing strings and numbers; reading everything back.
do
  local f = assert(io.open(file, "w"))
  assert(f:write("a", 1, " ", 2.5, " ", 1.0, " ", -0.0, " ", 1e100, " ", 2^63, " ", -7) == f)
  assert(f:write() == f)
  assert(f:close())
  assert(readfile(file) == "a1 2.5 1 -0 1e+100 9.2233720368548e+18 -7")
  checkerr("bad argument #2 to '?' (string expected, got table)", io.open(file, "w").write, io.open(file), {})
  local g = assert(io.open(file, "w"))
  checkerr("bad argument #3 to '?' (string expected, got nil)", g.write, g, "x", nil)
  g:close()
end

-- Read formats.
writefile(file, "first line\nsecond line\n\n 12 0x1F -3.5e2 nan\nlast")
do
  local f = assert(io.open(file))
  assert(f:read() == "first line")
  assert(f:read("L") == "second line\n")
  assert(f:read("*l") == "")
  assert(f:read("n") == 12)
  local a, b, c = f:read("n", "*n", "n")
  assert(a == 31 and b == -350.0 and c == nil)
  assert(f:read(1) == "n")     -- the failed read leaves the look-ahead unread
  assert(f:read(0) == "")
  assert(f:read("l") == "an")
  assert(f:read(2) == "la")
  assert(f:read("a") == "st")
  assert(f:read("a") == "")
  assert(f:read("l") == nil and f:read("L") == nil and f:read(1) == nil and f:read(0) == nil)
  assert(f:read("n") == nil)
  assert(select("#", f:read("l")) == 1)
  checkerr("bad argument #2 to '?' (invalid format)", f.read, f, "x")
  checkerr("bad argument #3 to '?' (invalid format)", f.read, f, "a", "*x")
  assert(f:read("l", "*x") == nil)   -- formats after a failure are not looked at
  checkerr("bad argument #2 to '?' (number has no integer representation)", f.read, f, 1.5)
  checkerr("bad argument #2 to '?' (invalid format)", f.read, f, "")
  local ok, msg = pcall(function() local x = f:read("*") return x end)
  assert(not ok and msg == "tests/lua/io.lua:119: bad argument #1 to 'read' (invalid format)")
  assert(f:close())
end

-- Several formats at once stop at the first failure.
writefile(file, "a line\nanother line\n1234\n3.45\none\ntwo\nthree\n")
do
  local f = assert(io.open(file))
  local l1, l2, n1, n2, dummy = f:read("l", "L", "n", "n")
  assert(l1 == "a line" and l2 == "another line\n" and n1 == 1234 and n2 == 3.45 and dummy == nil)
  f:close()
  f = assert(io.open(file))
  local l3, l4, c
  l1, l2, n1, n2, c, l3, l4, dummy = f:read(7, "l", "n", "n", 1, "l", "l")
  assert(l1 == "a line\n" and l2 == "another line" and c == "\n" and n1 == 1234 and n2 == 3.45
         and l3 == "one" and l4 == "two" and dummy == nil)
  f:close()
  f = assert(io.open(file))
  l1, n1, n2, dummy = f:read("l", "n", "n", "l")
  assert(l1 == "a line" and n1 == nil and n2 == nil and dummy == nil)
  assert(select("#", f:read("n", "l")) == 1)
  local x, y, z = f:read("l", "n", "l")
  assert(x == "another line" and y == 1234 and z == "")
  f:close()
end

-- Numerals: terminations, hexadecimal, the 200-character limit.
do
  local zeros = ""
  for _ = 1, 1000 do zeros = zeros .. "0" end
  writefile(file, "-12.3-\t-0xffff+  .3|5.E-3X  +234e+13E 0xDEADBEEFDEADBEEFx\n0x1.13Ap+3e\n" ..
                  "1234" .. zeros .. "\n.e+\t0.e;\t--;  0xX;\n")
  local f = assert(io.open(file))
  assert(f:read("n") == -12.3); assert(f:read(1) == "-")
  assert(f:read("n") == -0xffff); assert(f:read(2) == "+ ")
  assert(f:read("n") == 0.3); assert(f:read(1) == "|")
  assert(f:read("n") == 5e-3); assert(f:read(1) == "X")
  assert(f:read("n") == 234e13); assert(f:read(1) == "E")
  assert(f:read("n") == 0Xdeadbeefdeadbeef); assert(f:read(2) == "x\n")
  assert(f:read("n") == 0x1.13aP3); assert(f:read(1) == "e")
  assert(not f:read("n"))            -- too long
  local rest = f:read("L")
  assert(#rest == 1004 - 200 + 1 and f:read(0) == "")
  assert(not f:read("n")); assert(f:read(2) == "e+")
  assert(not f:read("n")); assert(f:read(1) == ";")
  assert(not f:read("n")); assert(f:read(2) == "-;")
  assert(not f:read("n")); assert(f:read(1) == "X")
  assert(not f:read("n")); assert(f:read(1) == ";")
  assert(not f:read("n")); assert(not f:read(0))
  f:close()
  writefile(file, "9223372036854775807 9223372036854775808 0x7fffffffffffffff 0xffffffffffffffff 1e1")
  f = assert(io.open(file))
  local a, b, c, d, e = f:read("n", "n", "n", "n", "n")
  assert(a == 9223372036854775807 and b == 9223372036854775808.0 and c == 9223372036854775807 and d == -1)
  assert(e == 10.0)
  f:close()
end

-- Large reads across buffer boundaries.
do
  local chunk = "0123456789abcdef"
  local big = ""
  for _ = 1, 12 do chunk = chunk .. chunk end       -- 64 KiB
  big = chunk .. "\n" .. chunk
  writefile(file, big)
  local f = assert(io.open(file))
  assert(f:read("a") == big)
  f:seek("set")
  local x = f:read(30001) .. f:read(1005) .. f:read(0) .. f:read(1) .. f:read(200000)
  assert(x == big)
  f:seek("set")
  assert(f:read() == chunk and f:read() == chunk and f:read() == nil)
  f:close()
end

-- Seeking.
do
  local f = assert(io.open(file, "w"))
  assert(f:seek() == 0)
  assert(f:write("alo alo"):seek() == 7)
  assert(f:seek("cur", -3) == 4)
  assert(f:write("joao"))
  assert(f:seek("end") == 8)
  assert(f:seek("set") == 0)
  local a, b, c = f:seek("set", -1)
  assert(a == nil and b == "Invalid argument" and c == 22)
  checkerr("bad argument #2 to '?' (invalid option 'bad')", f.seek, f, "bad")
  checkerr("bad argument #3 to '?' (number expected, got string)", f.seek, f, "set", "x")
  f:close()
  assert(readfile(file) == "alo joao")
  f = assert(io.open(file, "r+"))
  assert(f:read(4) == "alo ")
  assert(f:write("JOAO"))          -- writes where reading stopped
  assert(f:seek("set", 1) == 1)
  assert(f:read("a") == "lo JOAO")
  assert(f:seek("end", -2) == 6 and f:read(1) == "A")
  assert(f:seek("cur") == 7)
  f:close()
  assert(readfile(file) == "alo JOAO")
end

-- Append mode.
do
  writefile(file, "start")
  local f = assert(io.open(file, "a+"))
  assert(f:read("a") == "start")
  f:write(" more", 10)
  f:seek("set", 0)
  f:write("!")                      -- appends whatever the position
  assert(f:seek("set") == 0)
  assert(f:read("a") == "start more10!")
  f:close()
  f = assert(io.open(file, "ab"))
  f:write("\n")
  f:close()
  assert(readfile(file) == "start more10!\n")
end

-- Buffering modes (setvbuf).
do
  local f = assert(io.open(file, "w"))
  local fr = assert(io.open(file, "r"))
  assert(f:setvbuf("full", 2000) == true)
  f:write("x")
  assert(fr:read("a") == "")        -- still in the buffer
  f:close()
  fr:seek("set")
  assert(fr:read("a") == "x")       -- close flushed it
  f = assert(io.open(file, "w"))
  assert(f:setvbuf("no"))
  f:write("x")
  fr:seek("set")
  assert(fr:read("a") == "x")
  f:close()
  f = assert(io.open(file, "a"))
  assert(f:setvbuf("line"))
  f:write("x")
  fr:seek("set", 1)
  assert(fr:read("a") == "")
  f:write("a\n"):seek("set", 1)
  assert(fr:read("a") == "xa\n")
  f:write("y")
  assert(f:flush() == true)
  fr:seek("set")
  assert(fr:read("a") == "xxa\ny")
  f:close(); fr:close()
  checkerr("bad argument #2 to '?' (invalid option 'xx')", io.stdout.setvbuf, io.stdout, "xx")
  checkerr("bad argument #2 to '?' (string expected, got no value)", io.stdout.setvbuf, io.stdout)
end

-- Error triples from the device.
do
  local f = assert(io.open(file, "w"))
  local r, m, c = f:read()
  assert(r == nil and m == "Bad file descriptor" and c == 9)
  r, m, c = f:read("a", "l")
  assert(r == nil and m == "Bad file descriptor" and c == 9)
  local ok, msg = pcall(f:lines())
  assert(not ok and msg == "Bad file descriptor")
  f:close()
  f = assert(io.open(file, "r"))
  r, m, c = f:write("whatever")
  assert(r == nil and m == "Bad file descriptor" and c == 9)
  r, m, c = f:write("a", 1, "b")
  assert(r == nil and m == "Bad file descriptor" and c == 9)
  f:close()
  local d = assert(io.open("/tmp"))
  r, m, c = d:read("l")
  assert(r == nil and m == "Is a directory" and c == 21)
  d:close()
  r, m, c = io.open("/tmp", "w")
  assert(r == nil and m == "/tmp: Is a directory" and c == 21)
  r, m, c = io.stdin:write("x")
  assert(r == nil and m == "Bad file descriptor" and c == 9)
  r, m, c = io.stdout:read()
  assert(r == nil and m == "Bad file descriptor" and c == 9)
end

-- Closing.
do
  local f = assert(io.open(file))
  assert(io.type(f) == "file")
  assert(f:close() == true)
  assert(io.type(f) == "closed file")
  assert(tostring(f) == "file (closed)")
  checkerr("attempt to use a closed file", f.close, f)
  checkerr("attempt to use a closed file", f.read, f)
  checkerr("attempt to use a closed file", f.write, f, "x")
  checkerr("attempt to use a closed file", f.lines, f)
  checkerr("attempt to use a closed file", f.seek, f)
  checkerr("attempt to use a closed file", f.flush, f)
  checkerr("attempt to use a closed file", f.setvbuf, f, "no")
  checkerr("attempt to use a closed file", io.close, f)
  checkerr("attempt to use a closed file", io.input, f)
  assert(getmetatable(f).__gc(f) == nil)          -- closed files are ignored
  assert(getmetatable(f).__close(f) == nil)
  local F
  do
    local g <close> = assert(io.open(file, "w"))
    g:write("closed by scope")
    F = g
  end
  assert(tostring(F) == "file (closed)")
  assert(readfile(file) == "closed by scope")
end

-- Files are flushed and closed by the collector.
do
  local f = assert(io.open(file, "w"))
  f:write("collected")
  f = nil
  collectgarbage()
  collectgarbage()
  assert(readfile(file) == "collected")
end

-- Default input and output.
do
  writefile(file, "line 1\nline 2\n42\n")
  assert(io.input(file) ~= io.stdin)
  assert(io.type(io.input()) == "file")
  assert(io.read() == "line 1")
  assert(io.read("L") == "line 2\n")
  assert(io.read("n") == 42)
  assert(io.read(0) == "")
  assert(io.read("l") == "")
  assert(io.read(0) == nil and io.read() == nil)
  assert(io.read("a") == "")
  assert(io.close(io.input()))
  checkerr("default input file is closed", io.read)
  checkerr("attempt to use a closed file", io.lines)
  io.input(io.stdin)
  local out = tmpname()
  assert(io.output(out) ~= io.stdout)
  assert(io.write("x", 1, "y") == io.output())
  assert(io.output():seek() == 3)
  assert(io.flush() == true)
  assert(io.close() == true)
  checkerr("default output file is closed", io.write, "x")
  checkerr("default output file is closed", io.flush)
  io.output(io.stdout)
  assert(io.output() == io.stdout)
  assert(readfile(out) == "x1y")
  remove(out)
  local ok, msg = pcall(io.input, "/nonexistent/file")
  assert(not ok and msg == "cannot open file '/nonexistent/file' (No such file or directory)")
  checkerr("bad argument #1 to 'io.input' (FILE* expected, got table)", io.input, {})
  assert(io.input() == io.stdin)
end

-- Lines.
writefile(file, "one\ntwo\n\nfour")
do
  local t = {}
  for l in io.lines(file) do t[#t + 1] = l end
  assert(#t == 4 and t[1] == "one" and t[3] == "" and t[4] == "four")
  t = {}
  for l in io.lines(file, "L") do t[#t + 1] = l end
  assert(t[1] == "one\n" and t[4] == "four")
  t = {}
  for a, b in io.lines(file, 1, "l") do t[#t + 1] = a .. "|" .. tostring(b) end
  assert(t[1] == "o|ne" and t[2] == "t|wo" and t[3] == "\n|four" and #t == 3)
  -- the iterator closes the file at the end
  local it = io.lines(file)
  local n = 0
  while it() do n = n + 1 end
  assert(n == 4)
  checkerr("file is already closed", it)
  checkerr("file is already closed", it)
  -- four results: iterator, nil, nil, file to close
  local f, a, b, h = io.lines(file)
  assert(type(f) == "function" and a == nil and b == nil and io.type(h) == "file")
  h:close()
  checkerr("file is already closed", f)
  -- breaking a loop closes the file (to-be-closed variable)
  local seen
  for l, _ in io.lines(file) do seen = l break end
  assert(seen == "one")
  -- method lines do not close the file
  local g = assert(io.open(file))
  for _ in g:lines() do end
  assert(io.type(g) == "file")
  assert(g:read("a") == "")
  g:seek("set")
  for l in g:lines("n") do error("no number expected") end
  g:close()
  local ok, msg = pcall(io.lines, "/nonexistent/file")
  assert(not ok and msg == "cannot open file '/nonexistent/file' (No such file or directory)")
  -- io.lines() reads the default input and does not close it
  io.input(file)
  n = 0
  for _ in io.lines() do n = n + 1 end
  assert(n == 4 and io.type(io.input()) == "file")
  n = 0
  for l in io.lines(nil, "L") do n = n + 1 end
  assert(n == 0)
  io.input():close()
  io.input(io.stdin)
  -- formats are checked when reading
  local bad = io.lines(file, "x")
  checkerr("bad argument #2 to '?' (invalid format)", bad)
  -- too many formats
  local fmts = {}
  for i = 1, 250 do fmts[i] = 1 end
  local unpack = table and table.unpack
  if unpack then
    local r = {io.lines(file, unpack(fmts))()}
    assert(#r == 13)   -- "one\ntwo\n\nfour" has 13 bytes
    fmts[251] = 1
    checkerr("bad argument #252 to 'io.lines' (too many arguments)", io.lines, file, unpack(fmts))
  end
  collectgarbage()
end

-- load reading through lines.
writefile(file, "local a = 10\nreturn a * 2\n")
assert(load(io.lines(file, "L"))() == 20)
assert(load(io.lines(file, 1))() == 20)

-- popen.
do
  checkerr("bad argument #2 to 'io.popen' (invalid mode)", io.popen, "cat", "")
  checkerr("bad argument #2 to 'io.popen' (invalid mode)", io.popen, "cat", "r+")
  checkerr("bad argument #2 to 'io.popen' (invalid mode)", io.popen, "cat", "rw")
  local p = assert(io.popen("echo hello; echo world"))
  assert(io.type(p) == "file")
  assert(p:read("l") == "hello")
  assert(p:read("a") == "world\n")
  local a, b, c = p:close()
  assert(a == true and b == "exit" and c == 0)
  p = assert(io.popen("exit 3"))
  a, b, c = p:close()
  assert(a == nil and b == "exit" and c == 3)
  p = assert(io.popen("kill -s KILL $$"))
  a, b, c = p:close()
  assert(a == nil and b == "signal" and c == 9)
  p = assert(io.popen("cat > '" .. file .. "'", "w"))
  assert(p:write("through ", "a pipe", 1) == p)
  assert(p:seek() == nil)
  assert(p:close() == true)
  assert(readfile(file) == "through a pipe1")
  p = assert(io.popen("cat '" .. file .. "'", "r"))
  assert(p:read(7) == "through")
  a, b, c = p:write("x")
  assert(a == nil and b == "Bad file descriptor" and c == 9)
  p:close()
  a, b, c = io.popen("true", "r"):seek("set")
  assert(a == nil and b == "Illegal seek" and c == 29)
  -- lines over a pipe
  local n = 0
  for l in io.popen("printf 'a\\nb\\nc\\n'"):lines() do n = n + 1 end
  assert(n == 3)
  -- output buffered before popen reaches the file first
  local f = assert(io.open(file, "w"))
  f:write("buffered")
  p = io.popen("cat '" .. file .. "'")
  assert(p:read("a") == "buffered")
  p:close()
  f:close()
end

-- tmpfile.
do
  local f = io.tmpfile()
  assert(io.type(f) == "file")
  f:write("alo")
  f:seek("set")
  assert(f:read("a") == "alo")
  assert(f:close())
end

remove(file)
assert(not exists(file))
