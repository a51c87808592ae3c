//! The shapes serialized values take as seen from Lua code: tables with
//! string keys, sequences with the array metatable, the null sentinel,
//! enums as strings and one-key tables.

use super::*;

/// The null sentinel is a light userdata holding a null pointer; the array
/// metatable is the same table every time.
#[test]
fn null_sentinel_and_array_metatable() {
    let lua = new_lua();
    assert_eq!(lua.null(), LuaValue::LightUserData(LuaLightUserdata(std::ptr::null_mut())));
    assert_eq!(lua.null(), lua.null());
    assert_eq!(array_mt(&lua), array_mt(&lua), "the array metatable is one table");
    assert_lua(&lua, &lua.null(), &["type(v) == 'userdata'", "v == NULL"]);
}

/// Scalars: booleans, integers stay integers, floats stay floats (even with
/// an integer value), chars and strings become strings, `serialize_bytes`
/// becomes a string of those bytes.
#[test]
fn scalar_shapes() {
    let lua = new_lua();
    assert_eq!(lua.to_value(&true).unwrap(), LuaValue::Boolean(true));
    assert!(matches!(lua.to_value(&7u8).unwrap(), LuaValue::Integer(7)));
    assert!(matches!(lua.to_value(&i64::MIN).unwrap(), LuaValue::Integer(i64::MIN)));
    assert!(matches!(lua.to_value(&(i64::MAX as u64)).unwrap(), LuaValue::Integer(i64::MAX)));
    assert!(matches!(lua.to_value(&2.0f64).unwrap(), LuaValue::Number(f) if f == 2.0));
    assert!(matches!(lua.to_value(&0.5f32).unwrap(), LuaValue::Number(f) if f == 0.5));
    assert_eq!(lua.to_value(&'é').unwrap(), LuaValue::String(lua.create_string("é").unwrap()));
    assert_eq!(lua.to_value("hi").unwrap(), LuaValue::String(lua.create_string("hi").unwrap()));
    assert_eq!(
        lua.to_value(&Bytes(vec![0, 1, 255])).unwrap(),
        LuaValue::String(lua.create_string([0u8, 1, 255]).unwrap())
    );
    let v = lua.to_value(&(i64::MIN, 2.0f64, Bytes(vec![0, 1, 255]))).unwrap();
    assert_lua(
        &lua,
        &v,
        &[
            "v[1] == math.mininteger",
            "math.type(v[1]) == 'integer'",
            "math.type(v[2]) == 'float'",
            "v[3] == '\\0\\1\\255'",
        ],
    );
}

/// `None`, `()` and unit structs are the null sentinel; `Some(v)` is `v`;
/// newtype structs are their content.
#[test]
fn option_unit_and_newtype_shapes() {
    let lua = new_lua();
    assert_eq!(lua.to_value(&None::<i32>).unwrap(), lua.null());
    assert_eq!(lua.to_value(&()).unwrap(), lua.null());
    assert_eq!(lua.to_value(&Marker).unwrap(), lua.null());
    assert_eq!(lua.to_value(&Some(5)).unwrap(), LuaValue::Integer(5));
    assert_eq!(lua.to_value(&Some(Some("x"))).unwrap(), LuaValue::String(lua.create_string("x").unwrap()));
    assert_eq!(lua.to_value(&UserId(42)).unwrap(), LuaValue::Integer(42));
    assert!(matches!(lua.to_value(&Meters(1.5)).unwrap(), LuaValue::Number(f) if f == 1.5));
    let v = lua.to_value(&vec![Some(1), None, Some(3)]).unwrap();
    assert_lua(&lua, &v, &["#v == 3", "v[1] == 1", "v[2] == NULL", "v[3] == 3"]);
}

/// Sequences, tuples, tuple structs and arrays are tables 1..n with the
/// array metatable, nested ones too; an empty `Vec` is an empty table with
/// the array metatable.
#[test]
fn sequence_shapes() {
    let lua = new_lua();
    let v = lua.to_value(&vec![10, 20, 30]).unwrap();
    assert_lua(
        &lua,
        &v,
        &["type(v) == 'table'", "getmetatable(v) == ARRAY_MT", "#v == 3", "v[1] == 10", "v[3] == 30", "count(v) == 3"],
    );
    let v = lua.to_value(&Vec::<i32>::new()).unwrap();
    assert_lua(&lua, &v, &["type(v) == 'table'", "getmetatable(v) == ARRAY_MT", "next(v) == nil"]);
    let v = lua.to_value(&(1, "b", false)).unwrap();
    assert_lua(
        &lua,
        &v,
        &["getmetatable(v) == ARRAY_MT", "v[1] == 1", "v[2] == 'b'", "v[3] == false", "count(v) == 3"],
    );
    let v = lua.to_value(&Point3(4, 5, 6)).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == ARRAY_MT", "v[1] == 4", "v[3] == 6", "count(v) == 3"]);
    let v = lua.to_value(&[1.5f64, 2.5]).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == ARRAY_MT", "v[2] == 2.5"]);
    let v = lua.to_value(&vec![vec![1], vec![]]).unwrap();
    assert_lua(
        &lua,
        &v,
        &["getmetatable(v[1]) == ARRAY_MT", "getmetatable(v[2]) == ARRAY_MT", "v[1][1] == 1", "next(v[2]) == nil"],
    );
    // The sequence is a plain Lua table: Lua code can use it.
    let v = lua.to_value(&vec!["c", "a", "b"]).unwrap();
    assert_lua(&lua, &v, &["(function() table.sort(v) return table.concat(v, ',') == 'a,b,c' end)()"]);
}

/// Structs are tables with string keys and no metatable; maps keep their
/// key types.
#[test]
fn struct_and_map_shapes() {
    let lua = new_lua();
    let v = lua.to_value(&everything()).unwrap();
    assert_lua(
        &lua,
        &v,
        &[
            "type(v) == 'table'",
            "getmetatable(v) == nil",
            "v.flag == true",
            "v.small == -128 and math.type(v.small) == 'integer'",
            "v.long == math.mininteger",
            "v.ulong == math.maxinteger",
            "math.type(v.precise) == 'float'",
            "v.initial == 'z'",
            "v.name == 'luna \u{1F319}'",
            "getmetatable(v.bytes) == ARRAY_MT and v.bytes[4] == 255",
            "v.maybe == 7",
            "v.nothing == NULL",
            "v.unit == NULL",
            "v.marker == NULL",
            "v.meters == 12.5",
            "getmetatable(v.pair) == ARRAY_MT and v.pair[1] == -1 and v.pair[2] == 'two'",
            "v.point[2] == -2",
            "getmetatable(v.empty) == ARRAY_MT and next(v.empty) == nil",
            "v.nested[3][1] == 3 and #v.nested[2] == 0",
            "getmetatable(v.by_name) == nil and v.by_name.alpha == 1 and v.by_name.beta == -2",
            "v.by_id[-7] == 'minus seven' and v.by_id[1] == 'one' and v.by_id[math.maxinteger] == 'max'",
            "v.sorted.yes[2] == true",
            "v.inner.label == 'in' and v.inner.weights[1] == 0.5",
            "count(v) == 31",
        ],
    );
    // Keys that are not strings stay what they are.
    let v = lua.to_value(&BTreeMap::from([(true, "t"), (false, "f")])).unwrap();
    assert_lua(&lua, &v, &["v[true] == 't'", "v[false] == 'f'", "getmetatable(v) == nil"]);
    let v = lua.to_value(&HashMap::from([(None, "none"), (Some(1), "one")])).unwrap();
    assert_lua(&lua, &v, &["v[NULL] == 'none'", "v[1] == 'one'", "count(v) == 2"]);
}

/// Enums: a unit variant is its name, the other variants are a table with
/// one key, the name, holding the content.
#[test]
fn enum_shapes() {
    let lua = new_lua();
    let v = lua.to_value(&Shape::Empty).unwrap();
    assert_eq!(v, LuaValue::String(lua.create_string("Empty").unwrap()));
    let v = lua.to_value(&Shape::Circle(1.5)).unwrap();
    assert_lua(&lua, &v, &["type(v) == 'table'", "count(v) == 1", "v.Circle == 1.5"]);
    let v = lua.to_value(&Shape::Rect(3, 4)).unwrap();
    assert_lua(
        &lua,
        &v,
        &["count(v) == 1", "type(v.Rect) == 'table'", "v.Rect[1] == 3", "v.Rect[2] == 4", "count(v.Rect) == 2"],
    );
    let v = lua.to_value(&Shape::Poly { sides: 5, name: "penta".into() }).unwrap();
    assert_lua(&lua, &v, &["count(v) == 1", "v.Poly.sides == 5", "v.Poly.name == 'penta'", "count(v.Poly) == 2"]);
}

/// A `LuaValue` is itself `Serialize`: `to_value` of a Lua table makes a
/// new, equal table (sequences gain the array metatable), and the null
/// sentinel stays the null sentinel.
#[test]
fn lua_values_serialize_into_copies() {
    let lua = new_lua();
    let original = expr(&lua, "{1, {a = 2}, 'x'}");
    let copy = lua.to_value(&original).unwrap();
    lua.globals().set("original", original).unwrap();
    assert_lua(
        &lua,
        &copy,
        &[
            "v ~= original",
            "v[2] ~= original[2]",
            "v[1] == 1",
            "v[2].a == 2",
            "v[3] == 'x'",
            "getmetatable(v) == ARRAY_MT",
        ],
    );
    assert_eq!(lua.to_value(&lua.null()).unwrap(), lua.null());
}
