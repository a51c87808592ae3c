-- Attack: string.rep of an empty string (with an empty separator) a
-- maxinteger number of times: nothing to copy, but a loop that counts
-- the repetitions one by one never ends.
-- Must: the empty string at once.
print(#string.rep("", math.maxinteger))
print(#string.rep("", math.maxinteger, ""))
print(#string.rep("", 1 << 62))
