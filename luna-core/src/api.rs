//! Host-facing conveniences over the native API: protected calls that
//! report structured errors (the error value plus traceback frames), and
//! the instruction budget's modes.
//!
//! Values returned to the host are not GC roots: a host that keeps one
//! beyond the next call into Lua must pin it (`State::pin`).

use crate::state::State;
use crate::value::Value;
use crate::vm::debug::FrameInfo;
use crate::vm::{LResult, Status};

/// A Lua error seen by the host: the status, the error value (unrooted:
/// pin it to keep it) and the traceback captured where it was raised.
#[derive(Clone, Debug)]
pub struct HostError {
    pub status: Status,
    pub value: Value,
    /// The frames active when the error was raised, innermost first.
    pub traceback: Vec<FrameInfo>,
}

/// What happens when the instruction budget runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuelMode {
    /// Raise the catchable error "instruction limit reached".
    Error,
    /// Inside a coroutine, yield to the host (which can add fuel and
    /// resume it); outside one, raise the error.
    Yield,
}

/// Message handler of host calls: records the traceback of the first
/// error and leaves the error value unchanged.
fn capture_traceback(st: &mut State) -> LResult<usize> {
    let v = st.arg(1);
    if st.captured_traceback.is_none() {
        st.captured_traceback = Some(st.traceback_frames(1));
    }
    st.push(v);
    Ok(1)
}

impl State {
    /// The message handler used by host calls, created once.
    fn host_handler(&mut self) -> LResult<Value> {
        if let Some(h) = self.host_handler {
            return Ok(h);
        }
        let h = self.new_native(capture_traceback)?;
        // Anchor it in the registry so the collector keeps it.
        let reg = self.registry;
        self.raw_set_field(reg, "_HOSTHANDLER", h)?;
        self.host_handler = Some(h);
        Ok(h)
    }

    /// Calls `f` with `args` in protected mode. On success the results are
    /// on the stack from the returned index up to `top()` (the caller pops
    /// them with `set_top`); on error the stack is restored and the error
    /// is returned with its traceback.
    pub fn host_call(&mut self, f: Value, args: &[Value], nresults: i32) -> Result<usize, HostError> {
        if let Err(t) = self.ensure_stack(args.len() + 2) {
            return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() });
        }
        let base = self.top();
        self.push(f);
        for a in args {
            self.push(*a);
        }
        self.host_call_at(base, nresults)
    }

    /// Calls the function at stack index `base` with the arguments pushed
    /// above it, in protected mode, as `host_call` does. On success the
    /// results start at `base`.
    pub fn host_call_at(&mut self, base: usize, nresults: i32) -> Result<usize, HostError> {
        if base >= self.top() {
            return Err(self.api_error("host_call_at: no function at the given index"));
        }
        let handler = match self.host_handler() {
            Ok(h) => h,
            Err(t) => {
                self.set_top(base);
                return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() });
            }
        };
        // The handler goes below the function.
        self.insert_at(base, handler);
        self.host_pcall(base, nresults)?;
        // Drop the handler slot: move the results down by one.
        let top = self.top();
        let th = self.th();
        th.stack.copy_within(base + 1..top, base);
        th.top = top - 1;
        Ok(base)
    }

    /// The error of a misused host API call (an invalid index or count).
    #[cold]
    fn api_error(&mut self, msg: &str) -> HostError {
        let t = self.rt_error(msg);
        HostError { status: t.status, value: t.value, traceback: Vec::new() }
    }

    /// Pushes the message handler of host calls, for `host_pcall` (one
    /// free stack slot is needed).
    #[inline]
    pub fn push_host_handler(&mut self) -> LResult<()> {
        let h = match self.host_handler {
            Some(h) => h,
            None => self.host_handler()?,
        };
        self.push(h);
        Ok(())
    }

    /// The protected call under `host_call_at`, for a caller that pushed
    /// the message handler itself (`push_host_handler`) at `base`, then the
    /// function and its arguments. On success the results are on the stack
    /// from `base + 1` up to `top()` (the caller pops them, handler
    /// included, with `set_top(base)`); on error the stack is restored to
    /// `base` and the error is returned with its traceback.
    pub fn host_pcall(&mut self, base: usize, nresults: i32) -> Result<(), HostError> {
        self.note_host_entry();
        if base + 2 > self.top() {
            return Err(self.api_error("host_pcall: no handler and function at the given index"));
        }
        if nresults < crate::vm::MULTRET {
            return Err(self.api_error("host_pcall: invalid number of results"));
        }
        if nresults > 0 {
            if let Err(t) = self.check_stack(nresults as usize) {
                return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() });
            }
        }
        if self.heap.limit != usize::MAX {
            self.relieve_memory_pressure();
        }
        let saved = self.save_captured_traceback();
        let status = self.pcall_raw(base + 1, nresults, base);
        if status == Status::Ok {
            self.restore_captured_traceback(saved);
            return Ok(());
        }
        let captured = std::mem::replace(&mut self.captured_traceback, saved).unwrap_or_default();
        let value = self.stack_get(self.top() - 1);
        self.set_top(base);
        Err(HostError { status, value, traceback: captured })
    }

    /// Runs `f` (a runtime operation that may call Lua code, such as an
    /// indexing with metamethods) in protected mode: if it raises an
    /// error, the frames it left are dropped, the variables to be closed
    /// above the current top are closed, and the error is returned with its
    /// traceback. The stack top is restored either way.
    pub fn protect<R>(&mut self, f: impl FnOnce(&mut State) -> LResult<R>) -> Result<R, HostError> {
        self.note_host_entry();
        let handler = match self.host_handler() {
            Ok(h) => h,
            Err(t) => return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() }),
        };
        let th = self.th();
        let base = th.top;
        th.push(handler);
        let old_ci = th.ci.len();
        let old_errfunc = th.errfunc;
        let old_nccalls = th.n_ccalls;
        let old_allow = th.hook.allow;
        th.errfunc = base;
        let saved = self.save_captured_traceback();
        let r = f(self);
        match r {
            Ok(v) => {
                self.restore_captured_traceback(saved);
                let th = self.th();
                th.errfunc = old_errfunc;
                th.top = base;
                Ok(v)
            }
            Err(t) => {
                let captured = std::mem::replace(&mut self.captured_traceback, saved).unwrap_or_default();
                self.native_stack_limit = self.native_stack_budget;
                let th = self.th();
                th.ci.truncate(old_ci);
                th.n_ccalls = old_nccalls;
                th.hook.allow = old_allow;
                th.push(t.value);
                let status = self.close_protected(base + 1, t.status);
                let value = self.stack_get(self.top() - 1);
                let th = self.th();
                th.errfunc = old_errfunc;
                th.top = base;
                self.shrink_stack();
                Err(HostError { status, value, traceback: captured })
            }
        }
    }

    /// Takes the traceback captured for an enclosing host call, if any, so
    /// that a nested call captures its own. Nothing is written when there
    /// is none (the common case): this runs on every host call.
    #[inline]
    fn save_captured_traceback(&mut self) -> Option<Vec<FrameInfo>> {
        if self.captured_traceback.is_some() {
            self.captured_traceback.take()
        } else {
            None
        }
    }

    /// Puts back what `save_captured_traceback` took.
    #[inline]
    fn restore_captured_traceback(&mut self, saved: Option<Vec<FrameInfo>>) {
        if saved.is_some() || self.captured_traceback.is_some() {
            self.captured_traceback = saved;
        }
    }

    /// Sets what happens when the instruction budget runs out.
    pub fn set_fuel_mode(&mut self, mode: FuelMode) {
        self.fuel_mode = mode;
    }

    /// The instruction budget's mode.
    pub fn fuel_mode(&self) -> FuelMode {
        self.fuel_mode
    }
}
