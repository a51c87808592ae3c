-- Attack: require with a hostile package.path: 200,000 templates, a
-- module name of 1 MB expanded into each template, a path with no '?',
-- and a package.path that is not a string.
-- Must: require fails with "module ... not found" (a long message) or
-- "not enough memory"; no abort. The file system sees only failed
-- opens of long names.
if not require or not package then print("no package library") return end
local function try(name, mod)
  local ok, e = pcall(require, mod)
  print(name, ok, type(e) == "string" and #e or e)
  e = nil
  collectgarbage()
end
package.cpath = ""
package.path = ("./?.lua;"):rep(200000)
try("200,000 templates", "hostile_missing")
package.path = ("?;"):rep(5000)
try("1 MB name x 5000", ("m"):rep(1 << 20))
package.path = ("/nonexistent/no-question-mark;"):rep(10000)
try("no '?'", "x")
package.path = setmetatable({}, {__tostring = function() return "./?.lua" end})
try("path is a table", "x")
package.path = nil
try("path is nil", "x")
package.path = "./?.lua"
print("after:", pcall(require, "hostile_missing") == false)
