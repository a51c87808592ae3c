//! `LuaString`: a handle to a Lua string (immutable bytes).

use luna_core::Value;

use crate::error::{LuaError, LuaResult};
use crate::lua::{HandleRef, Lua};
use crate::multi::{FromLua, IntoLua, Sealed};

/// A Lua string: bytes, not necessarily UTF-8.
///
/// It compares (`==`, `<`) with anything that is bytes (`&str`, `String`,
/// `&[u8]`, `Vec<u8>`, byte arrays), by contents; it hashes and orders by
/// contents too, so it can be a map key.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let s = lua.create_string("hello")?;
/// assert_eq!(s, "hello");
/// assert_eq!(s, b"hello");
/// assert!(s < "world");
/// assert_eq!(&s.as_bytes()[..], b"hello");
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone)]
pub struct LuaString(pub(crate) HandleRef);

impl LuaString {
    /// The bytes, borrowed without copying (the view keeps the string and
    /// its state alive). A string whose state is gone reads as empty.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let s = lua.create_string(b"a\0b")?;
    /// assert_eq!(s.as_bytes(), b"a\0b");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn as_bytes(&self) -> LuaBorrowedBytes {
        LuaBorrowedBytes::of(self).unwrap_or_else(|_| LuaBorrowedBytes::owned(Vec::new(), self.clone()))
    }

    /// The bytes followed by a zero byte (as C sees Lua strings).
    pub fn as_bytes_with_nul(&self) -> LuaBorrowedBytes {
        let mut v = self.as_bytes().to_vec();
        v.push(0);
        LuaBorrowedBytes::owned(v, self.clone())
    }

    /// Runs `f` with the bytes, without copying them.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> LuaResult<R> {
        let lua = Lua::of_handle(&self.0)?;
        lua.with(|st| match lua.value_of(st, &self.0)? {
            Value::Str(s) => Ok(f(s.as_bytes())),
            _ => Err(LuaError::runtime("not a string")),
        })?
    }

    /// The string as UTF-8 text, borrowed; an error if it is not valid
    /// UTF-8.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.create_string("hi")?.to_str()?, "hi");
    /// assert!(lua.create_string(b"\xff")?.to_str().is_err());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn to_str(&self) -> LuaResult<LuaBorrowedStr> {
        LuaBorrowedStr::check(LuaBorrowedBytes::of(self)?)
    }

    /// The string as UTF-8 text, invalid sequences replaced (empty when
    /// the state is gone).
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.as_bytes()).into_owned()
    }

    /// A `Display` of the string that replaces invalid UTF-8.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let s = lua.create_string(b"a\xffb")?;
    /// assert_eq!(format!("{}", s.display()), "a\u{fffd}b");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn display(&self) -> impl std::fmt::Display + '_ {
        LossyDisplay(self)
    }

    /// The address of the string, for hashing and debug output (strings
    /// with the same short contents share one address).
    pub fn to_pointer(&self) -> *const std::ffi::c_void {
        crate::value::handle_pointer(&self.0)
    }

    /// Bytes that become a Lua string when converted (`IntoLua`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.globals().set("s", LuaString::wrap("text"))?;
    /// assert_eq!(lua.globals().get::<String>("s")?, "text");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn wrap(data: impl AsRef<[u8]>) -> impl IntoLua {
        WrappedString(data)
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

/// Bytes waiting to become a Lua string (`LuaString::wrap`).
struct WrappedString<T>(T);

impl<T: AsRef<[u8]>> IntoLua for WrappedString<T> {
    fn into_lua(self, lua: &Lua) -> LuaResult<crate::LuaValue> {
        lua.create_string(self.0.as_ref()).map(crate::LuaValue::String)
    }
}

struct LossyDisplay<'a>(&'a LuaString);

impl std::fmt::Display for LossyDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = self.0.as_bytes();
        for chunk in bytes.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}

impl<T: AsRef<[u8]> + ?Sized> PartialEq<T> for LuaString {
    fn eq(&self, other: &T) -> bool {
        *self.as_bytes() == *other.as_ref()
    }
}

impl PartialEq for LuaString {
    fn eq(&self, other: &LuaString) -> bool {
        *self.as_bytes() == *other.as_bytes()
    }
}

impl Eq for LuaString {}

impl<T: AsRef<[u8]> + ?Sized> PartialOrd<T> for LuaString {
    fn partial_cmp(&self, other: &T) -> Option<std::cmp::Ordering> {
        (*self.as_bytes()).partial_cmp(other.as_ref())
    }
}

impl PartialOrd for LuaString {
    fn partial_cmp(&self, other: &LuaString) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LuaString {
    fn cmp(&self, other: &LuaString) -> std::cmp::Ordering {
        (*self.as_bytes()).cmp(&*other.as_bytes())
    }
}

impl std::hash::Hash for LuaString {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (*self.as_bytes()).hash(state)
    }
}

/// As mlua's: UTF-8 text as a Rust string literal (`"hello"`), other
/// bytes as a byte string literal (`b"\xff"`).
impl std::fmt::Debug for LuaString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bytes = self.as_bytes();
        if let Ok(s) = std::str::from_utf8(&bytes) {
            return std::fmt::Debug::fmt(s, f);
        }
        f.write_str("b\"")?;
        for chunk in bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '\0' => f.write_str("\\0")?,
                    '"' => f.write_str("\\\"")?,
                    '\'' => f.write_str("'")?,
                    // Printable text stays as is; control characters are
                    // escaped as Rust escapes them.
                    c => write!(f, "{}", c.escape_debug())?,
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("\"")
    }
}

impl std::fmt::Display for LuaString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.display(), f)
    }
}

/// The bytes of a Lua string, borrowed without copying: a callback
/// argument that reads a string in place (`#[luna::methods]` uses it for
/// `&[u8]` parameters). Numbers convert as Lua converts them to strings.
/// The string stays pinned, and its state alive, while this lives.
pub struct LuaBorrowedBytes {
    bytes: Bytes,
    handle: LuaString,
}

/// Where the bytes of a `LuaBorrowedBytes` are.
enum Bytes {
    // Strings are immutable and never move: the pointer stays valid while
    // the handle pins the string and the `Lua` keeps the state.
    Lua {
        s: luna_core::gc::Gc<luna_core::object::string::LuaStr>,
        _lua: Lua,
    },
    /// A copy (`as_bytes_with_nul`, or nothing when the state is gone).
    Owned(Box<[u8]>),
}

impl LuaBorrowedBytes {
    /// The bytes of `s` in place.
    fn of(s: &LuaString) -> LuaResult<LuaBorrowedBytes> {
        let lua = Lua::of_handle(&s.0)?;
        let g = lua.with(|st| match lua.value_of(st, &s.0)? {
            Value::Str(g) => Ok(g),
            _ => Err(LuaError::runtime("not a string")),
        })??;
        Ok(LuaBorrowedBytes { bytes: Bytes::Lua { s: g, _lua: lua }, handle: s.clone() })
    }

    fn owned(v: Vec<u8>, handle: LuaString) -> LuaBorrowedBytes {
        LuaBorrowedBytes { bytes: Bytes::Owned(v.into_boxed_slice()), handle }
    }

    /// The string these bytes are of.
    pub(crate) fn handle(&self) -> &LuaString {
        &self.handle
    }
}

impl std::ops::Deref for LuaBorrowedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Lua { s, .. } => s.as_bytes(),
            Bytes::Owned(b) => b,
        }
    }
}

impl AsRef<[u8]> for LuaBorrowedBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::borrow::Borrow<[u8]> for LuaBorrowedBytes {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for LuaBorrowedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::hash::Hash for LuaBorrowedBytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl<T: AsRef<[u8]> + ?Sized> PartialEq<T> for LuaBorrowedBytes {
    fn eq(&self, other: &T) -> bool {
        **self == *other.as_ref()
    }
}

impl Eq for LuaBorrowedBytes {}

impl<T: AsRef<[u8]> + ?Sized> PartialOrd<T> for LuaBorrowedBytes {
    fn partial_cmp(&self, other: &T) -> Option<std::cmp::Ordering> {
        (**self).partial_cmp(other.as_ref())
    }
}

impl Ord for LuaBorrowedBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl<'a> IntoIterator for &'a LuaBorrowedBytes {
    type Item = &'a u8;
    type IntoIter = std::slice::Iter<'a, u8>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The text of a Lua string, borrowed without copying (see
/// `LuaBorrowedBytes`); converting a string that is not UTF-8 fails.
pub struct LuaBorrowedStr(LuaBorrowedBytes);

impl std::ops::Deref for LuaBorrowedStr {
    type Target = str;
    fn deref(&self) -> &str {
        // Checked when made (`check`); strings are immutable.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl LuaBorrowedStr {
    /// The string these bytes are of.
    pub(crate) fn handle(&self) -> &LuaString {
        &self.0.handle
    }
}

impl AsRef<str> for LuaBorrowedStr {
    fn as_ref(&self) -> &str {
        self
    }
}

impl AsRef<[u8]> for LuaBorrowedStr {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::borrow::Borrow<str> for LuaBorrowedStr {
    fn borrow(&self) -> &str {
        self
    }
}

impl std::fmt::Debug for LuaBorrowedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for LuaBorrowedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&**self, f)
    }
}

impl std::hash::Hash for LuaBorrowedStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl<T: AsRef<str> + ?Sized> PartialEq<T> for LuaBorrowedStr {
    fn eq(&self, other: &T) -> bool {
        **self == *other.as_ref()
    }
}

impl Eq for LuaBorrowedStr {}

impl<T: AsRef<str> + ?Sized> PartialOrd<T> for LuaBorrowedStr {
    fn partial_cmp(&self, other: &T) -> Option<std::cmp::Ordering> {
        (**self).partial_cmp(other.as_ref())
    }
}

impl Ord for LuaBorrowedStr {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl FromLua for LuaBorrowedBytes {
    fn from_lua(value: crate::LuaValue, lua: &Lua) -> LuaResult<Self> {
        LuaBorrowedBytes::of(&LuaString::from_lua(value, lua)?)
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut luna_core::State, _: Sealed) -> LuaResult<Self> {
        let handle = LuaString::from_direct(value, lua, st, Sealed)?;
        match lua.value_of(st, &handle.0)? {
            Value::Str(g) => Ok(LuaBorrowedBytes { bytes: Bytes::Lua { s: g, _lua: lua.clone() }, handle }),
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

/// Borrowed views convert back to the string they view.
macro_rules! view_into_lua {
    ($($ty:ty),*) => {$(
        impl IntoLua for $ty {
            fn into_lua(self, _lua: &Lua) -> LuaResult<crate::LuaValue> {
                Ok(crate::LuaValue::String(self.handle().clone()))
            }

            const DIRECT: bool = true;

            fn lower_direct(self, lua: &Lua, _st: &mut luna_core::State, _: Sealed) -> LuaResult<Value> {
                lua.value_of(_st, &self.handle().0)
            }
        }
    )*};
}

view_into_lua!(LuaBorrowedBytes, &LuaBorrowedBytes, LuaBorrowedStr, &LuaBorrowedStr);
