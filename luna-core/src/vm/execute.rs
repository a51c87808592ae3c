//! The interpreter loop (PUC's `luaV_execute`).
//!
//! `execute` runs the Lua frame on top of the running thread's frame
//! chain. Lua-to-Lua calls and returns switch frames inside the loop; the
//! loop returns when a frame marked `CIST_FRESH` (one entered from Rust)
//! returns, or with the `Err` of an error or yield. Every instruction that
//! can raise an error, call out or reallocate the stack first saves the
//! program counter in the frame (`savepc`) and, after the call, reloads the
//! stack base (`reload`): a call can move the stack.
//!
//! # Safety
//!
//! This module is one of the places allowed to use `unsafe` (see
//! ARCHITECTURE.md): registers and constants are accessed through raw
//! pointers without bounds checks. That is sound because
//! 1. a Lua frame is only entered after `precall` made room for the
//!    prototype's `max_stack_size` registers above its base, and the
//!    compiler (or the binary-chunk verifier) guarantees every register
//!    operand is below `max_stack_size`, every constant index below the
//!    constant count, every upvalue index below the upvalue count, and
//!    every jump target inside the code;
//! 2. `base` is recomputed after every operation that can reallocate the
//!    stack, and the thread data pointer `th` stays valid because the
//!    running thread's box never moves and is alive while it runs;
//! 3. no Rust reference into the stack or the frame vector is kept across
//!    a call out of the loop.

use crate::gc::Gc;
use crate::object::function::{LuaClosure, Proto};
use crate::object::thread::{CallInfo, ThreadData, CIST_FRESH};
use crate::state::State;
use crate::value::Value;
use crate::vm::arith::{self, F2I};
use crate::vm::debug::ValLoc;
use crate::vm::opcodes::*;
use crate::vm::LResult;

impl State {
    /// Runs Lua code from the frame on top of the running thread until a
    /// fresh frame returns (PUC's `luaV_execute`).
    // `reload!` refreshes every cached pointer after a call out; some of the
    // values are overwritten again before being read on some paths.
    #[allow(unused_assignments)]
    pub(crate) fn execute(&mut self) -> LResult<()> {
        let th: *mut ThreadData = self.current.data_ptr();
        // `true` when the frame on top was just called (not returned to).
        let mut fresh_entry = true;
        // SAFETY: see the module docs.
        unsafe {
            'newframe: loop {
                let mut ci_idx = (&mut *th).ci.len() - 1;
                let func = (&mut *th).ci.get_unchecked(ci_idx).func;
                let mut cl: Gc<LuaClosure> = match *(&mut *th).stack.as_ptr().add(func) {
                    Value::LuaFn(cl) => cl,
                    _ => return Err(self.rt_error("internal error: frame is not a Lua function")),
                };
                let mut proto: Gc<Proto> = cl.proto;
                let mut code: *const Instruction = proto.code.as_ptr();
                let mut k: *const Value = proto.constants.as_ptr();
                let mut pc: *const Instruction = code.add((&mut *th).ci.get_unchecked(ci_idx).savedpc);
                let mut trap = (&mut *th).hook.mask != 0;
                if fresh_entry {
                    self.fuel -= 1;
                    if self.fuel < 0 {
                        self.fuel = 0;
                        self.fuel_tick(pc.offset_from(code) as usize)?;
                        self.fuel -= 1;
                        trap = (&mut *th).hook.mask != 0;
                    }
                }
                if trap {
                    trap = self.trace_call(fresh_entry)?;
                }
                // `precall` made room for the whole frame, and the frame's
                // saved position is inside its code.
                debug_assert!(
                    func + 1 + proto.max_stack_size as usize <= (&*th).stack.len(),
                    "frame registers beyond the stack"
                );
                debug_assert!((&*th).ci[ci_idx].savedpc < proto.code.len(), "saved pc outside the code");
                let mut base: *mut Value =
                    (&mut *th).stack.as_mut_ptr().add((&mut *th).ci.get_unchecked(ci_idx).func + 1);

                // Continues in the caller of a frame that just returned
                // (not a fresh frame, so the caller is Lua code).
                macro_rules! resume_caller {
                    () => {{
                        ci_idx -= 1;
                        let func = ci!().func;
                        cl = match *(&mut *th).stack.as_ptr().add(func) {
                            Value::LuaFn(c) => c,
                            _ => return Err(self.rt_error("internal error: frame is not a Lua function")),
                        };
                        proto = cl.proto;
                        code = proto.code.as_ptr();
                        k = proto.constants.as_ptr();
                        pc = code.add(ci!().savedpc);
                        base = (&mut *th).stack.as_mut_ptr().add(func + 1);
                        trap = (&mut *th).hook.mask != 0;
                        continue;
                    }};
                }
                // Register, constant and upvalue operands are in range
                // (module docs, rule 1): checked in debug builds. Registers
                // are checked against the stack itself: open-top operands
                // (`CALL`, `SETLIST`, `VARARG` with B or C 0) reach past
                // the prototype's frame size, up to the top.
                macro_rules! reg {
                    ($n:expr) => {
                        *{
                            debug_assert!(
                                base.offset_from((&*th).stack.as_ptr()) as usize + ($n as usize) < (&*th).stack.len(),
                                "register {} outside the stack",
                                $n
                            );
                            base.add($n as usize)
                        }
                    };
                }
                macro_rules! upval_at {
                    ($cl:expr, $n:expr) => {{
                        debug_assert!(($n as usize) < $cl.upvals.len(), "upvalue {} out of range", $n);
                        $cl.upvals.get_unchecked($n as usize)
                    }};
                }
                macro_rules! kst {
                    ($n:expr) => {
                        *{
                            debug_assert!(($n as usize) < proto.constants.len(), "constant {} out of range", $n);
                            k.add($n as usize)
                        }
                    };
                }
                macro_rules! ci {
                    () => {
                        (&mut *th).ci.get_unchecked_mut(ci_idx)
                    };
                }
                macro_rules! savepc {
                    () => {
                        ci!().savedpc = pc.offset_from(code) as usize;
                    };
                }
                macro_rules! savestate {
                    () => {{
                        savepc!();
                        (&mut *th).top = ci!().top;
                    }};
                }
                macro_rules! reload {
                    () => {{
                        base = (&mut *th).stack.as_mut_ptr().add(ci!().func + 1);
                        trap = (&mut *th).hook.mask != 0;
                    }};
                }
                // Runs a fallible operation that may call out: state saved
                // before, base reloaded after.
                macro_rules! protect {
                    ($e:expr) => {{
                        savestate!();
                        let r = $e;
                        reload!();
                        r?
                    }};
                }
                // As `protect`, without changing the top.
                macro_rules! protect_nt {
                    ($e:expr) => {{
                        savepc!();
                        let r = $e;
                        reload!();
                        r?
                    }};
                }
                macro_rules! rk_c {
                    ($i:expr) => {
                        if arg_k($i) {
                            kst!(arg_c($i))
                        } else {
                            reg!(arg_c($i))
                        }
                    };
                }
                // A backward jump closes a loop (`repeat ... until`, an
                // `if` ending a loop body): it is charged as a back edge.
                macro_rules! cond_jump {
                    ($i:expr, $cond:expr) => {{
                        if $cond != arg_k($i) {
                            pc = pc.add(1);
                        } else {
                            let sj = arg_sj(*pc);
                            pc = pc.offset(sj as isize + 1);
                            if sj < 0 {
                                back_edge!();
                            }
                        }
                    }};
                }
                macro_rules! check_gc {
                    ($top:expr) => {{
                        if self.heap.debt > 0 {
                            savepc!();
                            (&mut *th).top = $top;
                            let r = self.gc_step_at_safe_point();
                            reload!();
                            r?;
                        }
                    }};
                }
                macro_rules! back_edge {
                    () => {{
                        self.fuel -= 1;
                        if self.fuel < 0 {
                            self.fuel = 0;
                            savepc!();
                            let r = self.fuel_tick(pc.offset_from(code) as usize);
                            reload!();
                            r?;
                            self.fuel -= 1;
                        }
                    }};
                }
                // Integer/float arithmetic with register operands; on
                // success the following MMBIN is skipped.
                macro_rules! arith_rr {
                    ($i:expr, $iop:expr, $fop:expr) => {{
                        let v1 = reg!(arg_b($i));
                        let v2 = reg!(arg_c($i));
                        match (v1, v2) {
                            (Value::Int(a), Value::Int(b)) => {
                                reg!(arg_a($i)) = Value::Int($iop(a, b));
                                pc = pc.add(1);
                            }
                            (Value::Float(a), Value::Float(b)) => {
                                reg!(arg_a($i)) = Value::Float($fop(a, b));
                                pc = pc.add(1);
                            }
                            (Value::Int(a), Value::Float(b)) => {
                                reg!(arg_a($i)) = Value::Float($fop(a as f64, b));
                                pc = pc.add(1);
                            }
                            (Value::Float(a), Value::Int(b)) => {
                                reg!(arg_a($i)) = Value::Float($fop(a, b as f64));
                                pc = pc.add(1);
                            }
                            _ => {}
                        }
                    }};
                }
                macro_rules! arith_rk {
                    ($i:expr, $iop:expr, $fop:expr) => {{
                        let v1 = reg!(arg_b($i));
                        let v2 = kst!(arg_c($i));
                        match (v1, v2) {
                            (Value::Int(a), Value::Int(b)) => {
                                reg!(arg_a($i)) = Value::Int($iop(a, b));
                                pc = pc.add(1);
                            }
                            (Value::Float(a), Value::Float(b)) => {
                                reg!(arg_a($i)) = Value::Float($fop(a, b));
                                pc = pc.add(1);
                            }
                            (Value::Int(a), Value::Float(b)) => {
                                reg!(arg_a($i)) = Value::Float($fop(a as f64, b));
                                pc = pc.add(1);
                            }
                            (Value::Float(a), Value::Int(b)) => {
                                reg!(arg_a($i)) = Value::Float($fop(a, b as f64));
                                pc = pc.add(1);
                            }
                            _ => {}
                        }
                    }};
                }
                // Float-only arithmetic (`/` and `^`).
                macro_rules! arithf {
                    ($i:expr, $v2:expr, $fop:expr) => {{
                        let v1 = reg!(arg_b($i));
                        if let (Some(a), Some(b)) = (arith::to_number_ns(&v1), arith::to_number_ns(&$v2)) {
                            reg!(arg_a($i)) = Value::Float($fop(a, b));
                            pc = pc.add(1);
                        }
                    }};
                }
                // Integer division and modulo: a zero divisor is an error.
                macro_rules! arith_div {
                    ($i:expr, $v2:expr, $iop:expr, $fop:expr, $msg:expr) => {{
                        let v1 = reg!(arg_b($i));
                        let v2 = $v2;
                        match (v1, v2) {
                            (Value::Int(a), Value::Int(b)) => match $iop(a, b) {
                                Some(r) => {
                                    reg!(arg_a($i)) = Value::Int(r);
                                    pc = pc.add(1);
                                }
                                None => {
                                    savestate!();
                                    return Err(self.rt_error($msg));
                                }
                            },
                            _ => {
                                if let (Some(a), Some(b)) = (arith::to_number_ns(&v1), arith::to_number_ns(&v2)) {
                                    reg!(arg_a($i)) = Value::Float($fop(a, b));
                                    pc = pc.add(1);
                                }
                            }
                        }
                    }};
                }
                macro_rules! bitwise {
                    ($i:expr, $v2:expr, $op:expr) => {{
                        let v1 = reg!(arg_b($i));
                        if let (Some(a), Some(b)) =
                            (arith::to_integer_ns(&v1, F2I::Exact), arith::to_integer_ns(&$v2, F2I::Exact))
                        {
                            reg!(arg_a($i)) = Value::Int($op(a, b));
                            pc = pc.add(1);
                        }
                    }};
                }
                macro_rules! order {
                    ($i:expr, $iop:expr, $nop:expr, $other:ident) => {{
                        let a = reg!(arg_a($i));
                        let b = reg!(arg_b($i));
                        let cond = match (a, b) {
                            (Value::Int(x), Value::Int(y)) => $iop(x, y),
                            _ if a.is_number() && b.is_number() => $nop(&a, &b),
                            _ => protect!(self.$other(a, b)),
                        };
                        cond_jump!($i, cond);
                    }};
                }
                macro_rules! order_i {
                    ($i:expr, $iop:expr, $fop:expr, $flip:expr, $tm:expr) => {{
                        let a = reg!(arg_a($i));
                        let im = arg_sb($i);
                        let cond = match a {
                            Value::Int(x) => $iop(x, im as i64),
                            Value::Float(x) => $fop(x, im as f64),
                            _ => protect!(self.call_order_i_tm(a, im, $flip, arg_c($i) != 0, $tm)),
                        };
                        cond_jump!($i, cond);
                    }};
                }

                loop {
                    if trap {
                        savepc!();
                        let r = self.trace_exec(pc.offset_from(code) as usize);
                        reload!();
                        r?;
                    }
                    let i = *pc;
                    pc = pc.add(1);
                    match RawOp::of(i) {
                        RawOp::MOVE => {
                            Value::copy_raw(base.add(arg_a(i) as usize), base.add(arg_b(i) as usize));
                        }
                        RawOp::LOAD_I => {
                            reg!(arg_a(i)) = Value::Int(arg_sbx(i) as i64);
                        }
                        RawOp::LOAD_F => {
                            reg!(arg_a(i)) = Value::Float(arg_sbx(i) as f64);
                        }
                        RawOp::LOAD_K => {
                            reg!(arg_a(i)) = kst!(arg_bx(i));
                        }
                        RawOp::LOAD_KX => {
                            let ax = arg_ax(*pc);
                            pc = pc.add(1);
                            reg!(arg_a(i)) = kst!(ax);
                        }
                        RawOp::LOAD_FALSE => {
                            reg!(arg_a(i)) = Value::Bool(false);
                        }
                        RawOp::L_FALSE_SKIP => {
                            reg!(arg_a(i)) = Value::Bool(false);
                            pc = pc.add(1);
                        }
                        RawOp::LOAD_TRUE => {
                            reg!(arg_a(i)) = Value::Bool(true);
                        }
                        RawOp::LOAD_NIL => {
                            let a = arg_a(i) as usize;
                            for r in a..=a + arg_b(i) as usize {
                                reg!(r) = Value::Nil;
                            }
                        }
                        RawOp::GET_UPVAL => {
                            let uv = upval_at!(cl, arg_b(i) as usize).get();
                            reg!(arg_a(i)) = uv.get();
                        }
                        RawOp::SET_UPVAL => {
                            let uv = upval_at!(cl, arg_b(i) as usize).get();
                            let v = reg!(arg_a(i));
                            uv.set(v);
                            self.heap.barrier_upval(uv, v);
                        }
                        RawOp::GET_TAB_UP => {
                            let b = arg_b(i);
                            let t = upval_at!(cl, b as usize).get().get();
                            let key = kst!(arg_c(i));
                            if let (Value::Table(h), Value::Str(s)) = (t, key) {
                                let v = h.get_str(s);
                                if !v.is_nil() {
                                    reg!(arg_a(i)) = v;
                                    continue;
                                }
                            }
                            let v = protect!(self.finish_get(t, key, ValLoc::Upvalue(b)));
                            reg!(arg_a(i)) = v;
                        }
                        RawOp::GET_TABLE => {
                            let b = arg_b(i);
                            let t = reg!(b);
                            let key = reg!(arg_c(i));
                            if let Value::Table(h) = t {
                                let v = match key {
                                    Value::Int(n) => h.get_int(n),
                                    _ => h.get(key),
                                };
                                if !v.is_nil() {
                                    reg!(arg_a(i)) = v;
                                    continue;
                                }
                            }
                            let v = protect!(self.finish_get(t, key, ValLoc::Register(b)));
                            reg!(arg_a(i)) = v;
                        }
                        RawOp::GET_I => {
                            let b = arg_b(i);
                            let t = reg!(b);
                            let n = arg_c(i) as i64;
                            if let Value::Table(h) = t {
                                let v = h.get_int(n);
                                if !v.is_nil() {
                                    reg!(arg_a(i)) = v;
                                    continue;
                                }
                            }
                            let v = protect!(self.finish_get(t, Value::Int(n), ValLoc::Register(b)));
                            reg!(arg_a(i)) = v;
                        }
                        RawOp::GET_FIELD => {
                            let b = arg_b(i);
                            let t = reg!(b);
                            let key = kst!(arg_c(i));
                            if let (Value::Table(h), Value::Str(s)) = (t, key) {
                                let v = h.get_str(s);
                                if !v.is_nil() {
                                    reg!(arg_a(i)) = v;
                                    continue;
                                }
                            }
                            let v = protect!(self.finish_get(t, key, ValLoc::Register(b)));
                            reg!(arg_a(i)) = v;
                        }
                        RawOp::SET_TAB_UP => {
                            let a = arg_a(i);
                            let t = upval_at!(cl, a as usize).get().get();
                            let key = kst!(arg_b(i));
                            let v = rk_c!(i);
                            if let (Value::Table(h), Value::Str(s)) = (t, key) {
                                if h.replace_str(s, v) {
                                    self.heap.barrier_back(h, v);
                                    continue;
                                }
                            }
                            protect!(self.finish_set(t, key, v, ValLoc::Upvalue(a)));
                        }
                        RawOp::SET_TABLE => {
                            let a = arg_a(i);
                            let t = reg!(a);
                            let key = reg!(arg_b(i));
                            let v = rk_c!(i);
                            if let Value::Table(h) = t {
                                let done = match key {
                                    Value::Int(n) => h.replace_int(n, v),
                                    _ => h.replace(key, v),
                                };
                                if done {
                                    self.heap.barrier_back(h, v);
                                    continue;
                                }
                            }
                            protect!(self.finish_set(t, key, v, ValLoc::Register(a)));
                        }
                        RawOp::SET_I => {
                            let a = arg_a(i);
                            let t = reg!(a);
                            let n = arg_b(i) as i64;
                            let v = rk_c!(i);
                            if let Value::Table(h) = t {
                                if h.replace_int(n, v) {
                                    self.heap.barrier_back(h, v);
                                    continue;
                                }
                            }
                            protect!(self.finish_set(t, Value::Int(n), v, ValLoc::Register(a)));
                        }
                        RawOp::SET_FIELD => {
                            let a = arg_a(i);
                            let t = reg!(a);
                            let key = kst!(arg_b(i));
                            let v = rk_c!(i);
                            if let (Value::Table(h), Value::Str(s)) = (t, key) {
                                if h.replace_str(s, v) {
                                    self.heap.barrier_back(h, v);
                                    continue;
                                }
                            }
                            protect!(self.finish_set(t, key, v, ValLoc::Register(a)));
                        }
                        RawOp::NEW_TABLE => {
                            let a = arg_a(i) as usize;
                            // B is log2 of the hash size plus one (0: no
                            // hash part); an exponent past the word size
                            // saturates (the request then fails as too large).
                            let mut b = arg_b(i) as usize;
                            if b > 0 {
                                b = 1usize.checked_shl(b as u32 - 1).unwrap_or(usize::MAX);
                            }
                            let mut c = arg_c(i) as usize;
                            if arg_k(i) {
                                c += arg_ax(*pc) as usize * (MAXARG_C as usize + 1);
                            }
                            pc = pc.add(1);
                            savepc!();
                            let t = match self.new_table_with(c, b) {
                                Ok(t) => t,
                                Err(_) => {
                                    // Out of memory: collect (everything live
                                    // is below `a`) and try once more.
                                    (&mut *th).top = ci!().func + 1 + a;
                                    self.full_gc(true);
                                    reload!();
                                    self.new_table_with(c, b)?
                                }
                            };
                            reg!(a) = Value::Table(t);
                            check_gc!(ci!().func + 1 + a + 1);
                        }
                        RawOp::SELF_OP => {
                            let a = arg_a(i);
                            let b = arg_b(i);
                            let t = reg!(b);
                            let key = rk_c!(i);
                            reg!(a + 1) = t;
                            if let (Value::Table(h), Value::Str(s)) = (t, key) {
                                let v = h.get_str(s);
                                if !v.is_nil() {
                                    reg!(a) = v;
                                    continue;
                                }
                            }
                            let v = protect!(self.finish_get(t, key, ValLoc::Register(b)));
                            reg!(a) = v;
                        }
                        RawOp::ADD_I => {
                            let v1 = reg!(arg_b(i));
                            let imm = arg_sc(i) as i64;
                            match v1 {
                                Value::Int(x) => {
                                    reg!(arg_a(i)) = Value::Int(x.wrapping_add(imm));
                                    pc = pc.add(1);
                                }
                                Value::Float(x) => {
                                    reg!(arg_a(i)) = Value::Float(x + imm as f64);
                                    pc = pc.add(1);
                                }
                                _ => {}
                            }
                        }
                        RawOp::ADD_K => arith_rk!(i, i64::wrapping_add, |a: f64, b: f64| a + b),
                        RawOp::SUB_K => arith_rk!(i, i64::wrapping_sub, |a: f64, b: f64| a - b),
                        RawOp::MUL_K => arith_rk!(i, i64::wrapping_mul, |a: f64, b: f64| a * b),
                        RawOp::MOD_K => {
                            arith_div!(i, kst!(arg_c(i)), arith::imod, arith::fmod, "attempt to perform 'n%0'")
                        }
                        RawOp::POW_K => arithf!(i, kst!(arg_c(i)), arith::fpow),
                        RawOp::DIV_K => arithf!(i, kst!(arg_c(i)), |a: f64, b: f64| a / b),
                        RawOp::I_DIV_K => {
                            arith_div!(i, kst!(arg_c(i)), arith::idiv, arith::fidiv, "attempt to divide by zero")
                        }
                        RawOp::B_AND_K => bitwise!(i, kst!(arg_c(i)), |a: i64, b: i64| a & b),
                        RawOp::B_OR_K => bitwise!(i, kst!(arg_c(i)), |a: i64, b: i64| a | b),
                        RawOp::B_XOR_K => bitwise!(i, kst!(arg_c(i)), |a: i64, b: i64| a ^ b),
                        RawOp::SHR_I => {
                            if let Some(x) = arith::to_integer_ns(&reg!(arg_b(i)), F2I::Exact) {
                                reg!(arg_a(i)) = Value::Int(arith::shift_left(x, -(arg_sc(i) as i64)));
                                pc = pc.add(1);
                            }
                        }
                        RawOp::SHL_I => {
                            if let Some(x) = arith::to_integer_ns(&reg!(arg_b(i)), F2I::Exact) {
                                reg!(arg_a(i)) = Value::Int(arith::shift_left(arg_sc(i) as i64, x));
                                pc = pc.add(1);
                            }
                        }
                        RawOp::ADD => arith_rr!(i, i64::wrapping_add, |a: f64, b: f64| a + b),
                        RawOp::SUB => arith_rr!(i, i64::wrapping_sub, |a: f64, b: f64| a - b),
                        RawOp::MUL => arith_rr!(i, i64::wrapping_mul, |a: f64, b: f64| a * b),
                        RawOp::MOD => {
                            arith_div!(i, reg!(arg_c(i)), arith::imod, arith::fmod, "attempt to perform 'n%0'")
                        }
                        RawOp::POW => arithf!(i, reg!(arg_c(i)), arith::fpow),
                        RawOp::DIV => arithf!(i, reg!(arg_c(i)), |a: f64, b: f64| a / b),
                        RawOp::I_DIV => {
                            arith_div!(i, reg!(arg_c(i)), arith::idiv, arith::fidiv, "attempt to divide by zero")
                        }
                        RawOp::B_AND => bitwise!(i, reg!(arg_c(i)), |a: i64, b: i64| a & b),
                        RawOp::B_OR => bitwise!(i, reg!(arg_c(i)), |a: i64, b: i64| a | b),
                        RawOp::B_XOR => bitwise!(i, reg!(arg_c(i)), |a: i64, b: i64| a ^ b),
                        RawOp::SHL => bitwise!(i, reg!(arg_c(i)), arith::shift_left),
                        RawOp::SHR => bitwise!(i, reg!(arg_c(i)), arith::shift_right),
                        RawOp::MM_BIN => {
                            let a = arg_a(i);
                            let b = arg_b(i);
                            let pi = *pc.sub(2);
                            let tm = TmKind::from_u32(arg_c(i)).unwrap_or(TmKind::Add);
                            let (va, vb) = (reg!(a), reg!(b));
                            let v = protect!(self.arith_tm(va, ValLoc::Register(a), vb, ValLoc::Register(b), tm));
                            reg!(arg_a(pi)) = v;
                        }
                        RawOp::MM_BIN_I => {
                            let a = arg_a(i);
                            let pi = *pc.sub(2);
                            let imm = Value::Int(arg_sb(i) as i64);
                            let tm = TmKind::from_u32(arg_c(i)).unwrap_or(TmKind::Add);
                            let va = reg!(a);
                            let v = if arg_k(i) {
                                protect!(self.arith_tm(imm, ValLoc::Other, va, ValLoc::Register(a), tm))
                            } else {
                                protect!(self.arith_tm(va, ValLoc::Register(a), imm, ValLoc::Other, tm))
                            };
                            reg!(arg_a(pi)) = v;
                        }
                        RawOp::MM_BIN_K => {
                            let a = arg_a(i);
                            let pi = *pc.sub(2);
                            let imm = kst!(arg_b(i));
                            let tm = TmKind::from_u32(arg_c(i)).unwrap_or(TmKind::Add);
                            let va = reg!(a);
                            let v = if arg_k(i) {
                                protect!(self.arith_tm(imm, ValLoc::Other, va, ValLoc::Register(a), tm))
                            } else {
                                protect!(self.arith_tm(va, ValLoc::Register(a), imm, ValLoc::Other, tm))
                            };
                            reg!(arg_a(pi)) = v;
                        }
                        RawOp::UNM => {
                            let b = arg_b(i);
                            let v = reg!(b);
                            reg!(arg_a(i)) = match v {
                                Value::Int(x) => Value::Int(x.wrapping_neg()),
                                Value::Float(x) => Value::Float(-x),
                                _ => {
                                    protect!(self.arith_tm(v, ValLoc::Register(b), v, ValLoc::Register(b), TmKind::Unm))
                                }
                            };
                        }
                        RawOp::B_NOT => {
                            let b = arg_b(i);
                            let v = reg!(b);
                            reg!(arg_a(i)) = match arith::to_integer_ns(&v, F2I::Exact) {
                                Some(x) => Value::Int(!x),
                                None => {
                                    protect!(self.arith_tm(
                                        v,
                                        ValLoc::Register(b),
                                        v,
                                        ValLoc::Register(b),
                                        TmKind::BNot
                                    ))
                                }
                            };
                        }
                        RawOp::NOT => {
                            reg!(arg_a(i)) = Value::Bool(reg!(arg_b(i)).is_falsy());
                        }
                        RawOp::LEN => {
                            let b = arg_b(i);
                            let v = reg!(b);
                            let r = match v {
                                Value::Str(s) => Value::Int(s.len() as i64),
                                Value::Table(h) if h.metatable().is_none() => Value::Int(h.length() as i64),
                                _ => protect!(self.len_of(v, ValLoc::Register(b))),
                            };
                            reg!(arg_a(i)) = r;
                        }
                        RawOp::CONCAT => {
                            let a = arg_a(i) as usize;
                            let n = arg_b(i) as usize;
                            let abs = ci!().func + 1 + a;
                            (&mut *th).top = abs + n;
                            protect_nt!(self.concat(n));
                            check_gc!((&mut *th).top);
                        }
                        RawOp::CLOSE => {
                            let abs = ci!().func + 1 + arg_a(i) as usize;
                            protect!(self.close_level(abs, None, true));
                        }
                        RawOp::TBC => {
                            let abs = ci!().func + 1 + arg_a(i) as usize;
                            savestate!();
                            self.new_tbc(abs)?;
                        }
                        RawOp::JMP => {
                            let sj = arg_sj(i);
                            pc = pc.offset(sj as isize);
                            if sj < 0 {
                                back_edge!();
                            }
                        }
                        RawOp::EQ => {
                            let a = reg!(arg_a(i));
                            let b = reg!(arg_b(i));
                            let cond = match (a, b) {
                                (Value::Table(_), Value::Table(_)) | (Value::Userdata(_), Value::Userdata(_)) => {
                                    protect!(self.equal_obj(a, b))
                                }
                                _ => a.raw_eq(&b),
                            };
                            cond_jump!(i, cond);
                        }
                        RawOp::LT => order!(i, |x: i64, y: i64| x < y, arith::num_lt, less_than_others),
                        RawOp::LE => order!(i, |x: i64, y: i64| x <= y, arith::num_le, less_equal_others),
                        RawOp::EQ_K => {
                            let cond = reg!(arg_a(i)).raw_eq(&kst!(arg_b(i)));
                            cond_jump!(i, cond);
                        }
                        RawOp::EQ_I => {
                            let im = arg_sb(i);
                            let cond = match reg!(arg_a(i)) {
                                Value::Int(x) => x == im as i64,
                                Value::Float(x) => x == im as f64,
                                _ => false,
                            };
                            cond_jump!(i, cond);
                        }
                        RawOp::LT_I => order_i!(i, |x: i64, y: i64| x < y, |x: f64, y: f64| x < y, false, TmKind::Lt),
                        RawOp::LE_I => order_i!(i, |x: i64, y: i64| x <= y, |x: f64, y: f64| x <= y, false, TmKind::Le),
                        RawOp::GT_I => order_i!(i, |x: i64, y: i64| x > y, |x: f64, y: f64| x > y, true, TmKind::Lt),
                        RawOp::GE_I => order_i!(i, |x: i64, y: i64| x >= y, |x: f64, y: f64| x >= y, true, TmKind::Le),
                        RawOp::TEST => {
                            let cond = !reg!(arg_a(i)).is_falsy();
                            cond_jump!(i, cond);
                        }
                        RawOp::TEST_SET => {
                            let v = reg!(arg_b(i));
                            if v.is_falsy() == arg_k(i) {
                                pc = pc.add(1);
                            } else {
                                reg!(arg_a(i)) = v;
                                let ni = *pc;
                                pc = pc.offset(arg_sj(ni) as isize + 1);
                            }
                        }
                        RawOp::CALL => {
                            let a = arg_a(i) as usize;
                            let b = arg_b(i) as usize;
                            let nresults = arg_c(i) as i32 - 1;
                            let ra = ci!().func + 1 + a;
                            if b != 0 {
                                (&mut *th).top = ra + b;
                            }
                            savepc!();
                            // Fast path: a Lua function with room on the
                            // stack and in the frame vector, no hooks.
                            if let Value::LuaFn(ncl) = *(&mut *th).stack.as_ptr().add(ra) {
                                let p: &Proto = &ncl.proto;
                                let fsize = p.max_stack_size as usize;
                                let tdata = &mut *th;
                                let top = tdata.top;
                                if top + fsize < tdata.stack.len() - crate::object::thread::EXTRA_STACK
                                    && tdata.ci.len() < tdata.ci.capacity()
                                    && tdata.hook.mask == 0
                                {
                                    let nparams = p.num_params as usize;
                                    let nargs = top - ra - 1;
                                    tdata.ci.push(CallInfo::new(ra, ra + 1 + fsize, nresults, 0));
                                    if nargs < nparams {
                                        let s = tdata.stack.as_mut_ptr();
                                        for j in top..ra + 1 + nparams {
                                            *s.add(j) = Value::Nil;
                                        }
                                        tdata.top = ra + 1 + nparams;
                                    }
                                    ci_idx += 1;
                                    cl = ncl;
                                    proto = cl.proto;
                                    code = proto.code.as_ptr();
                                    k = proto.constants.as_ptr();
                                    pc = code;
                                    base = (&mut *th).stack.as_mut_ptr().add(ra + 1);
                                    self.fuel -= 1;
                                    if self.fuel < 0 {
                                        self.fuel = 0;
                                        let r = self.fuel_tick(0);
                                        reload!();
                                        r?;
                                        self.fuel -= 1;
                                    }
                                    continue;
                                }
                            }
                            // A native function is run from here (`precall`
                            // would only forward it).
                            let is_lua = if let Value::NativeFn(_) = *(&mut *th).stack.as_ptr().add(ra) {
                                self.precall_native(ra, nresults).map(|_| false)
                            } else {
                                self.precall(ra, nresults)
                            };
                            match is_lua {
                                Ok(true) => {
                                    fresh_entry = true;
                                    continue 'newframe;
                                }
                                Ok(false) => {
                                    reload!();
                                    check_gc!((&mut *th).top);
                                }
                                Err(e) => return Err(e),
                            }
                        }
                        RawOp::TAIL_CALL => {
                            let a = arg_a(i) as usize;
                            let mut b = arg_b(i) as usize;
                            let nparams1 = arg_c(i) as usize;
                            let delta = if nparams1 != 0 { ci!().nextraargs + nparams1 } else { 0 };
                            let ra = ci!().func + 1 + a;
                            if b != 0 {
                                (&mut *th).top = ra + b;
                            } else {
                                b = (&mut *th).top - ra;
                            }
                            savepc!();
                            if arg_k(i) {
                                let level = ci!().func + 1;
                                self.close_upvals(level);
                                // The compiler never tail-calls inside the
                                // scope of a to-be-closed variable; crafted
                                // bytecode that does cannot drop it.
                                if (&*th).tbc.last().is_some_and(|&t| t >= level) {
                                    return Err(self
                                        .rt_error("invalid bytecode: tail call with a pending to-be-closed variable"));
                                }
                            }
                            match self.pretailcall(ra, b, delta)? {
                                None => {
                                    fresh_entry = true;
                                    continue 'newframe;
                                }
                                Some(n) => {
                                    ci!().func -= delta;
                                    let fresh = ci!().status & CIST_FRESH != 0;
                                    self.poscall(n)?;
                                    if fresh {
                                        return Ok(());
                                    }
                                    fresh_entry = false;
                                    continue 'newframe;
                                }
                            }
                        }
                        RawOp::RETURN => {
                            let a = arg_a(i) as usize;
                            let mut n = arg_b(i) as i64 - 1;
                            let nparams1 = arg_c(i) as usize;
                            let mut ra = ci!().func + 1 + a;
                            if n < 0 {
                                n = ((&mut *th).top - ra) as i64;
                            }
                            let n = n as usize;
                            savepc!();
                            if arg_k(i) {
                                ci!().u2 = n;
                                if (&mut *th).top < ci!().top {
                                    (&mut *th).top = ci!().top;
                                }
                                let lvl = ci!().func + 1;
                                let r = self.close_level(lvl, None, true);
                                reload!();
                                r?;
                                ra = ci!().func + 1 + a;
                            }
                            if nparams1 != 0 {
                                let d = ci!().nextraargs + nparams1;
                                ci!().func -= d;
                            }
                            (&mut *th).top = ra + n;
                            let fresh = ci!().status & CIST_FRESH != 0;
                            self.poscall(n)?;
                            if fresh {
                                return Ok(());
                            }
                            fresh_entry = false;
                            continue 'newframe;
                        }
                        RawOp::RETURN0 => {
                            let c = ci!();
                            let fresh = c.status & CIST_FRESH != 0;
                            if (&mut *th).hook.mask != 0 {
                                (&mut *th).top = c.func + 1 + arg_a(i) as usize;
                                savepc!();
                                self.poscall(0)?;
                            } else {
                                let (res, mut nres) = (c.func, c.nresults);
                                let tdata = &mut *th;
                                tdata.ci.set_len(ci_idx);
                                let stack = tdata.stack.as_mut_ptr();
                                let mut top = res;
                                while nres > 0 {
                                    *stack.add(top) = Value::Nil;
                                    top += 1;
                                    nres -= 1;
                                }
                                tdata.top = top;
                            }
                            if fresh {
                                return Ok(());
                            }
                            resume_caller!();
                        }
                        RawOp::RETURN1 => {
                            let c = ci!();
                            let fresh = c.status & CIST_FRESH != 0;
                            if (&mut *th).hook.mask != 0 {
                                (&mut *th).top = c.func + 1 + arg_a(i) as usize + 1;
                                savepc!();
                                self.poscall(1)?;
                            } else {
                                let (res, nres) = (c.func, c.nresults);
                                let tdata = &mut *th;
                                tdata.ci.set_len(ci_idx);
                                let stack = tdata.stack.as_mut_ptr();
                                if nres == 0 {
                                    tdata.top = res;
                                } else {
                                    Value::copy_raw(stack.add(res), base.add(arg_a(i) as usize));
                                    let mut top = res + 1;
                                    let mut n = nres;
                                    while n > 1 {
                                        *stack.add(top) = Value::Nil;
                                        top += 1;
                                        n -= 1;
                                    }
                                    tdata.top = top;
                                }
                            }
                            if fresh {
                                return Ok(());
                            }
                            resume_caller!();
                        }
                        RawOp::FOR_LOOP => {
                            let a = arg_a(i);
                            if let Value::Int(step) = reg!(a + 2) {
                                if let Value::Int(count) = reg!(a + 1) {
                                    let count = count as u64;
                                    if count > 0 {
                                        if let Value::Int(idx) = reg!(a) {
                                            let idx = idx.wrapping_add(step);
                                            reg!(a + 1) = Value::Int((count - 1) as i64);
                                            reg!(a) = Value::Int(idx);
                                            reg!(a + 3) = Value::Int(idx);
                                            pc = pc.sub(arg_bx(i) as usize);
                                            back_edge!();
                                        }
                                    }
                                }
                            } else if float_for_loop(base.add(a as usize)) {
                                pc = pc.sub(arg_bx(i) as usize);
                                back_edge!();
                            }
                        }
                        RawOp::FOR_PREP => {
                            let a = arg_a(i);
                            savestate!();
                            if self.for_prep(base.add(a as usize))? {
                                pc = pc.add(arg_bx(i) as usize + 1);
                            }
                        }
                        RawOp::T_FOR_PREP => {
                            let abs = ci!().func + 1 + arg_a(i) as usize + 3;
                            savestate!();
                            self.new_tbc(abs)?;
                            pc = pc.add(arg_bx(i) as usize);
                        }
                        RawOp::T_FOR_CALL => {
                            // The iterator is called like a CALL of three
                            // values (function, state, control) placed
                            // after the loop's four control slots.
                            let a = arg_a(i) as usize;
                            let ra = ci!().func + 1 + a;
                            let s = (&mut *th).stack.as_mut_ptr();
                            *s.add(ra + 4) = *s.add(ra);
                            *s.add(ra + 5) = *s.add(ra + 1);
                            *s.add(ra + 6) = *s.add(ra + 2);
                            (&mut *th).top = ra + 4 + 3;
                            savepc!();
                            match self.precall(ra + 4, arg_c(i) as i32) {
                                Ok(true) => {
                                    fresh_entry = true;
                                    continue 'newframe;
                                }
                                Ok(false) => {
                                    reload!();
                                    check_gc!((&mut *th).top);
                                }
                                Err(e) => return Err(e),
                            }
                        }
                        RawOp::T_FOR_LOOP => {
                            let a = arg_a(i);
                            let v = reg!(a + 4);
                            if !v.is_nil() {
                                reg!(a + 2) = v;
                                pc = pc.sub(arg_bx(i) as usize);
                                back_edge!();
                            }
                        }
                        RawOp::SET_LIST => {
                            let a = arg_a(i) as usize;
                            let mut n = arg_b(i) as usize;
                            let mut last = arg_c(i) as usize;
                            let ra = ci!().func + 1 + a;
                            if n == 0 {
                                n = (&mut *th).top - ra - 1;
                            } else {
                                (&mut *th).top = ci!().top;
                            }
                            last += n;
                            if arg_k(i) {
                                last += arg_ax(*pc) as usize * (MAXARG_C as usize + 1);
                                pc = pc.add(1);
                            }
                            if let Value::Table(h) = reg!(a) {
                                savepc!();
                                if last > h.array_len() {
                                    if let Err(e) = h.resize(&mut self.heap, last, h.node_len()) {
                                        return Err(self.table_error(e));
                                    }
                                }
                                for j in (1..=n).rev() {
                                    let v = reg!(a + j);
                                    h.set_array_slot(last - 1, v);
                                    last -= 1;
                                    self.heap.barrier_back(h, v);
                                }
                            }
                        }
                        RawOp::CLOSURE => {
                            let a = arg_a(i) as usize;
                            let p = *proto.protos.get_unchecked(arg_bx(i) as usize);
                            savestate!();
                            let func_now = ci!().func;
                            let ncl = self.push_closure(p, cl, func_now + 1);
                            reload!();
                            reg!(a) = Value::LuaFn(ncl?);
                            check_gc!(ci!().func + 1 + a + 1);
                        }
                        RawOp::VAR_ARG => {
                            let a = arg_a(i) as usize;
                            let n = arg_c(i) as i32 - 1;
                            protect!(self.get_varargs(ci_idx, a, n));
                        }
                        RawOp::VAR_ARG_PREP => {
                            let nfix = arg_a(i) as usize;
                            protect_nt!(self.adjust_varargs(ci_idx, nfix, &proto));
                            if trap {
                                savepc!();
                                self.hook_call_vararg()?;
                            }
                            reload!();
                        }
                        // Every other 7-bit value: EXTRAARG (never executed, as the
                        // instruction before it skips it) and unused opcodes. The
                        // explicit range lets the compiler build a jump table over
                        // all 128 values without a range check.
                        RawOp::EXTRA_ARG
                        | RawOp::UNUSED83
                        | RawOp::UNUSED84
                        | RawOp::UNUSED85
                        | RawOp::UNUSED86
                        | RawOp::UNUSED87
                        | RawOp::UNUSED88
                        | RawOp::UNUSED89
                        | RawOp::UNUSED90
                        | RawOp::UNUSED91
                        | RawOp::UNUSED92
                        | RawOp::UNUSED93
                        | RawOp::UNUSED94
                        | RawOp::UNUSED95
                        | RawOp::UNUSED96
                        | RawOp::UNUSED97
                        | RawOp::UNUSED98
                        | RawOp::UNUSED99
                        | RawOp::UNUSED100
                        | RawOp::UNUSED101
                        | RawOp::UNUSED102
                        | RawOp::UNUSED103
                        | RawOp::UNUSED104
                        | RawOp::UNUSED105
                        | RawOp::UNUSED106
                        | RawOp::UNUSED107
                        | RawOp::UNUSED108
                        | RawOp::UNUSED109
                        | RawOp::UNUSED110
                        | RawOp::UNUSED111
                        | RawOp::UNUSED112
                        | RawOp::UNUSED113
                        | RawOp::UNUSED114
                        | RawOp::UNUSED115
                        | RawOp::UNUSED116
                        | RawOp::UNUSED117
                        | RawOp::UNUSED118
                        | RawOp::UNUSED119
                        | RawOp::UNUSED120
                        | RawOp::UNUSED121
                        | RawOp::UNUSED122
                        | RawOp::UNUSED123
                        | RawOp::UNUSED124
                        | RawOp::UNUSED125
                        | RawOp::UNUSED126
                        | RawOp::UNUSED127 => {
                            savepc!();
                            return Err(self.rt_error("invalid instruction"));
                        }
                    }
                }
            }
        }
    }

    /// Prepares a numeric `for` loop (PUC's `forprep`). Returns true when
    /// the loop must be skipped.
    ///
    /// # Safety
    /// `ra` points to the loop's four control registers, and stays valid
    /// during the call (nothing here reallocates the stack: errors only
    /// make their message).
    #[inline(never)]
    unsafe fn for_prep(&mut self, ra: *mut Value) -> LResult<bool> {
        // SAFETY: for every access through `ra` in this function: it points
        // to four live registers (the caller's contract).
        let (init, limit, step) = unsafe { (*ra, *ra.add(1), *ra.add(2)) };
        if let (Value::Int(init), Value::Int(step)) = (init, step) {
            if step == 0 {
                return Err(self.rt_error("'for' step is zero"));
            }
            // SAFETY: see above.
            unsafe { *ra.add(3) = Value::Int(init) };
            let lim = match self.for_limit(init, limit, step)? {
                None => return Ok(true),
                Some(l) => l,
            };
            let count = if step > 0 {
                let c = (lim as u64).wrapping_sub(init as u64);
                if step != 1 {
                    c / step as u64
                } else {
                    c
                }
            } else {
                let c = (init as u64).wrapping_sub(lim as u64);
                c / ((-(step + 1)) as u64 + 1)
            };
            // SAFETY: see above.
            unsafe { *ra.add(1) = Value::Int(count as i64) };
            Ok(false)
        } else {
            let flimit = match arith::to_number(&limit) {
                Some(f) => f,
                None => return Err(self.for_error(limit, "limit")),
            };
            let fstep = match arith::to_number(&step) {
                Some(f) => f,
                None => return Err(self.for_error(step, "step")),
            };
            let finit = match arith::to_number(&init) {
                Some(f) => f,
                None => return Err(self.for_error(init, "initial value")),
            };
            if fstep == 0.0 {
                return Err(self.rt_error("'for' step is zero"));
            }
            let skip = if 0.0 < fstep { flimit < finit } else { finit < flimit };
            if skip {
                return Ok(true);
            }
            // SAFETY: see above.
            unsafe {
                *ra.add(1) = Value::Float(flimit);
                *ra.add(2) = Value::Float(fstep);
                *ra = Value::Float(finit);
                *ra.add(3) = Value::Float(finit);
            }
            Ok(false)
        }
    }

    /// The integer limit of a loop (PUC's `forlimit`), or `None` when the
    /// loop must not run.
    fn for_limit(&mut self, init: i64, lim: Value, step: i64) -> LResult<Option<i64>> {
        let mode = if step < 0 { F2I::Ceil } else { F2I::Floor };
        let l = match arith::to_integer(&lim, mode) {
            Some(l) => l,
            None => {
                let fl = match arith::to_number(&lim) {
                    Some(f) => f,
                    None => return Err(self.for_error(lim, "limit")),
                };
                if 0.0 < fl {
                    if step < 0 {
                        return Ok(None);
                    }
                    i64::MAX
                } else {
                    if step > 0 {
                        return Ok(None);
                    }
                    i64::MIN
                }
            }
        };
        let skip = if step > 0 { init > l } else { init < l };
        Ok(if skip { None } else { Some(l) })
    }

    /// Creates the closure of `p` for the running frame (PUC's
    /// `pushclosure`).
    #[inline(never)]
    fn push_closure(&mut self, p: Gc<Proto>, encl: Gc<LuaClosure>, base: usize) -> LResult<Gc<LuaClosure>> {
        let n = p.upvalues.len();
        // Built at its final size, so `into_boxed_slice` keeps the buffer.
        let mut v: Vec<std::cell::Cell<Gc<crate::object::function::UpVal>>> = Vec::with_capacity(n);
        for uv in p.upvalues.iter() {
            let u = if uv.in_stack {
                self.find_upval(base + uv.index as usize)?
            } else {
                match encl.upvals.get(uv.index as usize) {
                    Some(c) => c.get(),
                    None => return Err(self.rt_error("invalid upvalue index")),
                }
            };
            v.push(std::cell::Cell::new(u));
        }
        let cl = LuaClosure { proto: p, upvals: v.into_boxed_slice() };
        self.heap.alloc(cl).map_err(|_| self.mem_throw())
    }

    /// Copies the varargs of frame `ci_idx` to register `a` (`n` wanted,
    /// -1: all, setting the top) (PUC's `luaT_getvarargs`).
    #[inline(never)]
    fn get_varargs(&mut self, ci_idx: usize, a: usize, n: i32) -> LResult<()> {
        let th = self.th();
        let ci = th.ci[ci_idx];
        let nextra = ci.nextraargs;
        let mut where_ = ci.func + 1 + a;
        let wanted = if n < 0 {
            self.ensure_stack(nextra)?;
            let th = self.th();
            th.top = where_ + nextra;
            nextra
        } else {
            n as usize
        };
        let th = self.th();
        let from = ci.func - nextra;
        let m = wanted.min(nextra);
        th.stack.copy_within(from..from + m, where_);
        where_ += m;
        for s in &mut th.stack[where_..where_ + (wanted - m)] {
            *s = Value::Nil;
        }
        Ok(())
    }

    /// Moves the function and fixed parameters of a vararg frame above the
    /// extra arguments (PUC's `luaT_adjustvarargs`).
    #[inline(never)]
    fn adjust_varargs(&mut self, ci_idx: usize, nfix: usize, p: &Proto) -> LResult<()> {
        let th = self.th();
        let ci = th.ci[ci_idx];
        let actual = th.top - ci.func - 1;
        let nextra = actual.saturating_sub(nfix);
        self.ensure_stack(p.max_stack_size as usize + 1)?;
        let th = self.th();
        th.ci[ci_idx].nextraargs = nextra;
        let func = ci.func;
        let top = th.top;
        th.stack[top] = th.stack[func];
        for j in 1..=nfix {
            th.stack[top + j] = th.stack[func + j];
            th.stack[func + j] = Value::Nil;
        }
        th.top = top + 1 + nfix;
        let c = &mut th.ci[ci_idx];
        c.func += actual + 1;
        c.top += actual + 1;
        Ok(())
    }
}

/// One step of a float `for` loop (PUC's `floatforloop`).
///
/// # Safety
/// `ra` points to the loop's four control registers, holding floats.
#[inline]
unsafe fn float_for_loop(ra: *mut Value) -> bool {
    // SAFETY: `ra` points to the four control registers (the caller's
    // contract).
    let (step, limit, idx) = unsafe { (*ra.add(2), *ra.add(1), *ra) };
    let (Value::Float(step), Value::Float(limit), Value::Float(idx)) = (step, limit, idx) else {
        return false;
    };
    let idx = idx + step;
    let cont = if 0.0 < step { idx <= limit } else { limit <= idx };
    if cont {
        // SAFETY: as above.
        unsafe {
            *ra = Value::Float(idx);
            *ra.add(3) = Value::Float(idx);
        }
    }
    cont
}
