//! `LuaString`: a handle to a Lua string (immutable bytes).

use luna_core::Value;

use crate::error::{LuaError, LuaResult};
use crate::lua::{HandleRef, Lua};

/// A Lua string: bytes, not necessarily UTF-8.
#[derive(Clone)]
pub struct LuaString(pub(crate) HandleRef);

impl LuaString {
    /// A copy of the bytes.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let s = lua.create_string(b"a\0b")?;
    /// assert_eq!(s.as_bytes()?, b"a\0b");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn as_bytes(&self) -> LuaResult<Vec<u8>> {
        self.with_bytes(|b| b.to_vec())
    }

    /// Runs `f` with the bytes, without copying them.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> LuaResult<R> {
        let lua = Lua::of_handle(&self.0)?;
        lua.with(|st| match lua.value_of(st, &self.0)? {
            Value::Str(s) => Ok(f(s.as_bytes())),
            _ => Err(LuaError::runtime("not a string")),
        })?
    }

    /// The string as UTF-8 text; an error if it is not valid UTF-8.
    pub fn to_str(&self) -> LuaResult<String> {
        self.with_bytes(|b| match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(LuaError::FromLuaConversionError {
                from: "string",
                to: "String".to_string(),
                message: Some(format!("invalid UTF-8: {e}")),
            }),
        })?
    }

    /// The string as UTF-8 text, invalid sequences replaced (empty when
    /// the state is gone).
    pub fn to_string_lossy(&self) -> String {
        self.with_bytes(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }

    /// Length in bytes.
    pub fn len(&self) -> LuaResult<usize> {
        self.with_bytes(|b| b.len())
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> LuaResult<bool> {
        self.with_bytes(|b| b.is_empty())
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
