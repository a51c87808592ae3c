//! Integration tests of `LuaFunction`: calling Lua and Rust functions
//! with every shape of arguments and results, errors raised by Lua
//! (`error` with strings, tables, nil, `__tostring` objects) coming back as
//! `RuntimeError` with traceback frames, `bind` (several levels),
//! `info()` for Lua, main-chunk and Rust functions, `dump` and loading the
//! dump back (allowed only in states with unsafe features), `wrap` for
//! closures of natural arity (0, 1, 2, 5 and 16 arguments), and calling a
//! function after its state was dropped.

use luna::prelude::*;

fn eval<R: FromLuaMulti>(lua: &Lua, code: &str) -> R {
    match lua.load(code).eval::<R>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {code:?} failed: {e}"),
    }
}

// ---------------------------------------------------------------------------
// Calls.

#[test]
fn call_with_various_argument_shapes() {
    let lua = Lua::new();
    let count: LuaFunction = eval(&lua, "return function(...) return select('#', ...) end");
    assert_eq!(count.call::<i64>(()).unwrap(), 0);
    assert_eq!(count.call::<i64>(1).unwrap(), 1);
    assert_eq!(count.call::<i64>((1, "two", 3.0, true)).unwrap(), 4);
    assert_eq!(count.call::<i64>((LuaNil, LuaNil)).unwrap(), 2, "nil arguments count");
    assert_eq!(count.call::<i64>(None::<i64>).unwrap(), 1);
    assert_eq!(count.call::<i64>(LuaVariadic(vec![1, 2, 3, 4, 5])).unwrap(), 5);
    assert_eq!(count.call::<i64>((0, LuaVariadic(vec!["a"; 10]))).unwrap(), 11);
    let mv: LuaMultiValue = vec![LuaValue::Integer(1), LuaValue::Nil, LuaValue::Boolean(false)].into();
    assert_eq!(count.call::<i64>(mv).unwrap(), 3);
    assert_eq!(count.call::<i64>(LuaMultiValue::new()).unwrap(), 0);
    assert_eq!(count.call::<i64>(vec![1, 2, 3]).unwrap(), 1, "a Vec is one table argument");
    // Many arguments.
    assert_eq!(count.call::<i64>(LuaVariadic((0..5000).collect::<Vec<i64>>())).unwrap(), 5000);

    let describe: LuaFunction = eval(
        &lua,
        "return function(a, b, c, d) return type(a) .. ',' .. type(b) .. ',' .. type(c) .. ',' .. type(d) end",
    );
    let t = lua.create_table().unwrap();
    let s: String = describe.call((1, "s", t, describe.clone())).unwrap();
    assert_eq!(s, "number,string,table,function");
    let s: String = describe.call((1.5, false)).unwrap();
    assert_eq!(s, "number,boolean,nil,nil");
}

#[test]
fn call_with_various_result_shapes() {
    let lua = Lua::new();
    let three: LuaFunction = eval(&lua, "return function() return 1, 'two', 3.5 end");
    let (a, b, c): (i64, String, f64) = three.call(()).unwrap();
    assert_eq!((a, b.as_str(), c), (1, "two", 3.5));
    // Fewer targets: extra results are dropped.
    assert_eq!(three.call::<i64>(()).unwrap(), 1);
    let (a, b): (i64, String) = three.call(()).unwrap();
    assert_eq!((a, b.as_str()), (1, "two"));
    three.call::<()>(()).unwrap();
    // More targets: missing results are nil.
    let (_, _, _, d): (i64, String, f64, Option<i64>) = three.call(()).unwrap();
    assert_eq!(d, None);
    let err = three.call::<(i64, String, f64, i64)>(()).unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    // All results.
    let all: LuaMultiValue = three.call(()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all.front().unwrap().as_integer(), Some(1));
    let (first, rest): (i64, LuaVariadic<LuaValue>) = three.call(()).unwrap();
    assert_eq!(first, 1);
    assert_eq!(rest.len(), 2);
    let nums: LuaFunction =
        eval(&lua, "return function(n) local t = {} for i = 1, n do t[i] = i end return table.unpack(t) end");
    let v: LuaVariadic<i64> = nums.call(1000).unwrap();
    assert_eq!(v.len(), 1000);
    assert_eq!(v.iter().sum::<i64>(), 500_500);
    let none: LuaMultiValue = nums.call(0).unwrap();
    assert!(none.is_empty());
    // A table result converts to collections.
    let list: LuaFunction = eval(&lua, "return function() return {1, 2, 3} end");
    assert_eq!(list.call::<Vec<i64>>(()).unwrap(), [1, 2, 3]);
    // Conversion errors of results are reported.
    let err = list.call::<String>(()).unwrap_err();
    assert_eq!(err.to_string(), "error converting Lua table to String");
}

#[test]
fn call_rust_functions_from_the_host() {
    let lua = Lua::new();
    let tostring: LuaFunction = lua.globals().get("tostring").unwrap();
    assert_eq!(tostring.call::<String>(123).unwrap(), "123");
    assert_eq!(tostring.call::<String>(1.5).unwrap(), "1.5");
    let select: LuaFunction = lua.globals().get("select").unwrap();
    let (a, b): (String, String) = select.call((2, "x", "y", "z")).unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("y", "z"));
    let f = lua.create_function(|_, (a, b): (i64, i64)| Ok((a + b, a * b))).unwrap();
    assert_eq!(f.call::<(i64, i64)>((3, 4)).unwrap(), (7, 12));
    // A library function failing reports the message PUC gives.
    let rep: LuaFunction = eval(&lua, "return string.rep");
    let err = rep.call::<String>(()).unwrap_err();
    assert!(
        err.to_string().starts_with("runtime error: bad argument #1 to 'string.rep' (string expected, got no value)"),
        "{err}"
    );
}

#[test]
fn functions_called_from_nested_host_calls() {
    let lua = Lua::new();
    let twice: LuaFunction = eval(&lua, "return function(f, x) return f(f(x)) end");
    let inc = lua.create_function(|_, x: i64| Ok(x + 1)).unwrap();
    assert_eq!(twice.call::<i64>((inc, 40)).unwrap(), 42);
    let outer = twice.clone();
    let via_rust = lua.create_function(move |_, x: i64| outer.call::<i64>((LuaValue::Nil, x))).unwrap();
    // `f` is nil in the inner call: the error passes through both levels.
    let err = twice.call::<i64>((via_rust, 1)).unwrap_err();
    assert!(err.to_string().contains("attempt to call a nil value"), "{err}");
}

// ---------------------------------------------------------------------------
// Errors.

#[test]
fn error_with_a_string_is_a_runtime_error_with_traceback() {
    let lua = Lua::new();
    let f: LuaFunction = lua
        .load(
            "local function inner() error('x') end\n\
             local function outer() inner() end\n\
             return outer",
        )
        .set_name("=test.lua")
        .eval()
        .unwrap();
    let err = f.call::<()>(()).unwrap_err();
    let LuaError::RuntimeError(full) = &err else { panic!("expected RuntimeError, got {err:?}") };
    let message = &full.split("\nstack traceback:").next().unwrap().to_string();
    let traceback = &err.traceback();
    assert_eq!(message, "test.lua:1: x");
    assert!(traceback.len() >= 3, "{traceback:?}");
    assert_eq!(traceback[0].source, "[C]");
    assert_eq!(traceback[0].name, "function 'error'");
    assert_eq!(traceback[1].source, "test.lua");
    assert_eq!(traceback[1].line, Some(1));
    assert_eq!(traceback[1].name, "upvalue 'inner'");
    assert_eq!(traceback[2].source, "test.lua");
    assert_eq!(traceback[2].line, Some(2));
    assert_eq!(traceback[2].name, "function <test.lua:2>");
    assert_eq!(err.traceback(), &traceback[..]);
    // Display: the message, then the traceback block.
    let shown = err.to_string();
    assert!(shown.starts_with("runtime error: test.lua:1: x\nstack traceback:\n\t[C]: in function 'error'\n\ttest.lua:1: in upvalue 'inner'\n\ttest.lua:2: in function <test.lua:2>"), "{shown}");
    assert_eq!(shown.matches("test.lua:1: x").count(), 1);
}

#[test]
fn error_levels_and_positions() {
    let lua = Lua::new();
    let f: LuaFunction = lua
        .load("local function check(x) if not x then error('check failed', 2) end end\nreturn function() check(false) end")
        .set_name("=lvl.lua")
        .eval()
        .unwrap();
    let err = f.call::<()>(()).unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("lvl.lua:2: check failed")),
        "{err:?}"
    );
    let f: LuaFunction = eval(&lua, "return function() error('bare', 0) end");
    let err = f.call::<()>(()).unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("bare")),
        "{err:?}"
    );
    // Runtime errors of operations carry their position and variable names.
    let f: LuaFunction = lua.load("return function(t) return t.x.y end").set_name("=op.lua").eval().unwrap();
    let err = f.call::<()>(lua.create_table().unwrap()).unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("op.lua:1: attempt to index a nil value (field 'x')")),
        "{err:?}"
    );
}

#[test]
fn error_with_non_string_values() {
    let lua = Lua::new();
    let f: LuaFunction = eval(&lua, "return function() error({}) end");
    let err = f.call::<()>(()).unwrap_err();
    match &err {
        LuaError::RuntimeError(message) => assert!(message.starts_with("table: "), "{message}"),
        other => panic!("expected RuntimeError, got {other:?}"),
    }
    let f: LuaFunction = eval(&lua, "return function() error(nil) end");
    let err = f.call::<()>(()).unwrap_err();
    match &err {
        LuaError::RuntimeError(message) => assert!(message.starts_with("nil\nstack traceback:\n"), "{message}"),
        other => panic!("expected RuntimeError, got {other:?}"),
    }
    let f: LuaFunction = eval(&lua, "return function() error() end");
    assert!(
        matches!(f.call::<()>(()).unwrap_err(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("nil"))
    );
    let f: LuaFunction = eval(&lua, "return function() error(42) end");
    assert!(
        matches!(f.call::<()>(()).unwrap_err(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("42"))
    );
    let f: LuaFunction =
        eval(&lua, "return function() error(setmetatable({}, {__tostring = function() return 'custom' end})) end");
    assert!(
        matches!(f.call::<()>(()).unwrap_err(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("custom"))
    );
    let f: LuaFunction = eval(&lua, "return function() error(true) end");
    assert!(
        matches!(f.call::<()>(()).unwrap_err(), LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("true"))
    );
    // A __tostring that fails does not break error reporting.
    let f: LuaFunction =
        eval(&lua, "return function() error(setmetatable({}, {__tostring = function() error('again') end})) end");
    let err = f.call::<()>(()).unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
    // The state is fine afterwards.
    assert_eq!(eval::<i64>(&lua, "return 1"), 1);
}

#[test]
fn errors_while_loading() {
    let lua = Lua::new();
    let err = lua.load("x = ").set_name("=bad.lua").into_function().unwrap_err();
    match &err {
        LuaError::SyntaxError { message, incomplete_input } => {
            assert_eq!(message, "bad.lua:1: unexpected symbol near <eof>");
            assert!(*incomplete_input);
        }
        other => panic!("expected SyntaxError, got {other:?}"),
    }
    let err = lua.load("x = = 1").set_name("=bad.lua").exec().unwrap_err();
    match &err {
        LuaError::SyntaxError { message, incomplete_input } => {
            assert_eq!(message, "bad.lua:1: unexpected symbol near '='");
            assert!(!*incomplete_input);
        }
        other => panic!("expected SyntaxError, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// bind.

#[test]
fn bind_prepends_arguments() {
    let lua = Lua::new();
    let concat: LuaFunction = eval(&lua, "return function(...) return table.concat({...}, ',') end");
    let b1 = concat.bind("a").unwrap();
    assert_eq!(b1.call::<String>(()).unwrap(), "a");
    assert_eq!(b1.call::<String>(("x", "y")).unwrap(), "a,x,y");
    let b2 = b1.bind(("b", "c")).unwrap();
    assert_eq!(b2.call::<String>("d").unwrap(), "a,b,c,d");
    let b3 = b2.bind(()).unwrap();
    assert_eq!(b3.call::<String>(()).unwrap(), "a,b,c");
    let b4 = b3.bind(1).unwrap().bind(2).unwrap().bind(3).unwrap();
    assert_eq!(b4.call::<String>(4).unwrap(), "a,b,c,1,2,3,4");
    // The original is unchanged.
    assert_eq!(concat.call::<String>("z").unwrap(), "z");
}

#[test]
fn bind_keeps_nils_and_counts() {
    let lua = Lua::new();
    let count: LuaFunction = eval(&lua, "return function(...) return select('#', ...), ... end");
    let b = count.bind((LuaNil, 2, LuaNil)).unwrap();
    let (n, a, bb, c, d): (i64, Option<i64>, i64, Option<i64>, i64) = b.call(7).unwrap();
    assert_eq!((n, a, bb, c, d), (4, None, 2, None, 7));
    // Many bound values.
    let many = count.bind(LuaVariadic((0..200).collect::<Vec<i64>>())).unwrap();
    let (n, first): (i64, i64) = many.call(()).unwrap();
    assert_eq!((n, first), (200, 0));
}

#[test]
fn bind_works_with_rust_functions_and_from_lua() {
    let lua = Lua::new();
    let sub = lua.create_function(|_, (a, b): (i64, i64)| Ok(a - b)).unwrap();
    let from_ten = sub.bind(10).unwrap();
    assert_eq!(from_ten.call::<i64>(3).unwrap(), 7);
    lua.globals().set("from_ten", &from_ten).unwrap();
    assert_eq!(eval::<i64>(&lua, "return from_ten(4)"), 6);
    // Errors pass through bound functions.
    let err = from_ten.call::<i64>("x").unwrap_err();
    assert!(err.to_string().contains("bad argument #2"), "{err}");
    let fails: LuaFunction = eval(&lua, "return function(msg) error(msg, 0) end");
    let err = fails.bind("bound failure").unwrap().call::<()>(()).unwrap_err();
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("bound failure")),
        "{err:?}"
    );
    // A bound function is a Rust (C) function.
    assert_eq!(from_ten.info().what, "C");
}

#[test]
fn bound_values_are_kept_alive() {
    let lua = Lua::new();
    let get: LuaFunction = eval(&lua, "return function(t) return t.v end");
    let bound = {
        let t = lua.create_table().unwrap();
        t.set("v", "kept").unwrap();
        get.bind(t).unwrap()
    };
    lua.gc_collect().unwrap();
    assert_eq!(bound.call::<String>(()).unwrap(), "kept");
}

// ---------------------------------------------------------------------------
// info.

#[test]
fn info_of_lua_functions() {
    let lua = Lua::new();
    let code = "local x = 1\nfunction g(a, b, ...)\n  return a\nend\nlocal function h(a)\n\n  return a end\nreturn g, h, function() end";
    let main = lua.load(code).set_name("=test.lua").into_function().unwrap();
    let (g, h, anon): (LuaFunction, LuaFunction, LuaFunction) = main.call(()).unwrap();

    let i = main.info();
    assert_eq!(i.what, "main");
    assert_eq!(i.source.as_deref(), Some("=test.lua"));
    assert_eq!(i.short_src, "test.lua");
    assert_eq!(i.line_defined, Some(0));
    assert_eq!(i.last_line_defined, Some(0));
    assert_eq!(i.num_params, 0);
    assert!(i.is_vararg);

    let i = g.info();
    assert_eq!(i.what, "Lua");
    assert_eq!(i.name.as_deref(), Some("g"), "a global function is named");
    assert_eq!(i.source.as_deref(), Some("=test.lua"));
    assert_eq!(i.short_src, "test.lua");
    assert_eq!(i.line_defined, Some(2));
    assert_eq!(i.last_line_defined, Some(4));
    assert_eq!(i.num_params, 2);
    assert!(i.is_vararg);

    let i = h.info();
    assert_eq!(i.what, "Lua");
    assert_eq!(i.name, None, "a local function has no global name");
    assert_eq!(i.line_defined, Some(5));
    assert_eq!(i.last_line_defined, Some(7));
    assert_eq!(i.num_params, 1);
    assert!(!i.is_vararg);

    let i = anon.info();
    assert_eq!(i.line_defined, Some(8));
    assert_eq!(i.last_line_defined, Some(8));
    assert_eq!(i.num_params, 0);
    assert!(!i.is_vararg);
}

#[test]
fn info_sources_follow_chunk_names() {
    let lua = Lua::new();
    let f = lua.load("return 1").set_name("return 1").into_function().unwrap();
    let i = f.info();
    assert_eq!(i.source.as_deref(), Some("return 1"));
    assert_eq!(i.short_src, "[string \"return 1\"]");
    let f = lua.load("return 1").set_name("@dir/file.lua").into_function().unwrap();
    let i = f.info();
    assert_eq!(i.source.as_deref(), Some("@dir/file.lua"));
    assert_eq!(i.short_src, "dir/file.lua");
    let f = lua.load("return 1").set_name("=custom").into_function().unwrap();
    assert_eq!(f.info().short_src, "custom");
}

#[test]
fn info_of_rust_functions() {
    let lua = Lua::new();
    let print: LuaFunction = lua.globals().get("print").unwrap();
    let i = print.info();
    assert_eq!(i.what, "C");
    assert_eq!(i.name.as_deref(), Some("print"));
    assert_eq!(i.source.as_deref(), Some("=[C]"));
    assert_eq!(i.short_src, "[C]");
    assert_eq!(i.line_defined, None);
    assert_eq!(i.last_line_defined, None);
    assert_eq!(i.num_params, 0);
    assert!(i.is_vararg);
    let format: LuaFunction = eval(&lua, "return string.format");
    assert_eq!(format.info().name.as_deref(), Some("string.format"));
    let f = lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b)).unwrap();
    let i = f.info();
    assert_eq!(i.what, "C");
    assert_eq!(i.source.as_deref(), Some("=[C]"));
    assert_eq!(i.short_src, "[C]");
    assert_eq!(i.line_defined, None);
    assert!(i.is_vararg);
    assert_eq!(i.name, None);
    lua.globals().set("my_add", &f).unwrap();
    assert_eq!(f.info().name.as_deref(), Some("my_add"));
}

// ---------------------------------------------------------------------------
// dump.

#[test]
fn dump_and_load_back_in_unsafe_states() {
    let src = Lua::new();
    let f: LuaFunction =
        src.load("return function(a, b) return a * b + (X or 0) end").set_name("=d.lua").eval().unwrap();
    let bytes = f.dump(false);
    assert_eq!(&bytes[..4], b"\x1bLua");
    let stripped = f.dump(true);
    assert!(stripped.len() < bytes.len(), "stripping removes debug information");

    let dst = unsafe { Lua::unsafe_new() };
    let g = dst.load(&bytes).into_function().unwrap();
    assert_eq!(g.call::<i64>((6, 7)).unwrap(), 42);
    // The loaded function's first upvalue is the new state's globals.
    dst.globals().set("X", 100).unwrap();
    assert_eq!(g.call::<i64>((6, 7)).unwrap(), 142);
    assert_eq!(g.info().source.as_deref(), Some("=d.lua"));
    let g = dst.load(&stripped).into_function().unwrap();
    assert_eq!(g.call::<i64>((2, 3)).unwrap(), 106);
    // Binary mode loads it; text mode refuses it.
    let g = dst.load(&bytes).set_mode(LuaChunkMode::Binary).into_function().unwrap();
    assert_eq!(g.call::<i64>((1, 1)).unwrap(), 101);
    let err = dst.load(&bytes).set_mode(LuaChunkMode::Text).into_function().unwrap_err();
    assert!(err.to_string().contains("attempt to load a binary chunk (mode is 't')"), "{err}");
    let err = dst.load("return 1").set_mode(LuaChunkMode::Binary).into_function().unwrap_err();
    assert!(err.to_string().contains("attempt to load a text chunk (mode is 'b')"), "{err}");

    // With unsafe_features through new_with.
    let opts = LuaOptions { unsafe_features: true, ..LuaOptions::new() };
    let other = Lua::new_with(StdLib::NONE, opts).unwrap();
    let g = other.load(&bytes).into_function().unwrap();
    assert_eq!(g.call::<i64>((3, 3)).unwrap(), 9);
    // Also through Lua's own load.
    other.globals().set("bin", other.create_string(&bytes).unwrap()).unwrap();
    assert_eq!(eval::<i64>(&other, "return load(bin)(5, 5)"), 25);
}

#[test]
fn dump_keeps_line_information_unless_stripped() {
    let src = Lua::new();
    let f: LuaFunction = src.load("return function()\n\n error('here') end").set_name("=lines.lua").eval().unwrap();
    let dst = unsafe { Lua::unsafe_new() };
    let full = dst.load(f.dump(false)).into_function().unwrap();
    let err = full.call::<()>(()).unwrap_err();
    assert!(err.to_string().starts_with("runtime error: lines.lua:3: here"), "{err}");
    let stripped = dst.load(f.dump(true)).into_function().unwrap();
    let err = stripped.call::<()>(()).unwrap_err();
    // Without line information the message has no position (as PUC).
    assert!(
        matches!(&err, LuaError::RuntimeError(message) if message.split("\nstack traceback:").next() == Some("here")),
        "{err:?}"
    );
}

#[test]
fn safe_states_refuse_binary_chunks() {
    let src = Lua::new();
    let f: LuaFunction = eval(&src, "return function() return 1 end");
    let bytes = f.dump(false);
    for lua in [Lua::new(), Lua::sandboxed().unwrap(), Lua::new_with(StdLib::ALL, LuaOptions::new()).unwrap()] {
        let err = lua.load(&bytes).into_function().unwrap_err();
        assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
        assert!(err.to_string().contains("binary chunk"), "{err}");
        lua.globals().set("bin", lua.create_string(&bytes).unwrap()).unwrap();
        assert!(eval::<bool>(&lua, "return load(bin) == nil"));
    }
}

/// Asserts that dumping `f` fails as `string.dump` does for a C function.
fn assert_undumpable(what: &str, f: &LuaFunction) {
    for strip in [false, true] {
        match f.try_dump(strip) {
            Err(e @ LuaError::RuntimeError(_)) => {
                assert_eq!(e.to_string(), "runtime error: unable to dump given function", "{what}")
            }
            other => panic!("{what}: expected an error, got {other:?}"),
        }
    }
}

#[test]
fn dump_of_rust_functions_is_an_error() {
    let lua = Lua::new();
    let f = lua.create_function(|_, ()| Ok(())).unwrap();
    assert_undumpable("create_function", &f);
    let print: LuaFunction = lua.globals().get("print").unwrap();
    assert_undumpable("print", &print);
    let bound: LuaFunction = eval::<LuaFunction>(&lua, "return function() end").bind(1).unwrap();
    assert_undumpable("bound", &bound);
    // The message is the one Lua code gets from string.dump.
    lua.globals().set("f", &f).unwrap();
    let msg: String = eval(&lua, "local ok, e = pcall(string.dump, f) return e");
    assert_eq!(msg, "unable to dump given function");
}

// ---------------------------------------------------------------------------
// wrap.

#[test]
fn wrap_arity_0_1_2() {
    let lua = Lua::new();
    let g = lua.globals();
    g.set("zero", LuaFunction::wrap(|| Ok::<_, LuaError>("none"))).unwrap();
    g.set("one", LuaFunction::wrap(|a: i64| Ok::<_, LuaError>(a * 2))).unwrap();
    g.set("two", LuaFunction::wrap(|a: i64, b: i64| Ok::<_, LuaError>(a - b))).unwrap();
    g.set("pair", LuaFunction::wrap(|a: String, b: Option<String>| Ok::<_, LuaError>((b, a)))).unwrap();
    assert_eq!(eval::<String>(&lua, "return zero()"), "none");
    assert_eq!(eval::<String>(&lua, "return zero(1, 2, 3)"), "none", "extra arguments are ignored");
    assert_eq!(eval::<i64>(&lua, "return one(21)"), 42);
    assert_eq!(eval::<i64>(&lua, "return two(50, 8)"), 42);
    let (a, b): (Option<String>, String) = eval(&lua, "return pair('x')");
    assert_eq!((a, b.as_str()), (None, "x"));
    // Wrapped functions convert their arguments like any callback.
    let msg: String = eval(&lua, "local ok, e = pcall(two, 1, 'x') return tostring(e)");
    assert!(msg.contains("bad argument #2 to 'two' (number expected, got string)"), "{msg}");
    let msg: String = eval(&lua, "local ok, e = pcall(one, 'x') return tostring(e)");
    assert!(msg.contains("bad argument #1 to 'one' (number expected, got string)"), "{msg}");
    // The wrapped value converts to a function handle.
    let f: LuaFunction = g.get("two").unwrap();
    assert_eq!(f.call::<i64>((5, 3)).unwrap(), 2);
}

#[test]
fn wrap_arity_5() {
    let lua = Lua::new();
    lua.globals()
        .set(
            "five",
            LuaFunction::wrap(|a: i64, b: String, c: f64, d: bool, e: Option<i64>| {
                Ok::<_, LuaError>(format!("{a}|{b}|{c}|{d}|{e:?}"))
            }),
        )
        .unwrap();
    assert_eq!(eval::<String>(&lua, "return five(1, 'b', 2.5, true, 9)"), "1|b|2.5|true|Some(9)");
    assert_eq!(eval::<String>(&lua, "return five(1, 'b', 2, false)"), "1|b|2|false|None");
    let msg: String = eval(&lua, "local ok, e = pcall(five, 1, 'b', 'c') return tostring(e)");
    assert!(msg.contains("bad argument #3 to 'five' (number expected, got string)"), "{msg}");
}

#[test]
fn wrap_arity_16() {
    let lua = Lua::new();
    lua.globals()
        .set(
            "sixteen",
            LuaFunction::wrap(
                |a: i64,
                 b: i64,
                 c: i64,
                 d: i64,
                 e: i64,
                 f: i64,
                 g: i64,
                 h: i64,
                 i: i64,
                 j: i64,
                 k: i64,
                 l: i64,
                 m: i64,
                 n: i64,
                 o: i64,
                 p: i64| {
                    let all = [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p];
                    let weighted: i64 = all.iter().enumerate().map(|(idx, v)| (idx as i64 + 1) * v).sum();
                    Ok::<_, LuaError>((all.iter().sum::<i64>(), weighted))
                },
            ),
        )
        .unwrap();
    let (sum, weighted): (i64, i64) = eval(&lua, "return sixteen(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)");
    assert_eq!((sum, weighted), (16, 136));
    let (sum, weighted): (i64, i64) = eval(&lua, "return sixteen(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)");
    assert_eq!((sum, weighted), (2, 32), "the 16th argument arrives in the 16th place");
    let msg: String =
        eval(&lua, "local ok, e = pcall(sixteen, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) return tostring(e)");
    // A missing argument is "no value", as luaL_checkinteger reports it.
    assert!(msg.contains("bad argument #16 to 'sixteen' (number expected, got no value)"), "{msg}");
    let msg: String =
        eval(&lua, "local ok, e = pcall(sixteen, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, nil) return tostring(e)");
    assert!(msg.contains("bad argument #16 to 'sixteen' (number expected, got nil)"), "{msg}");
}

#[test]
fn wrap_errors_and_results() {
    let lua = Lua::new();
    lua.globals()
        .set(
            "checked",
            LuaFunction::wrap(|n: i64| if n >= 0 { Ok(n) } else { Err(LuaError::runtime(format!("negative: {n}"))) }),
        )
        .unwrap();
    assert_eq!(eval::<i64>(&lua, "return checked(3)"), 3);
    let msg: String = eval(&lua, "local ok, e = pcall(checked, -1) return tostring(e)");
    assert_eq!(msg, "negative: -1");
    lua.globals().set("unit", LuaFunction::wrap(|| Ok::<_, LuaError>(()))).unwrap();
    assert_eq!(eval::<i64>(&lua, "return select('#', unit())"), 0);
    lua.globals().set("multi", LuaFunction::wrap(|| Ok::<_, LuaError>(LuaVariadic(vec![1, 2, 3])))).unwrap();
    assert_eq!(eval::<i64>(&lua, "return select('#', multi())"), 3);
}

// ---------------------------------------------------------------------------
// After the state is gone.

#[test]
fn calling_after_the_state_is_dropped() {
    let lua = Lua::new();
    let lua_fn: LuaFunction = eval(&lua, "return function() return 1 end");
    let rust_fn = lua.create_function(|_, ()| Ok(1)).unwrap();
    let bound = lua_fn.bind(1).unwrap();
    drop(lua);
    for f in [&lua_fn, &rust_fn, &bound] {
        assert!(matches!(f.call::<i64>(()), Err(LuaError::StateDropped)));
        assert!(matches!(f.call::<LuaMultiValue>((1, 2)), Err(LuaError::StateDropped)));
        assert!(matches!(f.bind(1), Err(LuaError::StateDropped)));
        assert!(matches!(f.try_dump(false), Err(LuaError::StateDropped)));
        assert!(f.dump(false).is_empty());
        assert_eq!(f.info(), LuaFunctionInfo::default());
    }
    assert_ne!(lua_fn, lua_fn.clone());
}

#[test]
fn function_handles_compare_by_identity() {
    let lua = Lua::new();
    let f: LuaFunction = eval(&lua, "function f() end return f");
    let same: LuaFunction = lua.globals().get("f").unwrap();
    assert_eq!(f, same);
    let other: LuaFunction = eval(&lua, "return function() end");
    assert_ne!(f, other);
}
