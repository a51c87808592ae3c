//! `IntoLua` and `FromLua` for Rust types: booleans, every integer width
//! (out-of-range values are conversion errors, never silent wraps),
//! floats, strings and bytes, options, vectors, arrays, maps, sets, and the
//! facade's own value types.
//!
//! Conversions from Lua follow Lua's rules where it has them: numeric
//! strings convert to numbers (as `luaL_checkinteger` accepts them),
//! numbers convert to strings, a float converts to an integer only when it
//! has an exact integer value.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use luna_core::{State, Value};

use crate::error::{LuaError, LuaResult};
use crate::lua::Lua;
use crate::multi::{FromLua, IntoLua, Sealed};
use crate::value::{LuaLightUserdata, LuaNil, LuaValue};
use crate::{LuaAnyUserdata, LuaFunction, LuaString, LuaTable, LuaThread};

/// The conversion error for a value of the wrong type.
pub(crate) fn type_error(v: &LuaValue, expected: &str) -> LuaError {
    raw_type_error(v.lua_type_name(), expected)
}

fn raw_type_error(from: &'static str, expected: &str) -> LuaError {
    LuaError::FromLuaConversionError { from, to: expected.to_string(), message: None }
}

// ---------------------------------------------------------------------------
// Direct conversions (see `IntoLua::DIRECT`): the runtime value is read or
// produced inside the state access of the operation, with no `LuaValue` in
// between.

/// A new runtime string.
#[inline]
fn new_str(st: &mut State, bytes: &[u8]) -> LuaResult<Value> {
    st.new_str(bytes).map(Value::Str).map_err(|_| LuaError::memory())
}

/// A new string from Rust text (known UTF-8: see `State::new_text`).
fn new_text(st: &mut State, text: &str) -> LuaResult<Value> {
    st.text_value(text).map_err(|_| LuaError::memory())
}

/// A runtime value as an `f64` (numbers and numeric strings).
#[inline(always)]
fn raw_to_f64(v: Value) -> LuaResult<f64> {
    match v {
        Value::Float(f) => Ok(f),
        Value::Int(i) => Ok(i as f64),
        other => raw_to_f64_slow(other),
    }
}

#[cold]
#[inline(never)]
fn raw_to_f64_slow(v: Value) -> LuaResult<f64> {
    match v {
        Value::Float(f) => Ok(f),
        Value::Int(i) => Ok(i as f64),
        Value::Str(s) => match luna_core::number::str_to_number(s.as_bytes()) {
            Some(luna_core::number::Numeral::Int(i)) => Ok(i as f64),
            Some(luna_core::number::Numeral::Float(f)) => Ok(f),
            None => Err(raw_type_error("string", "number")),
        },
        other => Err(raw_type_error(other.type_name(), "number")),
    }
}

/// Runs `f` with the bytes of a runtime string (or of a number's text).
#[inline]
fn with_raw_bytes<R>(v: Value, f: impl FnOnce(&[u8]) -> R) -> LuaResult<R> {
    match v {
        Value::Str(s) => Ok(f(s.as_bytes())),
        Value::Int(i) => Ok(f(i.to_string().as_bytes())),
        Value::Float(n) => {
            let mut buf = Vec::new();
            luna_core::fmt::fmt_float(n, &mut buf);
            Ok(f(&buf))
        }
        other => Err(raw_type_error(other.type_name(), "string")),
    }
}

fn utf8_string(bytes: &[u8]) -> LuaResult<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(LuaError::FromLuaConversionError {
            from: "string",
            to: "String".to_string(),
            message: Some(format!("invalid UTF-8: {e}")),
        }),
    }
}

// ---------------------------------------------------------------------------
// Facade values.

impl IntoLua for LuaValue {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(self)
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        lua.lower(st, &self)
    }
}

impl FromLua for LuaValue {
    #[inline]
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        Ok(value)
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        Ok(lua.lift(st, value))
    }
}

impl IntoLua for &LuaValue {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(self.clone())
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        lua.lower(st, self)
    }
}

macro_rules! handle_conversions {
    ($ty:ident, $variant:ident, $name:literal) => {
        handle_conversions!($ty, $variant);

        impl FromLua for $ty {
            #[inline]
            fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
                match value {
                    LuaValue::$variant(x) => Ok(x),
                    other => Err(type_error(&other, $name)),
                }
            }

            const DIRECT: bool = true;

            #[inline]
            fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
                match lua.lift(st, value) {
                    LuaValue::$variant(x) => Ok(x),
                    other => Err(type_error(&other, $name)),
                }
            }
        }
    };
    ($ty:ident, $variant:ident) => {
        impl IntoLua for $ty {
            #[inline]
            fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
                Ok(LuaValue::$variant(self))
            }

            const DIRECT: bool = true;

            #[inline]
            fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
                lua.value_of(st, &self.0)
            }
        }

        impl IntoLua for &$ty {
            #[inline]
            fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
                Ok(LuaValue::$variant(self.clone()))
            }

            const DIRECT: bool = true;

            #[inline]
            fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
                lua.value_of(st, &self.0)
            }
        }
    };
}

handle_conversions!(LuaTable, Table, "table");
handle_conversions!(LuaString, String);
handle_conversions!(LuaFunction, Function, "function");
handle_conversions!(LuaThread, Thread, "thread");
handle_conversions!(LuaAnyUserdata, UserData, "userdata");

impl FromLua for LuaString {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::String(s) => Ok(s),
            LuaValue::Integer(_) | LuaValue::Number(_) => {
                let text = value.to_string_lossy().unwrap_or_default();
                lua.create_string(text)
            }
            other => Err(type_error(&other, "string")),
        }
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        let s = match value {
            Value::Str(_) => value,
            Value::Int(_) | Value::Float(_) => with_raw_bytes(value, |b| new_str(st, b))??,
            other => return Err(raw_type_error(other.type_name(), "string")),
        };
        Ok(LuaString(lua.pin(st, s)))
    }
}

impl IntoLua for LuaNil {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Nil)
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Value> {
        Ok(Value::Nil)
    }
}

impl FromLua for LuaNil {
    #[inline]
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Nil => Ok(LuaNil),
            other => Err(type_error(&other, "nil")),
        }
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        match value {
            Value::Nil => Ok(LuaNil),
            other => Err(raw_type_error(other.type_name(), "nil")),
        }
    }
}

impl IntoLua for LuaLightUserdata {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::LightUserData(self))
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Value> {
        Ok(Value::LightUserdata(self.0))
    }
}

impl FromLua for LuaLightUserdata {
    #[inline]
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::LightUserData(p) => Ok(p),
            other => Err(type_error(&other, "light userdata")),
        }
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        match value {
            Value::LightUserdata(p) => Ok(LuaLightUserdata(p)),
            other => Err(raw_type_error(other.type_name(), "light userdata")),
        }
    }
}

impl IntoLua for LuaError {
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Error(Box::new(self)))
    }

    const DIRECT: bool = true;

    fn lower_direct(self, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        crate::lua::error_value(st, self)
    }
}

// ---------------------------------------------------------------------------
// Booleans.

impl IntoLua for bool {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Boolean(self))
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Value> {
        Ok(Value::Bool(self))
    }
}

/// Lua truthiness: `nil` and `false` are false, everything else true.
impl FromLua for bool {
    #[inline]
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        Ok(value.is_truthy())
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        Ok(!matches!(value, Value::Nil | Value::Bool(false)))
    }
}

// ---------------------------------------------------------------------------
// Numbers.

/// The value as a Lua number (integer or float), converting numeric
/// strings.
fn to_number_value(value: &LuaValue) -> Option<LuaValue> {
    match value {
        LuaValue::Integer(_) | LuaValue::Number(_) => Some(value.clone()),
        LuaValue::String(s) => {
            let bytes = s.as_bytes();
            match luna_core::number::str_to_number(&bytes)? {
                luna_core::number::Numeral::Int(i) => Some(LuaValue::Integer(i)),
                luna_core::number::Numeral::Float(f) => Some(LuaValue::Number(f)),
            }
        }
        _ => None,
    }
}

// Rust integers follow mlua's rule, so that code moved from mlua keeps its
// meaning: a Lua integer converts when it fits the Rust type; a float (or a
// numeric string that is not an integer numeral) is truncated toward zero
// and converts when the result fits ("out of range" otherwise, NaN and the
// infinities included). Lua's own library functions keep
// `luaL_checkinteger`'s stricter rule ("number has no integer
// representation"); this is the host's typed conversion, which mlua users
// know as truncation. The other way, a Rust integer beyond `i64` becomes a
// float, as mlua does.

/// A Rust integer type the conversions handle: its exact conversions from
/// and into `i64`, and the truncating one from a float.
trait RustInt: Sized + Copy + TryFrom<i64> + TryInto<i64> {
    /// The float, truncated toward zero, when the result fits.
    fn from_float(f: f64) -> Option<Self>;
    /// The value as a float (beyond `i64`, rounded).
    fn to_float(self) -> f64;
}

macro_rules! rust_int {
    ($($ty:ty),*) => {$(
        impl RustInt for $ty {
            #[inline]
            fn from_float(f: f64) -> Option<Self> {
                // The bounds are powers of two, exact as floats for every
                // width up to 128 bits: the type holds t exactly when
                // MIN <= t < MAX + 1. NaN fails both comparisons.
                let t = f.trunc();
                let min = <$ty>::MIN as f64;
                let end = if <$ty>::MIN == 0 { 2f64.powi(<$ty>::BITS as i32) } else { -min };
                (t >= min && t < end).then_some(t as $ty)
            }

            #[inline]
            fn to_float(self) -> f64 {
                self as f64
            }
        }
    )*};
}

rust_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, i128, u128);

/// A Rust integer as a Lua value: an integer when it fits `i64`, else a
/// float.
#[inline(always)]
fn int_to_raw<T: RustInt>(n: T) -> Value {
    match n.try_into() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(n.to_float()),
    }
}

/// A Lua integer as a Rust integer.
#[inline(always)]
fn int_from_i64<T: RustInt>(i: i64, from: &'static str) -> LuaResult<T> {
    match T::try_from(i) {
        Ok(v) => Ok(v),
        Err(_) => Err(int_range_error::<T>(from)),
    }
}

/// A Lua float as a Rust integer, truncated.
fn int_from_f64<T: RustInt>(f: f64, from: &'static str) -> LuaResult<T> {
    T::from_float(f).ok_or_else(|| int_range_error::<T>(from))
}

#[cold]
#[inline(never)]
fn int_range_error<T>(from: &'static str) -> LuaError {
    LuaError::FromLuaConversionError {
        from,
        to: std::any::type_name::<T>().to_string(),
        message: Some("out of range".to_string()),
    }
}

/// A runtime value other than an integer as a Rust integer.
#[cold]
#[inline(never)]
fn int_from_raw_slow<T: RustInt>(v: Value) -> LuaResult<T> {
    match v {
        Value::Int(i) => int_from_i64(i, "integer"),
        Value::Float(f) => int_from_f64(f, "number"),
        Value::Str(s) => match luna_core::number::str_to_number(s.as_bytes()) {
            Some(luna_core::number::Numeral::Int(i)) => int_from_i64(i, "string"),
            Some(luna_core::number::Numeral::Float(f)) => int_from_f64(f, "string"),
            None => Err(raw_type_error("string", "number")),
        },
        other => Err(raw_type_error(other.type_name(), "number")),
    }
}

macro_rules! int_conversions {
    ($($ty:ty),*) => {$(
        impl IntoLua for $ty {
            #[inline]
            fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
                Ok(match self.try_into() {
                    Ok(i) => LuaValue::Integer(i),
                    Err(_) => LuaValue::Number(self.to_float()),
                })
            }

            const DIRECT: bool = true;

            #[inline]
            fn lower_direct(self, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Value> {
                Ok(int_to_raw(self))
            }
        }

        impl FromLua for $ty {
            #[inline]
            fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
                match value {
                    LuaValue::Integer(i) => int_from_i64(i, "integer"),
                    LuaValue::Number(f) => int_from_f64(f, "number"),
                    ref other => match to_number_value(other) {
                        Some(LuaValue::Integer(i)) => int_from_i64(i, other.type_name()),
                        Some(LuaValue::Number(f)) => int_from_f64(f, other.type_name()),
                        _ => Err(type_error(other, "number")),
                    },
                }
            }

            const DIRECT: bool = true;

            #[inline]
            fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
                match value {
                    Value::Int(i) => int_from_i64(i, "integer"),
                    other => int_from_raw_slow(other),
                }
            }
        }
    )*};
}

int_conversions!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, i128, u128);

impl IntoLua for f64 {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Number(self))
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Value> {
        Ok(Value::Float(self))
    }
}

impl IntoLua for f32 {
    #[inline]
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Number(self as f64))
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Value> {
        Ok(Value::Float(self as f64))
    }
}

impl FromLua for f64 {
    #[inline]
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Number(n) => Ok(n),
            LuaValue::Integer(i) => Ok(i as f64),
            ref other => match to_number_value(other) {
                Some(LuaValue::Integer(i)) => Ok(i as f64),
                Some(LuaValue::Number(n)) => Ok(n),
                _ => Err(type_error(other, "number")),
            },
        }
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        raw_to_f64(value)
    }
}

impl FromLua for f32 {
    #[inline]
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        f64::from_lua(value, lua).map(|f| f as f32)
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        raw_to_f64(value).map(|f| f as f32)
    }
}

// ---------------------------------------------------------------------------
// Strings and bytes.

fn string_value(lua: &Lua, bytes: &[u8]) -> LuaResult<LuaValue> {
    lua.create_string(bytes).map(LuaValue::String)
}

/// The bytes of a string (or the text of a number).
fn bytes_of(value: &LuaValue) -> LuaResult<Vec<u8>> {
    match value {
        LuaValue::String(s) => s.with_bytes(<[u8]>::to_vec),
        LuaValue::Integer(_) | LuaValue::Number(_) => Ok(value.to_string_lossy().unwrap_or_default().into_bytes()),
        other => Err(type_error(other, "string")),
    }
}

/// Text types: their UTF-8 bytes become a Lua string.
macro_rules! text_into_lua {
    ($($ty:ty),*) => {$(
        impl IntoLua for $ty {
            #[inline]
            fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
                string_value(lua, self.as_bytes())
            }

            const DIRECT: bool = true;

            #[inline]
            fn lower_direct(self, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
                new_text(st, &self)
            }
        }
    )*};
}

text_into_lua!(String, &String, &str, Box<str>, Cow<'_, str>);

impl IntoLua for Cow<'_, [u8]> {
    #[inline]
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        string_value(lua, &self)
    }

    const DIRECT: bool = true;

    #[inline]
    fn lower_direct(self, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        new_str(st, &self)
    }
}

impl IntoLua for char {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        let mut buf = [0u8; 4];
        string_value(lua, self.encode_utf8(&mut buf).as_bytes())
    }

    const DIRECT: bool = true;

    fn lower_direct(self, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        let mut buf = [0u8; 4];
        new_str(st, self.encode_utf8(&mut buf).as_bytes())
    }
}

impl FromLua for String {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        let bytes = bytes_of(&value).map_err(to_rust_string)?;
        utf8_string(&bytes)
    }

    const DIRECT: bool = true;

    #[inline]
    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        // A string known to be text needs no validation (`LuaStr::as_str`).
        if let Value::Str(s) = value {
            if let Some(text) = s.as_str() {
                return Ok(text.to_string());
            }
        }
        with_raw_bytes(value, utf8_string).map_err(to_rust_string)?
    }
}

/// A conversion error to a Lua string, named as a conversion to `String`
/// (as mlua names it: `error converting Lua nil to String`).
#[cold]
fn to_rust_string(e: LuaError) -> LuaError {
    match e {
        LuaError::FromLuaConversionError { from, message, .. } => {
            LuaError::FromLuaConversionError { from, to: "String".to_string(), message }
        }
        other => other,
    }
}

impl FromLua for Box<str> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        String::from_lua(value, lua).map(String::into_boxed_str)
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        String::from_direct(value, lua, st, Sealed).map(String::into_boxed_str)
    }
}

impl FromLua for Cow<'static, str> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        String::from_lua(value, lua).map(Cow::Owned)
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        String::from_direct(value, lua, st, Sealed).map(Cow::Owned)
    }
}

impl FromLua for Cow<'static, [u8]> {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        bytes_of(&value).map(Cow::Owned)
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        with_raw_bytes(value, |b| Cow::Owned(b.to_vec()))
    }
}

/// A one-character string, or an integer that is a Unicode scalar value
/// (as mlua converts).
impl FromLua for char {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        let from = value.lua_type_name();
        let err =
            |msg: &str| LuaError::FromLuaConversionError { from, to: "char".to_string(), message: Some(msg.into()) };
        match value {
            LuaValue::Integer(i) => u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| err("integer out of range when converting to char")),
            LuaValue::String(s) => {
                let text = s.to_str()?;
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(err("expected string to have exactly one char when converting to char")),
                }
            }
            _ => Err(err("expected string or integer")),
        }
    }
}

// ---------------------------------------------------------------------------
// Options.

impl<T: IntoLua> IntoLua for Option<T> {
    #[inline]
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        match self {
            Some(v) => v.into_lua(lua),
            None => Ok(LuaValue::Nil),
        }
    }

    const DIRECT: bool = T::DIRECT;

    #[inline]
    fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        match self {
            Some(v) => v.lower_direct(lua, st, Sealed),
            None => Ok(Value::Nil),
        }
    }
}

impl<T: FromLua> FromLua for Option<T> {
    #[inline]
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Nil => Ok(None),
            v => T::from_lua(v, lua).map(Some),
        }
    }

    const DIRECT: bool = T::DIRECT;

    #[inline]
    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        match value {
            Value::Nil => Ok(None),
            v => T::from_direct(v, lua, st, Sealed).map(Some),
        }
    }
}

// ---------------------------------------------------------------------------
// Sequences.

/// Whether `T` is `u8` (vectors and slices of bytes convert to strings).
fn is_u8<T: 'static>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<u8>()
}

fn sequence<T: IntoLua>(lua: &Lua, items: impl IntoIterator<Item = T>, hint: usize) -> LuaResult<LuaValue> {
    let t = lua.create_table_with_capacity(hint, 0)?;
    for (i, v) in items.into_iter().enumerate() {
        t.raw_set(i as i64 + 1, v)?;
    }
    Ok(LuaValue::Table(t))
}

/// `Vec<u8>` converts to a Lua string; every other `Vec<T>` to a sequence.
impl<T: IntoLua + 'static> IntoLua for Vec<T> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        if is_u8::<T>() {
            let any: Box<dyn std::any::Any> = Box::new(self);
            if let Ok(bytes) = any.downcast::<Vec<u8>>() {
                return string_value(lua, &bytes);
            }
            return Err(LuaError::ToLuaConversionError { from: "Vec<u8>".into(), to: "string", message: None });
        }
        let n = self.len();
        sequence(lua, self, n)
    }
}

/// A sequence converts to `Vec<T>`; a string converts to `Vec<u8>` (its
/// bytes) when `T` is `u8`.
impl<T: FromLua + 'static> FromLua for Vec<T> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Table(t) => t.sequence_values::<T>().collect(),
            LuaValue::String(s) if is_u8::<T>() => {
                s.as_bytes().iter().map(|b| T::from_lua(LuaValue::Integer(*b as i64), lua)).collect()
            }
            v @ (LuaValue::Integer(_) | LuaValue::Number(_)) if is_u8::<T>() => {
                let text = v.to_string_lossy().unwrap_or_default();
                text.bytes().map(|b| T::from_lua(LuaValue::Integer(b as i64), lua)).collect()
            }
            other => Err(type_error(&other, "table")),
        }
    }
}

impl<T: IntoLua + Clone + 'static> IntoLua for &[T] {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        self.to_vec().into_lua(lua)
    }
}

impl<T: IntoLua + 'static, const N: usize> IntoLua for [T; N] {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        sequence(lua, self, N)
    }
}

impl<T: FromLua + 'static, const N: usize> FromLua for [T; N] {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        let v = Vec::<T>::from_lua(value, lua)?;
        let len = v.len();
        v.try_into().map_err(|_| LuaError::FromLuaConversionError {
            from: "table",
            to: format!("[_; {N}]"),
            message: Some(format!("expected a sequence of {N} values, got {len}")),
        })
    }
}

impl<T: IntoLua + 'static> IntoLua for Box<[T]> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        self.into_vec().into_lua(lua)
    }
}

/// As `Vec<T>`: a sequence (and `Box<[u8]>` a string's bytes).
impl<T: FromLua + 'static> FromLua for Box<[T]> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        Vec::<T>::from_lua(value, lua).map(Vec::into_boxed_slice)
    }
}

// ---------------------------------------------------------------------------
// Maps and sets.

impl<K: IntoLua, V: IntoLua, S: BuildHasher> IntoLua for HashMap<K, V, S> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        let t = lua.create_table_with_capacity(0, self.len())?;
        for (k, v) in self {
            t.raw_set(k, v)?;
        }
        Ok(LuaValue::Table(t))
    }
}

impl<K: FromLua + Eq + Hash, V: FromLua, S: BuildHasher + Default> FromLua for HashMap<K, V, S> {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Table(t) => t.pairs::<K, V>().collect(),
            other => Err(type_error(&other, "table")),
        }
    }
}

impl<K: IntoLua, V: IntoLua> IntoLua for BTreeMap<K, V> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        let t = lua.create_table_with_capacity(0, self.len())?;
        for (k, v) in self {
            t.raw_set(k, v)?;
        }
        Ok(LuaValue::Table(t))
    }
}

impl<K: FromLua + Ord, V: FromLua> FromLua for BTreeMap<K, V> {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Table(t) => t.pairs::<K, V>().collect(),
            other => Err(type_error(&other, "table")),
        }
    }
}

/// Sets are tables whose keys are the elements (values `true`).
impl<T: IntoLua, S: BuildHasher> IntoLua for HashSet<T, S> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        let t = lua.create_table_with_capacity(0, self.len())?;
        for k in self {
            t.raw_set(k, true)?;
        }
        Ok(LuaValue::Table(t))
    }
}

/// A table converts to a set of its keys whose values are truthy; a
/// sequence of values also converts (its values become the elements).
impl<T: FromLua + Eq + Hash, S: BuildHasher + Default> FromLua for HashSet<T, S> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        set_from_lua(value, lua)
    }
}

impl<T: IntoLua> IntoLua for BTreeSet<T> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        let t = lua.create_table_with_capacity(0, self.len())?;
        for k in self {
            t.raw_set(k, true)?;
        }
        Ok(LuaValue::Table(t))
    }
}

impl<T: FromLua + Ord> FromLua for BTreeSet<T> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        set_from_lua(value, lua)
    }
}

fn set_from_lua<T: FromLua, C: FromIterator<T>>(value: LuaValue, lua: &Lua) -> LuaResult<C> {
    match value {
        LuaValue::Table(t) => {
            // The set form (every value `true`, as sets convert into Lua)
            // takes precedence over the list form, so that a set of small
            // integers round-trips.
            let pairs = t.pairs::<LuaValue, LuaValue>().collect::<LuaResult<Vec<_>>>()?;
            let set_form = pairs.iter().all(|(_, v)| matches!(v, LuaValue::Boolean(true)));
            if !set_form && t.raw_len() > 0 {
                t.sequence_values::<T>().collect()
            } else {
                pairs.into_iter().filter(|(_, v)| v.is_truthy()).map(|(k, _)| T::from_lua(k, lua)).collect()
            }
        }
        other => Err(type_error(&other, "table")),
    }
}

// ---------------------------------------------------------------------------
// Either.

/// One of two types: converts from Lua as `L` if possible, else as `R`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LuaEither<L, R> {
    /// The first alternative.
    Left(L),
    /// The second alternative.
    Right(R),
}

impl<L, R> LuaEither<L, R> {
    /// Whether this is the first alternative.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let e = LuaEither::<i32, String>::Left(1);
    /// assert!(e.is_left() && e.left() == Some(1));
    /// ```
    pub fn is_left(&self) -> bool {
        matches!(self, LuaEither::Left(_))
    }

    /// Whether this is the second alternative.
    pub fn is_right(&self) -> bool {
        matches!(self, LuaEither::Right(_))
    }

    /// The first alternative, if it is this one.
    pub fn left(self) -> Option<L> {
        match self {
            LuaEither::Left(l) => Some(l),
            LuaEither::Right(_) => None,
        }
    }

    /// The second alternative, if it is this one.
    pub fn right(self) -> Option<R> {
        match self {
            LuaEither::Left(_) => None,
            LuaEither::Right(r) => Some(r),
        }
    }

    /// A borrowing `LuaEither`.
    pub fn as_ref(&self) -> LuaEither<&L, &R> {
        match self {
            LuaEither::Left(l) => LuaEither::Left(l),
            LuaEither::Right(r) => LuaEither::Right(r),
        }
    }

    /// A mutably borrowing `LuaEither`.
    pub fn as_mut(&mut self) -> LuaEither<&mut L, &mut R> {
        match self {
            LuaEither::Left(l) => LuaEither::Left(l),
            LuaEither::Right(r) => LuaEither::Right(r),
        }
    }

    /// Converts the first alternative with `f`.
    pub fn map_left<M>(self, f: impl FnOnce(L) -> M) -> LuaEither<M, R> {
        match self {
            LuaEither::Left(l) => LuaEither::Left(f(l)),
            LuaEither::Right(r) => LuaEither::Right(r),
        }
    }

    /// Converts the second alternative with `f`.
    pub fn map_right<M>(self, f: impl FnOnce(R) -> M) -> LuaEither<L, M> {
        match self {
            LuaEither::Left(l) => LuaEither::Left(l),
            LuaEither::Right(r) => LuaEither::Right(f(r)),
        }
    }

    /// The value, converting either alternative with its own function.
    pub fn either<T>(self, f: impl FnOnce(L) -> T, g: impl FnOnce(R) -> T) -> T {
        match self {
            LuaEither::Left(l) => f(l),
            LuaEither::Right(r) => g(r),
        }
    }

    /// The alternatives swapped.
    pub fn flip(self) -> LuaEither<R, L> {
        match self {
            LuaEither::Left(l) => LuaEither::Right(l),
            LuaEither::Right(r) => LuaEither::Left(r),
        }
    }

    /// The first alternative, or `other`.
    pub fn left_or(self, other: L) -> L {
        self.left().unwrap_or(other)
    }

    /// The second alternative, or `other`.
    pub fn right_or(self, other: R) -> R {
        self.right().unwrap_or(other)
    }
}

impl<L: std::fmt::Display, R: std::fmt::Display> std::fmt::Display for LuaEither<L, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LuaEither::Left(l) => l.fmt(f),
            LuaEither::Right(r) => r.fmt(f),
        }
    }
}

impl<L: IntoLua, R: IntoLua> IntoLua for LuaEither<L, R> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        match self {
            LuaEither::Left(l) => l.into_lua(lua),
            LuaEither::Right(r) => r.into_lua(lua),
        }
    }
}

impl<L: FromLua, R: FromLua> FromLua for LuaEither<L, R> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        let from = value.lua_type_name();
        match L::from_lua(value.clone(), lua) {
            Ok(l) => Ok(LuaEither::Left(l)),
            Err(_) => R::from_lua(value, lua).map(LuaEither::Right).map_err(|_| LuaError::FromLuaConversionError {
                from,
                to: mlua_type_name::<Self>(),
                message: None,
            }),
        }
    }
}

/// The name of a Rust type as mlua's messages show it: without module
/// paths, and the facade's types under mlua's names (`LuaTable` is
/// `Table`), so that `LuaEither<i32, LuaTable>` reads
/// `Either<i32, Table>`, as in mlua.
pub(crate) fn mlua_type_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    let mut path = String::new();
    let flush = |path: &mut String, out: &mut String| {
        if path.is_empty() {
            return;
        }
        let last = path.rsplit("::").next().unwrap_or(path);
        let ours = path.starts_with("luna::");
        match last.strip_prefix("Lua") {
            Some(rest) if ours && rest.starts_with(|c: char| c.is_ascii_uppercase()) => out.push_str(rest),
            _ => out.push_str(last),
        }
        path.clear();
    };
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            path.push(c);
        } else {
            flush(&mut path, &mut out);
            out.push(c);
        }
    }
    flush(&mut path, &mut out);
    out
}

// ---------------------------------------------------------------------------
// C strings, OS strings and paths.

/// The bytes a value converts to as a string (strings, and numbers as Lua
/// writes them), or the conversion error naming `to`.
fn string_bytes(value: &LuaValue, to: &str) -> LuaResult<Vec<u8>> {
    match value {
        LuaValue::String(s) => Ok(s.as_bytes().to_vec()),
        LuaValue::Integer(_) | LuaValue::Number(_) => Ok(value.to_string_lossy().unwrap_or_default().into_bytes()),
        other => Err(LuaError::FromLuaConversionError {
            from: other.lua_type_name(),
            to: to.to_string(),
            message: Some("expected string or number".to_string()),
        }),
    }
}

impl IntoLua for std::ffi::CString {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        string_value(lua, self.as_bytes())
    }
}

impl IntoLua for &std::ffi::CStr {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        string_value(lua, self.to_bytes())
    }
}

impl IntoLua for Cow<'_, std::ffi::CStr> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        string_value(lua, self.to_bytes())
    }
}

/// A string without zero bytes (numbers convert as their text).
impl FromLua for std::ffi::CString {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        let from = value.lua_type_name();
        let bytes = string_bytes(&value, "CString")?;
        std::ffi::CString::new(bytes).map_err(|e| LuaError::FromLuaConversionError {
            from,
            to: "CString".to_string(),
            message: Some(e.to_string()),
        })
    }
}

impl IntoLua for &std::ffi::OsStr {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            string_value(lua, self.as_bytes())
        }
        #[cfg(not(unix))]
        {
            string_value(lua, self.to_string_lossy().as_bytes())
        }
    }
}

impl IntoLua for std::ffi::OsString {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        self.as_os_str().into_lua(lua)
    }
}

impl IntoLua for &std::path::Path {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        self.as_os_str().into_lua(lua)
    }
}

impl IntoLua for std::path::PathBuf {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        self.as_os_str().into_lua(lua)
    }
}

/// A string's bytes (on Unix any bytes; elsewhere they must be UTF-8).
impl FromLua for std::ffi::OsString {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        let bytes = string_bytes(&value, "OsString")?;
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            Ok(std::ffi::OsString::from_vec(bytes))
        }
        #[cfg(not(unix))]
        {
            String::from_utf8(bytes).map(Into::into).map_err(|e| LuaError::FromLuaConversionError {
                from: "string",
                to: "OsString".to_string(),
                message: Some(e.to_string()),
            })
        }
    }
}

impl FromLua for std::path::PathBuf {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        std::ffi::OsString::from_lua(value, lua).map(Into::into)
    }
}

// ---------------------------------------------------------------------------
// Shared strings.

macro_rules! shared_str {
    ($($ty:ty),*) => {$(
        impl IntoLua for $ty {
            fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
                string_value(lua, self.as_bytes())
            }
        }

        impl FromLua for $ty {
            fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
                String::from_lua(value, lua).map(Into::into)
            }
        }
    )*};
}

shared_str!(std::sync::Arc<str>, std::rc::Rc<str>);

// ---------------------------------------------------------------------------
// Registry keys: a key converts to the value it holds (a key of another
// state is mlua's `MismatchedRegistryKey`, see `registry_key_value`), and
// any value converts to a new key holding it.

impl IntoLua for &crate::LuaRegistryKey {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        lua.registry_value(self)
    }

    const DIRECT: bool = true;

    fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        lua.registry_key_value(st, self)
    }
}

impl IntoLua for crate::LuaRegistryKey {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        (&self).into_lua(lua)
    }

    const DIRECT: bool = true;

    fn lower_direct(self, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        (&self).lower_direct(lua, st, Sealed)
    }
}

impl FromLua for crate::LuaRegistryKey {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        lua.create_registry_value(value)
    }
}

// ---------------------------------------------------------------------------
// Errors as values.

/// An error value gives its error; any other value becomes a runtime
/// error with the value's text (`tostring`).
impl FromLua for LuaError {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::Error(e) => Ok(*e),
            other => Ok(LuaError::runtime(other.to_string()?)),
        }
    }
}

#[cfg(feature = "anyhow")]
impl IntoLua for anyhow::Error {
    fn into_lua(self, _lua: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Error(Box::new(LuaError::from(self))))
    }
}

/// An `anyhow::Error` holding a `LuaError` gives it back; any other is an
/// external error.
#[cfg(feature = "anyhow")]
impl From<anyhow::Error> for LuaError {
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<LuaError>() {
            Ok(e) => e,
            Err(e) => LuaError::external(e),
        }
    }
}

// ---------------------------------------------------------------------------
// Byte strings (feature `bstr`).

#[cfg(feature = "bstr")]
impl IntoLua for bstr::BString {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        string_value(lua, &self)
    }

    const DIRECT: bool = true;

    fn lower_direct(self, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        new_str(st, &self)
    }
}

#[cfg(feature = "bstr")]
impl IntoLua for &bstr::BStr {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        string_value(lua, self)
    }

    const DIRECT: bool = true;

    fn lower_direct(self, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Value> {
        new_str(st, self)
    }
}

/// A string's bytes, or a number's text.
#[cfg(feature = "bstr")]
impl FromLua for bstr::BString {
    fn from_lua(value: LuaValue, _lua: &Lua) -> LuaResult<Self> {
        string_bytes(&value, "BString").map(Into::into)
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, _lua: &Lua, _st: &mut State, _: Sealed) -> LuaResult<Self> {
        with_raw_bytes(value, |b| bstr::BString::from(b)).map_err(|e| match e {
            LuaError::FromLuaConversionError { from, .. } => LuaError::FromLuaConversionError {
                from,
                to: "BString".to_string(),
                message: Some("expected string or number".to_string()),
            },
            other => other,
        })
    }
}
