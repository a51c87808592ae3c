//! `Serialize` for `LuaValue` and `LuaTable`: a Lua value written out in
//! another format (`serde_json::to_string(&table)`), read through the
//! handles, one state access per step, so the target serializer may use
//! the `Lua` (even to build Lua values from it).

use std::borrow::Cow;

use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};

use super::de::Ctx;
use super::{DeserializeOptions, SortKey, Walking};
use crate::table::LuaTable;
use crate::value::LuaValue;
use luna_core::Value;

/// A value being written, with the options and the tables being walked.
struct SerializableValue<'a> {
    value: &'a LuaValue,
    opts: DeserializeOptions,
    walking: &'a Walking,
}

impl LuaValue {
    /// This value as a `Serialize` whose options are set by the builder
    /// methods of the result (mlua's `to_serializable`):
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let v: LuaValue = lua.load("{b = 1, a = 2}").eval()?;
    /// let json = serde_json::to_string(&v.to_serializable().sort_keys(true)).unwrap();
    /// assert_eq!(json, r#"{"a":2,"b":1}"#);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn to_serializable(&self) -> LuaSerializableValue<'_> {
        self.to_serializable_with(DeserializeOptions::default())
    }

    /// This value as a `Serialize` honouring `options`: `sort_keys` for
    /// stable output, `deny_unsupported_types`, `deny_recursive_tables`,
    /// `encode_empty_tables_as_array` and `deny_mixed_tables`. (The
    /// `Serialize` impl of `LuaValue` uses the defaults.)
    pub fn to_serializable_with(&self, options: DeserializeOptions) -> LuaSerializableValue<'_> {
        LuaSerializableValue { value: self, opts: options, walking: Walking::default() }
    }
}

/// A `LuaValue` to serialize with chosen options (`LuaValue::to_serializable`).
pub struct LuaSerializableValue<'a> {
    value: &'a LuaValue,
    opts: DeserializeOptions,
    walking: Walking,
}

impl LuaSerializableValue<'_> {
    /// Functions, userdata and threads are errors (default `true`); else
    /// they are skipped (or unit).
    #[must_use]
    pub fn deny_unsupported_types(mut self, yes: bool) -> Self {
        self.opts.deny_unsupported_types = yes;
        self
    }

    /// A table met again inside itself (a cycle) is an error (default
    /// `true`); else that entry is left out.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let t: LuaValue = lua.load("local t = {name = 'root'} t.me = t return t").eval()?;
    /// assert!(serde_json::to_string(&t).is_err());
    /// let json = serde_json::to_string(&t.to_serializable().deny_recursive_tables(false)).unwrap();
    /// assert_eq!(json, r#"{"name":"root"}"#);
    /// # Ok::<(), LuaError>(())
    /// ```
    #[must_use]
    pub fn deny_recursive_tables(mut self, yes: bool) -> Self {
        self.opts.deny_recursive_tables = yes;
        self
    }

    /// Map entries are written in key order (default `false`).
    #[must_use]
    pub fn sort_keys(mut self, yes: bool) -> Self {
        self.opts.sort_keys = yes;
        self
    }

    /// An empty table is written as an empty sequence (default `false`).
    #[must_use]
    pub fn encode_empty_tables_as_array(mut self, yes: bool) -> Self {
        self.opts.encode_empty_tables_as_array = yes;
        self
    }

    /// A table is written as a sequence only if all its keys are
    /// positive integers (and it is not too sparse), else as a map with
    /// every key (default `false`: a table with a length is its sequence
    /// part; see `DeserializeOptions::detect_mixed_tables`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let t: LuaValue = lua.load("{'a', 'b', n = 2}").eval()?;
    /// assert_eq!(serde_json::to_string(&t).unwrap(), r#"["a","b"]"#);
    /// let json = serde_json::to_string(&t.to_serializable().detect_mixed_tables(true)).unwrap();
    /// assert_eq!(json, r#"{"1":"a","2":"b","n":2}"#);
    /// # Ok::<(), LuaError>(())
    /// ```
    #[must_use]
    pub fn detect_mixed_tables(mut self, yes: bool) -> Self {
        self.opts.detect_mixed_tables = yes;
        self
    }

    /// A table with both positive integer keys and other keys, or read as
    /// a sequence that leaves keys out, is an error (default `false`).
    #[must_use]
    pub fn deny_mixed_tables(mut self, yes: bool) -> Self {
        self.opts.deny_mixed_tables = yes;
        self
    }
}

impl Serialize for LuaSerializableValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SerializableValue { value: self.value, opts: self.opts, walking: &self.walking }.serialize(serializer)
    }
}

impl Serialize for LuaValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_serializable().serialize(serializer)
    }
}

/// A userdata created serializable (`Lua::create_ser_userdata`) writes out
/// its Rust value; any other is an error ("cannot serialize a userdata").
impl Serialize for crate::LuaAnyUserdata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LuaValue::UserData(self.clone()).serialize(serializer)
    }
}

impl Serialize for LuaTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LuaValue::Table(self.clone()).serialize(serializer)
    }
}

fn unsupported(v: &LuaValue) -> bool {
    match v {
        LuaValue::UserData(ud) => !ud.is_serializable(),
        LuaValue::Function(_) | LuaValue::Thread(_) | LuaValue::Error(_) => true,
        LuaValue::LightUserData(p) => !p.0.is_null(),
        _ => false,
    }
}

impl SerializableValue<'_> {
    fn child<'b>(&'b self, value: &'b LuaValue) -> SerializableValue<'b> {
        SerializableValue { value, opts: self.opts, walking: self.walking }
    }

    /// Whether the entry or element `v` of a table is left out (as
    /// `Ctx::skip` decides for the deserializer).
    fn skip(&self, v: &LuaValue) -> Result<bool, &'static str> {
        match v {
            LuaValue::Table(t) if self.walking.contains(t.to_pointer() as usize) => {
                if self.opts.deny_recursive_tables {
                    Err("recursive table detected")
                } else {
                    Ok(true)
                }
            }
            _ => Ok(!self.opts.deny_unsupported_types && unsupported(v)),
        }
    }

    fn table<S: Serializer>(&self, t: &LuaTable, serializer: S) -> Result<S::Ok, S::Error> {
        let lua = t.lua().map_err(S::Error::custom)?;
        // The shape and identity of the table, read in one access.
        let (addr, shape) = lua
            .with(|st| -> Result<(usize, Option<u64>), String> {
                let Value::Table(core) = lua.value_of(st, &t.0).map_err(|e| e.to_string())? else {
                    return Err("not a table".into());
                };
                let ctx = Ctx::new(&lua, st, self.opts, None);
                let shape = ctx.seq_len(core).map_err(|e| e.to_string())?;
                Ok((core.addr(), shape))
            })
            .map_err(S::Error::custom)?
            .map_err(S::Error::custom)?;
        let _leave = self.walking.enter(addr, self.opts.deny_recursive_tables).map_err(S::Error::custom)?;
        match shape {
            Some(len) => {
                let mut seq = serializer.serialize_seq(usize::try_from(len).ok())?;
                for i in 1..=len as i64 {
                    let v: LuaValue = t.raw_get(i).map_err(S::Error::custom)?;
                    if self.skip(&v).map_err(S::Error::custom)? {
                        continue;
                    }
                    seq.serialize_element(&self.child(&v))?;
                }
                seq.end()
            }
            None => {
                let mut entries = Vec::new();
                for pair in t.pairs::<LuaValue, LuaValue>() {
                    let (k, v) = pair.map_err(S::Error::custom)?;
                    if self.skip(&k).map_err(S::Error::custom)? || self.skip(&v).map_err(S::Error::custom)? {
                        continue;
                    }
                    entries.push((k, v));
                }
                if self.opts.sort_keys {
                    // Each key's bytes are read once, not per comparison.
                    let mut keyed: Vec<_> = entries.into_iter().map(|e| (sort_key(&e.0), e)).collect();
                    keyed.sort_by(|a, b| a.0.cmp(&b.0));
                    entries = keyed.into_iter().map(|(_, e)| e).collect();
                }
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in &entries {
                    map.serialize_entry(&self.child(k), &self.child(v))?;
                }
                map.end()
            }
        }
    }
}

/// Facade key `k` as `sort_keys` orders it.
fn sort_key(k: &LuaValue) -> SortKey<'static> {
    match k {
        LuaValue::Integer(i) => SortKey::Int(*i),
        LuaValue::Number(f) => SortKey::Float(*f),
        LuaValue::String(s) => SortKey::Str(Cow::Owned(s.as_bytes().to_vec())),
        LuaValue::Boolean(b) => SortKey::Bool(*b),
        _ => SortKey::Other,
    }
}

impl Serialize for SerializableValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let LuaValue::UserData(ud) = self.value {
            // A userdata created serializable writes out its Rust value
            // through its own `Serialize`.
            if let Some(content) = ud.content().map_err(S::Error::custom)? {
                return content.serialize(serializer);
            }
        }
        match self.value {
            LuaValue::Nil => serializer.serialize_unit(),
            LuaValue::LightUserData(p) if p.0.is_null() => serializer.serialize_none(),
            LuaValue::Boolean(b) => serializer.serialize_bool(*b),
            LuaValue::Integer(i) => serializer.serialize_i64(*i),
            LuaValue::Number(f) => serializer.serialize_f64(*f),
            LuaValue::String(s) => {
                let bytes = s.as_bytes();
                match std::str::from_utf8(&bytes) {
                    Ok(text) => serializer.serialize_str(text),
                    Err(_) => serializer.serialize_bytes(&bytes),
                }
            }
            LuaValue::Table(t) => self.table(t, serializer),
            other if self.opts.deny_unsupported_types => {
                Err(S::Error::custom(format!("cannot serialize a {}", other.type_name())))
            }
            _ => serializer.serialize_unit(),
        }
    }
}
