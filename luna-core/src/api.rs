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
    /// (`ccall` pushes its frame and runs the interpreter).
    #[inline]
    pub fn host_pcall(&mut self, func: usize, nresults: i32) -> Result<(), HostError> {
        if func >= self.top() || nresults < crate::vm::MULTRET {
            return Err(self.host_pcall_misuse(func));
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
        let saved = self.enter_host_frame();
        match self.call_noyield(func, nresults) {
            Ok(()) => {
                self.leave_host_frame(saved);
                Ok(())
            }
            Err(t) => Err(self.host_call_failed(t, func, saved)),
        }
    }

    /// The misuse errors of `host_pcall`.
    #[cold]
    fn host_pcall_misuse(&mut self, func: usize) -> HostError {
        if func >= self.top() {
            self.api_error("host_pcall: no function at the given index")
        } else {
            self.api_error("host_pcall: invalid number of results")
        }
    }

    /// Records what a host call or `protect` restores after an error, and
    /// sets the thread's message handler to the host's sentinel.
    #[inline]
    fn enter_host_frame(&mut self) -> SavedFrame {
        let traceback = self.save_captured_traceback();
        let th = self.th();
        let saved = SavedFrame {
            ci: th.ci.len(),
            errfunc: th.errfunc,
            n_ccalls: th.n_ccalls,
            allow_hook: th.hook.allow,
            traceback,
        };
        th.errfunc = ERRFUNC_HOST;
        saved
    }

    /// Undoes `enter_host_frame` after a call that succeeded.
    #[inline]
    fn leave_host_frame(&mut self, saved: SavedFrame) {
        self.th().errfunc = saved.errfunc;
        self.restore_captured_traceback(saved.traceback);
    }

    /// Restores what `host_pcall` recorded after the call failed with
    /// `t`: drops the frames the error left, closes the upvalues and
    /// to-be-closed variables from `func` up, and takes the error value
    /// and the captured traceback off the stack (the stack top is `func`
    /// again).
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
        let base = self.top();
        let saved = self.enter_host_frame();
        match f(self) {
            Ok(v) => {
                self.leave_host_frame(saved);
                self.th().top = base;
                Ok(v)
            }
            Err(t) => Err(self.host_call_failed(t, base, saved)),
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
