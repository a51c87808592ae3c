//! A state stays usable after whatever went wrong in it: errors raised by
//! hooks reach the code that called the hooked function (as in PUC Lua),
//! an error value whose `__tostring` fails or recurses reaches the host
//! without leaving anything behind, and a state that ran out of memory
//! runs code again at once, with no collection asked by the host.

use luna::prelude::*;

/// A state with the debug library (hooks).
fn with_debug() -> Lua {
    Lua::new_with(StdLib::ALL_SAFE | StdLib::DEBUG, LuaOptions::new()).expect("a state")
}

#[test]
fn a_return_hook_error_is_the_error_of_the_returning_call() {
    let lua = with_debug();
    let (ok, msg, status): (bool, String, String) = lua
        .load(
            r#"
            local co = coroutine.create(function()
              debug.sethook(function() error("return hook error") end, "r")
              local x = 1
              return x
            end)
            local ok, msg = coroutine.resume(co)
            return ok, msg, coroutine.status(co)
            "#,
        )
        .set_name("=hooks")
        .eval()
        .expect("the script runs");
    assert!(!ok);
    assert_eq!(msg, "hooks:3: return hook error");
    assert_eq!(status, "dead");

    // In the running thread, pcall gets the error, not the values of
    // another frame.
    let (ok, msg): (bool, String) = lua
        .load(
            r#"
            return pcall(function()
              debug.sethook(function(ev)
                if ev == "return" then debug.sethook(); error("rh") end
              end, "r")
              return 1, 2
            end)
            "#,
        )
        .set_name("=hooks")
        .eval()
        .expect("the script runs");
    assert!(!ok);
    assert_eq!(msg, "hooks:4: rh");
    assert_eq!(lua.load("return 1 + 1").eval::<i64>().expect("usable"), 2);
}

#[test]
fn a_return_hook_error_from_a_native_function_propagates() {
    let lua = with_debug();
    let (ok, msg): (bool, String) = lua
        .load(
            r#"
            local n = 0
            debug.sethook(function(ev)
              if ev == "return" then
                n = n + 1
                if n == 2 then debug.sethook(); error("from the hook", 0) end
              end
            end, "r")
            return pcall(string.rep, "x", 3)
            "#,
        )
        .eval()
        .expect("the script runs");
    assert!(!ok);
    assert_eq!(msg, "from the hook");
}

#[test]
fn an_error_value_whose_tostring_recurses_leaves_the_state_usable() {
    let lua = Lua::new();
    for _ in 0..3 {
        let e = lua
            .load("error(setmetatable({}, {__tostring = function(s) return tostring(s) end}))")
            .exec()
            .expect_err("the error escapes");
        let _ = e.to_string();
        // Later loads see no nesting left over from the failed conversion.
        let v: i64 = lua.load("return (((((1)))))").eval().expect("a later load works");
        assert_eq!(v, 1);
        let deep = format!("return {}1{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(lua.load(deep).eval::<i64>().expect("nesting as deep as before"), 1);
    }
}

#[test]
fn an_error_value_whose_tostring_fails_leaves_the_state_usable() {
    let lua = Lua::new();
    let e = lua
        .load("error(setmetatable({}, {__tostring = function() error('no string for you') end}))")
        .exec()
        .expect_err("the error escapes");
    let _ = e.to_string();
    assert_eq!(lua.load("return 40 + 2").eval::<i64>().expect("usable"), 42);
}

#[test]
fn after_running_out_of_memory_the_state_runs_code_without_help() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(8 << 20)).expect("a state");
    let scripts = [
        "local t = {} for i = 1, 1e8 do t[i] = i end",
        "local s = 'x' while true do s = s .. s end",
        "local t = {} for i = 1, 1e8 do t[#t + 1] = tostring(i) end",
        "return string.rep('x', 100 << 20)",
        "return table.concat({string.rep('x', 1 << 20)}, ',', 1, 1)..string.rep('y', 20 << 20)",
    ];
    for s in scripts {
        match lua.load(s).exec() {
            Err(LuaError::MemoryError(_)) => {}
            other => panic!("{s}: expected a memory error, got {other:?}"),
        }
        // No gc_collect from the host: the next chunks run at once.
        assert_eq!(lua.load("return 1 + 1").eval::<i64>().expect("usable after the memory error"), 2);
        let n: i64 = lua
            .load("local t = {} for i = 1, 1000 do t[i] = ('%d'):format(i) end return #t")
            .eval()
            .expect("allocates again");
        assert_eq!(n, 1000);
        assert!(lua.used_memory() <= 8 << 20);
    }
}

#[test]
fn a_memory_error_caught_by_pcall_leaves_the_script_room_to_go_on() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(8 << 20)).expect("a state");
    let (ok, msg, after): (bool, String, String) = lua
        .load(
            r#"
            local ok, msg = pcall(function()
              local t = {}
              for i = 1, 1e8 do t[i] = {} end
            end)
            return ok, msg, ("after"):rep(2)
            "#,
        )
        .eval()
        .expect("the script goes on");
    assert!(!ok);
    assert_eq!(msg, "not enough memory");
    assert_eq!(after, "afterafter");
}

#[test]
fn converting_a_value_to_rust_is_bounded_by_the_memory_limit() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(8 << 20)).expect("a state");
    // One megabyte string referred to a thousand times: a gigabyte as a
    // Rust value, far past the 8 MiB limit.
    let shared: LuaValue = lua
        .load("local s = ('x'):rep(1 << 20) local t = {} for i = 1, 1000 do t[i] = s end return t")
        .eval()
        .expect("the table fits");
    let err = lua.from_value::<serde_json::Value>(shared).expect_err("too large as a Rust value");
    assert!(err.to_string().contains("not enough memory"), "{err}");
    // Shared subtables doubling at every level: 2^40 leaves.
    let tree: LuaValue =
        lua.load("local t = {1} for i = 1, 40 do t = {t, t} end return t").eval().expect("the table fits");
    let err = lua.from_value::<serde_json::Value>(tree).expect_err("too large as a Rust value");
    assert!(err.to_string().contains("not enough memory"), "{err}");
    // Small values still convert, and the state runs on.
    let small: LuaValue = lua.load("return {a = 1, b = {'x', 'y'}}").eval().expect("a table");
    let json = lua.from_value::<serde_json::Value>(small).expect("converts");
    assert_eq!(json, serde_json::json!({"a": 1, "b": ["x", "y"]}));
    assert_eq!(lua.load("return 1 + 1").eval::<i64>().expect("usable"), 2);
}

#[test]
fn library_loops_over_huge_ranges_stop_at_the_instruction_limit() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().instruction_limit(1_000_000)).expect("a state");
    let cases = [
        "table.move({}, 1, math.maxinteger - 1, 2)",
        "table.move({1}, 1, 1 << 62, 2, {})",
        "local t = setmetatable({}, {__len = function() return math.maxinteger - 1 end}) table.insert(t, 1, 'x')",
        "local t = setmetatable({}, {__len = function() return 1 << 62 end}) table.remove(t, 1)",
        "table.concat(setmetatable({}, {__index = function() return 'x' end}), '', 1, 1 << 40)",
        // No memory limit here: the budget stops the copying first.
        "string.rep('x', 1 << 30)",
    ];
    for s in cases {
        match lua.load(s).exec() {
            Err(LuaError::InstructionLimit) => {}
            Err(e) if e.to_string().contains("instruction limit reached") => {}
            other => panic!("{s}: expected the instruction limit, got {other:?}"),
        }
        lua.set_instruction_limit(Some(1_000_000)).expect("idle");
        assert_eq!(lua.load("return 1 + 1").eval::<i64>().expect("usable"), 2);
    }
}

#[test]
fn a_chain_of_call_metamethods_is_an_error() {
    let lua = Lua::new();
    let msg: String = lua
        .load(
            r#"
            local t = setmetatable({}, {})
            getmetatable(t).__call = t
            local ok, e = pcall(t, 1, 2, 3)
            assert(not ok)
            -- A short chain still works, with every object as an argument.
            local f = setmetatable({}, {__call = function(...) return select('#', ...) end})
            local g = setmetatable({}, {__call = f})
            assert(g(1) == 3)
            return e
            "#,
        )
        .eval()
        .expect("the script runs");
    assert_eq!(msg, "'__call' chain too long");
}

#[test]
fn long_and_or_chains_compile() {
    // 200,000 operands: compiling them took minutes while joining jump
    // lists was quadratic; now a fraction of a second.
    let lua = Lua::new();
    let src = format!("local x, y = 1, 2 return {}", vec!["x and y"; 100_000].join(" or "));
    assert_eq!(lua.load(src).eval::<i64>().expect("compiles and runs"), 2);
    let src = format!("local x, y = false, 2 return {}", vec!["x or y"; 100_000].join(" and "));
    assert_eq!(lua.load(src).eval::<i64>().expect("compiles and runs"), 2);
}

#[test]
fn every_library_result_a_script_can_make_huge_is_a_memory_error() {
    let lua = Lua::new_with(StdLib::ALL_SAFE | StdLib::IO, LuaOptions::new().memory_limit(16 << 20)).expect("a state");
    let cases = [
        ("string.rep", "return string.rep('x', 1 << 30)"),
        ("string.rep with a separator", "return string.rep('x', 1 << 20, ('y'):rep(100))"),
        ("string.format", "local s = ('x'):rep(1 << 20) return string.format(('%s'):rep(40), table.unpack(setmetatable({}, {__index = function() return s end}), 1, 40))"),
        ("string.pack", "return string.pack('c100000000', '')"),
        ("gsub", "return (('x'):rep(1 << 20):gsub('x', ('y'):rep(100)))"),
        ("table.concat", "local s = ('x'):rep(1 << 20) local t = {} for i = 1, 100 do t[i] = s end return table.concat(t)"),
        ("table.concat over __index", "return table.concat(setmetatable({}, {__index = function() return ('x'):rep(1 << 20) end}), '', 1, 100)"),
        ("io read all", "return io.open('/dev/zero', 'rb'):read('a')"),
        ("io read count", "return io.open('/dev/zero', 'rb'):read(1 << 30)"),
        ("io read line", "return io.open('/dev/zero', 'rb'):read('l')"),
        ("require's search", "package.path = ('?;'):rep(5000) return require(('m'):rep(1 << 20))"),
        ("load from an endless reader", "local p = ('x'):rep(1 << 20) local n = 0 return assert(load(function() n = n + 1 return n == 1 and 'return [[' or p end))"),
    ];
    for (name, script) in cases {
        if name.starts_with("io") && !std::path::Path::new("/dev/zero").exists() {
            continue;
        }
        let msg: String = lua
            .load(format!("local ok, e = pcall(function() {script} end) assert(not ok) return tostring(e)"))
            .eval()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(msg.contains("not enough memory") || msg.contains("lexical element too long"), "{name}: {msg}");
        assert_eq!(lua.load("return 1 + 1").eval::<i64>().expect("usable"), 2, "{name}");
        assert!(lua.used_memory() <= 16 << 20, "{name}");
    }
}
