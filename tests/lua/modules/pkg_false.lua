-- A module whose value is false (so require loads it again each time).
PKG_FALSE_RUNS = (PKG_FALSE_RUNS or 0) + 1
return false
