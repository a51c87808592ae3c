//! Rust values to Lua values: `RawSer` builds runtime values (one state
//! access per step, tables under construction and pending keys rooted),
//! and the public `Serializer` lifts its result to a `LuaValue`.

use luna_core::gc::Gc;
use luna_core::object::table::{Table, TableError};
use luna_core::state::HostRoot;
use luna_core::{State, Value};
use serde::ser::{self, Serialize};

use super::{array_metatable, PathError, Segment, SerializeOptions};
use crate::error::{LuaError, LuaResult};
use crate::lua::Lua;
use crate::value::LuaValue;

type Result<T> = std::result::Result<T, PathError>;

/// The serializer of runtime values.
#[derive(Clone, Copy)]
pub(crate) struct RawSer<'a> {
    lua: &'a Lua,
    opts: SerializeOptions,
    /// The array metatable, if sequences get it (registry-held).
    array_mt: Option<Gc<Table>>,
}

fn table_error(e: TableError) -> PathError {
    match e {
        TableError::NilKey => PathError::new("a table key cannot be nil"),
        TableError::NanKey => PathError::new("a table key cannot be NaN"),
        TableError::Memory => PathError::from(LuaError::memory()),
        TableError::Overflow => PathError::new("table overflow"),
    }
}

impl<'a> RawSer<'a> {
    pub(crate) fn new(lua: &'a Lua, opts: SerializeOptions) -> LuaResult<Self> {
        let array_mt = if opts.set_array_metatable { lua.with(|st| array_metatable(lua, st))? } else { None };
        Ok(RawSer { lua, opts, array_mt })
    }

    /// One step of the serializer: a state access without a collection
    /// point, as raw values pass from one step to the next (between steps
    /// only allocation happens, which never collects, and no user code runs
    /// while a raw value is held: see `TableBuilder`).
    fn with<R>(&self, f: impl FnOnce(&mut State) -> Result<R>) -> Result<R> {
        match self.lua.with_fallible_uncollected(f) {
            Ok(r) => r,
            Err(f) => Err(PathError::from(f.into_error())),
        }
    }

    fn string(&self, bytes: &[u8]) -> Result<Value> {
        self.with(|st| st.str_value(bytes).map_err(|_| PathError::from(LuaError::memory())))
    }

    /// A string from Rust text (known UTF-8: the deserializer reads it
    /// back without validating it).
    fn text(&self, text: &str) -> Result<Value> {
        self.with(|st| st.text_value(text).map_err(|_| PathError::from(LuaError::memory())))
    }

    fn int(v: i128) -> Result<Value> {
        i64::try_from(v).map(Value::Int).map_err(|_| PathError::new(format!("integer {v} does not fit a Lua integer")))
    }

    fn null_or_nil(null: bool) -> Value {
        if null {
            Value::LightUserdata(std::ptr::null_mut())
        } else {
            Value::Nil
        }
    }

    /// A new rooted table; sequences get the array metatable.
    fn table(self, narr: usize, nrec: usize, array: bool) -> Result<TableBuilder<'a>> {
        let (t, root) = self.with(|st| {
            let t = st.new_table_with(narr, nrec).map_err(|_| PathError::from(LuaError::memory()))?;
            if let (true, Some(mt)) = (array, self.array_mt) {
                st.set_metatable(Value::Table(t), Some(mt));
            }
            Ok((t, Pinned::new(self.lua, st, Value::Table(t))))
        })?;
        Ok(TableBuilder { ser: self, target: Target::Table { t, _root: root }, next: 1, key: None, variant: None })
    }

    /// `{name = value}`: the externally tagged form of enum variants.
    fn tagged(&self, name: &str, value: Value) -> Result<Value> {
        self.with(|st| {
            let t = st.new_table_with(0, 1).map_err(|_| PathError::from(LuaError::memory()))?;
            let k = st.text_value(name).map_err(|_| PathError::from(LuaError::memory()))?;
            st.table_raw_set(t, k, value).map_err(table_error)?;
            Ok(Value::Table(t))
        })
    }
}

/// A value pinned while the serializer works on it. Unlike `Rooted` it
/// holds no strong `Lua`: the serializer's borrow of the `Lua` outlives it.
struct Pinned<'a> {
    lua: &'a Lua,
    root: HostRoot,
}

impl<'a> Pinned<'a> {
    #[inline]
    fn new(lua: &'a Lua, st: &mut State, v: Value) -> Pinned<'a> {
        Pinned { lua, root: st.pin(v) }
    }
}

impl Drop for Pinned<'_> {
    #[inline]
    fn drop(&mut self) {
        self.lua.inner.release(self.root);
    }
}

/// A table being filled: a sequence, a map or a struct; with `variant`,
/// the table is wrapped as `{variant = table}` at the end. Or the one
/// field of a serde_json arbitrary-precision number, which becomes a
/// number (`detect_serde_json_arbitrary_precision`).
pub(crate) struct TableBuilder<'a> {
    ser: RawSer<'a>,
    target: Target<'a>,
    next: i64,
    key: Option<(Value, Pinned<'a>)>,
    variant: Option<&'static str>,
}

/// What a `TableBuilder` fills.
enum Target<'a> {
    /// A table, rooted while it is filled.
    Table { t: Gc<Table>, _root: Pinned<'a> },
    /// A serde_json number: the text of its one field, once serialized.
    Number(Option<(Value, Pinned<'a>)>),
}

/// The name and the one field name serde_json gives a `Number` with its
/// `arbitrary_precision` feature.
const SERDE_JSON_NUMBER: &str = "$serde_json::private::Number";

/// The Lua number of an arbitrary-precision number's text, as mlua reads
/// it: a float if the text has a fraction or an exponent, else an integer
/// if it fits one, else a float; a text that is no number stays as it is.
fn json_number(text: &str) -> Option<Value> {
    if text.contains(['.', 'e', 'E']) {
        if let Ok(f) = text.parse::<f64>() {
            return Some(Value::Float(f));
        }
    }
    match text.parse::<i64>() {
        Ok(i) => Some(Value::Int(i)),
        Err(_) => text.parse::<f64>().ok().map(Value::Float),
    }
}

impl TableBuilder<'_> {
    /// The table being filled (a number has none).
    fn table(&self) -> Result<Gc<Table>> {
        match &self.target {
            Target::Table { t, .. } => Ok(*t),
            Target::Number(_) => Err(PathError::new("a serde_json number has one field")),
        }
    }

    fn set(&self, k: Value, v: Value) -> Result<()> {
        let t = self.table()?;
        self.ser.with(|st| st.table_raw_set(t, k, v).map_err(table_error))
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let i = self.next;
        let v = value.serialize(self.ser).map_err(|e| e.at(Segment::Index(i as u64)))?;
        self.set(Value::Int(i), v)?;
        self.next += 1;
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<()> {
        let v = value.serialize(self.ser).map_err(|e| e.at(Segment::Name(name.to_string())))?;
        if let Target::Number(slot) = &mut self.target {
            let root = self.ser.with(|st| Ok(Pinned::new(self.ser.lua, st, v)))?;
            *slot = Some((v, root));
            return Ok(());
        }
        let t = self.table()?;
        self.ser.with(|st| {
            let k = st.text_value(name).map_err(|_| PathError::from(LuaError::memory()))?;
            st.table_raw_set(t, k, v).map_err(table_error)
        })
    }

    fn finish(self) -> Result<Value> {
        // The table is stored by the caller before any user code runs, and
        // allocation never collects: dropping its root here is safe.
        let v = match &self.target {
            Target::Table { t, .. } => Value::Table(*t),
            Target::Number(Some((Value::Str(s), _))) => {
                let text = String::from_utf8_lossy(s.as_bytes());
                json_number(&text).unwrap_or(Value::Str(*s))
            }
            Target::Number(Some((v, _))) => *v,
            Target::Number(None) => return Err(PathError::new("a serde_json number without its text")),
        };
        match self.variant {
            Some(name) => self.ser.tagged(name, v),
            None => Ok(v),
        }
    }
}

impl<'a> ser::Serializer for RawSer<'a> {
    type Ok = Value;
    type Error = PathError;
    type SerializeSeq = TableBuilder<'a>;
    type SerializeTuple = TableBuilder<'a>;
    type SerializeTupleStruct = TableBuilder<'a>;
    type SerializeTupleVariant = TableBuilder<'a>;
    type SerializeMap = TableBuilder<'a>;
    type SerializeStruct = TableBuilder<'a>;
    type SerializeStructVariant = TableBuilder<'a>;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value> {
        Self::int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value> {
        Self::int(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<Value> {
        match i128::try_from(v) {
            Ok(v) => Self::int(v),
            Err(_) => Err(PathError::new(format!("integer {v} does not fit a Lua integer"))),
        }
    }
    fn serialize_f32(self, v: f32) -> Result<Value> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Value> {
        self.text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        self.string(v)
    }
    fn serialize_none(self) -> Result<Value> {
        Ok(Self::null_or_nil(self.opts.serialize_none_to_null))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value> {
        Ok(Self::null_or_nil(self.opts.serialize_unit_to_null))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Value> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        let v = value.serialize(self).map_err(|e| e.at(Segment::Name(variant.to_string())))?;
        self.tagged(variant, v)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<TableBuilder<'a>> {
        self.table(len.unwrap_or(0), 0, true)
    }
    fn serialize_tuple(self, len: usize) -> Result<TableBuilder<'a>> {
        self.table(len, 0, true)
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<TableBuilder<'a>> {
        self.table(len, 0, true)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<TableBuilder<'a>> {
        let mut b = self.table(len, 0, true)?;
        b.variant = Some(variant);
        Ok(b)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<TableBuilder<'a>> {
        self.table(0, len.unwrap_or(0), false)
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<TableBuilder<'a>> {
        if self.opts.detect_serde_json_arbitrary_precision && name == SERDE_JSON_NUMBER && len == 1 {
            let target = Target::Number(None);
            return Ok(TableBuilder { ser: self, target, next: 1, key: None, variant: None });
        }
        self.table(0, len, false)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<TableBuilder<'a>> {
        let mut b = self.table(0, len, false)?;
        b.variant = Some(variant);
        Ok(b)
    }
}

/// The sequence-like compound traits: elements go to `1..n`.
macro_rules! sequence_like {
    ($($Trait:ident :: $method:ident),*) => {$(
        impl ser::$Trait for TableBuilder<'_> {
            type Ok = Value;
            type Error = PathError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Value> {
                self.finish()
            }
        }
    )*};
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The struct-like compound traits: fields go to string keys.
macro_rules! struct_like {
    ($($Trait:ident),*) => {$(
        impl ser::$Trait for TableBuilder<'_> {
            type Ok = Value;
            type Error = PathError;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<()> {
                self.field(key, value)
            }
            fn end(self) -> Result<Value> {
                self.finish()
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for TableBuilder<'_> {
    type Ok = Value;
    type Error = PathError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let k = key.serialize(self.ser)?;
        match k {
            Value::Nil => return Err(PathError::new("a table key cannot be nil")),
            Value::Float(f) if f.is_nan() => return Err(PathError::new("a table key cannot be NaN")),
            _ => {}
        }
        // Rooted while the value is serialized (user code may collect).
        let root = self.ser.with(|st| Ok(Pinned::new(self.ser.lua, st, k)))?;
        self.key = Some((k, root));
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let Some((k, _root)) = self.key.take() else {
            return Err(PathError::new("serialize_value called before serialize_key"));
        };
        let v = value.serialize(self.ser).map_err(|e| e.at(Segment::of_key(k)))?;
        self.set(k, v)
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

// ---------------------------------------------------------------------------
// The public serializer.

/// A serde `Serializer` producing Lua values (what `Lua::to_value` uses).
///
/// ```
/// # use luna::prelude::*;
/// use serde::Serialize;
/// let lua = Lua::new();
/// let v = vec![1, 2, 3].serialize(luna::serde::Serializer::new(&lua))?;
/// lua.globals().set("v", v)?;
/// assert_eq!(lua.load("return #v").eval::<i64>()?, 3);
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Serializer<'lua> {
    lua: &'lua Lua,
    opts: SerializeOptions,
}

impl<'lua> Serializer<'lua> {
    /// A serializer with the default options.
    pub fn new(lua: &'lua Lua) -> Self {
        Self::new_with(lua, SerializeOptions::default())
    }

    /// A serializer with `options`.
    pub fn new_with(lua: &'lua Lua, options: SerializeOptions) -> Self {
        Serializer { lua, opts: options }
    }

    fn raw(&self) -> LuaResult<RawSer<'lua>> {
        RawSer::new(self.lua, self.opts)
    }

    fn lift(&self, v: Result<Value>) -> LuaResult<LuaValue> {
        let v = v.map_err(PathError::into_ser)?;
        lift_result(self.lua, v)
    }
}

/// The serializer's result, a raw value from its last step, as a facade
/// value (pinned), in a step without a collection point (see
/// `RawSer::with`).
fn lift_result(lua: &Lua, v: Value) -> LuaResult<LuaValue> {
    lua.with_fallible_uncollected(|st| lua.lift(st, v)).map_err(crate::failure::Failure::into_error)
}

/// A compound serializer of the public `Serializer`: the runtime one, its
/// result lifted at the end.
pub struct Compound<'lua> {
    lua: &'lua Lua,
    inner: TableBuilder<'lua>,
}

macro_rules! forward_compound {
    ($($Trait:ident :: $method:ident ($($key:ident: $K:ty),*)),*) => {$(
        impl ser::$Trait for Compound<'_> {
            type Ok = LuaValue;
            type Error = LuaError;
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: $K,)* value: &T) -> LuaResult<()> {
                ser::$Trait::$method(&mut self.inner, $($key,)* value).map_err(PathError::into_ser)
            }
            fn end(self) -> LuaResult<LuaValue> {
                let v = ser::$Trait::end(self.inner).map_err(PathError::into_ser)?;
                lift_result(self.lua, v)
            }
        }
    )*};
}

forward_compound!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(key: &'static str),
    SerializeStructVariant::serialize_field(key: &'static str)
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = LuaValue;
    type Error = LuaError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> LuaResult<()> {
        self.inner.serialize_key(key).map_err(PathError::into_ser)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> LuaResult<()> {
        self.inner.serialize_value(value).map_err(PathError::into_ser)
    }
    fn end(self) -> LuaResult<LuaValue> {
        let v = ser::SerializeMap::end(self.inner).map_err(PathError::into_ser)?;
        lift_result(self.lua, v)
    }
}

/// The scalar methods of the public serializer: the runtime serializer's,
/// lifted.
macro_rules! forward_scalars {
    ($($method:ident($($arg:ident: $T:ty),*)),*) => {$(
        fn $method(self, $($arg: $T),*) -> LuaResult<LuaValue> {
            let raw = self.raw()?;
            self.lift(raw.$method($($arg),*))
        }
    )*};
}

macro_rules! forward_compounds {
    ($($method:ident($($arg:ident: $T:ty),*)),*) => {$(
        fn $method(self, $($arg: $T),*) -> LuaResult<Compound<'lua>> {
            let raw = self.raw()?;
            Ok(Compound { lua: self.lua, inner: raw.$method($($arg),*).map_err(PathError::into_ser)? })
        }
    )*};
}

impl<'lua> ser::Serializer for Serializer<'lua> {
    type Ok = LuaValue;
    type Error = LuaError;
    type SerializeSeq = Compound<'lua>;
    type SerializeTuple = Compound<'lua>;
    type SerializeTupleStruct = Compound<'lua>;
    type SerializeTupleVariant = Compound<'lua>;
    type SerializeMap = Compound<'lua>;
    type SerializeStruct = Compound<'lua>;
    type SerializeStructVariant = Compound<'lua>;

    forward_scalars!(
        serialize_bool(v: bool), serialize_i8(v: i8), serialize_i16(v: i16), serialize_i32(v: i32),
        serialize_i64(v: i64), serialize_i128(v: i128), serialize_u8(v: u8), serialize_u16(v: u16),
        serialize_u32(v: u32), serialize_u64(v: u64), serialize_u128(v: u128), serialize_f32(v: f32),
        serialize_f64(v: f64), serialize_char(v: char), serialize_str(v: &str), serialize_bytes(v: &[u8]),
        serialize_none(), serialize_unit(), serialize_unit_struct(name: &'static str),
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str)
    );

    forward_compounds!(
        serialize_seq(len: Option<usize>),
        serialize_tuple(len: usize),
        serialize_tuple_struct(name: &'static str, len: usize),
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize),
        serialize_map(len: Option<usize>),
        serialize_struct(name: &'static str, len: usize),
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize)
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> LuaResult<LuaValue> {
        let raw = self.raw()?;
        self.lift(raw.serialize_some(value))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> LuaResult<LuaValue> {
        let raw = self.raw()?;
        self.lift(raw.serialize_newtype_struct(name, value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> LuaResult<LuaValue> {
        let raw = self.raw()?;
        self.lift(raw.serialize_newtype_variant(name, index, variant, value))
    }
}
