//! `LuaRegistryKey`: a value kept alive on behalf of the host, retrieved
//! with `Lua::registry_value`; and the registry operations of `Lua` that
//! work on keys.

use std::hash::{Hash, Hasher};
use std::rc::{Rc, Weak};

use luna_core::state::HostRoot;
use luna_core::value::Value;
use luna_core::State;

use crate::error::{LuaError, LuaResult};
use crate::lua::{Lua, LuaInner};

/// A key to a value kept alive in the state (see
/// `Lua::create_registry_value`). Dropping the key releases the value.
///
/// A key to `nil` takes no slot (as mlua's `LUA_REFNIL` keys): its `id` is
/// -1, and `replace_registry_value` gives it a slot when it gets a value.
/// Keys compare and hash by state and slot, so they can index maps, as
/// mlua's can; two live keys of a state never share a slot.
pub struct LuaRegistryKey {
    pub(crate) lua: Weak<LuaInner>,
    /// The host root holding the value; `None` for `nil`.
    pub(crate) slot: Option<HostRoot>,
}

impl LuaRegistryKey {
    /// The key's slot in the state, -1 for a key to `nil` (mlua's
    /// `RegistryKey::id`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.create_registry_value(LuaNil)?.id(), -1);
    /// assert!(lua.create_registry_value("x")?.id() >= 0);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn id(&self) -> i32 {
        self.slot.map_or(-1, |root| i32::try_from(root.index).unwrap_or(i32::MAX))
    }
}

impl Drop for LuaRegistryKey {
    fn drop(&mut self) {
        if let (Some(root), Some(inner)) = (self.slot, self.lua.upgrade()) {
            inner.release(root);
        }
    }
}

impl std::fmt::Debug for LuaRegistryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LuaRegistryKey({})", self.id())
    }
}

impl PartialEq for LuaRegistryKey {
    fn eq(&self, other: &Self) -> bool {
        self.slot == other.slot && self.lua.ptr_eq(&other.lua)
    }
}

impl Eq for LuaRegistryKey {}

impl Hash for LuaRegistryKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.slot.hash(state);
        self.lua.as_ptr().hash(state)
    }
}

impl Lua {
    /// Whether `key` was made by this state (`create_registry_value`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let (a, b) = (Lua::new(), Lua::new());
    /// let key = a.create_registry_value("x")?;
    /// assert!(a.owns_registry_value(&key));
    /// assert!(!b.owns_registry_value(&key));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn owns_registry_value(&self, key: &LuaRegistryKey) -> bool {
        key.lua.as_ptr() == Rc::as_ptr(&self.inner)
    }

    /// Releases the values of dropped registry keys. luna releases a value
    /// when its key drops (or at the next state access, when the key drops
    /// inside an operation), so this only completes the releases still
    /// waiting; it exists for code written against mlua.
    pub fn expire_registry_values(&self) {
        let _ = self.with(|_| ());
    }

    /// Checks that `key` belongs to this state: `MismatchedRegistryKey`
    /// (as mlua reports it) for a key of another state, `StateDropped` for
    /// one whose state is gone.
    pub(crate) fn check_registry_key(&self, key: &LuaRegistryKey) -> LuaResult<()> {
        if self.owns_registry_value(key) {
            Ok(())
        } else if key.lua.upgrade().is_none() {
            Err(LuaError::StateDropped)
        } else {
            Err(LuaError::MismatchedRegistryKey)
        }
    }

    /// A new key holding `v` (no slot for `nil`).
    pub(crate) fn new_registry_key(&self, st: &mut State, v: Value) -> LuaRegistryKey {
        let slot = if v.is_nil() { None } else { Some(st.pin(v)) };
        LuaRegistryKey { lua: Rc::downgrade(&self.inner), slot }
    }

    /// The value a key holds, checking the key belongs to this state.
    pub(crate) fn registry_key_value(&self, st: &State, key: &LuaRegistryKey) -> LuaResult<Value> {
        self.check_registry_key(key)?;
        match key.slot {
            None => Ok(Value::Nil),
            Some(root) => st.get_pinned(root).ok_or(LuaError::StateDropped),
        }
    }
}
