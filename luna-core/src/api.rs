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

/// State kept by `host_call`'s message handler.
#[derive(Default)]
struct CapturedTraceback(Option<Vec<FrameInfo>>);

/// Message handler of host calls: records the traceback and leaves the
/// error value unchanged.
fn capture_traceback(st: &mut State) -> LResult<usize> {
    let v = st.arg(1);
    if st.ext::<CapturedTraceback>().is_none_or(|c| c.0.is_none()) {
        let frames = st.traceback_frames(1);
        st.set_ext(CapturedTraceback(Some(frames)));
    }
    st.push(v);
    Ok(1)
}

impl State {
    /// Calls `f` with `args` in protected mode. On success the results are
    /// on the stack from the returned index up to `top()` (the caller pops
    /// them with `set_top`); on error the stack is restored and the error
    /// is returned with its traceback.
    pub fn host_call(&mut self, f: Value, args: &[Value], nresults: i32) -> Result<usize, HostError> {
        self.relieve_memory_pressure();
        if let Err(t) = self.ensure_stack(args.len() + 2) {
            return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() });
        }
        let base = self.top();
        let handler = match self.new_native(capture_traceback) {
            Ok(h) => h,
            Err(t) => return Err(HostError { status: t.status, value: t.value, traceback: Vec::new() }),
        };
        self.push(handler);
        self.push(f);
        for a in args {
            self.push(*a);
        }
        let prev = self.remove_ext::<CapturedTraceback>();
        self.set_ext(CapturedTraceback(None));
        let status = self.pcall_raw(base + 1, nresults, base);
        let captured = self.remove_ext::<CapturedTraceback>().and_then(|c| c.0).unwrap_or_default();
        if let Some(p) = prev {
            self.set_ext(p);
        }
        if status == Status::Ok {
            // Drop the handler slot: move the results down by one.
            let top = self.top();
            let th = self.th();
            th.stack.copy_within(base + 1..top, base);
            th.top = top - 1;
            Ok(base)
        } else {
            let value = self.stack_get(self.top() - 1);
            self.set_top(base);
            Err(HostError { status, value, traceback: captured })
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
