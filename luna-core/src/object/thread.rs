//! Threads (coroutines): a value stack, the chain of call frames, open
//! upvalues and pending to-be-closed variables.
//!
//! The stack is a `Vec<Value>` whose length is the allocated size; `top`
//! is the first free slot. Every frame owns the slots from its function
//! slot up to its `top`; the VM addresses registers with raw pointers into
//! the stack, so whenever the stack is reallocated (`grow_stack`) the open
//! upvalues pointing into it are re-pointed, and callers holding raw
//! pointers reload them after anything that may grow the stack.

use std::cell::UnsafeCell;

use crate::gc::{Collectable, Gc, Heap, MemoryError, ObjKind};
use crate::object::function::UpVal;
use crate::value::Value;
use crate::vm::call::ContFn;

/// Slots a native function may use without checking (PUC `LUA_MINSTACK`).
pub const MIN_STACK: usize = 20;
/// Largest stack (in slots) before "stack overflow" (PUC `LUAI_MAXSTACK`).
pub const MAX_STACK: usize = 1_000_000;
/// The stack size used while handling a stack overflow.
pub const ERROR_STACK_SIZE: usize = MAX_STACK + 200;
/// Slack above every frame's top for metamethod calls and other short
/// pushes that skip the stack check (PUC `EXTRA_STACK`).
pub const EXTRA_STACK: usize = 5;
const BASIC_STACK_SIZE: usize = 2 * MIN_STACK;

// Call status bits (PUC's `CIST_*`).
/// Original value of `allow_hook`.
pub const CIST_OAH: u16 = 1 << 0;
/// The frame runs a native function.
pub const CIST_C: u16 = 1 << 1;
/// The frame was entered by a fresh call of the interpreter loop (a native
/// boundary): the loop returns when this frame returns.
pub const CIST_FRESH: u16 = 1 << 2;
/// The frame runs a debug hook.
pub const CIST_HOOKED: u16 = 1 << 3;
/// The native frame is doing a yieldable protected call.
pub const CIST_YPCALL: u16 = 1 << 4;
/// The frame was tail called.
pub const CIST_TAIL: u16 = 1 << 5;
/// The last hook called from this frame yielded.
pub const CIST_HOOKYIELD: u16 = 1 << 6;
/// The frame "called" a finalizer.
pub const CIST_FIN: u16 = 1 << 7;
/// The frame has transfer information (call/return hooks).
pub const CIST_TRAN: u16 = 1 << 8;
/// The frame is closing to-be-closed variables while returning.
pub const CIST_CLSRET: u16 = 1 << 9;
/// First of three bits keeping an error status while closing variables.
pub const CIST_RECST: u16 = 10;

/// One call frame (PUC's `CallInfo`).
#[derive(Clone, Copy)]
pub struct CallInfo {
    /// Stack index of the called function; arguments follow it.
    pub func: usize,
    /// Stack limit of the frame.
    pub top: usize,
    /// Number of results the caller wants (-1: all).
    pub nresults: i32,
    pub status: u16,
    /// Lua frames: index of the next instruction to run (saved when the
    /// frame calls out).
    pub savedpc: usize,
    /// Lua vararg frames: number of extra arguments.
    pub nextraargs: usize,
    /// Native frames: continuation after a yield.
    pub k: Option<ContFn>,
    /// Native frames: context for the continuation.
    pub ctx: isize,
    /// Native frames: message handler to restore after a protected call.
    pub old_errfunc: usize,
    /// Native frames doing a protected call: stack index of the function.
    /// Frames yielding: number of values yielded. Frames closing variables
    /// on return: number of results.
    pub u2: usize,
    /// First transferred value and count, for call/return hooks.
    pub ftransfer: u16,
    pub ntransfer: u16,
}

impl CallInfo {
    pub(crate) fn new(func: usize, top: usize, nresults: i32, status: u16) -> CallInfo {
        CallInfo {
            func,
            top,
            nresults,
            status,
            savedpc: 0,
            nextraargs: 0,
            k: None,
            ctx: 0,
            old_errfunc: 0,
            u2: 0,
            ftransfer: 0,
            ntransfer: 0,
        }
    }

    /// Whether the frame runs Lua code.
    #[inline(always)]
    pub fn is_lua(&self) -> bool {
        self.status & CIST_C == 0
    }

    /// The recover status kept while closing variables after an error.
    pub fn recover_status(&self) -> u8 {
        ((self.status >> CIST_RECST) & 7) as u8
    }

    pub fn set_recover_status(&mut self, st: u8) {
        self.status = (self.status & !(7 << CIST_RECST)) | (((st & 7) as u16) << CIST_RECST);
    }
}

/// The status of a thread as a coroutine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadStatus {
    /// Running normally or not started.
    Ok,
    /// Suspended in a yield.
    Yield,
    /// Dead with an error (the error value is on the stack top).
    Error(crate::vm::Status),
}

pub(crate) struct ThreadData {
    pub(crate) stack: Vec<Value>,
    pub(crate) top: usize,
    pub(crate) ci: Vec<CallInfo>,
    pub(crate) status: ThreadStatus,
    /// Open upvalues, sorted by increasing stack level.
    pub(crate) open_upvals: Vec<Gc<UpVal>>,
    /// Stack indices of pending to-be-closed variables, increasing.
    pub(crate) tbc: Vec<usize>,
    /// Stack index of the current message handler (0: none).
    pub(crate) errfunc: usize,
    /// Nested native calls (low 16 bits) and non-yieldable calls (high 16
    /// bits), as PUC's `nCcalls`.
    pub(crate) n_ccalls: u32,
    pub(crate) hook: crate::vm::hooks::HookState,
    /// Whether the thread is on the collector's list of threads with open
    /// upvalues.
    pub(crate) in_twups: bool,
}

/// A Lua thread.
pub struct Thread {
    data: UnsafeCell<ThreadData>,
}

impl Collectable for Thread {
    const KIND: ObjKind = ObjKind::Thread;
    fn extra_bytes(&self) -> usize {
        // SAFETY: the heap asks for the size when it allocates or frees the
        // thread, when no access to its data is alive.
        let d = unsafe { &*self.data.get() };
        d.stack.len() * std::mem::size_of::<Value>() + d.ci.capacity() * std::mem::size_of::<CallInfo>()
    }
}

impl Thread {
    /// A new thread with a basic stack and the base frame.
    pub(crate) fn new() -> Thread {
        let size = BASIC_STACK_SIZE + EXTRA_STACK;
        let mut ci = Vec::with_capacity(8);
        // The base frame: a native frame whose "function" is slot 0.
        ci.push(CallInfo::new(0, 1 + MIN_STACK, 0, CIST_C));
        Thread {
            data: UnsafeCell::new(ThreadData {
                stack: vec![Value::Nil; size],
                top: 1,
                ci,
                status: ThreadStatus::Ok,
                open_upvals: Vec::new(),
                tbc: Vec::new(),
                errfunc: 0,
                n_ccalls: 0,
                hook: Default::default(),
                in_twups: false,
            }),
        }
    }

    /// Raw pointer to the thread's data. The data is reached only
    /// through the state's accessors (`State::th`, `th_ref`,
    /// `thread_mut`, `thread_ref`), whose borrows of the state keep any two
    /// accesses from overlapping, and through the interpreter loop's raw
    /// pointer (see `vm::execute`).
    #[inline(always)]
    pub(crate) fn data_ptr(&self) -> *mut ThreadData {
        self.data.get()
    }
}

impl ThreadData {
    /// Size of the stack (slots usable by frames).
    #[inline(always)]
    pub(crate) fn stack_size(&self) -> usize {
        self.stack.len() - EXTRA_STACK
    }

    /// The current (innermost) frame.
    #[inline(always)]
    pub(crate) fn ci(&self) -> &CallInfo {
        // The base frame is never popped.
        self.ci.last().expect("base frame")
    }

    #[inline(always)]
    pub(crate) fn ci_mut(&mut self) -> &mut CallInfo {
        self.ci.last_mut().expect("base frame")
    }

    /// Pushes a value (the caller made room).
    #[inline(always)]
    pub(crate) fn push(&mut self, v: Value) {
        match self.stack.get_mut(self.top) {
            Some(slot) => *slot = v,
            None => self.push_grown(v),
        }
        self.top += 1;
    }

    /// `push` beyond the stack's end. Natives are promised `MIN_STACK`
    /// slots; going beyond without asking is a bug, but growing here keeps
    /// it from being unsafe.
    #[cold]
    #[inline(never)]
    fn push_grown(&mut self, v: Value) {
        self.stack.resize(self.top + 1 + EXTRA_STACK, Value::Nil);
        self.fix_upvalue_pointers();
        self.stack[self.top] = v;
    }

    /// Shrinks an oversized stack to twice what is in use (PUC's
    /// `luaD_shrinkstack`), after an error or in the collector's final
    /// traversal.
    pub(crate) fn shrink_stack(&mut self, heap: &mut Heap) {
        let inuse = self.stack_in_use().max(MIN_STACK);
        let max = if inuse > MAX_STACK / 3 { MAX_STACK } else { inuse * 3 };
        if inuse <= MAX_STACK && self.stack_size() > max {
            let nsize = if inuse > MAX_STACK / 2 { MAX_STACK } else { inuse * 2 };
            // Failing to shrink leaves a larger stack, which is fine.
            let _ = self.realloc_stack(heap, nsize);
        }
    }

    /// Reallocates the stack to `new_size` usable slots, charging the
    /// heap, and re-points the open upvalues.
    pub(crate) fn realloc_stack(&mut self, heap: &mut Heap, new_size: usize) -> Result<(), MemoryError> {
        // The top and every frame's top stay inside the stack.
        debug_assert!(self.stack_in_use() - 1 <= new_size + EXTRA_STACK, "shrinking below the live frames");
        let old_len = self.stack.len();
        let new_len = new_size + EXTRA_STACK;
        if new_len > old_len {
            heap.charge((new_len - old_len) * std::mem::size_of::<Value>())?;
            if self.stack.try_reserve_exact(new_len - old_len).is_err() {
                heap.release((new_len - old_len) * std::mem::size_of::<Value>());
                return Err(MemoryError);
            }
            self.stack.resize(new_len, Value::Nil);
        } else {
            self.stack.truncate(new_len);
            self.stack.shrink_to_fit();
            heap.release((old_len - new_len) * std::mem::size_of::<Value>());
        }
        self.fix_upvalue_pointers();
        Ok(())
    }

    /// Re-points every open upvalue at its slot of the (possibly moved)
    /// stack.
    pub(crate) fn fix_upvalue_pointers(&mut self) {
        let base = self.stack.as_mut_ptr();
        let mut prev = None;
        for uv in &self.open_upvals {
            let level = uv.level.get();
            debug_assert!(level < self.stack.len(), "an open upvalue above the stack");
            debug_assert!(prev.is_none_or(|p| p < level), "open upvalues out of order");
            prev = Some(level);
            // SAFETY: an open upvalue's level is below `top`, hence inside
            // the stack.
            uv.set_slot(unsafe { base.add(level) });
        }
    }

    /// Number of slots in use by the live frames (for shrinking).
    pub(crate) fn stack_in_use(&self) -> usize {
        let mut lim = self.top;
        for ci in &self.ci {
            lim = lim.max(ci.top);
        }
        lim + 1
    }

    /// Whether the thread can yield (no non-yieldable call in its stack).
    #[inline(always)]
    pub(crate) fn yieldable(&self) -> bool {
        self.n_ccalls & 0xffff_0000 == 0
    }

    /// Real number of nested native calls.
    #[inline(always)]
    pub(crate) fn c_calls(&self) -> u32 {
        self.n_ccalls & 0xffff
    }
}
