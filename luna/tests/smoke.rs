use luna::prelude::*;

#[test]
fn smoke() -> LuaResult<()> {
    let lua = Lua::new();
    let add = lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b))?;
    lua.globals().set("add", add)?;
    lua.globals().set("mul", LuaFunction::wrap(|a: f64, b: f64| Ok::<_, LuaError>(a * b)))?;
    let n: i64 = lua.load("return add(40, 2)").set_name("=main.lua").eval()?;
    assert_eq!(n, 42);
    let m: f64 = lua.load("return mul(6, 7)").eval()?;
    assert_eq!(m, 42.0);
    let t: LuaTable = lua.create_table()?;
    t.set("name", "luna")?;
    let name: String = t.get("name")?;
    assert_eq!(name, "luna");
    let f: LuaFunction = lua.load("return function(a, b) return a * 2, b .. '!' end").eval()?;
    let (x, s): (i64, String) = f.call((21, "two"))?;
    assert_eq!((x, s.as_str()), (42, "two!"));
    // Errors with traceback
    let err = lua.load("local function f() error('boom') end f()").set_name("=e.lua").exec().unwrap_err();
    println!("{err}");
    assert!(err.to_string().contains("e.lua:1: boom"));
    // bad argument
    let greet = lua.create_function(|_, (a, b): (String, String)| Ok(format!("{a} {b}")))?;
    lua.globals().set("greet", greet)?;
    let err = lua.load("greet('a')").exec().unwrap_err();
    println!("{err}");
    assert!(err.to_string().contains("bad argument #2 to `greet`: error converting Lua no value to String"), "{err}");
    // pcall catches callback errors; tostring gives message
    let msg: String = lua.load("local ok, e = pcall(greet, 'x'); return tostring(e)").eval()?;
    assert_eq!(msg, "bad argument #2 to 'greet' (string expected, got no value)");
    // Rust error round trip
    #[derive(Debug)]
    struct MyErr;
    impl std::fmt::Display for MyErr {
        fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "my error")
        }
    }
    impl std::error::Error for MyErr {}
    let fail = lua.create_function(|_, ()| -> LuaResult<()> { Err(LuaError::external(MyErr)) })?;
    lua.globals().set("fail", fail)?;
    let err = lua.load("fail()").exec().unwrap_err();
    assert!(err.downcast_ref::<MyErr>().is_some(), "{err:?}");
    // A panic reaches the host as the same panic.
    let p = lua.create_function(|_, ()| -> LuaResult<()> { panic!("oops") })?;
    lua.globals().set("p", p)?;
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lua.load("p()").exec())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"oops"));
    // re-entrancy
    let apply = lua.create_function(|lua, f: LuaFunction| {
        let t = lua.create_table()?;
        t.set(1, 10)?;
        let r: i64 = f.call(t)?;
        Ok(r + 1)
    })?;
    lua.globals().set("apply", apply)?;
    let r: i64 = lua.load("return apply(function(t) return t[1] * 2 end)").eval()?;
    assert_eq!(r, 21);
    Ok(())
}
