//! Debug hooks: call, return, line and count events (PUC's `luaD_hook`,
//! `luaD_hookcall`, `rethook`, `luaG_tracecall` and `luaG_traceexec`).
//!
//! A hook is a Rust callback stored per thread; `debug.sethook` installs
//! one that calls a Lua function. While a hook runs, the hooked frame is
//! marked `CIST_HOOKED` and further hooks are disabled. A new thread gets
//! a copy of its creator's hook (as PUC's `lua_newthread`), unless the hook
//! was installed for its thread only.
//!
//! A line or count hook may yield the running coroutine
//! (`State::yield_from_hook`): the interrupted instruction has not run, and
//! resuming the coroutine runs it without calling the hook again (PUC's
//! `CIST_HOOKYIELD`).

use std::rc::Rc;

use crate::object::thread::{ThreadStatus, CIST_HOOKED, CIST_HOOKYIELD, CIST_TAIL, CIST_TRAN};
use crate::state::State;
use crate::vm::opcodes::get_op;
use crate::vm::{LResult, Throw};

pub const MASK_CALL: u8 = 1 << 0;
pub const MASK_RET: u8 = 1 << 1;
pub const MASK_LINE: u8 = 1 << 2;
pub const MASK_COUNT: u8 = 1 << 3;

/// A hook event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookEvent {
    Call,
    Return,
    Line,
    Count,
    TailCall,
}

impl HookEvent {
    /// The name `debug.sethook` hooks receive.
    pub fn name(self) -> &'static str {
        match self {
            HookEvent::Call => "call",
            HookEvent::Return => "return",
            HookEvent::Line => "line",
            HookEvent::Count => "count",
            HookEvent::TailCall => "tail call",
        }
    }
}

/// A hook callback: receives the event and the line (line events).
pub type HookFn = Rc<dyn Fn(&mut State, HookEvent, i64) -> LResult<()>>;

/// Per-thread hook state.
#[derive(Clone)]
pub struct HookState {
    pub mask: u8,
    pub hook: Option<HookFn>,
    /// Instructions between count events.
    pub base_count: u32,
    /// Instructions left before the next count event.
    pub count: u32,
    /// Whether hooks may run (false inside a hook).
    pub allow: bool,
    /// The last instruction traced for line events.
    pub oldpc: usize,
    /// Whether threads created by this one get a copy of the hook.
    pub inherit: bool,
    /// The event of the hook running now, if any.
    pub running: Option<HookEvent>,
}

impl Default for HookState {
    fn default() -> Self {
        HookState { mask: 0, hook: None, base_count: 0, count: 0, allow: true, oldpc: 0, inherit: true, running: None }
    }
}

impl HookState {
    /// The hook a thread created by this one starts with: the same hook,
    /// mask and count (PUC's `lua_newthread`), or none when the hook is
    /// for its thread only.
    pub(crate) fn for_new_thread(&self) -> HookState {
        if !self.inherit || self.hook.is_none() {
            return HookState::default();
        }
        HookState {
            mask: self.mask,
            hook: self.hook.clone(),
            base_count: self.base_count,
            count: self.base_count,
            inherit: true,
            ..HookState::default()
        }
    }
}

impl State {
    /// Installs a hook on thread `th` (`None` or an empty mask removes it).
    /// Threads `th` creates later get a copy of it.
    pub fn set_hook(
        &mut self,
        th: crate::gc::Gc<crate::object::thread::Thread>,
        hook: Option<HookFn>,
        mask: u8,
        count: u32,
    ) {
        self.set_thread_hook(th, hook, mask, count, true);
    }

    /// As `set_hook`; with `inherit` false the hook is for `th` only:
    /// threads it creates start without a hook.
    pub fn set_thread_hook(
        &mut self,
        th: crate::gc::Gc<crate::object::thread::Thread>,
        hook: Option<HookFn>,
        mask: u8,
        count: u32,
        inherit: bool,
    ) {
        let d = self.thread_mut(th);
        d.hook.inherit = inherit;
        let mut mask = mask;
        if hook.is_none() || mask == 0 {
            mask = 0;
        }
        d.hook.hook = if mask == 0 { None } else { hook };
        d.hook.mask = mask;
        d.hook.base_count = count;
        d.hook.count = count;
    }

    /// Calls the hook for `event` (PUC's `luaD_hook`).
    pub(crate) fn run_hook(&mut self, event: HookEvent, line: i64, ftransfer: usize, ntransfer: usize) -> LResult<()> {
        let th = self.th();
        let hook = match (&th.hook.hook, th.hook.allow) {
            (Some(h), true) => h.clone(),
            _ => return Ok(()),
        };
        let mut mask = CIST_HOOKED;
        let top = th.top;
        let ci_idx = th.ci.len() - 1;
        let ci_top = th.ci[ci_idx].top;
        if ntransfer != 0 {
            mask |= CIST_TRAN;
            th.ci[ci_idx].ftransfer = ftransfer as u16;
            th.ci[ci_idx].ntransfer = ntransfer as u16;
        }
        if th.ci[ci_idx].is_lua() && th.top < ci_top {
            th.top = ci_top;
        }
        self.ensure_stack(crate::object::thread::MIN_STACK)?;
        let th = self.th();
        if th.ci[ci_idx].top < th.top + crate::object::thread::MIN_STACK {
            th.ci[ci_idx].top = th.top + crate::object::thread::MIN_STACK;
        }
        th.hook.allow = false;
        th.hook.running = Some(event);
        th.ci[ci_idx].status |= mask;
        let r = hook(self, event, line);
        let th = self.th();
        th.hook.allow = true;
        th.hook.running = None;
        if let Some(ci) = th.ci.get_mut(ci_idx) {
            ci.top = ci_top;
            ci.status &= !mask;
        }
        th.top = top;
        r
    }

    /// The call hook of a Lua function starting (PUC's `luaD_hookcall`).
    pub(crate) fn hook_call(&mut self) -> LResult<()> {
        let th = self.th();
        th.hook.oldpc = 0;
        if th.hook.mask & MASK_CALL != 0 {
            let ci_idx = th.ci.len() - 1;
            let event = if th.ci[ci_idx].status & CIST_TAIL != 0 { HookEvent::TailCall } else { HookEvent::Call };
            let nparams = self.ci_proto(ci_idx).map_or(0, |p| p.num_params as usize);
            let th = self.th();
            th.ci[ci_idx].savedpc += 1;
            let r = self.run_hook(event, -1, 1, nparams);
            let th = self.th();
            th.ci[ci_idx].savedpc -= 1;
            r?;
        }
        Ok(())
    }

    /// The call hook of a vararg function, run after `VARARGPREP`.
    #[inline(never)]
    pub(crate) fn hook_call_vararg(&mut self) -> LResult<()> {
        self.hook_call()?;
        self.th().hook.oldpc = 1;
        Ok(())
    }

    /// The return hook, run by `poscall` (PUC's `rethook`). An error in
    /// the hook is the error of the returning function, raised while its
    /// frame is still there (as PUC's `luaD_hook` throws from `rethook`).
    pub(crate) fn hook_return(&mut self, nres: usize) -> LResult<()> {
        let th = self.th();
        let ci_idx = th.ci.len() - 1;
        if th.hook.mask & MASK_RET != 0 {
            let firstres = th.top - nres;
            let mut delta = 0;
            if let Some(p) = self.ci_proto(ci_idx) {
                if p.is_vararg {
                    delta = self.th().ci[ci_idx].nextraargs + p.num_params as usize + 1;
                }
            }
            let th = self.th();
            th.ci[ci_idx].func += delta;
            let ftransfer = firstres - th.ci[ci_idx].func;
            let r = self.run_hook(HookEvent::Return, -1, ftransfer, nres);
            self.th().ci[ci_idx].func -= delta;
            r?;
        }
        if ci_idx >= 1 && self.th().ci[ci_idx - 1].is_lua() {
            let pc = self.th().ci[ci_idx - 1].savedpc;
            self.th().hook.oldpc = pc.saturating_sub(1);
        }
        Ok(())
    }

    /// Run when a Lua frame is entered with hooks on (PUC's
    /// `luaG_tracecall`). Returns whether instructions must be traced.
    #[inline(never)]
    pub(crate) fn trace_call(&mut self, _fresh: bool) -> LResult<bool> {
        let th = self.th();
        let ci_idx = th.ci.len() - 1;
        if th.ci[ci_idx].savedpc == 0 {
            let p = match self.ci_proto(ci_idx) {
                Some(p) => p,
                None => return Ok(true),
            };
            if p.is_vararg {
                return Ok(false);
            }
            if self.th().ci[ci_idx].status & crate::object::thread::CIST_HOOKYIELD == 0 {
                self.hook_call()?;
            }
        }
        Ok(true)
    }

    /// Run before each instruction while hooks are on (PUC's
    /// `luaG_traceexec`). `pc` is the instruction about to run.
    #[inline(never)]
    pub(crate) fn trace_exec(&mut self, pc: usize) -> LResult<()> {
        let th = self.th();
        let mask = th.hook.mask;
        if mask & (MASK_LINE | MASK_COUNT) == 0 {
            return Ok(());
        }
        let ci_idx = th.ci.len() - 1;
        th.ci[ci_idx].savedpc = pc + 1;
        let mut counthook = false;
        if mask & MASK_COUNT != 0 {
            th.hook.count = th.hook.count.saturating_sub(1);
            if th.hook.count == 0 {
                counthook = true;
                th.hook.count = th.hook.base_count;
            }
        }
        if !counthook && mask & MASK_LINE == 0 {
            return Ok(());
        }
        if th.ci[ci_idx].status & CIST_HOOKYIELD != 0 {
            // The hook yielded here last time: the instruction runs now,
            // without calling the hook again.
            th.ci[ci_idx].status &= !CIST_HOOKYIELD;
            return Ok(());
        }
        let p = match self.ci_proto(ci_idx) {
            Some(p) => p,
            None => return Ok(()),
        };
        let th = self.th();
        // Unless the instruction about to run takes its operands up to the
        // top (set by the previous one), the top is the frame's limit.
        let cur = p.code[pc];
        if !(get_op(cur).uses_top() && crate::vm::opcodes::arg_b(cur) == 0) {
            th.top = th.ci[ci_idx].top;
        }
        if counthook {
            self.run_hook(HookEvent::Count, -1, 0, 0)?;
        }
        if mask & MASK_LINE != 0 {
            let th = self.th();
            let oldpc = if th.hook.oldpc < p.code.len() { th.hook.oldpc } else { 0 };
            let npci = pc;
            let changed = npci <= oldpc || p.line_at(oldpc) != p.line_at(npci);
            if changed {
                let line = p.line_at(npci).map_or(-1, |l| l as i64);
                self.run_hook(HookEvent::Line, line, 0, 0)?;
            }
            self.th().hook.oldpc = npci;
        }
        let th = self.th();
        if th.status == ThreadStatus::Yield {
            // The hook asked to yield (`yield_from_hook`).
            if counthook {
                th.hook.count = 1;
            }
            th.ci[ci_idx].status |= CIST_HOOKYIELD;
            return Err(Throw::YIELD);
        }
        Ok(())
    }

    /// Called by a line or count hook: the running coroutine yields (with
    /// no values) once the hook returns, before the instruction it was
    /// about to run (PUC's `lua_yield` inside a hook). Returns false, and
    /// nothing happens, for other events or where the coroutine cannot
    /// yield (the main thread, under a native call).
    pub fn yield_from_hook(&mut self) -> bool {
        let main = self.current.ptr_eq(self.main_thread);
        let th = self.th();
        let ci = *th.ci();
        if main
            || !th.yieldable()
            || !matches!(th.hook.running, Some(HookEvent::Line | HookEvent::Count))
            || !ci.is_lua()
            || ci.status & CIST_HOOKED == 0
        {
            return false;
        }
        th.status = ThreadStatus::Yield;
        th.ci_mut().u2 = 0;
        true
    }
}
