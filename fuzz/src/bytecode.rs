//! The `bytecode` target: arbitrary bytes as a binary chunk.
//!
//! The loader and its verifier (`luna-core`'s `dump.rs`) must reject every
//! chunk the interpreter could misbehave on. A chunk they accept must
//! dump, load back and dump again to the same bytes, and then it runs
//! under the limits: whatever it does ends in a Lua error at worst. The
//! corpus is seeded with `string.dump` output of the project's scripts,
//! so most inputs are mutations of valid chunks.

use luna::{Lua, LuaChunkMode, LuaError, LuaFunction, LuaMultiValue};

use super::sandbox::{self, Chunks};

/// Runs one input.
pub fn fuzz(data: &[u8]) {
    let Some(lua) = sandbox::state(Chunks::Binary) else { return };
    match lua.load(data).set_name("=fuzz").set_mode(LuaChunkMode::Binary).into_function() {
        Ok(f) => {
            check_redump(&lua, &f);
            if let Err(e) = f.call::<LuaMultiValue>(()) {
                sandbox::show(&e);
            }
        }
        Err(e) => sandbox::show(&e),
    }
    sandbox::finish(lua);
}

/// What `string.dump` writes of a loaded function loads back, with and
/// without debug information, and the reloaded function dumps to the same
/// bytes. Running out of memory on the way is not a finding.
pub fn check_redump(lua: &Lua, f: &LuaFunction) {
    for strip in [false, true] {
        let first = match f.try_dump(strip) {
            Ok(d) => d,
            Err(e) => panic!("a loaded Lua function does not dump (strip = {strip}): {e}"),
        };
        let reloaded = match lua.load(&first).set_name("=redump").set_mode(LuaChunkMode::Binary).into_function() {
            Ok(g) => g,
            Err(LuaError::MemoryError(_)) => return,
            Err(e) => panic!("what string.dump wrote does not load back (strip = {strip}): {e}"),
        };
        let second = match reloaded.try_dump(strip) {
            Ok(d) => d,
            Err(e) => panic!("a reloaded function does not dump (strip = {strip}): {e}"),
        };
        assert!(first == second, "a reloaded function dumps to other bytes (strip = {strip})");
    }
}
