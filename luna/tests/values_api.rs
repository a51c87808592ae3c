//! The mlua-shaped value vocabulary: `LuaValue` helpers, `LuaString` views
//! and comparisons, `Lua::pack`/`unpack`/`convert`, and the conversions
//! of more Rust types (C and OS strings, paths, boxed slices, shared
//! strings, registry keys, errors, `LuaEither`, byte strings, `anyhow`).

use std::collections::{BTreeSet, HashSet};
use std::ffi::{CString, OsString};
use std::path::PathBuf;
use std::sync::Arc;

use luna::prelude::*;

#[test]
fn null_is_a_light_userdata_that_survives_tables() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    t.set(1, LuaValue::NULL).unwrap();
    t.set(2, "after").unwrap();
    assert_eq!(t.raw_len(), 2, "unlike nil, NULL keeps its place in a sequence");
    let v: LuaValue = t.get(1).unwrap();
    assert!(v.is_null() && v.is_light_userdata() && !v.is_nil());
    assert_eq!(v, LuaValue::NULL);
    assert_eq!(v.type_name(), "lightuserdata");
    assert_eq!(v.to_string().unwrap(), "null");
    assert!(v.to_pointer().is_null());
    assert_eq!(lua.load("return type(...)").call::<String>(v).unwrap(), "userdata");
}

#[test]
fn is_and_as_helpers_match_the_variant() {
    let lua = Lua::new();
    let i = LuaValue::Integer(300);
    assert!(i.is_integer() && !i.is_number());
    assert_eq!((i.as_i32(), i.as_u32(), i.as_i64(), i.as_u64()), (Some(300), Some(300), Some(300), Some(300)));
    assert_eq!(LuaValue::Integer(-1).as_u64(), None, "negative integers have no unsigned form");
    assert_eq!(LuaValue::Integer(i64::MAX).as_i32(), None);
    assert_eq!(i.as_number(), None, "integers are not floats");
    let f = LuaValue::Number(0.5);
    assert_eq!((f.as_f64(), f.as_f32(), f.as_integer()), (Some(0.5), Some(0.5), None));
    assert_eq!(LuaValue::Boolean(false).as_boolean(), Some(false));
    let s = LuaValue::String(lua.create_string("x").unwrap());
    assert!(s.is_string() && !s.is_table());
    assert_eq!(&*s.as_str().unwrap(), "x");
    let co: LuaValue = lua.load("coroutine.create(print)").eval().unwrap();
    assert!(co.is_thread() && co.as_thread().is_some() && co.as_function().is_none());
    let e = LuaValue::Error(Box::new(LuaError::runtime("boom")));
    assert!(e.is_error());
    assert_eq!(e.as_error().unwrap().to_string(), "runtime error: boom");
    assert_eq!(e.type_name(), "error");
}

#[test]
fn type_names_are_mlua_s() {
    let lua = Lua::new();
    let vs: LuaMultiValue =
        lua.load("return nil, true, 1, 1.5, 's', {}, print, coroutine.create(print), io").eval().unwrap();
    let names: Vec<&str> = vs.iter().map(LuaValue::type_name).collect();
    assert_eq!(names, ["nil", "boolean", "integer", "number", "string", "table", "function", "thread", "nil"]);
}

#[test]
fn to_string_is_tostring() {
    let lua = Lua::new();
    assert_eq!(LuaValue::Integer(7).to_string().unwrap(), "7");
    assert_eq!(LuaValue::Number(1e100).to_string().unwrap(), "1e+100");
    assert_eq!(LuaValue::Number(2.0).to_string().unwrap(), "2.0");
    let t: LuaValue = lua.load("setmetatable({}, {__name = 'Point'})").eval().unwrap();
    assert!(t.to_string().unwrap().starts_with("Point: 0x"), "{}", t.to_string().unwrap());
    let bad: LuaValue = lua.load("setmetatable({}, {__tostring = function() error('no text') end})").eval().unwrap();
    assert!(bad.to_string().unwrap_err().to_string().contains("no text"));
    let raw = LuaValue::String(lua.create_string(b"\xff").unwrap());
    assert!(raw.to_string().is_err(), "a string that is not UTF-8 has no `String` form");
}

#[test]
fn equals_runs_eq_but_partial_eq_is_raw() {
    let lua = Lua::new();
    let (a, b, c): (LuaValue, LuaValue, LuaValue) = lua
        .load("local mt = {__eq = function(x, y) return x.k == y.k end} return setmetatable({k = 1}, mt), setmetatable({k = 1}, mt), {k = 1}")
        .eval()
        .unwrap();
    assert!(a != b);
    assert!(a.equals(&b).unwrap());
    assert!(a.equals(&c).unwrap(), "either operand's __eq is used");
    assert!(LuaValue::Integer(1).equals(&LuaValue::Number(1.0)).unwrap());
    let failing: (LuaValue, LuaValue) = lua
        .load("local mt = {__eq = function() error('eq failed') end} return setmetatable({}, mt), setmetatable({}, mt)")
        .eval()
        .unwrap();
    assert!(failing.0.equals(&failing.1).is_err(), "an error in __eq is returned");
}

#[test]
fn pointers_identify_objects() {
    let lua = Lua::new();
    let (t1, t2): (LuaTable, LuaTable) = lua.load("local t = {} return t, {}").eval().unwrap();
    assert_eq!(t1.to_pointer(), t1.clone().to_pointer());
    assert_ne!(t1.to_pointer(), t2.to_pointer());
    assert_eq!(LuaValue::Table(t1.clone()).to_pointer(), t1.to_pointer());
    assert!(LuaValue::Integer(1).to_pointer().is_null());
    let s1 = lua.create_string("short").unwrap();
    let s2: LuaString = lua.load("return 'sh' .. 'ort'").eval().unwrap();
    assert_eq!(s1.to_pointer(), s2.to_pointer(), "short strings are interned");
    drop(lua);
    assert!(t1.to_pointer().is_null(), "no pointer once the state is gone");
}

#[test]
fn debug_formats_as_mlua() {
    let lua = Lua::new();
    assert_eq!(format!("{:?}", LuaValue::Integer(3)), "Integer(3)");
    assert_eq!(format!("{:?}", LuaValue::Nil), "Nil");
    let s = LuaValue::String(lua.create_string("q").unwrap());
    assert_eq!(format!("{s:?}"), r#"String("q")"#);
    let t: LuaTable = lua.load("{1, 2, x = {true}}").eval().unwrap();
    assert!(format!("{t:?}").starts_with("Table(Ref(0x"));
    assert_eq!(format!("{t:#?}"), "{\n  [1] = 1,\n  [2] = 2,\n  x = {\n    true,\n  },\n}");
    let cyclic: LuaTable = lua.load("local t = {} t.me = t return t").eval().unwrap();
    assert!(format!("{cyclic:#?}").contains("me = table: 0x"), "a cycle is shown by address");
}

#[test]
fn string_views_and_comparisons() {
    let lua = Lua::new();
    let s = lua.create_string(b"ab\0c").unwrap();
    assert_eq!(s.as_bytes(), b"ab\0c");
    assert_eq!(s.as_bytes_with_nul(), b"ab\0c\0");
    assert_eq!(s.as_bytes().into_iter().count(), 4);
    assert_eq!(s, b"ab\0c".to_vec());
    assert_eq!(s, "ab\0c");
    assert_eq!(s, String::from("ab\0c"));
    assert!(s < "b" && s > *b"a".as_slice());
    let mut set = BTreeSet::new();
    for w in ["pear", "apple", "fig", "apple"] {
        set.insert(lua.create_string(w).unwrap());
    }
    let sorted: Vec<String> = set.iter().map(|s| s.to_string_lossy()).collect();
    assert_eq!(sorted, ["apple", "fig", "pear"]);
    let hashed: HashSet<LuaString> = lua.load("{'x', 'x' .. '', 'y'}").eval().unwrap();
    assert_eq!(hashed.len(), 2);
}

#[test]
fn string_text_forms() {
    let lua = Lua::new();
    let ok = lua.create_string("héllo").unwrap();
    assert_eq!(ok.to_str().unwrap(), "héllo");
    assert_eq!(format!("{ok:?}"), r#""héllo""#);
    let bad = lua.create_string(b"a\xffb\n").unwrap();
    assert!(bad.to_str().is_err());
    assert_eq!(bad.to_string_lossy(), "a\u{fffd}b\n");
    assert_eq!(format!("{}", bad.display()), "a\u{fffd}b\n");
    assert_eq!(format!("{bad:?}"), r#"b"a\xffb\n""#);
    lua.globals().set("w", LuaString::wrap(vec![0u8, 1])).unwrap();
    assert_eq!(lua.load("return #w").eval::<i64>().unwrap(), 2);
    let s = lua.create_string("gone").unwrap();
    drop(lua);
    assert!(s.as_bytes().is_empty(), "a string whose state is gone reads as empty");
    assert!(s.to_str().is_err());
}

#[test]
fn borrowed_views_convert_back() {
    let lua = Lua::new();
    let f = lua.create_function(|_, (s, b): (LuaBorrowedStr, LuaBorrowedBytes)| Ok((s, b))).unwrap();
    let (s, b): (String, LuaString) = f.call(("text", 12)).unwrap();
    assert_eq!((s.as_str(), b.to_str().unwrap().to_string().as_str()), ("text", "12"));
    let orig = lua.create_string("same").unwrap();
    let view = orig.to_str().unwrap();
    let back = lua.pack(&view).unwrap();
    assert_eq!(back.to_pointer(), orig.to_pointer(), "a view converts to the very string it views");
}

#[test]
fn pack_unpack_convert() {
    let lua = Lua::new();
    assert_eq!(lua.pack("x").unwrap().as_string().unwrap(), "x");
    assert_eq!(lua.unpack::<i64>(LuaValue::Number(3.0)).unwrap(), 3);
    assert_eq!(lua.convert::<String>(1.5).unwrap(), "1.5");
    assert!(lua.convert::<i64>("abc").is_err());
    let m = lua.pack_multi((1, "b", true)).unwrap();
    assert_eq!(m.len(), 3);
    let (a, b, c): (i64, String, bool) = lua.unpack_multi(m).unwrap();
    assert_eq!((a, b.as_str(), c), (1, "b", true));
}

#[test]
fn c_and_os_strings_and_paths() {
    let lua = Lua::new();
    let c = CString::new("hi").unwrap();
    assert_eq!(lua.convert::<CString>(c.clone()).unwrap(), c);
    assert_eq!(lua.pack(c.as_c_str()).unwrap().as_string().unwrap(), "hi");
    assert_eq!(lua.convert::<CString>(42).unwrap().as_bytes(), b"42");
    let err = lua.convert::<CString>("a\0b").unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "an inner zero byte is refused");
    let os = OsString::from("dir/file");
    assert_eq!(lua.convert::<OsString>(os.clone()).unwrap(), os);
    let p = PathBuf::from("/tmp/x.lua");
    assert_eq!(lua.convert::<PathBuf>(p.as_path()).unwrap(), p);
    assert!(lua.convert::<PathBuf>(true).is_err());
}

#[test]
fn boxed_slices_and_shared_strings() {
    let lua = Lua::new();
    let b: Box<[i32]> = vec![1, 2, 3].into_boxed_slice();
    assert_eq!(lua.convert::<Box<[i32]>>(b.clone()).unwrap(), b);
    let bytes: Box<[u8]> = lua.convert("raw").unwrap();
    assert_eq!(&*bytes, b"raw", "bytes come from a string");
    let a: Arc<str> = Arc::from("shared");
    assert_eq!(&*lua.convert::<Arc<str>>(a).unwrap(), "shared");
    assert_eq!(&*lua.convert::<std::rc::Rc<str>>(5).unwrap(), "5");
}

#[test]
fn registry_keys_convert_both_ways() {
    let lua = Lua::new();
    let key: LuaRegistryKey = lua.load("{n = 1}").eval().unwrap();
    let t: LuaTable = lua.registry_value(&key).unwrap();
    assert_eq!(lua.pack(&key).unwrap().to_pointer(), t.to_pointer());
    let f: LuaFunction = lua.load("function(t) return t.n end").eval().unwrap();
    assert_eq!(f.call::<i64>(&key).unwrap(), 1);
    assert_eq!(f.call::<i64>(key).unwrap(), 1);
    let other = Lua::new();
    let foreign = other.create_registry_value(1).unwrap();
    assert!(matches!(f.call::<()>(&foreign), Err(LuaError::MismatchedRegistryKey)));
    assert!(matches!(lua.pack(&foreign), Err(LuaError::MismatchedRegistryKey)));
}

#[test]
fn errors_convert_from_any_value() {
    let lua = Lua::new();
    let e: LuaError = lua.convert(LuaError::runtime("kept")).unwrap();
    assert!(matches!(e, LuaError::RuntimeError(ref m) if m == "kept"));
    let e: LuaError = lua.convert(12).unwrap();
    assert!(matches!(e, LuaError::RuntimeError(ref m) if m == "12"));
    let e: LuaError = lua.load("setmetatable({}, {__tostring = function() return 'obj' end})").eval().unwrap();
    assert_eq!(e.to_string(), "runtime error: obj");
}

#[test]
fn chars_from_strings_and_code_points() {
    let lua = Lua::new();
    assert_eq!(lua.convert::<char>("é").unwrap(), 'é');
    assert_eq!(lua.convert::<char>(0x263A).unwrap(), '☺');
    let e = lua.convert::<char>(0xD800).unwrap_err().to_string();
    assert!(e.contains("integer out of range when converting to char"), "{e}");
    let e = lua.convert::<char>("ab").unwrap_err().to_string();
    assert!(e.contains("expected string to have exactly one char"), "{e}");
    assert!(lua.convert::<char>(true).unwrap_err().to_string().contains("expected string or integer"));
}

#[test]
fn either_helpers_and_errors() {
    let lua = Lua::new();
    let mut e = LuaEither::<i64, String>::Left(1);
    assert!(e.is_left() && !e.is_right());
    *e.as_mut().left().unwrap() += 1;
    assert_eq!(format!("{e}"), "2");
    assert_eq!(e.clone().map_left(|n| n * 10).left(), Some(20));
    assert_eq!(e.clone().flip().right(), Some(2));
    assert_eq!(e.right_or("none".into()), "none");
    let got = lua.convert::<LuaEither<i64, LuaTable>>("word").unwrap_err();
    match got {
        LuaError::FromLuaConversionError { from, to, .. } => {
            assert_eq!((from, to.as_str()), ("string", "Either<i64, Table>"), "named as mlua names it");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn multi_values_by_reference_and_variadics() {
    let lua = Lua::new();
    let args = LuaMultiValue::from_vec(vec![LuaValue::Integer(2), LuaValue::Integer(5)]);
    let f: LuaFunction = lua.load("function(a, b) return a * b end").eval().unwrap();
    assert_eq!(f.call::<i64>(&args).unwrap(), 10);
    assert_eq!(args.len(), 2, "the list stays the caller's");
    let mut v = LuaVariadic::with_capacity(4);
    v.push(1);
    v.push(2);
    let v: Vec<i64> = v.into();
    assert_eq!(v, [1, 2]);
}

#[cfg(feature = "bstr")]
#[test]
fn byte_strings() {
    use luna::{BStr, BString};
    let lua = Lua::new();
    let raw = BString::from(&b"\xff\x00z"[..]);
    assert_eq!(lua.convert::<BString>(raw.clone()).unwrap(), raw);
    assert_eq!(lua.pack(BStr::new("ab")).unwrap().as_string().unwrap(), "ab");
    assert_eq!(lua.convert::<BString>(-1.5).unwrap(), "-1.5");
    let f = lua.create_function(|_, b: BString| Ok(b.len())).unwrap();
    assert_eq!(f.call::<usize>("abc").unwrap(), 3);
    assert!(f.call::<usize>(true).is_err());
}

#[cfg(feature = "anyhow")]
#[test]
fn anyhow_errors() {
    let lua = Lua::new();
    let e: LuaError = anyhow::anyhow!("plain").into();
    assert!(matches!(e, LuaError::ExternalError(_)));
    let e: LuaError = anyhow::Error::new(LuaError::runtime("inner")).into();
    assert!(matches!(e, LuaError::RuntimeError(ref m) if m == "inner"), "a LuaError inside comes back out");
    let v = lua.pack(anyhow::anyhow!("as value")).unwrap();
    assert_eq!(v.to_string().unwrap(), "as value");
}
