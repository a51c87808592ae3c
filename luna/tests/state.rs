//! Integration tests of `Lua`, the state handle: the constructors and the
//! libraries each one opens (`new`, `new_with`, `sandboxed`, `unsafe_new`),
//! the globals table, value creation (`create_table*`, `create_string`,
//! `create_thread`), memory accounting and collector controls, clones and
//! `ptr_eq`, and the lifetime rules of handles: a handle keeps its value
//! alive, releases it when dropped, fails cleanly with `StateDropped` once
//! its state is gone and with `MismatchedState` when used with another
//! state, and creating many handles does not leak.

use std::collections::{BTreeMap, HashMap};

use luna::prelude::*;

/// Evaluates `code` in `lua`, panicking with the error on failure.
fn eval<R: FromLuaMulti>(lua: &Lua, code: &str) -> R {
    match lua.load(code).eval::<R>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {code:?} failed: {e}"),
    }
}

/// Whether the Lua expression `expr` is nil in `lua`.
fn is_nil(lua: &Lua, expr: &str) -> bool {
    eval::<bool>(lua, &format!("return {expr} == nil"))
}

/// The binary chunk of a small function, made by a state that allows them.
fn binary_chunk() -> Vec<u8> {
    let lua = unsafe { Lua::unsafe_new() };
    let f: LuaFunction = eval(&lua, "return function(a) return a * 2 end");
    f.dump(false)
}

// ---------------------------------------------------------------------------
// Constructors and libraries.

#[test]
fn new_opens_the_safe_libraries() {
    let lua = Lua::new();
    for lib in ["string", "table", "math", "utf8", "coroutine", "os", "package"] {
        assert_eq!(eval::<String>(&lua, &format!("return type({lib})")), "table", "library {lib}");
    }
    for f in ["print", "pairs", "ipairs", "pcall", "error", "load", "require", "select", "tostring", "setmetatable"] {
        assert_eq!(eval::<String>(&lua, &format!("return type({f})")), "function", "base function {f}");
    }
    for f in ["os.time", "os.clock", "os.date", "os.difftime", "os.getenv", "string.format", "table.concat"] {
        assert_eq!(eval::<String>(&lua, &format!("return type({f})")), "function", "function {f}");
    }
    assert_eq!(eval::<String>(&lua, "return _VERSION"), "Lua 5.4");
}

#[test]
fn new_leaves_out_the_unsafe_parts() {
    let lua = Lua::new();
    for expr in [
        "io",
        "debug",
        "os.execute",
        "os.exit",
        "os.remove",
        "os.rename",
        "os.tmpname",
        "package.loadlib",
        "dofile",
        "loadfile",
    ] {
        assert!(is_nil(&lua, expr), "{expr} should be absent in Lua::new()");
    }
}

#[test]
fn new_refuses_binary_chunks_from_lua_and_from_the_host() {
    let lua = Lua::new();
    let chunk = binary_chunk();
    lua.globals().set("chunk", lua.create_string(&chunk).unwrap()).unwrap();
    let (f_is_nil, msg): (bool, String) = eval(&lua, "local f, e = load(chunk) return f == nil, e");
    assert!(f_is_nil, "load(binary) must fail in Lua::new()");
    assert!(msg.contains("binary chunk"), "message: {msg}");
    // The host's own loader refuses them too.
    let err = lua.load(&chunk).exec().unwrap_err();
    assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
    assert!(err.to_string().contains("binary chunk"), "{err}");
    // Text chunks still load.
    assert_eq!(eval::<i64>(&lua, "return select('#', load('return 1, 2')())"), 2);
}

#[test]
fn new_with_none_opens_only_the_base_library() {
    let lua = Lua::new_with(StdLib::NONE, LuaOptions::new()).unwrap();
    for lib in ["string", "table", "math", "utf8", "coroutine", "os", "io", "package", "debug", "require"] {
        assert!(is_nil(&lua, lib), "{lib} should be absent");
    }
    for f in ["print", "pairs", "type", "pcall", "error", "tostring", "tonumber", "select", "rawget", "load"] {
        assert_eq!(eval::<String>(&lua, &format!("return type({f})")), "function", "base function {f}");
    }
    // Strings have no methods without the string library.
    let err = lua.load("return ('x'):rep(2)").exec().unwrap_err();
    assert!(err.to_string().contains("attempt to index a string value"), "{err}");
}

#[test]
fn new_with_opens_exactly_the_chosen_libraries() {
    let lua = Lua::new_with(StdLib::MATH | StdLib::STRING, LuaOptions::new()).unwrap();
    assert_eq!(eval::<i64>(&lua, "return math.max(3, 9, 4)"), 9);
    assert_eq!(eval::<String>(&lua, "return ('ab'):rep(3)"), "ababab");
    for lib in ["table", "utf8", "coroutine", "os", "io", "package", "debug"] {
        assert!(is_nil(&lua, lib), "{lib} should be absent");
    }
    assert_eq!(eval::<String>(&lua, "return type(print)"), "function");

    let lua = Lua::new_with(StdLib::TABLE | StdLib::COROUTINE | StdLib::UTF8, LuaOptions::new()).unwrap();
    for lib in ["table", "coroutine", "utf8"] {
        assert!(!is_nil(&lua, lib), "{lib} should be present");
    }
    for lib in ["string", "math", "os", "io", "package", "debug"] {
        assert!(is_nil(&lua, lib), "{lib} should be absent");
    }
}

#[test]
fn new_with_unsafe_libraries_and_options() {
    // io and debug can be opened explicitly.
    let lua = Lua::new_with(StdLib::IO | StdLib::DEBUG, LuaOptions::new()).unwrap();
    assert!(!is_nil(&lua, "io"));
    assert!(!is_nil(&lua, "debug"));
    assert!(is_nil(&lua, "string"));
    // The safe os library lacks execute; with unsafe_features it has it.
    let safe = Lua::new_with(StdLib::OS, LuaOptions::new()).unwrap();
    assert!(is_nil(&safe, "os.execute"));
    assert!(is_nil(&safe, "dofile"));
    let opts = LuaOptions { unsafe_features: true, ..LuaOptions::new() };
    let full = Lua::new_with(StdLib::OS | StdLib::PACKAGE, opts).unwrap();
    assert!(!is_nil(&full, "os.execute"));
    assert!(!is_nil(&full, "os.remove"));
    assert!(!is_nil(&full, "package.loadlib"));
    assert!(!is_nil(&full, "dofile"));
}

#[test]
fn stdlib_flags_compose() {
    assert!(StdLib::ALL.contains(StdLib::IO | StdLib::DEBUG));
    assert!(StdLib::ALL.contains(StdLib::ALL_SAFE));
    assert!(!StdLib::ALL_SAFE.contains(StdLib::IO));
    assert!(!StdLib::ALL_SAFE.contains(StdLib::DEBUG));
    assert!(StdLib::ALL_SAFE.contains(StdLib::STRING | StdLib::TABLE | StdLib::MATH));
    assert!((StdLib::MATH | StdLib::STRING).contains(StdLib::MATH));
    assert!(!StdLib::NONE.contains(StdLib::MATH));
}

#[test]
fn new_with_memory_limit_option() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(4 << 20)).unwrap();
    let err = lua.load("local t = {} for i = 1, 1e8 do t[i] = ('x'):rep(64) .. i end").exec().unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    // The state stays usable after the failure.
    lua.gc_collect().unwrap();
    assert_eq!(eval::<i64>(&lua, "return 6 * 7"), 42);
}

#[test]
fn new_with_instruction_limit_option() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().instruction_limit(10_000)).unwrap();
    assert!(lua.remaining_instructions().is_some());
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
}

/// Loops of every shape the compiler produces, each bounded (so that a
/// state whose limits miss a shape fails the test instead of hanging it),
/// each running far more iterations than the limits used with them allow.
pub const LOOP_SHAPES: [&str; 9] = [
    "local i = 0 while i < 1e6 do i = i + 1 end",
    "for i = 1, 1e6 do end",
    "local i = 0 repeat i = i + 1 until i >= 1e6",
    "local i = 0 while i < 1e6 do i = i + 1 if i == 5 then end end",
    "local i = 0 while i < 1e6 do i = i + 1 if i > 0 then else end end",
    "local i = 0 ::top:: i = i + 1 if i < 1e6 then goto top end",
    "local t = {1, 2, 3} for j = 1, 1e6 do for k, v in pairs(t) do end end",
    "local function f(n) if n > 0 then return f(n - 1) end end f(1e6)",
    "local function f(n) if n > 0 then f(n - 1) end end for i = 1, 1e4 do f(100) end",
];

#[test]
fn instruction_limit_stops_loops_of_every_shape() {
    let mut failures = Vec::new();
    for code in LOOP_SHAPES {
        let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().instruction_limit(10_000)).unwrap();
        match lua.load(code).exec() {
            Err(LuaError::InstructionLimit) => {}
            other => failures.push(format!("{code}: expected InstructionLimit, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sandboxed_has_limits() {
    let lua = Lua::sandboxed().unwrap();
    assert!(is_nil(&lua, "io"));
    assert!(is_nil(&lua, "debug"));
    assert!(is_nil(&lua, "os.execute"));
    assert_eq!(eval::<String>(&lua, "return type(string.format)"), "function");
    assert!(lua.remaining_instructions().is_some(), "sandboxed states have an instruction budget");
    let chunk = binary_chunk();
    assert!(lua.load(&chunk).exec().is_err(), "sandboxed states refuse binary chunks");
}

#[test]
fn sandboxed_stops_an_infinite_loop() {
    let lua = Lua::sandboxed().unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
}

#[test]
fn sandboxed_stops_a_memory_hog() {
    let lua = Lua::sandboxed().unwrap();
    let err = lua.load("local t = {} local i = 0 while true do i = i + 1 t[i] = ('x'):rep(4096) .. i end").exec();
    let err = err.unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    // pcall in Lua sees the memory error as "not enough memory".
    lua.gc_collect().unwrap();
    let lua = Lua::sandboxed().unwrap();
    let msg: String = eval(&lua, "local ok, e = pcall(string.rep, 'x', 1 << 30) return tostring(e)");
    assert_eq!(msg, "not enough memory");
}

#[test]
fn unsafe_new_opens_everything() {
    let lua = unsafe { Lua::unsafe_new() };
    for lib in ["io", "debug", "string", "table", "math", "utf8", "coroutine", "os", "package"] {
        assert_eq!(eval::<String>(&lua, &format!("return type({lib})")), "table", "library {lib}");
    }
    for f in
        ["io.open", "io.write", "debug.traceback", "debug.getinfo", "os.execute", "os.remove", "dofile", "loadfile"]
    {
        assert_eq!(eval::<String>(&lua, &format!("return type({f})")), "function", "function {f}");
    }
    // Binary chunks load.
    let chunk = binary_chunk();
    let f = lua.load(&chunk).into_function().unwrap();
    assert_eq!(f.call::<i64>(21).unwrap(), 42);
}

#[test]
fn default_is_new() {
    let lua = Lua::default();
    assert!(is_nil(&lua, "io"));
    assert!(!is_nil(&lua, "string"));
}

// ---------------------------------------------------------------------------
// Globals.

#[test]
fn globals_are_shared_with_lua() {
    let lua = Lua::new();
    let g = lua.globals();
    g.set("answer", 42).unwrap();
    assert_eq!(eval::<i64>(&lua, "return answer"), 42);
    lua.load("greeting = 'hi'").exec().unwrap();
    assert_eq!(g.get::<String>("greeting").unwrap(), "hi");
    // globals() is _G, and two calls give the same table.
    assert!(eval::<bool>(&lua, "return _G == _G._G"));
    let g_from_lua: LuaTable = eval(&lua, "return _G");
    assert_eq!(g_from_lua, lua.globals());
    assert_eq!(lua.globals(), lua.globals());
}

#[test]
fn set_globals_is_used_by_later_loads() {
    let lua = Lua::new();
    let old = lua.globals();
    let new = lua.create_table().unwrap();
    new.set("x", 5).unwrap();
    new.set("tostring", old.get::<LuaFunction>("tostring").unwrap()).unwrap();
    lua.set_globals(new.clone()).unwrap();
    assert_eq!(lua.globals(), new);
    assert_eq!(eval::<i64>(&lua, "return x"), 5);
    lua.load("y = tostring(x + 1)").exec().unwrap();
    assert_eq!(new.get::<String>("y").unwrap(), "6");
    assert!(old.get::<LuaValue>("y").unwrap().is_nil(), "the old globals are not written");
    // Only what the new table holds is visible.
    assert!(is_nil(&lua, "print"));
    // A function loaded before keeps its own environment.
    lua.set_globals(old.clone()).unwrap();
    let f = lua.load("return z").into_function().unwrap();
    lua.set_globals(new.clone()).unwrap();
    old.set("z", "old z").unwrap();
    new.set("z", "new z").unwrap();
    assert_eq!(f.call::<String>(()).unwrap(), "old z");
    assert_eq!(eval::<String>(&lua, "return z"), "new z");
}

// ---------------------------------------------------------------------------
// Creating values.

#[test]
fn create_table_variants() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    assert!(t.is_empty());
    assert_eq!(t.raw_len(), 0);

    let t = lua.create_table_with_capacity(100, 10).unwrap();
    assert!(t.is_empty());
    for i in 1..=100 {
        t.raw_set(i, i * i).unwrap();
    }
    t.set("k", "v").unwrap();
    assert_eq!(t.raw_len(), 100);
    assert_eq!(t.get::<i64>(10).unwrap(), 100);
    assert_eq!(t.get::<String>("k").unwrap(), "v");

    let mut map = HashMap::new();
    map.insert("a", 1);
    map.insert("b", 2);
    let t = lua.create_table_from(map).unwrap();
    assert_eq!(t.get::<i64>("a").unwrap(), 1);
    assert_eq!(t.get::<i64>("b").unwrap(), 2);
    assert_eq!(t.pairs::<String, i64>().count(), 2);

    let t = lua.create_table_from([(1, "one"), (3, "three")]).unwrap();
    assert_eq!(t.get::<String>(3).unwrap(), "three");
    assert!(t.get::<LuaValue>(2).unwrap().is_nil());
    let from_btree = lua.create_table_from(BTreeMap::from([("x", 1.5)])).unwrap();
    assert_eq!(from_btree.get::<f64>("x").unwrap(), 1.5);

    // A nil key is an error, not a panic.
    let err = lua.create_table_from([(LuaValue::Nil, 1)]).unwrap_err();
    assert!(err.to_string().contains("index is nil"), "{err}");

    let t = lua.create_sequence_from(["a", "b", "c"]).unwrap();
    assert_eq!(t.raw_len(), 3);
    assert_eq!(t.sequence_values::<String>().collect::<LuaResult<Vec<_>>>().unwrap(), ["a", "b", "c"]);
    lua.globals().set("seq", t).unwrap();
    assert_eq!(eval::<String>(&lua, "return table.concat(seq, ',')"), "a,b,c");
    let empty = lua.create_sequence_from(Vec::<i64>::new()).unwrap();
    assert!(empty.is_empty());
    let many = lua.create_sequence_from(1..=1000).unwrap();
    assert_eq!(many.raw_len(), 1000);
    assert_eq!(many.get::<i64>(1000).unwrap(), 1000);
}

#[test]
fn create_string_holds_arbitrary_bytes() {
    let lua = Lua::new();
    let bytes: &[u8] = b"a\0b\xff\xfe\x80z";
    let s = lua.create_string(bytes).unwrap();
    assert_eq!(s.as_bytes(), bytes);
    assert_eq!(s.len().unwrap(), bytes.len());
    assert!(!s.is_empty().unwrap());
    assert!(s.to_str().is_err(), "invalid UTF-8 is not a str");
    assert_eq!(s.to_string_lossy(), String::from_utf8_lossy(bytes));
    lua.globals().set("s", &s).unwrap();
    assert_eq!(eval::<i64>(&lua, "return #s"), 7);
    assert_eq!(eval::<i64>(&lua, "return s:byte(2)"), 0);
    assert_eq!(eval::<i64>(&lua, "return s:byte(4)"), 255);
    assert!(eval::<bool>(&lua, "return s == 'a\\0b\\xff\\xfe\\x80z'"));
    // A string made by Lua compares equal to one made by the host.
    let from_lua: LuaString = eval(&lua, "return 'a\\0b' .. '\\xff\\xfe\\x80z'");
    assert_eq!(from_lua, s);
    let empty = lua.create_string("").unwrap();
    assert!(empty.is_empty().unwrap());
    assert_eq!(empty.len().unwrap(), 0);
    assert_eq!(empty.to_str().unwrap(), "");
    let text = lua.create_string("héllo").unwrap();
    assert_eq!(text.to_str().unwrap(), "héllo");
    assert_eq!(text, "héllo");
    let big = lua.create_string(vec![7u8; 1 << 20]).unwrap();
    assert_eq!(big.len().unwrap(), 1 << 20);
}

#[test]
fn create_thread_runs_a_coroutine() {
    let lua = Lua::new();
    let f: LuaFunction = eval(
        &lua,
        "return function(a, b) local c = coroutine.yield(a + b) local d, e = coroutine.yield(c * 2) return d .. e end",
    );
    let co = lua.create_thread(f).unwrap();
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    assert_eq!(co.resume::<i64>((1, 2)).unwrap(), 3);
    assert_eq!(co.resume::<i64>(10).unwrap(), 20);
    assert_eq!(co.resume::<String>(("x", "y")).unwrap(), "xy");
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    assert!(!co.is_resumable());
    assert!(co.resume::<()>(()).is_err(), "a finished coroutine cannot be resumed");
    // A coroutine that fails reports the error and its status.
    let f: LuaFunction = eval(&lua, "return function() error('inside') end");
    let co = lua.create_thread(f).unwrap();
    let err = co.resume::<()>(()).unwrap_err();
    assert!(err.to_string().contains("inside"), "{err}");
    assert_eq!(co.status(), LuaThreadStatus::Error);
    // The thread is usable from Lua too.
    let f: LuaFunction = eval(&lua, "return function() coroutine.yield(1) end");
    lua.globals().set("co", lua.create_thread(f).unwrap()).unwrap();
    assert_eq!(eval::<String>(&lua, "return type(co)"), "thread");
    assert!(eval::<bool>(&lua, "return coroutine.resume(co)"));
    assert_eq!(eval::<String>(&lua, "return coroutine.status(co)"), "suspended");
}

// ---------------------------------------------------------------------------
// Memory and the collector.

#[test]
fn used_memory_grows_and_shrinks() {
    let lua = Lua::new();
    lua.gc_collect().unwrap();
    let base = lua.used_memory();
    assert!(base > 0);
    lua.load("big = {} for i = 1, 20000 do big[i] = tostring(i) .. 'xxxxxxxxxxxxxxxx' end").exec().unwrap();
    let grown = lua.used_memory();
    assert!(grown > base + 500_000, "base {base}, grown {grown}");
    lua.load("big = nil").exec().unwrap();
    lua.gc_collect().unwrap();
    let shrunk = lua.used_memory();
    // The string table may keep its grown size (as PUC's does), so allow
    // some slack above the base.
    assert!(shrunk < grown / 4 && shrunk < base + 256 * 1024, "base {base}, grown {grown}, after collection {shrunk}");
    // Memory held by a host handle is counted too, and freed with it.
    let t = lua.create_sequence_from((0..20000).map(|i| format!("{i}xxxxxxxxxxxxxxxx"))).unwrap();
    lua.gc_collect().unwrap();
    let held = lua.used_memory();
    assert!(held > base + 500_000, "base {base}, held {held}");
    drop(t);
    lua.gc_collect().unwrap();
    let released = lua.used_memory();
    assert!(released < held / 4, "held {held}, released {released}");
}

#[test]
fn gc_collect_clears_weak_entries() {
    let lua = Lua::new();
    lua.load("weak = setmetatable({}, {__mode = 'v'}) weak[1] = {}").exec().unwrap();
    lua.gc_collect().unwrap();
    assert!(is_nil(&lua, "weak[1]"));
}

#[test]
fn gc_step_finishes_a_cycle() {
    let lua = Lua::new();
    lua.load("junk = {} for i = 1, 1000 do junk[i] = {i} end junk = nil").exec().unwrap();
    let mut finished = false;
    for _ in 0..10_000 {
        if lua.gc_step_kbytes(64).unwrap() {
            finished = true;
            break;
        }
    }
    assert!(finished, "repeated gc_step calls finish a collection cycle");
    // A huge step finishes a cycle at once.
    lua.load("junk = {} for i = 1, 1000 do junk[i] = {i} end junk = nil").exec().unwrap();
    let mut steps = 0;
    while !lua.gc_step_kbytes(1 << 20).unwrap() {
        steps += 1;
        assert!(steps < 10, "a huge step should finish a cycle quickly");
    }
}

#[test]
fn gc_stop_and_restart() {
    let lua = Lua::new();
    assert!(lua.gc_is_running());
    assert!(eval::<bool>(&lua, "return collectgarbage('isrunning')"));
    lua.gc_stop();
    assert!(!lua.gc_is_running());
    assert!(!eval::<bool>(&lua, "return collectgarbage('isrunning')"));
    // With the collector stopped, garbage accumulates.
    let before = lua.used_memory();
    lua.load("for i = 1, 20000 do local t = {i, i, i} end").exec().unwrap();
    assert!(lua.used_memory() > before + 200_000, "garbage is not collected while stopped");
    // An explicit collection still works.
    lua.gc_collect().unwrap();
    assert!(lua.used_memory() < before + 100_000);
    lua.gc_restart();
    assert!(lua.gc_is_running());
    lua.load("collectgarbage('stop')").exec().unwrap();
    assert!(!lua.gc_is_running());
    lua.load("collectgarbage('restart')").exec().unwrap();
    assert!(lua.gc_is_running());
}

#[test]
fn gc_set_mode_returns_the_previous_mode() {
    let lua = Lua::new();
    assert_eq!(
        lua.gc_set_mode(LuaGcMode::Generational(LuaGcGenParams::default())),
        LuaGcMode::Incremental(LuaGcIncParams::default())
    );
    assert_eq!(
        lua.gc_set_mode(LuaGcMode::Generational(LuaGcGenParams::default())),
        LuaGcMode::Generational(LuaGcGenParams::default())
    );
    // Lua sees the mode set by the host.
    assert_eq!(eval::<String>(&lua, "return collectgarbage('incremental')"), "generational");
    assert_eq!(
        lua.gc_set_mode(LuaGcMode::Incremental(LuaGcIncParams::default())),
        LuaGcMode::Incremental(LuaGcIncParams::default())
    );
    assert_eq!(
        lua.gc_set_mode(LuaGcMode::Generational(LuaGcGenParams::default())),
        LuaGcMode::Incremental(LuaGcIncParams::default())
    );
    // Collection works in generational mode.
    lua.load("weak = setmetatable({}, {__mode = 'k'}) weak[{}] = 1").exec().unwrap();
    lua.gc_collect().unwrap();
    assert!(is_nil(&lua, "next(weak)"));
    assert_eq!(
        lua.gc_set_mode(LuaGcMode::Incremental(LuaGcIncParams::default())),
        LuaGcMode::Generational(LuaGcGenParams::default())
    );
}

// ---------------------------------------------------------------------------
// Clones and identity.

#[test]
fn clones_share_the_state() {
    let lua = Lua::new();
    let other = lua.clone();
    assert!(lua.ptr_eq(&other));
    assert!(other.ptr_eq(&lua));
    other.globals().set("shared", 1).unwrap();
    assert_eq!(eval::<i64>(&lua, "return shared"), 1);
    let different = Lua::new();
    assert!(!lua.ptr_eq(&different));
    assert!(is_nil(&different, "shared"));
    // Dropping one clone keeps the state alive for the others.
    let t = lua.create_table().unwrap();
    drop(lua);
    t.set("still", "alive").unwrap();
    assert_eq!(t.get::<String>("still").unwrap(), "alive");
    assert_eq!(eval::<i64>(&other, "return shared"), 1);
}

#[test]
fn handles_of_different_states_are_never_equal() {
    let a = Lua::new();
    let b = Lua::new();
    assert_ne!(a.globals(), b.globals());
    let sa = a.create_string("same").unwrap();
    let sb = b.create_string("same").unwrap();
    assert_eq!(sa.as_bytes(), sb.as_bytes());
}

// ---------------------------------------------------------------------------
// Handles after their state is dropped.

/// Records a failure unless `r` is `Err(StateDropped)` (failures are
/// collected so one run reports every operation that misbehaves).
fn check_dropped<T: std::fmt::Debug>(failures: &mut Vec<String>, what: &str, r: LuaResult<T>) {
    match r {
        Err(LuaError::StateDropped) => {}
        other => failures.push(format!("{what}: expected Err(StateDropped), got {other:?}")),
    }
}

fn assert_dropped<T: std::fmt::Debug>(what: &str, r: LuaResult<T>) {
    let mut failures = Vec::new();
    check_dropped(&mut failures, what, r);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn handles_fail_cleanly_after_the_state_is_dropped() {
    let lua = Lua::new();
    let t = lua.create_sequence_from([1, 2, 3]).unwrap();
    let mt = lua.create_table().unwrap();
    let f: LuaFunction = eval(&lua, "return function(x) return x end");
    let rf = lua.create_function(|_, x: i64| Ok(x)).unwrap();
    let s = lua.create_string("text").unwrap();
    let co = lua.create_thread(f.clone()).unwrap();
    let key = lua.create_registry_value(42).unwrap();
    let g = lua.globals();
    drop(lua);
    let mut failures = Vec::new();

    check_dropped(&mut failures, "get", t.get::<i64>(1));
    check_dropped(&mut failures, "set", t.set(1, 1));
    check_dropped(&mut failures, "raw_get", t.raw_get::<i64>(1));
    check_dropped(&mut failures, "raw_set", t.raw_set(1, 1));
    check_dropped(&mut failures, "contains_key", t.contains_key(1));
    check_dropped(&mut failures, "len", t.len());
    check_dropped(&mut failures, "push", t.push(4));
    check_dropped(&mut failures, "pop", t.pop::<i64>());
    check_dropped(&mut failures, "raw_insert", t.raw_insert(1, 0));
    check_dropped(&mut failures, "raw_remove", t.raw_remove(1));
    check_dropped(&mut failures, "clear", t.clear());
    check_dropped(&mut failures, "set_metatable", t.set_metatable(Some(mt.clone())));
    check_dropped(&mut failures, "set_metatable(None)", t.set_metatable(None));
    check_dropped(&mut failures, "for_each", t.for_each(|_: i64, _: i64| Ok(())));
    check_dropped(&mut failures, "globals.get", g.get::<LuaValue>("print"));
    // The infallible reads (as mlua's) give an empty answer.
    assert_eq!(t.raw_len(), 0);
    assert!(t.metatable().is_none());
    assert!(t.is_empty());
    check_dropped(&mut failures, "equals", t.equals(&mt));
    check_dropped(&mut failures, "raw_remove (non-integer key)", t.raw_remove("k"));
    // Iterators yield the error once, then stop.
    let items: Vec<_> = t.pairs::<i64, i64>().collect();
    assert_eq!(items.len(), 1);
    check_dropped(&mut failures, "pairs", items.into_iter().next().unwrap());
    let items: Vec<_> = t.sequence_values::<i64>().collect();
    assert_eq!(items.len(), 1);
    check_dropped(&mut failures, "sequence_values", items.into_iter().next().unwrap());

    check_dropped(&mut failures, "call", f.call::<i64>(1));
    check_dropped(&mut failures, "call (Rust)", rf.call::<i64>(1));
    check_dropped(&mut failures, "bind", f.bind(1));
    check_dropped(&mut failures, "dump", f.try_dump(false));
    assert!(f.dump(false).is_empty());
    assert_eq!(f.info(), LuaFunctionInfo::default());
    assert_eq!(rf.info(), LuaFunctionInfo::default());

    check_dropped(&mut failures, "with_bytes", s.with_bytes(|b| b.len()));
    check_dropped(&mut failures, "to_str", s.to_str());
    assert!(s.as_bytes().is_empty());
    check_dropped(&mut failures, "len (string)", s.len());
    check_dropped(&mut failures, "is_empty (string)", s.is_empty());
    // The lossy conversion stays infallible: empty once the state is gone.
    assert_eq!(s.to_string_lossy(), "");

    check_dropped(&mut failures, "resume", co.resume::<()>(()));
    assert_eq!(co.status(), LuaThreadStatus::Error);
    check_dropped(&mut failures, "reset", co.reset(f.clone()));

    // Equality of dead handles is false, never a panic.
    assert_ne!(t, t.clone());
    drop(key);
    // Dropping the handles afterwards is fine.
    drop((t, mt, f, rf, s, co, g));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn values_converted_after_the_state_is_dropped() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    let v = LuaValue::Table(lua.create_table().unwrap());
    drop(lua);
    assert_dropped("set with a handle value", t.set("k", v));
    assert_dropped("set with a string (needs the state)", t.set("k", "v"));
}

// ---------------------------------------------------------------------------
// Handles used with another state.

fn assert_mismatched<T: std::fmt::Debug>(what: &str, r: LuaResult<T>) {
    match r {
        Err(LuaError::MismatchedState) => {}
        other => panic!("{what}: expected Err(MismatchedState), got {other:?}"),
    }
}

#[test]
fn handles_used_with_another_state_are_rejected() {
    let a = Lua::new();
    let b = Lua::new();
    let ta = a.create_table().unwrap();
    let fa: LuaFunction = eval(&a, "return function(...) return select('#', ...) end");
    let sa = a.create_string("from a").unwrap();
    let tb = b.create_table().unwrap();
    let fb: LuaFunction = eval(&b, "return function(...) return select('#', ...) end");

    assert_mismatched("set value", tb.set("k", ta.clone()));
    assert_mismatched("set key", tb.set(ta.clone(), 1));
    assert_mismatched("raw_set", tb.raw_set("k", sa.clone()));
    assert_mismatched("get key", tb.get::<LuaValue>(ta.clone()));
    assert_mismatched("raw_get key", tb.raw_get::<LuaValue>(fa.clone()));
    assert_mismatched("push", tb.push(fa.clone()));
    assert_mismatched("raw_insert", tb.raw_insert(1, ta.clone()));
    assert_mismatched("set_metatable", tb.set_metatable(Some(ta.clone())));
    assert_mismatched("call arg", fb.call::<i64>(ta.clone()));
    assert_mismatched("call arg string", fb.call::<i64>((1, sa.clone())));
    assert_mismatched("bind", fb.bind(ta.clone()));
    assert_mismatched("create_thread", b.create_thread(fa.clone()));
    assert_mismatched("set_globals", b.set_globals(ta.clone()));
    assert_mismatched("registry value", b.create_registry_value(ta.clone()));
    let key = a.create_registry_value(1).unwrap();
    assert!(matches!(b.registry_value::<i64>(&key), Err(LuaError::MismatchedRegistryKey)));

    assert_mismatched("equals", tb.equals(&ta));

    // Nothing was written, and both states still work.
    assert!(tb.is_empty());
    assert!(tb.metatable().is_none());
    assert_eq!(fb.call::<i64>((1, 2, 3)).unwrap(), 3);
    assert_eq!(fa.call::<i64>(ta.clone()).unwrap(), 1);
    assert_eq!(a.registry_value::<i64>(&key).unwrap(), 1);
}

#[test]
fn callbacks_reject_handles_of_another_state() {
    let a = Lua::new();
    let b = Lua::new();
    let ta = a.create_table().unwrap();
    // A callback of `b` returning a handle of `a` raises an error in `b`.
    let leak = b.create_function(move |_, ()| Ok(ta.clone())).unwrap();
    b.globals().set("leak", leak).unwrap();
    let (ok, msg): (bool, String) = eval(&b, "local ok, e = pcall(leak) return ok, tostring(e)");
    assert!(!ok);
    assert!(msg.contains("another Lua state"), "{msg}");
    let err = b.load("leak()").exec().unwrap_err();
    assert!(matches!(err.root_cause(), LuaError::MismatchedState), "{err:?}");
}

// ---------------------------------------------------------------------------
// Handles and the collector.

#[test]
fn handles_keep_values_alive_until_dropped() {
    let lua = Lua::new();
    lua.load("weak = setmetatable({}, {__mode = 'v'})").exec().unwrap();
    let weak: LuaTable = lua.globals().get("weak").unwrap();
    let t = lua.create_table().unwrap();
    let f: LuaFunction = eval(&lua, "return function() end");
    let s = lua.create_string("a string that is not interned because it is quite long ..........").unwrap();
    weak.set(1, &t).unwrap();
    weak.set(2, &f).unwrap();
    weak.set(3, LuaValue::Table(lua.create_table().unwrap())).unwrap();
    let extra = t.clone();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(weak.get::<LuaTable>(1).unwrap(), t, "a table held by the host survives");
    assert_eq!(weak.get::<LuaFunction>(2).unwrap(), f, "a function held by the host survives");
    assert!(weak.get::<LuaValue>(3).unwrap().is_nil(), "an unheld table is collected");
    // Dropping one clone keeps the value; dropping the last releases it.
    drop(t);
    lua.gc_collect().unwrap();
    assert!(!weak.get::<LuaValue>(1).unwrap().is_nil());
    drop(extra);
    drop(f);
    lua.gc_collect().unwrap();
    assert!(weak.get::<LuaValue>(1).unwrap().is_nil(), "the table is released with its last handle");
    assert!(weak.get::<LuaValue>(2).unwrap().is_nil(), "the function is released with its handle");
    assert_eq!(s.len().unwrap(), 65);
}

#[test]
fn values_lifted_by_conversions_are_released_too() {
    let lua = Lua::new();
    lua.load("weak = setmetatable({}, {__mode = 'v'}) holder = {{}, {}}  weak[1] = holder[1] weak[2] = holder[2]")
        .exec()
        .unwrap();
    let first: LuaTable = eval(&lua, "return holder[1]");
    let all: LuaMultiValue = eval(&lua, "return holder[2], holder");
    lua.load("holder = nil").exec().unwrap();
    lua.gc_collect().unwrap();
    assert!(!is_nil(&lua, "weak[1]"));
    assert!(!is_nil(&lua, "weak[2]"));
    drop(first);
    drop(all);
    lua.gc_collect().unwrap();
    assert!(is_nil(&lua, "weak[1]"));
    assert!(is_nil(&lua, "weak[2]"));
}

#[test]
fn registry_values_keep_values_alive() {
    let lua = Lua::new();
    lua.load("weak = setmetatable({}, {__mode = 'v'}) weak[1] = {}").exec().unwrap();
    let held: LuaTable = eval(&lua, "return weak[1]");
    let key = lua.create_registry_value(held).unwrap();
    lua.gc_collect().unwrap();
    assert!(!is_nil(&lua, "weak[1]"));
    assert!(lua.registry_value::<LuaTable>(&key).is_ok());
    lua.remove_registry_value(key).unwrap();
    lua.gc_collect().unwrap();
    assert!(is_nil(&lua, "weak[1]"));
}

#[test]
fn many_handles_do_not_leak() {
    let lua = Lua::new();
    let g = lua.globals();
    g.set("t", lua.create_table().unwrap()).unwrap();
    // Warm up, then measure.
    for _ in 0..1000 {
        drop(lua.create_table().unwrap());
    }
    lua.gc_collect().unwrap();
    let base = lua.used_memory();
    for i in 0..100_000 {
        let t = lua.create_table().unwrap();
        let s = lua.create_string("abc").unwrap();
        let got: LuaTable = g.get("t").unwrap();
        let _ = (t, s, got, i);
    }
    lua.gc_collect().unwrap();
    let after = lua.used_memory();
    assert!(after < base + 64 * 1024, "memory grew from {base} to {after} over 100k dropped handles");
    // Many live handles at once are fine too, and released together.
    let live: Vec<LuaTable> = (0..10_000).map(|_| lua.create_table().unwrap()).collect();
    lua.gc_collect().unwrap();
    assert!(lua.used_memory() > after);
    drop(live);
    lua.gc_collect().unwrap();
    assert!(lua.used_memory() < base + 64 * 1024 + 16 * 10_000, "{}", lua.used_memory());
}

#[test]
fn many_lua_function_calls_do_not_leak() {
    let lua = Lua::new();
    let f: LuaFunction = eval(&lua, "return function(t) return t, {} end");
    let arg = lua.create_table().unwrap();
    for _ in 0..1000 {
        let _: (LuaTable, LuaTable) = f.call(&arg).unwrap();
    }
    lua.gc_collect().unwrap();
    let base = lua.used_memory();
    for _ in 0..50_000 {
        let _: (LuaTable, LuaTable) = f.call(&arg).unwrap();
    }
    lua.gc_collect().unwrap();
    let after = lua.used_memory();
    assert!(after < base + 64 * 1024, "memory grew from {base} to {after}");
}

#[test]
fn a_state_whose_libraries_exceed_its_memory_limit_is_an_error() {
    let small = LuaOptions::new().memory_limit(4096);
    let err = Lua::new_with(StdLib::ALL_SAFE, small).unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    // A limit the libraries fit under gives a working, limited state.
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(8 << 20)).unwrap();
    assert_eq!(lua.load("return #string.rep('x', 10)").eval::<i64>().unwrap(), 10);
    assert!(matches!(lua.load("return string.rep('x', 1 << 24)").exec(), Err(LuaError::MemoryError(_))));
}
