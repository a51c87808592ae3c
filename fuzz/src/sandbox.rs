//! The limited states the targets run untrusted code in, and what they do
//! after it ran.

use luna::{Lua, LuaError, LuaOptions, LuaTable, StdLib};

/// The memory limit of every state: 16 MiB.
pub const MEMORY_LIMIT: usize = 16 << 20;
/// The instruction budget of a run (fuel units: function entries and
/// backward jumps, pattern matching steps). A hundred thousand units let
/// every loop and recursion run long enough to reach the memory limit or
/// the deep corners, and keep a run of the sanitized, heap-checked build
/// within a second or two (with a million, the project's benchmarks take
/// up to twenty seconds each there, and the fuzzers crawl).
pub const INSTRUCTION_LIMIT: u64 = 100_000;
/// The native stack that nested calls through Rust may use (luna's
/// default, stated here so the targets do not depend on it).
pub const NATIVE_STACK_LIMIT: usize = 1 << 20;

/// Which chunks a state loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunks {
    /// Source text only (the safe default of `Lua::new_with`).
    Text,
    /// Binary chunks too. The state is made with `unsafe_features`, which
    /// is what allows them, and the unsafe functions that option keeps are
    /// removed again, as the safe default removes them.
    Binary,
}

/// The functions the safe default removes (`make_safe` in the facade);
/// with binary chunks allowed they are removed here.
const UNSAFE_FIELDS: [(&str, &[&str]); 2] =
    [("os", &["execute", "exit", "remove", "rename", "tmpname", "setlocale"]), ("package", &["loadlib", "cpath"])];
const UNSAFE_GLOBALS: [&str; 2] = ["dofile", "loadfile"];

/// `print` and `warn` replaced by functions that check and convert their
/// arguments as the originals do (`__tostring`, `__name`) but write
/// nothing, so a fuzzer's output stays readable.
const QUIET: &str = r#"
local tostring, select = tostring, select
function print(...)
  for i = 1, select('#', ...) do tostring((select(i, ...))) end
end
function warn(...)
  if select('#', ...) == 0 then error("bad argument #1 to 'warn' (string expected, got no value)") end
  for i = 1, select('#', ...) do local _ = (select(i, ...)) .. "" end
end
"#;

/// A state for scripts: the safe libraries, every limit, and the quiet
/// `print` and `warn`. `None` when the libraries do not fit (they do, far
/// below the limit).
pub fn state(chunks: Chunks) -> Option<Lua> {
    let lua = state_with(StdLib::ALL_SAFE, chunks)?;
    lua.load(QUIET).set_name("=quiet").exec().expect("the quiet print and warn are defined");
    lua.set_instruction_limit(Some(INSTRUCTION_LIMIT)).expect("the state is idle");
    Some(lua)
}

/// A state with the base library, `libs` and every limit, for the
/// targets that drive the runtime from Rust.
pub fn state_with(libs: StdLib, chunks: Chunks) -> Option<Lua> {
    let mut options = LuaOptions::new()
        .memory_limit(MEMORY_LIMIT)
        .instruction_limit(INSTRUCTION_LIMIT)
        .native_stack_limit(NATIVE_STACK_LIMIT);
    options.unsafe_features = chunks == Chunks::Binary;
    let lua = Lua::new_with(libs, options).ok()?;
    if chunks == Chunks::Binary {
        remove_unsafe_functions(&lua);
    }
    Some(lua)
}

/// Removes what `unsafe_features` keeps, and checks that it is gone: a
/// fuzzer must never run `os.execute` or `os.remove` with random
/// arguments.
fn remove_unsafe_functions(lua: &Lua) {
    let globals = lua.globals();
    for (lib, names) in UNSAFE_FIELDS {
        let Ok(t) = globals.raw_get::<LuaTable>(lib) else { continue };
        for name in names {
            t.raw_set(*name, luna::LuaNil).expect("removing a library function");
            assert!(t.raw_get::<luna::LuaValue>(*name).expect("read back").is_nil());
        }
    }
    for name in UNSAFE_GLOBALS {
        globals.raw_set(name, luna::LuaNil).expect("removing a global");
    }
}

/// What follows a script: a fresh budget (finalizers run at the collection
/// and when the state closes), a full collection, which checks the heap
/// (feature `verify-heap`), and the state closed. Errors the finalizers
/// raise are warnings or returned errors, never findings.
pub fn finish(lua: Lua) {
    let _ = lua.set_instruction_limit(Some(INSTRUCTION_LIMIT));
    let _ = lua.gc_collect();
    let _ = lua.set_instruction_limit(Some(INSTRUCTION_LIMIT));
    drop(lua);
}

/// Formats an error as a host would print it (message and traceback), so
/// the formatting code runs on whatever the script raised.
pub fn show(e: &LuaError) {
    let _ = e.to_string();
}
