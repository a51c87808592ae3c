//! `LuaRegistryKey`: a value kept alive on behalf of the host, retrieved
//! with `Lua::registry_value`; and the registry operations of `Lua` that
//! work on keys.

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::error::{LuaError, LuaResult};
use crate::lua::{HandleRef, Lua};

/// A key to a value kept alive in the state (see
/// `Lua::create_registry_value`). Dropping the key releases the value.
///
/// Keys compare and hash by identity (two keys are equal when they are the
/// same key), so they can index maps, as mlua's can.
pub struct LuaRegistryKey(pub(crate) HandleRef);

impl std::fmt::Debug for LuaRegistryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LuaRegistryKey({:?})", self.0)
    }
}

impl PartialEq for LuaRegistryKey {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LuaRegistryKey {}

impl Hash for LuaRegistryKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Rc::as_ptr(&self.0).hash(state)
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
        key.0.lua.as_ptr() == Rc::as_ptr(&self.inner)
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
        } else if key.0.lua.upgrade().is_none() {
            Err(LuaError::StateDropped)
        } else {
            Err(LuaError::MismatchedRegistryKey)
        }
    }
}
