-- Attack: a pattern whose backtracking is exponential: twenty 'a*' items
-- against forty 'a's with no 'b' at the end (about 10^15 steps).
-- hostile: unbounded (no interpreter finishes it; the CLI gets Ctrl-C)
-- Must: the facade stops it with its instruction limit (pattern steps
-- are charged to the budget); the CLI ends on Ctrl-C (PUC's lua only on
-- the second one, as its hook never runs inside the matcher); no crash.
local s = ("a"):rep(40)
print(s:find(("a*"):rep(20) .. "b"))
