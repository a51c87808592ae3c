//! `LuaValue`, the facade's Lua value, and the small value types that are
//! not handles (`LuaNil`, `LuaLightUserdata`).

use std::ffi::c_void;

use crate::error::{LuaError, LuaResult};
use crate::lua::Lua;
use crate::{LuaAnyUserdata, LuaFunction, LuaString, LuaTable, LuaThread};

/// A Lua value. Collectable values are handles that keep the value alive
/// while they exist. The variants are named as mlua's `Value`.
#[derive(Clone, Default)]
pub enum LuaValue {
    /// `nil`.
    #[default]
    Nil,
    /// A boolean.
    Boolean(bool),
    /// A light userdata (a bare pointer value).
    LightUserData(LuaLightUserdata),
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
    UserData(LuaAnyUserdata),
    /// An error value carrying a Rust error (as returned by a callback).
    Error(Box<LuaError>),
    /// A value of a type the facade does not know. luna has none (every
    /// Lua 5.4 type has its variant); the variant exists so that matches
    /// written for mlua's `Value` compile unchanged.
    Other(#[doc(hidden)] LuaOtherValue),
}

/// The payload of `LuaValue::Other` (never produced by luna).
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct LuaOtherValue(pub(crate) crate::lua::HandleRef);

/// The integer type of Lua values (`LuaValue::Integer`).
pub type LuaInteger = i64;

/// The float type of Lua values (`LuaValue::Number`).
pub type LuaNumber = f64;

/// The `nil` value, for conversions (`LuaNil` converts to and from nil).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LuaNil;

/// A light userdata: a pointer-sized value Lua stores without owning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LuaLightUserdata(pub *mut std::ffi::c_void);

/// The address of the value a handle holds (null when the state is gone).
pub(crate) fn handle_pointer(h: &crate::lua::Handle) -> *const c_void {
    let Ok(lua) = Lua::of_handle(h) else {
        return std::ptr::null();
    };
    lua.with(|st| lua.value_of(st, h).ok().and_then(|v| v.gc_address()))
        .ok()
        .flatten()
        .map_or(std::ptr::null(), |a| a as *const c_void)
}

/// `tostring` of the value a handle holds (`__tostring` and `__name`
/// honoured; errors of the metamethod returned).
pub(crate) fn handle_tostring(h: &crate::lua::Handle) -> LuaResult<String> {
    let lua = Lua::of_handle(h)?;
    lua.with(|st| -> LuaResult<String> {
        let v = lua.value_of(st, h)?;
        st.protect(|st| {
            st.check_stack(1)?;
            st.push(v);
            st.to_display_string(v).map(|s| s.to_str_lossy().into_owned())
        })
        .map_err(|e| lua.host_error(st, e))
    })?
}

impl LuaValue {
    /// A light userdata holding the null pointer: a placeholder for "no
    /// value" that, unlike `nil`, can be stored in tables (serde's unit and
    /// `None` can map to it).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.globals().set("null", LuaValue::NULL)?;
    /// assert!(lua.globals().get::<LuaValue>("null")?.is_null());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub const NULL: LuaValue = LuaValue::LightUserData(LuaLightUserdata(std::ptr::null_mut()));

    /// The type name of the value, as mlua names it: Lua's `type()` names,
    /// except `"integer"` for integers, `"lightuserdata"` for light
    /// userdata and `"error"` for error values.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// assert_eq!(LuaValue::Integer(1).type_name(), "integer");
    /// assert_eq!(LuaValue::Number(1.5).type_name(), "number");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            LuaValue::Nil => "nil",
            LuaValue::Boolean(_) => "boolean",
            LuaValue::LightUserData(_) => "lightuserdata",
            LuaValue::Integer(_) => "integer",
            LuaValue::Number(_) => "number",
            LuaValue::String(_) => "string",
            LuaValue::Table(_) => "table",
            LuaValue::Function(_) => "function",
            LuaValue::Thread(_) => "thread",
            LuaValue::UserData(_) => "userdata",
            LuaValue::Error(_) => "error",
            LuaValue::Other(_) => "other",
        }
    }

    /// The name Lua's `type()` gives the value (used in conversion
    /// messages, which follow Lua's wording).
    pub(crate) fn lua_type_name(&self) -> &'static str {
        match self {
            LuaValue::LightUserData(_) => "userdata",
            LuaValue::Integer(_) => "number",
            other => other.type_name(),
        }
    }

    /// `self == other` as Lua compares: raw equality (an integer and a
    /// float exactly, by their mathematical values), or `__eq` for two
    /// tables or two userdata (`PartialEq` uses no metamethod, and
    /// compares an integer with a float as mlua does, through a float).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let (a, b): (LuaValue, LuaValue) = lua.load(r#"
    ///     local mt = {__eq = function() return true end}
    ///     return setmetatable({}, mt), setmetatable({}, mt)"#).eval()?;
    /// assert!(a != b && a.equals(&b)?);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn equals(&self, other: &LuaValue) -> LuaResult<bool> {
        match (self, other) {
            (LuaValue::Table(a), LuaValue::Table(b)) => a.equals(b),
            (LuaValue::UserData(a), LuaValue::UserData(b)) => {
                let lua = Lua::of_handle(&a.0)?;
                lua.with(|st| -> LuaResult<bool> {
                    let x = lua.value_of(st, &a.0)?;
                    let y = lua.value_of(st, &b.0)?;
                    st.protect(|st| st.equal_obj(x, y)).map_err(|e| lua.host_error(st, e))
                })?
            }
            (LuaValue::Integer(a), LuaValue::Number(b)) | (LuaValue::Number(b), LuaValue::Integer(a)) => {
                Ok(luna_core::vm::arith::int_eq_float(*a, *b))
            }
            (a, b) => Ok(a == b),
        }
    }

    /// The address of a collectable value (table, function, thread,
    /// userdata, string), the pointer of a light userdata, null for other
    /// values. For hashing and debug output; it cannot be turned back
    /// into the value.
    pub fn to_pointer(&self) -> *const c_void {
        match self {
            LuaValue::LightUserData(p) => p.0,
            LuaValue::String(s) => handle_pointer(&s.0),
            LuaValue::Table(t) => handle_pointer(&t.0),
            LuaValue::Function(f) => handle_pointer(&f.0),
            LuaValue::Thread(t) => handle_pointer(&t.0),
            LuaValue::UserData(u) => handle_pointer(&u.0),
            LuaValue::Other(o) => handle_pointer(&o.0),
            _ => std::ptr::null(),
        }
    }

    /// The value as text, as `tostring` shows it (`__tostring` and
    /// `__name` honoured), except: a string must be UTF-8, the null light
    /// userdata is `null`, an error value shows its message.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let t: LuaValue = lua.load("setmetatable({}, {__tostring = function() return 'T' end})").eval()?;
    /// assert_eq!(t.to_string()?, "T");
    /// assert_eq!(LuaValue::Number(0.5).to_string()?, "0.5");
    /// # Ok::<(), LuaError>(())
    /// ```
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> LuaResult<String> {
        match self {
            LuaValue::Nil => Ok("nil".to_string()),
            LuaValue::Boolean(b) => Ok(b.to_string()),
            LuaValue::LightUserData(p) if p.0.is_null() => Ok("null".to_string()),
            LuaValue::LightUserData(p) => Ok(format!("lightuserdata: {:p}", p.0)),
            LuaValue::Integer(_) | LuaValue::Number(_) => Ok(self.to_string_lossy().unwrap_or_default()),
            LuaValue::String(s) => Ok(s.to_str()?.to_string()),
            LuaValue::Table(t) => handle_tostring(&t.0),
            LuaValue::Function(f) => handle_tostring(&f.0),
            LuaValue::Thread(t) => handle_tostring(&t.0),
            LuaValue::UserData(u) => handle_tostring(&u.0),
            LuaValue::Other(o) => handle_tostring(&o.0),
            LuaValue::Error(e) => Ok(e.to_string()),
        }
    }

    /// Whether the value is `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, LuaValue::Nil)
    }

    /// Whether the value is `LuaValue::NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, LuaValue::LightUserData(p) if p.0.is_null())
    }

    /// Lua truthiness: everything but `nil` and `false` is true.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, LuaValue::Nil | LuaValue::Boolean(false))
    }

    /// Whether the value is a boolean.
    pub fn is_boolean(&self) -> bool {
        matches!(self, LuaValue::Boolean(_))
    }

    /// The boolean, if the value is one.
    pub fn as_boolean(&self) -> Option<bool> {
        match self {
            LuaValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether the value is a light userdata.
    pub fn is_light_userdata(&self) -> bool {
        matches!(self, LuaValue::LightUserData(_))
    }

    /// The light userdata, if the value is one.
    pub fn as_light_userdata(&self) -> Option<LuaLightUserdata> {
        match self {
            LuaValue::LightUserData(p) => Some(*p),
            _ => None,
        }
    }

    /// Whether the value is an integer (not a float).
    pub fn is_integer(&self) -> bool {
        matches!(self, LuaValue::Integer(_))
    }

    /// The integer, if the value is one (no conversion).
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            LuaValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The integer as an `i32`, if the value is an integer in range.
    pub fn as_i32(&self) -> Option<i32> {
        self.as_integer().and_then(|i| i32::try_from(i).ok())
    }

    /// The integer as a `u32`, if the value is an integer in range.
    pub fn as_u32(&self) -> Option<u32> {
        self.as_integer().and_then(|i| u32::try_from(i).ok())
    }

    /// The integer, if the value is one.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_integer()
    }

    /// The integer as a `u64`, if the value is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_integer().and_then(|i| u64::try_from(i).ok())
    }

    /// The integer as an `isize`, if the value is an integer in range.
    pub fn as_isize(&self) -> Option<isize> {
        self.as_integer().and_then(|i| isize::try_from(i).ok())
    }

    /// The integer as a `usize`, if the value is an integer in range.
    pub fn as_usize(&self) -> Option<usize> {
        self.as_integer().and_then(|i| usize::try_from(i).ok())
    }

    /// Whether the value is a float (`LuaValue::Number`).
    pub fn is_number(&self) -> bool {
        matches!(self, LuaValue::Number(_))
    }

    /// The float, if the value is a float (`LuaValue::Number`; integers
    /// give `None`, as mlua's).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            LuaValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The float as an `f32`, if the value is a float.
    pub fn as_f32(&self) -> Option<f32> {
        self.as_number().map(|n| n as f32)
    }

    /// The float, if the value is one.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number()
    }

    /// Whether the value is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, LuaValue::String(_))
    }

    /// The string, if the value is one.
    pub fn as_string(&self) -> Option<&LuaString> {
        match self {
            LuaValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The string as UTF-8 text, if the value is a string and valid UTF-8.
    pub fn as_str(&self) -> Option<crate::LuaBorrowedStr> {
        self.as_string().and_then(|s| s.to_str().ok())
    }

    /// Whether the value is a table.
    pub fn is_table(&self) -> bool {
        matches!(self, LuaValue::Table(_))
    }

    /// The table, if the value is one.
    pub fn as_table(&self) -> Option<&LuaTable> {
        match self {
            LuaValue::Table(t) => Some(t),
            _ => None,
        }
    }

    /// Whether the value is a function.
    pub fn is_function(&self) -> bool {
        matches!(self, LuaValue::Function(_))
    }

    /// The function, if the value is one.
    pub fn as_function(&self) -> Option<&LuaFunction> {
        match self {
            LuaValue::Function(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the value is a coroutine.
    pub fn is_thread(&self) -> bool {
        matches!(self, LuaValue::Thread(_))
    }

    /// The coroutine, if the value is one.
    pub fn as_thread(&self) -> Option<&LuaThread> {
        match self {
            LuaValue::Thread(t) => Some(t),
            _ => None,
        }
    }

    /// Whether the value is a full userdata.
    pub fn is_userdata(&self) -> bool {
        matches!(self, LuaValue::UserData(_))
    }

    /// The userdata, if the value is one.
    pub fn as_userdata(&self) -> Option<&LuaAnyUserdata> {
        match self {
            LuaValue::UserData(u) => Some(u),
            _ => None,
        }
    }

    /// Whether the value is an error value.
    pub fn is_error(&self) -> bool {
        matches!(self, LuaValue::Error(_))
    }

    /// The error, if the value is an error value.
    pub fn as_error(&self) -> Option<&LuaError> {
        match self {
            LuaValue::Error(e) => Some(e),
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

    /// The pretty form (`{:#?}`): tables written out as Lua constructors,
    /// keys sorted, nested tables indented, cycles shown by address.
    fn fmt_pretty(
        &self,
        f: &mut std::fmt::Formatter<'_>,
        indent: usize,
        seen: &mut Vec<*const c_void>,
    ) -> std::fmt::Result {
        match self {
            LuaValue::Nil => f.write_str("nil"),
            LuaValue::Boolean(b) => write!(f, "{b}"),
            LuaValue::LightUserData(p) if p.0.is_null() => f.write_str("null"),
            LuaValue::LightUserData(p) => write!(f, "lightuserdata: {:?}", p.0),
            LuaValue::Integer(_) | LuaValue::Number(_) => f.write_str(&self.to_string_lossy().unwrap_or_default()),
            LuaValue::String(s) => write!(f, "{s:?}"),
            LuaValue::Table(t) => {
                let p = t.to_pointer();
                if seen.contains(&p) {
                    return write!(f, "table: {p:?}");
                }
                seen.push(p);
                let r = crate::table::fmt_table_pretty(t, f, indent, seen);
                seen.pop();
                r
            }
            LuaValue::Function(_) => write!(f, "function: {:?}", self.to_pointer()),
            LuaValue::Thread(_) => write!(f, "thread: {:?}", self.to_pointer()),
            LuaValue::UserData(u) => write!(f, "{u:#?}"),
            LuaValue::Error(e) => write!(f, "{e:?}"),
            LuaValue::Other(_) => write!(f, "other: {:?}", self.to_pointer()),
        }
    }

    /// The order of keys in the pretty form: nil, booleans, numbers,
    /// strings, then the others by address.
    pub(crate) fn sort_cmp(&self, other: &LuaValue) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        fn rank(v: &LuaValue) -> u8 {
            match v {
                LuaValue::Nil => 0,
                LuaValue::LightUserData(p) if p.0.is_null() => 1,
                LuaValue::Boolean(_) => 2,
                LuaValue::Integer(_) | LuaValue::Number(_) => 3,
                LuaValue::String(_) => 4,
                _ => 5,
            }
        }
        match (self, other) {
            (LuaValue::Boolean(a), LuaValue::Boolean(b)) => a.cmp(b),
            (LuaValue::Integer(a), LuaValue::Integer(b)) => a.cmp(b),
            (a @ (LuaValue::Integer(_) | LuaValue::Number(_)), b @ (LuaValue::Integer(_) | LuaValue::Number(_))) => {
                let x = a.as_number().or(a.as_integer().map(|i| i as f64)).unwrap_or(0.0);
                let y = b.as_number().or(b.as_integer().map(|i| i as f64)).unwrap_or(0.0);
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
            (LuaValue::String(a), LuaValue::String(b)) => a.cmp(b),
            (a, b) if rank(a) != rank(b) => rank(a).cmp(&rank(b)),
            (a, b) => a.to_pointer().cmp(&b.to_pointer()),
        }
    }
}

/// As mlua's: `{:?}` names the variant (`Integer(1)`, `String("a")`,
/// handles as their own `Debug`); `{:#?}` writes the value out, tables in
/// full.
impl std::fmt::Debug for LuaValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            return self.fmt_pretty(f, 0, &mut Vec::new());
        }
        match self {
            LuaValue::Nil => f.write_str("Nil"),
            LuaValue::Boolean(b) => write!(f, "Boolean({b})"),
            LuaValue::LightUserData(p) => write!(f, "{p:?}"),
            LuaValue::Integer(i) => write!(f, "Integer({i})"),
            LuaValue::Number(n) => write!(f, "Number({n})"),
            LuaValue::String(s) => write!(f, "String({s:?})"),
            LuaValue::Table(t) => write!(f, "{t:?}"),
            LuaValue::Function(x) => write!(f, "{x:?}"),
            LuaValue::Thread(t) => write!(f, "{t:?}"),
            LuaValue::UserData(u) => write!(f, "{u:?}"),
            LuaValue::Error(e) => write!(f, "Error({e:?})"),
            LuaValue::Other(o) => write!(f, "Other({o:?})"),
        }
    }
}

/// Equality without metamethods: tables and other objects compared by
/// identity, strings by contents. An integer and a float compare as mlua
/// compares them, the integer converted to a float first, so
/// `Integer(i64::MAX) == Number(2^63)`, where Lua's `rawequal` (and
/// [`LuaValue::equals`]) compares them exactly and says they differ.
impl PartialEq for LuaValue {
    fn eq(&self, other: &LuaValue) -> bool {
        match (self, other) {
            (LuaValue::Nil, LuaValue::Nil) => true,
            (LuaValue::Boolean(a), LuaValue::Boolean(b)) => a == b,
            (LuaValue::LightUserData(a), LuaValue::LightUserData(b)) => a == b,
            (LuaValue::Integer(a), LuaValue::Integer(b)) => a == b,
            (LuaValue::Number(a), LuaValue::Number(b)) => a == b,
            (LuaValue::Integer(a), LuaValue::Number(b)) | (LuaValue::Number(b), LuaValue::Integer(a)) => {
                *a as f64 == *b
            }
            (LuaValue::String(a), LuaValue::String(b)) => a == b,
            (LuaValue::Table(a), LuaValue::Table(b)) => a == b,
            (LuaValue::Function(a), LuaValue::Function(b)) => a == b,
            (LuaValue::Thread(a), LuaValue::Thread(b)) => a == b,
            (LuaValue::UserData(a), LuaValue::UserData(b)) => a == b,
            (LuaValue::Other(a), LuaValue::Other(b)) => crate::lua::same_value(&a.0, &b.0),
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
