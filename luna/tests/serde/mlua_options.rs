//! The array metatable as a value that is always there, and
//! `SerializeOptions::detect_serde_json_arbitrary_precision`.

use super::*;

/// `Lua::array_metatable` returns the table itself, the same one every
/// time and the one serialized sequences carry; it needs no state access,
/// so it works where one is under way (a `DeserializeSeed` run by
/// `from_value`) and in a state with a tight memory limit.
#[test]
fn array_metatable_is_always_there() {
    let lua = new_lua();
    let mt = lua.array_metatable();
    assert_eq!(mt, lua.array_metatable());
    let v = lua.to_value(&vec![1, 2]).unwrap();
    assert_eq!(v.as_table().unwrap().metatable().unwrap(), mt);
    assert_eq!(LuaSerdeExt::array_metatable(&lua), mt);

    struct Seed<'a>(&'a Lua);
    impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_> {
        type Value = (LuaTable, Vec<i32>);
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            // Inside `from_value`'s state access.
            let mt = self.0.array_metatable();
            Ok((mt, Vec::deserialize(d)?))
        }
    }
    let v = expr(&lua, "{4, 5}");
    let (inside, xs) =
        serde::de::DeserializeSeed::deserialize(Seed(&lua), luna::serde::Deserializer::new(&lua, v)).unwrap();
    assert_eq!((inside, xs), (mt, vec![4, 5]));

    let small = Lua::new_with(StdLib::NONE, LuaOptions::new().memory_limit(256 * 1024)).unwrap();
    let mt = small.array_metatable();
    small.globals().set("mt", &mt).unwrap();
    assert!(small.load("return getmetatable(setmetatable({}, mt)) == mt").eval::<bool>().unwrap());
}

/// A script that clears the table's fields or sets other metatables
/// cannot take the marker away from the host.
#[test]
fn array_metatable_survives_scripts() {
    let lua = new_lua();
    lua.load("ARRAY_MT.__index = function() return 1 end; ARRAY_MT = nil; collectgarbage()").exec().unwrap();
    lua.gc_collect().unwrap();
    let t = lua.create_table().unwrap();
    t.set_metatable(Some(lua.array_metatable())).unwrap();
    assert_eq!(serde_json::to_string(&t).unwrap(), "[]");
    assert_eq!(
        lua.to_value(&Vec::<u8>::new()).unwrap().as_table().unwrap().metatable().unwrap(),
        lua.array_metatable()
    );
}

/// What serde_json writes for a `Number` when its `arbitrary_precision`
/// feature is on: a one-field struct holding the number's text.
struct JsonNumber(&'static str);

impl Serialize for JsonNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("$serde_json::private::Number", 1)?;
        st.serialize_field("$serde_json::private::Number", self.0)?;
        st.end()
    }
}

/// With the option, the text becomes a Lua number: a float when it has a
/// fraction or an exponent, else an integer, or a float past the integer
/// range; a text that is no number stays a string.
#[test]
fn arbitrary_precision_numbers_become_numbers() {
    let lua = new_lua();
    let opts = || LuaSerializeOptions::new().detect_serde_json_arbitrary_precision(true);
    let to = |text| lua.to_value_with(&JsonNumber(text), opts()).unwrap();
    assert!(matches!(to("124.4"), LuaValue::Number(f) if f == 124.4));
    assert!(matches!(to("123.0"), LuaValue::Number(f) if f == 123.0));
    assert!(matches!(to("1e3"), LuaValue::Number(f) if f == 1000.0));
    assert!(matches!(to("-2E-2"), LuaValue::Number(f) if f == -0.02));
    assert!(matches!(to("42"), LuaValue::Integer(42)));
    assert!(matches!(to("-9223372036854775808"), LuaValue::Integer(i64::MIN)));
    assert!(matches!(to("9223372036854775807"), LuaValue::Integer(i64::MAX)));
    assert!(matches!(to("18446744073709551615"), LuaValue::Number(f) if f == u64::MAX as f64));
    assert_eq!(to("not a number"), LuaValue::String(lua.create_string("not a number").unwrap()));

    // Nested, in sequences and maps alike.
    let v = lua
        .to_value_with(&(vec![JsonNumber("1"), JsonNumber("2.5")], BTreeMap::from([("k", JsonNumber("3"))])), opts())
        .unwrap();
    assert_lua(&lua, &v, &["math.type(v[1][1]) == 'integer'", "v[1][2] == 2.5", "v[2].k == 3"]);
}

/// Without the option (the default), serde's form stays: a table with the
/// one field; and only that exact struct is taken for a number.
#[test]
fn arbitrary_precision_off_and_look_alikes() {
    let lua = new_lua();
    let v = lua.to_value(&JsonNumber("124.4")).unwrap();
    assert_lua(&lua, &v, &["type(v) == 'table'", "v['$serde_json::private::Number'] == '124.4'", "count(v) == 1"]);

    #[derive(Serialize)]
    struct Number {
        #[serde(rename = "$serde_json::private::Number")]
        text: &'static str,
    }
    #[derive(Serialize)]
    #[serde(rename = "$serde_json::private::Number")]
    struct TwoFields {
        a: u8,
        b: u8,
    }
    let opts = LuaSerializeOptions::new().detect_serde_json_arbitrary_precision(true);
    let v = lua.to_value_with(&Number { text: "5" }, opts).unwrap();
    assert_lua(&lua, &v, &["type(v) == 'table'"]);
    let v = lua.to_value_with(&TwoFields { a: 1, b: 2 }, opts).unwrap();
    assert_lua(&lua, &v, &["v.a == 1", "v.b == 2"]);
    // Ordinary serde_json values are unaffected.
    let v = lua.to_value_with(&json!({"n": 1, "f": 0.5, "s": "x"}), opts).unwrap();
    assert_lua(&lua, &v, &["math.type(v.n) == 'integer'", "v.f == 0.5", "v.s == 'x'"]);
}
