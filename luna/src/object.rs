//! `LuaObjectLike`: what tables and userdata share as Lua objects (mlua's
//! `ObjectLike`): indexing and calls through metamethods, method calls,
//! and `get_path` lookups through nested values.

use luna_core::vm::debug::ValLoc;

use crate::error::{LuaError, LuaResult};
use crate::function::LuaFunction;
use crate::lua::{Handle, Lua};
use crate::multi::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Prepared};
use crate::table::LuaTable;
use crate::userdata::LuaAnyUserdata;
use crate::value::LuaValue;

mod sealed {
    /// Only the facade's object types implement `LuaObjectLike`.
    pub trait Sealed {}
    impl Sealed for crate::LuaTable {}
    impl Sealed for crate::LuaAnyUserdata {}
}

/// A Lua object: a table or a userdata, used through its metamethods.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let t: LuaTable = lua.load(r#"
///     local t = {n = 2, inner = {list = {"a", "b"}}}
///     function t:twice(x) return x * self.n end
///     return t"#).eval()?;
/// assert_eq!(t.call_method::<i64>("twice", 21)?, 42);
/// assert_eq!(t.get_path::<String>("inner.list[2]")?, "b");
/// # Ok::<(), LuaError>(())
/// ```
pub trait LuaObjectLike: sealed::Sealed {
    /// `obj[key]`, with `__index`.
    fn get<V: FromLua>(&self, key: impl IntoLua) -> LuaResult<V>;

    /// `obj[key] = value`, with `__newindex`.
    fn set(&self, key: impl IntoLua, value: impl IntoLua) -> LuaResult<()>;

    /// Calls the object (its `__call` metamethod, which receives the
    /// object first).
    fn call<R: FromLuaMulti>(&self, args: impl IntoLuaMulti) -> LuaResult<R>;

    /// `obj:name(args...)`: calls the function at `obj[name]` with the
    /// object as its first argument.
    fn call_method<R: FromLuaMulti>(&self, name: &str, args: impl IntoLuaMulti) -> LuaResult<R>;

    /// `obj.name(args...)`: calls the function at `obj[name]`.
    fn call_function<R: FromLuaMulti>(&self, name: &str, args: impl IntoLuaMulti) -> LuaResult<R>;

    /// Looks up a value through nested objects, as Lua would write the
    /// access: `a.b[1]["c d"]` (integer keys and quoted string keys in
    /// brackets, `\"`, `\'` and `\\` escapes in quotes). A `?` after a
    /// key stops the lookup with `nil` when that value is `nil` (or
    /// `LuaValue::NULL`): `a?.b`. An empty path gives the object itself.
    fn get_path<V: FromLua>(&self, path: &str) -> LuaResult<V> {
        let mut current = self.to_value();
        for (key, safe) in parse_path(path)? {
            current = match &current {
                LuaValue::Table(t) => t.get::<LuaValue>(key.clone())?,
                LuaValue::UserData(u) => index_handle::<LuaValue>(&u.0, key.clone())?,
                other => {
                    return Err(LuaError::runtime(format!(
                        "attempt to index a {} value with key '{key}'",
                        other.type_name()
                    )))
                }
            };
            if safe && (current.is_nil() || current.is_null()) {
                break;
            }
        }
        let lua = self.owner()?;
        V::from_lua(current, &lua)
    }

    /// The object as text, as `tostring` shows it (`__tostring`).
    fn to_string(&self) -> LuaResult<String>;

    /// The object as a `LuaValue`.
    fn to_value(&self) -> LuaValue;

    /// The state of the object.
    #[doc(hidden)]
    fn owner(&self) -> LuaResult<Lua>;
}

/// `v[key]` for the value of a handle, with metamethods (the key is
/// pushed, rooting it while they run).
pub(crate) fn index_handle<V: FromLua>(h: &Handle, key: impl IntoLua) -> LuaResult<V> {
    let lua = Lua::of_handle(h)?;
    let key = Prepared::new(key, &lua)?;
    let v = lua.with(|st| -> LuaResult<LuaValue> {
        let obj = lua.value_of(st, h)?;
        let base = st.top();
        let r = (|| {
            let k = key.lower(&lua, st)?;
            Lua::push_raw(st, k)?;
            let v = st.protect(|st| st.index(obj, k, ValLoc::Other)).map_err(|e| lua.host_error(st, e))?;
            Ok(lua.lift(st, v))
        })();
        st.set_top(base);
        r
    })??;
    V::from_lua(v, &lua)
}

/// `v[key] = value` for the value of a handle, with metamethods.
pub(crate) fn set_index_handle(h: &Handle, key: impl IntoLua, value: impl IntoLua) -> LuaResult<()> {
    let lua = Lua::of_handle(h)?;
    let key = Prepared::new(key, &lua)?;
    let value = Prepared::new(value, &lua)?;
    lua.with(|st| -> LuaResult<()> {
        let obj = lua.value_of(st, h)?;
        let base = st.top();
        let r = (|| {
            let k = key.lower(&lua, st)?;
            Lua::push_raw(st, k)?;
            let v = value.lower(&lua, st)?;
            Lua::push_raw(st, v)?;
            st.protect(|st| st.set_index(obj, k, v, ValLoc::Other)).map_err(|e| lua.host_error(st, e))
        })();
        st.set_top(base);
        r
    })?
}

/// Calls the function at `obj[name]`, as mlua words the error when it is
/// not a function.
fn call_named<R: FromLuaMulti>(f: LuaValue, name: &str, args: impl IntoLuaMulti) -> LuaResult<R> {
    match f {
        LuaValue::Function(f) => f.call(args),
        other => {
            Err(LuaError::runtime(format!("attempt to call a {} value (function '{name}')", other.lua_type_name())))
        }
    }
}

impl LuaObjectLike for LuaTable {
    fn get<V: FromLua>(&self, key: impl IntoLua) -> LuaResult<V> {
        LuaTable::get(self, key)
    }

    fn set(&self, key: impl IntoLua, value: impl IntoLua) -> LuaResult<()> {
        LuaTable::set(self, key, value)
    }

    fn call<R: FromLuaMulti>(&self, args: impl IntoLuaMulti) -> LuaResult<R> {
        // Calling a table runs its `__call`, as a call from Lua would.
        LuaFunction(self.0.clone()).call(args)
    }

    fn call_method<R: FromLuaMulti>(&self, name: &str, args: impl IntoLuaMulti) -> LuaResult<R> {
        let f: LuaValue = LuaTable::get(self, name)?;
        call_named(f, name, (self, args))
    }

    fn call_function<R: FromLuaMulti>(&self, name: &str, args: impl IntoLuaMulti) -> LuaResult<R> {
        let f: LuaValue = LuaTable::get(self, name)?;
        call_named(f, name, args)
    }

    fn to_string(&self) -> LuaResult<String> {
        crate::value::handle_tostring(&self.0)
    }

    fn to_value(&self) -> LuaValue {
        LuaValue::Table(self.clone())
    }

    fn owner(&self) -> LuaResult<Lua> {
        Lua::of_handle(&self.0)
    }
}

impl LuaObjectLike for LuaAnyUserdata {
    fn get<V: FromLua>(&self, key: impl IntoLua) -> LuaResult<V> {
        index_handle(&self.0, key)
    }

    fn set(&self, key: impl IntoLua, value: impl IntoLua) -> LuaResult<()> {
        set_index_handle(&self.0, key, value)
    }

    fn call<R: FromLuaMulti>(&self, args: impl IntoLuaMulti) -> LuaResult<R> {
        LuaFunction(self.0.clone()).call(args)
    }

    fn call_method<R: FromLuaMulti>(&self, name: &str, args: impl IntoLuaMulti) -> LuaResult<R> {
        let f: LuaValue = index_handle(&self.0, name)?;
        call_named(f, name, (self, args))
    }

    fn call_function<R: FromLuaMulti>(&self, name: &str, args: impl IntoLuaMulti) -> LuaResult<R> {
        let f: LuaValue = index_handle(&self.0, name)?;
        call_named(f, name, args)
    }

    fn to_string(&self) -> LuaResult<String> {
        crate::value::handle_tostring(&self.0)
    }

    fn to_value(&self) -> LuaValue {
        LuaValue::UserData(self.clone())
    }

    fn owner(&self) -> LuaResult<Lua> {
        Lua::of_handle(&self.0)
    }
}

/// A key of a `get_path` path.
#[derive(Clone, Debug)]
enum PathKey {
    Str(String),
    Int(i64),
}

impl std::fmt::Display for PathKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathKey::Str(s) => f.write_str(s),
            PathKey::Int(i) => write!(f, "{i}"),
        }
    }
}

impl IntoLua for PathKey {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        match self {
            PathKey::Str(s) => s.into_lua(lua),
            PathKey::Int(i) => Ok(LuaValue::Integer(i)),
        }
    }
}

fn path_error(msg: String) -> LuaError {
    LuaError::runtime(msg)
}

/// Splits a `get_path` path into its keys, each with whether a `?`
/// follows it.
fn parse_path(path: &str) -> LuaResult<Vec<(PathKey, bool)>> {
    let chars: Vec<(usize, char)> = path.char_indices().collect();
    let mut i = 0;
    let mut keys = Vec::new();
    // A `?` right after a key marks it as safe.
    let question = |i: &mut usize| -> bool {
        if chars.get(*i).map(|c| c.1) == Some('?') {
            *i += 1;
            true
        } else {
            false
        }
    };
    // An identifier-like key: up to `.`, `[`, `?` or white space.
    let name = |i: &mut usize| -> String {
        let mut s = String::new();
        while let Some(&(_, c)) = chars.get(*i) {
            if c == '.' || c == '[' || c == '?' || c.is_ascii_whitespace() {
                break;
            }
            s.push(c);
            *i += 1;
        }
        s
    };
    while let Some(&(pos, c)) = chars.get(i) {
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == '.' {
            i += 1;
            let key = name(&mut i);
            if key.is_empty() {
                return Err(path_error(format!("empty key in path at position {pos}")));
            }
            let safe = question(&mut i);
            keys.push((PathKey::Str(key), safe));
        } else if c == '[' {
            i += 1;
            let key = match chars.get(i).map(|c| c.1) {
                Some(q @ ('"' | '\'')) => {
                    i += 1;
                    let mut s = String::new();
                    loop {
                        match chars.get(i).map(|c| c.1) {
                            None => return Err(path_error("unexpected end of path".to_string())),
                            Some('\\') => {
                                match chars.get(i + 1).map(|c| c.1) {
                                    Some(e @ ('"' | '\'' | '\\')) => s.push(e),
                                    Some(other) => {
                                        return Err(path_error(format!(
                                            "invalid escape sequence '\\{other}' in path at position {}",
                                            chars[i].0
                                        )))
                                    }
                                    None => return Err(path_error("unexpected end of path".to_string())),
                                }
                                i += 2;
                            }
                            Some(c) if c == q => {
                                i += 1;
                                break;
                            }
                            Some(c) => {
                                s.push(c);
                                i += 1;
                            }
                        }
                    }
                    PathKey::Str(s)
                }
                Some(c) if c == '-' || c.is_ascii_digit() => {
                    let start = i;
                    i += 1;
                    while chars.get(i).is_some_and(|c| c.1.is_ascii_digit()) {
                        i += 1;
                    }
                    let text: String = chars[start..i].iter().map(|c| c.1).collect();
                    match text.parse::<i64>() {
                        Ok(n) => PathKey::Int(n),
                        Err(_) => return Err(path_error(format!("invalid integer in path at position {pos}"))),
                    }
                }
                Some(']') => return Err(path_error(format!("empty key in path at position {pos}"))),
                Some(c) => {
                    return Err(path_error(format!("unexpected character '{c}' in path at position {}", chars[i].0)))
                }
                None => return Err(path_error("unexpected end of path".to_string())),
            };
            match chars.get(i) {
                Some(&(_, ']')) => i += 1,
                Some(&(p, c)) => return Err(path_error(format!("expected ']' in path at position {p}, found '{c}'"))),
                None => return Err(path_error("unexpected end of path".to_string())),
            }
            let safe = question(&mut i);
            keys.push((key, safe));
        } else if keys.is_empty() {
            let key = name(&mut i);
            if key.is_empty() {
                return Err(path_error(format!("unexpected character '{c}' in path at position {pos}")));
            }
            let safe = question(&mut i);
            keys.push((PathKey::Str(key), safe));
        } else {
            return Err(path_error(format!("unexpected character '{c}' in path at position {pos}")));
        }
    }
    Ok(keys)
}
