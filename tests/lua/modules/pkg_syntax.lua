-- A module with a syntax error.
x = = 1
