//! `LuaRegistryKey`: a value kept alive on behalf of the host, retrieved
//! with `Lua::registry_value`.

use crate::lua::HandleRef;

/// A key to a value kept alive in the state (see
/// `Lua::create_registry_value`). Dropping the key releases the value.
pub struct LuaRegistryKey(pub(crate) HandleRef);

impl std::fmt::Debug for LuaRegistryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LuaRegistryKey({:?})", self.0)
    }
}
