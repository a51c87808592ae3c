//! Rust panics in callbacks: caught at the callback boundary, carried
//! through Lua as an error value, resumed as the same panic when they get
//! back to the host; `LuaOptions::catch_rust_panics` decides whether Lua's
//! `pcall`/`xpcall` may catch them on the way.

use std::panic::{catch_unwind, AssertUnwindSafe};

use luna::prelude::*;

/// A state with `boom(msg)`, a callback that panics with `msg` (or with
/// "boom" without one).
fn state(catch: bool) -> Lua {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().catch_rust_panics(catch)).unwrap();
    let boom = lua
        .create_function(|_, msg: Option<String>| -> LuaResult<()> {
            match msg {
                Some(m) => panic!("{m}"),
                None => panic!("boom"),
            }
        })
        .unwrap();
    lua.globals().set("boom", boom).unwrap();
    lua
}

/// Runs `f`, expecting it to panic, and returns the panic's message.
fn panic_text<R: std::fmt::Debug>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => panic!("expected a panic, got {r:?}"),
        Err(p) => match p.downcast::<&str>() {
            Ok(s) => s.to_string(),
            Err(p) => *p.downcast::<String>().expect("a string payload"),
        },
    }
}

#[test]
fn an_uncaught_panic_reaches_the_host_as_the_same_panic() {
    let lua = state(true);
    assert_eq!(panic_text(|| lua.load("local x = 1; boom(); x = 2").exec()), "boom");
    assert_eq!(panic_text(|| lua.load("boom('formatted ' .. 42)").exec()), "formatted 42");
    // The state is usable afterwards, its stack in order.
    assert_eq!(lua.load("return 1 + 1").eval::<i64>().unwrap(), 2);
    let f: LuaFunction = lua.load("return function(a, b) return a .. b end").eval().unwrap();
    assert_eq!(f.call::<String>(("a", "b")).unwrap(), "ab");
}

#[test]
fn host_calls_resume_panics() {
    let lua = state(true);
    let boom: LuaFunction = lua.globals().get("boom").unwrap();
    assert_eq!(panic_text(|| boom.call::<()>("direct")), "direct");
    let f: LuaFunction = lua.load("return function() boom('through lua') end").eval().unwrap();
    assert_eq!(panic_text(|| f.call::<()>(())), "through lua");
    assert_eq!(panic_text(|| lua.load("return boom('eval')").eval::<i64>()), "eval");
    let co = lua
        .create_thread(lua.load("return function() coroutine.yield(1) boom('in a coroutine') end").eval().unwrap())
        .unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 1);
    assert_eq!(panic_text(|| co.resume::<()>(())), "in a coroutine");
    let co = lua.create_thread(boom.clone()).unwrap();
    assert_eq!(panic_text(|| co.resume::<()>("coroutine body")), "coroutine body");
    // Table operations that run metamethods.
    let t: LuaTable = lua.load("return setmetatable({}, { __index = function() boom('index') end })").eval().unwrap();
    assert_eq!(panic_text(|| t.get::<i64>("k")), "index");
}

#[test]
fn pcall_catches_panics_by_default() {
    let lua = state(true);
    let (ok, msg): (bool, String) =
        lua.load("local ok, e = pcall(boom, 'caught') return ok, tostring(e)").eval().unwrap();
    assert!(!ok);
    assert_eq!(msg, "caught");
    // A script that turns the panic into a message raises an ordinary error.
    let err = lua.load("local _, e = pcall(boom) error(tostring(e))").exec().unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    assert!(err.to_string().contains(":1: boom"), "{err}");
    // xpcall's handler sees the panic value.
    let seen: String = lua
        .load("local _, m = xpcall(boom, function(e) return 'handled ' .. tostring(e) end) return m")
        .eval()
        .unwrap();
    assert_eq!(seen, "handled boom");
}

#[test]
fn a_caught_panic_raised_again_is_resumed_once() {
    let lua = state(true);
    assert_eq!(panic_text(|| lua.load("_, saved = pcall(boom, 'kept') error(saved)").exec()), "kept");
    // The value is still in the global: raising it again is an error now.
    match lua.load("error(saved)").exec() {
        Err(LuaError::PreviouslyResumedPanic) => {}
        other => panic!("expected PreviouslyResumedPanic, got {other:?}"),
    }
    // So is showing it.
    match lua.load("return tostring(saved)").eval::<String>() {
        Err(LuaError::CallbackError { cause, .. }) => assert!(matches!(*cause, LuaError::PreviouslyResumedPanic)),
        other => panic!("expected a CallbackError, got {other:?}"),
    }
    assert_eq!(LuaError::PreviouslyResumedPanic.to_string(), "previously resumed panic returned again");
}

#[test]
fn a_panic_value_converted_to_rust_resumes_the_panic() {
    let lua = state(true);
    assert_eq!(
        panic_text(|| lua.load("_, saved = pcall(boom, 'returned') return saved").eval::<LuaValue>()),
        "returned"
    );
    // Once resumed it converts to nil.
    assert!(lua.globals().get::<LuaValue>("saved").unwrap().is_nil());
    // Kept in a table and read from Rust.
    lua.load("_, e = pcall(boom, 'in a table') t = { e }").exec().unwrap();
    let t: LuaTable = lua.globals().get("t").unwrap();
    assert_eq!(panic_text(|| t.get::<LuaValue>(1)), "in a table");
}

#[test]
fn a_panic_value_passed_to_a_callback_fails_it_before_it_runs() {
    let lua = state(true);
    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let r = ran.clone();
    let take = lua
        .create_function(move |_, _v: LuaValue| {
            r.set(true);
            Ok(())
        })
        .unwrap();
    lua.globals().set("take", take).unwrap();
    assert_eq!(panic_text(|| lua.load("local _, e = pcall(boom, 'argument') take(e)").exec()), "argument");
    assert!(!ran.get());
    // Even when the script catches the callback's failure: the panic is
    // carried on, and resumed when it gets to the host.
    let text =
        panic_text(|| lua.load("local _, e = pcall(boom, 'again') local _, e2 = pcall(take, e) error(e2)").exec());
    assert_eq!(text, "again");
    assert!(!ran.get());
}

#[test]
fn without_catch_rust_panics_pcall_lets_them_through() {
    let lua = state(false);
    // Ordinary errors are caught as always.
    let ok: bool = lua
        .load(
            r#"
            local ok, e = pcall(error, "plain")
            assert(not ok and e == "plain")
            local handled
            ok, e = xpcall(error, function(m) handled = m return "h:" .. m end, "plain")
            assert(not ok and e == "h:plain" and handled == "plain")
            return true
        "#,
        )
        .eval()
        .unwrap();
    assert!(ok);
    assert_eq!(panic_text(|| lua.load("pcall(boom, 'through pcall') error('not reached')").exec()), "through pcall");
    lua.load("handler_ran = false").exec().unwrap();
    let text =
        panic_text(|| lua.load("xpcall(boom, function(e) handler_ran = true return e end, 'through xpcall')").exec());
    assert_eq!(text, "through xpcall");
    assert!(!lua.globals().get::<bool>("handler_ran").unwrap());
    // Nested protected calls and a Lua function in between.
    let text = panic_text(|| lua.load("pcall(pcall, function() pcall(boom, 'nested') end)").exec());
    assert_eq!(text, "nested");
    // To-be-closed variables are closed on the way.
    lua.load("closed = false").exec().unwrap();
    let text = panic_text(|| {
        lua.load("pcall(function() local x <close> = setmetatable({}, { __close = function() closed = true end }) boom('tbc') end)")
            .exec()
    });
    assert_eq!(text, "tbc");
    assert!(lua.globals().get::<bool>("closed").unwrap());
    assert_eq!(lua.load("return select('#', pcall(print))").eval::<i64>().unwrap(), 1);
}

#[test]
fn panics_in_userdata_methods_and_nested_calls_reach_the_host() {
    struct Bomb;
    impl LuaUserdata for Bomb {
        fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
            methods.add_method("explode", |_, _, ()| -> LuaResult<()> { panic!("method") });
            methods.add_meta_method(LuaMetaMethod::Add, |_, _, _: LuaValue| -> LuaResult<()> { panic!("metamethod") });
        }
    }
    let lua = state(true);
    lua.globals().set("bomb", Bomb).unwrap();
    assert_eq!(panic_text(|| lua.load("bomb:explode()").exec()), "method");
    assert_eq!(panic_text(|| lua.load("return bomb + 1").exec()), "metamethod");
    // A callback calling Lua calling a panicking callback: the inner host
    // call resumes the panic inside the outer callback, whose boundary
    // carries it on to the outer host call.
    let outer = lua
        .create_function(|lua, ()| {
            let f: LuaFunction = lua.load("return function() boom('deep') end").eval()?;
            f.call::<()>(())
        })
        .unwrap();
    lua.globals().set("outer", outer).unwrap();
    assert_eq!(panic_text(|| lua.load("outer()").exec()), "deep");
    assert_eq!(panic_text(|| lua.load("local ok, e = pcall(outer) error(e)").exec()), "deep");
}

#[test]
fn non_string_payloads_keep_their_type() {
    #[derive(Debug, PartialEq)]
    struct Code(u32);
    let lua = Lua::new();
    let f = lua.create_function(|_, ()| -> LuaResult<()> { std::panic::panic_any(Code(7)) }).unwrap();
    lua.globals().set("f", f).unwrap();
    let msg: String = lua.load("local _, e = pcall(f) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "<panic>");
    let payload = catch_unwind(AssertUnwindSafe(|| lua.load("f()").exec())).unwrap_err();
    assert_eq!(payload.downcast_ref::<Code>(), Some(&Code(7)));
}

#[test]
fn a_panicking_interrupt_reaches_the_host() {
    let lua = Lua::new();
    lua.set_interrupt(|_| -> LuaResult<LuaVmState> { panic!("interrupt") }).unwrap();
    assert_eq!(panic_text(|| lua.load("while true do end").exec()), "interrupt");
    lua.remove_interrupt().unwrap();
    assert_eq!(lua.load("return 3").eval::<i64>().unwrap(), 3);
}
