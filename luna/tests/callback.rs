//! Integration tests of Rust callbacks (`Lua::create_function`,
//! `create_function_mut`) and the interrupt callback (`Lua::set_interrupt`,
//! `remove_interrupt`): argument and result conversion (tuples,
//! `LuaVariadic`, `LuaMultiValue`, many values), bad-argument messages
//! exactly as PUC Lua words them (including the name the function was
//! called by, method calls and positions), Rust errors travelling through
//! Lua and coming back to the host as the same error, panics turned into
//! Lua errors, re-entrancy (callbacks calling Lua calling callbacks, to
//! many levels), recursive mutable callbacks, and unbounded recursion
//! ending in a clean "stack overflow" error.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;

use luna::prelude::*;

fn eval<R: FromLuaMulti>(lua: &Lua, code: &str) -> R {
    match lua.load(code).set_name("=cb").eval::<R>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {code:?} failed: {e}"),
    }
}

/// The message Lua code sees for the error raised by `code` (run inside
/// `pcall`, the chunk named "cb").
fn lua_error_message(lua: &Lua, code: &str) -> String {
    let wrapped = format!("local ok, e = pcall(function() {code} end) assert(not ok, 'no error') return tostring(e)");
    eval(lua, &wrapped)
}

/// `msg` without the "cb:1: " position PUC puts in front of errors raised
/// by natives called from line 1 of the chunk "cb" (checked separately by
/// `bad_argument_messages_start_with_the_caller_position`).
fn without_position(msg: &str) -> &str {
    msg.strip_prefix("cb:1: ").unwrap_or(msg)
}

/// A state with `greet(a: String, b: String)` as a global.
fn with_greet() -> Lua {
    let lua = Lua::new();
    let greet = lua.create_function(|_, (a, b): (String, String)| Ok(format!("{a}, {b}!"))).unwrap();
    lua.globals().set("greet", greet).unwrap();
    lua
}

// ---------------------------------------------------------------------------
// Basics.

#[test]
fn create_function_converts_arguments_and_results() {
    let lua = Lua::new();
    let f = lua.create_function(|_, (a, b): (i64, String)| Ok(format!("{b}{a}"))).unwrap();
    lua.globals().set("f", &f).unwrap();
    assert_eq!(eval::<String>(&lua, "return f(42, 'n=')"), "n=42");
    assert_eq!(eval::<String>(&lua, "return f('7', 8)"), "87", "numeric strings and numbers convert");
    assert_eq!(f.call::<String>((1, "x")).unwrap(), "x1");
    // The callback receives the state it runs in (told by its identity: a
    // clone of the `Lua` kept inside one of its own callbacks would keep the
    // state alive forever).
    let id = format!("{lua:?}");
    let same = lua.create_function(move |l, ()| Ok(format!("{l:?}") == id)).unwrap();
    assert!(same.call::<bool>(()).unwrap());
    // Unit arguments and results.
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let unit = lua
        .create_function(move |_, ()| {
            c.set(c.get() + 1);
            Ok(())
        })
        .unwrap();
    lua.globals().set("unit", unit).unwrap();
    assert_eq!(eval::<i64>(&lua, "return select('#', unit(1, 2, 3))"), 0);
    assert_eq!(calls.get(), 1);
    // Optional arguments.
    let opt = lua.create_function(|_, (a, b): (i64, Option<i64>)| Ok(a + b.unwrap_or(100))).unwrap();
    lua.globals().set("opt", opt).unwrap();
    assert_eq!(eval::<i64>(&lua, "return opt(1)"), 101);
    assert_eq!(eval::<i64>(&lua, "return opt(1, 2)"), 3);
    assert_eq!(eval::<i64>(&lua, "return opt(1, nil)"), 101);
}

#[test]
fn callbacks_create_tables_and_return_handles() {
    let lua = Lua::new();
    let make = lua
        .create_function(|lua, n: i64| {
            let t = lua.create_table()?;
            for i in 1..=n {
                t.push(i * i)?;
            }
            t.set("n", n)?;
            Ok(t)
        })
        .unwrap();
    lua.globals().set("make", make).unwrap();
    assert_eq!(eval::<i64>(&lua, "local t = make(5) return t[5] + t.n"), 30);
    // A table received from Lua and modified in Rust.
    let fill = lua
        .create_function(|_, t: LuaTable| {
            t.set("filled", true)?;
            Ok(t)
        })
        .unwrap();
    lua.globals().set("fill", fill).unwrap();
    assert!(eval::<bool>(&lua, "local t = {} return fill(t) == t and t.filled"));
}

#[test]
fn result_values_become_nil_and_message() {
    let lua = Lua::new();
    let parse = lua
        .create_function(|_, s: String| Ok(s.parse::<i64>().map_err(|e| format!("cannot parse {s:?}: {e}"))))
        .unwrap();
    lua.globals().set("parse", parse).unwrap();
    assert_eq!(eval::<i64>(&lua, "return parse('12')"), 12);
    let (v, msg): (Option<i64>, String) = eval(&lua, "return parse('x')");
    assert_eq!(v, None);
    assert!(msg.starts_with("cannot parse \"x\""), "{msg}");
}

#[test]
fn many_values_in_and_out() {
    let lua = Lua::new();
    let double = lua.create_function(|_, args: LuaVariadic<i64>| Ok(LuaVariadic(args.iter().map(|x| x * 2).collect())));
    lua.globals().set("double", double.unwrap()).unwrap();
    assert_eq!(eval::<i64>(&lua, "return select('#', double())"), 0);
    let (a, b, c): (i64, i64, i64) = eval(&lua, "return double(1, 2, 3)");
    assert_eq!((a, b, c), (2, 4, 6));
    let (n, last): (i64, i64) =
        eval(&lua, "local t = {} for i = 1, 5000 do t[i] = i end local r = {double(table.unpack(t))} return #r, r[#r]");
    assert_eq!((n, last), (5000, 10000));
    // Variadic errors name the right position.
    let msg = lua_error_message(&lua, "double(1, 2, 'x')");
    assert_eq!(without_position(&msg), "bad argument #3 to 'double' (number expected, got string)");

    // A fixed head, then everything else as a LuaMultiValue, nils included.
    let split = lua
        .create_function(|_, (head, rest): (String, LuaMultiValue)| {
            let mut out = LuaMultiValue::new();
            out.push_back(LuaValue::Integer(rest.len() as i64));
            for v in rest {
                out.push_back(v);
            }
            out.push_back(LuaValue::Boolean(head == "h"));
            Ok(out)
        })
        .unwrap();
    lua.globals().set("split", split).unwrap();
    let all: LuaMultiValue = eval(&lua, "return split('h', 1, nil, 'x', nil)");
    assert_eq!(all.len(), 6);
    assert_eq!(all.front().unwrap().as_integer(), Some(4));
    assert!(all.get(2).unwrap().is_nil());
    assert!(all.get(4).unwrap().is_nil());
    assert_eq!(all.get(5).unwrap().as_boolean(), Some(true));
    assert_eq!(eval::<i64>(&lua, "return select('#', split('h', nil, nil))"), 4);

    // Returning many values from Rust.
    let range = lua.create_function(|_, n: i64| Ok(LuaVariadic((1..=n).collect::<Vec<i64>>()))).unwrap();
    lua.globals().set("range", range).unwrap();
    assert_eq!(eval::<i64>(&lua, "return select('#', range(20000))"), 20000);
    assert_eq!(
        eval::<i64>(&lua, "local t = {range(100)} local s = 0 for _, v in ipairs(t) do s = s + v end return s"),
        5050
    );
    // Returning a tuple with mixed types.
    let mixed = lua.create_function(|_, ()| Ok((1, "two", 3.5, true, LuaNil, vec![1, 2]))).unwrap();
    lua.globals().set("mixed", mixed).unwrap();
    assert_eq!(
        eval::<String>(
            &lua,
            "local a, b, c, d, e, f = mixed() return table.concat({type(a), b, c, tostring(d), tostring(e), #f}, ',')"
        ),
        "number,two,3.5,true,nil,2"
    );
    assert_eq!(eval::<i64>(&lua, "return select('#', mixed())"), 6);
}

// ---------------------------------------------------------------------------
// create_function_mut.

#[test]
fn create_function_mut_keeps_state_across_calls() {
    let lua = Lua::new();
    let mut total = 0;
    let mut history = Vec::new();
    let acc = lua
        .create_function_mut(move |_, n: i64| {
            total += n;
            history.push(n);
            Ok((total, history.len()))
        })
        .unwrap();
    lua.globals().set("acc", &acc).unwrap();
    assert_eq!(eval::<(i64, i64)>(&lua, "acc(1) acc(2) return acc(3)"), (6, 3));
    assert_eq!(acc.call::<(i64, i64)>(10).unwrap(), (16, 4));
}

#[test]
fn recursive_mut_callback_is_an_error() {
    let lua = Lua::new();
    let depth = Rc::new(Cell::new(0));
    let d = depth.clone();
    let mutf = lua
        .create_function_mut(move |_, f: LuaFunction| {
            d.set(d.get() + 1);
            f.call::<()>(())
        })
        .unwrap();
    lua.globals().set("mutf", mutf).unwrap();
    // Caught by pcall in Lua.
    let (ok, msg): (bool, String) =
        eval(&lua, "local ok, e mutf(function() ok, e = pcall(mutf, function() end) end) return ok, tostring(e)");
    assert!(!ok);
    assert_eq!(msg, "mutable callback called recursively");
    assert_eq!(depth.get(), 1, "the inner call did not run the closure");
    // Uncaught, it reaches the host.
    let err = lua.load("mutf(function() mutf(function() end) end)").exec().unwrap_err();
    assert!(matches!(err, LuaError::CallbackError { .. }), "{err:?}");
    assert!(matches!(err.root_cause(), LuaError::RecursiveMutCallback), "{err:?}");
    // The callback is usable again afterwards.
    lua.load("mutf(function() end)").exec().unwrap();
    assert_eq!(depth.get(), 3);
}

// ---------------------------------------------------------------------------
// Bad arguments, worded as PUC words them.

#[test]
fn bad_argument_of_a_global_function() {
    let lua = with_greet();
    assert_eq!(
        without_position(&lua_error_message(&lua, "greet('a', nil)")),
        "bad argument #2 to 'greet' (string expected, got nil)"
    );
    assert_eq!(
        without_position(&lua_error_message(&lua, "greet({}, 'b')")),
        "bad argument #1 to 'greet' (string expected, got table)"
    );
    // Called directly by pcall, there is no calling Lua line.
    let msg: String = eval(&lua, "local ok, e = pcall(greet, 'a', nil) return tostring(e)");
    assert_eq!(msg, "bad argument #2 to 'greet' (string expected, got nil)");
    // Uncaught, the host gets mlua's wording of the same error.
    let err = lua.load("greet('a', nil)").set_name("=cb").exec().unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("bad argument #2 to `greet`: error converting Lua nil to String"), "{shown}");
    assert!(matches!(err.root_cause(), LuaError::BadArgument { pos: 2, .. }), "{err:?}");
}

#[test]
fn bad_argument_messages_start_with_the_caller_position() {
    // As luaL_argerror (through luaL_error): the position of the Lua code
    // that called the function comes first.
    let lua = with_greet();
    assert_eq!(
        lua_error_message(&lua, "greet('a', nil)"),
        "cb:1: bad argument #2 to 'greet' (string expected, got nil)"
    );
    let msg: String = eval(&lua, "local ok, e = pcall(function()\n\n greet(1, {}) end) return tostring(e)");
    assert_eq!(msg, "cb:3: bad argument #2 to 'greet' (string expected, got table)");
    // The host gets the error as a value: a CallbackError around the
    // BadArgument, displayed as mlua displays it, followed by one traceback
    // that shows where the call was.
    let err = lua.load("\ngreet('a', nil)").set_name("=host.lua").exec().unwrap_err();
    match &err {
        LuaError::CallbackError { cause, .. } => {
            assert!(matches!(**cause, LuaError::BadArgument { pos: 2, .. }), "{cause:?}")
        }
        other => panic!("expected a CallbackError, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.starts_with("bad argument #2 to `greet`: error converting Lua nil to String\nstack traceback:\n"),
        "{shown}"
    );
    assert_eq!(shown.matches("stack traceback:").count(), 1, "{shown}");
    assert!(shown.contains("\n\thost.lua:2: in main chunk"), "{shown}");
}

#[test]
fn bad_argument_missing_is_no_value() {
    // PUC distinguishes an absent argument ("no value") from an explicit nil.
    let lua = with_greet();
    assert_eq!(
        without_position(&lua_error_message(&lua, "greet('a')")),
        "bad argument #2 to 'greet' (string expected, got no value)"
    );
}

#[test]
fn bad_argument_uses_the_name_of_the_call() {
    let lua = with_greet();
    lua.load("obj = {greet = greet} local t = {a = {}} t.a.b = greet deep = t").exec().unwrap();
    // A field of a global table, and of a local one.
    assert_eq!(
        without_position(&lua_error_message(&lua, "obj.greet('a', nil)")),
        "bad argument #2 to 'greet' (string expected, got nil)"
    );
    assert_eq!(
        without_position(&lua_error_message(&lua, "local o = obj o.greet('a', nil)")),
        "bad argument #2 to 'greet' (string expected, got nil)"
    );
    assert_eq!(
        without_position(&lua_error_message(&lua, "deep.a.b(nil)")),
        "bad argument #1 to 'b' (string expected, got nil)"
    );
    // A local alias.
    assert_eq!(
        without_position(&lua_error_message(&lua, "local hello = greet hello('a', nil)")),
        "bad argument #2 to 'hello' (string expected, got nil)"
    );
}

#[test]
fn bad_argument_in_method_calls() {
    let lua = Lua::new();
    let describe = lua
        .create_function(|_, (this, name, n): (LuaTable, String, i64)| Ok(format!("{}:{name}:{n}", this.raw_len())))
        .unwrap();
    lua.load("obj = {}").exec().unwrap();
    lua.globals().get::<LuaTable>("obj").unwrap().set("describe", describe).unwrap();
    assert_eq!(eval::<String>(&lua, "return obj:describe('x', 3)"), "0:x:3");
    // The position shifts by one: self is not counted.
    assert_eq!(
        without_position(&lua_error_message(&lua, "obj:describe(nil, 3)")),
        "bad argument #1 to 'describe' (string expected, got nil)"
    );
    assert_eq!(
        without_position(&lua_error_message(&lua, "obj:describe('x', 'y')")),
        "bad argument #2 to 'describe' (number expected, got string)"
    );
    // The same function called with a dot counts every argument.
    assert_eq!(
        without_position(&lua_error_message(&lua, "obj.describe(obj, nil, 3)")),
        "bad argument #2 to 'describe' (string expected, got nil)"
    );
}

#[test]
fn bad_self_in_method_calls() {
    let lua = Lua::new();
    let needs_string = lua.create_function(|_, (s, _n): (String, i64)| Ok(s)).unwrap();
    lua.globals().set("obj", lua.create_table_from([("m", needs_string)]).unwrap()).unwrap();
    assert_eq!(
        without_position(&lua_error_message(&lua, "obj:m(1)")),
        "calling 'm' on bad self (string expected, got table)"
    );
}

#[test]
fn bad_argument_of_an_unnamed_function() {
    let lua = Lua::new();
    let f = lua.create_function(|_, n: i64| Ok(n)).unwrap();
    // Called from the host: no call site and no global name.
    let err = f.call::<i64>("x").unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("bad argument #1: error converting Lua string to number"), "{shown}");
    // Its root cause is the BadArgument error.
    match err.root_cause() {
        LuaError::BadArgument { pos, cause, .. } => {
            assert_eq!(*pos, 1);
            assert!(matches!(**cause, LuaError::FromLuaConversionError { .. }), "{cause:?}");
        }
        other => panic!("expected BadArgument, got {other:?}"),
    }
}

#[test]
fn integer_arguments_truncate_floats_and_check_the_range() {
    let lua = Lua::new();
    let f = lua.create_function(|_, (a, b): (i64, u8)| Ok(a + b as i64)).unwrap();
    lua.globals().set("f", f).unwrap();
    assert_eq!(eval::<i64>(&lua, "return f(2.0, 3)"), 5);
    assert_eq!(eval::<i64>(&lua, "return f(1.5, 1)"), 2, "truncated, as mlua converts");
    assert_eq!(eval::<i64>(&lua, "return f(-1.5, '1.9')"), 0);
    let msg = lua_error_message(&lua, "f(1, 300)");
    assert!(without_position(&msg).starts_with("bad argument #2 to 'f' ("), "{msg}");
    assert!(msg.contains("out of range"), "{msg}");
    let msg = lua_error_message(&lua, "f(0/0, 1)");
    assert!(without_position(&msg).starts_with("bad argument #1 to 'f' ("), "{msg}");
    // Lua's own functions keep luaL_checkinteger's rule.
    assert_eq!(
        without_position(&lua_error_message(&lua, "string.rep('x', 1.5)")),
        "bad argument #2 to 'rep' (number has no integer representation)"
    );
}

// ---------------------------------------------------------------------------
// Rust errors travelling through Lua.

#[test]
fn rust_errors_are_catchable_in_lua() {
    let lua = Lua::new();
    let fail = lua.create_function(|_, msg: String| -> LuaResult<()> { Err(LuaError::runtime(msg)) }).unwrap();
    lua.globals().set("fail", fail).unwrap();
    let (ok, msg, ty): (bool, String, String) =
        eval(&lua, "local ok, e = pcall(fail, 'rust failure') return ok, tostring(e), type(e)");
    assert!(!ok);
    assert_eq!(msg, "rust failure");
    assert_eq!(ty, "userdata");
    // error() messages from Lua code and Rust errors mix in one handler.
    let msg: String = eval(&lua, "local ok, e = pcall(function() fail('inner') end) return tostring(e)");
    assert_eq!(msg, "inner");
    // An external error shows its own message.
    let io_fail = lua
        .create_function(|_, ()| -> LuaResult<()> {
            Err(LuaError::external(io::Error::new(io::ErrorKind::NotFound, "no such thing")))
        })
        .unwrap();
    lua.globals().set("io_fail", io_fail).unwrap();
    let msg: String = eval(&lua, "local ok, e = pcall(io_fail) return tostring(e)");
    assert_eq!(msg, "no such thing");
}

#[test]
fn rust_errors_come_back_to_the_host_as_the_same_error() {
    let lua = Lua::new();
    let io_fail = lua
        .create_function(|_, ()| -> LuaResult<()> {
            Err(LuaError::external(io::Error::new(io::ErrorKind::PermissionDenied, "access denied")))
        })
        .unwrap();
    lua.globals().set("io_fail", io_fail).unwrap();
    let err = lua.load("local function wrapper() io_fail() end\nwrapper()").set_name("=host.lua").exec().unwrap_err();
    let LuaError::CallbackError { traceback, cause } = &err else { panic!("expected CallbackError, got {err:?}") };
    match &**cause {
        LuaError::ExternalError(e) => {
            let io = e.downcast_ref::<io::Error>().expect("an io::Error");
            assert_eq!(io.kind(), io::ErrorKind::PermissionDenied);
        }
        other => panic!("expected the external error, got {other:?}"),
    }
    assert_eq!(err.downcast_ref::<io::Error>().unwrap().kind(), io::ErrorKind::PermissionDenied);
    assert!(!traceback.is_empty());
    assert!(err.traceback().iter().any(|f| f.source == "host.lua" && f.line == Some(1)), "{traceback}");
    // Display: the message once, then the traceback.
    let shown = err.to_string();
    assert!(shown.starts_with("access denied\nstack traceback:\n"), "{shown}");
    assert_eq!(shown.matches("access denied").count(), 1, "{shown}");
    assert!(shown.contains("host.lua:1: in local 'wrapper'"), "{shown}");
    // A call through a LuaFunction handle gives the same.
    let f: LuaFunction = lua.globals().get("io_fail").unwrap();
    let err = f.call::<()>(()).unwrap_err();
    assert_eq!(err.downcast_ref::<io::Error>().unwrap().kind(), io::ErrorKind::PermissionDenied);
}

#[test]
fn rust_errors_rethrown_by_lua_keep_their_identity() {
    #[derive(Debug)]
    struct Custom(u32);
    impl std::fmt::Display for Custom {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "custom error {}", self.0)
        }
    }
    impl std::error::Error for Custom {}

    let lua = Lua::new();
    let fail = lua.create_function(|_, code: u32| -> LuaResult<()> { Err(LuaError::external(Custom(code))) }).unwrap();
    lua.globals().set("fail", fail).unwrap();
    // Caught by pcall, then raised again with error().
    let err = lua.load("local ok, e = pcall(fail, 7) error(e)").exec().unwrap_err();
    assert_eq!(err.downcast_ref::<Custom>().map(|c| c.0), Some(7), "{err:?}");
    // Returned as a value, it is a LuaValue::Error.
    let v: LuaValue = eval(&lua, "local ok, e = pcall(fail, 8) return e");
    match v {
        LuaValue::Error(e) => assert_eq!(e.downcast_ref::<Custom>().map(|c| c.0), Some(8)),
        other => panic!("expected LuaValue::Error, got {other:?}"),
    }
    // Passing it back into Lua keeps it.
    let (ok, msg): (bool, String) =
        eval(&lua, "local ok, e = pcall(fail, 9) local ok2, e2 = pcall(error, e) return ok2, tostring(e2)");
    assert!(!ok);
    assert_eq!(msg, "custom error 9");
}

#[test]
fn error_context_is_shown() {
    let lua = Lua::new();
    let f = lua
        .create_function(|_, ()| -> LuaResult<()> {
            Err(LuaError::runtime("low level")).context("while loading config")
        })
        .unwrap();
    lua.globals().set("f", f).unwrap();
    let msg: String = eval(&lua, "local ok, e = pcall(f) return tostring(e)");
    assert_eq!(msg, "while loading config: low level");
    let err = lua.load("f()").exec().unwrap_err();
    assert!(err.to_string().starts_with("while loading config: low level"), "{err}");
    assert!(
        matches!(err.root_cause(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("low level"))
    );
}

// ---------------------------------------------------------------------------
// Panics.

/// Runs `f`, expecting a panic, and returns its message.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(p) => match p.downcast::<String>() {
            Ok(s) => *s,
            Err(p) => p.downcast::<&str>().map(|s| s.to_string()).unwrap_or_default(),
        },
    }
}

#[test]
fn panics_reach_the_host_and_pcall_may_catch_them() {
    let lua = Lua::new();
    let boom = lua.create_function(|_, n: i64| -> LuaResult<i64> { panic!("boom number {n}") }).unwrap();
    lua.globals().set("boom", boom).unwrap();
    // `pcall` may catch a panic (`catch_rust_panics` is on by default).
    let (ok, msg): (bool, String) = eval(&lua, "local ok, e = pcall(boom, 3) return ok, tostring(e)");
    assert!(!ok);
    assert!(msg.contains("boom number 3"), "{msg}");
    // Uncaught, the host gets the panic back, not an error.
    assert_eq!(panic_message(|| lua.load("boom(4)").exec()), "boom number 4");
    // A panic with a non-string payload.
    let odd = lua.create_function(|_, ()| -> LuaResult<()> { std::panic::panic_any(42_u32) }).unwrap();
    lua.globals().set("odd", odd).unwrap();
    let (ok, _msg): (bool, String) = eval(&lua, "local ok, e = pcall(odd) return ok, tostring(e)");
    assert!(!ok);
    // The state stays usable, with its globals and callbacks.
    assert_eq!(eval::<i64>(&lua, "return 40 + 2"), 42);
    let ok = lua.create_function(|_, ()| Ok("fine")).unwrap();
    assert_eq!(ok.call::<String>(()).unwrap(), "fine");
    let t = lua.create_table().unwrap();
    t.set(1, 1).unwrap();
    assert_eq!(t.get::<i64>(1).unwrap(), 1);
}

#[test]
fn panics_inside_nested_calls_unwind_cleanly() {
    let lua = Lua::new();
    let boom = lua.create_function(|_, ()| -> LuaResult<()> { panic!("deep panic") }).unwrap();
    lua.globals().set("boom", boom).unwrap();
    let relay = lua.create_function(|lua, ()| lua.load("boom()").exec()).unwrap();
    lua.globals().set("relay", relay).unwrap();
    assert_eq!(panic_message(|| lua.load("relay()").exec()), "deep panic");
    // Many times in a row: nothing accumulates.
    lua.gc_collect().unwrap();
    let before = lua.used_memory();
    for _ in 0..100 {
        assert_eq!(panic_message(|| lua.load("relay()").exec()), "deep panic");
    }
    lua.gc_collect().unwrap();
    assert!(lua.used_memory() < before + 4096, "{} -> {}", before, lua.used_memory());
    assert_eq!(eval::<i64>(&lua, "return 1"), 1);
}

// ---------------------------------------------------------------------------
// Re-entrancy.

#[test]
fn callbacks_call_back_into_lua_to_many_levels() {
    // Sixty levels of Lua and Rust take more than the default native stack
    // limit in unoptimized builds: run on a thread with room for them.
    let big = std::thread::Builder::new().stack_size(64 << 20);
    big.spawn(callbacks_to_many_levels).unwrap().join().unwrap();
}

fn callbacks_to_many_levels() {
    let lua = Lua::new();
    lua.set_native_stack_limit(48 << 20).unwrap();
    // rust_down(n) calls lua_down(n - 1), which calls rust_down(n - 2)...
    let rust_down = lua
        .create_function(|lua, n: i64| -> LuaResult<String> {
            if n == 0 {
                return Ok("bottom".to_string());
            }
            let t = lua.create_table()?;
            t.set("level", n)?;
            let f: LuaFunction = lua.globals().get("lua_down")?;
            let below: String = f.call((n - 1, t))?;
            Ok(format!("r{n}>{below}"))
        })
        .unwrap();
    lua.globals().set("rust_down", rust_down).unwrap();
    lua.load("function lua_down(n, t) assert(t.level == n + 1) if n == 0 then return 'bottom' end return 'l' .. n .. '>' .. rust_down(n - 1) end")
        .exec()
        .unwrap();
    let s: String = eval(&lua, "return rust_down(6)");
    assert_eq!(s, "r6>l5>r4>l3>r2>l1>bottom");
    let s: String = eval(&lua, "return rust_down(60)");
    assert!(s.starts_with("r60>l59>r58>") && s.ends_with(">r2>l1>bottom"), "{s}");
}

#[test]
fn errors_deep_in_nested_calls_are_caught_where_expected() {
    let lua = Lua::new();
    let raise_at = lua
        .create_function(|lua, (n, target): (i64, i64)| -> LuaResult<i64> {
            if n == target {
                return Err(LuaError::runtime(format!("failed at {n}")));
            }
            let f: LuaFunction = lua.globals().get("lua_level")?;
            f.call((n + 1, target))
        })
        .unwrap();
    lua.globals().set("raise_at", raise_at).unwrap();
    lua.load(
        r#"
        caught = {}
        function lua_level(n, target)
            if n % 4 == 0 then
                local ok, e = pcall(raise_at, n, target)
                if not ok then caught[#caught + 1] = tostring(e) return -n end
                return e
            end
            return raise_at(n, target)
        end
        "#,
    )
    .exec()
    .unwrap();
    // The error at level 10 is caught by the pcall at level 8.
    assert_eq!(eval::<i64>(&lua, "return raise_at(0, 10)"), -8);
    assert_eq!(eval::<String>(&lua, "return caught[1]"), "failed at 10");
    // An error in Rust at level 2 is below the first pcall (at level 4): it
    // reaches the host as the same error.
    let err = lua.load("return raise_at(1, 2)").exec().unwrap_err();
    assert!(
        matches!(err.root_cause(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("failed at 2")),
        "{err:?}"
    );
    // A Lua error deep inside reaches a Rust caller as a RuntimeError.
    let call_lua = lua
        .create_function(|lua, code: String| -> LuaResult<bool> {
            match lua.load(&code).exec() {
                Ok(()) => Ok(true),
                Err(LuaError::RuntimeError(message)) if message.contains("lua side") => Ok(false),
                Err(e) => Err(e),
            }
        })
        .unwrap();
    lua.globals().set("call_lua", call_lua).unwrap();
    assert!(!eval::<bool>(&lua, "return call_lua(\"error('lua side')\")"));
    assert!(eval::<bool>(&lua, "return call_lua('x = 1')"));
}

#[test]
fn handles_created_in_callbacks_outlive_them() {
    let lua = Lua::new();
    let stash: Rc<RefCell<Vec<LuaTable>>> = Rc::new(RefCell::new(Vec::new()));
    let s = stash.clone();
    let keep = lua
        .create_function(move |lua, v: i64| {
            let t = lua.create_table()?;
            t.set("v", v)?;
            s.borrow_mut().push(t);
            Ok(())
        })
        .unwrap();
    lua.globals().set("keep", keep).unwrap();
    lua.load("for i = 1, 50 do keep(i) end").exec().unwrap();
    lua.gc_collect().unwrap();
    let sum: i64 = stash.borrow().iter().map(|t| t.get::<i64>("v").unwrap()).sum();
    assert_eq!(sum, 1275);
}

/// Recurses Rust -> Lua -> Rust ... without bound; returns the error
/// message the host gets and the one `pcall` gets in Lua.
fn unbounded_recursion() -> (String, String) {
    let lua = Lua::new();
    let down = lua
        .create_function(|lua, n: i64| -> LuaResult<i64> {
            let f: LuaFunction = lua.globals().get("lua_down")?;
            f.call::<i64>(n + 1)
        })
        .unwrap();
    lua.globals().set("rust_down", down).unwrap();
    lua.load("function lua_down(n) return rust_down(n) + 1 end").exec().unwrap();
    let err = lua.load("return lua_down(0)").exec().unwrap_err();
    let host = err.to_string().lines().next().unwrap_or("").to_string();
    let (ok, in_lua): (bool, String) = eval(&lua, "local ok, e = pcall(lua_down, 0) return ok, tostring(e)");
    assert!(!ok);
    // The state is usable afterwards, at normal depths too (ten levels
    // fit in the default budget in unoptimized builds as well).
    lua.load("function lua_down(n) if n > 10 then return n end return rust_down(n) end").exec().unwrap();
    assert_eq!(eval::<i64>(&lua, "return lua_down(0)"), 11);
    (host, in_lua)
}

#[test]
fn unbounded_recursion_through_rust_is_a_clean_error() {
    // A stack overflow aborts the process, so the recursion runs in a child
    // process (this test binary, running only this test), on a thread with
    // Rust's default stack size for spawned threads (2 MiB).
    const CHILD: &str = "LUNA_TEST_UNBOUNDED_RECURSION_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let (host, in_lua) =
            std::thread::Builder::new().stack_size(2 << 20).spawn(unbounded_recursion).unwrap().join().unwrap();
        assert!(host.contains("stack overflow"), "host error: {host}");
        assert!(in_lua.contains("stack overflow"), "error in Lua: {in_lua}");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["unbounded_recursion_through_rust_is_a_clean_error", "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the child failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("1 passed"), "{stdout}");
}

// ---------------------------------------------------------------------------
// The interrupt callback.

#[test]
fn interrupt_stops_an_infinite_loop() {
    let lua = Lua::new();
    let ticks = Rc::new(Cell::new(0));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        if t.get() >= 50 {
            Err(LuaError::runtime("time is up"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })
    .unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(
        matches!(err.root_cause(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("time is up")),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("time is up"), "{err}");
    assert_eq!(ticks.get(), 50);
    // pcall catches it, but the interrupt keeps firing and fails again.
    let err = lua.load("local ok, e = pcall(function() while true do end end) while true do end").exec().unwrap_err();
    assert!(err.to_string().contains("time is up"), "{err}");
    // After removal, loops run to completion and the callback is not called.
    lua.remove_interrupt().unwrap();
    let before = ticks.get();
    let n: i64 = eval(&lua, "local n = 0 for i = 1, 200000 do n = n + 1 end return n");
    assert_eq!(n, 200000);
    assert_eq!(ticks.get(), before);
}

#[test]
fn interrupt_runs_in_loops_of_every_shape() {
    // Loops of every shape the compiler produces, each bounded so that a
    // shape the interrupt misses fails the test instead of hanging it.
    let shapes = [
        "local i = 0 while i < 1e6 do i = i + 1 end",
        "for i = 1, 1e6 do end",
        "local i = 0 repeat i = i + 1 until i >= 1e6",
        "local i = 0 while i < 1e6 do i = i + 1 if i == 5 then end end",
        "local i = 0 ::top:: i = i + 1 if i < 1e6 then goto top end",
        "local t = {1, 2, 3} for j = 1, 1e6 do for k, v in pairs(t) do end end",
        "local function f(n) if n > 0 then return f(n - 1) end end f(1e6)",
    ];
    let mut failures = Vec::new();
    for code in shapes {
        let lua = Lua::new();
        let ticks = Rc::new(Cell::new(0));
        let t = ticks.clone();
        lua.set_interrupt(move |_| {
            t.set(t.get() + 1);
            if t.get() >= 10 {
                Err(LuaError::runtime("interrupted"))
            } else {
                Ok(LuaVmState::Continue)
            }
        })
        .unwrap();
        match lua.load(code).exec() {
            Err(e) if e.to_string().starts_with("interrupted") => {}
            other => failures
                .push(format!("{code}: expected the interrupt's error, got {other:?} after {} ticks", ticks.get())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn interrupt_that_continues_lets_scripts_finish() {
    let lua = Lua::new();
    let ticks = Rc::new(Cell::new(0));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    let n: i64 = eval(&lua, "local n = 0 for i = 1, 100000 do n = n + i % 3 end return n");
    assert_eq!(n, 100000);
    assert!(ticks.get() > 10, "the interrupt ran periodically ({} times)", ticks.get());
    // Replacing the callback.
    let other = Rc::new(Cell::new(0));
    let o = other.clone();
    lua.set_interrupt(move |_| {
        o.set(o.get() + 1);
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    let before = ticks.get();
    lua.load("for i = 1, 100000 do end").exec().unwrap();
    assert_eq!(ticks.get(), before, "the old callback is gone");
    assert!(other.get() > 0);
}

#[test]
fn interrupt_can_use_the_state() {
    let lua = Lua::new();
    lua.globals().set("stop", false).unwrap();
    lua.set_interrupt(|lua| {
        if lua.globals().get::<bool>("stop")? {
            Err(LuaError::runtime("stop requested"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })
    .unwrap();
    let n: i64 = eval(&lua, "local n = 0 for i = 1, 50000 do n = n + 1 end return n");
    assert_eq!(n, 50000);
    let err = lua.load("local i = 0 while i < 1e6 do i = i + 1 if i == 50000 then stop = true end end").exec();
    let err = err.expect_err("the interrupt stops the loop");
    assert!(err.to_string().contains("stop requested"), "{err}");
}

#[test]
fn interrupt_can_yield_coroutines() {
    let lua = Lua::new();
    lua.set_interrupt(|_| Ok(LuaVmState::Yield)).unwrap();
    let f: LuaFunction = eval(&lua, "return function() local n = 0 for i = 1, 100000 do n = n + 1 end return n end");
    let co = lua.create_thread(f.clone()).unwrap();
    let mut resumes = 0;
    let result = loop {
        resumes += 1;
        let r: LuaMultiValue = co.resume(()).unwrap();
        if co.status() == LuaThreadStatus::Finished {
            break r;
        }
        assert!(r.is_empty(), "an interrupt yield passes no values");
        assert!(resumes < 1_000_000);
    };
    assert!(resumes > 1, "the coroutine was suspended by the interrupt");
    assert_eq!(result.front().and_then(LuaValue::as_integer), Some(100000));
    // Outside a coroutine, Yield lets the script continue.
    assert_eq!(f.call::<i64>(()).unwrap(), 100000);
}
