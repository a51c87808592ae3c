//! Multi-value conversions of the facade: `IntoLuaMulti` and
//! `FromLuaMulti` for `()` and tuples (1, 2, 3 and 16 elements), missing
//! values read as `nil`, extra values ignored, `LuaVariadic<T>` and
//! `LuaMultiValue` as the last tuple element taking the rest, conversion
//! errors of variadic arguments, `Result<T, E>` returned by Rust callbacks,
//! the `LuaMultiValue` API and `LuaEither`.

use luna::prelude::*;

/// A Lua function that returns its arguments unchanged.
fn identity(lua: &Lua) -> LuaFunction {
    lua.load("return function(...) return ... end").eval().unwrap()
}

/// A Lua function that returns how many arguments it got and their types.
fn arg_types(lua: &Lua) -> LuaFunction {
    lua.load(
        "return function(...)
            local t = {}
            for i = 1, select('#', ...) do t[i] = type((select(i, ...))) end
            return select('#', ...), table.concat(t, ',')
        end",
    )
    .eval()
    .unwrap()
}

#[test]
fn unit_converts_to_no_values_and_from_any_values() {
    let lua = Lua::new();
    let (n, types): (i64, String) = arg_types(&lua).call(()).unwrap();
    assert_eq!((n, types.as_str()), (0, ""));
    let m = ().into_lua_multi(&lua).unwrap();
    assert!(m.is_empty());
    // `()` accepts any number of results, including none.
    let () = lua.load("return 1, 2, 3").eval().unwrap();
    let () = lua.load("return").eval().unwrap();
    let () = <()>::from_lua_multi(LuaMultiValue::new(), &lua).unwrap();
}

#[test]
fn one_element_tuple() {
    let lua = Lua::new();
    let (n, types): (i64, String) = arg_types(&lua).call((7,)).unwrap();
    assert_eq!((n, types.as_str()), (1, "number"));
    let (x,): (i64,) = identity(&lua).call((7,)).unwrap();
    assert_eq!(x, 7);
    let (s,): (String,) = lua.load("return 'one', 'two'").eval().unwrap();
    assert_eq!(s, "one");
}

#[test]
fn two_and_three_element_tuples() {
    let lua = Lua::new();
    let (a, b): (i64, String) = identity(&lua).call((1, "two")).unwrap();
    assert_eq!((a, b.as_str()), (1, "two"));
    let (a, b, c): (bool, f64, Option<String>) = identity(&lua).call((true, 2.5, "x")).unwrap();
    assert_eq!((a, b, c.as_deref()), (true, 2.5, Some("x")));
    let (n, types): (i64, String) = arg_types(&lua).call((1, "two", false)).unwrap();
    assert_eq!((n, types.as_str()), (3, "number,string,boolean"));
}

#[test]
fn nil_values_inside_tuples_are_kept_in_place() {
    let lua = Lua::new();
    let (n, types): (i64, String) = arg_types(&lua).call((LuaNil, 2, None::<i64>, "x", LuaNil)).unwrap();
    assert_eq!((n, types.as_str()), (5, "nil,number,nil,string,nil"));
}

#[test]
fn sixteen_element_tuples_both_ways() {
    let lua = Lua::new();
    let args = (1i64, 2i64, 3i64, 4i64, 5i64, 6i64, 7i64, 8i64, 9i64, 10i64, 11i64, 12i64, 13i64, 14i64, 15i64, 16i64);
    let (n, _types): (i64, String) = arg_types(&lua).call(args).unwrap();
    assert_eq!(n, 16);
    #[allow(clippy::type_complexity)]
    let r: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, String) =
        identity(&lua).call((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, "sixteen")).unwrap();
    assert_eq!(r.0, 1);
    assert_eq!(r.7, 8);
    assert_eq!(r.14, 15);
    assert_eq!(r.15, "sixteen");
    // A sixteen-argument callback.
    #[allow(clippy::type_complexity)]
    let f = lua
        .create_function(|_, t: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)| {
            Ok(t.0 + t.1 + t.2 + t.3 + t.4 + t.5 + t.6 + t.7 + t.8 + t.9 + t.10 + t.11 + t.12 + t.13 + t.14 + t.15)
        })
        .unwrap();
    let sum: i64 = f.call((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)).unwrap();
    assert_eq!(sum, 136);
}

#[test]
fn missing_values_read_as_nil() {
    let lua = Lua::new();
    let (a, b, c): (i64, Option<i64>, Option<String>) = lua.load("return 1").eval().unwrap();
    assert_eq!((a, b, c), (1, None, None));
    let (v, w): (LuaValue, LuaValue) = lua.load("return").eval().unwrap();
    assert!(v.is_nil() && w.is_nil());
    let x: Option<i64> = lua.load("return").eval().unwrap();
    assert_eq!(x, None);
    let nil: LuaNil = lua.load("return").eval().unwrap();
    assert_eq!(nil, LuaNil);
    // A missing value read as a plain integer is a conversion error.
    let err = lua.load("return 1").eval::<(i64, i64)>().unwrap_err();
    match err {
        LuaError::FromLuaConversionError { from, .. } => assert_eq!(from, "nil"),
        other => panic!("expected a conversion error, got {other:?}"),
    }
    let err = lua.load("return").eval::<i64>().unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { from: "nil", .. }), "{err:?}");
}

#[test]
fn missing_callback_arguments_are_nil() {
    let lua = Lua::new();
    let f = lua
        .create_function(|_, (a, b, c): (i64, Option<String>, LuaValue)| Ok(format!("{a} {b:?} {}", c.type_name())))
        .unwrap();
    let s: String = f.call(5).unwrap();
    assert_eq!(s, "5 None nil");
    // A missing required argument is a bad-argument error naming its position.
    lua.globals().set("f", f).unwrap();
    let err = lua.load("f()").exec().unwrap_err();
    match err.root_cause() {
        LuaError::BadArgument { pos, to, cause, .. } => {
            assert_eq!(*pos, 1);
            assert_eq!(to.as_deref(), Some("f"));
            // An absent argument is "no value", as luaL_checkinteger says.
            assert!(matches!(**cause, LuaError::FromLuaConversionError { from: "no value", .. }), "{cause:?}");
        }
        other => panic!("expected a bad argument error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("bad argument #1 to `f`: error converting Lua no value to number"), "{err}");
    // An explicit nil is "nil".
    let err = lua.load("f(nil)").exec().unwrap_err();
    match err.root_cause() {
        LuaError::BadArgument { pos: 1, cause, .. } => {
            assert!(matches!(**cause, LuaError::FromLuaConversionError { from: "nil", .. }), "{cause:?}");
        }
        other => panic!("expected a bad argument error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("bad argument #1 to `f`: error converting Lua nil to number"), "{err}");
}

#[test]
fn extra_values_are_ignored() {
    let lua = Lua::new();
    let x: i64 = lua.load("return 1, 2, 3").eval().unwrap();
    assert_eq!(x, 1);
    let (a, b): (i64, i64) = lua.load("return 1, 2, 3, 4").eval().unwrap();
    assert_eq!((a, b), (1, 2));
    // Extra values that would not convert are not looked at.
    let (a,): (i64,) = lua.load("return 1, {}, print").eval().unwrap();
    assert_eq!(a, 1);
    let f = lua.create_function(|_, a: i64| Ok(a * 2)).unwrap();
    let r: i64 = f.call((21, "ignored", true)).unwrap();
    assert_eq!(r, 42);
}

#[test]
fn variadic_as_last_element_takes_the_rest() {
    let lua = Lua::new();
    let (first, rest): (String, LuaVariadic<i64>) = lua.load("return 'x', 1, 2, 3").eval().unwrap();
    assert_eq!(first, "x");
    assert_eq!(rest.0, vec![1, 2, 3]);
    let (a, b, rest): (i64, i64, LuaVariadic<i64>) = lua.load("return 1, 2").eval().unwrap();
    assert_eq!((a, b), (1, 2));
    assert!(rest.is_empty());
    let all: LuaVariadic<String> = lua.load("return 'a', 'b', 'c'").eval().unwrap();
    assert_eq!(all.0, vec!["a", "b", "c"]);

    let sum =
        lua.create_function(|_, (scale, nums): (i64, LuaVariadic<i64>)| Ok(scale * nums.iter().sum::<i64>())).unwrap();
    let r: i64 = sum.call((10, 1, 2, 3, 4, 5)).unwrap();
    assert_eq!(r, 150);
    let r: i64 = sum.call(10).unwrap();
    assert_eq!(r, 0);
}

#[test]
fn variadic_converts_into_all_its_values() {
    let lua = Lua::new();
    let v = LuaVariadic(vec![1, 2, 3]);
    let (n, types): (i64, String) = arg_types(&lua).call(v).unwrap();
    assert_eq!((n, types.as_str()), (3, "number,number,number"));
    let f = lua.create_function(|_, n: i64| Ok(LuaVariadic((1..=n).collect::<Vec<i64>>()))).unwrap();
    lua.globals().set("range", f).unwrap();
    let count: i64 = lua.load("return select('#', range(5))").eval().unwrap();
    assert_eq!(count, 5);
    let last: i64 = lua.load("return (select(5, range(5)))").eval().unwrap();
    assert_eq!(last, 5);
    let empty: i64 = lua.load("return select('#', range(0))").eval().unwrap();
    assert_eq!(empty, 0);
}

#[test]
fn variadic_conversion_errors() {
    let lua = Lua::new();
    // From results: the first value that does not convert fails the whole conversion.
    let err = lua.load("return 1, 2, 'x'").eval::<LuaVariadic<i64>>().unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { from: "string", .. }), "{err:?}");
    let err = lua.load("return 'a', 1, {}").eval::<(String, LuaVariadic<i64>)>().unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { from: "table", .. }), "{err:?}");

    // As callback arguments: the error names the position of the bad value.
    let f = lua.create_function(|_, (_s, nums): (String, LuaVariadic<i64>)| Ok(nums.len())).unwrap();
    lua.globals().set("nums", f).unwrap();
    let err = lua.load("nums('a', 1, 2, 'x', 4)").exec().unwrap_err();
    match err.root_cause() {
        LuaError::BadArgument { pos, to, .. } => {
            assert_eq!(*pos, 4);
            assert_eq!(to.as_deref(), Some("nums"));
        }
        other => panic!("expected a bad argument error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("bad argument #4 to `nums`: error converting Lua string to number"), "{err}");
    // Numeric strings and floats convert (floats truncated).
    let n: usize = lua.load("return nums('a', '1', 2.0, '0x10', 1.5)").eval().unwrap();
    assert_eq!(n, 4);
    // A float beyond the type is out of range.
    let err = lua.load("nums('a', 2^70)").exec().unwrap_err();
    assert!(err.to_string().starts_with("bad argument #2 to `nums`"), "{err}");
}

#[test]
fn multivalue_as_last_element_takes_the_rest() {
    let lua = Lua::new();
    let (a, rest): (i64, LuaMultiValue) = lua.load("return 1, 'two', nil, true").eval().unwrap();
    assert_eq!(a, 1);
    assert_eq!(rest.len(), 3);
    assert_eq!(rest.front().and_then(|v| v.to_string_lossy()).as_deref(), Some("two"));
    assert!(rest.get(1).unwrap().is_nil());
    assert_eq!(rest.get(2).unwrap().as_boolean(), Some(true));

    // Trailing nils are values too.
    let all: LuaMultiValue = lua.load("return nil, nil").eval().unwrap();
    assert_eq!(all.len(), 2);

    let f = lua
        .create_function(|_, (name, rest): (String, LuaMultiValue)| {
            let types: Vec<&str> = rest.iter().map(|v| v.type_name()).collect();
            Ok(format!("{name}:{}", types.join(",")))
        })
        .unwrap();
    let s: String = f.call(("f", 1, "s", LuaNil, false)).unwrap();
    // `type_name` names integers apart from floats, as mlua's does.
    assert_eq!(s, "f:integer,string,nil,boolean");
}

#[test]
fn multivalue_passes_all_values_as_arguments_and_results() {
    let lua = Lua::new();
    let mut m = LuaMultiValue::new();
    m.push_back(LuaValue::Integer(1));
    m.push_back(LuaValue::Nil);
    m.push_back(LuaValue::Boolean(false));
    let (n, types): (i64, String) = arg_types(&lua).call(m.clone()).unwrap();
    assert_eq!((n, types.as_str()), (3, "number,nil,boolean"));
    let back: LuaMultiValue = identity(&lua).call(m).unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(back.front(), Some(&LuaValue::Integer(1)));

    let f = lua
        .create_function(|_, n: usize| Ok((0..n).map(|i| LuaValue::Integer(i as i64)).collect::<LuaMultiValue>()))
        .unwrap();
    lua.globals().set("gen", f).unwrap();
    assert_eq!(lua.load("return select('#', gen(10))").eval::<i64>().unwrap(), 10);
    assert_eq!(lua.load("return select('#', gen(0))").eval::<i64>().unwrap(), 0);
}

#[test]
fn multivalue_api() {
    let mut m = LuaMultiValue::new();
    assert!(m.is_empty());
    assert_eq!(m.len(), 0);
    assert_eq!(m.front(), None);
    for i in 0..10 {
        m.push_back(LuaValue::Integer(i));
    }
    assert_eq!(m.len(), 10);
    assert!(!m.is_empty());
    assert_eq!(m.get(9), Some(&LuaValue::Integer(9)));
    assert_eq!(m.get(10), None);
    assert_eq!(m.front(), Some(&LuaValue::Integer(0)));
    assert_eq!(m.back(), Some(&LuaValue::Integer(9)));
    let sum: i64 = m.iter().filter_map(|v| v.as_integer()).sum();
    assert_eq!(sum, 45);
    let by_ref: Vec<i64> = (&m).into_iter().filter_map(|v| v.as_integer()).collect();
    assert_eq!(by_ref, (0..10).collect::<Vec<_>>());
    let cloned = m.clone();
    let v = m.into_vec();
    assert_eq!(v.len(), 10);
    assert_eq!(v[3], LuaValue::Integer(3));
    let owned: Vec<LuaValue> = cloned.into_iter().collect();
    assert_eq!(owned, v);

    let from_vec = LuaMultiValue::from(vec![LuaValue::Boolean(true), LuaValue::Nil]);
    assert_eq!(from_vec.len(), 2);
    assert_eq!(from_vec.get(1), Some(&LuaValue::Nil));
    let collected: LuaMultiValue = (1..=3).map(LuaValue::Integer).collect();
    assert_eq!(collected.len(), 3);
    let with_cap = LuaMultiValue::with_capacity(100);
    assert!(with_cap.is_empty());
    let small = LuaMultiValue::with_capacity(2);
    assert_eq!(small.len(), 0);
    let mut it = collected.into_iter();
    assert_eq!(it.size_hint(), (3, Some(3)));
    assert_eq!(it.next(), Some(LuaValue::Integer(1)));
    assert_eq!(it.size_hint(), (2, Some(2)));
}

#[test]
fn multivalue_is_a_deque() {
    // mlua's shape: a VecDeque underneath, reached through Deref.
    let mut m = LuaMultiValue::from_vec(vec![LuaValue::Integer(2), LuaValue::Integer(3)]);
    m.push_front(LuaValue::Integer(1));
    m.push_back(LuaValue::Integer(4));
    assert_eq!(m.len(), 4);
    assert_eq!(m.pop_front(), Some(LuaValue::Integer(1)));
    assert_eq!(m.pop_back(), Some(LuaValue::Integer(4)));
    assert_eq!(m.iter().filter_map(LuaValue::as_integer).collect::<Vec<_>>(), [2, 3]);
    let deque: &std::collections::VecDeque<LuaValue> = &m;
    assert_eq!(deque.len(), 2);
    m.clear();
    assert_eq!(m.pop_front(), None);
    assert!(m.is_empty());
    // Consuming the arguments of a callback one by one.
    let lua = Lua::new();
    let sum = lua
        .create_function(|_, mut args: LuaMultiValue| {
            let mut total = 0;
            while let Some(v) = args.pop_front() {
                total += v.as_integer().unwrap_or(0);
            }
            Ok(total)
        })
        .unwrap();
    assert_eq!(sum.call::<i64>((1, 2, "x", 4)).unwrap(), 7);
    // from_vec and into_vec keep the order.
    let v = vec![LuaValue::Boolean(true), LuaValue::Nil, LuaValue::Integer(5)];
    assert_eq!(LuaMultiValue::from_vec(v.clone()).into_vec(), v);
    let back: LuaMultiValue = identity(&lua).call(LuaMultiValue::from_vec(v.clone())).unwrap();
    assert_eq!(back.into_vec(), v);
}

#[test]
fn variadic_api() {
    let mut v: LuaVariadic<i64> = LuaVariadic::new();
    assert!(v.is_empty());
    v.push(1);
    v.push(2);
    assert_eq!(v.len(), 2);
    let w: LuaVariadic<i64> = vec![1, 2].into();
    assert_eq!(v, w);
    let c: LuaVariadic<i64> = (1..=2).collect();
    assert_eq!(c, w);
}

#[test]
fn result_ok_from_callback_returns_its_values() {
    let lua = Lua::new();
    let f = lua.create_function(|_, x: i64| -> LuaResult<Result<(i64, i64), String>> { Ok(Ok((x, x * 2))) }).unwrap();
    lua.globals().set("f", f).unwrap();
    let (a, b): (i64, i64) = lua.load("return f(4)").eval().unwrap();
    assert_eq!((a, b), (4, 8));
}

#[test]
fn result_err_from_callback_returns_nil_and_the_error() {
    let lua = Lua::new();
    let open = lua
        .create_function(|_, name: String| -> LuaResult<Result<String, String>> {
            if name == "ok" {
                Ok(Ok("handle".to_string()))
            } else {
                Ok(Err(format!("{name}: not found")))
            }
        })
        .unwrap();
    lua.globals().set("open", open).unwrap();
    let (v, e): (Option<String>, Option<String>) = lua.load("return open('missing')").eval().unwrap();
    assert_eq!(v, None);
    assert_eq!(e.as_deref(), Some("missing: not found"));
    let n: i64 = lua.load("return select('#', open('missing'))").eval().unwrap();
    assert_eq!(n, 2);
    let ok: String = lua.load("return (assert(open('ok')))").eval().unwrap();
    assert_eq!(ok, "handle");
    // The Lua idiom `assert(f())` turns the error into a Lua error, with
    // the position of the assert (as PUC's `luaB_assert` adds it).
    let err = lua.load("assert(open('x'))").set_name("=m").exec().unwrap_err();
    assert!(err.to_string().starts_with("runtime error: m:1: x: not found"), "{err}");
}

#[test]
fn result_err_with_lua_error_reaches_lua_as_an_error_value() {
    let lua = Lua::new();
    let f = lua
        .create_function(|_, ()| -> LuaResult<Result<i64, LuaError>> { Ok(Err(LuaError::runtime("soft failure"))) })
        .unwrap();
    lua.globals().set("f", f).unwrap();
    let (v, msg): (LuaValue, String) = lua.load("local v, e = f() return v, tostring(e)").eval().unwrap();
    assert!(v.is_nil());
    assert_eq!(msg, "soft failure");
    let (_, e): (LuaValue, LuaValue) = lua.load("return f()").eval().unwrap();
    match e {
        LuaValue::Error(e) => assert_eq!(e.to_string(), "runtime error: soft failure"),
        other => panic!("expected an error value, got {other:?}"),
    }
}

#[test]
fn callback_returning_err_raises_a_lua_error() {
    let lua = Lua::new();
    let f = lua.create_function(|_, ()| -> LuaResult<i64> { Err(LuaError::runtime("hard failure")) }).unwrap();
    lua.globals().set("f", f).unwrap();
    let (ok, msg): (bool, String) = lua.load("local ok, e = pcall(f) return ok, tostring(e)").eval().unwrap();
    assert!(!ok);
    assert_eq!(msg, "hard failure");
}

#[test]
fn either_converts_as_left_then_right() {
    let lua = Lua::new();
    let v: LuaEither<i64, String> = lua.load("return 5").eval().unwrap();
    assert_eq!(v, LuaEither::Left(5));
    let v: LuaEither<i64, String> = lua.load("return 'five'").eval().unwrap();
    assert_eq!(v, LuaEither::Right("five".to_string()));
    let v: LuaEither<LuaTable, f64> = lua.load("return 1.5").eval().unwrap();
    assert_eq!(v, LuaEither::Right(1.5));
    let v: LuaEither<LuaTable, f64> = lua.load("return {}").eval().unwrap();
    assert!(matches!(v, LuaEither::Left(_)));
    // Neither alternative converts: the error of the right alternative.
    let err = lua.load("return {}").eval::<LuaEither<i64, String>>().unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { from: "table", .. }), "{err:?}");

    // Into Lua, each alternative converts as itself.
    let f = arg_types(&lua);
    let (_, t): (i64, String) =
        f.call((LuaEither::<i64, String>::Left(1), LuaEither::<i64, String>::Right("s".into()))).unwrap();
    assert_eq!(t, "number,string");

    // As a callback argument.
    let describe = lua
        .create_function(|_, v: LuaEither<i64, String>| {
            Ok(match v {
                LuaEither::Left(i) => format!("int {i}"),
                LuaEither::Right(s) => format!("str {s}"),
            })
        })
        .unwrap();
    lua.globals().set("describe", describe).unwrap();
    assert_eq!(lua.load("return describe(3)").eval::<String>().unwrap(), "int 3");
    assert_eq!(lua.load("return describe('x')").eval::<String>().unwrap(), "str x");
    let err = lua.load("describe({})").exec().unwrap_err();
    assert!(err.to_string().starts_with("bad argument #1 to `describe`"), "{err}");
}

#[test]
fn single_values_convert_as_one_value() {
    let lua = Lua::new();
    let m = 5i64.into_lua_multi(&lua).unwrap();
    assert_eq!(m.len(), 1);
    let m = LuaNil.into_lua_multi(&lua).unwrap();
    assert_eq!(m.len(), 1);
    assert!(m.front().unwrap().is_nil());
    let m = None::<i64>.into_lua_multi(&lua).unwrap();
    assert_eq!(m.len(), 1);
    let x = i64::from_lua_multi(LuaMultiValue::from(vec![LuaValue::Integer(3), LuaValue::Integer(4)]), &lua).unwrap();
    assert_eq!(x, 3);
}
