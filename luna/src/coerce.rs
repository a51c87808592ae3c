//! Lua's own coercions of values to numbers, for the host
//! (`Lua::coerce_integer`, `Lua::coerce_number`: PUC's `lua_tointegerx`
//! and `lua_tonumberx`).

use luna_core::vm::arith::{to_integer, to_number, F2I};

use crate::error::LuaResult;
use crate::lua::Lua;
use crate::LuaValue;

impl Lua {
    /// The value as an integer as Lua converts it: integers, floats with
    /// an exact integer value, and strings of those; `None` otherwise.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert_eq!(lua.coerce_integer(LuaValue::String(lua.create_string("1.0")?))?, Some(1));
    /// assert_eq!(lua.coerce_integer(LuaValue::Number(1.5))?, None);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn coerce_integer(&self, v: LuaValue) -> LuaResult<Option<i64>> {
        self.with(|st| -> LuaResult<Option<i64>> {
            let raw = self.lower(st, &v)?;
            Ok(to_integer(&raw, F2I::Exact))
        })?
    }

    /// The value as a float as Lua converts it: numbers and numeric
    /// strings; `None` otherwise.
    pub fn coerce_number(&self, v: LuaValue) -> LuaResult<Option<f64>> {
        self.with(|st| -> LuaResult<Option<f64>> {
            let raw = self.lower(st, &v)?;
            Ok(to_number(&raw))
        })?
    }
}
