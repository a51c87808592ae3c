//! The `run` target: arbitrary bytes as a Lua script, run under the
//! memory, instruction and native stack limits with the safe libraries.
//!
//! Whatever the script does ends in results or a Lua error; afterwards
//! the heap passes a full collection with the heap check, and the state
//! closes (running the script's finalizers).

use luna::{LuaChunkMode, LuaMultiValue};

use super::sandbox::{self, Chunks};

/// Runs one input.
pub fn fuzz(data: &[u8]) {
    let Some(lua) = sandbox::state(Chunks::Text) else { return };
    match lua.load(data).set_name("=fuzz").set_mode(LuaChunkMode::Text).call::<LuaMultiValue>(()) {
        Ok(values) => {
            for v in values.iter() {
                let _ = format!("{v:?}");
            }
        }
        Err(e) => sandbox::show(&e),
    }
    sandbox::finish(lua);
}
