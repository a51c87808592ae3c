//! The `Serializer` and `Deserializer` driven directly, and the errors of
//! serialization.

use super::*;

/// `T::serialize(Serializer::new(&lua))` and
/// `T::deserialize(Deserializer::new(&lua, v))` are what `to_value` and
/// `from_value` do.
#[test]
fn serializer_and_deserializer_driven_directly() {
    let lua = new_lua();
    let p = Point3(1, -2, 3);
    let v = p.serialize(luna::serde::Serializer::new(&lua)).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == ARRAY_MT", "v[2] == -2"]);
    assert_eq!(Point3::deserialize(luna::serde::Deserializer::new(&lua, v)).unwrap(), p);

    let e = everything();
    let v = e.serialize(luna::serde::Serializer::new(&lua)).unwrap();
    assert_eq!(Everything::deserialize(luna::serde::Deserializer::new(&lua, v)).unwrap(), e);

    // The serde::Serializer methods themselves.
    let s: LuaValue = serde::Serializer::serialize_str(luna::serde::Serializer::new(&lua), "direct").unwrap();
    assert_eq!(s, LuaValue::String(lua.create_string("direct").unwrap()));
    let n: LuaValue = serde::Serializer::serialize_i16(luna::serde::Serializer::new(&lua), -9).unwrap();
    assert_eq!(n, LuaValue::Integer(-9));
    let u: LuaValue =
        serde::Serializer::serialize_unit_variant(luna::serde::Serializer::new(&lua), "E", 0, "Red").unwrap();
    assert_eq!(u, LuaValue::String(lua.create_string("Red").unwrap()));

    // Errors come back as LuaError.
    let err: LuaError = u8::deserialize(luna::serde::Deserializer::new(&lua, LuaValue::Integer(300))).unwrap_err();
    assert_eq!(err.to_string(), "deserialize error: invalid value: integer `300`, expected u8");
    let err: LuaError = u64::MAX.serialize(luna::serde::Serializer::new(&lua)).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");
}

/// `Serializer::new_with` and `Deserializer::new_with` take the options.
#[test]
fn serializer_and_deserializer_with_options() {
    let lua = new_lua();
    let ser = luna::serde::Serializer::new_with(&lua, LuaSerializeOptions::new().serialize_none_to_null(false));
    assert_eq!(None::<u8>.serialize(ser).unwrap(), LuaValue::Nil);
    let ser = luna::serde::Serializer::new_with(&lua, LuaSerializeOptions::new().set_array_metatable(false));
    let v = vec![1].serialize(ser).unwrap();
    assert_lua(&lua, &v, &["getmetatable(v) == nil", "v[1] == 1"]);

    let de = luna::serde::Deserializer::new_with(
        &lua,
        expr(&lua, "{}"),
        LuaDeserializeOptions::new().encode_empty_tables_as_array(true),
    );
    assert_eq!(serde_json::Value::deserialize(de).unwrap(), json!([]));
    let de = luna::serde::Deserializer::new_with(
        &lua,
        expr(&lua, "print"),
        LuaDeserializeOptions::new().deny_unsupported_types(false),
    );
    <()>::deserialize(de).unwrap();
    let de = luna::serde::Deserializer::new(&lua, expr(&lua, "print"));
    assert!(<()>::deserialize(de).unwrap_err().to_string().contains("function"));
}

/// `LuaError` is the error type of both directions: `serde::ser::Error` and
/// `serde::de::Error`.
#[test]
fn lua_error_is_a_serde_error() {
    fn both<E: serde::ser::Error + serde::de::Error>() {}
    both::<LuaError>();
    let e = <LuaError as serde::de::Error>::custom("de boom");
    assert!(e.to_string().contains("de boom"), "{e}");
    let e = <LuaError as serde::ser::Error>::custom("ser boom");
    assert!(e.to_string().contains("ser boom"), "{e}");
}

// ---------------------------------------------------------------------------
// Serialize errors.

/// Integers beyond the range of a Lua integer are errors (no silent
/// wrapping or float conversion), also inside containers.
#[test]
fn serialize_integer_out_of_range() {
    let lua = new_lua();
    let err = lua.to_value(&u64::MAX).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");
    assert_eq!(err.to_string(), "serialize error: integer 18446744073709551615 does not fit a Lua integer");
    let err = lua.to_value(&(i64::MAX as u64 + 1)).unwrap_err();
    assert!(err.to_string().contains("integer 9223372036854775808 does not fit a Lua integer"), "{err}");
    for err in [
        lua.to_value(&i128::MIN).unwrap_err(),
        lua.to_value(&u128::MAX).unwrap_err(),
        lua.to_value(&vec![1u64, u64::MAX]).unwrap_err(),
        lua.to_value(&UserId(u64::MAX)).unwrap_err(),
        lua.to_value(&json!({"big": u64::MAX})).unwrap_err(),
    ] {
        assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");
        assert!(err.to_string().starts_with("serialize error: "), "{err}");
        assert!(err.to_string().ends_with("does not fit a Lua integer"), "{err}");
    }
}

/// A map whose key serializes to a NaN float.
struct NanKeyed;

impl Serialize for NanKeyed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map([(f64::NAN, 1), (1.5, 2)])
    }
}

/// Map keys that cannot be table keys: NaN, and nil (a `None` key when
/// `None` serializes to nil); with the null sentinel a `None` key is fine.
#[test]
fn serialize_invalid_map_keys() {
    let lua = new_lua();
    let err = lua.to_value(&NanKeyed).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");

    let map = HashMap::from([(None::<i32>, 1)]);
    let err = lua.to_value_with(&map, LuaSerializeOptions::new().serialize_none_to_null(false)).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");
    let map = HashMap::from([((), 1)]);
    let err = lua.to_value_with(&map, LuaSerializeOptions::new().serialize_unit_to_null(false)).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");

    let v = lua.to_value(&HashMap::from([(None::<i32>, 1)])).unwrap();
    assert_lua(&lua, &v, &["v[NULL] == 1"]);
    let v = lua.to_value(&HashMap::from([((), 1)])).unwrap();
    assert_lua(&lua, &v, &["v[NULL] == 1"]);
}

/// Fails to serialize, with a custom message.
struct Refuses;

impl Serialize for Refuses {
    fn serialize<S: serde::Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
        Err(<S::Error as serde::ser::Error>::custom("refused to serialize"))
    }
}

#[derive(Serialize)]
struct Holder {
    inner: Vec<Refuses>,
}

/// A custom error of a `Serialize` impl is a `SerializeError` carrying the
/// message, at the root and nested.
#[test]
fn serialize_custom_errors() {
    let lua = new_lua();
    let err = lua.to_value(&Refuses).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");
    assert_eq!(err.to_string(), "serialize error: refused to serialize");
    let err = lua.to_value(&Holder { inner: vec![Refuses] }).unwrap_err();
    assert!(matches!(err, LuaError::SerializeError(_)), "{err:?}");
    assert!(err.to_string().ends_with("refused to serialize"), "{err}");
}
