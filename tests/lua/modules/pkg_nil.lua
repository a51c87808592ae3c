-- A module that returns nothing: require stores true.
PKG_NIL_RAN = true
