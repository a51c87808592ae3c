//! Introspection of the running code: `LuaDebug` (what a hook receives and
//! `Lua::inspect_stack` gives, the information of `debug.getinfo`) and
//! `Lua::traceback`.

use std::borrow::Cow;

use luna_core::vm::hooks::HookEvent;
use luna_core::{State, Value};

use crate::error::LuaResult;
use crate::function::LuaFunction;
use crate::lua::Lua;
use crate::string::LuaString;

/// The event that ran a hook (mlua's `DebugEvent`).
///
/// ```
/// # use luna::prelude::*;
/// # use std::{cell::RefCell, rc::Rc};
/// use luna::LuaDebugEvent;
/// let lua = Lua::new();
/// let events = Rc::new(RefCell::new(Vec::new()));
/// let e = events.clone();
/// lua.set_hook(LuaHookTriggers::ON_CALLS | LuaHookTriggers::ON_RETURNS, move |_lua, debug| {
///     e.borrow_mut().push(debug.event());
///     Ok(LuaVmState::Continue)
/// })?;
/// lua.load("local x = 1").exec()?;
/// lua.remove_hook();
/// assert_eq!(*events.borrow(), [LuaDebugEvent::Call, LuaDebugEvent::Ret]);
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaDebugEvent {
    /// A function was called.
    Call,
    /// A function returns.
    Ret,
    /// A function was called by a tail call.
    TailCall,
    /// A new line starts.
    Line,
    /// The instruction count came round.
    Count,
    /// No event: the `LuaDebug` of `inspect_stack`.
    Unknown(i32),
}

/// How the caller named a function (`debug.getinfo`'s `n` fields).
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let name = lua.create_function(|lua, ()| {
///     Ok(lua.inspect_stack(0, |d| {
///         let n = d.names();
///         format!("{} {}", n.name_what.unwrap_or("?"), n.name.unwrap_or_default())
///     }))
/// })?;
/// lua.globals().set("whoami", name)?;
/// assert_eq!(lua.load("return (whoami())").eval::<String>()?, "global whoami");
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LuaDebugNames<'a> {
    /// The name (`None` when it cannot be found).
    pub name: Option<Cow<'a, str>>,
    /// What the name is: `global`, `local`, `method`, `field`, `upvalue`,
    /// `metamethod`, `for iterator`, `hook`.
    pub name_what: Option<&'static str>,
}

/// Where a function comes from (`debug.getinfo`'s `S` fields).
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let src = lua.create_function(|lua, ()| {
///     Ok(lua.inspect_stack(1, |d| {
///         let s = d.source();
///         format!("{} {} {:?}", s.what, s.short_src.unwrap_or_default(), s.line_defined)
///     }))
/// })?;
/// lua.globals().set("src", src)?;
/// let s: String = lua.load("local function f()\n  return (src())\nend\nreturn (f())").set_name("@app.lua").eval()?;
/// assert_eq!(s, "Lua app.lua Some(1)");
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LuaDebugSource<'a> {
    /// The source of its chunk (`@file.lua`, `=[C]`, or the text of the
    /// chunk).
    pub source: Option<Cow<'a, str>>,
    /// The source as messages show it (`file.lua`, `[C]`,
    /// `[string "..."]`).
    pub short_src: Option<Cow<'a, str>>,
    /// The line where its definition starts (0 for a main chunk, `None`
    /// for Rust functions).
    pub line_defined: Option<usize>,
    /// The line where its definition ends.
    pub last_line_defined: Option<usize>,
    /// `Lua`, `C` (a Rust function) or `main` (a main chunk).
    pub what: &'static str,
}

/// The shape of a function (`debug.getinfo`'s `u` fields).
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let shape = lua.create_function(|lua, ()| {
///     let s = lua.inspect_stack(1, |d| d.stack()).ok_or_else(|| LuaError::runtime("no caller"))?;
///     Ok((s.num_params, s.is_vararg))
/// })?;
/// lua.globals().set("shape", shape)?;
/// let (params, vararg): (u8, bool) = lua.load("local function f(a, b) return shape() end return f()").eval()?;
/// assert_eq!((params, vararg), (2, false));
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Copy)]
pub struct LuaDebugStack {
    /// Its number of upvalues.
    pub num_upvalues: u8,
    /// Its number of fixed parameters (0 for Rust functions).
    pub num_params: u8,
    /// Whether it takes variable arguments (always for Rust functions).
    pub is_vararg: bool,
}

// The debug form is mlua's (`DebugStack { num_upvalues: 1, num_params: 3,
// is_vararg: true }`), so that output checked against mlua's stays the same.
impl std::fmt::Debug for LuaDebugStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DebugStack")
            .field("num_upvalues", &self.num_upvalues)
            .field("num_params", &self.num_params)
            .field("is_vararg", &self.is_vararg)
            .finish()
    }
}

/// A frame of the running code, as a hook or `Lua::inspect_stack` sees
/// it. Each method reads the frame when called; it is valid only inside
/// the callback that received it.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let where_am_i = lua.create_function(|lua, ()| {
///     let here = lua.inspect_stack(1, |d| (d.source().short_src.map(|s| s.into_owned()), d.current_line()));
///     here.ok_or_else(|| LuaError::runtime("no caller"))
/// })?;
/// lua.globals().set("where_am_i", where_am_i)?;
/// let (src, line): (String, usize) = lua.load("\nlocal s, l = where_am_i()\nreturn s, l").set_name("=demo").eval()?;
/// assert_eq!((src.as_str(), line), ("demo", 2));
/// # Ok::<(), LuaError>(())
/// ```
pub struct LuaDebug<'a> {
    lua: &'a Lua,
    event: Option<HookEvent>,
    /// The frame, in the runtime's frame list of `thread`.
    ci_idx: usize,
    /// The address of the thread running the frame: it identifies the
    /// thread while the frame runs, which is all the time this value lives
    /// (the address is compared, never followed).
    thread: usize,
    /// The line given with a line event.
    line: Option<usize>,
}

impl<'a> LuaDebug<'a> {
    /// The hooked frame: the top frame of the running thread.
    pub(crate) fn for_hook(lua: &'a Lua, st: &State, event: HookEvent, line: i64) -> LuaDebug<'a> {
        let ci_idx = st.frame_at_level(0).unwrap_or(0);
        let line = usize::try_from(line).ok().filter(|_| event == HookEvent::Line);
        LuaDebug { lua, event: Some(event), ci_idx, thread: st.current_thread().addr(), line }
    }

    /// Reads the frame, or gives `default` if it is no longer running here.
    fn read<R>(&self, default: R, f: impl FnOnce(&mut State, usize) -> R) -> R {
        self.lua
            .with(|st| {
                if st.current_thread().addr() == self.thread && st.frame_function(self.ci_idx).is_some() {
                    Some(f(st, self.ci_idx))
                } else {
                    None
                }
            })
            .ok()
            .flatten()
            .unwrap_or(default)
    }

    /// The event that ran the hook (`Unknown(-1)` outside hooks).
    pub fn event(&self) -> LuaDebugEvent {
        match self.event {
            Some(HookEvent::Call) => LuaDebugEvent::Call,
            Some(HookEvent::Return) => LuaDebugEvent::Ret,
            Some(HookEvent::TailCall) => LuaDebugEvent::TailCall,
            Some(HookEvent::Line) => LuaDebugEvent::Line,
            Some(HookEvent::Count) => LuaDebugEvent::Count,
            None => LuaDebugEvent::Unknown(-1),
        }
    }

    /// The function running in the frame (`debug.getinfo`'s `f`).
    pub fn function(&self) -> LuaFunction {
        self.lua
            .with(|st| {
                // A frame that is gone gives a handle to nil: calling it is
                // the Lua error "attempt to call a nil value".
                let here = st.current_thread().addr() == self.thread;
                let f = if here { st.frame_function(self.ci_idx) } else { None };
                LuaFunction(self.lua.pin(st, f.unwrap_or(Value::Nil)))
            })
            .expect("the state is accessible inside the callback that received the frame")
    }

    /// How the caller named the function (`debug.getinfo`'s `n`).
    pub fn names(&self) -> LuaDebugNames<'_> {
        let named = self.read(None, |st, ci| st.callback_name(ci));
        match named {
            Some((what, name)) => LuaDebugNames { name: Some(Cow::Owned(name)), name_what: Some(what) },
            None => LuaDebugNames { name: None, name_what: None },
        }
    }

    /// Where the function comes from (`debug.getinfo`'s `S`).
    pub fn source(&self) -> LuaDebugSource<'_> {
        let info = self.read(None, |st, ci| st.frame_function(ci).map(|f| st.function_info(f)));
        let Some(info) = info else {
            return LuaDebugSource {
                source: None,
                short_src: None,
                line_defined: None,
                last_line_defined: None,
                what: "main",
            };
        };
        LuaDebugSource {
            source: Some(Cow::Owned(String::from_utf8_lossy(&info.source).into_owned())),
            short_src: Some(Cow::Owned(String::from_utf8_lossy(&info.short_src).into_owned())),
            line_defined: usize::try_from(info.line_defined).ok(),
            last_line_defined: usize::try_from(info.last_line_defined).ok(),
            what: info.what,
        }
    }

    /// The line running in the frame (`None` for Rust functions).
    pub fn current_line(&self) -> Option<usize> {
        if self.line.is_some() {
            return self.line;
        }
        self.read(None, |st, ci| st.frame_current_line(ci).map(|l| l as usize))
    }

    /// Whether the frame was entered by a tail call.
    pub fn is_tail_call(&self) -> bool {
        self.read(false, |st, ci| st.frame_is_tail_call(ci))
    }

    /// The shape of the function (`debug.getinfo`'s `u`).
    pub fn stack(&self) -> LuaDebugStack {
        let info = self.read(None, |st, ci| st.frame_function(ci).map(|f| st.function_info(f)));
        match info {
            Some(d) => LuaDebugStack {
                num_upvalues: d.nups.min(u8::MAX as usize) as u8,
                num_params: d.nparams.min(u8::MAX as usize) as u8,
                is_vararg: d.is_vararg,
            },
            None => LuaDebugStack { num_upvalues: 0, num_params: 0, is_vararg: false },
        }
    }
}

impl Lua {
    /// Runs `f` on the frame at `level` of the running thread: 0 is the
    /// running function (in a callback, the callback itself), 1 the
    /// function that called it, and so on. `None` when there is no such
    /// level (outside any call, there is none).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// assert!(lua.inspect_stack(0, |_| ()).is_none());
    /// let caller = lua.create_function(|lua, ()| {
    ///     Ok(lua.inspect_stack(1, |d| d.names().name.map(|n| n.into_owned())).flatten())
    /// })?;
    /// lua.globals().set("caller", caller)?;
    /// let name: String = lua.load("local function outer() return (caller()) end return (outer())").eval()?;
    /// assert_eq!(name, "outer");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn inspect_stack<R>(&self, level: usize, f: impl FnOnce(&LuaDebug) -> R) -> Option<R> {
        let (ci_idx, thread) =
            self.with(|st| st.frame_at_level(level).map(|ci| (ci, st.current_thread().addr()))).ok()??;
        Some(f(&LuaDebug { lua: self, event: None, ci_idx, thread, line: None }))
    }

    /// A traceback of the running thread from `level` (as
    /// `inspect_stack` counts levels), after `msg` if given: what
    /// `debug.traceback` gives.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let tb = lua.create_function(|lua, ()| lua.traceback(Some("here"), 1))?;
    /// lua.globals().set("tb", tb)?;
    /// let s: String = lua.load("local function f() return tb() end return f()").set_name("=demo").eval()?;
    /// assert!(s.starts_with("here\nstack traceback:\n\tdemo:1: in "), "{s}");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn traceback(&self, msg: Option<&str>, level: usize) -> LuaResult<LuaString> {
        self.with(|st| {
            let tb = st.traceback(msg.map(str::as_bytes), level);
            match st.new_str(&tb) {
                Ok(s) => Ok(LuaString(self.pin(st, Value::Str(s)))),
                Err(t) => Err(self.host_error(
                    st,
                    luna_core::api::HostError { status: t.status, value: t.value, traceback: Vec::new() },
                )),
            }
        })?
    }
}
