-- The package library and require: loaded and preload tables, the four
-- searchers, error messages listing every tried file, searchpath and
-- loadlib. Modules live in tests/lua/modules (the working directory is the
-- repository root).

local DIR = "tests/lua/modules/"
local DLMSG = "dynamic libraries not enabled; check your Lua installation"

local function checkerr(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(msg == expected, "wrong message: " .. tostring(msg))
end

-- The package table.
assert(type(package.path) == "string" and type(package.cpath) == "string")
assert(package.config == "/\n;\n?\n!\n-\n")
assert(package.loaded._G == _G and package.loaded.package == package)
assert(package.loaded.io == io and package.loaded.coroutine == coroutine)
assert(type(package.preload) == "table")
assert(type(package.searchers) == "table" and #package.searchers == 4)
for i = 1, 4 do assert(type(package.searchers[i]) == "function") end
assert(type(require) == "function" and type(package.loadlib) == "function")
assert(type(package.searchpath) == "function")

-- Libraries already loaded.
assert(require("io") == io)
assert(select("#", require("io")) == 1)
assert(require("_G") == _G)
checkerr("bad argument #1 to 'require' (string expected, got no value)", require)
checkerr("bad argument #1 to 'require' (string expected, got table)", require, {})

-- Preloaded modules.
do
  package.preload.pl = function(...)
    return { ... }
  end
  local m, data = require("pl")
  assert(m[1] == "pl" and m[2] == ":preload:" and data == ":preload:")
  assert(package.loaded.pl == m and require("pl") == m)
  package.loaded.pl, package.preload.pl = nil, nil
end

local oldpath, oldcpath = package.path, package.cpath
package.path = DIR .. "?.lua;" .. DIR .. "?/init.lua"
package.cpath = DIR .. "?.clib"

-- Lua modules.
do
  local m, file = require("pkg_simple")
  assert(m.name == "pkg_simple" and m.file == DIR .. "pkg_simple.lua" and m.nargs == 2)
  assert(file == DIR .. "pkg_simple.lua")
  assert(require("pkg_simple") == m and PKG_SIMPLE_RUNS == 1)
  assert(select("#", require("pkg_simple")) == 1)
  package.loaded.pkg_simple = nil
  local m2 = require("pkg_simple")
  assert(m2 ~= m and PKG_SIMPLE_RUNS == 2)

  local v, f = require("pkg_nil")
  assert(v == true and f == DIR .. "pkg_nil.lua" and PKG_NIL_RAN == true)
  assert(package.loaded.pkg_nil == true)

  assert(require("pkg_self") == "stored by the module")

  assert(require("pkg_false") == false and require("pkg_false") == false)
  assert(PKG_FALSE_RUNS == 2 and package.loaded.pkg_false == false)

  local a, b = require("pkg_shebang")
  assert(a == "shebang skipped" and b == DIR .. "pkg_shebang.lua")

  local d, df = require("pkg_dir")
  assert(d.kind == "init" and d.file == DIR .. "pkg_dir/init.lua" and df == d.file)
  local s, sf = require("pkg_dir.sub")
  assert(s.kind == "sub" and s.name == "pkg_dir.sub" and sf == DIR .. "pkg_dir/sub.lua")
  assert(package.loaded["pkg_dir.sub"] == s)
end

-- Modules failing to run or to compile.
checkerr(DIR .. "pkg_err.lua:2: module failed", require, "pkg_err")
assert(package.loaded.pkg_err == nil)
checkerr("error loading module 'pkg_syntax' from file '" .. DIR .. "pkg_syntax.lua':\n\t" ..
         DIR .. "pkg_syntax.lua:2: unexpected symbol near '='", require, "pkg_syntax")

-- C libraries are found but cannot be loaded (luna, like PUC built
-- without dynamic libraries, reports "absent").
if select(3, package.loadlib("/nonexistent.so", "*")) == "absent" then
  checkerr("error loading module 'pkg_clib' from file '" .. DIR .. "pkg_clib.clib':\n\t" .. DLMSG,
           require, "pkg_clib")
  checkerr("error loading module 'pkg_clib.sub' from file '" .. DIR .. "pkg_clib.clib':\n\t" .. DLMSG,
           require, "pkg_clib.sub")
  local f, msg, where = package.loadlib(DIR .. "pkg_clib.clib", "luaopen_x")
  assert(f == nil and msg == DLMSG and where == "absent")
  f, msg, where = package.loadlib("/nonexistent.so", "*")
  assert(f == nil and msg == DLMSG and where == "absent")
  checkerr("bad argument #2 to 'package.loadlib' (string expected, got no value)", package.loadlib, "x")
end

-- The not-found message lists every searcher's attempts.
do
  package.path = "?.lua;?/?"
  package.cpath = "?.so;?/init"
  checkerr([[module 'XXX' not found:
	no field package.preload['XXX']
	no file 'XXX.lua'
	no file 'XXX/XXX'
	no file 'XXX.so'
	no file 'XXX/init']], require, "XXX")
  checkerr([[module 'a.b' not found:
	no field package.preload['a.b']
	no file 'a/b.lua'
	no file 'a/b/a/b'
	no file 'a/b.so'
	no file 'a/b/init'
	no file 'a.so'
	no file 'a/init']], require, "a.b")
  package.path = ""
  package.cpath = ""
  checkerr("module 'YYY' not found:\n\tno field package.preload['YYY']\n\tno file ''\n\tno file ''",
           require, "YYY")
  package.path = DIR .. "?.lua"
end

-- Bad package fields.
do
  package.path = {}
  checkerr("'package.path' must be a string", require, "no-such-module")
  package.path = DIR .. "?.lua"
  package.cpath = nil
  checkerr("'package.cpath' must be a string", require, "no-such-module")
  package.cpath = DIR .. "?.clib"
  local searchers = package.searchers
  package.searchers = 3
  checkerr("'package.searchers' must be a table", require, "no-such-module")
  package.searchers = searchers
  local ok, msg = pcall(function() local m = require("no-such-module") return m end)
  assert(not ok and type(msg) == "string")
end

-- Custom searchers.
do
  local searchers = package.searchers
  package.searchers = {
    function(name) return "\n\tfirst searcher saw " .. name end,
    function() end,
    function(name) return 42 end,
    function(name)
      if name == "custom" then
        return function(n, data) return { n, data } end, "custom data"
      end
    end,
  }
  local m, data = require("custom")
  assert(m[1] == "custom" and m[2] == "custom data" and data == "custom data")
  checkerr("module 'other' not found:\n\t\n\tfirst searcher saw other\n\t42", require, "other")
  package.searchers = searchers
  package.loaded.custom = nil
end

-- require keeps its own reference to the package table.
do
  local p = package
  package = {}
  p.preload.pl2 = function(...) return "preloaded" end
  assert(require("pl2") == "preloaded")
  package = p
  package.loaded.pl2, package.preload.pl2 = nil, nil
end

-- searchpath.
do
  assert(package.searchpath("pkg_simple", DIR .. "?.lua") == DIR .. "pkg_simple.lua")
  assert(package.searchpath("pkg_dir.sub", DIR .. "?.lua") == DIR .. "pkg_dir/sub.lua")
  assert(package.searchpath("pkg_dir.sub", "x/?.lua;" .. DIR .. "?.lua") == DIR .. "pkg_dir/sub.lua")
  local f, err = package.searchpath("nothere", "a/?.lua;b/?/?.x;;c")
  assert(f == nil and err == "no file 'a/nothere.lua'\n\tno file 'b/nothere/nothere.x'\n\tno file ''\n\tno file 'c'")
  -- separator and replacement
  assert(package.searchpath("pkg_simple.lua", DIR .. "?", "") == DIR .. "pkg_simple.lua")
  assert(package.searchpath("pkg_simple.lua", DIR .. "?", ".", ".") == DIR .. "pkg_simple.lua")
  assert(package.searchpath("pkg-dir-sub", DIR .. "?.lua", "-", "/") == nil)
  assert(package.searchpath("pkg_dir-sub", DIR .. "?.lua", "-", "/") == DIR .. "pkg_dir/sub.lua")
  assert(package.searchpath("pkg_dir::sub", DIR .. "?.lua", "::", "/") == DIR .. "pkg_dir/sub.lua")
  f, err = package.searchpath("a.b.c", "?", ".", "::")
  assert(f == nil and err == "no file 'a::b::c'")
  f, err = package.searchpath("a.b", "?", "")
  assert(f == nil and err == "no file 'a.b'")
  -- strings are cut at a zero byte, as C sees them
  f, err = package.searchpath("x", "??\0?")
  assert(f == nil and err == "no file 'xx'")
  checkerr("bad argument #2 to 'package.searchpath' (string expected, got no value)", package.searchpath, "x")
end

package.path, package.cpath = oldpath, oldcpath
