//! Lua values to Rust values: `RawDe` reads runtime values inside one
//! state access (no handle per value; strings are visited in place), and
//! the public `Deserializer` runs it on a `LuaValue`. With a
//! `StringArena`, strings are visited as borrowed (`visit_borrowed_str`)
//! from their copy in the arena, so `&'de str` fields deserialize. A
//! serializable userdata is read from what its `Serialize` writes
//! (`Content`).

use std::borrow::Cow;

use luna_core::gc::Gc;
use luna_core::object::string::LuaStr;
use luna_core::object::table::Table;
use luna_core::{State, Value};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::content::Content;
use super::{array_metatable, is_null, DeserializeOptions, Leave, PathError, Segment, SortKey, StringArena, Walking};
use crate::error::{LuaError, LuaResult};
use crate::lua::Lua;
use crate::userdata_any::ser::SerializableTypes;
use crate::value::LuaValue;

type Result<T> = std::result::Result<T, PathError>;

/// What a whole deserialization shares: the options, the array metatable,
/// the serializable userdata types, the tables being walked (for
/// recursion and depth checks) and the arena borrowed strings are copied
/// to (`'s`; none: strings are not borrowed).
pub(crate) struct Ctx<'s> {
    opts: DeserializeOptions,
    array_mt: Option<Gc<Table>>,
    ser_types: SerializableTypes,
    walking: Walking,
    strings: Option<&'s StringArena>,
    /// Bytes the Rust value may still take: the room the state's memory
    /// limit leaves. Each value visited costs `VALUE_COST` and each string
    /// its length, so a table that holds the same big string many times,
    /// or shares subtables into an exponential tree, ends in an error
    /// instead of a Rust allocation far past the limit.
    room: std::cell::Cell<usize>,
}

/// What a visited value is counted as taking in the Rust value.
const VALUE_COST: usize = 16;

/// The keys of a table, as the sequence-or-map decision needs them.
struct KeyScan {
    /// Positive integer keys.
    ints: u64,
    /// The largest of them.
    max: u64,
    /// Whether there are keys of other kinds.
    others: bool,
}

impl KeyScan {
    fn of(t: Gc<Table>) -> KeyScan {
        let mut scan = KeyScan { ints: 0, max: 0, others: false };
        let mut pos = 0;
        while let Some((after, k, _)) = t.entry_from(pos) {
            pos = after;
            match k {
                Value::Int(i) if i >= 1 => {
                    scan.ints += 1;
                    scan.max = scan.max.max(i as u64);
                }
                _ => scan.others = true,
            }
        }
        scan
    }
}

impl<'s> Ctx<'s> {
    pub(crate) fn new(
        lua: &Lua,
        st: &mut State,
        opts: DeserializeOptions,
        strings: Option<&'s StringArena>,
    ) -> Ctx<'s> {
        let array_mt = array_metatable(lua, st);
        let ser_types = SerializableTypes::in_state(st);
        let room = std::cell::Cell::new(st.memory_limit().saturating_sub(st.used_memory()));
        Ctx { opts, array_mt, ser_types, walking: Walking::default(), strings, room }
    }

    /// Takes `n` bytes of the room, or fails with "not enough memory".
    fn charge(&self, n: usize) -> Result<()> {
        match self.room.get().checked_sub(n) {
            Some(left) => {
                self.room.set(left);
                Ok(())
            }
            None => Err(PathError::new("not enough memory")),
        }
    }

    /// Enters table `t`, checking depth and recursion; the guard leaves it.
    fn enter(&self, t: Gc<Table>) -> Result<Leave<'_>> {
        self.charge(VALUE_COST)?;
        self.walking.enter(t.addr(), self.opts.deny_recursive_tables)
    }

    /// Whether `v` is a value serde has no form for: functions, threads,
    /// light userdata other than the null sentinel, and userdata that do
    /// not serialize (not created serializable, or their value taken).
    fn unsupported(&self, v: Value) -> bool {
        match v {
            Value::LuaFn(_) | Value::NativeFn(_) | Value::Thread(_) => true,
            Value::LightUserdata(_) => !is_null(v),
            Value::Userdata(u) => !u.has_payload() || self.ser_types.of(u).is_none(),
            _ => false,
        }
    }

    /// Whether the entry or element `v` of a table is left out: an
    /// unsupported value when `deny_unsupported_types` is off, and a table
    /// on the current path (a cycle) when `deny_recursive_tables` is off;
    /// such a table is an error when it is on.
    pub(crate) fn skip(&self, v: Value) -> Result<bool> {
        if !self.may_skip(v) {
            return Ok(false);
        }
        match v {
            Value::Table(t) if self.walking.contains(t.addr()) => {
                if self.opts.deny_recursive_tables {
                    Err(PathError::new("recursive table detected"))
                } else {
                    Ok(true)
                }
            }
            _ => Ok(!self.opts.deny_unsupported_types && self.unsupported(v)),
        }
    }

    /// Whether `skip` needs to look at `v`: only tables (which may be on
    /// the path) and, when unsupported values are left out, every value.
    /// The common entry (a plain value, the default options) costs one
    /// test here, inlined in the loops over a table.
    #[inline(always)]
    fn may_skip(&self, v: Value) -> bool {
        matches!(v, Value::Table(_)) || !self.opts.deny_unsupported_types
    }

    /// The value a serializable userdata records (see `Content`), `None`
    /// for any other value.
    fn content(&self, v: Value) -> Result<Option<Content>> {
        let Value::Userdata(u) = v else { return Ok(None) };
        match self.ser_types.of(u) {
            Some(fns) => fns.record(u).map_err(PathError::from),
            None => Ok(None),
        }
    }

    /// How `deserialize_any` sees a table (see `detect_mixed_tables`).
    fn shape(&self, t: Gc<Table>) -> Result<Shape> {
        if self.array_mt.is_some_and(|mt| t.metatable().is_some_and(|m| m.ptr_eq(mt))) {
            return Ok(Shape::Seq(t.length()));
        }
        let scan = (self.opts.detect_mixed_tables || self.opts.deny_mixed_tables).then(|| KeyScan::of(t));
        let seq = match &scan {
            Some(s) if self.opts.detect_mixed_tables => {
                // mlua takes any table of fewer than 10 entries; a cap on
                // the holes keeps `{[1] = 1, [1e15] = 2}` from becoming
                // a sequence of 10^15 items.
                let dense = s.ints * 2 >= s.max || s.max - s.ints <= 10;
                (s.ints > 0 && !s.others && dense).then_some(s.max)
            }
            _ => Some(t.length()).filter(|&n| n > 0),
        };
        if let Some(s) = scan.as_ref().filter(|_| self.opts.deny_mixed_tables) {
            if (s.ints > 0 && s.others) || seq.is_some_and(|n| s.max > n) {
                return Err(PathError::new("mixed table: sequence entries and other keys"));
            }
        }
        Ok(match seq {
            Some(n) => Shape::Seq(n),
            None if self.opts.encode_empty_tables_as_array && matches!(t.next(Value::Nil), Ok(None)) => Shape::Seq(0),
            None => Shape::Map,
        })
    }
}

impl Ctx<'_> {
    /// The length of `t` if it reads as a sequence, `None` for a map.
    pub(crate) fn seq_len(&self, t: Gc<Table>) -> Result<Option<u64>> {
        Ok(match self.shape(t)? {
            Shape::Seq(n) => Some(n),
            Shape::Map => None,
        })
    }
}

enum Shape {
    Seq(u64),
    Map,
}

/// The deserializer of one runtime value.
#[derive(Clone, Copy)]
pub(crate) struct RawDe<'c, 's> {
    v: Value,
    ctx: &'c Ctx<'s>,
}

impl<'c, 's> RawDe<'c, 's> {
    pub(crate) fn new(v: Value, ctx: &'c Ctx<'s>) -> Self {
        RawDe { v, ctx }
    }

    /// Visits string `s` as text, or as bytes if it is not UTF-8:
    /// borrowed from the arena if there is one and `borrow` holds (not for
    /// `String`s and identifiers, which would copy twice).
    fn visit_text<'de, V: Visitor<'de>>(&self, s: Gc<LuaStr>, borrow: bool, visitor: V) -> Result<V::Value>
    where
        's: 'de,
    {
        self.ctx.charge(s.len())?;
        match (s.as_str(), self.ctx.strings) {
            (Some(text), Some(arena)) if borrow => visitor.visit_borrowed_str(arena.alloc_str(text)),
            (Some(text), _) => visitor.visit_str(text),
            (None, Some(arena)) if borrow => visitor.visit_borrowed_bytes(arena.alloc_bytes(s.as_bytes())),
            (None, _) => visitor.visit_bytes(s.as_bytes()),
        }
    }

    fn unsupported<T>(&self) -> Result<T> {
        Err(PathError::new(format!("unsupported value type `{}`", self.v.type_name())))
    }

    fn visit_seq<'de, V: Visitor<'de>>(&self, t: Gc<Table>, len: u64, visitor: V) -> Result<V::Value>
    where
        's: 'de,
    {
        let _walk = self.ctx.enter(t)?;
        let mut access = SeqAccess { t, next: 1, len, ctx: self.ctx };
        let out = visitor.visit_seq(&mut access)?;
        let read = access.next - 1;
        if access.next_item()?.is_some() {
            let expected = format!("{read} elements");
            return Err(de::Error::invalid_length(len as usize, &expected.as_str()));
        }
        Ok(out)
    }

    fn visit_map<'de, V: Visitor<'de>>(&self, t: Gc<Table>, visitor: V) -> Result<V::Value>
    where
        's: 'de,
    {
        let _walk = self.ctx.enter(t)?;
        let mut entries = Vec::new();
        let mut pos = 0;
        while let Some((after, k, v)) = t.entry_from(pos) {
            pos = after;
            let at = |e: PathError| e.at(Segment::of_key(k));
            if (self.ctx.may_skip(k) && self.ctx.skip(k).map_err(at)?)
                || (self.ctx.may_skip(v) && self.ctx.skip(v).map_err(at)?)
            {
                continue;
            }
            entries.push((k, v));
        }
        if self.ctx.opts.sort_keys {
            entries.sort_by(|a, b| sort_key(&a.0).cmp(&sort_key(&b.0)));
        }
        visitor.visit_map(MapAccess { entries: entries.into_iter(), value: None, ctx: self.ctx })
    }

    /// A float with an exact integer value, as an integer.
    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value>
    where
        's: 'de,
    {
        if let Value::Float(f) = self.v {
            // 2^63 and 2^64 are exact in a double.
            if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
                return visitor.visit_i64(f as i64);
            }
            if f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
                return visitor.visit_u64(f as u64);
            }
        }
        de::Deserializer::deserialize_any(self, visitor)
    }
}

/// Runtime key `k` as `sort_keys` orders it (strings compared in place).
fn sort_key(k: &Value) -> SortKey<'_> {
    match k {
        Value::Int(i) => SortKey::Int(*i),
        Value::Float(f) => SortKey::Float(*f),
        Value::Str(s) => SortKey::Str(Cow::Borrowed(s.as_bytes())),
        Value::Bool(b) => SortKey::Bool(*b),
        _ => SortKey::Other,
    }
}

macro_rules! integers {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.integer(visitor)
        }
    )*};
}

impl<'de, 's: 'de> de::Deserializer<'de> for RawDe<'_, 's> {
    type Error = PathError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.ctx.charge(VALUE_COST)?;
        if let Some(content) = self.ctx.content(self.v)? {
            return content.deserialize_any(visitor);
        }
        match self.v {
            Value::Nil => visitor.visit_unit(),
            v if is_null(v) => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::Str(s) => self.visit_text(s, true, visitor),
            Value::Table(t) => match self.ctx.shape(t)? {
                Shape::Seq(len) => self.visit_seq(t, len, visitor),
                Shape::Map => self.visit_map(t, visitor),
            },
            _ if self.ctx.opts.deny_unsupported_types => self.unsupported(),
            _ => visitor.visit_unit(),
        }
    }

    integers!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Nil => visitor.visit_none(),
            v if is_null(v) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Str(s) => self.visit_text(s, false, visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Str(s) = self.v {
            self.ctx.charge(s.as_bytes().len())?;
        }
        match (self.v, self.ctx.strings) {
            (Value::Str(s), Some(arena)) => visitor.visit_borrowed_bytes(arena.alloc_bytes(s.as_bytes())),
            (Value::Str(s), None) => visitor.visit_bytes(s.as_bytes()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Str(s) => visitor.visit_bytes(s.as_bytes()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value> {
        if let Some(content) = self.ctx.content(self.v)? {
            return content.deserialize_newtype_struct(name, visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Table(t) => self.visit_seq(t, t.length(), visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.v {
            Value::Table(t) => self.visit_map(t, visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if let Some(content) = self.ctx.content(self.v)? {
            return content.deserialize_enum(name, variants, visitor);
        }
        match self.v {
            Value::Str(s) => {
                let name = s.as_str().ok_or_else(|| PathError::new("invalid UTF-8 in an enum variant name"))?;
                visitor.visit_enum(name.into_deserializer())
            }
            Value::Table(t) => {
                let _walk = self.ctx.enter(t)?;
                let mut entries = Vec::new();
                let mut pos = 0;
                while let Some((after, k, v)) = t.entry_from(pos) {
                    pos = after;
                    entries.push((k, v));
                }
                match entries[..] {
                    [(k, v)] => {
                        let at = |e: PathError| e.at(Segment::of_key(k));
                        if self.ctx.skip(v).map_err(at)? {
                            return Err(at(PathError::new("bad enum value")));
                        }
                        visitor.visit_enum(EnumAccess { key: k, value: v, ctx: self.ctx }).map_err(at)
                    }
                    _ => Err(PathError::new(format!(
                        "expected an enum variant: a string or a table with one key, got a table with {} keys",
                        entries.len()
                    ))),
                }
            }
            _ => Err(de::Error::invalid_type(unexpected(self.v), &"an enum variant (a string or a one-key table)")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 str unit unit_struct
    }
}

/// How serde's messages name a value of the wrong type.
fn unexpected(v: Value) -> de::Unexpected<'static> {
    match v {
        Value::Nil => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(b),
        Value::Int(i) => de::Unexpected::Signed(i),
        Value::Float(f) => de::Unexpected::Float(f),
        Value::Str(_) => de::Unexpected::Other("string"),
        Value::Table(_) => de::Unexpected::Other("table"),
        other => de::Unexpected::Other(other.type_name()),
    }
}

struct SeqAccess<'c, 's> {
    t: Gc<Table>,
    next: u64,
    len: u64,
    ctx: &'c Ctx<'s>,
}

impl SeqAccess<'_, '_> {
    /// The next element not skipped (see `Ctx::skip`), with its index.
    fn next_item(&mut self) -> Result<Option<(u64, Value)>> {
        while self.next <= self.len {
            let i = self.next;
            self.next += 1;
            let v = self.t.get_int(i as i64);
            if !self.ctx.may_skip(v) || !self.ctx.skip(v).map_err(|e| e.at(Segment::Index(i)))? {
                return Ok(Some((i, v)));
            }
        }
        Ok(None)
    }
}

impl<'de, 's: 'de> de::SeqAccess<'de> for SeqAccess<'_, 's> {
    type Error = PathError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.next_item()? {
            Some((i, v)) => seed.deserialize(RawDe::new(v, self.ctx)).map(Some).map_err(|e| e.at(Segment::Index(i))),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        usize::try_from(self.len + 1 - self.next).ok()
    }
}

struct MapAccess<'c, 's> {
    entries: std::vec::IntoIter<(Value, Value)>,
    value: Option<(Value, Value)>,
    ctx: &'c Ctx<'s>,
}

impl<'de, 's: 'de> de::MapAccess<'de> for MapAccess<'_, 's> {
    type Error = PathError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some((k, v));
                seed.deserialize(RawDe::new(k, self.ctx)).map(Some).map_err(|e| e.at(Segment::of_key(k)))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let Some((k, v)) = self.value.take() else {
            return Err(PathError::new("next_value_seed called before next_key_seed"));
        };
        seed.deserialize(RawDe::new(v, self.ctx)).map_err(|e| e.at(Segment::of_key(k)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A variant given as `{name = value}`.
struct EnumAccess<'c, 's> {
    key: Value,
    value: Value,
    ctx: &'c Ctx<'s>,
}

impl<'de, 'c, 's: 'de> de::EnumAccess<'de> for EnumAccess<'c, 's> {
    type Error = PathError;
    type Variant = RawDe<'c, 's>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, RawDe<'c, 's>)> {
        let name = seed.deserialize(RawDe::new(self.key, self.ctx))?;
        Ok((name, RawDe::new(self.value, self.ctx)))
    }
}

impl<'de, 's: 'de> de::VariantAccess<'de> for RawDe<'_, 's> {
    type Error = PathError;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

// ---------------------------------------------------------------------------
// The public deserializer.

/// A serde `Deserializer` reading a Lua value (what `Lua::from_value`
/// uses). `Deserialize` code runs inside the state access, so it cannot
/// call into Lua (such calls fail with `StateBusy`).
///
/// ```
/// # use luna::prelude::*;
/// use serde::Deserialize;
/// let lua = Lua::new();
/// let v: LuaValue = lua.load("return {1, 2, 3}").eval()?;
/// let xs = Vec::<i32>::deserialize(luna::serde::Deserializer::new(&lua, v))?;
/// assert_eq!(xs, [1, 2, 3]);
/// # Ok::<(), LuaError>(())
/// ```
///
/// `'s` is the lifetime of the `StringArena` of a borrowing deserializer
/// (`Deserializer::borrowing`); one made with `new` has none and is
/// `Deserializer<'static>`, a deserializer for any `'de`.
pub struct Deserializer<'s> {
    lua: Lua,
    value: LuaValue,
    opts: DeserializeOptions,
    strings: Option<&'s StringArena>,
}

impl Deserializer<'static> {
    /// A deserializer of `value` with the default options.
    pub fn new(lua: &Lua, value: LuaValue) -> Self {
        Self::new_with(lua, value, DeserializeOptions::default())
    }

    /// A deserializer of `value` with `options`.
    pub fn new_with(lua: &Lua, value: LuaValue, options: DeserializeOptions) -> Self {
        Deserializer { lua: lua.clone(), value, opts: options, strings: None }
    }
}

impl<'s> Deserializer<'s> {
    /// A deserializer that hands out strings borrowed for `'s`: each string
    /// a `&str` (or `&[u8]`, or a `#[serde(borrow)] Cow`) is read into is
    /// copied once into `strings`, which the result borrows from.
    pub fn borrowing(lua: &Lua, value: LuaValue, options: DeserializeOptions, strings: &'s StringArena) -> Self {
        Deserializer { lua: lua.clone(), value, opts: options, strings: Some(strings) }
    }

    fn run<T>(self, f: impl FnOnce(RawDe<'_, 's>) -> Result<T>) -> LuaResult<T> {
        let lua = &self.lua;
        lua.with(|st| -> LuaResult<T> {
            let v = lua.lower(st, &self.value)?;
            let ctx = Ctx::new(lua, st, self.opts, self.strings);
            f(RawDe::new(v, &ctx)).map_err(PathError::into_de)
        })?
    }
}

macro_rules! forward_public {
    ($($method:ident($($arg:ident: $T:ty),*)),*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $T,)* visitor: V) -> LuaResult<V::Value> {
            self.run(|raw| de::Deserializer::$method(raw, $($arg,)* visitor))
        }
    )*};
}

impl<'de, 's: 'de> de::Deserializer<'de> for Deserializer<'s> {
    type Error = LuaError;

    forward_public!(
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(), deserialize_u32(),
        deserialize_u64(), deserialize_u128(), deserialize_f32(), deserialize_f64(), deserialize_char(),
        deserialize_str(), deserialize_string(), deserialize_bytes(), deserialize_byte_buf(), deserialize_option(),
        deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(), deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]), deserialize_identifier(),
        deserialize_ignored_any()
    );
}
