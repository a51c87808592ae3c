#!/usr/bin/env bash
# Builds and runs the facade benchmark (benches/facade): the luna embedding
# API against mlua (PUC-Rio Lua 5.4 through its C API) on host-side
# scenarios (state creation, calls in both directions, table access and
# iteration from Rust, userdata, coroutines, errors, globals, load-and-run),
# printing ns/op for each and the ratio luna/mlua. benches/facade-instr.sh
# counts instructions/op of the same scenarios under valgrind.
#
# Usage: benches/facade.sh [facade-bench arguments...]
#   e.g. benches/facade.sh call_lua_from_rust table_fill_1m
#        benches/facade.sh --runs 9 --time 1
#        benches/facade.sh --list
# The first build compiles mlua's vendored Lua with the C compiler; the
# package is outside the root workspace, so the root build never does.
set -eu
cd "$(dirname "$0")/.."
exec cargo run --release --quiet --manifest-path benches/facade/Cargo.toml -- "$@"
