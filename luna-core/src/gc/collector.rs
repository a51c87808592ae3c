//! The incremental mark-and-sweep collector (PUC's lgc.c, incremental
//! mode): tri-colour marking with write barriers, weak tables with
//! ephemeron semantics, finalizers with resurrection, and the pacing that
//! turns allocation debt into collector work.
//!
//! Invariant while marking (phases `Propagate` and `EnterAtomic`): a black
//! object never points to a white one. Every gray object is in one of the
//! gray lists (`gray`, `gray_again`, `weak`, `ephemeron`, `allweak`),
//! except open upvalues, which stay gray outside any list (their values
//! are reached through their thread's stack). Threads are always
//! re-traversed in the atomic phase, so stack stores need no barrier.
//!
//! A cycle: `Pause` → `Propagate` (incremental marking) → atomic phase
//! (remark, weak-table clearing, separation of unreachable finalizable
//! objects, which are then marked again: resurrected) → sweeps of `allgc`,
//! `finobj` and `tobefnz` (freeing dead objects, whitening survivors) →
//! `CallFin` (finalizers run a few at a time) → `Pause`.

use super::verify::VerifyPoint;
use std::cell::Cell;
use std::collections::HashMap;

use crate::gc::*;
use crate::object::function::{LuaClosure, NativeClosure, Proto, UpVal};
use crate::object::string::{free_string, LuaStr};
use crate::object::table::Table;
use crate::object::thread::{Thread, CIST_FIN};
use crate::object::userdata::Userdata;
use crate::state::State;
use crate::value::Value;
use crate::vm::opcodes::TmKind;
use crate::vm::{LResult, Status};

/// Bytes per unit of collector work (PUC's `WORK2MEM`).
const WORK2MEM: isize = std::mem::size_of::<Value>() as isize;
/// Objects swept per step (PUC's `GCSWEEPMAX`).
const SWEEP_MAX: usize = 100;
/// Finalizers run per step and their cost in work units.
const FIN_MAX: usize = 10;
const FIN_COST: isize = 50;

#[inline(always)]
fn header<'a>(p: GcPtr) -> &'a GcHeader {
    // SAFETY: every `GcPtr` the collector handles points to a live box
    // (freed boxes are unlinked before being freed).
    unsafe { p.as_ref() }
}

impl Heap {
    /// Marks an object (PUC's `reallymarkobject`): strings and closed
    /// upvalues become black at once, everything else gray.
    pub(crate) fn mark_object(&mut self, p: GcPtr) {
        let h = header(p);
        if !h.is_white() {
            return;
        }
        if let Some(log) = &mut self.mark_log {
            log.push(p);
        }
        match h.kind {
            ObjKind::Str => {
                h.clear_bits(WHITE_BITS);
                h.set_bits(BLACK_BIT);
            }
            ObjKind::UpVal => {
                // SAFETY: the header says this is an upvalue box.
                let uv: Gc<UpVal> = unsafe { Gc::from_erased(p) };
                h.clear_bits(WHITE_BITS);
                if !uv.is_open() {
                    h.set_bits(BLACK_BIT);
                }
                self.mark_value(uv.get());
            }
            ObjKind::Userdata => {
                // SAFETY: the header says this is a userdata box.
                let u: Gc<Userdata> = unsafe { Gc::from_erased(p) };
                if u.num_user_values() == 0 {
                    h.clear_bits(WHITE_BITS);
                    h.set_bits(BLACK_BIT);
                    if let Some(mt) = u.metatable() {
                        self.mark_object(mt.erase());
                    }
                } else {
                    h.clear_bits(WHITE_BITS);
                    self.gray.push(p);
                }
            }
            _ => {
                h.clear_bits(WHITE_BITS);
                self.gray.push(p);
            }
        }
    }

    #[inline]
    pub(crate) fn mark_value(&mut self, v: Value) {
        if let Some(p) = v.gc_ptr() {
            if header(p).is_white() {
                self.mark_object(p);
            }
        }
    }

    /// Whether a value refers to a white object.
    #[inline(always)]
    fn is_white_value(v: &Value) -> bool {
        match v.gc_ptr() {
            Some(p) => header(p).is_white(),
            None => false,
        }
    }

    /// Backward barrier for stores into tables (PUC's `luaC_barrierback`):
    /// a black table that gets a white value becomes gray again and is
    /// revisited in the atomic phase.
    #[inline(always)]
    pub(crate) fn barrier_back(&mut self, t: Gc<Table>, v: Value) {
        if t.header().is_black() && Self::is_white_value(&v) {
            self.barrier_back_slow(t.erase());
        }
    }

    #[cold]
    fn barrier_back_slow(&mut self, p: GcPtr) {
        let h = header(p);
        debug_assert!(h.is_black() && !h.is_white(), "barrier_back on a table that is not black");
        h.clear_bits(BLACK_BIT);
        self.gray_again.push(p);
    }

    /// Forward barrier (PUC's `luaC_barrier`): storing white `v` into black
    /// object `o` marks `v` while marking, or whitens `o` while sweeping.
    #[inline]
    pub(crate) fn barrier(&mut self, o: GcPtr, v: Value) {
        if header(o).is_black() && Self::is_white_value(&v) {
            self.barrier_slow(o, v);
        }
    }

    #[cold]
    fn barrier_slow(&mut self, o: GcPtr, v: Value) {
        debug_assert!(
            header(o).is_black() && !header(o).is_white(),
            "forward barrier from an object that is not black"
        );
        if self.keep_invariant() {
            if let Some(p) = v.gc_ptr() {
                self.mark_object(p);
            }
        } else if self.is_sweep_phase() {
            let h = header(o);
            h.marked.set((h.marked.get() & !(BLACK_BIT | WHITE_BITS)) | self.white());
        }
    }

    /// Barrier for `SETUPVAL`: only closed upvalues can be black.
    #[inline(always)]
    pub(crate) fn barrier_upval(&mut self, uv: Gc<UpVal>, v: Value) {
        if uv.header().is_black() && Self::is_white_value(&v) {
            self.barrier_slow(uv.erase(), v);
        }
    }

    /// Run when an upvalue is closed: it may be gray (open upvalues are),
    /// and a closed upvalue cannot be gray (PUC's `luaF_closeupval`).
    pub(crate) fn barrier_closed_upval(&mut self, uv: Gc<UpVal>) {
        let h = uv.header();
        if !h.is_white() {
            h.set_bits(BLACK_BIT);
            self.barrier(uv.erase(), uv.get());
        }
    }

    /// A value stored in the host roots during marking must not stay white
    /// behind the collector.
    pub(crate) fn barrier_root(&mut self, v: Value) {
        if self.keep_invariant() {
            self.mark_value(v);
        }
    }
}

/// Bytes accounted for a box of `T` with `value`'s extra bytes.
fn box_size<T: Collectable>(v: &T) -> usize {
    std::mem::size_of::<GcBox<T>>() + v.extra_bytes()
}

/// Frees a box of type `T`, returning its accounted size.
///
/// # Safety
/// `p` must be an unlinked, unreachable box of type `T` allocated from
/// `pool`.
unsafe fn free_box<T: Collectable>(pool: &mut super::pool::Pool, p: GcPtr) -> usize {
    let b = p.cast::<GcBox<T>>().as_ptr();
    // SAFETY: `p` is a live, unreachable box of type `T` from `pool`
    // (caller's contract): it is read, dropped once, and its block
    // returned with the layout it was allocated with.
    unsafe {
        let size = box_size(&(*b).value);
        std::ptr::drop_in_place(b);
        pool.free(p.cast(), std::alloc::Layout::new::<GcBox<T>>());
        size
    }
}

/// The weak mode of a table from its metatable's `__mode`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WeakMode {
    Strong,
    Values,
    Keys,
    All,
}

impl State {
    // ------------------------------------------------------------------
    // Entry points.

    /// Called at the interpreter's safe points when the debt is positive:
    /// performs one incremental step (PUC's `luaC_step`).
    #[inline(never)]
    pub(crate) fn gc_step_at_safe_point(&mut self) -> LResult<()> {
        if self.heap.in_step || self.heap.in_finalizer {
            return Ok(());
        }
        self.relieve_memory_pressure();
        if !self.heap.running {
            self.heap.debt = -2000;
            return Ok(());
        }
        self.inc_step();
        Ok(())
    }

    /// A collection point for the host (PUC's `luaC_checkGC` in its API
    /// functions): one incremental step when the debt is positive. Without
    /// it, a host that creates and drops values without running Lua code
    /// would grow the heap until the next script ran. The caller keeps the
    /// raw layer's contract: every live value is reachable from a root
    /// (the stack, the registry, a host root, a held guard).
    #[inline]
    pub fn check_gc(&mut self) {
        if self.heap.debt > 0 {
            // The step reports no error: errors in finalizers become
            // warnings, as everywhere.
            let _ = self.gc_step_at_safe_point();
        }
    }

    /// One incremental step: work proportional to the debt (PUC's
    /// `incstep`).
    fn inc_step(&mut self) {
        // A script sets the debt (`collectgarbage("step", n)`) and the
        // multipliers: the products saturate, as a debt that large means
        // "finish the cycle" anyway.
        let stepmul = (self.heap.stepmul as isize) | 1;
        let mut debt = (self.heap.debt / WORK2MEM).saturating_mul(stepmul);
        let stepsize = if self.heap.stepsize_log2 < 62 {
            ((1isize << self.heap.stepsize_log2) / WORK2MEM).saturating_mul(stepmul)
        } else {
            isize::MAX
        };
        loop {
            let work = self.single_step();
            debt = debt.saturating_sub(work);
            if !(debt > -stepsize && self.heap.phase != GcPhase::Pause) {
                break;
            }
        }
        if self.heap.phase == GcPhase::Pause {
            self.set_pause();
        } else {
            let d = (debt / stepmul).saturating_mul(WORK2MEM);
            self.heap.debt = d;
        }
    }

    /// Sets the debt so the next cycle starts when memory grows by the
    /// pause factor (PUC's `setpause`).
    fn set_pause(&mut self) {
        let estimate = (self.heap.estimate / 100).max(1);
        let threshold = estimate.saturating_mul(self.heap.pause as usize);
        let debt = self.heap.total_bytes as isize - threshold.min(isize::MAX as usize) as isize;
        self.heap.debt = debt.min(0);
    }

    /// Runs an emergency collection when a memory limit is set and the
    /// heap is close to it (within an eighth of the limit), so garbage does
    /// not make allocations fail. Called at points where every live value
    /// is rooted: the entry of native calls, `load`, host calls, and the
    /// interpreter's collection points. Allocation itself never collects.
    #[inline]
    pub fn relieve_memory_pressure(&mut self) {
        let h = &self.heap;
        if h.limit == usize::MAX || h.in_step || h.in_finalizer {
            return;
        }
        let soft = h.limit - h.limit / 8;
        // Collect again only after the heap grew by a little since the
        // last emergency collection, so a large live set does not make
        // every call collect.
        if h.total_bytes > soft && h.total_bytes > h.last_emergency_total.get() + h.limit / 64 {
            self.full_gc(true);
            self.heap.last_emergency_total.set(self.heap.total_bytes);
        }
    }

    /// A full collection (PUC's `luaC_fullgc`); `emergency` skips the
    /// finalizers and stack shrinking.
    pub fn full_gc(&mut self, emergency: bool) {
        if self.heap.in_step {
            return;
        }
        self.heap.emergency = emergency;
        if self.heap.keep_invariant() {
            self.enter_sweep();
        }
        self.run_until(|p| p == GcPhase::Pause);
        self.run_until(|p| p == GcPhase::CallFin);
        self.run_until(|p| p == GcPhase::Pause);
        self.set_pause();
        self.heap.emergency = false;
    }

    /// Runs steps until the phase satisfies `stop` (PUC's
    /// `luaC_runtilstate`).
    fn run_until(&mut self, stop: impl Fn(GcPhase) -> bool) {
        while !stop(self.heap.phase) {
            self.single_step();
        }
    }

    /// Performs a basic step of `n` KB of work, as `collectgarbage("step",
    /// n)` does (PUC's `lua_gc(LUA_GCSTEP)`). Returns whether a cycle
    /// finished.
    ///
    /// As PUC's `lua_gc(LUA_GCSTEP)`: `n` kilobytes are added to the debt
    /// (a negative `n` lowers it, doing no work), `0` does one basic step.
    /// In generational mode a step is a minor collection; luna's
    /// generational mode runs the incremental collector, so its step is a
    /// whole (young and old) collection.
    pub fn gc_step_kb(&mut self, n: i64) -> bool {
        let old_running = self.heap.running;
        self.heap.running = true;
        let finished = if self.heap.mode == super::GcMode::Generational {
            // A generational step never reports the end of a cycle.
            let kb = isize::try_from(n).unwrap_or(if n < 0 { isize::MIN } else { isize::MAX });
            if n == 0 || kb.saturating_mul(1024).saturating_add(self.heap.debt) > 0 {
                self.full_gc(false);
            }
            false
        } else if n == 0 {
            self.heap.debt = 0;
            self.inc_step();
            self.heap.phase == GcPhase::Pause
        } else {
            let kb = isize::try_from(n).unwrap_or(if n < 0 { isize::MIN } else { isize::MAX });
            let debt = kb.saturating_mul(1024).saturating_add(self.heap.debt);
            self.heap.debt = debt;
            if debt > 0 {
                self.inc_step();
            }
            debt > 0 && self.heap.phase == GcPhase::Pause
        };
        self.heap.running = old_running;
        finished
    }

    // ------------------------------------------------------------------
    // The state machine.

    fn single_step(&mut self) -> isize {
        self.heap.in_step = true;
        if cfg!(any(debug_assertions, feature = "verify-heap")) {
            self.heap.steps_since_verify.set(self.heap.steps_since_verify.get().saturating_add(1));
        }
        let work = match self.heap.phase {
            GcPhase::Pause => {
                self.restart_collection();
                self.heap.phase = GcPhase::Propagate;
                1
            }
            GcPhase::Propagate => {
                if let Some(p) = self.heap.gray.pop() {
                    self.propagate_mark(p)
                } else {
                    self.debug_verify(VerifyPoint::Anytime);
                    self.heap.phase = GcPhase::EnterAtomic;
                    0
                }
            }
            GcPhase::EnterAtomic => {
                let w = self.atomic();
                self.debug_verify(VerifyPoint::AfterAtomic);
                self.enter_sweep();
                self.heap.estimate = self.heap.total_bytes;
                w
            }
            GcPhase::SweepAllGc => self.sweep_step(GcPhase::SweepFinObj, ListId::FinObj),
            GcPhase::SweepFinObj => self.sweep_step(GcPhase::SweepToBeFnz, ListId::ToBeFnz),
            GcPhase::SweepToBeFnz => self.sweep_step(GcPhase::SweepEnd, ListId::None),
            GcPhase::SweepEnd => {
                self.debug_verify(VerifyPoint::Anytime);
                self.check_sizes();
                self.heap.phase = GcPhase::CallFin;
                0
            }
            GcPhase::CallFin => {
                if self.heap.tobefnz.get().is_some() && !self.heap.emergency {
                    self.heap.in_step = false;
                    let n = self.run_finalizers(FIN_MAX);
                    self.heap.in_step = true;
                    n as isize * FIN_COST
                } else {
                    self.heap.phase = GcPhase::Pause;
                    0
                }
            }
        };
        self.heap.in_step = false;
        work
    }

    /// Checks the heap (`gc::verify`) in debug builds and with the
    /// `verify-heap` feature, panicking with the broken invariant: a
    /// failure is a bug in the runtime, found where it happened rather
    /// than as a use of freed memory later.
    #[inline(always)]
    fn debug_verify(&self, point: VerifyPoint) {
        if cfg!(any(debug_assertions, feature = "verify-heap")) {
            // A check after one collector step per 32 bytes of heap (a few
            // per object, as a check costs several times a step): small
            // heaps are checked at every point, large ones every few
            // cycles (a generational state collects fully at every minor
            // step, and checking every point of every one of those makes
            // a script that builds a big heap ten times slower).
            let steps = self.heap.steps_since_verify.get();
            if steps < self.heap.total_bytes / 32 {
                return;
            }
            self.heap.steps_since_verify.set(0);
            if let Err(e) = self.verify_at(point) {
                panic!("heap check failed ({point:?}, phase {:?}): {e}", self.heap.phase);
            }
        }
    }

    /// Starts a cycle: clears the gray lists and marks the roots.
    fn restart_collection(&mut self) {
        let h = &mut self.heap;
        h.gray.clear();
        h.gray_again.clear();
        h.weak.clear();
        h.ephemeron.clear();
        h.allweak.clear();
        self.mark_roots();
        self.mark_being_finalized();
    }

    fn mark_roots(&mut self) {
        let h = &mut self.heap;
        h.mark_object(self.main_thread.erase());
        h.mark_object(self.current.erase());
        h.mark_object(self.registry.erase());
        h.mark_object(self.globals.erase());
        for mt in self.type_mts.iter().flatten() {
            h.mark_object(mt.erase());
        }
        for s in &self.tm_names {
            h.mark_object(s.erase());
        }
        h.mark_object(self.mem_err_msg.erase());
        for (v, _, live) in &self.host_roots.slots {
            if *live {
                h.mark_value(*v);
            }
        }
        // Userdata borrowed by held guards are roots; the ones no guard
        // holds any more leave the list.
        self.held_userdata.retain(|u| {
            if u.is_held() {
                h.mark_object(u.erase());
                true
            } else {
                u.unlist_held();
                false
            }
        });
        for mt in self.type_metatables.values() {
            h.mark_object(mt.erase());
        }
    }

    fn mark_being_finalized(&mut self) -> isize {
        let mut work = 0;
        let mut cur = self.heap.tobefnz.get();
        while let Some(p) = cur {
            work += 1;
            self.heap.mark_object(p);
            cur = header(p).next.get();
        }
        work
    }

    fn propagate_all(&mut self) -> isize {
        let mut work = 0;
        while let Some(p) = self.heap.gray.pop() {
            work += self.propagate_mark(p);
        }
        work
    }

    /// Traverses one gray object, making it black (PUC's `propagatemark`).
    fn propagate_mark(&mut self, p: GcPtr) -> isize {
        let h = header(p);
        debug_assert!(!h.is_white(), "a white object on the gray list");
        debug_assert!(self.heap.keep_invariant(), "propagation outside the marking phases");
        h.set_bits(BLACK_BIT);
        // SAFETY (all casts below): the header's kind names the box type.
        match h.kind {
            ObjKind::Table => self.traverse_table(unsafe { Gc::from_erased(p) }),
            ObjKind::LuaClosure => {
                let cl: Gc<LuaClosure> = unsafe { Gc::from_erased(p) };
                self.heap.mark_object(cl.proto.erase());
                for uv in cl.upvals.iter() {
                    self.heap.mark_object(uv.get().erase());
                }
                1 + cl.upvals.len() as isize
            }
            ObjKind::NativeClosure => {
                let cl: Gc<NativeClosure> = unsafe { Gc::from_erased(p) };
                for i in 0..cl.num_upvalues() {
                    self.heap.mark_value(cl.upvalue(i));
                }
                1 + cl.num_upvalues() as isize
            }
            ObjKind::Proto => {
                let f: Gc<Proto> = unsafe { Gc::from_erased(p) };
                if let Some(s) = f.source {
                    self.heap.mark_object(s.erase());
                }
                for k in f.constants.iter() {
                    self.heap.mark_value(*k);
                }
                for u in f.upvalues.iter() {
                    if let Some(n) = u.name {
                        self.heap.mark_object(n.erase());
                    }
                }
                for q in f.protos.iter() {
                    self.heap.mark_object(q.erase());
                }
                for l in f.loc_vars.iter() {
                    self.heap.mark_object(l.name.erase());
                }
                1 + (f.constants.len() + f.upvalues.len() + f.protos.len() + f.loc_vars.len()) as isize
            }
            ObjKind::Userdata => {
                let u: Gc<Userdata> = unsafe { Gc::from_erased(p) };
                if let Some(mt) = u.metatable() {
                    self.heap.mark_object(mt.erase());
                }
                for c in u.user_values() {
                    self.heap.mark_value(c.get());
                }
                1 + u.num_user_values() as isize
            }
            ObjKind::Thread => self.traverse_thread(unsafe { Gc::from_erased(p) }),
            ObjKind::Str | ObjKind::UpVal => 0,
        }
    }

    fn weak_mode(&self, t: Gc<Table>) -> WeakMode {
        let mode = self.fast_tm(t.metatable(), TmKind::Mode);
        if let Value::Str(s) = mode {
            let b = s.as_bytes();
            let wk = b.contains(&b'k');
            let wv = b.contains(&b'v');
            return match (wk, wv) {
                (false, false) => WeakMode::Strong,
                (false, true) => WeakMode::Values,
                (true, false) => WeakMode::Keys,
                (true, true) => WeakMode::All,
            };
        }
        WeakMode::Strong
    }

    fn traverse_table(&mut self, t: Gc<Table>) -> isize {
        if let Some(mt) = t.metatable() {
            self.heap.mark_object(mt.erase());
        }
        match self.weak_mode(t) {
            WeakMode::Strong => self.traverse_strong_table(t),
            WeakMode::Values => self.traverse_weak_value(t),
            WeakMode::Keys => {
                self.traverse_ephemeron(t, false);
            }
            WeakMode::All => {
                t.header().clear_bits(BLACK_BIT);
                self.heap.allweak.push(t.erase());
            }
        }
        1 + t.array_len() as isize + 2 * t.node_len() as isize
    }

    fn traverse_strong_table(&mut self, t: Gc<Table>) {
        for j in 0..t.array_len() {
            self.heap.mark_value(t.array_slot(j));
        }
        for i in 0..t.node_len() {
            let n = t.node_at(i);
            if n.val.is_nil() {
                if !n.dead && n.key.gc_ptr().is_some() {
                    t.kill_node_key(i);
                }
            } else {
                self.heap.mark_value(n.key);
                self.heap.mark_value(n.val);
            }
        }
    }

    /// Whether a weak entry's object is collectable now (PUC's
    /// `iscleared`): strings count as values and are marked instead.
    fn is_cleared(&mut self, v: &Value) -> bool {
        match v.gc_ptr() {
            None => false,
            Some(p) => {
                if header(p).kind == ObjKind::Str {
                    self.heap.mark_object(p);
                    false
                } else {
                    header(p).is_white()
                }
            }
        }
    }

    fn traverse_weak_value(&mut self, t: Gc<Table>) {
        let mut has_clears = t.array_len() != 0;
        for i in 0..t.node_len() {
            let n = t.node_at(i);
            if n.val.is_nil() {
                if !n.dead && n.key.gc_ptr().is_some() {
                    t.kill_node_key(i);
                }
            } else {
                self.heap.mark_value(n.key);
                if !has_clears && self.is_cleared(&n.val) {
                    has_clears = true;
                }
            }
        }
        t.header().clear_bits(BLACK_BIT);
        if self.heap.phase == GcPhase::EnterAtomic && has_clears {
            self.heap.weak.push(t.erase());
        } else {
            self.heap.gray_again.push(t.erase());
        }
    }

    /// Traverses an ephemeron table (weak keys): a value is marked only
    /// when its key is. Returns whether something was marked.
    fn traverse_ephemeron(&mut self, t: Gc<Table>, inv: bool) -> bool {
        let mut marked = false;
        let mut has_clears = false;
        let mut has_ww = false;
        for j in 0..t.array_len() {
            let v = t.array_slot(j);
            if Heap::is_white_value(&v) {
                marked = true;
                self.heap.mark_value(v);
            }
        }
        let n = t.node_len();
        for j in 0..n {
            let i = if inv { n - 1 - j } else { j };
            let node = t.node_at(i);
            if node.val.is_nil() {
                if !node.dead && node.key.gc_ptr().is_some() {
                    t.kill_node_key(i);
                }
            } else if self.is_cleared(&node.key) {
                has_clears = true;
                if Heap::is_white_value(&node.val) {
                    has_ww = true;
                    if let (Some(pending), Some(k)) = (self.heap.ephemeron_pending.as_mut(), node.key.gc_ptr()) {
                        pending.entry(k).or_default().push(node.val);
                    }
                }
            } else if Heap::is_white_value(&node.val) {
                marked = true;
                self.heap.mark_value(node.val);
            }
        }
        let p = t.erase();
        if self.heap.phase == GcPhase::Propagate {
            t.header().clear_bits(BLACK_BIT);
            self.heap.gray_again.push(p);
        } else if has_ww {
            t.header().clear_bits(BLACK_BIT);
            self.heap.ephemeron.push(p);
        } else if has_clears {
            t.header().clear_bits(BLACK_BIT);
            self.heap.allweak.push(p);
        }
        marked
    }

    fn traverse_thread(&mut self, th: Gc<Thread>) -> isize {
        let atomic = self.heap.phase == GcPhase::EnterAtomic;
        let shrink = atomic && !self.heap.emergency && !th.ptr_eq(self.current);
        if self.heap.phase == GcPhase::Propagate {
            th.header().clear_bits(BLACK_BIT);
            self.heap.gray_again.push(th.erase());
        }
        let (d, heap) = self.thread_and_heap(th);
        for v in &d.stack[..d.top] {
            heap.mark_value(*v);
        }
        for uv in &d.open_upvals {
            heap.mark_object(uv.erase());
        }
        if atomic {
            // Final traversal: clear the dead part of the stack so stale
            // values above the top are never seen again.
            let top = d.top;
            for v in &mut d.stack[top..] {
                *v = Value::Nil;
            }
            if shrink {
                d.shrink_stack(heap);
            }
            if !d.open_upvals.is_empty() && !d.in_twups {
                d.in_twups = true;
                heap.twups.push(th);
            }
        }
        1 + d.stack_size() as isize
    }

    /// Marks the values of open upvalues of threads that were not marked
    /// (PUC's `remarkupvals`).
    fn remark_upvals(&mut self) -> isize {
        let mut work = 0;
        let list = std::mem::take(&mut self.heap.twups);
        let mut keep = Vec::with_capacity(list.len());
        for th in list {
            work += 1;
            let (d, heap) = self.thread_and_heap(th);
            if !th.header().is_white() && !d.open_upvals.is_empty() {
                keep.push(th);
            } else {
                d.in_twups = false;
                for uv in &d.open_upvals {
                    work += 1;
                    if !uv.header().is_white() {
                        heap.mark_value(uv.get());
                    }
                }
            }
        }
        self.heap.twups = keep;
        work
    }

    /// Marks what the ephemeron tables keep alive (PUC's
    /// `convergeephemerons`): the value of every entry whose key is marked,
    /// until nothing changes.
    ///
    /// PUC re-traverses all the tables until a pass marks nothing, which is
    /// quadratic when entries keep each other alive in a chain the
    /// traversal order does not follow. Here the traversals record the
    /// entries whose key is still unmarked (key → values, in
    /// `ephemeron_pending`), every object marked meanwhile is logged, and a
    /// logged object that is a recorded key has its values marked in turn:
    /// linear in the size of the tables, however the entries chain.
    fn converge_ephemerons(&mut self) {
        loop {
            self.heap.ephemeron_pending = Some(HashMap::new());
            self.heap.mark_log = Some(Vec::new());
            let list = std::mem::take(&mut self.heap.ephemeron);
            for p in list {
                // SAFETY: only tables are put on the ephemeron list.
                let t: Gc<Table> = unsafe { Gc::from_erased(p) };
                t.header().set_bits(BLACK_BIT);
                self.traverse_ephemeron(t, false);
            }
            loop {
                // Propagation may reach more ephemeron tables: their
                // traversal records their pending entries too.
                self.propagate_all();
                let log = match self.heap.mark_log.as_mut() {
                    Some(log) if !log.is_empty() => std::mem::take(log),
                    _ => break,
                };
                for p in log {
                    let values = self.heap.ephemeron_pending.as_mut().and_then(|m| m.remove(&p));
                    for v in values.into_iter().flatten() {
                        self.heap.mark_value(v);
                    }
                }
            }
            self.heap.mark_log = None;
            self.heap.ephemeron_pending = None;
            // Settle: traverse the tables again now that what they keep is
            // marked, so each goes to the list its remaining entries need.
            // Nothing is left to mark, unless that reasoning is wrong: then
            // converge again rather than leave a live value unmarked.
            let list = std::mem::take(&mut self.heap.ephemeron);
            let mut marked = false;
            for p in list {
                // SAFETY: as above.
                let t: Gc<Table> = unsafe { Gc::from_erased(p) };
                t.header().set_bits(BLACK_BIT);
                marked |= self.traverse_ephemeron(t, false);
            }
            self.propagate_all();
            if !marked {
                break;
            }
        }
    }

    /// Clears entries with collected values from the weak tables in
    /// `list[from..]` (PUC's `clearbyvalues`).
    fn clear_by_values(&mut self, which: WeakList, from: usize) {
        let list: Vec<GcPtr> = match which {
            WeakList::Weak => self.heap.weak[from..].to_vec(),
            WeakList::AllWeak => self.heap.allweak[from..].to_vec(),
            WeakList::Ephemeron => self.heap.ephemeron[from..].to_vec(),
        };
        for p in list {
            // SAFETY: only tables are put on the weak lists.
            let t: Gc<Table> = unsafe { Gc::from_erased(p) };
            for j in 0..t.array_len() {
                if self.is_cleared(&t.array_slot(j)) {
                    t.clear_array_slot(j);
                }
            }
            for i in 0..t.node_len() {
                let n = t.node_at(i);
                if !n.val.is_nil() && self.is_cleared(&n.val) {
                    t.clear_node_value(i);
                }
                let n = t.node_at(i);
                if n.val.is_nil() && !n.dead && n.key.gc_ptr().is_some() {
                    t.kill_node_key(i);
                }
            }
        }
    }

    /// Clears entries with collected keys (PUC's `clearbykeys`).
    fn clear_by_keys(&mut self, which: WeakList) {
        let list: Vec<GcPtr> = match which {
            WeakList::Ephemeron => self.heap.ephemeron.clone(),
            WeakList::AllWeak => self.heap.allweak.clone(),
            WeakList::Weak => self.heap.weak.clone(),
        };
        for p in list {
            // SAFETY: only tables are put on the weak lists.
            let t: Gc<Table> = unsafe { Gc::from_erased(p) };
            for i in 0..t.node_len() {
                let n = t.node_at(i);
                if !n.dead && self.is_cleared(&n.key) {
                    t.clear_node_value(i);
                }
                let n = t.node_at(i);
                if n.val.is_nil() && !n.dead && n.key.gc_ptr().is_some() {
                    t.kill_node_key(i);
                }
            }
        }
    }

    fn atomic(&mut self) -> isize {
        let mut work = 0;
        let gray_again = std::mem::take(&mut self.heap.gray_again);
        self.heap.phase = GcPhase::EnterAtomic;
        self.mark_roots();
        work += self.propagate_all();
        work += self.remark_upvals();
        work += self.propagate_all();
        self.heap.gray = gray_again;
        work += self.propagate_all();
        self.converge_ephemerons();
        // All strongly reachable objects are marked. Clear weak values
        // before resurrecting objects with finalizers.
        self.clear_by_values(WeakList::Weak, 0);
        self.clear_by_values(WeakList::AllWeak, 0);
        let orig_weak = self.heap.weak.len();
        let orig_all = self.heap.allweak.len();
        self.separate_to_be_finalized(false);
        work += self.mark_being_finalized();
        work += self.propagate_all();
        self.converge_ephemerons();
        // Resurrected objects are marked. Remove dead keys, and values
        // that only resurrected tables reach.
        self.clear_by_keys(WeakList::Ephemeron);
        self.clear_by_keys(WeakList::AllWeak);
        self.clear_by_values(WeakList::Weak, orig_weak);
        self.clear_by_values(WeakList::AllWeak, orig_all);
        self.heap.current_white ^= WHITE_BITS;
        work
    }

    /// Moves unreachable (or, with `all`, every) objects with finalizers
    /// from `finobj` to the end of `tobefnz` (PUC's `separatetobefnz`).
    fn separate_to_be_finalized(&mut self, all: bool) {
        // Find the last link of tobefnz.
        let mut last: *const Cell<Option<GcPtr>> = &self.heap.tobefnz;
        // SAFETY: links are cells of live boxes or of the heap itself.
        unsafe {
            while let Some(p) = (*last).get() {
                last = &header(p).next;
            }
            let mut link: *const Cell<Option<GcPtr>> = &self.heap.finobj;
            while let Some(cur) = (*link).get() {
                let h = header(cur);
                if !(h.is_white() || all) {
                    link = &h.next;
                } else {
                    (*link).set(h.next.get());
                    h.next.set(None);
                    (*last).set(Some(cur));
                    last = &h.next;
                }
            }
        }
    }

    // ------------------------------------------------------------------
    // Sweeping.

    fn enter_sweep(&mut self) {
        self.heap.phase = GcPhase::SweepAllGc;
        self.heap.sweep = SweepCursor::Link(&self.heap.allgc);
        self.heap.sweep = self.sweep_to_live(self.heap.sweep);
    }

    fn sweep_to_live(&mut self, cursor: SweepCursor) -> SweepCursor {
        let mut c = cursor;
        loop {
            let (next, _) = self.sweep_list(c, 1);
            match (next, c) {
                (SweepCursor::Link(a), SweepCursor::Link(b)) if a == b => c = next,
                _ => return next,
            }
        }
    }

    /// Sweeps up to `count` objects from `cursor` (PUC's `sweeplist`).
    fn sweep_list(&mut self, cursor: SweepCursor, count: usize) -> (SweepCursor, usize) {
        let SweepCursor::Link(mut link) = cursor else {
            return (SweepCursor::Done, 0);
        };
        let ow = self.heap.other_white();
        let white = self.heap.white();
        let mut i = 0;
        // SAFETY: `link` is a cell of the heap or of a live box; freed
        // boxes are unlinked first.
        unsafe {
            while i < count {
                let Some(cur) = (*link).get() else { break };
                let h = header(cur);
                let marked = h.marked.get();
                // Before the sweep reaches it an object is black (marked),
                // the current white (new) or the other white (dead), never
                // both whites nor gray-and-white.
                debug_assert!(marked & WHITE_BITS != WHITE_BITS, "object with both whites");
                debug_assert!(marked & BLACK_BIT == 0 || marked & WHITE_BITS == 0, "black and white object");
                if marked & ow != 0 {
                    (*link).set(h.next.get());
                    self.free_object(cur);
                } else {
                    h.marked.set((marked & !(BLACK_BIT | WHITE_BITS)) | white);
                    link = &h.next;
                }
                i += 1;
            }
            if (*link).get().is_none() {
                (SweepCursor::Done, i)
            } else {
                (SweepCursor::Link(link), i)
            }
        }
    }

    fn sweep_step(&mut self, next_phase: GcPhase, next_list: ListId) -> isize {
        if let SweepCursor::Link(_) = self.heap.sweep {
            let old_debt = self.heap.debt;
            let (c, n) = self.sweep_list(self.heap.sweep, SWEEP_MAX);
            self.heap.sweep = c;
            let freed = old_debt - self.heap.debt;
            self.heap.estimate = self.heap.estimate.saturating_sub(freed.max(0) as usize);
            n as isize
        } else {
            self.heap.phase = next_phase;
            self.heap.sweep = match next_list {
                ListId::FinObj => SweepCursor::Link(&self.heap.finobj),
                ListId::ToBeFnz => SweepCursor::Link(&self.heap.tobefnz),
                ListId::None => SweepCursor::Done,
            };
            0
        }
    }

    fn check_sizes(&mut self) {
        if !self.heap.emergency {
            let before = self.strings.bytes();
            self.strings.shrink_if_sparse();
            let after = self.strings.bytes();
            if after < before {
                self.heap.release(before - after);
            }
        }
    }

    /// Frees one dead object.
    fn free_object(&mut self, p: GcPtr) {
        // SAFETY (all frees): the object is dead and already unlinked; the
        // header's kind names its type.
        let size = unsafe {
            match header(p).kind {
                ObjKind::Str => {
                    let s: Gc<LuaStr> = Gc::from_erased(p);
                    if s.is_short() {
                        self.strings.remove(s);
                    }
                    free_string(&mut self.heap.pool, p)
                }
                ObjKind::Table => free_box::<Table>(&mut self.heap.pool, p),
                ObjKind::LuaClosure => free_box::<LuaClosure>(&mut self.heap.pool, p),
                ObjKind::NativeClosure => free_box::<NativeClosure>(&mut self.heap.pool, p),
                ObjKind::Proto => free_box::<Proto>(&mut self.heap.pool, p),
                ObjKind::Userdata => free_box::<Userdata>(&mut self.heap.pool, p),
                ObjKind::UpVal => {
                    let uv: Gc<UpVal> = Gc::from_erased(p);
                    if uv.is_open() {
                        if let Some(th) = uv.thread() {
                            self.thread_mut(th).open_upvals.retain(|u| !u.ptr_eq(uv));
                        }
                    }
                    free_box::<UpVal>(&mut self.heap.pool, p)
                }
                ObjKind::Thread => {
                    let th: Gc<Thread> = Gc::from_erased(p);
                    let d = self.thread_mut(th);
                    for uv in std::mem::take(&mut d.open_upvals) {
                        uv.close();
                    }
                    if d.in_twups {
                        self.heap.twups.retain(|t| !t.ptr_eq(th));
                    }
                    free_box::<Thread>(&mut self.heap.pool, p)
                }
            }
        };
        self.heap.release(size);
    }

    // ------------------------------------------------------------------
    // Finalizers.

    /// Registers `o` for finalization if its new metatable has `__gc`
    /// (PUC's `luaC_checkfinalizer`).
    #[inline]
    pub(crate) fn check_finalizer(&mut self, o: GcPtr, mt: Gc<Table>) {
        if header(o).has_bits(FINALIZED_BIT) || self.closing {
            return;
        }
        if self.fast_tm(Some(mt), TmKind::Gc).is_nil() {
            return;
        }
        self.move_to_finobj(o);
    }

    /// Moves `o` from `allgc` to `finobj` (its metatable has `__gc`).
    #[inline(never)]
    fn move_to_finobj(&mut self, o: GcPtr) {
        let h = header(o);
        if self.heap.is_sweep_phase() {
            // "Sweep" the object now, and keep the cursor off it.
            h.marked.set((h.marked.get() & !(BLACK_BIT | WHITE_BITS)) | self.heap.white());
            if let SweepCursor::Link(l) = self.heap.sweep {
                if std::ptr::eq(l, &h.next) {
                    self.heap.sweep = self.sweep_to_live(self.heap.sweep);
                }
            }
        }
        // Unlink from allgc.
        let mut link: *const Cell<Option<GcPtr>> = &self.heap.allgc;
        // SAFETY: links are cells of the heap or of live boxes.
        unsafe {
            while let Some(cur) = (*link).get() {
                if cur == o {
                    (*link).set(h.next.get());
                    break;
                }
                link = &header(cur).next;
            }
        }
        h.next.set(self.heap.finobj.get());
        self.heap.finobj.set(Some(o));
        h.set_bits(FINALIZED_BIT);
    }

    /// Runs up to `n` pending finalizers; returns how many ran.
    pub(crate) fn run_finalizers(&mut self, n: usize) -> usize {
        let mut i = 0;
        while i < n && self.heap.tobefnz.get().is_some() {
            self.call_one_finalizer();
            i += 1;
        }
        i
    }

    /// Runs every pending finalizer.
    pub fn run_all_finalizers(&mut self) {
        while self.heap.tobefnz.get().is_some() {
            self.call_one_finalizer();
        }
    }

    /// Takes the first object of `tobefnz` back to `allgc` and calls its
    /// `__gc` in protected mode; errors become warnings (PUC's `GCTM`).
    fn call_one_finalizer(&mut self) {
        let Some(o) = self.heap.tobefnz.get() else { return };
        let h = header(o);
        self.heap.tobefnz.set(h.next.get());
        h.next.set(self.heap.allgc.get());
        self.heap.allgc.set(Some(o));
        h.clear_bits(FINALIZED_BIT);
        if self.heap.is_sweep_phase() {
            h.marked.set((h.marked.get() & !(BLACK_BIT | WHITE_BITS)) | self.heap.white());
        }
        // SAFETY: objects with finalizers are tables or userdata.
        let v = unsafe {
            match h.kind {
                ObjKind::Table => Value::Table(Gc::from_erased(o)),
                ObjKind::Userdata => Value::Userdata(Gc::from_erased(o)),
                _ => return,
            }
        };
        let tm = self.get_tm_by_obj(v, TmKind::Gc);
        if tm.is_nil() {
            return;
        }
        let old_in_fin = self.heap.in_finalizer;
        self.heap.in_finalizer = true;
        let th = self.th();
        let old_allow = th.hook.allow;
        th.hook.allow = false;
        if self.ensure_stack(2).is_err() {
            self.heap.in_finalizer = old_in_fin;
            self.th().hook.allow = old_allow;
            return;
        }
        let th = self.th();
        let func = th.top;
        th.push(tm);
        th.push(v);
        th.ci_mut().status |= CIST_FIN;
        let status = self.pcall_raw(func, 0, 0);
        self.heap.in_finalizer = old_in_fin;
        let th = self.th();
        th.ci_mut().status &= !CIST_FIN;
        th.hook.allow = old_allow;
        if status != Status::Ok {
            let err = th.stack[th.top - 1];
            th.top -= 1;
            let msg = match err {
                Value::Str(s) => s.as_bytes().to_vec(),
                _ => b"error object is not a string".to_vec(),
            };
            self.warn_error("__gc", &msg);
        }
    }

    /// Closes the state: closes pending to-be-closed variables of the
    /// main thread, runs every finalizer (of reachable objects too) and
    /// frees everything (PUC's `close_state`).
    pub fn close_state(&mut self) {
        if self.closed {
            return;
        }
        self.current = self.main_thread;
        let th = self.th();
        th.ci.truncate(1);
        th.errfunc = 0;
        th.n_ccalls = 0;
        let _ = self.close_protected(1, Status::Ok);
        self.th().top = 1;
        // Finish any cycle in progress so all objects are white.
        if self.heap.keep_invariant() {
            self.enter_sweep();
        }
        self.run_until(|p| p == GcPhase::Pause);
        self.closing = true;
        self.separate_to_be_finalized(true);
        self.run_all_finalizers();
        self.free_all();
        self.closed = true;
    }

    fn free_all(&mut self) {
        self.heap.in_step = true;
        for list in
            [&self.heap.allgc as *const Cell<Option<GcPtr>>, &self.heap.finobj, &self.heap.tobefnz, &self.heap.fixed]
        {
            // SAFETY: the lists hold live boxes; each is unlinked before
            // being freed.
            unsafe {
                while let Some(p) = (*list).get() {
                    (*list).set(header(p).next.get());
                    self.free_object(p);
                }
            }
        }
        self.host_roots.slots.clear();
        self.held_userdata.clear();
    }
}

#[derive(Clone, Copy)]
enum ListId {
    FinObj,
    ToBeFnz,
    None,
}

#[derive(Clone, Copy)]
enum WeakList {
    Weak,
    AllWeak,
    Ephemeron,
}
