//! `LuaString`: a handle to a Lua string (immutable bytes).

use luna_core::Value;

use crate::error::{LuaError, LuaResult};
use crate::lua::{HandleRef, Lua};

/// A Lua string: bytes, not necessarily UTF-8.
#[derive(Clone)]
pub struct LuaString(pub(crate) HandleRef);

impl LuaString {
    /// A copy of the bytes.
    pub fn as_bytes(&self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec()).unwrap_or_default()
    }

    /// Runs `f` with the bytes, without copying them.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> LuaResult<R> {
        let lua = Lua::of_handle(&self.0)?;
        let s = lua.with(|st| lua.value_of(st, &self.0))??;
        match s {
            Value::Str(s) => Ok(f(s.as_bytes())),
            _ => Err(LuaError::runtime("not a string")),
        }
    }

    /// The string as UTF-8 text; an error if it is not valid UTF-8.
    pub fn to_str(&self) -> LuaResult<String> {
        let b = self.as_bytes();
        String::from_utf8(b).map_err(|e| LuaError::FromLuaConversionError {
            from: "string",
            to: "String".to_string(),
            message: Some(format!("invalid UTF-8: {e}")),
        })
    }

    /// The string as UTF-8 text, invalid sequences replaced.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.as_bytes()).into_owned()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.with_bytes(|b| b.len()).unwrap_or(0)
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for LuaString {
    fn eq(&self, other: &LuaString) -> bool {
        match (self.with_bytes(|a| a.to_vec()), other.with_bytes(|b| b.to_vec())) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq<str> for LuaString {
    fn eq(&self, other: &str) -> bool {
        self.with_bytes(|b| b == other.as_bytes()).unwrap_or(false)
    }
}

impl PartialEq<&str> for LuaString {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl std::fmt::Debug for LuaString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

impl std::fmt::Display for LuaString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}
