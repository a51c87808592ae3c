//! Integration tests of the conversions between Rust and Lua values
//! (`IntoLua`/`FromLua` and their multi-value forms): booleans (Lua
//! truthiness), every integer width (out-of-range values and floats
//! without an exact integer value are errors, numeric strings convert),
//! floats, strings and bytes (any bytes; UTF-8 checked only for `String`),
//! `char`, options, vectors, arrays, slices, maps, sets, `LuaEither`,
//! `LuaNil`, light userdata, `LuaValue` itself and its accessors, and the
//! wording of conversion errors. Values are checked after a round trip
//! through Lua code, so both directions are exercised.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use luna::prelude::*;

fn eval<R: FromLuaMulti>(lua: &Lua, code: &str) -> R {
    match lua.load(code).eval::<R>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {code:?} failed: {e}"),
    }
}

/// Converts `v` into Lua, then back to `T` through a Lua identity function.
fn round_trip<V: IntoLua, T: FromLua>(lua: &Lua, v: V) -> LuaResult<T> {
    let id: LuaFunction = lua.load("return function(...) return ... end").eval()?;
    id.call::<T>(v)
}

/// The Lua type (`math.type` for numbers) of `v` after conversion.
fn lua_type<V: IntoLua>(lua: &Lua, v: V) -> String {
    let f: LuaFunction =
        eval(lua, "return function(v) if type(v) == 'number' then return math.type(v) end return type(v) end");
    f.call::<String>(v).unwrap()
}

/// Converts a Lua expression to `T`.
fn from_expr<T: FromLua>(lua: &Lua, expr: &str) -> LuaResult<T> {
    let v: LuaValue = eval(lua, &format!("return {expr}"));
    T::from_lua(v, lua)
}

// ---------------------------------------------------------------------------
// Booleans.

#[test]
fn booleans() {
    let lua = Lua::new();
    assert_eq!(lua_type(&lua, true), "boolean");
    assert!(round_trip::<_, bool>(&lua, true).unwrap());
    assert!(!round_trip::<_, bool>(&lua, false).unwrap());
    // From Lua: truthiness.
    for (expr, want) in [("nil", false), ("false", false), ("true", true), ("0", true), ("''", true), ("{}", true)] {
        assert_eq!(from_expr::<bool>(&lua, expr).unwrap(), want, "{expr}");
    }
}

// ---------------------------------------------------------------------------
// Integers.

macro_rules! check_int_bounds {
    ($lua:expr, $($t:ty),*) => {$(
        assert_eq!(round_trip::<_, $t>($lua, <$t>::MIN).unwrap(), <$t>::MIN, "{} MIN", stringify!($t));
        assert_eq!(round_trip::<_, $t>($lua, <$t>::MAX).unwrap(), <$t>::MAX, "{} MAX", stringify!($t));
        assert_eq!(round_trip::<_, $t>($lua, 7 as $t).unwrap(), 7 as $t);
        assert_eq!(lua_type($lua, 7 as $t), "integer", "{} converts to an integer", stringify!($t));
    )*};
}

#[test]
fn integers_of_every_width_round_trip() {
    let lua = Lua::new();
    check_int_bounds!(&lua, i8, i16, i32, i64, isize, u8, u16, u32);
    assert_eq!(round_trip::<_, u64>(&lua, 0u64).unwrap(), 0);
    assert_eq!(round_trip::<_, u64>(&lua, i64::MAX as u64).unwrap(), i64::MAX as u64);
    assert_eq!(round_trip::<_, usize>(&lua, 12usize).unwrap(), 12);
    assert_eq!(round_trip::<_, i128>(&lua, -5i128).unwrap(), -5);
    assert_eq!(round_trip::<_, u128>(&lua, 5u128).unwrap(), 5);
    assert_eq!(round_trip::<_, i128>(&lua, i64::MIN as i128).unwrap(), i64::MIN as i128);
    // Lua sees the exact values.
    lua.globals().set("big", i64::MAX).unwrap();
    assert!(eval::<bool>(&lua, "return big == math.maxinteger"));
    lua.globals().set("small", i64::MIN).unwrap();
    assert!(eval::<bool>(&lua, "return small == math.mininteger"));
}

#[test]
fn integers_out_of_range_are_errors() {
    let lua = Lua::new();
    let err = from_expr::<u8>(&lua, "300").unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    assert!(err.to_string().contains("out of range"), "{err}");
    assert!(from_expr::<u8>(&lua, "-1").is_err());
    assert!(from_expr::<i8>(&lua, "128").is_err());
    assert!(from_expr::<i8>(&lua, "-129").is_err());
    assert!(from_expr::<u16>(&lua, "65536").is_err());
    assert!(from_expr::<i32>(&lua, "2147483648").is_err());
    assert!(from_expr::<u32>(&lua, "-1").is_err());
    assert!(from_expr::<u64>(&lua, "-1").is_err());
    assert!(from_expr::<usize>(&lua, "math.mininteger").is_err());
    assert_eq!(from_expr::<i8>(&lua, "-128").unwrap(), -128);
    assert_eq!(from_expr::<u16>(&lua, "65535").unwrap(), 65535);
    // Rust values beyond Lua's integers become floats (mlua's rule),
    // never wrapped integers.
    assert_eq!(u64::MAX.into_lua(&lua).unwrap(), LuaValue::Number(u64::MAX as f64));
    assert_eq!(lua_type(&lua, i64::MAX as u64 + 1), "float");
    assert_eq!(lua_type(&lua, i64::MAX as u64), "integer");
    assert_eq!(lua_type(&lua, i128::MAX), "float");
    assert_eq!(lua_type(&lua, i64::MIN as i128), "integer");
    assert_eq!(lua_type(&lua, i64::MIN as i128 - 1), "float");
    let t = lua.create_table().unwrap();
    t.set("k", u64::MAX).unwrap();
    assert_eq!(t.get::<f64>("k").unwrap(), 2f64.powi(64));
    // And back: such a float converts to the wide type it fits.
    assert_eq!(round_trip::<_, u128>(&lua, 1u128 << 64).unwrap(), 1u128 << 64);
    assert_eq!(round_trip::<_, i128>(&lua, -(1i128 << 70)).unwrap(), -(1i128 << 70));
    assert!(round_trip::<_, u64>(&lua, 1u128 << 64).is_err());
}

#[test]
fn integers_from_floats_and_strings() {
    let lua = Lua::new();
    // Floats convert truncated toward zero (mlua's rule) when the result
    // fits the type.
    assert_eq!(from_expr::<i64>(&lua, "2.0").unwrap(), 2);
    assert_eq!(from_expr::<i64>(&lua, "-0.0").unwrap(), 0);
    assert_eq!(from_expr::<u8>(&lua, "255.0").unwrap(), 255);
    assert_eq!(from_expr::<i64>(&lua, "2^53").unwrap(), 1 << 53);
    assert_eq!(from_expr::<i64>(&lua, "2.5").unwrap(), 2);
    assert_eq!(from_expr::<i64>(&lua, "-2.5").unwrap(), -2);
    assert_eq!(from_expr::<u32>(&lua, "-0.5").unwrap(), 0);
    assert_eq!(from_expr::<u8>(&lua, "255.9").unwrap(), 255);
    assert_eq!(from_expr::<i64>(&lua, "-2^63").unwrap(), i64::MIN);
    assert_eq!(from_expr::<u64>(&lua, "2^63").unwrap(), 1 << 63);
    // Others are out of range: the infinities, NaN, and what does not fit.
    for expr in ["1/0", "-1/0", "0/0", "2^63", "-2^63 - 2^11"] {
        let err = from_expr::<i64>(&lua, expr).unwrap_err();
        assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{expr}: {err:?}");
        assert!(err.to_string().contains("out of range"), "{expr}: {err}");
    }
    assert!(from_expr::<u8>(&lua, "256.0").is_err());
    assert!(from_expr::<u32>(&lua, "-1.0").is_err());
    // Numeric strings convert, the same way.
    assert_eq!(from_expr::<i64>(&lua, "'42'").unwrap(), 42);
    assert_eq!(from_expr::<i64>(&lua, "' 0x10 '").unwrap(), 16);
    assert_eq!(from_expr::<i64>(&lua, "'1e2'").unwrap(), 100);
    assert_eq!(from_expr::<i32>(&lua, "'-7'").unwrap(), -7);
    assert_eq!(from_expr::<i64>(&lua, "'1.5'").unwrap(), 1);
    // `coerce_integer` keeps Lua's rule: only exact values.
    let s = LuaValue::String(lua.create_string("1.5").unwrap());
    assert_eq!(lua.coerce_integer(s).unwrap(), None);
    // Non-numbers are type errors.
    for (expr, ty) in [("'abc'", "string"), ("nil", "nil"), ("true", "boolean"), ("{}", "table"), ("print", "function")]
    {
        let err = from_expr::<i64>(&lua, expr).unwrap_err();
        assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{expr}: {err:?}");
        assert_eq!(err.to_string(), format!("error converting Lua {ty} to number"), "{expr}");
    }
}

// ---------------------------------------------------------------------------
// Floats.

#[test]
fn floats() {
    let lua = Lua::new();
    assert_eq!(lua_type(&lua, 1.0f64), "float", "floats stay floats");
    assert_eq!(lua_type(&lua, 1.5f32), "float");
    assert_eq!(round_trip::<_, f64>(&lua, 1.25).unwrap(), 1.25);
    assert_eq!(round_trip::<_, f32>(&lua, 0.5f32).unwrap(), 0.5);
    assert_eq!(round_trip::<_, f64>(&lua, f64::MAX).unwrap(), f64::MAX);
    assert_eq!(round_trip::<_, f64>(&lua, f64::MIN_POSITIVE).unwrap(), f64::MIN_POSITIVE);
    assert_eq!(round_trip::<_, f64>(&lua, f64::INFINITY).unwrap(), f64::INFINITY);
    assert!(round_trip::<_, f64>(&lua, f64::NAN).unwrap().is_nan());
    let neg_zero = round_trip::<_, f64>(&lua, -0.0f64).unwrap();
    assert!(neg_zero == 0.0 && neg_zero.is_sign_negative());
    // Integers and numeric strings convert to floats.
    assert_eq!(from_expr::<f64>(&lua, "3").unwrap(), 3.0);
    assert_eq!(from_expr::<f64>(&lua, "'2.5'").unwrap(), 2.5);
    assert_eq!(from_expr::<f64>(&lua, "'0x1p4'").unwrap(), 16.0);
    assert_eq!(from_expr::<f64>(&lua, "math.maxinteger").unwrap(), i64::MAX as f64);
    assert_eq!(from_expr::<f32>(&lua, "1").unwrap(), 1.0);
    let err = from_expr::<f64>(&lua, "'x'").unwrap_err();
    assert_eq!(err.to_string(), "error converting Lua string to number");
    let err = from_expr::<f64>(&lua, "false").unwrap_err();
    assert_eq!(err.to_string(), "error converting Lua boolean to number");
    // Lua sees the values.
    lua.globals().set("x", 0.1f64).unwrap();
    assert!(eval::<bool>(&lua, "return x == 0.1"));
}

// ---------------------------------------------------------------------------
// Strings and bytes.

#[test]
fn strings() {
    let lua = Lua::new();
    assert_eq!(round_trip::<_, String>(&lua, "héllo wörld").unwrap(), "héllo wörld");
    assert_eq!(round_trip::<_, String>(&lua, String::from("owned")).unwrap(), "owned");
    assert_eq!(round_trip::<_, String>(&lua, &String::from("borrowed")).unwrap(), "borrowed");
    assert_eq!(round_trip::<_, String>(&lua, Box::<str>::from("boxed")).unwrap(), "boxed");
    assert_eq!(round_trip::<_, String>(&lua, Cow::Borrowed("cow")).unwrap(), "cow");
    assert_eq!(&*round_trip::<_, Box<str>>(&lua, "to box").unwrap(), "to box");
    assert_eq!(round_trip::<_, Cow<'static, str>>(&lua, "to cow").unwrap(), "to cow");
    assert_eq!(round_trip::<_, String>(&lua, "").unwrap(), "");
    assert_eq!(round_trip::<_, String>(&lua, "nul\0inside").unwrap(), "nul\0inside");
    assert_eq!(lua_type(&lua, "s"), "string");
    assert_eq!(eval::<i64>(&lua, "return #'\\0\\0\\0'"), 3);
    // Numbers convert to strings as Lua prints them.
    for (expr, want) in [
        ("42", "42"),
        ("-7", "-7"),
        ("1.5", "1.5"),
        ("2.0", "2.0"),
        ("1e100", "1e+100"),
        ("2^63", "9.2233720368548e+18"),
    ] {
        assert_eq!(from_expr::<String>(&lua, expr).unwrap(), want, "{expr}");
    }
    // Other types do not.
    for (expr, ty) in [("nil", "nil"), ("true", "boolean"), ("{}", "table")] {
        let err = from_expr::<String>(&lua, expr).unwrap_err();
        assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{expr}: {err:?}");
        assert_eq!(err.to_string(), format!("error converting Lua {ty} to String"));
    }
    // Invalid UTF-8 is an error for String, not for bytes.
    let err = from_expr::<String>(&lua, "'\\xff\\xfe'").unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
    assert_eq!(from_expr::<Vec<u8>>(&lua, "'\\xff\\xfe'").unwrap(), [0xff, 0xfe]);
}

#[test]
fn bytes() {
    let lua = Lua::new();
    let raw: Vec<u8> = vec![0, 1, 2, 0xff, b'a'];
    assert_eq!(lua_type(&lua, raw.clone()), "string", "Vec<u8> converts to a string");
    assert_eq!(round_trip::<_, Vec<u8>>(&lua, raw.clone()).unwrap(), raw);
    assert_eq!(&*round_trip::<_, Box<[u8]>>(&lua, raw.clone()).unwrap(), &raw[..]);
    assert_eq!(round_trip::<_, Cow<'static, [u8]>>(&lua, Cow::Borrowed(&raw[..])).unwrap(), raw);
    assert_eq!(lua_type(&lua, &raw[..]), "string", "&[u8] converts to a string");
    lua.globals().set("b", raw.clone()).unwrap();
    assert_eq!(eval::<i64>(&lua, "return #b"), 5);
    assert_eq!(eval::<i64>(&lua, "return b:byte(4)"), 255);
    // LuaString keeps bytes; numbers convert to strings.
    let s: LuaString = from_expr(&lua, "'\\0\\xff'").unwrap();
    assert_eq!(s.as_bytes(), [0, 0xff]);
    let n: LuaString = from_expr(&lua, "12").unwrap();
    assert_eq!(n, "12");
    let f: LuaString = from_expr(&lua, "0.5").unwrap();
    assert_eq!(f.to_str().unwrap(), "0.5");
    assert!(from_expr::<LuaString>(&lua, "{}").is_err());
    // A table of small numbers converts to bytes too.
    assert_eq!(from_expr::<Vec<u8>>(&lua, "{104, 105}").unwrap(), b"hi");
    assert!(from_expr::<Vec<u8>>(&lua, "{256}").is_err());
}

#[test]
fn chars() {
    let lua = Lua::new();
    assert_eq!(round_trip::<_, char>(&lua, 'x').unwrap(), 'x');
    assert_eq!(round_trip::<_, char>(&lua, 'é').unwrap(), 'é');
    assert_eq!(round_trip::<_, char>(&lua, '😀').unwrap(), '😀');
    lua.globals().set("c", 'é').unwrap();
    assert_eq!(eval::<i64>(&lua, "return #c"), 2, "a char converts to its UTF-8 bytes");
    assert!(from_expr::<char>(&lua, "'ab'").is_err());
    assert!(from_expr::<char>(&lua, "''").is_err());
    // An integer is a code point (as mlua converts it), a string its one
    // character.
    assert_eq!(from_expr::<char>(&lua, "65").unwrap(), 'A');
    assert_eq!(from_expr::<char>(&lua, "'7'").unwrap(), '7');
    assert!(from_expr::<char>(&lua, "-1").is_err());
}

// ---------------------------------------------------------------------------
// Options, nil, light userdata, LuaValue.

#[test]
fn options_and_nil() {
    let lua = Lua::new();
    assert_eq!(lua_type(&lua, None::<i64>), "nil");
    assert_eq!(lua_type(&lua, Some(3)), "integer");
    assert_eq!(round_trip::<_, Option<i64>>(&lua, Some(3)).unwrap(), Some(3));
    assert_eq!(round_trip::<_, Option<i64>>(&lua, None::<i64>).unwrap(), None);
    assert_eq!(from_expr::<Option<String>>(&lua, "nil").unwrap(), None);
    // false is a value, not an absent one.
    assert_eq!(from_expr::<Option<bool>>(&lua, "false").unwrap(), Some(false));
    // A present value of the wrong type is still an error.
    assert!(from_expr::<Option<i64>>(&lua, "'x'").is_err());
    assert_eq!(lua_type(&lua, LuaNil), "nil");
    assert_eq!(from_expr::<LuaNil>(&lua, "nil").unwrap(), LuaNil);
    assert_eq!(from_expr::<LuaNil>(&lua, "1").unwrap_err().to_string(), "error converting Lua number to nil");
    assert_eq!(eval::<()>(&lua, "return 1, 2"), ());
}

#[test]
fn light_userdata() {
    let lua = Lua::new();
    let mut target = 5u32;
    let p = LuaLightUserdata(&mut target as *mut u32 as *mut std::ffi::c_void);
    assert_eq!(lua_type(&lua, p), "userdata");
    assert_eq!(round_trip::<_, LuaLightUserdata>(&lua, p).unwrap(), p);
    lua.globals().set("p", p).unwrap();
    lua.globals().set("q", p).unwrap();
    assert!(eval::<bool>(&lua, "return p == q"), "equal pointers are equal values");
    let t = lua.create_table().unwrap();
    t.set(p, "by pointer").unwrap();
    assert_eq!(t.get::<String>(p).unwrap(), "by pointer");
    assert!(from_expr::<LuaLightUserdata>(&lua, "1").is_err());
    let null = LuaLightUserdata(std::ptr::null_mut());
    assert_eq!(round_trip::<_, LuaLightUserdata>(&lua, null).unwrap(), null);
}

#[test]
fn lua_values() {
    let lua = Lua::new();
    let v: LuaMultiValue = eval(&lua, "return nil, true, 3, 1.5, 'text', {}, print, coroutine.create(print), 2.0");
    let v = v.into_vec();
    let types: Vec<&str> = v.iter().map(LuaValue::type_name).collect();
    assert_eq!(types, ["nil", "boolean", "integer", "number", "string", "table", "function", "thread", "number"]);
    assert!(v[0].is_nil());
    assert!(!v[0].is_truthy());
    assert!(v[1].is_truthy());
    assert_eq!(v[1].as_boolean(), Some(true));
    assert!(matches!(v[2], LuaValue::Integer(3)));
    assert!(matches!(v[3], LuaValue::Number(n) if n == 1.5));
    assert!(matches!(v[8], LuaValue::Number(n) if n == 2.0), "2.0 stays a float");
    assert_eq!(v[2].as_integer(), Some(3));
    assert_eq!(v[3].as_integer(), None);
    // As mlua's: `as_number` is for floats only; integers are `as_integer`.
    assert_eq!(v[2].as_number(), None);
    assert_eq!(v[3].as_number(), Some(1.5));
    assert_eq!(v[4].as_string().unwrap(), "text");
    assert!(v[5].as_table().is_some());
    assert!(v[6].as_function().is_some());
    assert_eq!(v[2].to_string_lossy().as_deref(), Some("3"));
    assert_eq!(v[3].to_string_lossy().as_deref(), Some("1.5"));
    assert_eq!(v[8].to_string_lossy().as_deref(), Some("2.0"));
    assert_eq!(v[5].to_string_lossy(), None);
    // Raw equality: integers equal floats of the same value; strings by
    // contents; tables by identity.
    assert_eq!(LuaValue::Integer(2), v[8]);
    assert_eq!(LuaValue::Integer(1), LuaValue::Number(1.0));
    assert_ne!(LuaValue::Integer(1), LuaValue::Number(1.5));
    assert_ne!(LuaValue::Number(f64::NAN), LuaValue::Number(f64::NAN));
    assert_ne!(LuaValue::Integer(1), LuaValue::Boolean(true));
    assert_eq!(LuaValue::String(lua.create_string("text").unwrap()), v[4]);
    assert_eq!(v[5], v[5].clone());
    assert_ne!(v[5], LuaValue::Table(lua.create_table().unwrap()));
    assert_eq!(LuaValue::default(), LuaValue::Nil);
    assert_eq!(LuaValue::from(true), LuaValue::Boolean(true));
    assert_eq!(LuaValue::from(5i64), LuaValue::Integer(5));
    assert_eq!(LuaValue::from(0.5f64), LuaValue::Number(0.5));
    // LuaValues go back into Lua unchanged.
    let id: LuaFunction = eval(&lua, "return function(...) return ... end");
    let back: LuaMultiValue = id.call(LuaMultiValue::from(v.clone())).unwrap();
    assert_eq!(back.len(), v.len());
    for (a, b) in back.iter().zip(v.iter()) {
        assert_eq!(a, b);
    }
    // Handles convert from matching values only.
    let err = from_expr::<LuaTable>(&lua, "'s'").unwrap_err();
    assert_eq!(err.to_string(), "error converting Lua string to table");
    assert_eq!(from_expr::<LuaFunction>(&lua, "{}").unwrap_err().to_string(), "error converting Lua table to function");
    assert_eq!(from_expr::<LuaThread>(&lua, "1").unwrap_err().to_string(), "error converting Lua number to thread");
    assert!(from_expr::<LuaFunction>(&lua, "print").is_ok());
}

// ---------------------------------------------------------------------------
// Collections.

#[test]
fn vectors_arrays_and_slices() {
    let lua = Lua::new();
    assert_eq!(lua_type(&lua, vec![1, 2, 3]), "table");
    assert_eq!(round_trip::<_, Vec<i64>>(&lua, vec![1, 2, 3]).unwrap(), [1, 2, 3]);
    assert_eq!(round_trip::<_, Vec<String>>(&lua, vec!["a", "b"]).unwrap(), ["a", "b"]);
    assert_eq!(round_trip::<_, Vec<i64>>(&lua, Vec::<i64>::new()).unwrap(), Vec::<i64>::new());
    let nested = vec![vec![1, 2], vec![], vec![3]];
    assert_eq!(round_trip::<_, Vec<Vec<i64>>>(&lua, nested.clone()).unwrap(), nested);
    assert_eq!(round_trip::<_, [i64; 3]>(&lua, [4, 5, 6]).unwrap(), [4, 5, 6]);
    assert_eq!(lua_type(&lua, [1u8, 2]), "table", "arrays are sequences, even of bytes");
    let slice: &[i64] = &[7, 8];
    assert_eq!(round_trip::<_, Vec<i64>>(&lua, slice).unwrap(), [7, 8]);
    let boxed: Box<[String]> = vec!["x".to_string()].into_boxed_slice();
    assert_eq!(round_trip::<_, Vec<String>>(&lua, boxed).unwrap(), ["x"]);
    // Lua sees a proper sequence.
    lua.globals().set("v", vec![10, 20, 30]).unwrap();
    assert_eq!(eval::<i64>(&lua, "return #v + v[1] + v[3]"), 43);
    // From Lua: the sequence up to the first nil.
    assert_eq!(from_expr::<Vec<i64>>(&lua, "{1, 2, nil, 4}").unwrap(), [1, 2]);
    assert_eq!(from_expr::<Vec<i64>>(&lua, "{x = 1}").unwrap(), Vec::<i64>::new());
    let err = from_expr::<Vec<i64>>(&lua, "{1, 'x'}").unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    assert_eq!(from_expr::<Vec<i64>>(&lua, "5").unwrap_err().to_string(), "error converting Lua number to table");
    // Arrays need the exact length.
    let err = from_expr::<[i64; 2]>(&lua, "{1, 2, 3}").unwrap_err();
    assert!(err.to_string().contains("expected a sequence of 2 values, got 3"), "{err}");
    assert!(from_expr::<[i64; 4]>(&lua, "{1, 2, 3}").is_err());
    assert_eq!(from_expr::<[String; 2]>(&lua, "{'a', 'b'}").unwrap(), ["a", "b"]);
}

#[test]
fn maps() {
    let lua = Lua::new();
    let mut m = HashMap::new();
    m.insert("one".to_string(), 1);
    m.insert("two".to_string(), 2);
    assert_eq!(lua_type(&lua, m.clone()), "table");
    assert_eq!(round_trip::<_, HashMap<String, i64>>(&lua, m.clone()).unwrap(), m);
    lua.globals().set("m", m).unwrap();
    assert_eq!(eval::<i64>(&lua, "return m.one + m.two"), 3);
    let b: BTreeMap<i64, String> = BTreeMap::from([(1, "a".to_string()), (10, "b".to_string())]);
    assert_eq!(round_trip::<_, BTreeMap<i64, String>>(&lua, b.clone()).unwrap(), b);
    let from_lua: BTreeMap<String, f64> = from_expr(&lua, "{x = 1, y = 2.5}").unwrap();
    assert_eq!(from_lua, BTreeMap::from([("x".to_string(), 1.0), ("y".to_string(), 2.5)]));
    // Sequences are maps from integers.
    let seq: HashMap<i64, String> = from_expr(&lua, "{'a', 'b'}").unwrap();
    assert_eq!(seq[&2], "b");
    // Conversion errors of keys or values are errors of the whole map.
    assert!(from_expr::<HashMap<String, i64>>(&lua, "{x = 'not a number'}").is_err());
    assert!(from_expr::<HashMap<i64, i64>>(&lua, "{[{}] = 1}").is_err());
    assert!(from_expr::<BTreeMap<String, i64>>(&lua, "'x'").is_err());
    // Nested maps.
    let nested: HashMap<String, Vec<i64>> = from_expr(&lua, "{a = {1, 2}, b = {}}").unwrap();
    assert_eq!(nested["a"], [1, 2]);
    assert!(nested["b"].is_empty());
}

#[test]
fn sets() {
    let lua = Lua::new();
    let s: HashSet<String> = ["a", "b"].iter().map(|x| x.to_string()).collect();
    lua.globals().set("s", s.clone()).unwrap();
    assert!(eval::<bool>(&lua, "return s.a == true and s.b == true and s.c == nil"));
    assert_eq!(round_trip::<_, HashSet<String>>(&lua, s.clone()).unwrap(), s);
    let b: BTreeSet<i64> = BTreeSet::from([10, 30, 20]);
    assert_eq!(round_trip::<_, BTreeSet<i64>>(&lua, b.clone()).unwrap(), b);
    // Keys with truthy values are members; false values are not.
    let from_map: BTreeSet<String> = from_expr(&lua, "{x = true, y = 1, z = false}").unwrap();
    assert_eq!(from_map, BTreeSet::from(["x".to_string(), "y".to_string()]));
    // A sequence converts to the set of its values.
    let from_seq: BTreeSet<String> = from_expr(&lua, "{'p', 'q', 'p'}").unwrap();
    assert_eq!(from_seq, BTreeSet::from(["p".to_string(), "q".to_string()]));
    assert!(from_expr::<HashSet<i64>>(&lua, "1").is_err());
}

#[test]
fn sets_of_small_integers_round_trip() {
    // The table a set of 1..=n makes ({[1] = true, [2] = true, ...}) is
    // also a sequence of booleans: it must still convert back to the set.
    let lua = Lua::new();
    let b: BTreeSet<i64> = BTreeSet::from([3, 1, 2]);
    assert_eq!(round_trip::<_, BTreeSet<i64>>(&lua, b.clone()).unwrap(), b);
    let h: HashSet<u8> = HashSet::from([1]);
    assert_eq!(round_trip::<_, HashSet<u8>>(&lua, h.clone()).unwrap(), h);
}

#[test]
fn either() {
    let lua = Lua::new();
    let v: LuaEither<i64, String> = from_expr(&lua, "5").unwrap();
    assert_eq!(v, LuaEither::Left(5));
    let v: LuaEither<i64, String> = from_expr(&lua, "'five'").unwrap();
    assert_eq!(v, LuaEither::Right("five".to_string()));
    let v: LuaEither<LuaTable, bool> = from_expr(&lua, "nil").unwrap();
    assert!(matches!(v, LuaEither::Right(false)));
    assert!(from_expr::<LuaEither<i64, LuaTable>>(&lua, "'x'").is_err());
    assert_eq!(lua_type(&lua, LuaEither::<i64, String>::Left(1)), "integer");
    assert_eq!(lua_type(&lua, LuaEither::<i64, String>::Right("r".into())), "string");
}

// ---------------------------------------------------------------------------
// Multiple values and callback arguments.

/// The largest tuple the conversions support.
type Sixteen = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

#[test]
fn tuples_and_multi_values() {
    let lua = Lua::new();
    let id: LuaFunction = eval(&lua, "return function(...) return ... end");
    let (a, b, c): (i64, Option<String>, bool) = id.call((1, "s", true)).unwrap();
    assert_eq!((a, b.as_deref(), c), (1, Some("s"), true));
    // Missing values are nil.
    let (a, b): (i64, Option<i64>) = id.call(1).unwrap();
    assert_eq!((a, b), (1, None));
    // A variadic last element takes the rest.
    let (a, rest): (String, LuaVariadic<i64>) = id.call(("h", 1, 2, 3)).unwrap();
    assert_eq!((a.as_str(), rest.0), ("h", vec![1, 2, 3]));
    let (a, rest): (i64, LuaMultiValue) = id.call((1, LuaNil, LuaNil)).unwrap();
    assert_eq!((a, rest.len()), (1, 2));
    // Tuples nest into the argument list.
    let n: i64 = eval::<LuaFunction>(&lua, "return function(...) return select('#', ...) end")
        .call(((1, 2), (3, (4, 5)), ()))
        .unwrap();
    assert_eq!(n, 5);
    // A tuple of 16 values.
    let t16: Sixteen = id.call((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)).unwrap();
    assert_eq!(t16.15, 16);
    assert_eq!(t16.0, 1);
    // LuaVariadic helpers.
    let mut v: LuaVariadic<i64> = LuaVariadic::new();
    v.push(1);
    v.extend([2, 3]);
    assert_eq!(id.call::<LuaVariadic<i64>>(v).unwrap().0, [1, 2, 3]);
    let collected: LuaVariadic<i64> = (1..=3).collect();
    assert_eq!(collected, LuaVariadic::from(vec![1, 2, 3]));
    // LuaMultiValue building and iteration.
    let mut mv = LuaMultiValue::new();
    assert!(mv.is_empty());
    for i in 0..10 {
        mv.push_back(LuaValue::Integer(i));
    }
    assert_eq!(mv.len(), 10);
    assert_eq!(mv.get(9).and_then(LuaValue::as_integer), Some(9));
    assert!(mv.get(10).is_none());
    assert_eq!(mv.iter().filter_map(LuaValue::as_integer).sum::<i64>(), 45);
    let collected: LuaMultiValue = mv.clone().into_iter().collect();
    assert_eq!(collected.len(), 10);
    assert_eq!((&mv).into_iter().count(), 10);
    assert_eq!(mv.clone().into_vec().len(), 10);
}

#[test]
fn collection_arguments_of_callbacks() {
    let lua = Lua::new();
    let summarize = lua
        .create_function(|_, (names, scores): (Vec<String>, HashMap<String, f64>)| {
            let total: f64 = names.iter().filter_map(|n| scores.get(n)).sum();
            Ok((names.len(), total))
        })
        .unwrap();
    lua.globals().set("summarize", summarize).unwrap();
    let (n, total): (usize, f64) = eval(&lua, "return summarize({'a', 'b'}, {a = 1.5, b = 2, c = 10})");
    assert_eq!((n, total), (2, 3.5));
    // A bad element is a bad argument naming the argument's position.
    let msg: String = eval(&lua, "local ok, e = pcall(summarize, {'a', {}}, {}) return tostring(e)");
    assert!(msg.contains("bad argument #1 to 'summarize'"), "{msg}");
    let msg: String = eval(&lua, "local ok, e = pcall(summarize, {}, 5) return tostring(e)");
    assert!(msg.contains("bad argument #2 to 'summarize' (table expected, got number)"), "{msg}");
}

#[test]
fn conversion_error_wording() {
    let lua = Lua::new();
    let e = LuaError::FromLuaConversionError { from: "boolean", to: "number".to_string(), message: None };
    assert_eq!(e.to_string(), "error converting Lua boolean to number");
    let e = from_expr::<u8>(&lua, "1000").unwrap_err();
    assert_eq!(e.to_string(), "error converting Lua integer to u8 (out of range)");
    let e = from_expr::<i32>(&lua, "1e10").unwrap_err();
    assert_eq!(e.to_string(), "error converting Lua number to i32 (out of range)");
}
