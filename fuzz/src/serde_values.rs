//! The `serde` target: Lua values built from the input, read as Rust
//! values (`Lua::from_value`, the `Serialize` impl of `LuaValue`) and
//! written back (`Lua::to_value`).
//!
//! Input layout: the first byte holds the `DeserializeOptions` flags (one
//! bit each, in the order of the fields). If the rest is a JSON document,
//! it is also written to Lua and read back. Then the rest is run as a
//! little stack program (`Builder`) that builds a value of nested tables,
//! strings, numbers, booleans, the null sentinel, the array metatable,
//! cycles and unsupported values (functions, light userdata).
//!
//! Checked properties, besides "no panic": with the same options,
//! `from_value::<serde_json::Value>` and `serde_json::to_value` of the
//! `Serialize` impl agree when both succeed; what `from_value` read,
//! `to_value` writes and `from_value` reads back unchanged (JSON values
//! and the typed structs below alike).

use std::collections::BTreeMap;

use luna::serde::{DeserializeOptions as Options, StringArena};
use luna::{Lua, LuaError, LuaLightUserdata, LuaTable, LuaValue, StdLib};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::sandbox::{self, Chunks};

/// Runs one input.
pub fn fuzz(data: &[u8]) {
    let Some((&flags, program)) = data.split_first() else { return };
    let Some(lua) = sandbox::state_with(StdLib::NONE, Chunks::Text) else { return };
    if let Ok(json) = serde_json::from_slice::<Json>(program) {
        json_round_trip(&lua, &json);
    }
    let value = Builder::new(&lua, program).run();
    let options = options(flags);
    let read = lua.from_value_with::<Json>(value.clone(), options);
    let written = serde_json::to_value(value.to_serializable_with(options));
    if let (Ok(read), Ok(written)) = (&read, &written) {
        assert!(read == written, "from_value reads {read} but Serialize writes {written}");
    }
    if let Ok(json) = lua.from_value::<Json>(value.clone()) {
        json_round_trip(&lua, &json);
    }
    typed_round_trip::<Config>(&lua, &value);
    typed_round_trip::<Loose>(&lua, &value);
    let arena = StringArena::new();
    let _ = lua.from_value_borrowed::<Borrowed>(value.clone(), &arena);
}

/// The options from the flags byte.
fn options(flags: u8) -> Options {
    Options::new()
        .deny_unsupported_types(flags & 1 != 0)
        .deny_recursive_tables(flags & 2 != 0)
        .sort_keys(flags & 4 != 0)
        .encode_empty_tables_as_array(flags & 8 != 0)
        .deny_mixed_tables(flags & 16 != 0)
        .detect_mixed_tables(flags & 32 != 0)
}

/// `json` written to Lua reads back unchanged. Unsigned integers above
/// `i64::MAX` have no Lua value: writing them is an error by design.
fn json_round_trip(lua: &Lua, json: &Json) {
    if !fits(json) {
        return;
    }
    let value = match lua.to_value(json) {
        Ok(v) => v,
        Err(LuaError::MemoryError(_)) => return,
        Err(e) => panic!("to_value fails on {json}: {e}"),
    };
    let back = match lua.from_value::<Json>(value) {
        Ok(j) => j,
        Err(e) => panic!("from_value fails on what to_value wrote of {json}: {e}"),
    };
    assert!(&back == json, "{json} comes back as {back}");
}

/// Whether every number of `json` has a Lua value.
fn fits(json: &Json) -> bool {
    match json {
        Json::Number(n) => !n.is_u64() || n.as_i64().is_some(),
        Json::Array(a) => a.iter().all(fits),
        Json::Object(o) => o.values().all(fits),
        _ => true,
    }
}

/// If `value` reads as a `T`, the `T` written to Lua reads back as the
/// same `T` (compared through JSON, where NaN equals NaN as `null`).
fn typed_round_trip<T>(lua: &Lua, value: &LuaValue)
where
    T: serde::de::DeserializeOwned + Serialize,
{
    let Ok(first) = lua.from_value::<T>(value.clone()) else { return };
    let written = match lua.to_value(&first) {
        Ok(v) => v,
        Err(LuaError::MemoryError(_)) => return,
        Err(e) => panic!("to_value fails on a {}: {e}", std::any::type_name::<T>()),
    };
    let second = match lua.from_value::<T>(written) {
        Ok(t) => t,
        Err(e) => panic!("from_value fails on what to_value wrote of a {}: {e}", std::any::type_name::<T>()),
    };
    let (a, b) = (serde_json::to_value(&first).ok(), serde_json::to_value(&second).ok());
    assert!(a == b, "a {} changes in a round trip: {a:?} then {b:?}", std::any::type_name::<T>());
}

/// A configuration, as hosts read them: every field optional, so that
/// fuzzed tables often match.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct Config {
    name: String,
    port: Option<u16>,
    ratio: f64,
    small: f32,
    tags: Vec<String>,
    env: BTreeMap<String, i64>,
    mode: Mode,
    modes: Vec<Mode>,
    pair: (i8, bool),
    unit: (),
    letter: Option<char>,
    bytes: Option<Vec<u8>>,
    nested: Option<Box<Config>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
enum Mode {
    #[default]
    Off,
    Level(u32),
    Range {
        lo: i32,
        hi: i32,
    },
    Pair(i64, String),
}

/// Shapes that make serde buffer the input (untagged and internally
/// tagged enums, flattened maps), which reads through `deserialize_any`.
#[derive(Debug, Deserialize, Serialize)]
struct Loose {
    #[serde(default)]
    any: Option<Json>,
    #[serde(default)]
    either: Vec<Either>,
    #[serde(default)]
    shape: Option<Shape>,
    #[serde(flatten)]
    rest: BTreeMap<String, Json>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
enum Either {
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Either>),
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "kind")]
enum Shape {
    Circle { r: f64 },
    Rect { w: f64, h: f64 },
}

/// Borrowed strings, read from a `StringArena`.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Borrowed<'a> {
    #[serde(borrow)]
    name: &'a str,
    #[serde(borrow, default)]
    tags: Vec<&'a str>,
    #[serde(borrow, default)]
    map: BTreeMap<&'a str, &'a str>,
}

/// Builds a Lua value from bytes: each byte is an instruction on a stack
/// of values, and the value is the bottom of the stack at the end.
struct Builder<'a> {
    lua: &'a Lua,
    input: &'a [u8],
    pos: usize,
    stack: Vec<LuaValue>,
}

/// Values on the builder's stack, at most.
const MAX_STACK: usize = 64;

impl<'a> Builder<'a> {
    fn new(lua: &'a Lua, input: &'a [u8]) -> Self {
        Builder { lua, input, pos: 0, stack: Vec::new() }
    }

    fn run(mut self) -> LuaValue {
        while let Some(op) = self.byte() {
            // Errors (a nil or NaN key, memory) skip the instruction.
            let _ = self.step(op);
        }
        self.stack.into_iter().next().unwrap_or(LuaValue::Nil)
    }

    fn byte(&mut self) -> Option<u8> {
        let b = self.input.get(self.pos).copied();
        self.pos += 1;
        b
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.input.len());
        let end = (start + n).min(self.input.len());
        self.pos = start + n;
        &self.input[start..end]
    }

    fn word(&mut self) -> u64 {
        let mut w = [0; 8];
        let b = self.bytes(8);
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    }

    fn push(&mut self, v: LuaValue) {
        if self.stack.len() < MAX_STACK {
            self.stack.push(v);
        }
    }

    fn pop(&mut self) -> LuaValue {
        self.stack.pop().unwrap_or(LuaValue::Nil)
    }

    /// The table on top of the stack.
    fn top_table(&self) -> Option<LuaTable> {
        self.stack.iter().rev().find_map(|v| v.as_table().cloned())
    }

    fn step(&mut self, op: u8) -> luna::LuaResult<()> {
        match op % 16 {
            0 => self.push(LuaValue::Nil),
            1 => {
                let b = self.byte().unwrap_or(0);
                self.push(LuaValue::Boolean(b & 1 != 0))
            }
            2 => {
                let w = self.word();
                self.push(LuaValue::Integer(w as i64))
            }
            3 => {
                let b = self.byte().unwrap_or(0);
                self.push(LuaValue::Integer(i64::from(b as i8)))
            }
            4 => {
                let w = self.word();
                self.push(LuaValue::Number(f64::from_bits(w)))
            }
            5 => {
                let b = self.byte().unwrap_or(0);
                self.push(LuaValue::Number(f64::from(b as i8) / 4.0))
            }
            6 => {
                let n = usize::from(self.byte().unwrap_or(0) % 32);
                let s = self.lua.create_string(self.bytes(n))?;
                self.push(LuaValue::String(s))
            }
            7 => {
                let t = self.lua.create_table()?;
                self.push(LuaValue::Table(t))
            }
            8 => {
                let (v, k) = (self.pop(), self.pop());
                if let Some(t) = self.top_table() {
                    t.raw_set(k, v)?;
                }
            }
            9 => {
                let v = self.pop();
                if let Some(t) = self.top_table() {
                    let n = t.raw_len();
                    t.raw_set(n as i64 + 1, v)?;
                }
            }
            10 => {
                if let Some(t) = self.top_table() {
                    t.set_metatable(Some(self.lua.array_metatable()))?;
                }
            }
            11 => self.push(self.lua.null()),
            12 => {
                let i = usize::from(self.byte().unwrap_or(0));
                if !self.stack.is_empty() {
                    let v = self.stack[i % self.stack.len()].clone();
                    self.push(v);
                }
            }
            13 => {
                let k = i64::from(self.byte().unwrap_or(0) % 4);
                if let Some(t) = self.top_table() {
                    t.raw_set(k, t.clone())?;
                }
            }
            14 => {
                let f = self.lua.create_function(|_, ()| Ok(()))?;
                self.push(LuaValue::Function(f))
            }
            _ => self.push(LuaValue::LightUserData(LuaLightUserdata(std::ptr::dangling_mut()))),
        }
        Ok(())
    }
}
