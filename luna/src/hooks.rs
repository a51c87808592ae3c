//! Debug hooks: Rust callbacks run on calls, returns, new lines and every
//! n instructions (`Lua::set_hook`, `Lua::set_global_hook`,
//! `LuaThread::set_hook`), with the triggers that select them.
//!
//! A hook is installed on one thread of the runtime (see luna-core's
//! `vm::hooks`). A thread hook (`set_hook`) is for its thread only; the
//! global hook is also installed on every thread created afterwards, by
//! `Lua::create_thread` or by `coroutine.create`. The callback receives a
//! `LuaDebug` describing the hooked frame, and decides what the script does
//! next: continue, yield (line and count events, inside a coroutine), or
//! fail with the error it returns, which reaches the host as it is (not
//! wrapped in a `CallbackError`), as in mlua.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use luna_core::vm::hooks::{HookEvent, HookFn, MASK_CALL, MASK_COUNT, MASK_LINE, MASK_RET};
use luna_core::{State, Throw, Value};

use crate::callback::{run_user_code, LuaVmState};
use crate::debug::LuaDebug;
use crate::error::{LuaError, LuaResult};
use crate::lua::{Lua, LuaInner};
use crate::thread::{LuaThread, ThreadEventCallback};
use crate::LuaThreadTriggers;

/// When a hook runs (mlua's `HookTriggers`). Triggers combine with `|`.
///
/// ```
/// # use luna::prelude::*;
/// let t = LuaHookTriggers::ON_CALLS | LuaHookTriggers::new().every_nth_instruction(100);
/// assert!(t.on_calls && !t.on_returns && !t.every_line);
/// assert_eq!(t.every_nth_instruction, Some(100));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LuaHookTriggers {
    /// When a function is called (Lua or Rust), before it runs.
    pub on_calls: bool,
    /// When a function returns.
    pub on_returns: bool,
    /// When Lua code starts a new line (or jumps back to one).
    pub every_line: bool,
    /// Every `n` instructions of Lua code (`Some(0)` never runs).
    pub every_nth_instruction: Option<u32>,
}

impl LuaHookTriggers {
    /// Runs the hook on calls.
    pub const ON_CALLS: LuaHookTriggers = LuaHookTriggers::new().on_calls();
    /// Runs the hook on returns.
    pub const ON_RETURNS: LuaHookTriggers = LuaHookTriggers::new().on_returns();
    /// Runs the hook on every new line.
    pub const EVERY_LINE: LuaHookTriggers = LuaHookTriggers::new().every_line();

    /// No triggers.
    pub const fn new() -> LuaHookTriggers {
        LuaHookTriggers { on_calls: false, on_returns: false, every_line: false, every_nth_instruction: None }
    }

    /// Adds calls.
    #[must_use]
    pub const fn on_calls(mut self) -> LuaHookTriggers {
        self.on_calls = true;
        self
    }

    /// Adds returns.
    #[must_use]
    pub const fn on_returns(mut self) -> LuaHookTriggers {
        self.on_returns = true;
        self
    }

    /// Adds new lines.
    #[must_use]
    pub const fn every_line(mut self) -> LuaHookTriggers {
        self.every_line = true;
        self
    }

    /// Adds a count event every `n` instructions.
    #[must_use]
    pub const fn every_nth_instruction(mut self, n: u32) -> LuaHookTriggers {
        self.every_nth_instruction = Some(n);
        self
    }

    /// The runtime's event mask and instruction count.
    fn mask_and_count(self) -> (u8, u32) {
        let mut mask = 0;
        if self.on_calls {
            mask |= MASK_CALL;
        }
        if self.on_returns {
            mask |= MASK_RET;
        }
        if self.every_line {
            mask |= MASK_LINE;
        }
        // A count of 0 would never come round (as in PUC, where the
        // counter starts below zero).
        let count = self.every_nth_instruction.unwrap_or(0);
        if count > 0 {
            mask |= MASK_COUNT;
        }
        (mask, count)
    }
}

impl std::ops::BitOr for LuaHookTriggers {
    type Output = LuaHookTriggers;
    fn bitor(mut self, rhs: LuaHookTriggers) -> LuaHookTriggers {
        self.on_calls |= rhs.on_calls;
        self.on_returns |= rhs.on_returns;
        self.every_line |= rhs.every_line;
        self.every_nth_instruction = self.every_nth_instruction.or(rhs.every_nth_instruction);
        self
    }
}

impl std::ops::BitOrAssign for LuaHookTriggers {
    fn bitor_assign(&mut self, rhs: LuaHookTriggers) {
        *self = *self | rhs;
    }
}

/// A hook callback as the facade keeps it.
pub(crate) type HookCallback = Rc<dyn Fn(&Lua, &LuaDebug) -> LuaResult<LuaVmState>>;

/// The callbacks a state keeps for the host: the global hook and the
/// thread event callback (see `LuaThreadTriggers`).
#[derive(Default)]
pub(crate) struct HostCallbacks {
    pub(crate) global_hook: RefCell<Option<(LuaHookTriggers, HookCallback)>>,
    pub(crate) thread_events: RefCell<Option<(LuaThreadTriggers, ThreadEventCallback)>>,
}

/// Raises `e` in the running script so that, uncaught, the host gets it
/// back as it is (the errors of hooks and of the warning function).
// The braces match `MemoryError` whether it is a unit variant or mlua's
// `MemoryError(String)`.
#[allow(clippy::unneeded_struct_pattern)]
pub(crate) fn raise_raw(st: &mut State, e: LuaError) -> Throw {
    if matches!(e, LuaError::MemoryError(_)) {
        return st.memory_error();
    }
    match crate::lua::raw_error_value(st, e) {
        Ok(v) => st.throw_value(v),
        Err(_) => st.memory_error(),
    }
}

/// Runs a hook callback for `event` on the running thread's top frame.
fn dispatch(lua: &Lua, st: &mut State, event: HookEvent, line: i64, callback: &HookCallback) -> luna_core::LResult<()> {
    let debug = LuaDebug::for_hook(lua, st, event, line);
    match run_user_code(lua, st, |lua| callback(lua, &debug)) {
        Ok(LuaVmState::Continue) => Ok(()),
        Ok(LuaVmState::Yield) => {
            // Only line and count events can yield, inside a coroutine
            // that can; elsewhere the script continues (as mlua).
            st.yield_from_hook();
            Ok(())
        }
        Err(e) => Err(raise_raw(st, e)),
    }
}

/// The runtime hook of a thread hook.
fn thread_hook(weak: Weak<LuaInner>, callback: HookCallback) -> HookFn {
    Rc::new(move |st: &mut State, event, line| {
        let Some(inner) = weak.upgrade() else { return Ok(()) };
        dispatch(&Lua { inner }, st, event, line, &callback)
    })
}

/// The runtime hook of the global hook: runs the state's global callback,
/// and uninstalls itself from the thread once there is none.
fn global_hook(weak: Weak<LuaInner>) -> HookFn {
    Rc::new(move |st: &mut State, event, line| {
        let Some(inner) = weak.upgrade() else { return Ok(()) };
        let callback = inner.callbacks.global_hook.borrow().as_ref().map(|(_, cb)| cb.clone());
        match callback {
            Some(cb) => dispatch(&Lua { inner }, st, event, line, &cb),
            None => {
                let th = st.current_thread();
                st.set_hook(th, None, 0, 0);
                Ok(())
            }
        }
    })
}

impl Lua {
    /// Sets the hook of the running thread (the main thread, or in a
    /// callback the thread that called it), replacing any other; threads
    /// created later do not get it (see `set_global_hook`). `triggers`
    /// chooses the events. The callback receives the hooked frame as a
    /// `LuaDebug`; returning an error stops the script with that error
    /// (the host gets it back as it is), returning `LuaVmState::Yield` on
    /// a line or count event inside a coroutine yields it.
    ///
    /// While a hook runs, no hook runs (Lua code the callback calls is not
    /// hooked).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::{cell::RefCell, rc::Rc};
    /// let lua = Lua::new();
    /// let lines = Rc::new(RefCell::new(Vec::new()));
    /// let l = lines.clone();
    /// lua.set_hook(LuaHookTriggers::EVERY_LINE, move |_lua, debug| {
    ///     l.borrow_mut().push(debug.current_line().unwrap());
    ///     Ok(LuaVmState::Continue)
    /// })?;
    /// lua.load("local a = 1\nlocal b = 2\n\nlocal c = 3").exec()?;
    /// lua.remove_hook();
    /// assert_eq!(*lines.borrow(), [1, 2, 4]);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_hook<F>(&self, triggers: LuaHookTriggers, callback: F) -> LuaResult<()>
    where
        F: Fn(&Lua, &LuaDebug) -> LuaResult<LuaVmState> + 'static,
    {
        let hook = thread_hook(Rc::downgrade(&self.inner), Rc::new(callback));
        let (mask, count) = triggers.mask_and_count();
        self.with(|st| {
            let th = st.current_thread();
            st.set_thread_hook(th, Some(hook), mask, count, false);
        })
    }

    /// Sets the global hook: installed on the running thread and on every
    /// thread created afterwards (by `create_thread` or by Lua's
    /// `coroutine.create`), replacing the thread hooks there. The callback
    /// behaves as `set_hook`'s.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::{cell::Cell, rc::Rc};
    /// let lua = Lua::new();
    /// let calls = Rc::new(Cell::new(0));
    /// let c = calls.clone();
    /// lua.set_global_hook(LuaHookTriggers::ON_CALLS, move |_lua, _debug| {
    ///     c.set(c.get() + 1);
    ///     Ok(LuaVmState::Continue)
    /// })?;
    /// let co = lua.create_thread(lua.load("local function f() end f()").into_function()?)?;
    /// co.resume::<()>(())?;
    /// assert_eq!(calls.get(), 2); // the body, then `f`
    /// lua.remove_global_hook();
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_global_hook<F>(&self, triggers: LuaHookTriggers, callback: F) -> LuaResult<()>
    where
        F: Fn(&Lua, &LuaDebug) -> LuaResult<LuaVmState> + 'static,
    {
        let hook = global_hook(Rc::downgrade(&self.inner));
        let (mask, count) = triggers.mask_and_count();
        self.with(|st| {
            let th = st.current_thread();
            st.set_thread_hook(th, Some(hook), mask, count, true);
        })?;
        *self.inner.callbacks.global_hook.borrow_mut() = Some((triggers, Rc::new(callback)));
        Ok(())
    }

    /// Removes the hook of the running thread (the thread hook, or the
    /// global hook there). Does nothing if there is none.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.set_hook(LuaHookTriggers::EVERY_LINE, |_lua, _debug| Err(LuaError::runtime("stop")))?;
    /// assert!(lua.load("local x = 1").exec().is_err());
    /// lua.remove_hook();
    /// assert!(lua.load("local x = 1").exec().is_ok());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn remove_hook(&self) {
        let _ = self.with(|st| {
            let th = st.current_thread();
            st.set_hook(th, None, 0, 0);
        });
    }

    /// Removes the global hook from every thread it was installed on.
    /// Does nothing if there is none.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.set_global_hook(LuaHookTriggers::EVERY_LINE, |_lua, _debug| Err(LuaError::runtime("stop")))?;
    /// let co = lua.create_thread(lua.load("local x = 1").into_function()?)?;
    /// lua.remove_global_hook();
    /// co.resume::<()>(())?;
    /// lua.load("local x = 1").exec()?;
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn remove_global_hook(&self) {
        *self.inner.callbacks.global_hook.borrow_mut() = None;
    }

    /// Installs the global hook, if there is one, on a thread the host
    /// created.
    pub(crate) fn install_global_hook(&self, st: &mut State, th: Value) {
        let Value::Thread(th) = th else { return };
        let Some((triggers, _)) = *self.inner.callbacks.global_hook.borrow() else { return };
        let (mask, count) = triggers.mask_and_count();
        st.set_thread_hook(th, Some(global_hook(Rc::downgrade(&self.inner))), mask, count, true);
    }
}

impl LuaThread {
    /// Sets the hook of this thread, as `Lua::set_hook` does for the
    /// running one.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let co = lua.create_thread(lua.load("local a = 1\nlocal b = 2\nlocal c = 3").into_function()?)?;
    /// // Yield before each line: the coroutine runs line by line.
    /// co.set_hook(LuaHookTriggers::EVERY_LINE, |_lua, _debug| Ok(LuaVmState::Yield))?;
    /// let mut steps = 0;
    /// while co.is_resumable() {
    ///     co.resume::<()>(())?;
    ///     steps += 1;
    /// }
    /// assert_eq!(steps, 4);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_hook<F>(&self, triggers: LuaHookTriggers, callback: F) -> LuaResult<()>
    where
        F: Fn(&Lua, &LuaDebug) -> LuaResult<LuaVmState> + 'static,
    {
        let lua = Lua::of_handle(&self.0)?;
        let hook = thread_hook(Rc::downgrade(&lua.inner), Rc::new(callback));
        let (mask, count) = triggers.mask_and_count();
        lua.with(|st| -> LuaResult<()> {
            let Value::Thread(th) = lua.value_of(st, &self.0)? else { return Err(LuaError::runtime("not a thread")) };
            st.set_thread_hook(th, Some(hook), mask, count, false);
            Ok(())
        })?
    }

    /// Removes the hook of this thread.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let co = lua.create_thread(lua.load("local x = 1").into_function()?)?;
    /// co.set_hook(LuaHookTriggers::EVERY_LINE, |_lua, _debug| Err(LuaError::runtime("stop")))?;
    /// co.remove_hook();
    /// co.resume::<()>(())?;
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn remove_hook(&self) {
        let Ok(lua) = Lua::of_handle(&self.0) else { return };
        let _ = lua.with(|st| {
            if let Ok(Value::Thread(th)) = lua.value_of(st, &self.0) {
                st.set_hook(th, None, 0, 0);
            }
        });
    }
}
