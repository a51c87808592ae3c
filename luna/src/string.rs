//! `LuaString`: a handle to a Lua string (immutable bytes).

use luna_core::Value;

use crate::error::{LuaError, LuaResult};
use crate::lua::{HandleRef, Lua};
use crate::multi::{FromLua, Sealed};

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

/// The bytes of a Lua string, borrowed without copying: a callback
/// argument that reads a string in place (`#[luna::methods]` uses it for
/// `&[u8]` parameters). Numbers convert as Lua converts them to strings.
/// The string stays pinned, and its state alive, while this lives.
pub struct LuaBorrowedBytes {
    // Strings are immutable and never move: the pointer stays valid while
    // the handle pins the string and `_lua` keeps the state.
    s: luna_core::gc::Gc<luna_core::object::string::LuaStr>,
    _handle: LuaString,
    _lua: Lua,
}

impl std::ops::Deref for LuaBorrowedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.s.as_bytes()
    }
}

/// The text of a Lua string, borrowed without copying (see
/// `LuaBorrowedBytes`); converting a string that is not UTF-8 fails.
pub struct LuaBorrowedStr(LuaBorrowedBytes);

impl std::ops::Deref for LuaBorrowedStr {
    type Target = str;
    fn deref(&self) -> &str {
        // Checked when converted; strings are immutable.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl FromLua for LuaBorrowedBytes {
    fn from_lua(value: crate::LuaValue, lua: &Lua) -> LuaResult<Self> {
        let s = LuaString::from_lua(value, lua)?;
        lua.with(|st| match lua.value_of(st, &s.0)? {
            Value::Str(g) => Ok(LuaBorrowedBytes { s: g, _handle: s.clone(), _lua: lua.clone() }),
            _ => Err(LuaError::runtime("not a string")),
        })?
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut luna_core::State, _: Sealed) -> LuaResult<Self> {
        let handle = LuaString::from_direct(value, lua, st, Sealed)?;
        match lua.value_of(st, &handle.0)? {
            Value::Str(g) => Ok(LuaBorrowedBytes { s: g, _handle: handle, _lua: lua.clone() }),
            _ => Err(LuaError::runtime("not a string")),
        }
    }
}

impl LuaBorrowedStr {
    fn check(bytes: LuaBorrowedBytes) -> LuaResult<Self> {
        match std::str::from_utf8(&bytes) {
            Ok(_) => Ok(LuaBorrowedStr(bytes)),
            Err(e) => Err(LuaError::FromLuaConversionError {
                from: "string",
                to: "&str".to_string(),
                message: Some(format!("invalid UTF-8: {e}")),
            }),
        }
    }
}

impl FromLua for LuaBorrowedStr {
    fn from_lua(value: crate::LuaValue, lua: &Lua) -> LuaResult<Self> {
        LuaBorrowedStr::check(LuaBorrowedBytes::from_lua(value, lua)?)
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut luna_core::State, _: Sealed) -> LuaResult<Self> {
        LuaBorrowedStr::check(LuaBorrowedBytes::from_direct(value, lua, st, Sealed)?)
    }
}
