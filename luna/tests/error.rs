//! The facade's error type, `LuaError`: every variant that a program can
//! meet (syntax, runtime with traceback frames, memory, instruction limit,
//! bad argument, conversions both ways, callback errors, recursive mutable
//! callbacks, dropped and mismatched states, external errors), the
//! `Display` output (root cause shown once, one readable traceback, no
//! repetition when an error crosses several Rust/Lua layers),
//! `LuaError::external` and downcasting, the `ExternalError`,
//! `LuaResultExt` and `ErrorContext` helpers, error values of any Lua type,
//! error levels, `LuaValue::Error` round trips and
//! `std::error::Error::source` chains.

use std::error::Error as _;
use std::fmt;

use luna::prelude::*;

/// A Rust error type used as an external error.
#[derive(Debug)]
struct MyError {
    code: i32,
}

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "my error {}", self.code)
    }
}

impl std::error::Error for MyError {}

/// A Rust error with a source.
#[derive(Debug)]
struct Outer {
    inner: std::io::Error,
}

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "outer failed")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}

/// Registers a global Rust function `name` that always fails with `e`.
fn failing_global(lua: &Lua, name: &str, e: LuaError) {
    let f = lua.create_function(move |_, ()| -> LuaResult<()> { Err(e.clone()) }).unwrap();
    lua.globals().set(name, f).unwrap();
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

// ---------------------------------------------------------------------------
// Variants.

#[test]
fn syntax_error_variant() {
    let lua = Lua::new();
    let err = lua.load("x = ").set_name("x = ").exec().unwrap_err();
    match &err {
        LuaError::SyntaxError { message, incomplete_input } => {
            assert_eq!(message, "[string \"x = \"]:1: unexpected symbol near <eof>");
            assert!(*incomplete_input);
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    assert!(err.traceback().is_empty());
    // `load` from Lua reports syntax errors as values, not as host errors.
    let (f, msg): (LuaValue, String) = lua.load("return load('x = = 1')").eval().unwrap();
    assert!(f.is_nil());
    assert_eq!(msg, "[string \"x = = 1\"]:1: unexpected symbol near '='");
}

#[test]
fn runtime_error_with_traceback_frames() {
    let lua = Lua::new();
    let src = "local function f()\n  error('boom')\nend\nlocal function g() f() end\nlocal t = {}\nfunction t.m() g() end\nfunction gl() t.m() end\ngl()\n";
    let err = lua.load(src).set_name("=t.lua").exec().unwrap_err();
    let LuaError::RuntimeError(full) = &err else { panic!("expected a runtime error, got {err:?}") };
    let message = &full.split("\nstack traceback:").next().unwrap().to_string();
    let traceback = &err.traceback();
    assert_eq!(message, "t.lua:2: boom");
    let frames: Vec<(String, Option<u32>, String)> =
        traceback.iter().map(|f| (f.source.clone(), f.line, f.name.clone())).collect();
    let expected = vec![
        ("[C]".to_string(), None, "function 'error'".to_string()),
        ("t.lua".to_string(), Some(2), "upvalue 'f'".to_string()),
        ("t.lua".to_string(), Some(4), "upvalue 'g'".to_string()),
        ("t.lua".to_string(), Some(6), "field 'm'".to_string()),
        ("t.lua".to_string(), Some(7), "function 'gl'".to_string()),
        ("t.lua".to_string(), Some(8), "main chunk".to_string()),
    ];
    assert_eq!(frames, expected);
    assert_eq!(
        err.to_string(),
        "runtime error: t.lua:2: boom\nstack traceback:\n\t[C]: in function 'error'\n\tt.lua:2: in upvalue 'f'\n\tt.lua:4: in upvalue 'g'\n\tt.lua:6: in field 'm'\n\tt.lua:7: in function 'gl'\n\tt.lua:8: in main chunk"
    );
    assert_eq!(err.traceback().len(), 6);
    assert_eq!(traceback[1].to_string(), "t.lua:2: in upvalue 'f'");
    assert_eq!(traceback[0].to_string(), "[C]: in function 'error'");
}

#[test]
fn runtime_error_raised_by_the_vm() {
    let lua = Lua::new();
    let err = lua.load("local t = nil\nreturn t.x").set_name("=vm").exec().unwrap_err();
    let LuaError::RuntimeError(full) = &err else { panic!("{err:?}") };
    let message = &full.split("\nstack traceback:").next().unwrap().to_string();
    let traceback = &err.traceback();
    assert_eq!(message, "vm:2: attempt to index a nil value (local 't')");
    assert_eq!(traceback.len(), 1);
    assert_eq!(traceback[0].source, "vm");
    assert_eq!(traceback[0].line, Some(2));
    assert_eq!(traceback[0].name, "main chunk");
    // Errors of library functions carry their position and name.
    let err = lua.load("string.rep()").set_name("=lib").exec().unwrap_err();
    let LuaError::RuntimeError(full) = &err else { panic!("{err:?}") };
    let message = &full.split("\nstack traceback:").next().unwrap().to_string();
    let traceback = &err.traceback();
    assert_eq!(message, "lib:1: bad argument #1 to 'rep' (string expected, got no value)");
    assert_eq!(traceback[0].source, "[C]");
    assert_eq!(traceback[0].name, "function 'string.rep'");
}

#[test]
fn memory_error_variant() {
    let lua = Lua::new();
    lua.set_memory_limit(lua.used_memory() + (1 << 20)).unwrap();
    let err = lua.load("local s = string.rep('x', 1 << 24)").exec().unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    assert_eq!(err.to_string(), "memory error: not enough memory");
    // Inside Lua, pcall sees PUC's message.
    let (ok, msg): (bool, String) = lua.load("return pcall(string.rep, 'x', 1 << 24)").eval().unwrap();
    assert!(!ok);
    assert_eq!(msg, "not enough memory");
}

#[test]
fn instruction_limit_variant() {
    let lua = Lua::new();
    lua.set_instruction_limit(Some(10_000)).unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
    assert_eq!(err.to_string(), "instruction limit reached");
}

#[test]
fn bad_argument_variant() {
    let lua = Lua::new();
    let greet = lua.create_function(|_, (a, b): (String, String)| Ok(format!("{a} {b}"))).unwrap();
    lua.globals().set("greet", greet).unwrap();
    let err = lua.load("greet('a')").exec().unwrap_err();
    let LuaError::CallbackError { cause, traceback } = &err else { panic!("{err:?}") };
    match &**cause {
        LuaError::BadArgument { to, pos, cause, .. } => {
            assert_eq!(to.as_deref(), Some("greet"));
            assert_eq!(*pos, 2);
            // The argument is absent: "no value", not "nil".
            assert!(matches!(**cause, LuaError::FromLuaConversionError { from: "no value", .. }), "{cause:?}");
        }
        other => panic!("expected a bad argument error, got {other:?}"),
    }
    assert!(traceback.starts_with("stack traceback:\n"), "{traceback}");
    assert_eq!(err.traceback()[0].name, "function 'greet'");
    // The host sees mlua's wording, Lua sees PUC's.
    assert_eq!(cause.to_string(), "bad argument #2 to `greet`: error converting Lua no value to String");
    let seen: String = lua.load("local ok, e = pcall(greet, 'a') return tostring(e)").eval().unwrap();
    assert_eq!(seen, "bad argument #2 to 'greet' (string expected, got no value)");
    let shown = err.to_string();
    assert!(
        shown.starts_with("bad argument #2 to `greet`: error converting Lua no value to String\nstack traceback:"),
        "{shown}"
    );
    // As mlua's, a CallbackError has no source (its display shows the
    // cause); `parent` gives the cause.
    assert!(std::error::Error::source(&err).is_none());
    assert_eq!(err.parent().unwrap().to_string(), cause.to_string());
    // An explicit nil is "nil".
    let err = lua.load("greet('a', nil)").exec().unwrap_err();
    match err.root_cause() {
        LuaError::BadArgument { cause, .. } => {
            assert!(matches!(**cause, LuaError::FromLuaConversionError { from: "nil", .. }), "{cause:?}")
        }
        other => panic!("expected a bad argument error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("bad argument #2 to `greet`: error converting Lua nil to String\n"), "{err}");
    // Lua code sees PUC's message.
    let msg: String = lua.load("local ok, e = pcall(greet, 'x', {}) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "bad argument #2 to 'greet' (string expected, got table)");
}

#[test]
fn bad_argument_in_method_calls_counts_like_puc() {
    let lua = Lua::new();
    let m = lua.create_function(|_, (_this, n): (LuaTable, i64)| Ok(n)).unwrap();
    let obj = lua.create_table().unwrap();
    obj.set("scale", m).unwrap();
    lua.globals().set("obj", obj).unwrap();
    assert_eq!(lua.load("return obj:scale(3)").eval::<i64>().unwrap(), 3);
    // As luaL_argerror: the caller's position comes first, and a method
    // call does not count `self`.
    let msg: String = lua
        .load("local ok, e = pcall(function() return obj:scale('x') end) return tostring(e)")
        .set_name("=m")
        .eval()
        .unwrap();
    assert_eq!(msg, "m:1: bad argument #1 to 'scale' (number expected, got string)");
    // The same function called as a field counts `self` as argument 1.
    let msg: String = lua
        .load("local ok, e = pcall(function() return obj.scale(obj, 'x') end) return tostring(e)")
        .set_name("=m")
        .eval()
        .unwrap();
    assert_eq!(msg, "m:1: bad argument #2 to 'scale' (number expected, got string)");
    // A bad receiver of a method call is "bad self".
    let msg: String = lua
        .load(
            "local o = {scale = obj.scale} local ok, e = pcall(function() return o.scale(1, 2) end) return tostring(e)",
        )
        .set_name("=m")
        .eval()
        .unwrap();
    assert_eq!(msg, "m:1: bad argument #1 to 'scale' (table expected, got number)");
    let msg: String = lua
        .load("string.scale = obj.scale local ok, e = pcall(function() return ('abc'):scale(2) end) return tostring(e)")
        .set_name("=m")
        .eval()
        .unwrap();
    assert_eq!(msg, "m:1: calling 'scale' on bad self (table expected, got string)");
    // On the host side the position counts the receiver, as mlua's do.
    let err = lua.load("return ('abc'):scale(2)").exec().unwrap_err();
    assert!(matches!(err.root_cause(), LuaError::BadArgument { pos: 1, .. }), "{err:?}");
    assert!(err.to_string().starts_with("bad argument #1 to `scale`: error converting Lua string to table\n"), "{err}");
}

#[test]
fn from_lua_conversion_errors() {
    let lua = Lua::new();
    let err = lua.load("return {}").eval::<i64>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { from: "table", .. }), "{err:?}");
    assert_eq!(err.to_string(), "error converting Lua table to number");
    let err = lua.load("return 0/0").eval::<i64>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { from: "number", .. }), "{err:?}");
    assert!(err.to_string().contains("out of range"), "{err}");
    let err = lua.load("return 300").eval::<u8>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    assert!(err.to_string().contains("out of range"), "{err}");
    let err = lua.load("return -1").eval::<u32>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    assert_eq!(lua.load("return 255").eval::<u8>().unwrap(), 255);
    let err = lua.load("return '\\xff'").eval::<String>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { from: "string", .. }), "{err:?}");
    let err = lua.load("return 'abc'").eval::<f64>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { from: "string", .. }), "{err:?}");
    let err = lua.load("return 1").eval::<LuaTable>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { from: "number", .. }), "{err:?}");
    assert_eq!(err.to_string(), "error converting Lua number to table");
    let err = lua.load("return print").eval::<LuaThread>().unwrap_err();
    assert!(matches!(&err, LuaError::FromLuaConversionError { from: "function", .. }), "{err:?}");
}

#[test]
fn wide_rust_integers_become_floats_never_wrapped_integers() {
    let lua = Lua::new();
    assert_eq!(u64::MAX.into_lua(&lua).unwrap(), LuaValue::Number(u64::MAX as f64));
    assert_eq!(i128::MIN.into_lua(&lua).unwrap(), LuaValue::Number(i128::MIN as f64));
    assert_eq!(255u8.into_lua(&lua).unwrap(), LuaValue::Integer(255));
    assert_eq!((i64::MAX as u64).into_lua(&lua).unwrap(), LuaValue::Integer(i64::MAX));
    // As call arguments and callback results alike.
    let f: LuaFunction = lua.load("return function(x) return math.type(x), x end").eval().unwrap();
    let (ty, x): (String, f64) = f.call(i64::MAX as u64 + 1).unwrap();
    assert_eq!((ty.as_str(), x), ("float", 2f64.powi(63)));
    let big = lua.create_function(|_, ()| Ok(u64::MAX)).unwrap();
    lua.globals().set("big", big).unwrap();
    assert!(lua.load("return big() == 2^64 and math.type(big()) == 'float'").eval::<bool>().unwrap());
}

#[test]
fn callback_error_variant() {
    let lua = Lua::new();
    failing_global(&lua, "rf", LuaError::runtime("rust fail"));
    let err =
        lua.load("local function a() rf() end\nlocal function b() a() end\nb()").set_name("=cb").exec().unwrap_err();
    let LuaError::CallbackError { traceback, cause } = &err else { panic!("{err:?}") };
    assert!(
        matches!(&**cause, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("rust fail")),
        "{cause:?}"
    );
    let frames: Vec<String> = err.traceback().iter().map(|f| f.to_string()).collect();
    assert!(traceback.starts_with("stack traceback:\n\t[C]: in function 'rf'"), "{traceback}");
    assert_eq!(frames, ["[C]: in function 'rf'", "cb:1: in upvalue 'a'", "cb:2: in local 'b'", "cb:3: in main chunk"]);
    assert_eq!(
        err.to_string(),
        "rust fail\nstack traceback:\n\t[C]: in function 'rf'\n\tcb:1: in upvalue 'a'\n\tcb:2: in local 'b'\n\tcb:3: in main chunk"
    );
    assert!(matches!(err.root_cause(), LuaError::RuntimeError(_)));
    // Calling the callback directly from Rust.
    let rf: LuaFunction = lua.globals().get("rf").unwrap();
    let err = rf.call::<()>(()).unwrap_err();
    assert_eq!(err.root_cause().to_string(), "runtime error: rust fail");
}

#[test]
fn panic_in_callback_is_resumed_not_an_error() {
    let lua = Lua::new();
    let p = lua.create_function(|_, ()| -> LuaResult<()> { panic!("oops") }).unwrap();
    lua.globals().set("p", p).unwrap();
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lua.load("p()").exec())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"oops"));
    // `pcall` may catch it (`LuaOptions::catch_rust_panics`, on by
    // default); `tostring` gives the panic message.
    let (ok, msg): (bool, String) = lua.load("local ok, e = pcall(p) return ok, tostring(e)").eval().unwrap();
    assert!(!ok);
    assert_eq!(msg, "oops");
    // The state is still usable.
    assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
}

#[test]
fn recursive_mut_callback_variant() {
    let lua = Lua::new();
    let mut calls = 0;
    let f = lua
        .create_function_mut(move |lua, ()| {
            calls += 1;
            lua.load("again()").exec()?;
            Ok(calls)
        })
        .unwrap();
    lua.globals().set("again", f.clone()).unwrap();
    let err = f.call::<i64>(()).unwrap_err();
    assert!(matches!(err.root_cause(), LuaError::RecursiveMutCallback), "{err:?}");
    assert!(err.to_string().starts_with("mutable callback called recursively"), "{err}");
    assert_eq!(count(&err.to_string(), "mutable callback called recursively"), 1, "{err}");
    // A mutable callback that does not recurse works, and keeps its state.
    let mut n = 0;
    let counter = lua
        .create_function_mut(move |_, ()| {
            n += 1;
            Ok(n)
        })
        .unwrap();
    assert_eq!(counter.call::<i64>(()).unwrap(), 1);
    assert_eq!(counter.call::<i64>(()).unwrap(), 2);
}

#[test]
fn state_dropped_variant() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    let f: LuaFunction = lua.load("return function() return 1 end").eval().unwrap();
    let co = lua.create_thread(f.clone()).unwrap();
    let s = lua.create_string("abc").unwrap();
    drop(lua);
    assert!(matches!(t.get::<LuaValue>(1), Err(LuaError::StateDropped)));
    assert!(matches!(t.set(1, 2), Err(LuaError::StateDropped)));
    assert!(matches!(f.call::<()>(()), Err(LuaError::StateDropped)));
    assert!(matches!(co.resume::<()>(()), Err(LuaError::StateDropped)));
    assert!(matches!(s.to_str(), Err(LuaError::StateDropped)));
    assert_eq!(LuaError::StateDropped.to_string(), "the Lua state this value belongs to has been dropped");
}

#[test]
fn mismatched_state_variant() {
    let lua1 = Lua::new();
    let lua2 = Lua::new();
    let t1 = lua1.create_table().unwrap();
    let err = lua2.globals().set("t", t1.clone()).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
    let f2: LuaFunction = lua2.load("return function(x) return x end").eval().unwrap();
    let err = f2.call::<LuaValue>(t1.clone()).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
    let f1: LuaFunction = lua1.load("return function() end").eval().unwrap();
    let err = lua2.create_thread(f1).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
    let env = lua1.create_table().unwrap();
    let err = lua2.load("x = 1").set_environment(env).exec().unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
    assert_eq!(LuaError::MismatchedState.to_string(), "value belongs to another Lua state");
}

#[test]
fn external_error_and_downcast() {
    let err = LuaError::external(MyError { code: 7 });
    assert!(matches!(err, LuaError::ExternalError(_)));
    assert_eq!(err.to_string(), "my error 7");
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(7));
    assert!(err.downcast_ref::<std::io::Error>().is_none());
    // Through a callback and back to the host: the very same error.
    let lua = Lua::new();
    failing_global(&lua, "fail", LuaError::external(MyError { code: 42 }));
    let err = lua.load("fail()").exec().unwrap_err();
    assert!(matches!(err, LuaError::CallbackError { .. }), "{err:?}");
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(42));
    assert!(err.to_string().starts_with("my error 42\nstack traceback:"), "{err}");
    // Through pcall and a rethrow in Lua.
    let err = lua.load("local ok, e = pcall(fail) error(e)").exec().unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(42));
    // Strings and io errors convert too.
    let err = LuaError::external("plain message");
    assert_eq!(err.to_string(), "plain message");
    let err: LuaError = std::io::Error::other("io trouble").into();
    assert_eq!(err.downcast_ref::<std::io::Error>().map(|e| e.kind()), Some(std::io::ErrorKind::Other));
}

#[test]
fn external_error_trait_and_result_ext() {
    let e = std::io::Error::new(std::io::ErrorKind::NotFound, "gone").into_lua_err();
    assert!(matches!(e, LuaError::ExternalError(_)));
    assert_eq!(e.to_string(), "gone");
    let r: Result<i32, MyError> = Err(MyError { code: 3 });
    let r: LuaResult<i32> = r.into_lua_err();
    let err = r.unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(3));
    let ok: Result<i32, MyError> = Ok(5);
    assert_eq!(ok.into_lua_err().unwrap(), 5);
    // In a callback, with `?`.
    let lua = Lua::new();
    let parse = lua.create_function(|_, s: String| s.parse::<i64>().into_lua_err()).unwrap();
    lua.globals().set("parse", parse).unwrap();
    assert_eq!(lua.load("return parse('12')").eval::<i64>().unwrap(), 12);
    let err = lua.load("parse('x')").exec().unwrap_err();
    assert!(err.downcast_ref::<std::num::ParseIntError>().is_some(), "{err:?}");
    assert!(err.to_string().starts_with("invalid digit found in string"), "{err}");
}

#[test]
fn context_helpers() {
    let r: LuaResult<()> = Err(LuaError::runtime("low level"));
    let err = r.context("loading config").unwrap_err();
    assert!(matches!(&err, LuaError::WithContext { .. }));
    assert_eq!(err.to_string(), "loading config: runtime error: low level");
    assert_eq!(err.root_cause().to_string(), "runtime error: low level");

    let r: LuaResult<()> = Err(LuaError::external(MyError { code: 9 }));
    let err = r.with_context(|e| format!("while handling <{e}>")).unwrap_err();
    assert_eq!(err.to_string(), "while handling <my error 9>: my error 9");
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(9));

    let ok: LuaResult<i32> = Ok(1);
    assert_eq!(ok.context("unused").unwrap(), 1);
    let err = LuaError::runtime("x").context("a").context("b");
    assert_eq!(err.to_string(), "b: runtime error: x", "new context replaces the old one, as mlua's");
}

#[test]
fn context_inside_callbacks() {
    let lua = Lua::new();
    let f = lua
        .create_function(|_, n: i64| -> LuaResult<i64> {
            Err::<i64, _>(LuaError::external(MyError { code: n as i32 })).context("step failed")
        })
        .unwrap();
    lua.globals().set("step", f).unwrap();
    let msg: String = lua.load("local ok, e = pcall(step, 5) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "step failed: my error 5");
    let err = lua.load("step(6)").exec().unwrap_err();
    assert!(err.to_string().starts_with("step failed: my error 6\nstack traceback:"), "{err}");
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(6));
}

// ---------------------------------------------------------------------------
// Display across layers.

#[test]
fn callback_error_through_several_layers_is_displayed_once() {
    let lua = Lua::new();
    failing_global(&lua, "rf", LuaError::runtime("rust fail"));
    let outer = lua.create_function(|lua, ()| lua.load("rf()").set_name("=inner").exec()).unwrap();
    lua.globals().set("outer", outer).unwrap();
    let outermost = lua.create_function(|lua, ()| lua.load("outer()").set_name("=middle").exec()).unwrap();
    lua.globals().set("outermost", outermost).unwrap();
    let err = lua.load("outermost()").set_name("=top").exec().unwrap_err();
    let shown = err.to_string();
    assert_eq!(count(&shown, "rust fail"), 1, "{shown}");
    assert_eq!(count(&shown, "stack traceback:"), 1, "{shown}");
    assert!(
        shown.starts_with("rust fail\nstack traceback:\n\t[C]: in function 'rf'\n\tinner:1: in main chunk"),
        "{shown}"
    );
    assert!(shown.ends_with("top:1: in main chunk"), "{shown}");
    assert!(
        matches!(err.root_cause(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("rust fail"))
    );
    // Lua code in between sees the message only.
    let msg: String = lua.load("local ok, e = pcall(outermost) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "rust fail");
}

#[test]
fn lua_error_through_a_callback_is_displayed_once() {
    let lua = Lua::new();
    let run = lua.create_function(|lua, ()| lua.load("error('deep')").set_name("=inner").exec()).unwrap();
    lua.globals().set("run", run).unwrap();
    let err = lua.load("run()").set_name("=top").exec().unwrap_err();
    let shown = err.to_string();
    assert_eq!(count(&shown, "inner:1: deep"), 1, "{shown}");
    assert_eq!(count(&shown, "stack traceback:"), 1, "{shown}");
    assert_eq!(count(&shown, "top:1: in main chunk"), 1, "{shown}");
    let msg: String = lua.load("local ok, e = pcall(run) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "inner:1: deep");
}

#[test]
fn context_added_between_layers_is_displayed_once() {
    let lua = Lua::new();
    failing_global(&lua, "rf", LuaError::runtime("rust fail"));
    let outer =
        lua.create_function(|lua, ()| lua.load("rf()").set_name("=inner").exec().context("running inner")).unwrap();
    lua.globals().set("outer", outer).unwrap();
    let err = lua.load("outer()").set_name("=top").exec().unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("running inner: rust fail\n"), "{shown}");
    assert_eq!(count(&shown, "rust fail"), 1, "{shown}");
    assert_eq!(count(&shown, "stack traceback:"), 1, "{shown}");
    assert_eq!(count(&shown, "top:1: in main chunk"), 1, "{shown}");
}

// ---------------------------------------------------------------------------
// Error values.

#[test]
fn error_values_of_any_type() {
    let lua = Lua::new();
    let err = lua.load("error({code = 1})").exec().unwrap_err();
    let LuaError::RuntimeError(message) = &err else { panic!("{err:?}") };
    assert!(message.starts_with("table: "), "{message}");
    let err = lua.load("error(setmetatable({}, {__tostring = function() return 'custom' end}))").exec().unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("custom")),
        "{err:?}"
    );
    let err = lua.load("error(42)").exec().unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("42")),
        "{err:?}"
    );
    let err = lua.load("error(true)").exec().unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("true")),
        "{err:?}"
    );
    let err = lua.load("error(nil)").exec().unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("nil")),
        "{err:?}"
    );
    let err = lua.load("error()").exec().unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("nil")),
        "{err:?}"
    );
    // Inside Lua, the value itself is caught.
    let code: i64 = lua.load("local ok, e = pcall(error, {code = 7}) return e.code").eval().unwrap();
    assert_eq!(code, 7);
}

#[test]
fn errors_raised_with_levels() {
    let lua = Lua::new();
    let src = "local function f(lvl) error('msg', lvl) end\nlocal function g(lvl) f(lvl) end\ng(LEVEL)\n";
    let run = |level: i64| -> String {
        lua.globals().set("LEVEL", level).unwrap();
        match lua.load(src).set_name("=lv").exec().unwrap_err() {
            // The message, without the traceback Lua appends.
            LuaError::RuntimeError(message) => message.split("\nstack traceback:").next().unwrap().to_string(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(run(1), "lv:1: msg");
    assert_eq!(run(2), "lv:2: msg");
    assert_eq!(run(3), "lv:3: msg");
    assert_eq!(run(0), "msg");
    // A level beyond the stack adds no position.
    assert_eq!(run(50), "msg");
    // Non-string values never get a position.
    let err = lua.load("error(12, 1)").exec().unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("12")),
        "{err:?}"
    );
}

#[test]
fn error_value_round_trip() {
    let lua = Lua::new();
    let id: LuaFunction = lua.load("return function(...) return ... end").eval().unwrap();
    let v: LuaValue = id.call(LuaValue::Error(Box::new(LuaError::external(MyError { code: 11 })))).unwrap();
    match v {
        LuaValue::Error(e) => assert_eq!(e.downcast_ref::<MyError>().map(|e| e.code), Some(11)),
        other => panic!("expected an error value, got {other:?}"),
    }
    // `LuaError` converts into a Lua value directly.
    let v: LuaValue = id.call(LuaError::runtime("as value")).unwrap();
    assert!(matches!(&v, LuaValue::Error(e) if e.to_string() == "runtime error: as value"), "{v:?}");
    assert_eq!(v.type_name(), "error");
    // Lua sees a userdata whose tostring is the message.
    let describe: LuaFunction = lua.load("return function(e) return type(e), tostring(e) end").eval().unwrap();
    let (ty, s): (String, String) = describe.call(LuaError::runtime("shown")).unwrap();
    assert_eq!((ty.as_str(), s.as_str()), ("userdata", "shown"));
    // Stored in a table and read back.
    let t = lua.create_table().unwrap();
    t.set("e", LuaError::external(MyError { code: 12 })).unwrap();
    let back: LuaValue = t.get("e").unwrap();
    assert!(matches!(&back, LuaValue::Error(e) if e.downcast_ref::<MyError>().is_some()), "{back:?}");
    // Raised from Lua, it comes back as the same error.
    let raise: LuaFunction = lua.load("return function(e) error(e) end").eval().unwrap();
    let err = raise.call::<()>(LuaError::external(MyError { code: 13 })).unwrap_err();
    assert_eq!(err.downcast_ref::<MyError>().map(|e| e.code), Some(13));
}

#[test]
fn std_error_source_chain() {
    // The message of the wrapped error is in the display; its source comes next.
    let err = LuaError::external(Outer { inner: std::io::Error::other("disk on fire") });
    assert_eq!(err.to_string(), "outer failed");
    let source = err.source().expect("an external error exposes its source");
    assert_eq!(source.to_string(), "disk on fire");
    assert!(source.downcast_ref::<std::io::Error>().is_some());
    // With context added.
    let r: LuaResult<()> = Err(LuaError::external(Outer { inner: std::io::Error::other("disk on fire") }));
    let err = r.context("saving").unwrap_err();
    assert_eq!(err.to_string(), "saving: outer failed");
    // As mlua's: a context passes on its cause's source (here the wrapped
    // error's source), as the cause's message is in its display already.
    let source = err.source().expect("context keeps the source chain");
    assert_eq!(source.to_string(), "disk on fire");
    assert!(source.source().is_none());
    // A runtime error has no source.
    let err = LuaError::runtime("plain");
    assert!(err.source().is_none());
    // Through a callback: the CallbackError shows the message and the
    // traceback once; it has no source (its cause is in its display), and
    // `chain` walks the causes: the callback error, then the wrapped error
    // (the `ExternalError` wrapper itself is skipped), then its source.
    let lua = Lua::new();
    failing_global(&lua, "fail", LuaError::external(Outer { inner: std::io::Error::other("disk on fire") }));
    let err = lua.load("fail()").exec().unwrap_err();
    assert!(err.source().is_none());
    let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
    assert_eq!(chain.len(), 2, "{chain:#?}");
    assert!(chain[0].starts_with("outer failed\nstack traceback:\n"), "{chain:#?}");
    assert_eq!(chain[1], "outer failed");
    assert!(err.chain().nth(1).unwrap().downcast_ref::<Outer>().is_some());
    let shown = chain.join("\ncaused by: ");
    assert_eq!(count(&shown, "stack traceback:"), 1, "{shown}");
}

#[test]
fn chain_walks_the_causes_of_wrappers() {
    // `chain()` goes through CallbackError, WithContext and BadArgument to
    // the error that started it; `parent()` is one step of it.
    let lua = Lua::new();
    failing_global(&lua, "fail", LuaError::runtime("inner"));
    let err = lua.load("fail()").exec().unwrap_err();
    let chain: Vec<&(dyn std::error::Error + 'static)> = err.chain().collect();
    assert_eq!(chain.len(), 2);
    assert!(matches!(chain[0].downcast_ref::<LuaError>(), Some(LuaError::CallbackError { .. })));
    assert!(matches!(chain[1].downcast_ref::<LuaError>(), Some(LuaError::RuntimeError(m)) if m == "inner"));
    assert!(matches!(err.parent(), Some(LuaError::RuntimeError(m)) if m == "inner"));
    let err = LuaError::runtime("inner").context("outer");
    assert_eq!(err.chain().count(), 2);
    // New context on a context replaces it.
    let err = err.context("newer");
    assert_eq!(err.to_string(), "newer: runtime error: inner");
    assert_eq!(err.chain().count(), 2);
}

#[test]
fn errors_are_send_sync_and_clone() {
    fn assert_traits<T: Send + Sync + Clone + std::error::Error + 'static>() {}
    assert_traits::<LuaError>();
    let e = LuaError::external(MyError { code: 1 });
    let c = e.clone();
    assert_eq!(c.downcast_ref::<MyError>().map(|e| e.code), Some(1));
    // A boxed LuaError converts to a boxed std error and back.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(LuaError::runtime("boxed"));
    let back = boxed.downcast::<LuaError>().unwrap();
    assert_eq!(back.to_string(), "runtime error: boxed");
}

#[test]
fn runtime_constructor_and_traceback_accessor() {
    let e = LuaError::runtime("made by hand");
    assert_eq!(e.to_string(), "runtime error: made by hand");
    assert!(e.traceback().is_empty());
    assert!(matches!(e.root_cause(), LuaError::RuntimeError(_)));
    // Raised from a callback, Lua sees the message unchanged (no position added).
    let lua = Lua::new();
    failing_global(&lua, "f", e);
    let msg: String = lua.load("local ok, e = pcall(f) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "made by hand");
}

#[test]
fn userdata_method_errors_name_the_method_as_mlua_and_read_as_puc_in_lua() {
    struct Meter(i64);
    impl LuaUserdata for Meter {
        fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
            methods.add_method("get", |_, m, ()| Ok(m.0));
            methods.add_method("add", |_, m, n: i64| Ok(m.0 + n));
        }
    }
    struct Other;
    impl LuaUserdata for Other {}
    let lua = Lua::new();
    let meter = lua.create_userdata(Meter(5)).unwrap();
    lua.globals().set("m", &meter).unwrap();
    lua.globals().set("other", lua.create_userdata(Other).unwrap()).unwrap();
    let root = |code: &str| -> LuaError { lua.load(code).exec().unwrap_err().root_cause().clone() };
    // A receiver that is not a userdata: mlua's bad `self`, with mlua's
    // conversion error.
    let e = lua.load("m.get(42)").exec().unwrap_err();
    let LuaError::CallbackError { cause, .. } = &e else { panic!("{e:?}") };
    match &**cause {
        LuaError::BadArgument { to, pos, name, cause } => {
            assert_eq!((to.as_deref(), *pos, name.as_deref()), (Some("Meter.get"), 1, Some("self")));
            assert_eq!(
                cause.to_string(),
                "error converting Lua number to userdata (expected userdata of type 'Meter')"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().starts_with("bad argument `self` to `Meter.get`: error converting Lua number"), "{e}");
    // Another userdata type: a type mismatch.
    match root("m.get(other)") {
        LuaError::BadArgument { cause, .. } => assert!(matches!(*cause, LuaError::UserDataTypeMismatch), "{cause:?}"),
        other => panic!("{other:?}"),
    }
    // Another argument: its position counts the receiver, as mlua's.
    let e = lua.load("m:add('x')").exec().unwrap_err();
    let LuaError::CallbackError { cause, .. } = &e else { panic!("{e:?}") };
    assert!(
        matches!(&**cause, LuaError::BadArgument { to: Some(to), pos: 2, name: None, .. } if to == "Meter.add"),
        "{cause:?}"
    );
    // Lua sees PUC's wording for all of them.
    let seen = |code: &str| -> String {
        lua.load(format!("local ok, e = pcall(function() {code} end) return tostring(e)"))
            .set_name("=s")
            .eval()
            .unwrap()
    };
    assert_eq!(seen("m.get(42)"), "s:1: bad argument #1 to 'get' (Meter expected, got number)");
    assert_eq!(seen("m.get(other)"), "s:1: bad argument #1 to 'get' (Meter expected, got userdata)");
    assert_eq!(seen("m:add('x')"), "s:1: bad argument #1 to 'add' (number expected, got string)");
}
