//! Host-facing conveniences over the native API: protected calls that
//! report structured errors (the error value plus traceback frames), and
//! the instruction budget's modes.
//!
//! Values returned to the host are not GC roots: a host that keeps one
//! beyond the next call into Lua must pin it (`State::pin`).

use crate::state::State;
use crate::value::Value;
use crate::vm::debug::FrameInfo;
use crate::vm::{LResult, Status, Throw};

/// What `host_pcall` records before a call, to restore after an error.
struct SavedFrame {
    ci: usize,
    errfunc: usize,
    n_ccalls: u32,
    allow_hook: bool,
    traceback: Option<Vec<FrameInfo>>,
}

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

/// The `errfunc` of a host call: no message handler runs; `throw_value`
/// records the traceback of the first error itself
/// (`capture_host_traceback`). A handler function on the stack would cost
/// every host call a slot and a native frame on error; the sentinel costs
/// one compare on the error path only.
pub(crate) const ERRFUNC_HOST: usize = usize::MAX;

impl State {
    /// Records the traceback of an error raised under a host call, when
    /// none is recorded yet (the first error is the one the host sees:
    /// errors while closing variables replace the value, not the place).
    #[cold]
    #[inline(never)]
    pub(crate) fn capture_host_traceback(&mut self) {
        if self.captured_traceback.is_none() {
            self.captured_traceback = Some(self.traceback_frames(0));
        }
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
        self.host_pcall(base, nresults)?;
        Ok(base)
    }

    /// The error of a misused host API call (an invalid index or count).
    #[cold]
    fn api_error(&mut self, msg: &str) -> HostError {
        let t = self.rt_error(msg);
        HostError { status: t.status, value: t.value, traceback: Vec::new() }
    }

    /// The host's protected call: calls the function at stack index
    /// `func` with the arguments above it. On success the results are on
    /// the stack from `func` up to `top()` (all of them when `nresults` is
    /// `MULTRET`; the caller pops them with `set_top(func)`); on error the
    /// stack is restored to `func` and the error is returned with the
    /// traceback of where it was raised.
    ///
    /// Nothing is protected by unwinding: an error is an `Err` coming back
    /// up the Rust calls, so protecting is recording the frame count, the
    /// native-call count and the hook permission here and restoring them
    /// on `Err` (`host_call_failed`). A Lua function is entered directly
    /// (its frame pushed here, then the interpreter), without the generic
    /// call path's extra layers.
    #[inline]
    pub fn host_pcall(&mut self, func: usize, nresults: i32) -> Result<(), HostError> {
        if func >= self.top() || nresults < crate::vm::MULTRET {
            return Err(self.host_pcall_misuse(func, nresults));
        }
        if nresults > 0 {
            if let Err(t) = self.check_stack(nresults as usize) {
                return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() });
            }
        }
        self.note_host_entry();
        if self.heap.limit != usize::MAX {
            self.relieve_memory_pressure();
        }
        let saved = self.save_captured_traceback();
        let th = self.th();
        let saved_frame = SavedFrame {
            ci: th.ci.len(),
            errfunc: th.errfunc,
            n_ccalls: th.n_ccalls,
            allow_hook: th.hook.allow,
            traceback: saved,
        };
        th.errfunc = ERRFUNC_HOST;
        match self.call_from_host(func, nresults) {
            Ok(()) => {
                self.th().errfunc = saved_frame.errfunc;
                self.restore_captured_traceback(saved_frame.traceback);
                Ok(())
            }
            Err(t) => Err(self.host_call_failed(t, func, saved_frame)),
        }
    }

    /// The misuse errors of `host_pcall`.
    #[cold]
    fn host_pcall_misuse(&mut self, func: usize, nresults: i32) -> HostError {
        if func >= self.top() {
            self.api_error("host_pcall: no function at the given index")
        } else {
            let _ = nresults;
            self.api_error("host_pcall: invalid number of results")
        }
    }

    /// The call under `host_pcall`: PUC's `luaD_callnoyield`, with the
    /// frame of a Lua function pushed in line.
    #[inline(always)]
    fn call_from_host(&mut self, func: usize, nresults: i32) -> LResult<()> {
        const INC: u32 = 0x1_0001; // one native call, not yieldable
        let th = self.th();
        th.n_ccalls += INC;
        if th.c_calls() >= crate::vm::MAX_CCALLS || self.native_stack_exhausted() {
            self.check_cstack()?;
        }
        if let Value::LuaFn(cl) = self.th().stack[func] {
            self.push_lua_frame(cl, func, nresults, crate::object::thread::CIST_FRESH)?;
            self.execute()?;
        } else if self.precall(func, nresults)? {
            self.th().ci_mut().status = crate::object::thread::CIST_FRESH;
            self.execute()?;
        }
        self.th().n_ccalls -= INC;
        Ok(())
    }

    /// Restores what `host_pcall` recorded after the call failed with
    /// `t`: drops the frames the error left, closes the upvalues and
    /// to-be-closed variables from `func` up, and takes the error value
    /// and the captured traceback off the stack.
    #[cold]
    #[inline(never)]
    fn host_call_failed(&mut self, t: Throw, func: usize, saved: SavedFrame) -> HostError {
        self.native_stack_limit = self.native_stack_budget;
        let th = self.th();
        th.ci.truncate(saved.ci);
        th.n_ccalls = saved.n_ccalls;
        th.hook.allow = saved.allow_hook;
        th.push(t.value);
        let status = self.close_protected(func, t.status);
        self.set_error_obj(status, func);
        self.shrink_stack();
        self.th().errfunc = saved.errfunc;
        let captured = std::mem::replace(&mut self.captured_traceback, saved.traceback).unwrap_or_default();
        let value = self.stack_get(func);
        self.th().top = func;
        HostError { status, value, traceback: captured }
    }

    /// Runs `f` (a runtime operation that may call Lua code, such as an
    /// indexing with metamethods) in protected mode: if it raises an
    /// error, the frames it left are dropped, the variables to be closed
    /// above the current top are closed, and the error is returned with its
    /// traceback. The stack top is restored either way.
    pub fn protect<R>(&mut self, f: impl FnOnce(&mut State) -> LResult<R>) -> Result<R, HostError> {
        self.note_host_entry();
        let th = self.th();
        let base = th.top;
        let old_ci = th.ci.len();
        let old_errfunc = th.errfunc;
        let old_nccalls = th.n_ccalls;
        let old_allow = th.hook.allow;
        th.errfunc = ERRFUNC_HOST;
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
                let status = self.close_protected(base, t.status);
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
