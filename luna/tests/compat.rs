//! The Lua 5.3 compatibility of the 5.4 dialect (PUC's `LUA_COMPAT_5_3`):
//! on by default in every constructor, off with `LuaOptions::compat53(false)`
//! or the field, and off in the interpreter with `--no-compat`. With it
//! the `math` library has its deprecated functions and `a <= b` falls back
//! to `not (b < a)` when there is `__lt` but no `__le`, also when that
//! `__lt` yields; without it neither exists.

use std::process::Command;

use luna::prelude::*;

/// The functions `LUA_COMPAT_MATHLIB` adds.
const MATH_COMPAT: [&str; 8] = ["pow", "frexp", "ldexp", "cosh", "sinh", "tanh", "log10", "atan2"];

/// Evaluates `code` in `lua`, panicking with the error on failure.
fn eval<R: FromLuaMulti>(lua: &Lua, code: &str) -> R {
    match lua.load(code).eval::<R>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {code:?} failed: {e}"),
    }
}

/// Whether every function of `MATH_COMPAT` is present (`Some(true)`), none
/// is (`Some(false)`), or some are and some are not (`None`).
fn math_compat(lua: &Lua) -> Option<bool> {
    let present: Vec<bool> =
        MATH_COMPAT.iter().map(|f| eval::<bool>(lua, &format!("return math.{f} ~= nil"))).collect();
    if present.iter().all(|&p| p) {
        Some(true)
    } else if present.iter().all(|&p| !p) {
        Some(false)
    } else {
        None
    }
}

/// Two tables whose metatable has `__lt` comparing their field `v`, and
/// no `__le`.
const ONLY_LT: &str = "
    local mt = {__lt = function(a, b) return a.v < b.v end}
    local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt)
";

#[test]
fn on_by_default_in_every_constructor() {
    assert!(LuaOptions::new().compat53);
    assert!(LuaOptions::default().compat53);
    let sandboxed = Lua::sandboxed().expect("sandboxed state");
    let all = unsafe { Lua::unsafe_new() };
    let with = Lua::new_with(StdLib::MATH, LuaOptions::new()).expect("state");
    for lua in [Lua::new(), sandboxed, all, with] {
        assert_eq!(math_compat(&lua), Some(true));
        let r: (bool, bool, bool) = eval(&lua, &format!("{ONLY_LT} return a <= b, b <= a, a >= a"));
        assert_eq!(r, (true, false, true));
    }
}

#[test]
fn the_deprecated_math_functions() {
    let lua = Lua::new();
    let r: (f64, f64, i64, f64, f64) =
        eval(&lua, "local m, e = math.frexp(12) return math.pow(2, 10), m, e, math.ldexp(0.75, 4), math.log10(1e5)");
    assert_eq!(r, (1024.0, 0.75, 4, 12.0, 5.0));
    assert_eq!(eval::<String>(&lua, "return math.type(math.pow(2, 3))"), "float");
    let err = lua.load("return math.ldexp(1, 1.5)").exec().expect_err("a float exponent is an error");
    assert!(err.to_string().contains("bad argument #2 to 'ldexp' (number has no integer representation)"), "{err}");
}

#[test]
fn turned_off_by_the_builder_and_the_field() {
    let by_builder = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().compat53(false)).expect("state");
    let by_field =
        Lua::new_with(StdLib::ALL_SAFE, LuaOptions { compat53: false, ..LuaOptions::default() }).expect("state");
    let limited =
        Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(8 << 20).compat53(false)).expect("state");
    for lua in [by_builder, by_field, limited] {
        assert_eq!(math_compat(&lua), Some(false));
        // The rest of the library is there.
        assert_eq!(eval::<f64>(&lua, "return 2.0 ^ 10"), 1024.0);
        assert!(eval::<bool>(&lua, "return math.atan ~= nil and math.log ~= nil"));
        let err = lua.load(format!("{ONLY_LT} return a <= b")).exec().expect_err("no __le");
        assert!(err.to_string().contains("attempt to compare two table values"), "{err}");
        // `<` and an explicit `__le` are not affected.
        let r: (bool, bool) = eval(
            &lua,
            &format!("{ONLY_LT} getmetatable(a).__le = function(x, y) return x.v <= y.v end return a < b, b >= a"),
        );
        assert_eq!(r, (true, true));
    }
    // Turning it back on gives the default.
    let again = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().compat53(false).compat53(true)).expect("state");
    assert_eq!(math_compat(&again), Some(true));
}

#[test]
fn le_through_lt_prefers_le_and_reports_errors() {
    let lua = Lua::new();
    // An explicit `__le` wins over the fallback.
    let r: bool = eval(
        &lua,
        "local mt = {__lt = function() error('lt called') end, __le = function() return 'yes' end}
         local a = setmetatable({}, mt) return a <= a",
    );
    assert!(r);
    // The fallback swaps the operands and negates: `a <= 1` is `not (1 < a)`.
    let r: (bool, bool, bool, bool) = eval(
        &lua,
        "local mt = {__lt = function(x, y)
             local function v(o) return type(o) == 'table' and o.v or o end
             return v(x) < v(y) end}
         local a = setmetatable({v = 5}, mt)
         return a <= 5, a <= 4, 6 >= a, 4.5 >= a",
    );
    assert_eq!(r, (true, false, true, false));
    // An error inside `__lt` propagates as is; without `__lt` either, the
    // message is the comparison error.
    let err = lua
        .load("local a = setmetatable({}, {__lt = function() error('inside lt') end}) return a <= a")
        .exec()
        .expect_err("error in __lt");
    assert!(err.to_string().contains("inside lt"), "{err}");
    let err = lua.load("return {} <= {}").exec().expect_err("no metamethod");
    assert!(err.to_string().contains("attempt to compare two table values"), "{err}");
}

#[test]
fn a_yield_inside_lt_for_le_completes_negated() {
    let lua = Lua::new();
    let f: LuaFunction = eval(
        &lua,
        "return function()
           local mt = {__lt = function(x, y) return coroutine.yield('lt') end}
           local p, q = setmetatable({}, mt), setmetatable({}, mt)
           local r1 = p <= q
           local r2 = p >= 3
           local r3
           if p <= q then r3 = 'then' else r3 = 'else' end
           return r1, r2, r3
         end",
    );
    let co = lua.create_thread(f).expect("thread");
    assert_eq!(co.resume::<String>(()).expect("first yield"), "lt");
    // `p <= q` is `not (q < p)`: `__lt` answers true, so false.
    assert_eq!(co.resume::<String>(true).expect("second yield"), "lt");
    assert_eq!(co.resume::<String>(false).expect("third yield"), "lt");
    let r: (bool, bool, String) = co.resume(true).expect("end");
    assert_eq!(r, (false, true, "else".to_string()));
}

/// Runs the interpreter with `args`; returns its standard output, standard
/// error and whether it succeeded.
fn run_cli(args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_luna"))
        .args(args)
        .env_remove("LUA_INIT")
        .env_remove("LUA_INIT_5_4")
        .output()
        .expect("run luna");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn the_interpreter_option() {
    let probe = "print(math.pow ~= nil, pcall(function() \
                 local mt = {__lt = function() return false end} \
                 return setmetatable({}, mt) <= setmetatable({}, mt) end))";
    let (out, err, ok) = run_cli(&["-e", probe]);
    assert!(ok, "{err}");
    assert_eq!(out, "true\ttrue\ttrue\n");
    let (out, err, ok) = run_cli(&["--no-compat", "-e", probe]);
    assert!(ok, "{err}");
    assert!(out.starts_with("false\tfalse\t") && out.contains("attempt to compare two table values"), "{out}");
    // Anywhere among the options, as the others.
    let (out, _, ok) = run_cli(&["-e", "x = 1", "--no-compat", "-e", "print(math.log10, x)"]);
    assert!(ok);
    assert_eq!(out, "nil\t1\n");
    // After the script name it belongs to the script.
    let (out, err, ok) = run_cli(&["-e", "print(math.sinh ~= nil, arg[1])", "-", "--no-compat"]);
    assert!(ok, "{err}");
    assert_eq!(out, "true\t--no-compat\n");
    // Other long options are still unrecognized, and the usage lists it.
    let (_, err, ok) = run_cli(&["--no-compatx"]);
    assert!(!ok);
    assert!(err.contains("unrecognized option '--no-compatx'"), "{err}");
    assert!(err.contains("--no-compat"), "{err}");
}
