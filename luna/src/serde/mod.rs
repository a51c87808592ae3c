//! Serde support (feature `serde`): Rust values to Lua values and back
//! (`Lua::to_value`, `Lua::from_value`, the `Serializer` and
//! `Deserializer` behind them), `Serialize` for `LuaValue` and `LuaTable`,
//! the null sentinel and the array metatable.
//!
//! Both directions work on runtime values, not on handles: the serializer
//! builds tables and strings with one state access per step (user
//! `Serialize` code runs between steps and may use the `Lua`), rooting
//! each table under construction and each pending map key; the
//! deserializer reads the whole value inside one state access (user
//! `Deserialize` code runs inside it, as does the `Serialize` of a
//! serializable userdata it meets, recorded as a `Content`; so they cannot
//! call into Lua: such a call fails with `StateBusy`). Which tables are
//! sequences, and which entries are left out (unsupported values, cycles),
//! is decided alike in both readers of Lua values (`Ctx::shape`,
//! `Ctx::skip`). Errors carry the path of the failing
//! value (`servers[2].port: invalid type: ...`), built while unwinding.
//! Borrowed strings come from a `StringArena` the caller owns
//! (`Lua::from_value_borrowed`): the state access ends before the result
//! is used, so they cannot point into the heap.

mod arena;
pub(crate) mod content;
mod de;
mod ser;
mod value;

use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;

use luna_core::gc::Gc;
use luna_core::object::table::Table;
use luna_core::state::HostRoot;
use luna_core::{State, Value};

use crate::error::{LuaError, LuaResult};
use crate::lua::Lua;
use crate::table::LuaTable;
use crate::value::{LuaLightUserdata, LuaValue};

pub use arena::StringArena;
pub use de::Deserializer;
pub use ser::Serializer;
pub use value::LuaSerializableValue;

/// How Rust values become Lua values. The defaults are mlua's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SerializeOptions {
    /// `None` becomes the null sentinel (`Lua::null`) rather than nil.
    /// Default `true`: a nil erases a map key and cuts a sequence short,
    /// so `vec![Some(1), None, Some(3)]` would not come back.
    pub serialize_none_to_null: bool,
    /// `()` and unit structs become the null sentinel rather than nil.
    /// Default `true`, for the same reason.
    pub serialize_unit_to_null: bool,
    /// Sequences get the array metatable (`Lua::array_metatable`). Default
    /// `true`: an empty sequence is then told from an empty map when it
    /// comes back (as JSON `[]`, not `{}`).
    pub set_array_metatable: bool,
    /// A `serde_json::Number` of serde_json's `arbitrary_precision`
    /// feature becomes a Lua number rather than the one-field table serde
    /// gives it. Default `false`, as mlua.
    pub detect_serde_json_arbitrary_precision: bool,
}

impl Default for SerializeOptions {
    fn default() -> Self {
        SerializeOptions {
            serialize_none_to_null: true,
            serialize_unit_to_null: true,
            set_array_metatable: true,
            detect_serde_json_arbitrary_precision: false,
        }
    }
}

impl SerializeOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `serialize_none_to_null`.
    pub fn serialize_none_to_null(mut self, yes: bool) -> Self {
        self.serialize_none_to_null = yes;
        self
    }

    /// Sets `serialize_unit_to_null`.
    pub fn serialize_unit_to_null(mut self, yes: bool) -> Self {
        self.serialize_unit_to_null = yes;
        self
    }

    /// Sets `set_array_metatable`.
    pub fn set_array_metatable(mut self, yes: bool) -> Self {
        self.set_array_metatable = yes;
        self
    }

    /// Sets `detect_serde_json_arbitrary_precision`. With serde_json's
    /// `arbitrary_precision` feature, a `serde_json::Number` serializes as
    /// a struct holding its decimal text; with this option that text
    /// becomes a Lua number: a float if it has a fraction or an exponent,
    /// else an integer, or a float when it does not fit one (a text that
    /// is no number stays a string).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let opts = LuaSerializeOptions::new().detect_serde_json_arbitrary_precision(true);
    /// let v = lua.to_value_with(&serde_json::json!({"price": 12.5, "count": 3}), opts)?;
    /// lua.globals().set("v", v)?;
    /// assert!(lua.load("return v.price == 12.5 and math.type(v.count) == 'integer'").eval::<bool>()?);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn detect_serde_json_arbitrary_precision(mut self, yes: bool) -> Self {
        self.detect_serde_json_arbitrary_precision = yes;
        self
    }
}

/// How Lua values are read: by `Lua::from_value`, and when a `LuaValue`
/// is serialized to another format. The defaults are mlua's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeserializeOptions {
    /// Functions, userdata and threads are errors. Default `true`: silently
    /// dropping them hides mistakes. When `false` they read as unit, and
    /// table entries holding them are skipped.
    pub deny_unsupported_types: bool,
    /// A table met again inside itself (a cycle: `t.self = t`) is an
    /// error. Default `true`. When `false`, such an entry is skipped, as
    /// mlua does; a table met twice side by side (`{a = t, b = t}`) is
    /// read both times either way.
    pub deny_recursive_tables: bool,
    /// Map entries are visited in key order (numbers, then strings, then
    /// booleans) rather than in table order. Default `false` (sorting
    /// costs); turn it on for stable output.
    pub sort_keys: bool,
    /// An empty table without the array metatable reads as an empty
    /// sequence where the target accepts anything (`serde_json::Value`).
    /// Default `false`: Lua configs write empty maps as `{}` as often as
    /// empty lists.
    pub encode_empty_tables_as_array: bool,
    /// How a table without the array metatable is told a sequence or a
    /// map where the target accepts anything (`serde_json::Value`).
    /// Default `false`, as mlua: a table with a length (`#t > 0`) is the
    /// sequence `t[1..#t]`, its other keys left out. With `true`, a
    /// table is a sequence only if all its keys are positive integers
    /// and it is not too sparse (at least half of `1..max` set, or at most
    /// 10 holes), written up to its largest key with nil holes; any other
    /// is a map, every key kept.
    pub detect_mixed_tables: bool,
    /// A table that has both positive integer keys and other keys, or
    /// that reads as a sequence leaving keys out, is an error where the
    /// target accepts anything. Default `false`. (luna's own option, not
    /// mlua's: for data where a lost key is a bug.)
    pub deny_mixed_tables: bool,
}

impl Default for DeserializeOptions {
    fn default() -> Self {
        DeserializeOptions {
            deny_unsupported_types: true,
            deny_recursive_tables: true,
            sort_keys: false,
            encode_empty_tables_as_array: false,
            detect_mixed_tables: false,
            deny_mixed_tables: false,
        }
    }
}

impl DeserializeOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `deny_unsupported_types`.
    pub fn deny_unsupported_types(mut self, yes: bool) -> Self {
        self.deny_unsupported_types = yes;
        self
    }

    /// Sets `deny_recursive_tables`.
    pub fn deny_recursive_tables(mut self, yes: bool) -> Self {
        self.deny_recursive_tables = yes;
        self
    }

    /// Sets `sort_keys`.
    pub fn sort_keys(mut self, yes: bool) -> Self {
        self.sort_keys = yes;
        self
    }

    /// Sets `encode_empty_tables_as_array`.
    pub fn encode_empty_tables_as_array(mut self, yes: bool) -> Self {
        self.encode_empty_tables_as_array = yes;
        self
    }

    /// Sets `detect_mixed_tables`: a table whose keys are not all
    /// positive integers reads as a map, every key kept.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let t: LuaValue = lua.load("{10, 20, name = 'x'}").eval()?;
    /// // By default the sequence part wins.
    /// assert_eq!(lua.from_value::<serde_json::Value>(t.clone())?, serde_json::json!([10, 20]));
    /// let opts = LuaDeserializeOptions::new().detect_mixed_tables(true);
    /// let json = serde_json::to_string(&t.to_serializable_with(opts)).unwrap();
    /// assert_eq!(json, r#"{"1":10,"2":20,"name":"x"}"#);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn detect_mixed_tables(mut self, yes: bool) -> Self {
        self.detect_mixed_tables = yes;
        self
    }

    /// Sets `deny_mixed_tables`.
    pub fn deny_mixed_tables(mut self, yes: bool) -> Self {
        self.deny_mixed_tables = yes;
        self
    }
}

/// How deep tables may nest, both ways: deeper is an error, never a Rust
/// stack overflow.
pub(crate) const MAX_DEPTH: usize = 128;

impl Lua {
    /// Converts a Rust value into a Lua value (mlua's `LuaSerdeExt::to_value`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// #[derive(serde::Serialize)]
    /// struct Server { host: String, port: u16 }
    ///
    /// let lua = Lua::new();
    /// let v = lua.to_value(&Server { host: "localhost".into(), port: 80 })?;
    /// lua.globals().set("server", v)?;
    /// assert_eq!(lua.load("return server.host .. ':' .. server.port").eval::<String>()?, "localhost:80");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn to_value<T: ::serde::Serialize + ?Sized>(&self, value: &T) -> LuaResult<LuaValue> {
        self.to_value_with(value, SerializeOptions::default())
    }

    /// `to_value` with options.
    pub fn to_value_with<T: ::serde::Serialize + ?Sized>(
        &self,
        value: &T,
        options: SerializeOptions,
    ) -> LuaResult<LuaValue> {
        value.serialize(Serializer::new_with(self, options))
    }

    /// Converts a Lua value into a Rust value (mlua's `LuaSerdeExt::from_value`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Server { host: String, port: u16 }
    ///
    /// let lua = Lua::new();
    /// let v = lua.load("return { host = 'localhost', port = 8000 + 80 }").eval()?;
    /// let s: Server = lua.from_value(v)?;
    /// assert_eq!(s, Server { host: "localhost".into(), port: 8080 });
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn from_value<T: ::serde::de::DeserializeOwned>(&self, value: LuaValue) -> LuaResult<T> {
        self.from_value_with(value, DeserializeOptions::default())
    }

    /// `from_value` with options.
    pub fn from_value_with<T: ::serde::de::DeserializeOwned>(
        &self,
        value: LuaValue,
        options: DeserializeOptions,
    ) -> LuaResult<T> {
        T::deserialize(Deserializer::new_with(self, value, options))
    }

    /// Converts a Lua value into a Rust value that borrows its strings
    /// (`&'s str`, `&'s [u8]`, `#[serde(borrow)] Cow<'s, str>` fields)
    /// from `strings`, where each of them is copied once. Lua strings
    /// cannot be lent out themselves: a script may drop them at its next
    /// step, so the result borrows from an arena the caller owns.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// use luna::serde::StringArena;
    /// #[derive(serde::Deserialize)]
    /// struct Route<'a> { method: &'a str, path: &'a str }
    ///
    /// let lua = Lua::new();
    /// let v = lua.load("return { method = 'GET', path = '/index' .. '.html' }").eval()?;
    /// let strings = StringArena::new();
    /// let r: Route = lua.from_value_borrowed(v, &strings)?;
    /// assert_eq!((r.method, r.path), ("GET", "/index.html"));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn from_value_borrowed<'s, T: ::serde::Deserialize<'s>>(
        &self,
        value: LuaValue,
        strings: &'s StringArena,
    ) -> LuaResult<T> {
        self.from_value_borrowed_with(value, DeserializeOptions::default(), strings)
    }

    /// `from_value_borrowed` with options.
    pub fn from_value_borrowed_with<'s, T: ::serde::Deserialize<'s>>(
        &self,
        value: LuaValue,
        options: DeserializeOptions,
        strings: &'s StringArena,
    ) -> LuaResult<T> {
        T::deserialize(Deserializer::borrowing(self, value, options, strings))
    }

    /// The null sentinel: a light userdata holding a null pointer. `None`
    /// and `()` serialize to it (see `SerializeOptions`), and it reads back
    /// as `None`/`()`; JSON's `null`.
    pub fn null(&self) -> LuaValue {
        LuaValue::LightUserData(LuaLightUserdata(std::ptr::null_mut()))
    }

    /// The metatable that marks a table as a sequence, so that an empty
    /// one is not taken for a map, and a table with other keys is written
    /// as its sequence part. Serialized sequences get it (see
    /// `SerializeOptions`); scripts can set it on their own tables. It is
    /// made with the state, so getting it cannot fail.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.globals().set("array_mt", lua.array_metatable())?;
    /// let empty: LuaValue = lua.load("setmetatable({}, array_mt)").eval()?;
    /// assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn array_metatable(&self) -> LuaTable {
        LuaTable(self.inner.array_metatable.clone())
    }
}

/// Makes the array metatable of a new state, pinned for the `Lua` to hold
/// (see `LuaInner::array_metatable`).
pub(crate) fn new_array_metatable(st: &mut State) -> LuaResult<HostRoot> {
    let t = st.new_table().map_err(|_| LuaError::memory())?;
    Ok(st.pin(Value::Table(t)))
}

/// The array metatable, inside a state access.
pub(crate) fn array_metatable(lua: &Lua, st: &State) -> Option<Gc<Table>> {
    match st.get_pinned(lua.inner.array_metatable.root(&lua.inner)) {
        Some(Value::Table(t)) => Some(t),
        _ => None,
    }
}

/// Whether `v` is the null sentinel.
pub(crate) fn is_null(v: Value) -> bool {
    matches!(v, Value::LightUserdata(p) if p.is_null())
}

// ---------------------------------------------------------------------------
// Errors with paths.

/// One step of the path to a failing value.
#[derive(Clone, Debug)]
pub(crate) enum Segment {
    /// A struct field or a string key.
    Name(String),
    /// A sequence position (1-based, as Lua counts).
    Index(u64),
    /// Any other key, displayed as Lua would write it.
    Key(String),
}

impl Segment {
    /// The segment naming table key `k`.
    pub(crate) fn of_key(k: Value) -> Segment {
        match k {
            Value::Str(s) => Segment::Name(s.to_str_lossy().into_owned()),
            Value::Int(i) => Segment::Key(i.to_string()),
            Value::Float(f) => Segment::Key(format!("{f:?}")),
            Value::Bool(b) => Segment::Key(b.to_string()),
            other => Segment::Key(other.type_name().to_string()),
        }
    }
}

// ---------------------------------------------------------------------------
// What both readers of Lua tables share (the deserializer, and `Serialize`
// for `LuaValue`).

/// The tables being walked, innermost last: recursion and depth checks.
/// Only the current path counts: a table is left when its walk ends, so
/// one met again beside itself (`{a = t, b = t}`) is no cycle.
#[derive(Default)]
pub(crate) struct Walking(RefCell<Vec<usize>>);

impl Walking {
    /// Whether the table at `addr` is on the current path (so reading it
    /// again would not end).
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.0.borrow().contains(&addr)
    }

    /// Enters the table at `addr`; the guard leaves it (also when an error
    /// is recovered from, as untagged enums do).
    pub(crate) fn enter(&self, addr: usize, deny_recursive: bool) -> Result<Leave<'_>, PathError> {
        let mut walking = self.0.borrow_mut();
        if deny_recursive && walking.contains(&addr) {
            return Err(PathError::new("recursive table detected"));
        }
        if walking.len() >= MAX_DEPTH {
            return Err(PathError::new(format!("tables too deeply nested (more than {MAX_DEPTH} levels)")));
        }
        walking.push(addr);
        Ok(Leave(self))
    }
}

/// Leaves a table on drop.
pub(crate) struct Leave<'a>(&'a Walking);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0 .0.borrow_mut().pop();
    }
}

/// A table key as `sort_keys` orders it: numbers, then strings
/// (bytewise), then booleans, then the rest (kept in table order).
pub(crate) enum SortKey<'a> {
    Int(i64),
    Float(f64),
    Str(Cow<'a, [u8]>),
    Bool(bool),
    Other,
}

impl SortKey<'_> {
    fn rank(&self) -> u8 {
        match self {
            SortKey::Int(_) | SortKey::Float(_) => 0,
            SortKey::Str(_) => 1,
            SortKey::Bool(_) => 2,
            SortKey::Other => 3,
        }
    }

    pub(crate) fn cmp(&self, other: &SortKey<'_>) -> Ordering {
        match (self, other) {
            (SortKey::Int(a), SortKey::Int(b)) => a.cmp(b),
            (SortKey::Int(a), SortKey::Float(b)) => (*a as f64).total_cmp(b),
            (SortKey::Float(a), SortKey::Int(b)) => a.total_cmp(&(*b as f64)),
            (SortKey::Float(a), SortKey::Float(b)) => a.total_cmp(b),
            (SortKey::Str(a), SortKey::Str(b)) => a.cmp(b),
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The error of the internal serializer and deserializer: serde's message
/// and the path to the value, innermost segment first (segments are added
/// while the error travels outwards).
#[derive(Debug)]
pub(crate) struct PathError {
    msg: String,
    path: Vec<Segment>,
}

impl PathError {
    pub(crate) fn new(msg: impl fmt::Display) -> Self {
        PathError { msg: msg.to_string(), path: Vec::new() }
    }

    /// The error, one level further out.
    pub(crate) fn at(mut self, seg: Segment) -> Self {
        self.path.push(seg);
        self
    }

    fn message(&self) -> String {
        if self.path.is_empty() {
            return self.msg.clone();
        }
        let mut s = String::new();
        for (i, seg) in self.path.iter().rev().enumerate() {
            match seg {
                Segment::Name(n) if is_identifier(n) => {
                    if i > 0 {
                        s.push('.');
                    }
                    s.push_str(n);
                }
                Segment::Name(n) => s.push_str(&format!("[{n:?}]")),
                Segment::Index(n) => s.push_str(&format!("[{n}]")),
                Segment::Key(k) => s.push_str(&format!("[{k}]")),
            }
        }
        format!("{s}: {}", self.msg)
    }

    pub(crate) fn into_ser(self) -> LuaError {
        LuaError::SerializeError(self.message())
    }

    pub(crate) fn into_de(self) -> LuaError {
        LuaError::DeserializeError(self.message())
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PathError {}

impl ::serde::ser::Error for PathError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PathError::new(msg)
    }
}

impl ::serde::de::Error for PathError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        PathError::new(msg)
    }
}

impl From<LuaError> for PathError {
    fn from(e: LuaError) -> Self {
        match e {
            LuaError::SerializeError(m) | LuaError::DeserializeError(m) => PathError::new(m),
            other => PathError::new(other),
        }
    }
}

impl ::serde::ser::Error for LuaError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        LuaError::SerializeError(msg.to_string())
    }
}

impl ::serde::de::Error for LuaError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        LuaError::DeserializeError(msg.to_string())
    }
}

/// mlua's serde extension trait, for code that imports it
/// (`use luna::LuaSerdeExt`): luna has these methods on `Lua` itself, and
/// the trait forwards to them.
///
/// ```
/// use luna::{Lua, LuaSerdeExt};
/// let lua = Lua::new();
/// let v = LuaSerdeExt::to_value(&lua, &[1, 2])?;
/// assert_eq!(LuaSerdeExt::from_value::<Vec<i32>>(&lua, v)?, [1, 2]);
/// # Ok::<(), luna::LuaError>(())
/// ```
// The names are mlua's (and `Lua`'s own methods), kept for code that
// calls them through the trait.
#[allow(clippy::wrong_self_convention)]
pub trait LuaSerdeExt: sealed::Sealed {
    /// See `Lua::null`.
    fn null(&self) -> LuaValue;
    /// See `Lua::array_metatable`.
    fn array_metatable(&self) -> LuaTable;
    /// See `Lua::to_value`.
    fn to_value<T: ::serde::Serialize + ?Sized>(&self, value: &T) -> LuaResult<LuaValue>;
    /// See `Lua::to_value_with`.
    fn to_value_with<T: ::serde::Serialize + ?Sized>(
        &self,
        value: &T,
        options: SerializeOptions,
    ) -> LuaResult<LuaValue>;
    /// See `Lua::from_value`.
    fn from_value<T: ::serde::de::DeserializeOwned>(&self, value: LuaValue) -> LuaResult<T>;
    /// See `Lua::from_value_with`.
    fn from_value_with<T: ::serde::de::DeserializeOwned>(
        &self,
        value: LuaValue,
        options: DeserializeOptions,
    ) -> LuaResult<T>;
}

mod sealed {
    /// Only `Lua` implements `LuaSerdeExt`.
    pub trait Sealed {}
    impl Sealed for crate::Lua {}
}

impl LuaSerdeExt for Lua {
    fn null(&self) -> LuaValue {
        Lua::null(self)
    }
    fn array_metatable(&self) -> LuaTable {
        Lua::array_metatable(self)
    }
    fn to_value<T: ::serde::Serialize + ?Sized>(&self, value: &T) -> LuaResult<LuaValue> {
        Lua::to_value(self, value)
    }
    fn to_value_with<T: ::serde::Serialize + ?Sized>(
        &self,
        value: &T,
        options: SerializeOptions,
    ) -> LuaResult<LuaValue> {
        Lua::to_value_with(self, value, options)
    }
    fn from_value<T: ::serde::de::DeserializeOwned>(&self, value: LuaValue) -> LuaResult<T> {
        Lua::from_value(self, value)
    }
    fn from_value_with<T: ::serde::de::DeserializeOwned>(
        &self,
        value: LuaValue,
        options: DeserializeOptions,
    ) -> LuaResult<T> {
        Lua::from_value_with(self, value, options)
    }
}
