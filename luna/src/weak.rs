//! `WeakLua`: a reference to a state that does not keep it alive.

use std::rc::{Rc, Weak};

use crate::lua::{Lua, LuaInner};

/// A weak reference to a `Lua` (mlua's `WeakLua`): it does not keep the
/// state alive. `try_upgrade` gives the state back while it lives.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let weak = lua.weak();
/// assert!(weak.try_upgrade().is_some());
/// drop(lua);
/// assert!(weak.try_upgrade().is_none());
/// ```
#[derive(Clone)]
pub struct WeakLua(Weak<LuaInner>);

impl WeakLua {
    /// The state, if it is still alive.
    pub fn try_upgrade(&self) -> Option<Lua> {
        self.0.upgrade().map(|inner| Lua { inner })
    }
}

impl PartialEq for WeakLua {
    fn eq(&self, other: &Self) -> bool {
        Weak::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for WeakLua {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeakLua({:p})", self.0.as_ptr())
    }
}

impl Lua {
    /// A weak reference to this state.
    pub fn weak(&self) -> WeakLua {
        WeakLua(Rc::downgrade(&self.inner))
    }
}
