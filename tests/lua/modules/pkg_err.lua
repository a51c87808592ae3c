-- A module that fails while running.
error("module failed")
