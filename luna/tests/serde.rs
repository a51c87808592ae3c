//! Integration tests of the serde support (`luna::serde`): round trips
//! Rust -> Lua -> Rust over every case of the serde data model (scalars,
//! options, units, newtypes, tuples, sequences, maps, structs, the four
//! kinds of enum variants and the common attributes: `flatten`, `default`,
//! `rename_all`, `untagged`, `tag`), the shapes the values take as seen
//! from Lua code (tables with string keys, sequences marked with the array
//! metatable, the null sentinel, enums as strings and one-key tables),
//! configuration tables written in Lua read into typed structs, every
//! option of `SerializeOptions` and `DeserializeOptions`, `Serialize` for
//! `LuaValue`/`LuaTable` (Lua -> JSON), the `Serializer`/`Deserializer`
//! types driven directly, and the wording of errors, including the path of
//! the failing value.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use luna::prelude::*;
use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::json;

// ---------------------------------------------------------------------------
// Helpers.

/// The array metatable (kept in one place: `Lua::array_metatable` returns
/// the table itself).
fn array_mt(lua: &Lua) -> LuaTable {
    lua.array_metatable().unwrap()
}

/// A state with the null sentinel as the global `NULL`, the array metatable
/// as `ARRAY_MT` and a `count(t)` helper (number of pairs of a table).
fn new_lua() -> Lua {
    let lua = Lua::new();
    lua.globals().set("NULL", lua.null()).unwrap();
    lua.globals().set("ARRAY_MT", array_mt(&lua)).unwrap();
    lua.load("function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end").exec().unwrap();
    lua
}

/// Runs a Lua chunk and returns its value.
fn eval(lua: &Lua, chunk: &str) -> LuaValue {
    match lua.load(chunk).eval::<LuaValue>() {
        Ok(v) => v,
        Err(e) => panic!("evaluating {chunk:?} failed: {e}"),
    }
}

/// The value of a Lua expression.
fn expr(lua: &Lua, e: &str) -> LuaValue {
    eval(lua, &format!("return {e}"))
}

/// Deserializes the value of a Lua expression.
fn from_expr<T: DeserializeOwned>(lua: &Lua, e: &str) -> LuaResult<T> {
    let v = expr(lua, e);
    lua.from_value(v)
}

/// Deserializes the value of a Lua expression, expecting a
/// `DeserializeError`; returns its display.
fn de_error<T: DeserializeOwned + fmt::Debug>(lua: &Lua, e: &str) -> String {
    match from_expr::<T>(lua, e) {
        Ok(v) => panic!("deserializing {e:?} should fail, got {v:?}"),
        Err(err @ LuaError::DeserializeError(_)) => err.to_string(),
        Err(err) => panic!("deserializing {e:?}: expected a DeserializeError, got {err:?}"),
    }
}

/// Sets `v` as the global `v` and checks that every Lua expression in
/// `checks` is true.
fn assert_lua(lua: &Lua, v: &LuaValue, checks: &[&str]) {
    lua.globals().set("v", v.clone()).unwrap();
    for check in checks {
        match lua.load(format!("return {check}")).eval::<bool>() {
            Ok(true) => {}
            Ok(false) => panic!("Lua check failed: {check} (v = {v:?})"),
            Err(e) => panic!("Lua check {check:?} raised: {e}"),
        }
    }
}

/// Rust -> Lua -> Rust, passing the Lua value through a Lua function so it
/// is a real value of the state.
fn round_trip<T: Serialize + DeserializeOwned>(lua: &Lua, v: &T) -> T {
    let lv = lua.to_value(v).unwrap_or_else(|e| panic!("to_value failed: {e}"));
    let id: LuaFunction = lua.load("return function(x) return x end").eval().unwrap();
    let back: LuaValue = id.call(lv).unwrap();
    lua.from_value(back).unwrap_or_else(|e| panic!("from_value failed: {e}"))
}

/// Asserts that `v` survives a round trip unchanged.
fn assert_round_trip<T: Serialize + DeserializeOwned + PartialEq + fmt::Debug>(lua: &Lua, v: T) {
    assert_eq!(round_trip(lua, &v), v);
}

/// Deserializes a Lua value into a `serde_json::Value` (default options).
fn to_json(lua: &Lua, v: LuaValue) -> serde_json::Value {
    lua.from_value(v).unwrap_or_else(|e| panic!("from_value into serde_json::Value failed: {e}"))
}

/// The JSON text of a Lua value, with sorted keys.
fn sorted_json(v: &LuaValue) -> String {
    serde_json::to_string(&v.to_serializable(LuaDeserializeOptions::new().sort_keys(true))).unwrap()
}

// ---------------------------------------------------------------------------
// Types of the corpus.

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Marker;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meters(f64);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct UserId(u64);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Point3(i32, i32, i32);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Shape {
    Empty,
    Circle(f64),
    Rect(u32, u32),
    Poly { sides: u8, name: String },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Inner {
    label: String,
    weights: Vec<f64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Outer {
    id: UserId,
    inner: Inner,
    children: Vec<Inner>,
}

/// One field of every kind.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Everything {
    flag: bool,
    small: i8,
    short: i16,
    int: i32,
    long: i64,
    byte: u8,
    ushort: u16,
    uint: u32,
    ulong: u64,
    size: usize,
    ssize: isize,
    ratio: f32,
    precise: f64,
    initial: char,
    name: String,
    bytes: Vec<u8>,
    maybe: Option<u32>,
    nothing: Option<u32>,
    unit: (),
    marker: Marker,
    meters: Meters,
    pair: (i32, String),
    point: Point3,
    list: Vec<i32>,
    empty: Vec<String>,
    nested: Vec<Vec<u8>>,
    by_name: HashMap<String, i32>,
    by_id: HashMap<i64, String>,
    sorted: BTreeMap<String, Vec<bool>>,
    inner: Inner,
    shapes: Vec<Shape>,
}

fn everything() -> Everything {
    Everything {
        flag: true,
        small: i8::MIN,
        short: i16::MAX,
        int: -123_456,
        long: i64::MIN,
        byte: u8::MAX,
        ushort: u16::MAX,
        uint: u32::MAX,
        ulong: i64::MAX as u64,
        size: 4096,
        ssize: -4096,
        ratio: 0.1,
        precise: -2.5e-300,
        initial: 'z',
        name: "luna \u{1F319}".into(),
        bytes: vec![0, 1, 127, 255],
        maybe: Some(7),
        nothing: None,
        unit: (),
        marker: Marker,
        meters: Meters(12.5),
        pair: (-1, "two".into()),
        point: Point3(1, -2, -3),
        list: vec![10, 20, 30],
        empty: vec![],
        nested: vec![vec![1, 2], vec![], vec![3]],
        by_name: HashMap::from([("alpha".into(), 1), ("beta".into(), -2)]),
        by_id: HashMap::from([(-7, "minus seven".into()), (1, "one".into()), (i64::MAX, "max".into())]),
        sorted: BTreeMap::from([("no".into(), vec![false]), ("yes".into(), vec![true, true])]),
        inner: Inner { label: "in".into(), weights: vec![0.5, 1.0] },
        shapes: vec![
            Shape::Empty,
            Shape::Circle(1.5),
            Shape::Rect(3, 4),
            Shape::Poly { sides: 5, name: "penta".into() },
        ],
    }
}

/// Bytes serialized with `serialize_bytes` (a Lua string), read back from a
/// string or from a sequence of integers.
#[derive(Debug, PartialEq, Clone)]
struct Bytes(Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Bytes, E> {
                Ok(Bytes(v.as_bytes().to_vec()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Bytes, E> {
                Ok(Bytes(v.into_bytes()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        d.deserialize_byte_buf(BytesVisitor)
    }
}

/// What `deserialize_any` makes of a table: a sequence or a map, with its
/// number of entries.
#[derive(Debug, PartialEq)]
enum AnyShape {
    Seq(usize),
    Map(usize),
}

impl<'de> Deserialize<'de> for AnyShape {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ShapeVisitor;
        impl<'de> Visitor<'de> for ShapeVisitor {
            type Value = AnyShape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence or a map")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyShape, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(AnyShape::Seq(n))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyShape, A::Error> {
                let mut n = 0;
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(AnyShape::Map(n))
            }
        }
        d.deserialize_any(ShapeVisitor)
    }
}

/// The string keys of a map, in the order the deserializer visits them.
#[derive(Debug, PartialEq)]
struct KeyOrder(Vec<String>);

impl<'de> Deserialize<'de> for KeyOrder {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = KeyOrder;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyOrder, A::Error> {
                let mut keys = Vec::new();
                while let Some((k, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(k);
                }
                Ok(KeyOrder(keys))
            }
        }
        d.deserialize_map(KeysVisitor)
    }
}

// ---------------------------------------------------------------------------
// Round trips Rust -> Lua -> Rust.

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

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "kebab-case")]
enum LogLevel {
    DebugOnly,
    WarnAndAbove,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(rename_all = "camelCase")]
struct Camel {
    max_retries: u32,
    base_url: String,
    is_enabled: bool,
    log_level: LogLevel,
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

// ---------------------------------------------------------------------------
// Shapes seen from Lua.

/// The null sentinel is a light userdata holding a null pointer; the array
/// metatable is the same table every time.
#[test]
fn null_sentinel_and_array_metatable() {
    let lua = new_lua();
    assert_eq!(lua.null(), LuaValue::LightUserdata(LuaLightUserdata(std::ptr::null_mut())));
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

// ---------------------------------------------------------------------------
// Lua -> Rust from Lua source.

#[derive(Deserialize, Debug, PartialEq)]
struct Server {
    host: String,
    port: u16,
    #[serde(default)]
    tls: bool,
}

#[derive(Deserialize, Debug, PartialEq)]
enum Mode {
    Fast,
    Safe { level: u8 },
}

#[derive(Deserialize, Debug, PartialEq)]
struct Config {
    name: String,
    workers: u32,
    timeout: f64,
    mode: Mode,
    servers: Vec<Server>,
    tags: Vec<String>,
    env: HashMap<String, String>,
    retries: Option<u8>,
    #[serde(default)]
    debug: bool,
}

/// A configuration written as Lua (comments, computed values, a helper
/// function, a loop) reads into a typed struct; `2 ^ 3` is the float 8.0
/// and fills an integer field; absent optional and defaulted fields are
/// `None` and default.
#[test]
fn config_written_in_lua() {
    let lua = new_lua();
    let v = eval(
        &lua,
        r#"
        -- Service configuration, written as Lua.
        local base_port = 8000

        --- A server entry; TLS on the standard port only.
        local function server(host, offset)
          local port = offset and base_port + offset or 443
          return { host = host, port = port, tls = port == 443 }
        end

        local tags = {}
        for i = 1, 3 do tags[#tags + 1] = "t" .. i end

        return {
          name = ("edge-%s"):format(string.upper("eu")),
          workers = 2 ^ 3,        -- a float with an integer value
          timeout = 1.5 * 2,
          mode = { Safe = { level = 2 } },
          servers = { server("a.example"), server("b.example", 80) },
          tags = tags,
          env = { HOME = "/srv", ["LANG"] = "C" },
          unused = "ignored",     --[[ unknown keys are ignored ]]
        }
        "#,
    );
    let config: Config = lua.from_value(v).unwrap();
    assert_eq!(
        config,
        Config {
            name: "edge-EU".into(),
            workers: 8,
            timeout: 3.0,
            mode: Mode::Safe { level: 2 },
            servers: vec![
                Server { host: "a.example".into(), port: 443, tls: true },
                Server { host: "b.example".into(), port: 8080, tls: false },
            ],
            tags: vec!["t1".into(), "t2".into(), "t3".into()],
            env: HashMap::from([("HOME".into(), "/srv".into()), ("LANG".into(), "C".into())]),
            retries: None,
            debug: false,
        }
    );
}

/// Numbers: floats with an exact integer value fill integer fields,
/// integers fill float fields.
#[test]
fn numbers_from_lua() {
    let lua = new_lua();
    assert_eq!(from_expr::<i32>(&lua, "3.0").unwrap(), 3);
    assert_eq!(from_expr::<i8>(&lua, "-4.0").unwrap(), -4);
    assert_eq!(from_expr::<u64>(&lua, "2^53").unwrap(), 1u64 << 53);
    assert_eq!(from_expr::<u8>(&lua, "10 / 2").unwrap(), 5);
    assert_eq!(from_expr::<f64>(&lua, "3").unwrap(), 3.0);
    assert_eq!(from_expr::<f32>(&lua, "-7").unwrap(), -7.0);
    assert_eq!(from_expr::<f32>(&lua, "0.1").unwrap(), 0.1f32);
    assert_eq!(from_expr::<i64>(&lua, "math.mininteger").unwrap(), i64::MIN);
    assert_eq!(from_expr::<u64>(&lua, "math.maxinteger").unwrap(), i64::MAX as u64);
    assert_eq!(from_expr::<Vec<u32>>(&lua, "{1.0, 2, 3.0}").unwrap(), vec![1, 2, 3]);
}

/// Out-of-range integers, fractional floats and strings into number types
/// are errors with serde's wording (no coercion).
#[test]
fn number_errors_from_lua() {
    let lua = new_lua();
    assert_eq!(de_error::<u8>(&lua, "300"), "deserialize error: invalid value: integer `300`, expected u8");
    assert_eq!(de_error::<u32>(&lua, "-1"), "deserialize error: invalid value: integer `-1`, expected u32");
    assert_eq!(
        de_error::<i32>(&lua, "math.maxinteger"),
        "deserialize error: invalid value: integer `9223372036854775807`, expected i32"
    );
    assert_eq!(de_error::<i32>(&lua, "3.5"), "deserialize error: invalid type: floating point `3.5`, expected i32");
    assert_eq!(de_error::<u16>(&lua, "'80'"), "deserialize error: invalid type: string \"80\", expected u16");
    assert!(de_error::<f64>(&lua, "'1.5'").contains("invalid type: string \"1.5\""));
}

#[derive(Deserialize, Debug, PartialEq)]
struct Port {
    port: u16,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Ports {
    servers: Vec<Port>,
}

/// The error names the path of the failing value: fields as `.name`,
/// sequence positions as 1-based `[i]`.
#[test]
fn error_path_through_fields_and_sequences() {
    let lua = new_lua();
    assert_eq!(
        de_error::<Ports>(&lua, r#"{servers = {{port = 80}, {port = "80"}}}"#),
        r#"deserialize error: servers[2].port: invalid type: string "80", expected u16"#
    );
    assert_eq!(
        de_error::<Port>(&lua, "{port = 70000}"),
        "deserialize error: port: invalid value: integer `70000`, expected u16"
    );
    assert_eq!(de_error::<Ports>(&lua, "{servers = {{}}}"), "deserialize error: servers[1]: missing field `port`");
    assert_eq!(
        de_error::<Vec<Vec<u8>>>(&lua, "{{1}, {2, 300}}"),
        "deserialize error: [2][2]: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<Vec<Port>>(&lua, "{{port = 1}, {port = 2}, {port = 3.5}}"),
        "deserialize error: [3].port: invalid type: floating point `3.5`, expected u16"
    );
    assert_eq!(
        de_error::<Config>(
            &lua,
            "{name = 'n', workers = 1, timeout = 1, mode = {Safe = {level = -1}}, servers = {}, tags = {}, env = {}}"
        ),
        "deserialize error: mode.Safe.level: invalid value: integer `-1`, expected u8"
    );
}

/// Map keys in the path: identifier strings as `.name` (no leading dot at
/// the root), other strings as `["a b"]`, other keys as `[5]`/`[true]`.
#[test]
fn error_path_through_map_keys() {
    let lua = new_lua();
    assert_eq!(
        de_error::<HashMap<String, u8>>(&lua, "{speed = 300}"),
        "deserialize error: speed: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<HashMap<String, u8>>(&lua, r#"{["a b"] = 300}"#),
        r#"deserialize error: ["a b"]: invalid value: integer `300`, expected u8"#
    );
    assert_eq!(
        de_error::<HashMap<String, HashMap<String, u8>>>(&lua, r#"{outer = {["in ner"] = 300}}"#),
        r#"deserialize error: outer["in ner"]: invalid value: integer `300`, expected u8"#
    );
    assert_eq!(
        de_error::<HashMap<String, HashMap<String, u8>>>(&lua, "{outer = {inner = 300}}"),
        "deserialize error: outer.inner: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<HashMap<i64, u8>>(&lua, "{[5] = 300}"),
        "deserialize error: [5]: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        de_error::<HashMap<bool, u8>>(&lua, "{[true] = 300}"),
        "deserialize error: [true]: invalid value: integer `300`, expected u8"
    );
}

#[derive(Debug, PartialEq)]
struct Level(u8);

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(d)?;
        if n > 5 {
            return Err(<D::Error as serde::de::Error>::custom(format!("level {n} is above 5")));
        }
        Ok(Level(n))
    }
}

#[derive(Deserialize, Debug, PartialEq)]
struct Logging {
    level: Level,
}

/// A custom error raised by a `Deserialize` impl gets the path too.
#[test]
fn custom_deserialize_errors_get_the_path() {
    let lua = new_lua();
    assert_eq!(from_expr::<Logging>(&lua, "{level = 3}").unwrap(), Logging { level: Level(3) });
    assert_eq!(de_error::<Logging>(&lua, "{level = 7}"), "deserialize error: level: level 7 is above 5");
    assert_eq!(de_error::<Level>(&lua, "9"), "deserialize error: level 9 is above 5");
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Strict {
    a: i32,
}

/// Strings, chars, options, tuples and maps from Lua source; unknown keys
/// are ignored unless `deny_unknown_fields`.
#[test]
fn other_types_from_lua() {
    let lua = new_lua();
    assert_eq!(from_expr::<String>(&lua, "'a' .. 'b'").unwrap(), "ab");
    assert_eq!(from_expr::<char>(&lua, "'é'").unwrap(), 'é');
    assert!(from_expr::<char>(&lua, "'ab'").is_err());
    assert_eq!(from_expr::<Bytes>(&lua, "'\\0\\255a'").unwrap(), Bytes(vec![0, 255, b'a']));
    assert_eq!(from_expr::<Option<i32>>(&lua, "nil").unwrap(), None);
    assert_eq!(from_expr::<Option<i32>>(&lua, "NULL").unwrap(), None);
    assert_eq!(from_expr::<Option<i32>>(&lua, "5").unwrap(), Some(5));
    from_expr::<()>(&lua, "nil").unwrap();
    from_expr::<()>(&lua, "NULL").unwrap();
    assert_eq!(from_expr::<Marker>(&lua, "NULL").unwrap(), Marker);
    assert_eq!(from_expr::<(i32, String, bool)>(&lua, "{1, 'a', true}").unwrap(), (1, "a".to_string(), true));
    assert_eq!(from_expr::<Point3>(&lua, "{1, 2, 3}").unwrap(), Point3(1, 2, 3));
    assert_eq!(
        from_expr::<HashMap<i64, String>>(&lua, "{'a', 'b', [10] = 'c'}").unwrap(),
        HashMap::from([(1, "a".into()), (2, "b".into()), (10, "c".into())])
    );
    assert_eq!(
        from_expr::<BTreeMap<String, Vec<i32>>>(&lua, "{x = {1, 2}, y = {}}").unwrap(),
        BTreeMap::from([("x".into(), vec![1, 2]), ("y".into(), vec![])])
    );
    assert_eq!(from_expr::<Strict>(&lua, "{a = 1}").unwrap(), Strict { a: 1 });
    assert_eq!(from_expr::<Port>(&lua, "{port = 1, extra = true}").unwrap(), Port { port: 1 });
    assert!(de_error::<Strict>(&lua, "{a = 1, extra = true}").contains("unknown field `extra`"));
}

/// Enums from Lua: a string for a unit variant, a one-key table for the
/// others; unknown variants and tables with several keys are errors.
#[test]
fn enums_from_lua() {
    let lua = new_lua();
    assert_eq!(from_expr::<Shape>(&lua, "'Empty'").unwrap(), Shape::Empty);
    assert_eq!(from_expr::<Shape>(&lua, "{Circle = 2}").unwrap(), Shape::Circle(2.0));
    assert_eq!(from_expr::<Shape>(&lua, "{Rect = {3, 4}}").unwrap(), Shape::Rect(3, 4));
    assert_eq!(
        from_expr::<Shape>(&lua, "{Poly = {sides = 6, name = 'hex'}}").unwrap(),
        Shape::Poly { sides: 6, name: "hex".into() }
    );
    assert!(de_error::<Shape>(&lua, "'Hexagon'").contains("unknown variant `Hexagon`"));
    assert!(de_error::<Shape>(&lua, "{Octagon = 1}").contains("unknown variant `Octagon`"));
    de_error::<Shape>(&lua, "{Circle = 1, Rect = {1, 2}}");
    de_error::<Shape>(&lua, "42");
}

/// `deserialize_any` (here into `serde_json::Value`) on tables written in
/// Lua: keys exactly 1..n make an array, anything else an object; the null
/// sentinel is `null`; a table shared by two fields is not recursive.
#[test]
fn json_values_from_lua() {
    let lua = new_lua();
    let v: serde_json::Value = from_expr(
        &lua,
        "{name = 'x', list = {1, 2.5, 's', true, NULL}, nested = {a = {b = {}}}, none = NULL, [''] = 0}",
    )
    .unwrap();
    assert_eq!(
        v,
        json!({"name": "x", "list": [1, 2.5, "s", true, null], "nested": {"a": {"b": {}}}, "none": null, "": 0})
    );
    let shared = to_json(&lua, eval(&lua, "local s = {1, 2} return {a = s, b = {s, s}}"));
    assert_eq!(shared, json!({"a": [1, 2], "b": [[1, 2], [1, 2]]}));
}

/// The rule of `deserialize_any` for tables: the array metatable or keys
/// exactly 1..n (n >= 1) make a sequence; holes, other keys and empty
/// tables without the metatable make a map.
#[test]
fn sequence_or_map_detection() {
    let lua = new_lua();
    let cases = [
        ("{1, 2, 3}", AnyShape::Seq(3)),
        ("{[1] = 'a', [2] = 'b'}", AnyShape::Seq(2)),
        ("{[1] = 1, [3] = 3}", AnyShape::Map(2)),
        ("{[0] = 0, 1}", AnyShape::Map(2)),
        ("{a = 1}", AnyShape::Map(1)),
        ("{}", AnyShape::Map(0)),
        ("setmetatable({}, ARRAY_MT)", AnyShape::Seq(0)),
        ("setmetatable({5, 6}, ARRAY_MT)", AnyShape::Seq(2)),
    ];
    for (code, want) in cases {
        assert_eq!(from_expr::<AnyShape>(&lua, code).unwrap(), want, "{code}");
    }
    // Serialized sequences carry the metatable, so an empty one stays a sequence.
    let empty = lua.to_value(&Vec::<i32>::new()).unwrap();
    assert_eq!(lua.from_value::<AnyShape>(empty).unwrap(), AnyShape::Seq(0));
    let empty = lua.to_value(&Vec::<i32>::new()).unwrap();
    assert_eq!(to_json(&lua, empty), json!([]));
}

// ---------------------------------------------------------------------------
// SerializeOptions.

/// The defaults of both option types, and their builders.
#[test]
fn option_defaults_and_builders() {
    let s = LuaSerializeOptions::default();
    assert!(s.serialize_none_to_null && s.serialize_unit_to_null && s.set_array_metatable);
    let s = LuaSerializeOptions::new();
    assert!(s.serialize_none_to_null && s.serialize_unit_to_null && s.set_array_metatable);
    let s = LuaSerializeOptions::new().serialize_none_to_null(false).set_array_metatable(false);
    assert!(!s.serialize_none_to_null && s.serialize_unit_to_null && !s.set_array_metatable);

    let d = LuaDeserializeOptions::default();
    assert!(d.deny_unsupported_types && d.deny_recursive_tables);
    assert!(!d.sort_keys && !d.encode_empty_tables_as_array && !d.deny_mixed_tables);
    let d = LuaDeserializeOptions::new();
    assert!(d.deny_unsupported_types && d.deny_recursive_tables);
    assert!(!d.sort_keys && !d.encode_empty_tables_as_array && !d.deny_mixed_tables);
    let d = LuaDeserializeOptions::new()
        .deny_unsupported_types(false)
        .deny_recursive_tables(false)
        .sort_keys(true)
        .encode_empty_tables_as_array(true)
        .deny_mixed_tables(true);
    assert!(!d.deny_unsupported_types && !d.deny_recursive_tables);
    assert!(d.sort_keys && d.encode_empty_tables_as_array && d.deny_mixed_tables);

    // The prelude names are the types of `luna::serde`.
    let _: luna::serde::SerializeOptions = LuaSerializeOptions::new();
    let _: luna::serde::DeserializeOptions = LuaDeserializeOptions::new();
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Optional {
    a: Option<i32>,
    b: Option<i32>,
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
    assert!(err.to_string().contains("cannot deserialize a function"), "{err}");
    let err = from_expr::<serde_json::Value>(&lua, "{a = 1, f = function() end}").unwrap_err();
    assert!(err.to_string().contains("function"), "{err}");
    let err = from_expr::<serde_json::Value>(&lua, "coroutine.create(print)").unwrap_err();
    assert!(err.to_string().contains("thread"), "{err}");
    let ud = LuaValue::Userdata(lua.create_userdata(Handle).unwrap());
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

/// `deny_recursive_tables` (default true): a table containing itself is an
/// error; with false, the depth limit (128) stops it. Never a hang or a
/// stack overflow, for typed and untyped targets alike.
#[test]
fn option_deny_recursive_tables() {
    let lua = new_lua();
    let cyclic = || expr(&lua, "(function() local t = {name = 'loop'} t.child = t return t end)()");
    for err in [
        lua.from_value::<serde_json::Value>(cyclic()).unwrap_err(),
        lua.from_value::<Node>(cyclic()).unwrap_err(),
        lua.from_value::<serde_json::Value>(expr(&lua, "(function() local t = {} t[1] = t return t end)()"))
            .unwrap_err(),
    ] {
        assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
        assert!(err.to_string().contains("recursive table"), "{err}");
    }
    let lax = || LuaDeserializeOptions::new().deny_recursive_tables(false);
    for err in [
        lua.from_value_with::<serde_json::Value>(cyclic(), lax()).unwrap_err(),
        lua.from_value_with::<Node>(cyclic(), lax()).unwrap_err(),
    ] {
        assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
        assert!(err.to_string().contains("too deeply nested"), "{err}");
    }
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
    assert_eq!(serde_json::to_string(&empty.to_serializable(opts())).unwrap(), "[]");
}

/// `deny_mixed_tables`: a table with both sequence entries and other keys
/// is a map by default and an error with the option; pure sequences and
/// maps are unaffected.
#[test]
fn option_deny_mixed_tables() {
    let lua = new_lua();
    let mixed = || expr(&lua, "{1, 2, x = 3}");
    assert_eq!(lua.from_value::<AnyShape>(mixed()).unwrap(), AnyShape::Map(3));
    assert_eq!(serde_json::to_value(mixed()).unwrap(), json!({"1": 1, "2": 2, "x": 3}));
    let deny = || LuaDeserializeOptions::new().deny_mixed_tables(true);
    let err = lua.from_value_with::<AnyShape>(mixed(), deny()).unwrap_err();
    assert!(matches!(err, LuaError::DeserializeError(_)), "{err:?}");
    assert!(lua.from_value_with::<serde_json::Value>(expr(&lua, "{a = {1, y = 2}}"), deny()).is_err());
    assert!(serde_json::to_string(&mixed().to_serializable(deny())).is_err());
    assert_eq!(lua.from_value_with::<AnyShape>(expr(&lua, "{1, 2}"), deny()).unwrap(), AnyShape::Seq(2));
    assert_eq!(lua.from_value_with::<AnyShape>(expr(&lua, "{a = 1}"), deny()).unwrap(), AnyShape::Map(1));
    assert_eq!(
        lua.from_value_with::<serde_json::Value>(expr(&lua, "{{1}, {k = 'v'}}"), deny()).unwrap(),
        json!([[1], {"k": "v"}])
    );
}

// ---------------------------------------------------------------------------
// Serialize for LuaValue and LuaTable.

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
/// tables are errors (no hang); `to_serializable` can relax them.
#[test]
fn serialize_lua_errors_and_relaxed_options() {
    let lua = new_lua();
    let with_fn = expr(&lua, "{a = 1, f = print}");
    let err = serde_json::to_string(&with_fn).unwrap_err();
    assert!(err.to_string().contains("function"), "{err}");
    let lenient = LuaDeserializeOptions::new().deny_unsupported_types(false);
    assert_eq!(serde_json::to_string(&with_fn.to_serializable(lenient)).unwrap(), r#"{"a":1}"#);

    let cyclic = expr(&lua, "(function() local t = {} t.me = t return t end)()");
    let err = serde_json::to_string(&cyclic).unwrap_err();
    assert!(err.to_string().contains("recursive table"), "{err}");
    let lax = LuaDeserializeOptions::new().deny_recursive_tables(false);
    let err = serde_json::to_string(&cyclic.to_serializable(lax)).unwrap_err();
    assert!(err.to_string().contains("too deeply nested"), "{err}");
}

// ---------------------------------------------------------------------------
// Serializer and Deserializer driven directly.

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
