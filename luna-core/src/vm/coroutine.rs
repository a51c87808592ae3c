//! Coroutines: resume, yield, and finishing the frames a yield
//! interrupted (PUC's `lua_resume`, `lua_yieldk`, `unroll`, `precover`
//! and `luaV_finishOp`).
//!
//! A yield unwinds the Rust stack back to `resume`; the coroutine's frames
//! stay in its thread. On the next resume, `unroll` completes them from the
//! top: a native frame runs its continuation, a Lua frame first finishes
//! the instruction that was interrupted (storing a metamethod's result,
//! completing a comparison jump, a concatenation or a return) and then
//! continues in the interpreter loop. An error raised after a resume is
//! recovered by the innermost interrupted protected call, if any
//! (`precover`).

use crate::gc::Gc;
use crate::object::thread::{Thread, ThreadStatus, CIST_YPCALL};
use crate::state::State;
use crate::value::Value;
use crate::vm::meta::CIST_LEQ;
use crate::vm::opcodes::*;
use crate::vm::{LResult, Status, Throw, MAX_CCALLS, MULTRET};

impl State {
    /// Resumes coroutine `co` with the `nargs` values on top of its stack
    /// (the function too when it starts). Returns the status (`Ok` when
    /// the body returned, `Yield`, or an error status) and the number of
    /// values left on `co`'s stack top (results, yielded values, or the
    /// error value).
    pub fn resume(&mut self, co: Gc<Thread>, nargs: usize) -> (Status, usize) {
        self.note_host_entry();
        let from_ccalls = self.th().c_calls();
        let th = self.thread_ref(co);
        match th.status {
            ThreadStatus::Ok => {
                if th.ci.len() > 1 {
                    return self.resume_error(co, "cannot resume non-suspended coroutine", nargs);
                }
                if th.top - (th.ci().func + 1) == nargs {
                    return self.resume_error(co, "cannot resume dead coroutine", nargs);
                }
            }
            ThreadStatus::Yield => {}
            ThreadStatus::Error(_) => return self.resume_error(co, "cannot resume dead coroutine", nargs),
        }
        let th = self.thread_mut(co);
        th.n_ccalls = from_ccalls;
        if th.c_calls() >= MAX_CCALLS || self.native_stack_exhausted() {
            return self.resume_error(co, "C stack overflow", nargs);
        }
        self.thread_mut(co).n_ccalls += 1;
        let prev = self.current;
        self.current = co;
        let saved_nccalls = self.th_ref().n_ccalls;
        let mut r = self.resume_body(nargs);
        // Recover from errors with the protected calls the coroutine has
        // pending (PUC's `precover`).
        while let Err(t) = r {
            if t.is_yield() {
                break;
            }
            let Some(ci_idx) = self.th().ci.iter().rposition(|ci| ci.status & CIST_YPCALL != 0) else {
                break;
            };
            self.native_stack_limit = self.native_stack_budget;
            let th = self.th();
            th.ci.truncate(ci_idx + 1);
            th.n_ccalls = saved_nccalls;
            th.push(t.value);
            th.ci[ci_idx].set_recover_status(t.status as u8);
            r = self.unroll();
        }
        let th = self.th();
        let (status, n) = match r {
            Ok(()) => (Status::Ok, th.top - (th.ci().func + 1)),
            Err(t) if t.is_yield() => (Status::Yield, th.ci().u2),
            Err(t) => {
                // As PUC: the error value is left where the error put it
                // (the top) and copied once more above it, so the copy can
                // be moved to the resumer while the original stays for
                // closing the thread.
                th.status = ThreadStatus::Error(t.status);
                th.push(t.value);
                let top = th.top;
                self.set_error_obj(t.status, top);
                let th = self.th();
                th.ci_mut().top = th.top;
                (t.status, 1)
            }
        };
        self.current = prev;
        (status, n)
    }

    fn resume_error(&mut self, co: Gc<Thread>, msg: &str, nargs: usize) -> (Status, usize) {
        self.thread_mut(co).top -= nargs;
        let v = match self.new_str(msg.as_bytes()) {
            Ok(s) => Value::Str(s),
            Err(t) => t.value,
        };
        self.thread_mut(co).push(v);
        (Status::ErrRun, 1)
    }

    /// The body of a resume (PUC's `resume`): start the coroutine's
    /// function, or finish the frame that yielded and unroll the rest.
    fn resume_body(&mut self, nargs: usize) -> LResult<()> {
        let th = self.th();
        let first_arg = th.top - nargs;
        if th.status == ThreadStatus::Ok {
            return self.call_no_count(first_arg - 1, MULTRET);
        }
        th.status = ThreadStatus::Ok;
        let ci = th.ci_mut();
        if ci.is_lua() {
            // Yielded inside a hook: the instruction has not run yet.
            ci.savedpc -= 1;
            th.top = first_arg;
            self.execute()?;
        } else {
            let n = match ci.k {
                Some(k) => {
                    let ctx = ci.ctx;
                    k(self, Status::Yield, ctx)?
                }
                None => nargs,
            };
            self.poscall(n)?;
        }
        self.unroll()
    }

    /// Calls without counting a native level (the resume already did).
    fn call_no_count(&mut self, func: usize, nresults: i32) -> LResult<()> {
        if self.precall(func, nresults)? {
            self.th().ci_mut().status = crate::object::thread::CIST_FRESH;
            self.execute()?;
        }
        Ok(())
    }

    /// Completes every interrupted frame down to the base (PUC's
    /// `unroll`).
    fn unroll(&mut self) -> LResult<()> {
        loop {
            let th = self.th();
            if th.ci.len() <= 1 {
                return Ok(());
            }
            let ci_idx = th.ci.len() - 1;
            if th.ci[ci_idx].is_lua() {
                self.finish_op(ci_idx)?;
                self.execute()?;
            } else {
                self.finish_ccall(ci_idx)?;
            }
        }
    }

    /// Completes a native frame interrupted by a yield: runs its
    /// continuation (PUC's `finishCcall`).
    fn finish_ccall(&mut self, ci_idx: usize) -> LResult<()> {
        let ci = self.th().ci[ci_idx];
        let mut status = Status::Yield;
        if ci.status & CIST_YPCALL != 0 {
            status = self.finish_pcallk(ci_idx)?;
        }
        let th = self.th();
        if th.ci[ci_idx].top < th.top {
            th.ci[ci_idx].top = th.top;
        }
        let n = match ci.k {
            Some(k) => k(self, status, ci.ctx)?,
            None => {
                let th = self.th();
                th.top - (th.ci[ci_idx].func + 1)
            }
        };
        self.poscall(n)?;
        Ok(())
    }

    /// Finishes the instruction of Lua frame `ci_idx` that a yield
    /// interrupted (PUC's `luaV_finishOp`).
    fn finish_op(&mut self, ci_idx: usize) -> LResult<()> {
        let p = match self.ci_proto(ci_idx) {
            Some(p) => p,
            None => return Ok(()),
        };
        let th = self.th();
        let ci = &th.ci[ci_idx];
        let (base, savedpc, u2) = (ci.func + 1, ci.savedpc, ci.u2);
        let inst = p.code[savedpc - 1];
        match get_op(inst) {
            // A call (the common case: the callee yielded) has nothing left
            // to do: its results are where the caller reads them.
            OpCode::Call | OpCode::TailCall => {}
            OpCode::MmBin | OpCode::MmBinI | OpCode::MmBinK => {
                let prev = p.code[savedpc - 2];
                th.top -= 1;
                th.stack[base + arg_a(prev) as usize] = th.stack[th.top];
            }
            OpCode::Unm
            | OpCode::BNot
            | OpCode::Len
            | OpCode::GetTabUp
            | OpCode::GetTable
            | OpCode::GetI
            | OpCode::GetField
            | OpCode::SelfOp => {
                th.top -= 1;
                th.stack[base + arg_a(inst) as usize] = th.stack[th.top];
            }
            OpCode::Lt | OpCode::Le | OpCode::LtI | OpCode::LeI | OpCode::GtI | OpCode::GeI | OpCode::Eq => {
                th.top -= 1;
                let mut res = !th.stack[th.top].is_falsy();
                if th.ci[ci_idx].status & CIST_LEQ != 0 {
                    // `a <= b` ran as `not (b < a)` (see `call_order_tm`).
                    th.ci[ci_idx].status &= !CIST_LEQ;
                    res = !res;
                }
                if res != arg_k(inst) {
                    th.ci[ci_idx].savedpc += 1;
                }
            }
            OpCode::Concat => {
                let top = th.top - 1;
                let a = arg_a(inst) as usize;
                let total = top - 1 - (base + a);
                th.stack[top - 2] = th.stack[top];
                th.top = top - 1;
                self.concat(total)?;
            }
            OpCode::Close => {
                th.ci[ci_idx].savedpc -= 1;
            }
            OpCode::Return => {
                let ra = base + arg_a(inst) as usize;
                th.top = ra + u2;
                th.ci[ci_idx].savedpc -= 1;
            }
            _ => {}
        }
        Ok(())
    }

    /// Yields the running coroutine with the `nresults` values on top
    /// (PUC's `lua_yieldk`). `k` is the continuation run on resumption.
    /// Returns the `Err(Throw)` that unwinds to `resume`.
    pub fn yield_k(&mut self, nresults: usize, ctx: isize, k: Option<crate::vm::call::ContFn>) -> LResult<usize> {
        let th = self.th();
        if !th.yieldable() {
            let msg = if !self.current.ptr_eq(self.main_thread) {
                "attempt to yield across a C-call boundary"
            } else {
                "attempt to yield from outside a coroutine"
            };
            return Err(self.rt_error(msg));
        }
        let th = self.th();
        th.status = ThreadStatus::Yield;
        let ci = th.ci_mut();
        ci.u2 = nresults;
        if ci.is_lua() {
            // Inside a hook: the hook returns and the yield happens when
            // the hook dispatcher sees the status.
            return Ok(0);
        }
        ci.k = k;
        ci.ctx = ctx;
        Err(Throw::YIELD)
    }

    /// Whether the running coroutine can yield.
    pub fn is_yieldable(&self) -> bool {
        self.th_ref().yieldable()
    }

    /// Closes a suspended or dead coroutine: closes its pending
    /// to-be-closed variables and resets it (PUC's `lua_closethread`).
    /// Returns the status (`Ok` or the error from closing) with the error
    /// value on `co`'s stack top when there is one.
    pub fn close_thread(&mut self, co: Gc<Thread>) -> Status {
        let prev = self.current;
        let from_ccalls = self.th().c_calls();
        self.current = co;
        let th = self.th();
        let status = match th.status {
            ThreadStatus::Error(s) => s,
            _ => Status::Ok,
        };
        th.ci.truncate(1);
        th.stack[0] = Value::Nil;
        th.status = ThreadStatus::Ok;
        th.n_ccalls = from_ccalls;
        // The unwound frames may have installed a message handler; it must
        // not be used while closing.
        th.errfunc = 0;
        let status = self.close_protected(1, status);
        if status != Status::Ok {
            self.set_error_obj(status, 1);
        } else {
            self.th().top = 1;
        }
        let (th, heap) = self.th_and_heap();
        th.ci[0].top = th.top + crate::object::thread::MIN_STACK;
        th.errfunc = 0;
        let size = th.ci[0].top;
        let _ = th.realloc_stack(heap, size);
        self.current = prev;
        status
    }
}
