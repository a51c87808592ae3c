//! Userdata created serializable (`Lua::create_ser_userdata`,
//! `create_ser_any_userdata`): written out through their own `Serialize`,
//! and read back by `Lua::from_value` from what that `Serialize` writes,
//! alone or inside tables.

use super::*;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Pair(i64, String);
impl LuaUserdata for Pair {}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Name(String);
impl LuaUserdata for Name {}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Nothing;
impl LuaUserdata for Nothing {}

/// Fields declared out of alphabetical order, of several kinds.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Record {
    zone: String,
    amount: u64,
    tags: Vec<String>,
    limits: BTreeMap<String, i32>,
    note: Option<String>,
    shape: Shape,
    id: UserId,
}
impl LuaUserdata for Record {}

fn record() -> Record {
    Record {
        zone: "eu".into(),
        amount: u64::MAX,
        tags: vec!["a".into(), "b".into()],
        limits: BTreeMap::from([("cpu".into(), 2), ("mem".into(), -1)]),
        note: None,
        shape: Shape::Poly { sides: 6, name: "hex".into() },
        id: UserId(9),
    }
}

/// A userdata reads back as the type it holds: tuple structs, newtypes,
/// unit structs and structs with nested data, `u64` above `i64::MAX`
/// included (it never goes through a Lua integer).
#[test]
fn userdata_reads_back_as_its_type() {
    let lua = new_lua();
    let ud = LuaValue::UserData(lua.create_ser_userdata(Pair(123, "pair".into())).unwrap());
    assert_eq!(lua.from_value::<Pair>(ud.clone()).unwrap(), Pair(123, "pair".into()));
    // Another type with the same shape reads it too.
    assert_eq!(lua.from_value::<(i64, String)>(ud).unwrap(), (123, "pair".into()));

    let ud = LuaValue::UserData(lua.create_ser_userdata(Name("newtype".into())).unwrap());
    assert_eq!(lua.from_value::<Name>(ud.clone()).unwrap(), Name("newtype".into()));
    assert_eq!(lua.from_value::<String>(ud).unwrap(), "newtype");

    let ud = LuaValue::UserData(lua.create_ser_userdata(Nothing).unwrap());
    assert_eq!(lua.from_value::<Nothing>(ud.clone()).unwrap(), Nothing);
    // A userdata is a value, so `Some`, even if it holds a unit.
    assert_eq!(lua.from_value::<Option<()>>(ud).unwrap(), Some(()));

    let ud = LuaValue::UserData(lua.create_ser_userdata(record()).unwrap());
    assert_eq!(lua.from_value::<Record>(ud).unwrap(), record());
}

/// Enum values held by a userdata read back, every kind of variant.
#[test]
fn userdata_holding_enums() {
    let lua = new_lua();
    for shape in [Shape::Empty, Shape::Circle(2.5), Shape::Rect(3, 4), Shape::Poly { sides: 5, name: "p".into() }] {
        let ud = LuaValue::UserData(lua.create_ser_any_userdata(shape.clone()).unwrap());
        assert_eq!(lua.from_value::<Shape>(ud.clone()).unwrap(), shape);
        // As an untyped value: the externally tagged form.
        assert_eq!(lua.from_value::<serde_json::Value>(ud).unwrap(), serde_json::to_value(&shape).unwrap());
    }
}

/// Inside tables, a userdata reads as its value wherever it is: a field,
/// a sequence element, a map value.
#[test]
fn userdata_inside_tables() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Holder {
        pair: Pair,
        names: Vec<Name>,
        by_key: HashMap<String, Record>,
    }
    let lua = new_lua();
    lua.globals().set("p", lua.create_ser_userdata(Pair(1, "one".into())).unwrap()).unwrap();
    lua.globals().set("n1", lua.create_ser_userdata(Name("x".into())).unwrap()).unwrap();
    lua.globals().set("n2", lua.create_ser_userdata(Name("y".into())).unwrap()).unwrap();
    lua.globals().set("r", lua.create_ser_userdata(record()).unwrap()).unwrap();
    let got: Holder = from_expr(&lua, "{pair = p, names = {n1, n2}, by_key = {k = r}}").unwrap();
    assert_eq!(
        got,
        Holder {
            pair: Pair(1, "one".into()),
            names: vec![Name("x".into()), Name("y".into())],
            by_key: HashMap::from([("k".into(), record())]),
        }
    );
    // Reading and writing agree on an untyped target.
    let v = expr(&lua, "{pair = p, names = {n1, n2}, r = r}");
    assert_eq!(to_json(&lua, v.clone()), serde_json::to_value(&v).unwrap());
    assert_eq!(
        to_json(&lua, v),
        json!({"pair": [1, "one"], "names": ["x", "y"], "r": serde_json::to_value(record()).unwrap()})
    );
}

/// Written out, a userdata's struct keeps its field order (its own
/// `Serialize` runs, not a Lua table's).
#[test]
fn userdata_written_in_field_order() {
    let lua = new_lua();
    let ud = lua.create_ser_userdata(record()).unwrap();
    assert_eq!(serde_json::to_string(&ud).unwrap(), serde_json::to_string(&record()).unwrap());
    let t = lua.create_table().unwrap();
    t.set("r", &ud).unwrap();
    assert_eq!(serde_json::to_string(&t).unwrap(), format!(r#"{{"r":{}}}"#, serde_json::to_string(&record()).unwrap()));
}

/// A userdata whose value was taken no longer serializes: it is an
/// unsupported value (an error by default, unit or skipped with
/// `deny_unsupported_types(false)`), as is a userdata of a type not
/// created serializable.
#[test]
fn taken_and_plain_userdata_are_unsupported() {
    #[derive(Serialize)]
    struct Plain(u8);
    impl LuaUserdata for Plain {}

    let lua = new_lua();
    let taken = lua.create_ser_userdata(Name("gone".into())).unwrap();
    let _ = taken.take::<Name>().unwrap();
    let plain = lua.create_userdata(Plain(1)).unwrap();
    let lenient = || LuaDeserializeOptions::new().deny_unsupported_types(false);
    for ud in [taken, plain] {
        let v = LuaValue::UserData(ud);
        let err = lua.from_value::<Name>(v.clone()).unwrap_err();
        assert!(err.to_string().contains("unsupported value type `userdata`"), "{err}");
        lua.from_value_with::<()>(v.clone(), lenient()).unwrap();
        assert!(serde_json::to_string(&v).is_err());
        assert_eq!(serde_json::to_string(&v.to_serializable_with(lenient())).unwrap(), "null");
        lua.globals().set("u", v).unwrap();
        let t = expr(&lua, "{1, u, 3, k = u}");
        let t2 = t.clone();
        assert_eq!(lua.from_value_with::<serde_json::Value>(t, lenient()).unwrap(), json!([1, 3]));
        let json = serde_json::to_value(t2.to_serializable_with(lenient().detect_mixed_tables(true))).unwrap();
        assert_eq!(json, json!({"1": 1, "3": 3}));
    }
}

/// A userdata borrowed mutably while it is read is an error, not a
/// second borrow; a type mismatch is a deserialize error with serde's
/// wording.
#[test]
fn userdata_read_errors() {
    let lua = new_lua();
    let ud = lua.create_ser_userdata(Pair(5, "five".into())).unwrap();
    {
        let _guard = ud.borrow_mut::<Pair>().unwrap();
        let err = lua.from_value::<Pair>(LuaValue::UserData(ud.clone())).unwrap_err();
        assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
        assert!(serde_json::to_string(&ud).is_err());
    }
    assert_eq!(lua.from_value::<Pair>(LuaValue::UserData(ud.clone())).unwrap(), Pair(5, "five".into()));
    let err = lua.from_value::<Record>(LuaValue::UserData(ud)).unwrap_err();
    assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
    assert!(err.to_string().contains("invalid type"), "{err}");
}
