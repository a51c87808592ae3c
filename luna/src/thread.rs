//! `LuaThread`: a handle to a coroutine, resumable from Rust; its status
//! and reset; `Lua::current_thread`; and the thread event callback
//! (`Lua::set_thread_event_callback`), told when the host creates,
//! resumes, or sees a yield of a thread.

use std::rc::Rc;

use luna_core::gc::Gc;
use luna_core::object::thread::{Thread, ThreadStatus};
use luna_core::{State, Status, Value};

use crate::error::{format_traceback, with_traceback, LuaError, LuaResult, TracebackFrame};
use crate::failure::{Failure, Fallible};
use crate::function::LuaFunction;
use crate::lua::{HandleRef, Lua};
use crate::multi::{FromLuaMulti, GatheredMulti, IntoLuaMulti, PreparedMulti};

/// A coroutine.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let f: LuaFunction = lua.load("function(a) local b = coroutine.yield(a + 1) return b * 2 end").eval()?;
/// let co = lua.create_thread(f)?;
/// assert_eq!(co.resume::<i64>(1)?, 2); // yielded
/// assert_eq!(co.resume::<i64>(21)?, 42); // returned
/// assert_eq!(co.status(), LuaThreadStatus::Finished);
/// assert!(matches!(co.resume::<()>(()), Err(LuaError::CoroutineUnresumable)));
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone)]
pub struct LuaThread(pub(crate) HandleRef);

impl std::fmt::Debug for LuaThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LuaThread({:?})", self.0)
    }
}

impl PartialEq for LuaThread {
    fn eq(&self, other: &LuaThread) -> bool {
        crate::lua::same_value(&self.0, &other.0)
    }
}

/// The status of a coroutine.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let co = lua.create_thread(lua.load("error('x')").into_function()?)?;
/// assert_eq!(co.status(), LuaThreadStatus::Resumable);
/// let _ = co.resume::<()>(());
/// assert_eq!(co.status(), LuaThreadStatus::Error);
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaThreadStatus {
    /// Not started yet, or suspended in a yield: `resume` can run it.
    Resumable,
    /// Running: it is the thread whose code called into Rust.
    Running,
    /// Active but not running: it resumed another thread, which has not
    /// yet returned or yielded.
    Normal,
    /// Returned.
    Finished,
    /// Died with an error.
    Error,
}

/// Which thread events the thread event callback receives (mlua's
/// `ThreadTriggers`). Triggers combine with `|`.
///
/// ```
/// use luna::LuaThreadTriggers;
/// let t = LuaThreadTriggers::ON_CREATE | LuaThreadTriggers::new().on_yield();
/// assert!(t.on_create && !t.on_resume && t.on_yield);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LuaThreadTriggers {
    /// A thread is created by `Lua::create_thread`.
    pub on_create: bool,
    /// A thread is about to be resumed by `LuaThread::resume`.
    pub on_resume: bool,
    /// A thread resumed by `LuaThread::resume` has just yielded.
    pub on_yield: bool,
}

impl LuaThreadTriggers {
    /// Thread creation.
    pub const ON_CREATE: LuaThreadTriggers = LuaThreadTriggers::new().on_create();
    /// Resumes.
    pub const ON_RESUME: LuaThreadTriggers = LuaThreadTriggers::new().on_resume();
    /// Yields.
    pub const ON_YIELD: LuaThreadTriggers = LuaThreadTriggers::new().on_yield();

    /// No events.
    pub const fn new() -> LuaThreadTriggers {
        LuaThreadTriggers { on_create: false, on_resume: false, on_yield: false }
    }

    /// Adds creation.
    #[must_use]
    pub const fn on_create(mut self) -> LuaThreadTriggers {
        self.on_create = true;
        self
    }

    /// Adds resumes.
    #[must_use]
    pub const fn on_resume(mut self) -> LuaThreadTriggers {
        self.on_resume = true;
        self
    }

    /// Adds yields.
    #[must_use]
    pub const fn on_yield(mut self) -> LuaThreadTriggers {
        self.on_yield = true;
        self
    }
}

impl std::ops::BitOr for LuaThreadTriggers {
    type Output = LuaThreadTriggers;
    fn bitor(mut self, rhs: LuaThreadTriggers) -> LuaThreadTriggers {
        self.on_create |= rhs.on_create;
        self.on_resume |= rhs.on_resume;
        self.on_yield |= rhs.on_yield;
        self
    }
}

impl std::ops::BitOrAssign for LuaThreadTriggers {
    fn bitor_assign(&mut self, rhs: LuaThreadTriggers) {
        *self = *self | rhs;
    }
}

/// A thread event (mlua's `ThreadEvent`), with the thread.
///
/// ```
/// # use luna::prelude::*;
/// # use std::{cell::RefCell, rc::Rc};
/// use luna::{LuaThreadEvent, LuaThreadTriggers};
/// let lua = Lua::new();
/// let yielded = Rc::new(RefCell::new(None));
/// let y = yielded.clone();
/// lua.set_thread_event_callback(LuaThreadTriggers::ON_YIELD, move |_lua, event| {
///     if let LuaThreadEvent::Yield(thread) = event {
///         *y.borrow_mut() = Some(thread);
///     }
///     Ok(())
/// });
/// let co = lua.create_thread(lua.load("coroutine.yield()").into_function()?)?;
/// co.resume::<()>(())?;
/// assert_eq!(yielded.borrow().as_ref(), Some(&co));
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LuaThreadEvent {
    /// The thread was created.
    Create(LuaThread),
    /// The thread is about to be resumed.
    Resume(LuaThread),
    /// The thread has just yielded.
    Yield(LuaThread),
}

/// The thread event callback as the facade keeps it.
pub(crate) type ThreadEventCallback = Rc<dyn Fn(&Lua, LuaThreadEvent) -> LuaResult<()>>;

/// What `LuaThread::status` reads, with the thread's frames told apart.
enum Inner {
    /// New or yielded.
    Resumable,
    /// New: only its function and arguments are on its stack.
    New,
    Running,
    Normal,
    Finished,
    Error,
}

/// The status of coroutine `co` (mlua's `status_inner`).
fn status_of(st: &State, co: Gc<Thread>) -> Inner {
    if co.ptr_eq(st.current_thread()) {
        return Inner::Running;
    }
    match st.thread_status(co) {
        ThreadStatus::Yield => Inner::Resumable,
        ThreadStatus::Error(_) => Inner::Error,
        ThreadStatus::Ok => match luna_core::stdlib::coroutine::status_of(st, co) {
            "normal" => Inner::Normal,
            "dead" => Inner::Finished,
            _ => Inner::New,
        },
    }
}

impl LuaThread {
    fn lua(&self) -> LuaResult<Lua> {
        Lua::of_handle(&self.0)
    }

    /// The coroutine of this handle.
    fn coroutine(&self, lua: &Lua, st: &State) -> LuaResult<Gc<Thread>> {
        match lua.value_of(st, &self.0)? {
            Value::Thread(t) => Ok(t),
            _ => Err(LuaError::runtime("not a thread")),
        }
    }

    /// Resumes the coroutine with `args`; returns the values it yields, or
    /// those it returns when it finishes. A coroutine that cannot be
    /// resumed (finished, failed, running, or resuming another) gives
    /// `LuaError::CoroutineUnresumable`.
    pub fn resume<R: FromLuaMulti>(&self, args: impl IntoLuaMulti) -> LuaResult<R> {
        let lua = self.lua()?;
        // With a thread event callback, the coroutine is checked before the
        // callback runs (it must not see a resume that fails); without one,
        // the check and the resume are one access.
        if lua.has_thread_events() {
            let resumable = lua.with(|st| -> LuaResult<bool> {
                let co = self.coroutine(&lua, st)?;
                Ok(matches!(status_of(st, co), Inner::Resumable | Inner::New))
            })??;
            if !resumable {
                return Err(LuaError::CoroutineUnresumable);
            }
            lua.thread_event(LuaThreadTriggers::ON_RESUME, || LuaThreadEvent::Resume(self.clone()))?;
        }
        let args = PreparedMulti::new(args, &lua)?;
        // The access's outcome carries its error boxed (`Fallible`): the
        // common outcome, a gathered result, stays small to move.
        let outcome = lua.with_fallible(|st| -> Fallible<(Fallible<GatheredMulti<R>>, bool)> {
            let co = self.coroutine(&lua, st)?;
            if !matches!(status_of(st, co), Inner::Resumable | Inner::New) {
                return Err(LuaError::CoroutineUnresumable.into());
            }
            // The arguments are pushed here, then move to the coroutine's
            // stack.
            let base = st.top();
            let nargs = match args.push(&lua, st) {
                Ok(n) => n,
                Err(e) => {
                    st.set_top(base);
                    return Err(e.into());
                }
            };
            for i in base..base + nargs {
                let v = st.stack_get(i);
                st.push_to_thread(co, v);
            }
            st.set_top(base);
            let (status, n) = st.resume(co, nargs);
            if st.check_stack(n + 1).is_err() {
                return Err(LuaError::runtime("too many results to resume").into());
            }
            st.xmove_from(co, n);
            if status == Status::Ok || status == Status::Yield {
                let out = GatheredMulti::new(&lua, st, base, n, None);
                st.set_top(base);
                Ok((out, status == Status::Yield))
            } else {
                let v = st.stack_get(base);
                st.set_top(base);
                if crate::lua::is_raw_error(v) {
                    // A hook's error reaches the host as it is.
                    let e = luna_core::api::HostError { status, value: v, traceback: Vec::new() };
                    return Err(lua.host_error(st, e).into());
                }
                let frames: Vec<TracebackFrame> = st
                    .thread_traceback_frames(co)
                    .into_iter()
                    .map(|f| TracebackFrame { source: f.source, line: f.line, name: f.name })
                    .collect();
                let e = luna_core::api::HostError { status, value: v, traceback: Vec::new() };
                Err(Failure::from(match lua.host_error(st, e) {
                    LuaError::RuntimeError(message) => LuaError::RuntimeError(with_traceback(message, &frames)),
                    LuaError::CallbackError { cause, .. } => {
                        LuaError::CallbackError { traceback: format_traceback(&frames), cause }
                    }
                    other => other,
                }))
            }
        });
        let (out, yielded) = outcome.and_then(|r| r).map_err(Failure::into_error)?;
        if yielded && lua.has_thread_events() {
            lua.thread_event(LuaThreadTriggers::ON_YIELD, || LuaThreadEvent::Yield(self.clone()))?;
        }
        GatheredMulti::results(out, &lua)
    }

    /// The coroutine's status (`Error` too when its `Lua` is gone).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let co = lua.create_thread(lua.load("coroutine.yield()").into_function()?)?;
    /// assert!(co.is_resumable());
    /// co.resume::<()>(())?;
    /// assert!(co.is_resumable());
    /// co.resume::<()>(())?;
    /// assert!(co.is_finished());
    /// assert!(lua.current_thread().is_running());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn status(&self) -> LuaThreadStatus {
        let Ok(lua) = self.lua() else { return LuaThreadStatus::Error };
        let status = lua.with(|st| self.coroutine(&lua, st).map(|co| status_of(st, co)));
        match status {
            Ok(Ok(Inner::Resumable | Inner::New)) => LuaThreadStatus::Resumable,
            Ok(Ok(Inner::Running)) => LuaThreadStatus::Running,
            Ok(Ok(Inner::Normal)) => LuaThreadStatus::Normal,
            Ok(Ok(Inner::Finished)) => LuaThreadStatus::Finished,
            _ => LuaThreadStatus::Error,
        }
    }

    /// Whether `resume` can run it.
    pub fn is_resumable(&self) -> bool {
        self.status() == LuaThreadStatus::Resumable
    }

    /// Whether it is the running thread.
    pub fn is_running(&self) -> bool {
        self.status() == LuaThreadStatus::Running
    }

    /// Whether it is resuming another thread.
    pub fn is_normal(&self) -> bool {
        self.status() == LuaThreadStatus::Normal
    }

    /// Whether it returned.
    pub fn is_finished(&self) -> bool {
        self.status() == LuaThreadStatus::Finished
    }

    /// Whether it died with an error.
    pub fn is_error(&self) -> bool {
        self.status() == LuaThreadStatus::Error
    }

    /// Makes the coroutine run `func` from the start, as a new one.
    /// A suspended or failed coroutine is closed first (PUC's
    /// `lua_closethread`): its pending to-be-closed variables are closed,
    /// and the error it died with, or one raised while closing, is
    /// returned; the coroutine is then finished, and a second `reset`
    /// succeeds. A running or normal coroutine cannot be reset.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let co = lua.create_thread(lua.load("error('boom')").into_function()?)?;
    /// assert!(co.resume::<()>(()).is_err());
    /// assert!(co.reset(lua.load("return 1").into_function()?).is_err()); // the error it died with
    /// co.reset(lua.load("return 2").into_function()?)?;
    /// assert_eq!(co.resume::<i64>(())?, 2);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn reset(&self, func: LuaFunction) -> LuaResult<()> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<()> {
            let co = self.coroutine(&lua, st)?;
            let f = lua.value_of(st, &func.0)?;
            match status_of(st, co) {
                Inner::Running => return Err(LuaError::runtime("cannot reset a running thread")),
                Inner::Normal => return Err(LuaError::runtime("cannot reset a normal thread")),
                Inner::New => st.reset_thread_stack(co),
                Inner::Finished => {}
                Inner::Resumable | Inner::Error => {
                    let status = st.close_thread(co);
                    if status != Status::Ok {
                        // The error value is on the coroutine's top.
                        let base = st.top();
                        let value = match st.check_stack(1) {
                            Ok(()) => {
                                st.xmove_from(co, 1);
                                let v = st.stack_get(base);
                                st.set_top(base);
                                v
                            }
                            Err(_) => Value::Nil,
                        };
                        st.reset_thread_stack(co);
                        let e = luna_core::api::HostError { status, value, traceback: Vec::new() };
                        return Err(lua.host_error(st, e));
                    }
                    st.reset_thread_stack(co);
                }
            }
            st.push_to_thread(co, f);
            Ok(())
        })?
    }

    /// The address of the coroutine, for hashing and debug output (the
    /// address `tostring` shows; null when its `Lua` is gone).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let co = lua.create_thread(lua.load("return").into_function()?)?;
    /// assert_eq!(co.to_pointer(), co.clone().to_pointer());
    /// assert_ne!(co.to_pointer(), lua.current_thread().to_pointer());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn to_pointer(&self) -> *const std::ffi::c_void {
        let Ok(lua) = self.lua() else { return std::ptr::null() };
        match lua.with(|st| self.coroutine(&lua, st).map(|co| co.addr())) {
            Ok(Ok(addr)) => addr as *const std::ffi::c_void,
            _ => std::ptr::null(),
        }
    }
}

impl Lua {
    /// The running thread: the main thread, or in a callback the thread
    /// that called it.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let me = lua.create_function(|lua, ()| Ok(lua.current_thread()))?;
    /// let co = lua.create_thread(me)?;
    /// assert_eq!(co.resume::<LuaThread>(())?, co);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn current_thread(&self) -> LuaThread {
        self.with(|st| {
            let th = st.current_thread();
            LuaThread(self.pin(st, Value::Thread(th)))
        })
        .expect("the state is accessible outside other operations")
    }

    /// A new coroutine running `f`. It gets the global hook, if one is
    /// set, and the thread event callback hears of it (`on_create`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let co = lua.create_thread(lua.load("local a = ... return a * 2").into_function()?)?;
    /// assert_eq!(co.resume::<i64>(21)?, 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_thread(&self, f: LuaFunction) -> LuaResult<LuaThread> {
        let thread = self.with(|st| -> LuaResult<LuaThread> {
            let fv = self.value_of(st, &f.0)?;
            let co = match st.new_thread() {
                Ok(co) => co,
                Err(t) => {
                    let e = luna_core::api::HostError { status: t.status, value: t.value, traceback: Vec::new() };
                    return Err(self.host_error(st, e));
                }
            };
            self.install_global_hook(st, Value::Thread(co));
            st.push_to_thread(co, fv);
            Ok(LuaThread(self.pin(st, Value::Thread(co))))
        })??;
        self.thread_event(LuaThreadTriggers::ON_CREATE, || LuaThreadEvent::Create(thread.clone()))?;
        Ok(thread)
    }

    /// Sets the callback told of thread events (replacing any other):
    /// the host creating a thread (`create_thread`), resuming one
    /// (`LuaThread::resume`, before it runs) or seeing it yield. An error
    /// it returns is what the operation returns (a resume it refuses does
    /// not happen). Events caused by the callback itself are not reported.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::{cell::Cell, rc::Rc};
    /// use luna::LuaThreadTriggers;
    /// let lua = Lua::new();
    /// let resumes = Rc::new(Cell::new(0));
    /// let r = resumes.clone();
    /// lua.set_thread_event_callback(LuaThreadTriggers::ON_RESUME, move |_lua, _event| {
    ///     r.set(r.get() + 1);
    ///     Ok(())
    /// });
    /// let co = lua.create_thread(lua.load("coroutine.yield()").into_function()?)?;
    /// co.resume::<()>(())?;
    /// co.resume::<()>(())?;
    /// assert_eq!(resumes.get(), 2);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_thread_event_callback<F>(&self, triggers: LuaThreadTriggers, callback: F)
    where
        F: Fn(&Lua, LuaThreadEvent) -> LuaResult<()> + 'static,
    {
        *self.inner.callbacks.thread_events.borrow_mut() = Some((triggers, Rc::new(callback)));
    }

    /// Removes the thread event callback.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// use luna::LuaThreadTriggers;
    /// let lua = Lua::new();
    /// lua.set_thread_event_callback(LuaThreadTriggers::ON_CREATE, |_lua, _event| Err(LuaError::runtime("no")));
    /// assert!(lua.create_thread(lua.load("return").into_function()?).is_err());
    /// lua.remove_thread_event_callback();
    /// assert!(lua.create_thread(lua.load("return").into_function()?).is_ok());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn remove_thread_event_callback(&self) {
        *self.inner.callbacks.thread_events.borrow_mut() = None;
    }

    /// Tells the thread event callback of an event, if it listens to
    /// `trigger` and is not already running.
    /// Whether a thread event callback is set (`set_thread_event_callback`).
    #[inline]
    fn has_thread_events(&self) -> bool {
        self.inner.callbacks.thread_events.borrow().is_some()
    }

    fn thread_event(&self, trigger: LuaThreadTriggers, event: impl FnOnce() -> LuaThreadEvent) -> LuaResult<()> {
        let callback = match &*self.inner.callbacks.thread_events.borrow() {
            Some((triggers, cb))
                if Rc::strong_count(cb) == 1
                    && ((trigger.on_create && triggers.on_create)
                        || (trigger.on_resume && triggers.on_resume)
                        || (trigger.on_yield && triggers.on_yield)) =>
            {
                cb.clone()
            }
            _ => return Ok(()),
        };
        callback(self, event())
    }
}
