-- A submodule (dots in the name become directory separators).
return { kind = "sub", name = ..., file = select(2, ...) }
