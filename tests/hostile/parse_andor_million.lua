-- Attack: a condition of a million operands joined by 'and' (6 MB of
-- source). Compiling it patches one jump list per operand, which takes
-- quadratic time in PUC's code generator (about half an hour here).
-- hostile: unbounded (the CLI gets Ctrl-C; a sandboxing host needs the
-- compiler's work bounded by its limits or the source size limit)
-- Must: the sandboxed facade returns within its time limit (an error
-- such as "source too large", a memory error or an instruction limit
-- error); the CLI ends on Ctrl-C; no crash.
local n = 1000000
local f, msg = load("local x = 1 return " .. ("x and "):rep(n) .. "x")
if f then print(pcall(f)) else print(msg:sub(1, 100)) end
