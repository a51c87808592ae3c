//! `LuaTable`: a handle to a Lua table.
//!
//! `get`, `set`, `len` honour metamethods (`__index`, `__newindex`,
//! `__len`); the `raw_*` methods do not. Operations that may run Lua code
//! (metamethods) run it in protected mode, so an error inside comes back as
//! a `LuaError`.

use luna_core::vm::debug::ValLoc;
use luna_core::{State, Value};

use crate::error::{LuaError, LuaResult};
use crate::failure::{Failure, Fallible};
use crate::lua::{HandleRef, Lua};
use crate::multi::{FromLua, Gathered, IntoLua, Prepared};
use crate::value::{LuaNil, LuaValue};

/// A Lua table.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let t = lua.create_table()?;
/// t.set("name", "luna")?;
/// t.push(10)?;
/// t.push(20)?;
/// assert_eq!(t.get::<String>("name")?, "luna");
/// assert_eq!(t.len()?, 2);
/// let items: Vec<i64> = t.sequence_values().collect::<LuaResult<_>>()?;
/// assert_eq!(items, [10, 20]);
/// // `get` honours `__index`; `raw_get` does not.
/// let mt = lua.create_table_from([("__index", lua.create_table_from([("default", true)])?)])?;
/// t.set_metatable(Some(mt))?;
/// assert!(t.get::<bool>("default")?);
/// assert_eq!(t.raw_get::<Option<bool>>("default")?, None);
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone)]
pub struct LuaTable(pub(crate) HandleRef);

/// As mlua's: `{:?}` shows the table's identity (`Table(Ref(0x...))`),
/// `{:#?}` writes its contents out as a Lua constructor (keys sorted,
/// nested tables indented).
impl std::fmt::Debug for LuaTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            return fmt_table_pretty(self, f, 0, &mut vec![self.to_pointer()]);
        }
        write!(f, "Table(Ref({:p}))", self.to_pointer())
    }
}

/// Writes the contents of `t` as a Lua constructor at `indent`; `seen`
/// holds the tables being written (a cycle shows as an address).
pub(crate) fn fmt_table_pretty(
    t: &LuaTable,
    f: &mut std::fmt::Formatter<'_>,
    indent: usize,
    seen: &mut Vec<*const std::ffi::c_void>,
) -> std::fmt::Result {
    let mut pairs = t.pairs::<LuaValue, LuaValue>().collect::<LuaResult<Vec<_>>>().map_err(|_| std::fmt::Error)?;
    if pairs.is_empty() {
        return f.write_str("{}");
    }
    pairs.sort_by(|a, b| a.0.sort_cmp(&b.0));
    let len = t.raw_len();
    // A pure sequence (keys exactly 1..=#t) is written without keys, as
    // mlua writes it; any other table writes every key.
    let seq = len > 0 && pairs.len() == len;
    writeln!(f, "{{")?;
    for (k, v) in &pairs {
        write!(f, "{}", " ".repeat(indent + 2))?;
        let in_seq = seq && matches!(k, LuaValue::Integer(i) if *i >= 1 && (*i as usize) <= len);
        if !in_seq {
            match k {
                LuaValue::String(s) if is_identifier(&s.as_bytes()) => write!(f, "{} = ", s.to_string_lossy())?,
                _ => {
                    f.write_str("[")?;
                    fmt_pretty_value(k, f, indent + 2, seen)?;
                    f.write_str("] = ")?;
                }
            }
        }
        fmt_pretty_value(v, f, indent + 2, seen)?;
        writeln!(f, ",")?;
    }
    write!(f, "{}}}", " ".repeat(indent))
}

fn fmt_pretty_value(
    v: &LuaValue,
    f: &mut std::fmt::Formatter<'_>,
    indent: usize,
    seen: &mut Vec<*const std::ffi::c_void>,
) -> std::fmt::Result {
    match v {
        LuaValue::Table(t) => {
            let p = t.to_pointer();
            if seen.contains(&p) {
                return write!(f, "table: {p:?}");
            }
            seen.push(p);
            let r = fmt_table_pretty(t, f, indent, seen);
            seen.pop();
            r
        }
        other => write!(f, "{other:#?}"),
    }
}

/// Whether a key can be written as `name = ...` (a Lua name, not a
/// reserved word).
fn is_identifier(b: &[u8]) -> bool {
    const RESERVED: &[&[u8]] = &[
        b"and",
        b"break",
        b"do",
        b"else",
        b"elseif",
        b"end",
        b"false",
        b"for",
        b"function",
        b"goto",
        b"if",
        b"in",
        b"local",
        b"nil",
        b"not",
        b"or",
        b"repeat",
        b"return",
        b"then",
        b"true",
        b"until",
        b"while",
    ];
    !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && !RESERVED.contains(&b)
}

impl LuaTable {
    pub(crate) fn lua(&self) -> LuaResult<Lua> {
        Lua::of_handle(&self.0)
    }

    /// The runtime table (inside a state access).
    fn table(&self, lua: &Lua, st: &State) -> LuaResult<luna_core::gc::Gc<luna_core::object::table::Table>> {
        match lua.value_of(st, &self.0)? {
            Value::Table(t) => Ok(t),
            _ => Err(LuaError::runtime("not a table")),
        }
    }

    /// `t[key]`, with `__index`.
    pub fn get<V: FromLua>(&self, key: impl IntoLua) -> LuaResult<V> {
        self.get_with(key, true)
    }

    /// `t[key] = value`, with `__newindex`.
    pub fn set(&self, key: impl IntoLua, value: impl IntoLua) -> LuaResult<()> {
        self.set_with(key, value, true)
    }

    /// `t[key]` without metamethods.
    pub fn raw_get<V: FromLua>(&self, key: impl IntoLua) -> LuaResult<V> {
        self.get_with(key, false)
    }

    /// `t[key] = value` without metamethods.
    pub fn raw_set(&self, key: impl IntoLua, value: impl IntoLua) -> LuaResult<()> {
        self.set_with(key, value, false)
    }

    /// `get` and `raw_get`: the key is pushed (rooting it while metamethods
    /// run), then replaced by the value, which is read from there.
    fn get_with<V: FromLua>(&self, key: impl IntoLua, meta: bool) -> LuaResult<V> {
        let lua = self.lua()?;
        let key = Prepared::new(key, &lua)?;
        let out = lua.with(|st| -> Fallible<Gathered<V>> {
            let t = self.table(&lua, st)?;
            let k = key.lower(&lua, st)?;
            if !meta || t.metatable().is_none() {
                // The table holds the value (and a raw read runs nothing):
                // no root needed, nothing goes on the stack.
                return Ok(Gathered::new(t.get(k), &lua, st));
            }
            let base = st.top();
            let v = {
                Lua::push_raw(st, k)?;
                let r = st.protect(|st| st.index(Value::Table(t), k, ValLoc::Other));
                match r {
                    Ok(v) => {
                        st.stack_set(base, v);
                        v
                    }
                    Err(e) => {
                        st.set_top(base);
                        return Err(lua.host_error(st, e).into());
                    }
                }
            };
            let out = Gathered::new(v, &lua, st);
            st.set_top(base);
            Ok(out)
        })?;
        out.and_then(|out| out.finish(&lua)).map_err(Failure::into_error)
    }

    /// `set` and `raw_set`: key and value are pushed (rooting them while
    /// metamethods run), then stored.
    fn set_with(&self, key: impl IntoLua, value: impl IntoLua, meta: bool) -> LuaResult<()> {
        let lua = self.lua()?;
        let key = Prepared::new(key, &lua)?;
        let value = Prepared::new(value, &lua)?;
        lua.with(|st| -> Fallible<()> {
            let t = self.table(&lua, st)?;
            let k = key.lower(&lua, st)?;
            // The common case first: a raw store. Nothing in it collects
            // (allocation never does; the access began at the collection
            // point), so the key needs no root while the value is made, and
            // nothing goes on the stack.
            if !meta || t.metatable().is_none() {
                let v = value.lower(&lua, st)?;
                return Ok(raw_set_core(&lua, st, t, k, v)?);
            }
            // Metamethods may run (and collect): key and value are rooted
            // on the stack first.
            let base = st.top();
            let r = (|| -> Fallible<()> {
                Lua::push_raw(st, k)?;
                let v = value.lower(&lua, st)?;
                Lua::push_raw(st, v)?;
                match st.protect(|st| st.set_index(Value::Table(t), k, v, ValLoc::Other)) {
                    Ok(()) => Ok(()),
                    Err(e) => Err(lua.host_error(st, e).into()),
                }
            })();
            st.set_top(base);
            r
        })?
        .map_err(Failure::into_error)
    }

    /// Whether `t[key]` is not nil (with `__index`).
    pub fn contains_key(&self, key: impl IntoLua) -> LuaResult<bool> {
        let v: LuaValue = self.get(key)?;
        Ok(!v.is_nil())
    }

    /// `#t`, with `__len`.
    pub fn len(&self) -> LuaResult<i64> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<i64> {
            let t = self.table(&lua, st)?;
            if t.metatable().is_none() {
                return Ok(t.length() as i64);
            }
            let v = st.protect(|st| st.len_of(Value::Table(t), ValLoc::Other)).map_err(|e| lua.host_error(st, e))?;
            match v {
                Value::Int(i) => Ok(i),
                Value::Float(f) => luna_core::vm::arith::float_to_int_exact(f)
                    .ok_or_else(|| LuaError::runtime("object length is not an integer")),
                _ => Err(LuaError::runtime("object length is not an integer")),
            }
        })?
    }

    /// The border of the table without `__len` (0 when the state is
    /// gone).
    pub fn raw_len(&self) -> usize {
        let Ok(lua) = self.lua() else { return 0 };
        lua.with(|st| self.table(&lua, st).map(|t| t.length() as usize)).ok().and_then(Result::ok).unwrap_or(0)
    }

    /// Whether the table has no entry, ignoring metamethods (true when the
    /// state is gone).
    pub fn is_empty(&self) -> bool {
        let Ok(lua) = self.lua() else { return true };
        lua.with(|st| self.table(&lua, st).map(|t| matches!(t.next(Value::Nil), Ok(None))))
            .ok()
            .and_then(Result::ok)
            .unwrap_or(true)
    }

    /// Appends a value at `#t + 1`, without metamethods.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let t = lua.create_sequence_from([1])?;
    /// t.raw_push(2)?;
    /// assert_eq!(t.raw_pop::<i64>()?, 2);
    /// assert_eq!(t.raw_len(), 1);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn raw_push(&self, value: impl IntoLua) -> LuaResult<()> {
        let n = self.raw_len() as i64;
        self.raw_set(n + 1, value)
    }

    /// Removes and returns the value at `#t`, without metamethods (`nil`
    /// when the sequence is empty).
    pub fn raw_pop<V: FromLua>(&self) -> LuaResult<V> {
        let n = self.raw_len() as i64;
        let v: LuaValue = self.raw_get(n)?;
        if n > 0 {
            self.raw_set(n, LuaValue::Nil)?;
        }
        V::from_lua(v, &self.lua()?)
    }

    /// Calls `f` with `t[1]`, `t[2]`, ... up to the first nil (raw).
    pub fn for_each_value<V: FromLua>(&self, mut f: impl FnMut(V) -> LuaResult<()>) -> LuaResult<()> {
        for v in self.sequence_values::<V>() {
            f(v?)?;
        }
        Ok(())
    }

    /// The address of the table, for hashing and debug output.
    pub fn to_pointer(&self) -> *const std::ffi::c_void {
        crate::value::handle_pointer(&self.0)
    }

    /// Appends a value at `#t + 1` (with metamethods).
    pub fn push(&self, value: impl IntoLua) -> LuaResult<()> {
        let n = self.len()?;
        self.set(n + 1, value)
    }

    /// Removes and returns the value at `#t` (with metamethods).
    pub fn pop<V: FromLua>(&self) -> LuaResult<V> {
        let n = self.len()?;
        let v: LuaValue = self.get(n)?;
        if n > 0 {
            self.set(n, LuaValue::Nil)?;
        }
        let lua = self.lua()?;
        V::from_lua(v, &lua)
    }

    /// Inserts at position `idx` of the sequence, shifting up (raw, like
    /// `table.insert` on a plain table).
    pub fn raw_insert(&self, idx: i64, value: impl IntoLua) -> LuaResult<()> {
        let n = self.raw_len() as i64;
        if idx < 1 || idx > n + 1 {
            return Err(LuaError::runtime("index out of bounds"));
        }
        let lua = self.lua()?;
        let value = value.into_lua(&lua)?;
        lua.with(|st| -> LuaResult<()> {
            let t = self.table(&lua, st)?;
            let mut i = n;
            while i >= idx {
                let v = t.get_int(i);
                raw_set_core(&lua, st, t, Value::Int(i + 1), v)?;
                i -= 1;
            }
            let v = lua.lower(st, &value)?;
            raw_set_core(&lua, st, t, Value::Int(idx), v)
        })?
    }

    /// Removes `key` (raw). An integer key is a position of the sequence:
    /// the items above it shift down (as `table.remove`), and a position
    /// outside `1..=#t` is an error; any other key is set to nil.
    pub fn raw_remove(&self, key: impl IntoLua) -> LuaResult<()> {
        let lua = self.lua()?;
        let idx = match key.into_lua(&lua)? {
            LuaValue::Integer(i) => i,
            other => return self.raw_set(other, LuaNil),
        };
        let n = self.raw_len() as i64;
        if idx < 1 || idx > n {
            return Err(LuaError::runtime("index out of bounds"));
        }
        lua.with(|st| -> LuaResult<()> {
            let t = self.table(&lua, st)?;
            for i in idx..n {
                let v = t.get_int(i + 1);
                raw_set_core(&lua, st, t, Value::Int(i), v)?;
            }
            raw_set_core(&lua, st, t, Value::Int(n), Value::Nil)
        })?
    }

    /// Removes every entry (raw).
    pub fn clear(&self) -> LuaResult<()> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<()> {
            let t = self.table(&lua, st)?;
            let mut keys = Vec::new();
            let mut k = Value::Nil;
            while let Ok(Some((nk, _))) = t.next(k) {
                keys.push(nk);
                k = nk;
            }
            for k in keys {
                raw_set_core(&lua, st, t, k, Value::Nil)?;
            }
            Ok(())
        })?
    }

    /// The metatable (raw: `__metatable` is not consulted; `None` when the
    /// state is gone).
    pub fn metatable(&self) -> Option<LuaTable> {
        let lua = self.lua().ok()?;
        lua.with(|st| {
            let t = self.table(&lua, st).ok()?;
            t.metatable().map(|m| LuaTable(lua.pin(st, Value::Table(m))))
        })
        .ok()
        .flatten()
    }

    /// Sets (or removes) the metatable.
    pub fn set_metatable(&self, mt: Option<LuaTable>) -> LuaResult<()> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<()> {
            let t = self.table(&lua, st)?;
            let m = match &mt {
                Some(m) => Some(m.table(&lua, st)?),
                None => None,
            };
            st.set_metatable(Value::Table(t), m);
            Ok(())
        })?
    }

    /// Iterates over the key/value pairs (raw, in `next` order), converting
    /// each pair.
    pub fn pairs<K: FromLua, V: FromLua>(&self) -> LuaTablePairs<K, V> {
        LuaTablePairs { table: self.clone(), key: Some(LuaValue::Nil), _marker: std::marker::PhantomData }
    }

    /// Iterates over `t[1]`, `t[2]`, ... up to the first nil (raw).
    pub fn sequence_values<V: FromLua>(&self) -> LuaTableSequence<V> {
        LuaTableSequence { table: self.clone(), index: 1, _marker: std::marker::PhantomData }
    }

    /// Calls `f` for every pair; stops at the first error.
    pub fn for_each<K: FromLua, V: FromLua>(&self, mut f: impl FnMut(K, V) -> LuaResult<()>) -> LuaResult<()> {
        for pair in self.pairs::<K, V>() {
            let (k, v) = pair?;
            f(k, v)?;
        }
        Ok(())
    }

    /// `self == other` in Lua: the same table, or equal by `__eq`.
    /// (`PartialEq` on handles compares identity only.)
    pub fn equals(&self, other: &LuaTable) -> LuaResult<bool> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<bool> {
            let a = self.table(&lua, st)?;
            let b = other.table(&lua, st)?;
            st.protect(|st| st.equal_obj(Value::Table(a), Value::Table(b))).map_err(|e| lua.host_error(st, e))
        })?
    }

    /// The next pair after `key` (raw), as facade values.
    fn next_pair(&self, key: &LuaValue) -> LuaResult<Option<(LuaValue, LuaValue)>> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<Option<(LuaValue, LuaValue)>> {
            let t = self.table(&lua, st)?;
            let k = lua.lower(st, key)?;
            match t.next(k) {
                Ok(Some((k, v))) => Ok(Some((lua.lift(st, k), lua.lift(st, v)))),
                Ok(None) => Ok(None),
                Err(()) => Err(LuaError::runtime("invalid key to 'next'")),
            }
        })?
    }
}

/// Raw store with the runtime's key errors mapped.
fn raw_set_core(
    lua: &Lua,
    st: &mut State,
    t: luna_core::gc::Gc<luna_core::object::table::Table>,
    k: Value,
    v: Value,
) -> LuaResult<()> {
    let _ = lua;
    st.table_raw_set(t, k, v).map_err(|e| match e {
        luna_core::object::table::TableError::NilKey => LuaError::runtime("table index is nil"),
        luna_core::object::table::TableError::NanKey => LuaError::runtime("table index is NaN"),
        luna_core::object::table::TableError::Memory => LuaError::memory(),
        luna_core::object::table::TableError::Overflow => LuaError::runtime("table overflow"),
    })
}

impl PartialEq for LuaTable {
    fn eq(&self, other: &LuaTable) -> bool {
        crate::lua::same_value(&self.0, &other.0)
    }
}

/// A table equals a slice when its sequence (raw, up to the first nil)
/// holds the slice's values, in order.
impl<T: IntoLua + Clone> PartialEq<[T]> for LuaTable {
    fn eq(&self, other: &[T]) -> bool {
        let Ok(lua) = self.lua() else { return false };
        let mut n = 0;
        for v in self.sequence_values::<LuaValue>() {
            let Ok(v) = v else { return false };
            match other.get(n).map(|x| x.clone().into_lua(&lua)) {
                Some(Ok(x)) if x == v => n += 1,
                _ => return false,
            }
        }
        n == other.len()
    }
}

impl<T: IntoLua + Clone> PartialEq<&[T]> for LuaTable {
    fn eq(&self, other: &&[T]) -> bool {
        *self == **other
    }
}

impl<T: IntoLua + Clone, const N: usize> PartialEq<[T; N]> for LuaTable {
    fn eq(&self, other: &[T; N]) -> bool {
        *self == other[..]
    }
}

/// Iterator of `LuaTable::pairs`.
pub struct LuaTablePairs<K, V> {
    table: LuaTable,
    key: Option<LuaValue>,
    _marker: std::marker::PhantomData<(K, V)>,
}

impl<K: FromLua, V: FromLua> Iterator for LuaTablePairs<K, V> {
    type Item = LuaResult<(K, V)>;
    fn next(&mut self) -> Option<Self::Item> {
        let key = self.key.take()?;
        match self.table.next_pair(&key) {
            Ok(Some((k, v))) => {
                self.key = Some(k.clone());
                let lua = match self.table.lua() {
                    Ok(l) => l,
                    Err(e) => return Some(Err(e)),
                };
                Some(K::from_lua(k, &lua).and_then(|k| V::from_lua(v, &lua).map(|v| (k, v))))
            }
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// Iterator of `LuaTable::sequence_values`.
pub struct LuaTableSequence<V> {
    table: LuaTable,
    index: i64,
    _marker: std::marker::PhantomData<V>,
}

impl<V: FromLua> Iterator for LuaTableSequence<V> {
    type Item = LuaResult<V>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.index == 0 {
            return None;
        }
        match self.table.raw_get::<LuaValue>(self.index) {
            Ok(LuaValue::Nil) => {
                self.index = 0;
                None
            }
            Ok(v) => {
                self.index += 1;
                let lua = match self.table.lua() {
                    Ok(l) => l,
                    Err(e) => return Some(Err(e)),
                };
                Some(V::from_lua(v, &lua))
            }
            Err(e) => {
                self.index = 0;
                Some(Err(e))
            }
        }
    }
}
