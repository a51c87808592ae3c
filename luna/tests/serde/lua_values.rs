//! `Serialize` for `LuaValue` and `LuaTable`: Lua values written as JSON.

use super::*;

/// Scalars: nil and the null sentinel are `null`; integers, floats,
/// booleans and strings map to their JSON counterparts.
#[test]
fn serialize_lua_scalars_to_json() {
    let lua = new_lua();
    let cases = [
        ("nil", "null"),
        ("NULL", "null"),
        ("true", "true"),
        ("42", "42"),
        ("math.mininteger", "-9223372036854775808"),
        ("0.5", "0.5"),
        ("'h\\195\\169'", "\"h\u{e9}\""),
    ];
    for (code, want) in cases {
        assert_eq!(serde_json::to_string(&expr(&lua, code)).unwrap(), want, "{code}");
    }
    assert_eq!(serde_json::to_string(&lua.null()).unwrap(), "null");
}

/// Tables: a sequence is an array, a map an object, nested tables
/// included; the null sentinel in a table is `null`.
#[test]
fn serialize_lua_tables_to_json() {
    let lua = new_lua();
    let seq: LuaTable = lua.load("return {1, 2, 3}").eval().unwrap();
    assert_eq!(serde_json::to_string(&seq).unwrap(), "[1,2,3]");
    let map: LuaTable = lua.load("return {name = 'luna'}").eval().unwrap();
    assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"name":"luna"}"#);
    let with_null: LuaTable = lua.load("return {1, NULL, 3}").eval().unwrap();
    assert_eq!(serde_json::to_string(&with_null).unwrap(), "[1,null,3]");
    let nested = expr(&lua, "{b = {1, {c = true}}, a = 'x', n = NULL, f = 0.5, e = setmetatable({}, ARRAY_MT)}");
    assert_eq!(sorted_json(&nested), r#"{"a":"x","b":[1,{"c":true}],"e":[],"f":0.5,"n":null}"#);
    assert_eq!(
        serde_json::to_value(&nested).unwrap(),
        json!({"a": "x", "b": [1, {"c": true}], "e": [], "f": 0.5, "n": null})
    );
}

/// Rust -> Lua -> JSON gives the same JSON as Rust -> JSON directly.
#[test]
fn serialize_to_lua_then_json_matches_direct_json() {
    let lua = new_lua();
    let outer = Outer {
        id: UserId(3),
        inner: Inner { label: "i".into(), weights: vec![] },
        children: vec![Inner { label: "c".into(), weights: vec![0.5, 1.5] }],
    };
    let v = lua.to_value(&outer).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::to_value(&outer).unwrap());
    let shapes = vec![Shape::Empty, Shape::Circle(1.5), Shape::Rect(1, 2), Shape::Poly { sides: 3, name: "t".into() }];
    let v = lua.to_value(&shapes).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::to_value(&shapes).unwrap());
    let camel = Camel { max_retries: 1, base_url: "b".into(), is_enabled: false, log_level: LogLevel::DebugOnly };
    let v = lua.to_value(&camel).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::to_value(&camel).unwrap());
    let optional = Optional { a: None, b: Some(2) };
    let v = lua.to_value(&optional).unwrap();
    assert_eq!(serde_json::to_value(&v).unwrap(), json!({"a": null, "b": 2}));
}

/// The `Serialize` impls use the default options: functions and recursive
/// tables are errors (no hang); `to_serializable` can relax them, leaving
/// those entries out.
#[test]
fn serialize_lua_errors_and_relaxed_options() {
    let lua = new_lua();
    let with_fn = expr(&lua, "{a = 1, f = print}");
    let err = serde_json::to_string(&with_fn).unwrap_err();
    assert!(err.to_string().contains("function"), "{err}");
    let lenient = LuaDeserializeOptions::new().deny_unsupported_types(false);
    assert_eq!(serde_json::to_string(&with_fn.to_serializable_with(lenient)).unwrap(), r#"{"a":1}"#);

    let cyclic = expr(&lua, "(function() local t = {} t.me = t return t end)()");
    let err = serde_json::to_string(&cyclic).unwrap_err();
    assert!(err.to_string().contains("recursive table"), "{err}");
    let lax = LuaDeserializeOptions::new().deny_recursive_tables(false);
    assert_eq!(serde_json::to_string(&cyclic.to_serializable_with(lax)).unwrap(), "{}");
}
