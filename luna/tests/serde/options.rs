//! Every option of `SerializeOptions` and `DeserializeOptions`.

use super::*;

/// The defaults of both option types, and their builders.
#[test]
fn option_defaults_and_builders() {
    let s = LuaSerializeOptions::default();
    assert!(s.serialize_none_to_null && s.serialize_unit_to_null && s.set_array_metatable);
    let s = LuaSerializeOptions::new();
    assert!(s.serialize_none_to_null && s.serialize_unit_to_null && s.set_array_metatable);
    assert!(!s.detect_serde_json_arbitrary_precision);
    let s = LuaSerializeOptions::new().serialize_none_to_null(false).set_array_metatable(false);
    assert!(!s.serialize_none_to_null && s.serialize_unit_to_null && !s.set_array_metatable);
    let s = LuaSerializeOptions::new().detect_serde_json_arbitrary_precision(true);
    assert!(s.detect_serde_json_arbitrary_precision && s.set_array_metatable);

    let d = LuaDeserializeOptions::default();
    assert!(d.deny_unsupported_types && d.deny_recursive_tables);
    assert!(!d.sort_keys && !d.encode_empty_tables_as_array && !d.deny_mixed_tables && !d.detect_mixed_tables);
    let d = LuaDeserializeOptions::new();
    assert!(d.deny_unsupported_types && d.deny_recursive_tables);
    assert!(!d.sort_keys && !d.encode_empty_tables_as_array && !d.deny_mixed_tables && !d.detect_mixed_tables);
    let d = LuaDeserializeOptions::new()
        .deny_unsupported_types(false)
        .deny_recursive_tables(false)
        .sort_keys(true)
        .encode_empty_tables_as_array(true)
        .deny_mixed_tables(true)
        .detect_mixed_tables(true);
    assert!(!d.deny_unsupported_types && !d.deny_recursive_tables);
    assert!(d.sort_keys && d.encode_empty_tables_as_array && d.deny_mixed_tables && d.detect_mixed_tables);

    // The prelude names are the types of `luna::serde`.
    let _: luna::serde::SerializeOptions = LuaSerializeOptions::new();
    let _: luna::serde::DeserializeOptions = LuaDeserializeOptions::new();
}

/// `serialize_none_to_null(false)`: `None` is nil, so an absent struct
/// field, and still reads back as `None`.
#[test]
fn option_serialize_none_to_nil() {
    let lua = new_lua();
    let opts = || LuaSerializeOptions::new().serialize_none_to_null(false);
    assert_eq!(lua.to_value_with(&None::<i32>, opts()).unwrap(), LuaValue::Nil);
    assert_eq!(lua.to_value_with(&Some(3), opts()).unwrap(), LuaValue::Integer(3));
    // Units are not affected.
    assert_eq!(lua.to_value_with(&(), opts()).unwrap(), lua.null());
    let o = Optional { a: Some(1), b: None };
    let v = lua.to_value_with(&o, opts()).unwrap();
    assert_lua(&lua, &v, &["v.a == 1", "v.b == nil", "count(v) == 1"]);
    assert_eq!(lua.from_value::<Optional>(v).unwrap(), o);
    // A typed struct round trips without nulls.
    let mut e = everything();
    e.nothing = None;
    let v = lua.to_value_with(&e, opts()).unwrap();
    assert_lua(&lua, &v, &["v.nothing == nil"]);
    assert_eq!(lua.from_value::<Everything>(v).unwrap(), e);
}

/// `serialize_unit_to_null(false)`: `()` and unit structs are nil; `None`
/// is not affected.
#[test]
fn option_serialize_unit_to_nil() {
    let lua = new_lua();
    let opts = || LuaSerializeOptions::new().serialize_unit_to_null(false);
    assert_eq!(lua.to_value_with(&(), opts()).unwrap(), LuaValue::Nil);
    assert_eq!(lua.to_value_with(&Marker, opts()).unwrap(), LuaValue::Nil);
    assert_eq!(lua.to_value_with(&None::<i32>, opts()).unwrap(), lua.null());
    let v = lua.to_value_with(&((), 1), opts()).unwrap();
    assert_lua(&lua, &v, &["v[1] == nil", "v[2] == 1"]);
    // nil reads back as a unit.
    lua.from_value::<()>(lua.to_value_with(&(), opts()).unwrap()).unwrap();
    assert_eq!(lua.from_value::<Marker>(lua.to_value_with(&Marker, opts()).unwrap()).unwrap(), Marker);
}

/// `set_array_metatable(false)`: sequences are plain tables, nested ones
/// too; typed values still round trip, including an empty `Vec`, but an
/// empty sequence is then a map for `deserialize_any`.
#[test]
fn option_no_array_metatable() {
    let lua = new_lua();
    let opts = || LuaSerializeOptions::new().set_array_metatable(false);
    let v = lua.to_value_with(&vec![1, 2], opts()).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == nil", "#v == 2", "v[2] == 2"]);
    let v = lua.to_value_with(&Inner { label: "x".into(), weights: vec![1.0] }, opts()).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v.weights) == nil", "v.weights[1] == 1.0"]);
    let v = lua.to_value_with(&Vec::<String>::new(), opts()).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == nil", "next(v) == nil"]);
    assert_eq!(lua.from_value::<Vec<String>>(v).unwrap(), Vec::<String>::new());
    let v = lua.to_value_with(&Vec::<String>::new(), opts()).unwrap();
    assert_eq!(to_json(&lua, v), json!({}));
    let e = everything();
    let v = lua.to_value_with(&e, opts()).unwrap();
    assert_eq!(lua.from_value::<Everything>(v).unwrap(), e);
}

/// The options of a `Serializer` apply to nested values too.
#[test]
fn serializer_options_apply_deeply() {
    let lua = new_lua();
    let opts = LuaSerializeOptions::new().serialize_none_to_null(false).set_array_metatable(false);
    let v = lua.to_value_with(&vec![vec![None::<i32>, Some(2)]], opts).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == nil", "getmetatable(v[1]) == nil", "v[1][1] == nil", "v[1][2] == 2"]);
}

// ---------------------------------------------------------------------------
// DeserializeOptions.

#[derive(Debug)]
struct Handle;

impl LuaUserdata for Handle {}

/// `deny_unsupported_types` (default true): functions, threads and
/// userdata are errors naming their type; with false they read as unit
/// and table entries holding them are skipped.
#[test]
fn option_deny_unsupported_types() {
    let lua = new_lua();
    let f = expr(&lua, "print");
    let err = lua.from_value::<serde_json::Value>(f.clone()).unwrap_err();
    assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
    assert!(err.to_string().contains("unsupported value type `function`"), "{err}");
    let err = from_expr::<serde_json::Value>(&lua, "{a = 1, f = function() end}").unwrap_err();
    assert!(err.to_string().contains("function"), "{err}");
    let err = from_expr::<serde_json::Value>(&lua, "coroutine.create(print)").unwrap_err();
    assert!(err.to_string().contains("thread"), "{err}");
    let ud = LuaValue::UserData(lua.create_userdata(Handle).unwrap());
    let err = lua.from_value::<serde_json::Value>(ud.clone()).unwrap_err();
    assert!(err.to_string().contains("userdata"), "{err}");

    let lenient = || LuaDeserializeOptions::new().deny_unsupported_types(false);
    lua.from_value_with::<()>(f.clone(), lenient()).unwrap();
    assert_eq!(lua.from_value_with::<serde_json::Value>(f, lenient()).unwrap(), json!(null));
    assert_eq!(lua.from_value_with::<serde_json::Value>(ud, lenient()).unwrap(), json!(null));
    let t = expr(&lua, "{a = 1, f = function() end, co = coroutine.create(print), b = {c = print, d = 'x'}}");
    assert_eq!(lua.from_value_with::<serde_json::Value>(t, lenient()).unwrap(), json!({"a": 1, "b": {"d": "x"}}));
}

#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Node {
    name: String,
    child: Option<Box<Node>>,
}

/// `deny_recursive_tables` (default true): a table met again inside
/// itself is an error; with false, that entry or element is left out.
/// Never a hang or a stack overflow, for typed and untyped targets alike.
#[test]
fn option_deny_recursive_tables() {
    let lua = new_lua();
    let cyclic = || expr(&lua, "(function() local t = {name = 'loop'} t.child = t return t end)()");
    let in_seq = || expr(&lua, "(function() local t = {} t[1] = 'a' t[2] = t t[3] = 'c' return t end)()");
    for err in [
        lua.from_value::<serde_json::Value>(cyclic()).unwrap_err(),
        lua.from_value::<Node>(cyclic()).unwrap_err(),
        lua.from_value::<serde_json::Value>(in_seq()).unwrap_err(),
    ] {
        assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
        assert!(err.to_string().contains("recursive table"), "{err}");
    }
    let lax = || LuaDeserializeOptions::new().deny_recursive_tables(false);
    assert_eq!(lua.from_value_with::<serde_json::Value>(cyclic(), lax()).unwrap(), json!({"name": "loop"}));
    let node = lua.from_value_with::<Node>(cyclic(), lax()).unwrap();
    assert_eq!((node.name.as_str(), node.child.is_none()), ("loop", true));
    assert_eq!(lua.from_value_with::<Vec<String>>(in_seq(), lax()).unwrap(), ["a", "c"]);
    assert_eq!(serde_json::to_value(in_seq().to_serializable_with(lax())).unwrap(), json!(["a", "c"]));

    // A cycle through another table: only the entry closing it goes.
    let v = expr(&lua, "(function() local a, b = {n = 1}, {n = 2} a.b = b b.a = a return a end)()");
    assert_eq!(lua.from_value_with::<serde_json::Value>(v.clone(), lax()).unwrap(), json!({"n": 1, "b": {"n": 2}}));
    assert_eq!(serde_json::to_value(v.to_serializable_with(lax())).unwrap(), json!({"n": 1, "b": {"n": 2}}));

    // A table met twice beside itself is no cycle: read both times.
    let shared = || expr(&lua, "(function() local s = {1} return {a = s, b = s} end)()");
    assert_eq!(to_json(&lua, shared()), json!({"a": [1], "b": [1]}));
    assert_eq!(serde_json::to_value(shared()).unwrap(), json!({"a": [1], "b": [1]}));
}

/// With both relaxing options, the globals table (which holds itself as
/// `_G` and through `package.loaded`) reads and writes: functions and the
/// cycles are left out, the rest is there.
#[test]
fn relaxed_options_read_the_globals() {
    let lua = new_lua();
    lua.load("greeting = 'hello'").exec().unwrap();
    let lax = LuaDeserializeOptions::new().deny_recursive_tables(false).deny_unsupported_types(false);
    let g = LuaValue::Table(lua.globals());
    let json = serde_json::to_value(g.to_serializable_with(lax)).unwrap();
    assert_eq!(json["greeting"], json!("hello"));
    assert_eq!(json["math"]["maxinteger"], json!(i64::MAX));
    assert!(json.get("_G").is_none() && json.get("print").is_none());
    assert!(json["package"]["loaded"].get("_G").is_none());
    assert_eq!(json["package"]["loaded"]["math"]["pi"], json!(std::f64::consts::PI));
    // `utf8.charpattern` is not UTF-8: written as bytes, which
    // `serde_json::Value` cannot read back; without it the two agree.
    lua.load("utf8, package.loaded.utf8 = nil, nil").exec().unwrap();
    let json = serde_json::to_value(g.to_serializable_with(lax)).unwrap();
    let read: serde_json::Value = lua.from_value_with(g.clone(), lax).unwrap();
    assert_eq!(read, json);

    #[derive(Deserialize)]
    struct Globals {
        greeting: String,
    }
    assert_eq!(lua.from_value_with::<Globals>(g.clone(), lax).unwrap().greeting, "hello");
    // The defaults refuse it.
    assert!(serde_json::to_value(&g).is_err());
    assert!(lua.from_value::<serde_json::Value>(g).is_err());
}

/// Builds a chain of `depth` nested tables in Lua (`{next = {next = ...}}`).
fn nested_chain(lua: &Lua, depth: usize) -> LuaValue {
    eval(
        lua,
        &format!(
            "local root = {{}} local cur = root \
             for i = 2, {depth} do local n = {{}} cur.next = n cur = n end \
             return root"
        ),
    )
}

/// Deep but finite nesting: 100 levels read fine; with
/// `deny_recursive_tables(false)`, more than 128 levels are an error.
#[test]
fn nesting_depth_limit() {
    let lua = new_lua();
    lua.from_value::<serde_json::Value>(nested_chain(&lua, 100)).unwrap();
    let lax = LuaDeserializeOptions::new().deny_recursive_tables(false);
    lua.from_value_with::<serde_json::Value>(nested_chain(&lua, 100), lax).unwrap();
    let lax = LuaDeserializeOptions::new().deny_recursive_tables(false);
    let err = lua.from_value_with::<serde_json::Value>(nested_chain(&lua, 200), lax).unwrap_err();
    assert!(err.to_string().contains("too deeply nested"), "{err}");
}

/// `sort_keys`: maps are visited in key order, so JSON output is stable
/// whatever the insertion order.
#[test]
fn option_sort_keys() {
    let lua = new_lua();
    let build =
        |order: &str| eval(&lua, &format!("local t = {{}} for _, k in ipairs({{{order}}}) do t[k] = #k end return t"));
    let a = build("'delta', 'alpha', 'echo', 'charlie', 'bravo'");
    let b = build("'bravo', 'echo', 'alpha', 'delta', 'charlie'");
    let want = r#"{"alpha":5,"bravo":5,"charlie":7,"delta":5,"echo":4}"#;
    assert_eq!(sorted_json(&a), want);
    assert_eq!(sorted_json(&b), want);
    assert_eq!(sorted_json(&a), sorted_json(&a));
    // Nested maps are sorted too.
    let v = expr(&lua, "{z = {b = 1, a = 2}, a = {3, 4}, m = {y = {d = 1, c = 2}}}");
    assert_eq!(sorted_json(&v), r#"{"a":[3,4],"m":{"y":{"c":2,"d":1}},"z":{"a":2,"b":1}}"#);
    // A Rust HashMap goes through Lua and comes out in BTreeMap order.
    let map: HashMap<String, u32> = (0..20).map(|i| (format!("key{i:02}"), i)).collect();
    let v = lua.to_value(&map).unwrap();
    let sorted: BTreeMap<String, u32> = map.into_iter().collect();
    assert_eq!(sorted_json(&v), serde_json::to_string(&sorted).unwrap());
    // The Deserializer honours it as well.
    let v = expr(&lua, "{c = 1, a = 2, d = 3, b = 4}");
    let keys: KeyOrder = lua.from_value_with(v, LuaDeserializeOptions::new().sort_keys(true)).unwrap();
    assert_eq!(keys, KeyOrder(vec!["a".into(), "b".into(), "c".into(), "d".into()]));
}

/// `encode_empty_tables_as_array`: an empty table without the array
/// metatable is `{}` by default and `[]` with the option.
#[test]
fn option_encode_empty_tables_as_array() {
    let lua = new_lua();
    assert_eq!(to_json(&lua, expr(&lua, "{}")), json!({}));
    assert_eq!(to_json(&lua, expr(&lua, "{list = {}}")), json!({"list": {}}));
    let opts = || LuaDeserializeOptions::new().encode_empty_tables_as_array(true);
    assert_eq!(lua.from_value_with::<serde_json::Value>(expr(&lua, "{}"), opts()).unwrap(), json!([]));
    assert_eq!(
        lua.from_value_with::<serde_json::Value>(expr(&lua, "{list = {}}"), opts()).unwrap(),
        json!({"list": []})
    );
    assert_eq!(lua.from_value_with::<AnyShape>(expr(&lua, "{}"), opts()).unwrap(), AnyShape::Seq(0));
    // The same through Serialize.
    let empty = expr(&lua, "{}");
    assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&empty.to_serializable_with(opts())).unwrap(), "[]");
}

/// `deny_mixed_tables`: a table with both positive integer keys and other
/// keys, or read as a sequence that leaves keys out, is an error; pure
/// sequences and maps are unaffected. By default such a table is its
/// sequence part.
#[test]
fn option_deny_mixed_tables() {
    let lua = new_lua();
    let mixed = || expr(&lua, "{1, 2, x = 3}");
    assert_eq!(lua.from_value::<AnyShape>(mixed()).unwrap(), AnyShape::Seq(2));
    assert_eq!(serde_json::to_value(mixed()).unwrap(), json!([1, 2]));
    let deny = || LuaDeserializeOptions::new().deny_mixed_tables(true);
    let err = lua.from_value_with::<AnyShape>(mixed(), deny()).unwrap_err();
    assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
    assert!(err.to_string().contains("mixed table"), "{err}");
    assert!(lua.from_value_with::<serde_json::Value>(expr(&lua, "{a = {1, y = 2}}"), deny()).is_err());
    assert!(serde_json::to_string(&mixed().to_serializable_with(deny())).is_err());
    // Keys past the border would be lost.
    assert!(lua.from_value_with::<AnyShape>(expr(&lua, "{1, 2, [4] = 4}"), deny()).is_err());
    // With `detect_mixed_tables` as well, such a table is a sequence with a hole.
    let both = deny().detect_mixed_tables(true);
    assert_eq!(lua.from_value_with::<AnyShape>(expr(&lua, "{1, 2, [4] = 4}"), both).unwrap(), AnyShape::Seq(4));
    assert!(lua.from_value_with::<AnyShape>(mixed(), both).is_err());
    assert_eq!(lua.from_value_with::<AnyShape>(expr(&lua, "{1, 2}"), deny()).unwrap(), AnyShape::Seq(2));
    assert_eq!(lua.from_value_with::<AnyShape>(expr(&lua, "{a = 1}"), deny()).unwrap(), AnyShape::Map(1));
    assert_eq!(
        lua.from_value_with::<serde_json::Value>(expr(&lua, "{{1}, {k = 'v'}}"), deny()).unwrap(),
        json!([[1], {"k": "v"}])
    );
    // The array metatable settles it: the sequence part, no error.
    let marked = expr(&lua, "setmetatable({1, 2, x = 3}, ARRAY_MT)");
    assert_eq!(lua.from_value_with::<AnyShape>(marked, deny()).unwrap(), AnyShape::Seq(2));
}
