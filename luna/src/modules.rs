//! Libraries and modules seen from the host: opening standard libraries
//! after creation, and registering, preloading and unloading modules
//! `require` finds (mlua's `load_std_libs`, `register_module`,
//! `preload_module`, `unload_module`).

use luna_core::{stdlib::Libs, Status, Value};

use crate::error::{LuaError, LuaResult};
use crate::lua::{make_safe, Lua, StdLib};
use crate::{IntoLua, LuaFunction, LuaValue};

impl Lua {
    /// Opens more standard libraries in the state. In a safe state (made
    /// by `Lua::new` or `new_with` without `unsafe_features`) they open
    /// without their unsafe parts, as at creation.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new_with(StdLib::NONE, LuaOptions::default())?;
    /// assert!(lua.globals().get::<Option<LuaTable>>("string")?.is_none());
    /// lua.load_std_libs(StdLib::STRING)?;
    /// assert_eq!(lua.load("return ('x'):rep(3)").eval::<String>()?, "xxx");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn load_std_libs(&self, libs: StdLib) -> LuaResult<()> {
        self.with(|st| {
            let safe = !st.binary_chunks_allowed();
            st.open_libs(Libs(libs.bits())).and_then(|()| if safe { make_safe(st) } else { Ok(()) }).map_err(
                |t| match t.status {
                    Status::ErrMem => LuaError::memory(),
                    _ => LuaError::runtime("cannot open the standard libraries"),
                },
            )
        })?
    }

    /// Makes `require(name)` return `value` (sets `package.loaded[name]`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let m = lua.create_table()?;
    /// m.set("answer", 42)?;
    /// lua.register_module("config", &m)?;
    /// assert_eq!(lua.load("return require('config').answer").eval::<i64>()?, 42);
    /// lua.unload_module("config")?;
    /// assert!(lua.load("return require('config')").exec().is_err());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn register_module(&self, name: &str, value: impl IntoLua) -> LuaResult<()> {
        let value = value.into_lua(self)?;
        self.with(|st| -> LuaResult<()> {
            let v = self.lower(st, &value)?;
            let loaded = st.loaded_table().map_err(|_| LuaError::memory())?;
            st.raw_set_field(loaded, name, v).map_err(|_| LuaError::memory())
        })?
    }

    /// Makes `require(name)` call `loader(name)` the first time (sets
    /// `package.preload[name]`); its result is what `require` returns.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let loader = lua.create_function(|lua, name: String| lua.create_string(format!("module {name}")))?;
    /// lua.preload_module("greeting", loader)?;
    /// assert_eq!(lua.load("return require('greeting')").eval::<String>()?, "module greeting");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn preload_module(&self, name: &str, loader: LuaFunction) -> LuaResult<()> {
        let loader = LuaValue::Function(loader);
        self.with(|st| -> LuaResult<()> {
            let f = self.lower(st, &loader)?;
            let preload = st.preload_table().map_err(|_| LuaError::memory())?;
            st.raw_set_field(preload, name, f).map_err(|_| LuaError::memory())
        })?
    }

    /// Forgets a loaded module (`package.loaded[name] = nil`): the next
    /// `require(name)` loads it again.
    pub fn unload_module(&self, name: &str) -> LuaResult<()> {
        self.with(|st| -> LuaResult<()> {
            let loaded = st.loaded_table().map_err(|_| LuaError::memory())?;
            st.raw_set_field(loaded, name, Value::Nil).map_err(|_| LuaError::memory())
        })?
    }
}
