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
//! the failing value, serializable userdata both ways, the array
//! metatable and serde_json's arbitrary-precision numbers.
//!
//! One module per subject; this file holds the helpers and the types of
//! the corpus they share.

mod borrowed;
mod from_lua;
mod lua_values;
mod mlua_options;
mod options;
mod round_trip;
mod ser_userdata;
mod serializers;
mod shapes;

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
    lua.array_metatable()
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
    serde_json::to_string(&v.to_serializable_with(LuaDeserializeOptions::new().sort_keys(true))).unwrap()
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

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Optional {
    a: Option<i32>,
    b: Option<i32>,
}
