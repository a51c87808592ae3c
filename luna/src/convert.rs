//! `Lua::pack`, `unpack`, `convert` and their multi-value forms: Rust
//! values to Lua values and back, outside any call.

use crate::error::LuaResult;
use crate::lua::Lua;
use crate::multi::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, LuaMultiValue};
use crate::value::LuaValue;

impl Lua {
    /// Converts a Rust value into a Lua value (`IntoLua`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.pack(42)?, LuaValue::Integer(42));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn pack(&self, value: impl IntoLua) -> LuaResult<LuaValue> {
        value.into_lua(self)
    }

    /// Converts a Lua value into a Rust value (`FromLua`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.unpack::<String>(LuaValue::Integer(7))?, "7");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn unpack<T: FromLua>(&self, value: LuaValue) -> LuaResult<T> {
        T::from_lua(value, self)
    }

    /// Converts a Rust value into another Rust type through its Lua value.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.convert::<i64>("12")?, 12);
    /// assert!(lua.convert::<bool>(0)?); // 0 is true in Lua
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn convert<U: FromLua>(&self, value: impl IntoLua) -> LuaResult<U> {
        U::from_lua(value.into_lua(self)?, self)
    }

    /// Converts a Rust value into any number of Lua values (`IntoLuaMulti`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.pack_multi((1, "a"))?.len(), 2);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn pack_multi(&self, values: impl IntoLuaMulti) -> LuaResult<LuaMultiValue> {
        values.into_lua_multi(self)
    }

    /// Converts Lua values into a Rust value (`FromLuaMulti`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let values = lua.pack_multi((1, 2))?;
    /// assert_eq!(lua.unpack_multi::<(i64, i64)>(values)?, (1, 2));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn unpack_multi<T: FromLuaMulti>(&self, values: LuaMultiValue) -> LuaResult<T> {
        T::from_lua_multi(values, self)
    }
}
