//! Round trips Rust -> Lua -> Rust over every case of the serde data model
//! and the common attributes (`flatten`, `default`, `rename_all`,
//! `untagged`, `tag`).

use super::*;

/// Booleans and every integer width at its bounds come back unchanged,
/// including `i64::MIN`/`MAX` and `u64` values that fit an `i64`.
#[test]
fn round_trip_booleans_and_integers() {
    let lua = new_lua();
    assert_round_trip(&lua, true);
    assert_round_trip(&lua, false);
    macro_rules! bounds {
        ($($t:ty),*) => {$(
            assert_round_trip(&lua, <$t>::MIN);
            assert_round_trip(&lua, <$t>::MAX);
            assert_round_trip(&lua, 0 as $t);
            assert_round_trip(&lua, 42 as $t);
        )*};
    }
    bounds!(i8, i16, i32, i64, isize, u8, u16, u32);
    for v in [0u64, 1, 1 << 40, i64::MAX as u64] {
        assert_round_trip(&lua, v);
    }
    for v in [0usize, 1 << 20, i64::MAX as usize] {
        assert_round_trip(&lua, v);
    }
}

/// 128-bit integers round trip when their value fits a Lua integer.
#[test]
fn round_trip_wide_integers_within_i64() {
    let lua = new_lua();
    for v in [i64::MIN as i128, -5, 0, i64::MAX as i128] {
        assert_round_trip(&lua, v);
    }
    for v in [0u128, 5, i64::MAX as u128] {
        assert_round_trip(&lua, v);
    }
}

/// Floats (including infinities, subnormal-range and extreme values) and
/// `f32` values come back bit-for-bit; NaN comes back as NaN.
#[test]
fn round_trip_floats() {
    let lua = new_lua();
    for v in [0.0f64, 1.5, -2.25e-300, 0.1, f64::MAX, f64::MIN, f64::MIN_POSITIVE, f64::INFINITY, f64::NEG_INFINITY] {
        assert_round_trip(&lua, v);
    }
    for v in [0.0f32, 0.1, -3.75, f32::MAX, f32::MIN_POSITIVE, f32::EPSILON] {
        assert_round_trip(&lua, v);
    }
    assert!(round_trip(&lua, &f64::NAN).is_nan());
    let neg_zero = round_trip(&lua, &-0.0f64);
    assert!(neg_zero == 0.0 && neg_zero.is_sign_negative(), "-0.0 keeps its sign");
}

/// Characters and strings, including non-ASCII text and embedded NULs.
#[test]
fn round_trip_chars_and_strings() {
    let lua = new_lua();
    for c in ['a', 'é', '\u{1F980}', '\0'] {
        assert_round_trip(&lua, c);
    }
    for s in ["", "hello", "ünïcödé \u{1F319}", "line\nbreak\0nul"] {
        assert_round_trip(&lua, s.to_string());
    }
}

/// Bytes: `serialize_bytes` gives a Lua string (any bytes), and a `Vec<u8>`
/// goes through a sequence of integers.
#[test]
fn round_trip_bytes() {
    let lua = new_lua();
    assert_round_trip(&lua, Bytes(vec![0, 1, 0xfe, 0xff]));
    assert_round_trip(&lua, Bytes(vec![]));
    assert_round_trip(&lua, vec![0u8, 1, 255]);
    assert_round_trip(&lua, Vec::<u8>::new());
}

/// `Option`, `()` and unit structs.
#[test]
fn round_trip_options_and_units() {
    let lua = new_lua();
    assert_round_trip(&lua, Some(5i32));
    assert_round_trip(&lua, None::<i32>);
    assert_round_trip(&lua, Some("text".to_string()));
    assert_round_trip(&lua, None::<String>);
    assert_round_trip(&lua, vec![Some(1), None, Some(3)]);
    assert_round_trip(&lua, ());
    assert_round_trip(&lua, Marker);
}

/// Newtype structs, tuples, tuple structs and arrays.
#[test]
fn round_trip_newtypes_and_tuples() {
    let lua = new_lua();
    assert_round_trip(&lua, Meters(3.25));
    assert_round_trip(&lua, UserId(i64::MAX as u64));
    assert_round_trip(&lua, (1i8, "two".to_string(), true, None::<u32>, 4.5f64));
    assert_round_trip(&lua, Point3(i32::MIN, 0, i32::MAX));
    assert_round_trip(&lua, [7u16, 8, 9]);
    assert_round_trip(&lua, ((1, 2), (3, (4, "deep".to_string()))));
}

/// Sequences: empty, flat, nested (with an empty inner sequence), of
/// structs and of enums.
#[test]
fn round_trip_sequences() {
    let lua = new_lua();
    assert_round_trip(&lua, Vec::<i32>::new());
    assert_round_trip(&lua, vec![1i64, -2, 3]);
    assert_round_trip(&lua, vec!["a".to_string(), "".to_string()]);
    assert_round_trip(&lua, vec![vec![1, 2], vec![], vec![3]]);
    assert_round_trip(&lua, vec![Vec::<Vec<i32>>::new(), vec![vec![]], vec![vec![1]]]);
    assert_round_trip(&lua, vec![Inner { label: "a".into(), weights: vec![] }]);
}

/// Maps with string keys, integer keys (including 1..n, which must not be
/// mistaken for a sequence by a typed map), ordered maps, and an
/// `Option` key whose `None` becomes the null sentinel.
#[test]
fn round_trip_maps() {
    let lua = new_lua();
    assert_round_trip(&lua, HashMap::from([("a".to_string(), 1), ("b c".to_string(), 2)]));
    assert_round_trip(&lua, HashMap::<String, i32>::new());
    assert_round_trip(
        &lua,
        HashMap::from([(i64::MIN, "min".to_string()), (0, "zero".into()), (i64::MAX, "max".into())]),
    );
    assert_round_trip(&lua, HashMap::from([(1i64, "one".to_string()), (2, "two".into()), (3, "three".into())]));
    assert_round_trip(&lua, BTreeMap::from([("x".to_string(), vec![1.5]), ("y".to_string(), vec![])]));
    assert_round_trip(&lua, BTreeMap::from([(true, 1u8), (false, 0)]));
    assert_round_trip(&lua, HashMap::from([(None, 0), (Some(2), 2), (Some(-1), -1)]));
    assert_round_trip(&lua, HashMap::from([("inner".to_string(), HashMap::from([(5u8, vec!['x'])]))]));
}

/// Structs, nested structs and the struct with one field of every kind.
#[test]
fn round_trip_structs() {
    let lua = new_lua();
    assert_round_trip(&lua, Inner { label: "l".into(), weights: vec![1.0, 2.5] });
    assert_round_trip(
        &lua,
        Outer {
            id: UserId(9),
            inner: Inner { label: "top".into(), weights: vec![] },
            children: vec![Inner { label: "c1".into(), weights: vec![0.25] }],
        },
    );
    assert_round_trip(&lua, everything());
}

/// Enums in all four variant kinds, alone and inside containers.
#[test]
fn round_trip_enums() {
    let lua = new_lua();
    let all =
        vec![Shape::Empty, Shape::Circle(2.0), Shape::Rect(0, u32::MAX), Shape::Poly { sides: 3, name: "tri".into() }];
    for s in &all {
        assert_round_trip(&lua, s.clone());
    }
    assert_round_trip(&lua, all.clone());
    assert_round_trip(&lua, HashMap::from([("first".to_string(), all[3].clone())]));
    assert_round_trip(&lua, Some(Shape::Rect(1, 2)));
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meta {
    author: String,
    version: u16,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Flattened {
    id: u32,
    #[serde(flatten)]
    meta: Meta,
    #[serde(flatten)]
    extra: BTreeMap<String, serde_json::Value>,
}

/// `#[serde(flatten)]`: the inner fields and the catch-all map live at the
/// top of the Lua table, and come back (the flattened path goes through
/// `deserialize_any`).
#[test]
fn round_trip_flatten() {
    let lua = new_lua();
    let f = Flattened {
        id: 7,
        meta: Meta { author: "ann".into(), version: 3 },
        extra: BTreeMap::from([
            ("color".to_string(), json!("red")),
            ("sizes".to_string(), json!([1, 2.5])),
            ("none".to_string(), json!(null)),
            ("obj".to_string(), json!({"k": true})),
        ]),
    };
    assert_round_trip(&lua, f.clone());
    let v = lua.to_value(&f).unwrap();
    assert_lua(
        &lua,
        &v,
        &[
            "v.meta == nil",
            "v.extra == nil",
            "v.author == 'ann'",
            "v.version == 3",
            "v.color == 'red'",
            "v.sizes[2] == 2.5",
        ],
    );
    // Written in Lua.
    let from_lua: Flattened =
        from_expr(&lua, "{id = 1, author = 'bo', version = 2, sizes = {1, 2}, color = 'blue'}").unwrap();
    assert_eq!(
        from_lua,
        Flattened {
            id: 1,
            meta: Meta { author: "bo".into(), version: 2 },
            extra: BTreeMap::from([("color".to_string(), json!("blue")), ("sizes".to_string(), json!([1, 2]))]),
        }
    );
}

fn default_port() -> u16 {
    8080
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct WithDefaults {
    name: String,
    #[serde(default)]
    retries: u32,
    #[serde(default = "default_port")]
    port: u16,
    #[serde(default)]
    tags: Vec<String>,
}

/// `#[serde(default)]`: present fields round trip, missing ones take their
/// defaults.
#[test]
fn defaults_fill_missing_fields() {
    let lua = new_lua();
    assert_round_trip(&lua, WithDefaults { name: "n".into(), retries: 3, port: 1, tags: vec!["t".into()] });
    let d: WithDefaults = from_expr(&lua, "{name = 'only'}").unwrap();
    assert_eq!(d, WithDefaults { name: "only".into(), retries: 0, port: 8080, tags: vec![] });
}

/// `rename_all`: the renamed keys and variant names are what Lua sees and
/// what is read back.
#[test]
fn round_trip_rename_all() {
    let lua = new_lua();
    let c = Camel { max_retries: 3, base_url: "http://x".into(), is_enabled: true, log_level: LogLevel::WarnAndAbove };
    assert_round_trip(&lua, c.clone());
    let v = lua.to_value(&c).unwrap();
    assert_lua(
        &lua,
        &v,
        &[
            "v.maxRetries == 3",
            "v.max_retries == nil",
            "v.baseUrl == 'http://x'",
            "v.isEnabled == true",
            "v.logLevel == 'warn-and-above'",
            "count(v) == 4",
        ],
    );
    let from_lua: Camel =
        from_expr(&lua, "{maxRetries = 1, baseUrl = 'u', isEnabled = false, logLevel = 'debug-only'}").unwrap();
    assert_eq!(
        from_lua,
        Camel { max_retries: 1, base_url: "u".into(), is_enabled: false, log_level: LogLevel::DebugOnly }
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(untagged)]
enum Setting {
    Flag(bool),
    Number(i64),
    Real(f64),
    Text(String),
    List(Vec<String>),
    Endpoint { host: String, port: u16 },
}

/// `#[serde(untagged)]` (through `deserialize_any`): each variant is
/// recognized from the shape of the value, including an empty list, which
/// the array metatable keeps a sequence.
#[test]
fn round_trip_untagged() {
    let lua = new_lua();
    for s in [
        Setting::Flag(true),
        Setting::Number(-3),
        Setting::Real(2.5),
        Setting::Text("x".into()),
        Setting::List(vec!["a".into(), "b".into()]),
        Setting::List(vec![]),
        Setting::Endpoint { host: "h".into(), port: 80 },
    ] {
        assert_round_trip(&lua, s);
    }
    // Written in Lua: no metatables, shapes from the keys.
    let settings: Vec<Setting> =
        from_expr(&lua, "{true, 12, 0.5, 'txt', {'p', 'q'}, {host = 'h2', port = 443}}").unwrap();
    assert_eq!(
        settings,
        vec![
            Setting::Flag(true),
            Setting::Number(12),
            Setting::Real(0.5),
            Setting::Text("txt".into()),
            Setting::List(vec!["p".into(), "q".into()]),
            Setting::Endpoint { host: "h2".into(), port: 443 },
        ]
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(tag = "kind")]
enum Event {
    Click { x: i32, y: i32 },
    Key { code: u32 },
}

/// Internally tagged enums: the tag is a key of the table.
#[test]
fn round_trip_internally_tagged() {
    let lua = new_lua();
    assert_round_trip(&lua, Event::Click { x: 1, y: -2 });
    assert_round_trip(&lua, Event::Key { code: 13 });
    let v = lua.to_value(&Event::Key { code: 13 }).unwrap();
    assert_lua(&lua, &v, &["v.kind == 'Key'", "v.code == 13"]);
    let e: Event = from_expr(&lua, "{kind = 'Click', x = 5, y = 6}").unwrap();
    assert_eq!(e, Event::Click { x: 5, y: 6 });
}

/// Any JSON document survives JSON -> Lua -> JSON, including nulls, empty
/// arrays and empty objects.
#[test]
fn round_trip_json_values() {
    let lua = new_lua();
    let doc = json!({
        "name": "luna",
        "version": 5,
        "negative": -12,
        "pi": 3.25,
        "ok": true,
        "missing": null,
        "list": [1, "two", 3.5, false, null, [], {}],
        "empty_list": [],
        "empty_object": {},
        "nested": {"a": {"b": {"c": [1, [2, [3]]]}}}
    });
    assert_round_trip(&lua, doc);
}

/// A value whose serialization makes garbage through the Lua API: every
/// facade operation is a collection point, so the collector runs in the
/// middle of a serialization.
struct Churn<'a>(&'a Lua, u32);

impl Serialize for Churn<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        for i in 0..200 {
            drop(self.0.create_table().unwrap());
            drop(self.0.create_string(format!("garbage {i}")).unwrap());
        }
        s.serialize_u32(self.1)
    }
}

/// Serializing while the collector runs at every operation (pause 0, and
/// user `Serialize` code that makes garbage between the serializer's
/// steps) keeps every value it has made: strings, keys and nested tables
/// come back intact.
#[test]
fn serialization_survives_collections_between_its_steps() {
    #[derive(Serialize)]
    enum Tagged<'a> {
        Wrap(Churn<'a>),
    }
    #[derive(Serialize)]
    struct Record<'a> {
        name: String,
        churn: Churn<'a>,
        tags: Vec<String>,
        nested: BTreeMap<String, (String, Churn<'a>)>,
        variant: Tagged<'a>,
    }
    let lua = new_lua();
    lua.load("collectgarbage('incremental', 0, 100)").exec().unwrap();
    for round in 0..20u32 {
        let mut nested = BTreeMap::new();
        for k in 0..5 {
            nested.insert(format!("key {k} of round {round}"), (format!("value {k}"), Churn(&lua, k)));
        }
        let rec = Record {
            name: format!("record {round}"),
            churn: Churn(&lua, round),
            tags: (0..10).map(|i| format!("tag {i} of {round}")).collect(),
            nested,
            variant: Tagged::Wrap(Churn(&lua, 7)),
        };
        let v = lua.to_value(&rec).unwrap();
        lua.gc_collect().unwrap();
        let back: serde_json::Value = lua.from_value(v).unwrap();
        assert_eq!(back["name"], json!(format!("record {round}")));
        assert_eq!(back["churn"], json!(round));
        assert_eq!(back["tags"][9], json!(format!("tag 9 of {round}")));
        assert_eq!(back["nested"][format!("key 4 of round {round}")], json!(["value 4", 4]));
        assert_eq!(back["variant"], json!({"Wrap": 7}));
    }
}
