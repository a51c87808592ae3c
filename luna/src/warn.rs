//! Warnings (Lua 5.4's `warn`): `Lua::set_warning_function` sends them to
//! the host instead of stderr, and `Lua::warning` emits one from Rust.

use std::cell::Cell;
use std::rc::Rc;

use luna_core::state::WarnSink;
use luna_core::State;

use crate::callback::run_user_code;
use crate::error::LuaResult;
use crate::hooks::raise_raw;
use crate::lua::Lua;

impl Lua {
    /// Sends warnings to `callback` instead of stderr: each piece of a
    /// message, and whether more pieces follow (`warn("a", "b")` gives
    /// `("a", true)` then `("b", false)`). Control messages (`@on`,
    /// `@off`) reach it too. An error it returns is raised where the
    /// warning was emitted (by `warn`, the host gets it back as it is); a
    /// warning emitted by the callback itself is dropped.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::{cell::RefCell, rc::Rc};
    /// let lua = Lua::new();
    /// let seen = Rc::new(RefCell::new(String::new()));
    /// let s = seen.clone();
    /// lua.set_warning_function(move |_lua, msg, more| {
    ///     s.borrow_mut().push_str(msg);
    ///     if !more { s.borrow_mut().push('\n') }
    ///     Ok(())
    /// });
    /// lua.load(r#"warn("low ", "fuel")"#).exec()?;
    /// lua.warning("from Rust", false);
    /// assert_eq!(*seen.borrow(), "low fuel\nfrom Rust\n");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_warning_function<F>(&self, callback: F)
    where
        F: Fn(&Lua, &str, bool) -> LuaResult<()> + 'static,
    {
        let weak = Rc::downgrade(&self.inner);
        let running = Cell::new(false);
        let sink: WarnSink = Rc::new(move |st: &mut State, msg: &[u8], more: bool| {
            let Some(inner) = weak.upgrade() else { return Ok(()) };
            if running.replace(true) {
                return Ok(());
            }
            let lua = Lua { inner };
            let text = String::from_utf8_lossy(msg);
            let r = run_user_code(&lua, st, |lua| callback(lua, &text, more));
            running.set(false);
            r.map_err(|e| raise_raw(st, e))
        });
        let _ = self.with(|st| st.set_warn_sink(Some(sink)));
    }

    /// Sends warnings to stderr again (the default: off until `warn("@on")`
    /// turns them on).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.set_warning_function(|_lua, _msg, _more| Err(LuaError::runtime("no warnings")));
    /// assert!(lua.load("warn('x')").exec().is_err());
    /// lua.remove_warning_function();
    /// lua.load("warn('x')").exec()?; // warnings are off by default
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn remove_warning_function(&self) {
        let _ = self.with(|st| st.set_warn_sink(None));
    }

    /// Emits a warning piece; `incomplete` says more pieces of the same
    /// message follow. The message ends at its first zero byte, as a C
    /// string would.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::{cell::RefCell, rc::Rc};
    /// let lua = Lua::new();
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let s = seen.clone();
    /// lua.set_warning_function(move |_lua, msg, more| Ok(s.borrow_mut().push((msg.to_string(), more))));
    /// lua.warning("disk ", true);
    /// lua.warning("full", false);
    /// assert_eq!(*seen.borrow(), [("disk ".to_string(), true), ("full".to_string(), false)]);
    /// ```
    pub fn warning(&self, msg: impl AsRef<str>, incomplete: bool) {
        let bytes = msg.as_ref().as_bytes();
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        let _ = self.with(|st| st.warning(&bytes[..end], incomplete));
    }
}
