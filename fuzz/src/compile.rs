//! The `compile` target: arbitrary bytes as Lua source.
//!
//! The compiler must answer every input with a prototype or a syntax
//! error (never a panic or a Rust stack overflow), its listing must print,
//! and a chunk it accepts must load into a state, where `string.dump` of
//! it must load back through the verifier and dump again to the same
//! bytes (the verifier accepts everything the code generator emits).

use luna::{LuaChunkMode, StdLib};
use luna_core::compiler;

use super::bytecode::check_redump;
use super::sandbox::{self, Chunks};

/// Runs one input.
pub fn fuzz(data: &[u8]) {
    if let Ok(proto) = compiler::compile(data, b"=fuzz") {
        let _ = compiler::listing(&proto);
    }
    let Some(lua) = sandbox::state_with(StdLib::NONE, Chunks::Binary) else { return };
    // Without a name the source itself names the chunk, as `load` does,
    // so messages quote it through `chunk_id`.
    match lua.load(data).set_mode(LuaChunkMode::Text).into_function() {
        Ok(f) => check_redump(&lua, &f),
        Err(e) => sandbox::show(&e),
    }
}
