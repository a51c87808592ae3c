//! Calls, returns, errors and protected calls (PUC's ldo.c and the
//! upvalue/to-be-closed half of lfunc.c).
//!
//! A Lua-to-Lua call pushes a frame and the interpreter loop continues in
//! it without Rust recursion. A call from Rust (a native function, a
//! metamethod invoked by the VM, the host) enters the loop afresh
//! (`call`), which counts towards `MAX_CCALLS`; that count is what bounds
//! the Rust stack ("C stack overflow").
//!
//! Errors travel as `Err(Throw)`. The places that catch them are
//! protected calls (`pcall_raw`, `pcallk`), `resume` and the host API;
//! each restores the frame chain and the native-call count it saved, closes
//! the upvalues and to-be-closed variables above its level and leaves the
//! error value where the caller expects it. While an error value is being
//! handled it is kept on the stack top, so the collector sees it.

use crate::gc::Gc;
use crate::object::function::{NativeFn, UpVal};
use crate::object::thread::{
    CallInfo, CIST_C, CIST_FRESH, CIST_OAH, CIST_TAIL, CIST_YPCALL, ERROR_STACK_SIZE, MAX_STACK, MIN_STACK,
};
use crate::state::State;
use crate::value::Value;
use crate::vm::opcodes::TmKind;
use crate::vm::{LResult, Status, Throw, MAX_CCALLS, MULTRET};

/// Native stack bytes the runtime may use by default (see
/// `State::set_native_stack_budget`).
pub const DEFAULT_NATIVE_STACK_BUDGET: usize = 1 << 20;

/// An address on the native stack near its current top.
#[inline(always)]
pub(crate) fn native_stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// A continuation: what a native function runs when it is resumed after a
/// yield (or an error recovered by a protected call) interrupted a call it
/// made. Receives the status and the context given at the call.
pub type ContFn = fn(&mut State, Status, isize) -> LResult<usize>;

/// Longest chain of `__call` metamethods followed for one call (a value
/// whose `__call` is another non-function value with a `__call`...). Lua
/// 5.5 allows 15; a legitimate 5.4 program never comes near this.
const MAX_CALL_CHAIN: usize = 2000;

impl State {
    // ------------------------------------------------------------------
    // Stack growth.

    /// Makes room for `n` more slots above the top (PUC's
    /// `luaD_checkstack`).
    #[inline(always)]
    pub(crate) fn ensure_stack(&mut self, n: usize) -> LResult<()> {
        let th = self.th();
        // The top may already be inside the extra slots above the usable
        // size (metamethod calls push there), so compare without
        // subtracting.
        if th.top + n >= th.stack_size() {
            self.grow_stack(n)?;
        }
        Ok(())
    }

    /// Grows the stack for `n` more slots, raising "stack overflow" past
    /// the limit (PUC's `luaD_growstack`).
    #[cold]
    pub(crate) fn grow_stack(&mut self, n: usize) -> LResult<()> {
        let size = self.th_ref().stack_size();
        if size > MAX_STACK {
            // Already using the extra space reserved for handling a stack
            // overflow: this is an error while handling that error.
            return Err(self.errerr());
        }
        let (th, heap) = self.th_and_heap();
        if n < MAX_STACK {
            let needed = th.top + n + 1;
            let newsize = (2 * size).min(MAX_STACK).max(needed);
            if newsize <= MAX_STACK {
                return th.realloc_stack(heap, newsize).map_err(|_| self.mem_throw());
            }
        }
        if th.realloc_stack(heap, ERROR_STACK_SIZE).is_err() {
            return Err(self.mem_throw());
        }
        Err(self.rt_error("stack overflow"))
    }

    /// Shrinks an oversized stack after an error (PUC's
    /// `luaD_shrinkstack`).
    pub(crate) fn shrink_stack(&mut self) {
        let (th, heap) = self.th_and_heap();
        th.shrink_stack(heap);
        if th.ci.capacity() > 2 * th.ci.len() + 16 {
            let before = th.ci.capacity();
            th.ci.shrink_to(th.ci.len() + 8);
            heap.release((before - th.ci.capacity()) * std::mem::size_of::<CallInfo>());
        }
    }

    /// Pushes a call frame, charging the frame vector's growth.
    #[inline(always)]
    pub(crate) fn push_ci(&mut self, ci: CallInfo) -> LResult<()> {
        let (th, heap) = self.th_and_heap();
        if th.ci.len() == th.ci.capacity() {
            let before = th.ci.capacity();
            if th.ci.try_reserve(before.max(8)).is_err() {
                return Err(self.mem_throw());
            }
            let grown = (th.ci.capacity() - before) * std::mem::size_of::<CallInfo>();
            if heap.charge(grown).is_err() {
                // Keep the accounting exact even when over the limit: the
                // vector already grew, so record it and fail.
                heap.total_bytes += grown;
                return Err(self.mem_throw());
            }
        }
        th.ci.push(ci);
        Ok(())
    }

    // ------------------------------------------------------------------
    // Calls.

    /// Prepares a call of the value at `func` with the arguments above it.
    /// A native function is run to completion (returns `false`); for a Lua
    /// function a frame is pushed and `true` returned, and the caller runs
    /// it (PUC's `luaD_precall`).
    #[inline]
    pub(crate) fn precall(&mut self, func: usize, nresults: i32) -> LResult<bool> {
        loop {
            match self.th().stack[func] {
                Value::LuaFn(cl) => {
                    self.push_lua_frame(cl, func, nresults, 0)?;
                    return Ok(true);
                }
                Value::NativeFn(_) => {
                    self.precall_native(func, nresults)?;
                    return Ok(false);
                }
                _ => {
                    self.try_func_tm(func)?;
                }
            }
        }
    }

    /// Pushes the frame of the Lua function `cl` at `func` (its arguments
    /// above it), with the frame status `status`, making room for its
    /// registers and filling missing parameters with nil. The interpreter
    /// runs it from its first instruction; the call hook runs when it
    /// enters the frame (`trace_call`).
    #[inline(always)]
    pub(crate) fn push_lua_frame(
        &mut self,
        cl: Gc<crate::object::function::LuaClosure>,
        func: usize,
        nresults: i32,
        status: u16,
    ) -> LResult<()> {
        let p = cl.proto;
        let fsize = p.max_stack_size as usize;
        self.ensure_stack(fsize)?;
        let th = self.th();
        let nargs = th.top - func - 1;
        let nparams = p.num_params as usize;
        self.push_ci(CallInfo::new(func, func + 1 + fsize, nresults, status))?;
        let th = self.th();
        debug_assert!(func + 1 + fsize <= th.stack_size(), "a Lua frame beyond the stack");
        if nargs < nparams {
            for s in &mut th.stack[th.top..func + 1 + nparams] {
                *s = Value::Nil;
            }
            th.top = func + 1 + nparams;
        }
        Ok(())
    }

    /// Calls the native function at `func` (PUC's `precallC`).
    #[inline]
    pub(crate) fn precall_native(&mut self, func: usize, nresults: i32) -> LResult<usize> {
        if self.heap.limit != usize::MAX {
            self.relieve_memory_pressure();
        }
        self.ensure_stack(MIN_STACK)?;
        let top = self.th().top;
        debug_assert!(func < top, "a native call without its function slot");
        self.push_ci(CallInfo::new(func, top + MIN_STACK, nresults, CIST_C))?;
        debug_assert!(top + MIN_STACK <= self.th_ref().stack_size(), "a native frame beyond the stack");
        let depth = self.th().ci.len();
        if self.th().hook.mask & crate::vm::hooks::MASK_CALL != 0 {
            let narg = top - func - 1;
            self.run_hook(crate::vm::hooks::HookEvent::Call, -1, 1, narg)?;
        }
        let f = match self.th().stack[func] {
            Value::NativeFn(f) => f,
            other => return Err(self.call_error(other)),
        };
        // The closure stays alive during the call: it is in the frame's
        // function slot, which natives cannot overwrite.
        let n = match &f.f {
            NativeFn::Ptr(p) => p(self)?,
            NativeFn::Boxed(b) => b(self)?,
        };
        // A native that handled an error from a call it made without a
        // protected call leaves the frames of that call behind; drop them
        // so the frame chain stays consistent.
        let th = self.th();
        debug_assert!(th.ci.len() >= depth, "a native popped its caller's frame");
        debug_assert!(th.top > func, "a native left the top below its frame");
        if th.ci.len() != depth {
            th.ci.truncate(depth);
        }
        let n = n.min(th.top - func - 1);
        // The common return, one result wanted and no hook, in line; the
        // rest in `poscall`.
        if th.hook.mask == 0 && th.ci[depth - 1].nresults == 1 {
            th.stack[func] = if n == 0 { Value::Nil } else { th.stack[th.top - n] };
            th.top = func + 1;
            th.ci.truncate(depth - 1);
            return Ok(n);
        }
        self.poscall(n)?;
        Ok(n)
    }

    /// Replaces the non-function at `func` by its `__call` metamethod,
    /// shifting the arguments up to make it the first one (PUC's
    /// `tryfuncTM`), and again while the metamethod is itself not a
    /// function. Returns how many values were inserted before the
    /// arguments. A chain of more than `MAX_CALL_CHAIN` metamethods is an
    /// error (Lua 5.5's message; 5.4 shifts the arguments once per link up
    /// to its stack limit, quadratic work a script could use to stall its
    /// host).
    #[cold]
    pub(crate) fn try_func_tm(&mut self, func: usize) -> LResult<usize> {
        let mut hops = 0;
        loop {
            self.ensure_stack(1)?;
            let v = self.th().stack[func];
            let tm = self.get_tm_by_obj(v, TmKind::Call);
            if tm.is_nil() {
                return Err(self.call_error(v));
            }
            if hops == MAX_CALL_CHAIN {
                return Err(self.rt_error("'__call' chain too long"));
            }
            let th = self.th();
            let top = th.top;
            th.stack.copy_within(func..top, func + 1);
            th.top = top + 1;
            th.stack[func] = tm;
            hops += 1;
            if matches!(tm, Value::LuaFn(_) | Value::NativeFn(_)) {
                return Ok(hops);
            }
        }
    }

    /// Finishes a call: moves the `nres` results on the top to the frame's
    /// function slot, adjusting to the wanted count, and pops the frame
    /// (PUC's `luaD_poscall`).
    #[inline]
    pub(crate) fn poscall(&mut self, nres: usize) -> LResult<()> {
        if self.th().hook.mask != 0 {
            self.hook_return(nres)?;
        }
        let th = self.th();
        let ci = th.ci.pop().expect("frame");
        debug_assert!(!th.ci.is_empty(), "the base frame returned");
        debug_assert!(ci.func + nres < th.top + 1, "more results than values above the frame");
        let res = ci.func;
        let first = th.top - nres;
        match ci.nresults {
            0 => th.top = res,
            1 => {
                th.stack[res] = if nres == 0 { Value::Nil } else { th.stack[first] };
                th.top = res + 1;
            }
            w => {
                let wanted = if w == MULTRET { nres } else { w as usize };
                let n = nres.min(wanted);
                th.stack.copy_within(first..first + n, res);
                for s in &mut th.stack[res + n..res + wanted] {
                    *s = Value::Nil;
                }
                th.top = res + wanted;
            }
        }
        Ok(())
    }

    /// Calls the value at `func` with the arguments above it, from Rust
    /// (PUC's `luaD_call`). Yields may cross this call only when the caller
    /// has a continuation.
    pub(crate) fn call(&mut self, func: usize, nresults: i32) -> LResult<()> {
        self.ccall(func, nresults, 1)
    }

    /// As `call`, but yields inside it are errors (PUC's
    /// `luaD_callnoyield`).
    #[inline]
    pub fn call_noyield(&mut self, func: usize, nresults: i32) -> LResult<()> {
        self.ccall(func, nresults, 0x1_0001)
    }

    /// The calls from Rust (`call`, `call_noyield`, and the host's
    /// `host_pcall`): a Lua function's frame is pushed and run, a native
    /// run, anything else goes through `precall` (its `__call`).
    #[inline]
    fn ccall(&mut self, func: usize, nresults: i32, inc: u32) -> LResult<()> {
        let th = self.th();
        th.n_ccalls += inc;
        if th.c_calls() >= MAX_CCALLS || self.native_stack_exhausted() {
            self.check_cstack()?;
        }
        match self.th().stack[func] {
            Value::LuaFn(cl) => {
                self.push_lua_frame(cl, func, nresults, CIST_FRESH)?;
                self.execute()?;
            }
            Value::NativeFn(_) => {
                self.precall_native(func, nresults)?;
            }
            _ => {
                if self.precall(func, nresults)? {
                    self.th().ci_mut().status = CIST_FRESH;
                    self.execute()?;
                }
            }
        }
        debug_assert!(self.th_ref().n_ccalls >= inc, "unbalanced native-call count");
        self.th().n_ccalls -= inc;
        Ok(())
    }

    /// The check made when the native-call count reaches the limit (PUC's
    /// `luaE_checkcstack`): an error at the limit, and an error-handling
    /// error a little beyond it (handlers get some room to run).
    ///
    /// The native stack budget is checked here too: past it, the same
    /// "C stack overflow" error; past it by a tenth more (message handlers
    /// running near the limit), "error in error handling".
    #[cold]
    pub(crate) fn check_cstack(&mut self) -> LResult<()> {
        let n = self.th().c_calls();
        let used = self.native_stack_used();
        let grace = self.native_stack_budget / 10 * 11;
        if n >= MAX_CCALLS / 10 * 11 || used > grace {
            Err(self.errerr())
        } else if n == MAX_CCALLS {
            Err(self.rt_error("C stack overflow"))
        } else if used > self.native_stack_limit {
            self.native_stack_limit = grace;
            Err(self.rt_error("C stack overflow"))
        } else {
            Ok(())
        }
    }

    /// Increments the native-call count for a nested activity that is not
    /// a call (the parser's recursion, for instance), with the same check.
    pub(crate) fn inc_cstack(&mut self) -> LResult<()> {
        let th = self.th();
        th.n_ccalls += 1;
        if th.c_calls() >= MAX_CCALLS || self.native_stack_exhausted() {
            self.check_cstack()?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Native stack.
    //
    // The native-call count bounds how deeply Lua and Rust calls nest, but
    // not how many bytes of the Rust stack that takes: frames are much
    // larger in unoptimized builds, and the host may run the runtime on a
    // thread with a small stack. So the runtime also measures the stack it
    // uses: the host's entry point is noted (`note_host_entry`), and a
    // call that would go deeper than the budget below it fails with the
    // same "C stack overflow" error. Positions are addresses of locals
    // (taking one is safe; it is never dereferenced); the stack grows
    // towards lower addresses on every supported platform.

    /// Bytes of native stack used since the host entered the runtime.
    #[inline(always)]
    pub(crate) fn native_stack_used(&self) -> usize {
        self.native_stack_base.saturating_sub(native_stack_position())
    }

    /// Whether the native stack budget is used up.
    #[inline(always)]
    pub(crate) fn native_stack_exhausted(&self) -> bool {
        self.native_stack_used() > self.native_stack_limit
    }

    /// Notes where the host enters the runtime, when nothing runs yet (on
    /// the main thread, no frame but the base one): the budget counts from
    /// there.
    #[inline]
    pub(crate) fn note_host_entry(&mut self) {
        if self.current.ptr_eq(self.main_thread) && self.th().ci.len() <= 1 {
            self.native_stack_base = native_stack_position();
            self.native_stack_limit = self.native_stack_budget;
        }
    }

    /// Sets how many bytes of native stack the runtime may use below the
    /// point where the host calls it (the default,
    /// `DEFAULT_NATIVE_STACK_BUDGET`, suits a thread with a 2 MiB stack).
    /// Beyond it, calls fail with "C stack overflow".
    pub fn set_native_stack_budget(&mut self, bytes: usize) {
        self.native_stack_budget = bytes;
        self.native_stack_limit = bytes;
    }

    /// Calls the function at `func` from a native that can continue with
    /// `k` after a yield (PUC's `lua_callk`). Without a yieldable context
    /// the call is non-yieldable. Leaves all results when `nresults` is
    /// `MULTRET`.
    pub fn call_k(&mut self, func: usize, nresults: i32, ctx: isize, k: ContFn) -> LResult<()> {
        if self.th().yieldable() {
            let ci = self.th().ci_mut();
            ci.k = Some(k);
            ci.ctx = ctx;
            self.call(func, nresults)?;
        } else {
            self.call_noyield(func, nresults)?;
        }
        let th = self.th();
        if nresults == MULTRET && th.ci().top < th.top {
            let t = th.top;
            th.ci_mut().top = t;
        }
        Ok(())
    }

    /// Inserts `v` at stack index `idx`, shifting the values above up.
    pub fn insert_at(&mut self, idx: usize, v: Value) {
        let th = self.th();
        let top = th.top;
        th.push(Value::Nil);
        th.stack.copy_within(idx..top, idx + 1);
        th.stack[idx] = v;
    }

    /// Public entry: calls `f` with `args` and returns how many results it
    /// left on the stack (all of them), from the current top.
    pub fn call_value(&mut self, f: Value, args: &[Value], nresults: i32) -> LResult<usize> {
        self.ensure_stack(args.len() + 1)?;
        let func = self.th().top;
        self.push(f);
        for a in args {
            self.push(*a);
        }
        self.call(func, nresults)?;
        Ok(self.th().top - func)
    }

    // ------------------------------------------------------------------
    // Errors.

    /// Builds the error for a message, adding the position of the running
    /// Lua function if there is one (PUC's `luaG_runerror`), and calls the
    /// message handler.
    pub fn rt_error(&mut self, msg: &str) -> Throw {
        let msg = self.add_position_if_lua(msg.as_bytes());
        self.throw_msg_bytes(msg)
    }

    /// Builds an error from a message, prefixed with the position of the
    /// function `level` levels up (PUC's `luaL_error`: level 1 is the
    /// function that called the running native).
    pub fn error_at_level(&mut self, level: usize, msg: &str) -> Throw {
        let mut m = self.where_(level);
        m.extend_from_slice(msg.as_bytes());
        self.throw_msg_bytes(m)
    }

    /// `luaL_error` with level 1.
    pub fn error_msg(&mut self, msg: &str) -> Throw {
        self.error_at_level(1, msg)
    }

    fn throw_msg_bytes(&mut self, msg: Vec<u8>) -> Throw {
        match self.new_str(&msg) {
            Ok(s) => self.throw_value(Value::Str(s)),
            Err(t) => t,
        }
    }

    /// Raises `v` as an error value: calls the message handler if one is
    /// set (PUC's `luaG_errormsg`).
    pub fn throw_value(&mut self, v: Value) -> Throw {
        let errfunc = self.th().errfunc;
        // An uncatchable error skips message handlers: Lua code never sees
        // it (`State::set_uncatchable_userdata`).
        if errfunc != 0 && !self.is_uncatchable(v) {
            if errfunc == crate::api::ERRFUNC_HOST {
                self.capture_host_traceback();
                return Throw { status: Status::ErrRun, value: v };
            }
            let th = self.th();
            let handler = th.stack[errfunc];
            let func = th.top;
            th.push(handler);
            th.push(v);
            if let Err(t) = self.call_noyield(func, 1) {
                return t;
            }
            let th = self.th();
            th.top -= 1;
            let r = th.stack[th.top];
            return Throw { status: Status::ErrRun, value: r };
        }
        Throw { status: Status::ErrRun, value: v }
    }

    /// The "error in error handling" error (PUC's `luaD_errerr`).
    pub(crate) fn errerr(&mut self) -> Throw {
        match self.new_str(b"error in error handling") {
            Ok(s) => Throw { status: Status::ErrErr, value: Value::Str(s) },
            Err(t) => t,
        }
    }

    // ------------------------------------------------------------------
    // Protected calls.

    /// Calls the function at `func` in protected mode, non-yieldable
    /// (PUC's `luaD_pcall` with `f_call`). On error the frames above are
    /// dropped, upvalues and to-be-closed variables from `func` up are
    /// closed, and the error value is left at `func` (top is `func + 1`).
    pub fn pcall_raw(&mut self, func: usize, nresults: i32, errfunc: usize) -> Status {
        let th = self.th();
        let old_ci = th.ci.len();
        let old_errfunc = th.errfunc;
        let old_nccalls = th.n_ccalls;
        let old_allowhook = th.hook.allow;
        th.errfunc = errfunc;
        let status = match self.call_noyield(func, nresults) {
            Ok(()) => Status::Ok,
            Err(t) => {
                self.native_stack_limit = self.native_stack_budget;
                let th = self.th();
                th.ci.truncate(old_ci);
                th.n_ccalls = old_nccalls;
                th.hook.allow = old_allowhook;
                th.push(t.value);
                let st = self.close_protected(func, t.status);
                self.set_error_obj(st, func);
                self.shrink_stack();
                st
            }
        };
        self.th().errfunc = old_errfunc;
        status
    }

    /// A protected call that a coroutine may yield across when `k` is
    /// given (PUC's `lua_pcallk`). The running native's frame records the
    /// continuation; after an error the recovery (`finish_pcallk`) is done
    /// here, and after a yield by `unroll` on resumption. Returns the
    /// status (`Ok`, or the error status with the error value at `func`).
    pub fn pcallk(
        &mut self,
        func: usize,
        nresults: i32,
        errfunc: usize,
        ctx: isize,
        k: Option<ContFn>,
    ) -> LResult<Status> {
        if k.is_none() || !self.th().yieldable() {
            return Ok(self.pcall_raw(func, nresults, errfunc));
        }
        let th = self.th();
        let ci_idx = th.ci.len() - 1;
        let old_nccalls = th.n_ccalls;
        let allow = th.hook.allow;
        {
            let old_errfunc = th.errfunc;
            let ci = &mut th.ci[ci_idx];
            ci.k = k;
            ci.ctx = ctx;
            ci.u2 = func;
            ci.old_errfunc = old_errfunc;
            ci.status = (ci.status & !CIST_OAH) | if allow { CIST_OAH } else { 0 } | CIST_YPCALL;
            th.errfunc = errfunc;
        }
        match self.call(func, nresults) {
            Ok(()) => {
                let th = self.th();
                let ci = &mut th.ci[ci_idx];
                ci.status &= !CIST_YPCALL;
                th.errfunc = ci.old_errfunc;
                Ok(Status::Ok)
            }
            Err(t) if t.is_yield() => Err(t),
            Err(mut t) => loop {
                self.native_stack_limit = self.native_stack_budget;
                let th = self.th();
                th.ci.truncate(ci_idx + 1);
                th.n_ccalls = old_nccalls;
                th.push(t.value);
                th.ci[ci_idx].set_recover_status(t.status as u8);
                match self.finish_pcallk(ci_idx) {
                    Ok(st) => return Ok(st),
                    Err(e) if e.is_yield() => return Err(e),
                    Err(e) => t = e,
                }
            },
        }
    }

    /// Completes a yieldable protected call interrupted by an error or a
    /// yield (PUC's `finishpcallk`). With an error pending (recover status
    /// set, error value on the top) it closes what must be closed (which
    /// may yield or fail again) and leaves the error value at the called
    /// function's slot.
    pub(crate) fn finish_pcallk(&mut self, ci_idx: usize) -> LResult<Status> {
        let th = self.th();
        let ci = th.ci[ci_idx];
        let mut status = Status::from_u8(ci.recover_status());
        if status == Status::Ok {
            status = Status::Yield;
        } else {
            let func = ci.u2;
            th.hook.allow = ci.status & CIST_OAH != 0;
            self.close_level(func, Some(status), true)?;
            self.set_error_obj(status, func);
            self.shrink_stack();
            self.th().ci[ci_idx].set_recover_status(0);
        }
        let th = self.th();
        let ci = &mut th.ci[ci_idx];
        ci.status &= !CIST_YPCALL;
        th.errfunc = ci.old_errfunc;
        Ok(status)
    }

    /// Puts the error value of `status` at `oldtop` and sets the top just
    /// above it (PUC's `luaD_seterrorobj`). The value is taken from the top
    /// of the stack for runtime errors.
    pub(crate) fn set_error_obj(&mut self, status: Status, oldtop: usize) {
        let v = match status {
            Status::ErrMem => Value::Str(self.mem_err_msg),
            Status::Ok => Value::Nil,
            _ => {
                let th = self.th();
                th.stack[th.top - 1]
            }
        };
        let v = if status == Status::ErrErr && !matches!(v, Value::Str(_)) {
            match self.new_str(b"error in error handling") {
                Ok(s) => Value::Str(s),
                Err(_) => Value::Str(self.mem_err_msg),
            }
        } else {
            v
        };
        let th = self.th();
        th.stack[oldtop] = v;
        th.top = oldtop + 1;
    }

    /// Closes upvalues and to-be-closed variables from `level` up after an
    /// error, in protected mode: an error in a `__close` handler replaces
    /// the current one and closing goes on (PUC's `luaD_closeprotected`).
    /// Returns the final status; the final error value is on the top.
    pub(crate) fn close_protected(&mut self, level: usize, mut status: Status) -> Status {
        let th = self.th();
        let old_ci = th.ci.len();
        let old_allow = th.hook.allow;
        let old_nccalls = th.n_ccalls;
        loop {
            match self.close_level(level, Some(status), false) {
                Ok(()) => return status,
                Err(t) => {
                    self.native_stack_limit = self.native_stack_budget;
                    let th = self.th();
                    th.ci.truncate(old_ci);
                    th.hook.allow = old_allow;
                    th.n_ccalls = old_nccalls;
                    th.push(t.value);
                    status = t.status;
                }
            }
        }
    }

    // ------------------------------------------------------------------
    // Upvalues and to-be-closed variables.

    /// Finds or creates the open upvalue for stack slot `level` of the
    /// running thread (PUC's `luaF_findupval`).
    pub(crate) fn find_upval(&mut self, level: usize) -> LResult<Gc<UpVal>> {
        let th = self.th();
        // Open upvalues are sorted by level; most captures are of recent
        // locals, so search from the end.
        let mut pos = th.open_upvals.len();
        while pos > 0 {
            let uv = th.open_upvals[pos - 1];
            let l = uv.level.get();
            if l == level {
                return Ok(uv);
            }
            if l < level {
                break;
            }
            pos -= 1;
        }
        let slot = th.stack.as_mut_ptr().wrapping_add(level);
        let cur = self.current;
        let uv = self.heap.alloc(UpVal::new_open(slot, level, cur)).map_err(|_| self.mem_throw())?;
        let th = self.th();
        th.open_upvals.insert(pos, uv);
        if !th.in_twups {
            th.in_twups = true;
            self.heap.twups.push(cur);
        }
        Ok(uv)
    }

    /// Closes the open upvalues at or above `level` (PUC's
    /// `luaF_closeupval`).
    #[inline(never)]
    pub(crate) fn close_upvals(&mut self, level: usize) {
        let (th, heap) = self.th_and_heap();
        while let Some(&uv) = th.open_upvals.last() {
            if uv.level.get() < level {
                break;
            }
            th.open_upvals.pop();
            uv.close();
            heap.barrier_closed_upval(uv);
        }
    }

    /// Marks the variable at stack slot `level` as to-be-closed (PUC's
    /// `luaF_newtbcupval`): `false` and `nil` need no closing; other
    /// values must have a `__close` metamethod.
    #[inline(never)]
    pub(crate) fn new_tbc(&mut self, level: usize) -> LResult<()> {
        let v = self.th().stack[level];
        if v.is_falsy() {
            return Ok(());
        }
        if self.get_tm_by_obj(v, TmKind::Close).is_nil() {
            let th = self.th_ref();
            let idx = level - th.ci().func;
            let name = self.find_local_name(th.ci.len() - 1, idx);
            let name = name.unwrap_or_else(|| "?".to_string());
            return Err(self.rt_error(&format!("variable '{name}' got a non-closable value")));
        }
        self.th().tbc.push(level);
        Ok(())
    }

    /// Closes upvalues and calls the `__close` handlers of the
    /// to-be-closed variables at or above `level`, innermost first (PUC's
    /// `luaF_close`). `status` is `None` for a normal exit (handlers get a
    /// nil error) or the error status (the error value is on the top).
    #[inline(never)]
    pub(crate) fn close_level(&mut self, level: usize, status: Option<Status>, yieldable: bool) -> LResult<()> {
        self.close_upvals(level);
        loop {
            let th = self.th();
            let tbc = match th.tbc.last() {
                Some(&t) if t >= level => t,
                _ => return Ok(()),
            };
            th.tbc.pop();
            self.call_close_method(tbc, status, yieldable)?;
        }
    }

    /// Calls the `__close` handler of the variable at `tbc` (PUC's
    /// `prepcallclosemth` + `callclosemethod`).
    fn call_close_method(&mut self, tbc: usize, status: Option<Status>, yieldable: bool) -> LResult<()> {
        let err = match status {
            None => Value::Nil,
            Some(st) => {
                // The error value goes right after the variable; the top is
                // set just above it.
                self.set_error_obj(st, tbc + 1);
                self.th().stack[tbc + 1]
            }
        };
        let obj = self.th().stack[tbc];
        let tm = self.get_tm_by_obj(obj, TmKind::Close);
        self.ensure_stack(3)?;
        let th = self.th();
        let top = th.top;
        th.stack[top] = tm;
        th.stack[top + 1] = obj;
        th.stack[top + 2] = err;
        th.top = top + 3;
        if yieldable {
            self.call(top, 0)
        } else {
            self.call_noyield(top, 0)
        }
    }

    // ------------------------------------------------------------------
    // Tail calls.

    /// Prepares a tail call of the value at `func` with `narg1 - 1`
    /// arguments, reusing frame `ci` (PUC's `luaD_pretailcall`). Returns
    /// `None` when the callee is a Lua function (the frame is reused and
    /// the loop restarts it), or the number of results a native returned.
    #[inline(never)]
    pub(crate) fn pretailcall(&mut self, mut func: usize, mut narg1: usize, delta: usize) -> LResult<Option<usize>> {
        loop {
            match self.th().stack[func] {
                Value::LuaFn(cl) => {
                    let p = cl.proto;
                    let fsize = p.max_stack_size as usize;
                    let nparams = p.num_params as usize;
                    self.ensure_stack(fsize.saturating_sub(delta))?;
                    let th = self.th();
                    let ci = th.ci.last_mut().expect("frame");
                    ci.func -= delta;
                    let base = ci.func;
                    th.stack.copy_within(func..func + narg1, base);
                    func = base;
                    while narg1 <= nparams {
                        th.stack[func + narg1] = Value::Nil;
                        narg1 += 1;
                    }
                    let ci = th.ci.last_mut().expect("frame");
                    ci.top = func + 1 + fsize;
                    ci.savedpc = 0;
                    ci.status |= CIST_TAIL;
                    // The caller's extra arguments are gone; a vararg
                    // callee counts its own in VARARGPREP.
                    ci.nextraargs = 0;
                    th.top = func + narg1;
                    return Ok(None);
                }
                Value::NativeFn(_) => {
                    let n = self.precall_native(func, MULTRET)?;
                    return Ok(Some(n));
                }
                _ => {
                    narg1 += self.try_func_tm(func)?;
                }
            }
        }
    }
}
