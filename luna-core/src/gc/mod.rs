//! The garbage-collected heap: object headers, `Gc` pointers, allocation,
//! byte accounting and the colour bits the collector works with.
//!
//! Every collectable object lives in a `GcBox<T>`: a `GcHeader` followed by
//! the object. Boxes are allocated individually and never move; the heap
//! keeps every live box on an intrusive singly-linked list (`allgc`, or
//! `finobj` once the object has a finalizer), which the sweep phase walks.
//! The collector itself (marking, sweeping, weak tables, finalizers) is in
//! `collector`.
//!
//! # Safety rules
//!
//! This module and `collector` are where luna-core uses `unsafe` for the
//! heap. The rules that make the `Gc` dereferences sound:
//!
//! 1. A box is freed only by the sweep phase, and only when it was not
//!    marked during the cycle that just finished (or at state close).
//! 2. Marking starts from the roots: the registry, the main thread, every
//!    thread's stack up to its top and its open upvalues, the per-type
//!    metatables, the interned metamethod names and the host root slots.
//!    Everything reachable from a root is marked before sweeping.
//! 3. A collection step runs only at a *safe point*: in the VM after
//!    instructions that allocate (`NEWTABLE`, `CONCAT`, `CLOSURE`), after a
//!    native function returns, or on an explicit request
//!    (`collectgarbage`, the host API). Allocation itself never collects.
//!    So Rust code may hold a `Value` in a local across allocations, but
//!    not across a call into Lua (which reaches safe points): values
//!    needed after such a call must be kept on the Lua stack or pinned.
//! 4. Object contents are only mutated through methods that never hand out
//!    references into the mutated storage (the `Cell` discipline), so a
//!    `&T` obtained from a `Gc<T>` never aliases a live `&mut`.
//! 5. While the collector is in its marking phases, a black object must
//!    never point to a white one: stores of collectable values into tables,
//!    closures' upvalues, userdata and metatables go through the write
//!    barriers (`Heap::barrier_back`, `Heap::barrier`).

pub mod collector;
pub(crate) mod pool;
pub(crate) mod verify;

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Which kind of object a box holds (how to traverse and free it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ObjKind {
    Str,
    Table,
    LuaClosure,
    NativeClosure,
    UpVal,
    Proto,
    Userdata,
    Thread,
}

/// The header at the start of every heap object.
#[repr(C)]
pub struct GcHeader {
    /// Next object in the list (`allgc`, `finobj` or `tobefnz`) this one is on.
    pub(crate) next: Cell<Option<GcPtr>>,
    /// Colour and flag bits (see the `*_BIT` constants).
    pub(crate) marked: Cell<u8>,
    pub(crate) kind: ObjKind,
}

/// A type-erased pointer to a heap object.
pub type GcPtr = NonNull<GcHeader>;

// Bits of `GcHeader::marked`. Two whites let the sweep phase tell objects
// created after the mark phase (current white, alive) from dead ones
// (other white), as in PUC's lgc.
pub(crate) const WHITE0_BIT: u8 = 1 << 3;
pub(crate) const WHITE1_BIT: u8 = 1 << 4;
pub(crate) const BLACK_BIT: u8 = 1 << 5;
/// The object has been separated for finalization (its `__gc` is pending
/// or has run).
pub(crate) const FINALIZED_BIT: u8 = 1 << 6;
pub(crate) const WHITE_BITS: u8 = WHITE0_BIT | WHITE1_BIT;

impl GcHeader {
    #[inline(always)]
    pub(crate) fn is_white(&self) -> bool {
        self.marked.get() & WHITE_BITS != 0
    }
    #[inline(always)]
    pub(crate) fn is_black(&self) -> bool {
        self.marked.get() & BLACK_BIT != 0
    }
    #[inline(always)]
    pub(crate) fn set_bits(&self, bits: u8) {
        self.marked.set(self.marked.get() | bits);
    }
    #[inline(always)]
    pub(crate) fn clear_bits(&self, bits: u8) {
        self.marked.set(self.marked.get() & !bits);
    }
    #[inline(always)]
    pub(crate) fn has_bits(&self, bits: u8) -> bool {
        self.marked.get() & bits != 0
    }
}

/// A heap object with its header.
#[repr(C)]
pub struct GcBox<T> {
    pub(crate) header: GcHeader,
    pub(crate) value: T,
}

/// A pointer to a heap object of type `T`. `Copy`, compared by address.
///
/// Dereferencing is sound while the object is alive, which the rules in
/// the module docs guarantee for every `Gc` reachable from a root.
pub struct Gc<T> {
    ptr: NonNull<GcBox<T>>,
    _marker: PhantomData<*const T>,
}

impl<T> Clone for Gc<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gc<T> {}

impl<T> Gc<T> {
    /// Whether two pointers designate the same object.
    #[inline(always)]
    pub fn ptr_eq(self, other: Gc<T>) -> bool {
        self.ptr == other.ptr
    }

    /// The address of the object (for `%p` and `tostring`).
    #[inline(always)]
    pub fn addr(self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// The type-erased pointer.
    #[inline(always)]
    pub(crate) fn erase(self) -> GcPtr {
        self.ptr.cast()
    }

    /// The header of the object.
    #[inline(always)]
    pub(crate) fn header(&self) -> &GcHeader {
        // SAFETY: the object is alive (module rules 1-3) and the header is
        // never mutated except through its `Cell`s.
        unsafe { &self.ptr.as_ref().header }
    }

    /// The raw box pointer, for the few places (string bytes) that address
    /// memory past the fixed part of the box.
    #[inline(always)]
    pub(crate) fn raw(self) -> NonNull<GcBox<T>> {
        self.ptr
    }

    /// Rebuilds a typed pointer from an erased one.
    ///
    /// # Safety
    /// `p` must point to a live `GcBox<T>` (its header's kind says which).
    #[inline(always)]
    pub(crate) unsafe fn from_erased(p: GcPtr) -> Gc<T> {
        Gc { ptr: p.cast(), _marker: PhantomData }
    }

    /// Wraps a freshly allocated box.
    #[inline(always)]
    pub(crate) fn from_raw(ptr: NonNull<GcBox<T>>) -> Gc<T> {
        Gc { ptr, _marker: PhantomData }
    }
}

impl<T> std::ops::Deref for Gc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the object is alive (module rules 1-3); shared references
        // never alias a mutable one (rule 4).
        unsafe { &self.ptr.as_ref().value }
    }
}

impl<T> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<T> Eq for Gc<T> {}

impl<T> std::fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gc({:p})", self.ptr)
    }
}

/// Implemented by every type stored in a `GcBox` (except strings, which
/// have their own variable-size allocation in `object::string`).
pub(crate) trait Collectable: Sized {
    const KIND: ObjKind;
    /// Bytes the object owns outside its box (buffers of its vectors), as
    /// accounted by the heap. Must match what was charged for it.
    fn extra_bytes(&self) -> usize;
}

/// The collector's phase, as PUC's `gcstate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GcPhase {
    Propagate,
    EnterAtomic,
    SweepAllGc,
    SweepFinObj,
    SweepToBeFnz,
    SweepEnd,
    CallFin,
    Pause,
}

/// The collection mode `collectgarbage` reports and selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GcMode {
    Incremental,
    Generational,
}

/// Where a sweep is: the link (a `next` cell, or a list head) holding the
/// next object to examine.
#[derive(Clone, Copy)]
pub(crate) enum SweepCursor {
    Done,
    Link(*const Cell<Option<GcPtr>>),
}

/// The heap: object lists, accounting and collector bookkeeping.
pub struct Heap {
    /// Objects without finalizers.
    pub(crate) allgc: Cell<Option<GcPtr>>,
    /// Objects whose metatable had a `__gc` when it was set.
    pub(crate) finobj: Cell<Option<GcPtr>>,
    /// Unreachable objects whose finalizers are pending.
    pub(crate) tobefnz: Cell<Option<GcPtr>>,
    /// Objects never collected before the state closes.
    pub(crate) fixed: Cell<Option<GcPtr>>,

    /// Bytes currently allocated for heap objects and what they own.
    pub(crate) total_bytes: usize,
    /// Bytes allocated since the collector last did work; a step is due
    /// when it is positive.
    pub(crate) debt: isize,
    /// Estimate of the live bytes after the last full mark.
    pub(crate) estimate: usize,
    /// The memory limit (bytes), or `usize::MAX`.
    pub(crate) limit: usize,

    pub(crate) current_white: u8,
    pub(crate) phase: GcPhase,
    pub(crate) mode: GcMode,
    /// Whether the collector runs automatically (`collectgarbage "stop"`).
    pub(crate) running: bool,
    /// Set while a collection step runs, so nothing re-enters it.
    pub(crate) in_step: bool,
    /// Set while a finalizer runs: no collection steps meanwhile.
    pub(crate) in_finalizer: bool,
    /// Set during an emergency collection (no finalizers are run).
    pub(crate) emergency: bool,
    pub(crate) pause: u32,
    pub(crate) stepmul: u32,
    pub(crate) stepsize_log2: u32,
    pub(crate) gen_minor_mul: u32,
    pub(crate) gen_major_mul: u32,

    pub(crate) gray: Vec<GcPtr>,
    pub(crate) gray_again: Vec<GcPtr>,
    /// Tables with weak values only.
    pub(crate) weak: Vec<GcPtr>,
    /// Tables with weak keys (ephemerons).
    pub(crate) ephemeron: Vec<GcPtr>,
    /// Tables with weak keys and values.
    pub(crate) allweak: Vec<GcPtr>,
    /// While ephemerons converge: the objects marked since the log was last
    /// drained (`None`: not logging).
    pub(crate) mark_log: Option<Vec<GcPtr>>,
    /// While ephemerons converge: the values of ephemeron entries whose
    /// key is not marked yet, by key.
    pub(crate) ephemeron_pending: Option<std::collections::HashMap<GcPtr, Vec<crate::value::Value>>>,
    pub(crate) sweep: SweepCursor,
    /// Threads with open upvalues (PUC's `twups`).
    pub(crate) twups: Vec<Gc<crate::object::thread::Thread>>,
    /// Where object boxes are allocated.
    pub(crate) pool: pool::Pool,
    /// Heap size after the last emergency collection; reset to 0 when an
    /// allocation is refused, so that the next safe point collects (the
    /// garbage of the computation that failed is then unreachable, as
    /// PUC's emergency collection on a failed allocation would find it).
    pub(crate) last_emergency_total: std::cell::Cell<usize>,
    /// Collector steps since the heap was last checked (builds with the
    /// heap check only): a check walks the whole heap, so it runs only
    /// after the collector did about as much work, which keeps the checks
    /// within a constant factor of the collection (see `debug_verify`).
    pub(crate) steps_since_verify: std::cell::Cell<usize>,
}

impl Heap {
    pub(crate) fn new() -> Heap {
        Heap {
            allgc: Cell::new(None),
            finobj: Cell::new(None),
            tobefnz: Cell::new(None),
            fixed: Cell::new(None),
            total_bytes: 0,
            debt: 0,
            estimate: 0,
            limit: usize::MAX,
            current_white: WHITE0_BIT,
            phase: GcPhase::Pause,
            mode: GcMode::Incremental,
            running: true,
            in_step: false,
            emergency: false,
            in_finalizer: false,
            pause: 200,
            stepmul: 100,
            stepsize_log2: 13,
            gen_minor_mul: 20,
            gen_major_mul: 100,
            gray: Vec::new(),
            gray_again: Vec::new(),
            weak: Vec::new(),
            ephemeron: Vec::new(),
            mark_log: None,
            ephemeron_pending: None,
            allweak: Vec::new(),
            sweep: SweepCursor::Done,
            twups: Vec::new(),
            pool: pool::Pool::new(),
            last_emergency_total: std::cell::Cell::new(0),
            steps_since_verify: std::cell::Cell::new(usize::MAX / 2),
        }
    }

    /// The white of the current cycle (what new objects are born with).
    #[inline(always)]
    pub(crate) fn white(&self) -> u8 {
        self.current_white & WHITE_BITS
    }

    /// The white of dead objects during a sweep.
    #[inline(always)]
    pub(crate) fn other_white(&self) -> u8 {
        self.current_white ^ WHITE_BITS
    }

    /// Whether the tri-colour invariant must be kept (marking phases).
    #[inline(always)]
    pub(crate) fn keep_invariant(&self) -> bool {
        matches!(self.phase, GcPhase::Propagate | GcPhase::EnterAtomic)
    }

    /// Whether the collector is sweeping.
    #[inline(always)]
    pub(crate) fn is_sweep_phase(&self) -> bool {
        matches!(self.phase, GcPhase::SweepAllGc | GcPhase::SweepFinObj | GcPhase::SweepToBeFnz | GcPhase::SweepEnd)
    }

    /// Records `n` more bytes in use. Fails, changing nothing, when the
    /// memory limit would be exceeded.
    #[inline]
    pub(crate) fn charge(&mut self, n: usize) -> Result<(), MemoryError> {
        let total = self.total_bytes.checked_add(n).ok_or(MemoryError)?;
        if total > self.limit {
            // Ask for a collection at the next safe point, a full one if
            // the heap is near the limit (`relieve_memory_pressure`).
            self.debt = self.debt.max(1);
            self.last_emergency_total.set(0);
            return Err(MemoryError);
        }
        self.total_bytes = total;
        self.debt = self.debt.saturating_add(n as isize);
        Ok(())
    }

    /// Records `n` bytes released.
    #[inline]
    pub(crate) fn release(&mut self, n: usize) {
        debug_assert!(n <= self.total_bytes);
        self.total_bytes = self.total_bytes.saturating_sub(n);
        self.debt = self.debt.saturating_sub(n as isize);
    }

    /// Bytes left under the memory limit.
    #[inline]
    pub(crate) fn room(&self) -> usize {
        self.limit.saturating_sub(self.total_bytes)
    }

    /// Whether `n` more bytes fit under the memory limit.
    #[inline]
    pub(crate) fn fits(&self, n: usize) -> bool {
        let fits = self.total_bytes.checked_add(n).is_some_and(|t| t <= self.limit);
        if !fits {
            self.last_emergency_total.set(0);
        }
        fits
    }

    /// Allocates a box for `value`, charging its size. The new object is
    /// white and on `allgc`.
    pub(crate) fn alloc<T: Collectable>(&mut self, value: T) -> Result<Gc<T>, MemoryError> {
        let size = std::mem::size_of::<GcBox<T>>() + value.extra_bytes();
        self.charge(size)?;
        let layout = std::alloc::Layout::new::<GcBox<T>>();
        let Some(raw) = self.pool.alloc(layout) else {
            self.release(size);
            return Err(MemoryError);
        };
        let ptr: NonNull<GcBox<T>> = raw.cast();
        // SAFETY: `raw` is a fresh block with the layout of `GcBox<T>`.
        unsafe {
            ptr.as_ptr().write(GcBox {
                header: GcHeader { next: Cell::new(self.allgc.get()), marked: Cell::new(self.white()), kind: T::KIND },
                value,
            });
        }
        let gc = Gc::from_raw(ptr);
        self.allgc.set(Some(gc.erase()));
        Ok(gc)
    }

    /// Links an object allocated elsewhere (strings) at the head of `allgc`.
    pub(crate) fn link(&mut self, p: GcPtr) {
        // SAFETY: `p` is a freshly allocated, live box.
        let h = unsafe { p.as_ref() };
        h.next.set(self.allgc.get());
        h.marked.set(self.white());
        self.allgc.set(Some(p));
    }
}

/// The memory limit was reached (or an allocation size overflowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryError;
