//! `LuaThread`: a handle to a coroutine, resumable from Rust.

use luna_core::object::thread::ThreadStatus;
use luna_core::{Status, Value};

use crate::error::{format_traceback, with_traceback, LuaError, LuaResult, TracebackFrame};
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
/// assert!(co.resume::<()>(()).is_err()); // cannot resume dead coroutine
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaThreadStatus {
    /// Not started yet, or suspended in a yield.
    Resumable,
    /// Running (it is the current coroutine, or it resumed another).
    Running,
    /// Returned.
    Finished,
    /// Died with an error.
    Error,
}

impl LuaThread {
    fn lua(&self) -> LuaResult<Lua> {
        Lua::of_handle(&self.0)
    }

    /// Resumes the coroutine with `args`; returns the values it yields, or
    /// those it returns when it finishes.
    pub fn resume<R: FromLuaMulti>(&self, args: impl IntoLuaMulti) -> LuaResult<R> {
        let lua = self.lua()?;
        let args = PreparedMulti::new(args, &lua)?;
        let out = lua.with(|st| -> LuaResult<GatheredMulti<R>> {
            let co = match lua.value_of(st, &self.0)? {
                Value::Thread(t) => t,
                _ => return Err(LuaError::runtime("not a thread")),
            };
            // The running coroutine (the one a callback was called from)
            // cannot be resumed: its stack is the one in use.
            if co.ptr_eq(st.current_thread()) {
                return Err(LuaError::runtime("cannot resume non-suspended coroutine"));
            }
            // The arguments are pushed here, then move to the coroutine's
            // stack.
            let base = st.top();
            let nargs = match args.push(&lua, st) {
                Ok(n) => n,
                Err(e) => {
                    st.set_top(base);
                    return Err(e);
                }
            };
            for i in base..base + nargs {
                let v = st.stack_get(i);
                st.push_to_thread(co, v);
            }
            st.set_top(base);
            let (status, n) = st.resume(co, nargs);
            if st.check_stack(n + 1).is_err() {
                return Err(LuaError::runtime("too many results to resume"));
            }
            st.xmove_from(co, n);
            if status == Status::Ok || status == Status::Yield {
                let out = GatheredMulti::new(&lua, st, base, n, None);
                st.set_top(base);
                Ok(out)
            } else {
                let v = st.stack_get(base);
                st.set_top(base);
                let frames: Vec<TracebackFrame> = st
                    .thread_traceback_frames(co)
                    .into_iter()
                    .map(|f| TracebackFrame { source: f.source, line: f.line, name: f.name })
                    .collect();
                let e = luna_core::api::HostError { status, value: v, traceback: Vec::new() };
                Err(match lua.host_error(st, e) {
                    LuaError::RuntimeError(message) => LuaError::RuntimeError(with_traceback(message, &frames)),
                    LuaError::CallbackError { cause, .. } => {
                        LuaError::CallbackError { traceback: format_traceback(&frames), cause }
                    }
                    other => other,
                })
            }
        })??;
        out.finish(&lua, None)
    }

    /// The coroutine's status.
    pub fn status(&self) -> LuaThreadStatus {
        let lua = match self.lua() {
            Ok(l) => l,
            Err(_) => return LuaThreadStatus::Error,
        };
        lua.with(|st| match lua.value_of(st, &self.0) {
            Ok(Value::Thread(co)) => match st.thread_status(co) {
                ThreadStatus::Error(_) => LuaThreadStatus::Error,
                _ => match luna_core::stdlib::coroutine::status_of(st, co) {
                    "suspended" => LuaThreadStatus::Resumable,
                    "dead" => LuaThreadStatus::Finished,
                    _ => LuaThreadStatus::Running,
                },
            },
            _ => LuaThreadStatus::Error,
        })
        .unwrap_or(LuaThreadStatus::Error)
    }

    /// Whether `resume` can be called.
    pub fn is_resumable(&self) -> bool {
        self.status() == LuaThreadStatus::Resumable
    }

    /// Resets a finished (or failed, or not yet started) coroutine to run
    /// `func` from the start, closing its pending to-be-closed variables.
    pub fn reset(&self, func: LuaFunction) -> LuaResult<()> {
        let lua = self.lua()?;
        lua.with(|st| -> LuaResult<()> {
            let co = match lua.value_of(st, &self.0)? {
                Value::Thread(t) => t,
                _ => return Err(LuaError::runtime("not a thread")),
            };
            // The running coroutine (the one a callback was called from)
            // cannot be resumed: its stack is the one in use.
            if co.ptr_eq(st.current_thread()) {
                return Err(LuaError::runtime("cannot resume non-suspended coroutine"));
            }
            if luna_core::stdlib::coroutine::status_of(st, co) == "running"
                || luna_core::stdlib::coroutine::status_of(st, co) == "normal"
            {
                return Err(LuaError::runtime("cannot reset a running coroutine"));
            }
            let f = lua.value_of(st, &func.0)?;
            st.close_thread(co);
            st.reset_thread_stack(co);
            st.push_to_thread(co, f);
            Ok(())
        })?
    }
}
