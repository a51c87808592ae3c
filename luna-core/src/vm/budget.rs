//! The instruction budget (fuel) and the interrupt callback.
//!
//! The interpreter charges one unit of fuel per function entry and per
//! backward jump (loop iteration), so every unbounded computation pays:
//! straight-line code between two charges is bounded by the size of a
//! function. The hot path tests a single counter, `State::fuel`; when it
//! reaches zero the interpreter calls `fuel_tick`, which decides what
//! happens next.
//!
//! Two features share that counter:
//!
//! - the host's **budget** (`set_fuel`): when it is used up, a running
//!   script gets the catchable error "instruction limit reached", or, in
//!   `FuelMode::Yield` inside a coroutine, yields to the host;
//! - the **interrupt** (`set_interrupt`): a host callback run every
//!   `period` units, which may let the script continue, stop it with an
//!   error, or yield the running coroutine.
//!
//! With an interrupt, the counter holds one *slice* (at most `period`
//! units) and `fuel_reserve` the rest of the budget; each time a slice is
//! used up the next one is taken from the reserve and the callback runs.
//! Without one, the counter is the whole budget, as if there were no
//! slices. `fuel()` always reports the budget left (counter plus reserve).

use std::rc::Rc;

use crate::object::thread::ThreadStatus;
use crate::state::State;
use crate::vm::{LResult, Throw};

/// What a script does after the interrupt callback returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterruptAction {
    /// Keep running.
    Continue,
    /// Yield the running coroutine to its resumer (with no values); outside
    /// a yieldable coroutine, keep running.
    Yield,
}

/// An interrupt callback. Errors it returns are raised in the running
/// script as if by `error`.
pub type InterruptFn = Rc<dyn Fn(&mut State) -> LResult<InterruptAction>>;

/// Per-state interrupt settings.
pub(crate) struct Interrupt {
    pub(crate) callback: InterruptFn,
    /// Fuel units between two calls.
    pub(crate) period: i64,
    /// Set while the callback runs: slices used up by Lua code it calls do
    /// not call it again.
    pub(crate) running: bool,
    /// Whether the current call comes from native code (pattern matching)
    /// rather than from between two Lua instructions.
    pub(crate) from_native: bool,
}

impl State {
    /// Sets the instruction budget (`None`: unlimited). When it runs out a
    /// running script gets the error "instruction limit reached".
    pub fn set_fuel(&mut self, fuel: Option<i64>) {
        let budget = fuel.map(|f| f.max(0));
        let period = self.interrupt.as_ref().map(|i| i.period);
        let (counter, reserve) = match (budget, period) {
            (None, None) => (i64::MAX, None),
            (Some(b), None) => (b, Some(0)),
            (None, Some(p)) => (p, None),
            (Some(b), Some(p)) => (b.min(p), Some(b - b.min(p))),
        };
        self.fuel = counter;
        self.fuel_reserve = reserve;
    }

    /// Instructions left in the budget (`None`: unlimited).
    pub fn fuel(&self) -> Option<i64> {
        let reserve = self.fuel_reserve?;
        Some(self.fuel.max(0).saturating_add(reserve))
    }

    /// Installs (or, with `None`, removes) the interrupt callback, run
    /// every `period` units of fuel (function entries and loop iterations)
    /// while Lua code runs. The budget is kept.
    pub fn set_interrupt(&mut self, callback: Option<InterruptFn>, period: u32) {
        let budget = self.fuel();
        self.interrupt = callback.map(|callback| Interrupt {
            callback,
            period: i64::from(period.max(1)),
            running: false,
            from_native: false,
        });
        self.set_fuel(budget);
    }

    /// The interrupt period, when an interrupt is installed.
    pub(crate) fn interrupt_period(&self) -> Option<i64> {
        self.interrupt.as_ref().map(|i| i.period)
    }

    /// Whether the interrupt callback now running was called from native
    /// code working in a long stretch (pattern matching) rather than from
    /// between two Lua instructions. A callback that means to act only where
    /// Lua code runs (like `lua.c`'s Ctrl-C hook) returns `Continue` then.
    pub fn interrupt_in_native(&self) -> bool {
        self.interrupt.as_ref().is_some_and(|i| i.running && i.from_native)
    }

    /// Runs the interrupt callback from native code that works in long
    /// stretches (pattern matching): natives cannot yield there, so a
    /// `Yield` answer lets the work continue.
    pub(crate) fn interrupt_from_native(&mut self) -> LResult<()> {
        let callback = match &mut self.interrupt {
            Some(i) if !i.running => {
                i.running = true;
                i.from_native = true;
                i.callback.clone()
            }
            _ => return Ok(()),
        };
        let r = callback(self);
        if let Some(i) = &mut self.interrupt {
            i.running = false;
        }
        r.map(|_| ())
    }

    /// Charges `units` of fuel for work a library function does in a loop
    /// whose length a script chooses (`table.move` over 2^62 indices, for
    /// instance): one unit per element, as a Lua loop pays one per
    /// iteration, charged before the work starts. When the budget cannot
    /// pay, the function stops with "instruction limit reached"; when a
    /// slice ends, the interrupt runs as it does from pattern matching
    /// (natives cannot yield there).
    #[inline]
    pub(crate) fn charge_fuel(&mut self, units: i64) -> LResult<()> {
        self.fuel = self.fuel.saturating_sub(units);
        if self.fuel <= 0 {
            return self.native_fuel_tick();
        }
        Ok(())
    }

    /// `charge_fuel` when the counter is used up: what was charged past
    /// the slice is taken from the rest of the budget.
    #[cold]
    fn native_fuel_tick(&mut self) -> LResult<()> {
        let over = self.fuel.saturating_neg().max(0);
        self.fuel = 0;
        match self.fuel_reserve {
            Some(reserve) if reserve < over || (reserve == 0 && over == 0) => return Err(self.fuel_exhausted()),
            Some(reserve) => self.set_fuel(Some(reserve - over)),
            None => self.set_fuel(None),
        }
        self.interrupt_from_native()
    }

    /// Whether the budget itself (not only the current slice) is used up.
    fn budget_exhausted(&self) -> bool {
        self.fuel_reserve == Some(0) && self.fuel <= 0
    }

    /// The error raised when native code (pattern matching, for instance)
    /// uses up the instruction budget: natives cannot yield there.
    #[cold]
    pub(crate) fn fuel_exhausted(&mut self) -> Throw {
        self.fuel = 0;
        self.fuel_reserve = Some(0);
        self.rt_error("instruction limit reached")
    }

    /// Run by the interpreter when the fuel counter is used up at
    /// instruction `pc` of the running Lua frame (the next one to
    /// execute), with the frame's saved pc up to date. `Ok` means the
    /// frame continues (the stack may have been reallocated: the caller
    /// reloads its pointers); `Err` is an error or a yield.
    #[cold]
    pub(crate) fn fuel_tick(&mut self, pc: usize) -> LResult<()> {
        if self.budget_exhausted() {
            return Err(self.fuel_out(pc));
        }
        // Next slice.
        let budget = self.fuel();
        self.set_fuel(budget);
        let callback = match &mut self.interrupt {
            Some(i) if !i.running => {
                i.running = true;
                i.from_native = false;
                i.callback.clone()
            }
            _ => return Ok(()),
        };
        // The callback may call Lua: protect the running frame's registers
        // (as PUC's `luaD_hook` does) and restore the top afterwards.
        let th = self.th();
        let saved_top = th.top;
        let frame_top = th.ci().top;
        if th.top < frame_top {
            th.top = frame_top;
        }
        let r = callback(self);
        if let Some(i) = &mut self.interrupt {
            i.running = false;
        }
        match r {
            Ok(InterruptAction::Continue) => {
                self.th().top = saved_top;
                Ok(())
            }
            Ok(InterruptAction::Yield) => {
                self.th().top = saved_top;
                if self.current.ptr_eq(self.main_thread) || !self.th().yieldable() {
                    return Ok(());
                }
                Err(self.yield_at(pc))
            }
            Err(t) => Err(t),
        }
    }

    /// Run when the instruction budget is used up: raises "instruction
    /// limit reached", or, in `FuelMode::Yield` inside a yieldable
    /// coroutine, yields to the host with no values.
    #[cold]
    fn fuel_out(&mut self, pc: usize) -> Throw {
        self.fuel = 0;
        if self.fuel_mode == crate::api::FuelMode::Yield
            && !self.current.ptr_eq(self.main_thread)
            && self.th().yieldable()
        {
            return self.yield_at(pc);
        }
        self.rt_error("instruction limit reached")
    }

    /// Yields the running coroutine with no values from instruction `pc`
    /// of its running Lua frame; resuming it continues at `pc` (as after a
    /// yield inside a hook).
    fn yield_at(&mut self, pc: usize) -> Throw {
        let th = self.th();
        th.status = ThreadStatus::Yield;
        let ci = th.ci_mut();
        ci.u2 = 0;
        ci.savedpc = pc + 1;
        Throw::YIELD
    }
}
