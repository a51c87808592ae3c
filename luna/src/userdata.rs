//! `LuaAnyUserData`: a handle to a full userdata (a Rust value owned by
//! Lua).

use crate::lua::HandleRef;

/// A full userdata of any type.
#[derive(Clone)]
pub struct LuaAnyUserData(pub(crate) HandleRef);

impl std::fmt::Debug for LuaAnyUserData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LuaAnyUserData({:?})", self.0)
    }
}

impl PartialEq for LuaAnyUserData {
    fn eq(&self, other: &LuaAnyUserData) -> bool {
        crate::lua::same_value(&self.0, &other.0)
    }
}
