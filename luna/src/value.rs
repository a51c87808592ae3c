//! `LuaValue`, the facade's Lua value, and the small value types that are
//! not handles (`LuaNil`, `LuaLightUserdata`).

use crate::error::LuaError;
use crate::{LuaAnyUserdata, LuaFunction, LuaString, LuaTable, LuaThread};

/// A Lua value. Collectable values are handles that keep the value alive
/// while they exist.
#[derive(Clone, Debug, Default)]
pub enum LuaValue {
    /// `nil`.
    #[default]
    Nil,
    /// A boolean.
    Boolean(bool),
    /// A light userdata (a bare pointer value).
    LightUserdata(LuaLightUserdata),
    /// An integer.
    Integer(i64),
    /// A float.
    Number(f64),
    /// A string.
    String(LuaString),
    /// A table.
    Table(LuaTable),
    /// A function (Lua or Rust).
    Function(LuaFunction),
    /// A coroutine.
    Thread(LuaThread),
    /// A full userdata.
    Userdata(LuaAnyUserdata),
    /// An error value carrying a Rust error (as returned by a callback).
    Error(Box<LuaError>),
}

/// The `nil` value, for conversions (`LuaNil` converts to and from nil).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LuaNil;

/// A light userdata: a pointer-sized value Lua stores without owning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LuaLightUserdata(pub *mut std::ffi::c_void);

impl LuaValue {
    /// The Lua type name (`type()` of the value).
    pub fn type_name(&self) -> &'static str {
        match self {
            LuaValue::Nil => "nil",
            LuaValue::Boolean(_) => "boolean",
            LuaValue::LightUserdata(_) => "userdata",
            LuaValue::Integer(_) | LuaValue::Number(_) => "number",
            LuaValue::String(_) => "string",
            LuaValue::Table(_) => "table",
            LuaValue::Function(_) => "function",
            LuaValue::Thread(_) => "thread",
            LuaValue::Userdata(_) => "userdata",
            LuaValue::Error(_) => "error",
        }
    }

    /// Whether the value is `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, LuaValue::Nil)
    }

    /// Lua truthiness: everything but `nil` and `false` is true.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, LuaValue::Nil | LuaValue::Boolean(false))
    }

    /// The integer, if the value is one (no conversion).
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            LuaValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as a float, if the value is a number.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            LuaValue::Integer(i) => Some(*i as f64),
            LuaValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if the value is one.
    pub fn as_boolean(&self) -> Option<bool> {
        match self {
            LuaValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The string, if the value is one.
    pub fn as_string(&self) -> Option<&LuaString> {
        match self {
            LuaValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The table, if the value is one.
    pub fn as_table(&self) -> Option<&LuaTable> {
        match self {
            LuaValue::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The function, if the value is one.
    pub fn as_function(&self) -> Option<&LuaFunction> {
        match self {
            LuaValue::Function(f) => Some(f),
            _ => None,
        }
    }

    /// The string contents as UTF-8 text (lossy), for strings and numbers.
    pub fn to_string_lossy(&self) -> Option<String> {
        match self {
            LuaValue::String(s) => Some(s.to_string_lossy()),
            LuaValue::Integer(i) => Some(i.to_string()),
            LuaValue::Number(n) => {
                let mut buf = Vec::new();
                luna_core::fmt::fmt_float(*n, &mut buf);
                Some(String::from_utf8_lossy(&buf).into_owned())
            }
            _ => None,
        }
    }
}

/// Raw equality, as `rawequal` (tables compared by identity, strings by
/// contents, integers and floats by value).
impl PartialEq for LuaValue {
    fn eq(&self, other: &LuaValue) -> bool {
        match (self, other) {
            (LuaValue::Nil, LuaValue::Nil) => true,
            (LuaValue::Boolean(a), LuaValue::Boolean(b)) => a == b,
            (LuaValue::LightUserdata(a), LuaValue::LightUserdata(b)) => a == b,
            (LuaValue::Integer(a), LuaValue::Integer(b)) => a == b,
            (LuaValue::Number(a), LuaValue::Number(b)) => a == b,
            (LuaValue::Integer(a), LuaValue::Number(b)) | (LuaValue::Number(b), LuaValue::Integer(a)) => {
                luna_core::vm::arith::int_eq_float(*a, *b)
            }
            (LuaValue::String(a), LuaValue::String(b)) => a == b,
            (LuaValue::Table(a), LuaValue::Table(b)) => a == b,
            (LuaValue::Function(a), LuaValue::Function(b)) => a == b,
            (LuaValue::Thread(a), LuaValue::Thread(b)) => a == b,
            (LuaValue::Userdata(a), LuaValue::Userdata(b)) => a == b,
            _ => false,
        }
    }
}

impl From<bool> for LuaValue {
    fn from(b: bool) -> Self {
        LuaValue::Boolean(b)
    }
}

impl From<i64> for LuaValue {
    fn from(i: i64) -> Self {
        LuaValue::Integer(i)
    }
}

impl From<f64> for LuaValue {
    fn from(n: f64) -> Self {
        LuaValue::Number(n)
    }
}
