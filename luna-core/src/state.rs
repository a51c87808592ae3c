//! The Lua state: what every thread of one Lua universe shares (the heap,
//! the string table, the registry, the per-type metatables, host roots),
//! plus which thread is running.
//!
//! `State` is also the interface native functions use: they receive
//! `&mut State`, read their arguments with `arg`, push results with
//! `push`, and call back into Lua with `call`. Per-thread state (stacks,
//! frames) lives in the `Thread` objects; library state (the random
//! generator, io handles) lives in `ext`, keyed by type.

use std::any::{Any, TypeId};

use crate::gc::{Gc, GcMode, Heap, MemoryError};
use crate::object::function::{LuaClosure, NativeClosure, NativeFn, NativeFnPtr, Proto, UpVal};
use crate::object::string::{LuaStr, StringTable};
use crate::object::table::{Table, TableError};
use crate::object::thread::{Thread, ThreadData};
use crate::object::userdata::{PayloadError, PayloadMut, PayloadRef, Userdata};
use crate::value::{Type, Value, NUM_TYPES};
use crate::vm::opcodes::{TmKind, TM_N};
use crate::vm::{LResult, Status, Throw};

/// Registry index of the main thread (PUC's `LUA_RIDX_MAINTHREAD`).
pub const RIDX_MAINTHREAD: i64 = 1;
/// Registry index of the globals table (PUC's `LUA_RIDX_GLOBALS`).
pub const RIDX_GLOBALS: i64 = 2;

/// A value pinned by the host: an index into the host root slots and the
/// generation of the slot when pinned. A stale ticket (unpinned, or from
/// another state) is detected by the generation, never misread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HostRoot {
    pub index: u32,
    pub generation: u32,
    /// Identifies the state that issued the ticket.
    pub state_id: u32,
}

/// The host root slots: values kept alive on behalf of the host.
pub(crate) struct HostRoots {
    pub(crate) slots: Vec<(Value, u32, bool)>,
    free: Vec<u32>,
}

impl HostRoots {
    fn new() -> HostRoots {
        HostRoots { slots: Vec::new(), free: Vec::new() }
    }
}

/// Where warnings go when the host takes them: receives the state, each
/// piece, and whether more pieces of the same message follow. An error it
/// returns is raised where the warning was emitted (by `warn`, say).
pub type WarnSink = std::rc::Rc<dyn Fn(&mut State, &[u8], bool) -> LResult<()>>;

/// Warning system state (`warn`).
pub(crate) struct WarnState {
    /// Whether warnings are printed (`@on` / `@off`).
    pub(crate) on: bool,
    /// Whether the previous piece ended a message (pieces of one message
    /// are concatenated until the last one).
    pub(crate) continuing: bool,
    /// The sink: by default stderr with the `Lua warning: ` prefix.
    pub(crate) sink: Option<WarnSink>,
}

/// A Lua state.
pub struct State {
    pub(crate) heap: Heap,
    pub(crate) strings: StringTable,
    pub(crate) registry: Gc<Table>,
    pub(crate) globals: Gc<Table>,
    pub(crate) main_thread: Gc<Thread>,
    /// The running thread.
    pub(crate) current: Gc<Thread>,
    pub(crate) type_mts: [Option<Gc<Table>>; NUM_TYPES],
    pub(crate) tm_names: [Gc<LuaStr>; TM_N],
    pub(crate) mem_err_msg: Gc<LuaStr>,
    pub(crate) host_roots: HostRoots,
    /// Userdata that held payload guards borrow (or did, until the next
    /// collection prunes them): roots while a guard holds them.
    pub(crate) held_userdata: Vec<Gc<Userdata>>,
    /// Metatables of userdata types, by Rust type.
    pub(crate) type_metatables: crate::type_map::TypeMap<Gc<Table>>,
    pub(crate) warn: WarnState,
    /// Library and host state, keyed by type.
    pub(crate) ext: crate::type_map::TypeMap<Box<dyn Any>>,
    /// Fuel counter: the budget, or with an interrupt the current slice
    /// of it (see `vm::budget`); `i64::MAX` when nothing counts (a plain
    /// number, so that a charge is a compare and a decrement).
    pub(crate) fuel: i64,
    /// Budget beyond the counter (`None`: unlimited).
    pub(crate) fuel_reserve: Option<i64>,
    /// The interrupt callback.
    pub(crate) interrupt: Option<crate::vm::budget::Interrupt>,
    /// Native stack position where the host last entered the runtime (see
    /// `vm::call`, "native stack").
    pub(crate) native_stack_base: usize,
    /// Native stack bytes the runtime may use below `native_stack_base`.
    pub(crate) native_stack_budget: usize,
    /// The limit checked on calls: the budget, or a tenth more while the
    /// "C stack overflow" error is being handled (message handlers need
    /// some room), until an error is caught.
    pub(crate) native_stack_limit: usize,
    /// Traceback of the first error raised under a host call
    /// (`capture_host_traceback`).
    pub(crate) captured_traceback: Option<Vec<crate::vm::debug::FrameInfo>>,
    /// What running out of fuel does.
    pub(crate) fuel_mode: crate::api::FuelMode,
    /// Largest chunk `load` accepts, in bytes.
    pub(crate) max_source: usize,
    /// Whether binary chunks may be loaded.
    pub(crate) binary_allowed: bool,
    /// Userdata whose payload has this type are error values that `pcall`
    /// and `xpcall` do not catch (see `set_uncatchable_userdata`).
    pub(crate) uncatchable: Option<TypeId>,
    /// The language features of the state (`dialect`).
    pub(crate) dialect: crate::dialect::Dialect,
    /// Identifier of this state (for host-root tickets).
    pub(crate) id: u32,
    /// Set while the state is closing (finalizers of everything run).
    pub(crate) closing: bool,
    /// Set once the state is closed: every object is freed, and the state
    /// must not be used any more.
    pub(crate) closed: bool,
}

static NEXT_STATE_ID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

impl State {
    /// Creates a state with no libraries opened.
    ///
    /// # Safety
    ///
    /// `State` is the raw layer: the caller promises that all code using
    /// the state, directly or through the native functions registered on
    /// it, keeps the rules of the raw layer's contract (the crate
    /// documentation): collectable values used only while alive, only
    /// with their own state, never after the state is gone, and a
    /// native's `&mut State` only during its call.
    pub unsafe fn new() -> Box<State> {
        State::new_trusted()
    }

    /// Creates a state for code of this crate, which keeps the raw
    /// layer's contract by construction (the libraries' natives, the unit
    /// tests).
    pub(crate) fn new_trusted() -> Box<State> {
        let mut heap = Heap::new();
        let seed = {
            // Mix an address and the time, as PUC's `luai_makeseed`.
            let local = 0u8;
            let addr = &local as *const u8 as usize as u64;
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            let x = (addr ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            (x >> 32) as u32 ^ x as u32
        };
        let mut strings = StringTable::new(seed);
        // A fresh state always fits: the limit is unlimited until set.
        heap.charge(strings.bytes()).expect("no limit at creation");
        let main_thread = heap.alloc(Thread::new()).expect("no limit at creation");
        heap.charge(0).ok();
        let registry = heap.alloc(Table::new(2, 0)).expect("no limit at creation");
        let globals = heap.alloc(Table::new(0, 0)).expect("no limit at creation");
        let mem_err_msg = heap.new_string(&mut strings, b"not enough memory").expect("no limit at creation");
        let tm_names = TmKind::ALL.map(|tm| heap.new_string(&mut strings, tm.name().as_bytes()).expect("no limit"));
        let mut st = Box::new(State {
            heap,
            strings,
            registry,
            globals,
            main_thread,
            current: main_thread,
            type_mts: [None; NUM_TYPES],
            tm_names,
            mem_err_msg,
            host_roots: HostRoots::new(),
            held_userdata: Vec::new(),
            type_metatables: Default::default(),
            warn: WarnState { on: false, continuing: false, sink: None },
            ext: Default::default(),
            fuel: i64::MAX,
            fuel_reserve: None,
            interrupt: None,
            native_stack_base: crate::vm::call::native_stack_position(),
            native_stack_budget: crate::vm::call::DEFAULT_NATIVE_STACK_BUDGET,
            native_stack_limit: crate::vm::call::DEFAULT_NATIVE_STACK_BUDGET,
            fuel_mode: crate::api::FuelMode::Error,
            captured_traceback: None,
            max_source: usize::MAX / 2,
            binary_allowed: true,
            uncatchable: None,
            dialect: crate::dialect::Dialect::lua54(),
            id: NEXT_STATE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            closing: false,
            closed: false,
        });
        let (reg, mt, g) = (st.registry, st.main_thread, st.globals);
        reg.raw_set_int(&mut st.heap, RIDX_MAINTHREAD, Value::Thread(mt)).expect("fits");
        reg.raw_set_int(&mut st.heap, RIDX_GLOBALS, Value::Table(g)).expect("fits");
        // The main thread is never yieldable.
        st.th().n_ccalls = 0x1_0000;
        st.heap.debt = 0;
        st
    }

    /// The largest chunk `load` accepts.
    pub fn max_source_size(&self) -> usize {
        self.max_source
    }

    /// Sets the largest chunk `load` accepts.
    pub fn set_max_source_size(&mut self, n: usize) {
        self.max_source = n;
    }

    /// The language features of the state (Lua 5.4 with PUC's
    /// `LUA_COMPAT_5_3` unless set otherwise).
    #[inline]
    pub fn dialect(&self) -> crate::dialect::Dialect {
        self.dialect
    }

    /// Sets the language features. The libraries read them when opened,
    /// so this comes before `open_libs`.
    pub fn set_dialect(&mut self, dialect: crate::dialect::Dialect) {
        self.dialect = dialect;
    }

    // ------------------------------------------------------------------
    // Threads and stack access.

    /// The running thread.
    #[inline(always)]
    pub fn current_thread(&self) -> Gc<Thread> {
        self.current
    }

    /// The main thread.
    pub fn main_thread(&self) -> Gc<Thread> {
        self.main_thread
    }

    /// The data of the running thread, mutably: borrowed from the state,
    /// so no other access to any thread's data can overlap it.
    #[inline(always)]
    pub(crate) fn th(&mut self) -> &mut ThreadData {
        // SAFETY: thread data is reached only through the state (`th`,
        // `th_ref`, `thread_mut`, `thread_ref`), whose borrow this one
        // follows, or through the interpreter's raw pointer, which holds no
        // reference across calls out of the loop; the running thread is a
        // root, so alive.
        unsafe { &mut *self.current.data_ptr() }
    }

    /// The data of the running thread, shared.
    #[inline(always)]
    pub(crate) fn th_ref(&self) -> &ThreadData {
        // SAFETY: as for `th`.
        unsafe { &*self.current.data_ptr() }
    }

    /// The running thread's data and the heap together (to charge a
    /// stack reallocation).
    #[inline(always)]
    pub(crate) fn th_and_heap(&mut self) -> (&mut ThreadData, &mut Heap) {
        // SAFETY: as for `th`; the heap is a field of the state, disjoint
        // from the thread's box.
        (unsafe { &mut *self.current.data_ptr() }, &mut self.heap)
    }

    /// The data of thread `t` and the heap together (see `th_and_heap`).
    #[inline(always)]
    pub(crate) fn thread_and_heap(&mut self, t: Gc<Thread>) -> (&mut ThreadData, &mut Heap) {
        // SAFETY: as for `th_and_heap`.
        (unsafe { &mut *t.data_ptr() }, &mut self.heap)
    }

    /// The data of thread `t`, mutably (see `th`). `t` must be alive.
    #[inline(always)]
    pub(crate) fn thread_mut(&mut self, t: Gc<Thread>) -> &mut ThreadData {
        // SAFETY: as for `th`.
        unsafe { &mut *t.data_ptr() }
    }

    /// The data of thread `t`, shared (see `th`). `t` must be alive.
    #[inline(always)]
    pub(crate) fn thread_ref(&self, t: Gc<Thread>) -> &ThreadData {
        // SAFETY: as for `th`.
        unsafe { &*t.data_ptr() }
    }

    /// Number of arguments of the running native function.
    #[inline]
    pub fn nargs(&self) -> usize {
        let th = self.th_ref();
        th.top - (th.ci().func + 1)
    }

    /// Argument `i` (1-based) of the running native function, `Nil` when
    /// absent.
    #[inline]
    pub fn arg(&self, i: usize) -> Value {
        let th = self.th_ref();
        let idx = th.ci().func + i;
        if idx < th.top {
            th.stack[idx]
        } else {
            Value::Nil
        }
    }

    /// Replaces argument `i` (1-based, must exist).
    pub fn set_arg(&mut self, i: usize, v: Value) {
        if i == 0 {
            return;
        }
        let th = self.th();
        let idx = th.ci().func + i;
        if idx < th.top {
            th.stack[idx] = v;
        }
    }

    /// Stack index of the running function's slot (arguments follow).
    #[inline]
    pub fn frame_base(&self) -> usize {
        self.th_ref().ci().func
    }

    /// Pushes a value on the running thread's stack.
    #[inline]
    pub fn push(&mut self, v: Value) {
        self.th().push(v);
    }

    /// Pushes a value after making room for it (`check_stack(1)` and
    /// `push`); fails with "stack overflow" beyond the stack limit.
    #[inline(always)]
    pub fn push_checked(&mut self, v: Value) -> LResult<()> {
        let th = self.th();
        if th.top >= th.ci().top {
            self.check_stack(1)?;
        }
        self.th().push(v);
        Ok(())
    }

    /// The stack top (first free slot) of the running thread.
    #[inline]
    pub fn top(&self) -> usize {
        self.th_ref().top
    }

    /// Sets the stack top; new slots are nil. A top beyond the stack limit
    /// (`MAX_STACK` slots) is clamped to it: raising the top that far is a
    /// misuse, and growing the stack for it would exhaust memory.
    #[inline]
    pub fn set_top(&mut self, top: usize) {
        let th = self.th();
        if top <= th.top {
            th.top = top;
        } else {
            self.raise_top(top);
        }
    }

    /// `set_top` above the current top.
    #[cold]
    fn raise_top(&mut self, top: usize) {
        let th = self.th();
        let top = if top > th.stack.len() { top.min(crate::object::thread::MAX_STACK) } else { top };
        if top > th.top {
            if top > th.stack.len() {
                th.stack.resize(top + crate::object::thread::EXTRA_STACK, Value::Nil);
                th.fix_upvalue_pointers();
            }
            for s in &mut th.stack[th.top..top] {
                *s = Value::Nil;
            }
        }
        th.top = top;
    }

    /// The value at stack index `idx` of the running thread.
    #[inline]
    pub fn stack_get(&self, idx: usize) -> Value {
        // Read field by field: results are read right after the stores that
        // wrote them (see `Value::copy_raw`).
        self.th_ref().stack.get(idx).map_or(Value::Nil, Value::load)
    }

    /// Sets the value at stack index `idx` (below top).
    #[inline]
    pub fn stack_set(&mut self, idx: usize, v: Value) {
        if let Some(s) = self.th().stack.get_mut(idx) {
            *s = v;
        }
    }

    /// Removes `n` values from the top.
    pub fn pop(&mut self, n: usize) {
        let th = self.th();
        th.top = th.top.saturating_sub(n).max(th.ci().func + 1);
    }

    /// Upvalue `i` (1-based) of the running native closure.
    pub fn upvalue(&self, i: usize) -> Value {
        match self.stack_get(self.frame_base()) {
            Value::NativeFn(f) => f.upvalue(i - 1),
            _ => Value::Nil,
        }
    }

    /// Ensures `n` free slots above the top (PUC's `lua_checkstack`);
    /// fails with "stack overflow" beyond the stack limit.
    pub fn check_stack(&mut self, n: usize) -> LResult<()> {
        let th = self.th();
        if th.top.saturating_add(n) > th.stack_size() {
            self.grow_stack(n)?;
        }
        let th = self.th();
        let need = th.top + n;
        let ci = th.ci_mut();
        if ci.top < need {
            ci.top = need;
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Allocation.

    /// Converts a memory error into the error to throw.
    #[inline]
    pub(crate) fn mem_throw(&self) -> Throw {
        Throw { status: Status::ErrMem, value: Value::Str(self.mem_err_msg) }
    }

    /// The "not enough memory" error, to return from natives.
    pub fn memory_error(&self) -> Throw {
        self.mem_throw()
    }

    /// The status of thread `t` (`Yield` while suspended in a yield, an
    /// error status once dead by an error).
    pub fn thread_status(&self, t: Gc<Thread>) -> crate::object::thread::ThreadStatus {
        self.thread_ref(t).status
    }

    /// Empties a (closed) thread's stack down to its base frame.
    pub fn reset_thread_stack(&mut self, th: Gc<Thread>) {
        let d = self.thread_mut(th);
        d.ci.truncate(1);
        d.top = 1;
    }

    /// Creates a string.
    #[inline]
    pub fn new_str(&mut self, bytes: &[u8]) -> LResult<Gc<LuaStr>> {
        match self.heap.new_string(&mut self.strings, bytes) {
            Ok(s) => Ok(s),
            Err(MemoryError) => Err(self.mem_throw()),
        }
    }

    /// Creates a string value.
    #[inline]
    pub fn str_value(&mut self, bytes: impl AsRef<[u8]>) -> LResult<Value> {
        self.new_str(bytes.as_ref()).map(Value::Str)
    }

    /// Creates (or finds) the string of `text`, known to be UTF-8: reading
    /// it back as text needs no validation (`Gc<LuaStr>::as_str`).
    #[inline]
    pub fn new_text(&mut self, text: &str) -> LResult<Gc<LuaStr>> {
        let s = self.new_str(text.as_bytes())?;
        s.mark_text();
        Ok(s)
    }

    /// As `new_text`, as a value.
    #[inline]
    pub fn text_value(&mut self, text: &str) -> LResult<Value> {
        self.new_text(text).map(Value::Str)
    }

    /// The interned name of a metamethod event.
    #[inline(always)]
    pub fn tm_name(&self, tm: TmKind) -> Gc<LuaStr> {
        self.tm_names[tm as usize]
    }

    /// Creates a table with preallocated array and hash parts.
    #[inline(never)]
    pub fn new_table_with(&mut self, narray: usize, nhash: usize) -> LResult<Gc<Table>> {
        // Creation itself must fit the limit; oversized requests fail.
        let size_ok = narray <= (1 << 26) && nhash <= (1 << 26);
        if !size_ok {
            return Err(self.mem_throw());
        }
        self.heap.alloc(Table::new(narray, nhash)).map_err(|_| self.mem_throw())
    }

    /// Creates an empty table.
    #[inline]
    pub fn new_table(&mut self) -> LResult<Gc<Table>> {
        self.heap.alloc(Table::new(0, 0)).map_err(|_| self.mem_throw())
    }

    /// Creates a native function value from a plain function.
    pub fn new_native(&mut self, f: NativeFnPtr) -> LResult<Value> {
        self.heap.alloc(NativeClosure::new(NativeFn::Ptr(f), &[])).map(Value::NativeFn).map_err(|_| self.mem_throw())
    }

    /// Creates a native closure with upvalues.
    pub fn new_native_closure(&mut self, f: NativeFn, upvalues: &[Value]) -> LResult<Value> {
        self.heap.alloc(NativeClosure::new(f, upvalues)).map(Value::NativeFn).map_err(|_| self.mem_throw())
    }

    /// Creates a native closure meant as an `__index` metamethod whose code
    /// starts by returning `upvalues[0][key]` (a raw get in a table) when
    /// that is not nil. The VM performs that step itself when it finds the
    /// closure as `__index`, and calls the closure only for keys the table
    /// lacks: method lookups on userdata (`ud:method()`) then cost a table
    /// read instead of a call. Calling the closure directly must give the
    /// same result, so `f` has to do the lookup too.
    pub fn new_index_dispatcher(&mut self, f: NativeFn, upvalues: &[Value]) -> LResult<Value> {
        let mut closure = NativeClosure::new(f, upvalues);
        closure.lookup_first = matches!(upvalues.first(), Some(Value::Table(_)));
        self.heap.alloc(closure).map(Value::NativeFn).map_err(|_| self.mem_throw())
    }

    /// Creates a Lua closure over `proto` with the given upvalues.
    pub(crate) fn new_lua_closure(&mut self, proto: Gc<Proto>, upvals: Vec<Gc<UpVal>>) -> LResult<Gc<LuaClosure>> {
        let cl = LuaClosure { proto, upvals: upvals.into_iter().map(std::cell::Cell::new).collect() };
        self.heap.alloc(cl).map_err(|_| self.mem_throw())
    }

    /// Creates a closed upvalue holding `v`.
    pub(crate) fn new_closed_upval(&mut self, v: Value) -> LResult<Gc<UpVal>> {
        let uv = self.heap.alloc(UpVal::new_closed(v)).map_err(|_| self.mem_throw())?;
        uv.init_closed();
        Ok(uv)
    }

    /// Creates a full userdata holding `value`.
    pub fn new_userdata<T: Any>(&mut self, value: T, n_user_values: usize) -> LResult<Gc<Userdata>> {
        self.heap.alloc(Userdata::new(value, n_user_values)).map_err(|_| self.mem_throw())
    }

    /// Sets user value `n` (1-based) of `u`, with the write barrier;
    /// false when `n` is out of range.
    pub fn set_user_value(&mut self, u: Gc<Userdata>, n: usize, v: Value) -> bool {
        let ok = u.set_user_value(n, v);
        if ok {
            self.heap.barrier(u.erase(), v);
        }
        ok
    }

    /// Creates a full userdata from a boxed payload of `size` bytes.
    pub fn new_userdata_boxed(
        &mut self,
        value: Box<dyn Any>,
        size: usize,
        n_user_values: usize,
    ) -> LResult<Gc<Userdata>> {
        self.heap.alloc(Userdata::from_box(value, size, n_user_values)).map_err(|_| self.mem_throw())
    }

    /// Creates a new thread sharing this state's globals.
    pub fn new_thread(&mut self) -> LResult<Gc<Thread>> {
        let t = self.heap.alloc(Thread::new()).map_err(|_| self.mem_throw())?;
        // Hooks are inherited from the creating thread, as in PUC.
        let h = self.th_ref().hook.for_new_thread();
        self.thread_mut(t).hook = h;
        Ok(t)
    }

    // ------------------------------------------------------------------
    // Tables.

    /// Raw set reporting the table error itself (for hosts, which map it to
    /// their own errors without raising a Lua error).
    pub fn table_raw_set(&mut self, t: Gc<Table>, k: Value, v: Value) -> Result<(), TableError> {
        t.raw_set(&mut self.heap, k, v)
    }

    /// Raw set with the error mapped to a Lua error.
    pub fn raw_set(&mut self, t: Gc<Table>, k: Value, v: Value) -> LResult<()> {
        t.raw_set(&mut self.heap, k, v).map_err(|e| self.table_error(e))
    }

    /// Raw set of an integer key.
    pub fn raw_set_int(&mut self, t: Gc<Table>, k: i64, v: Value) -> LResult<()> {
        t.raw_set_int(&mut self.heap, k, v).map_err(|e| self.table_error(e))
    }

    /// Raw set of a string key given as bytes.
    pub fn raw_set_field(&mut self, t: Gc<Table>, k: &str, v: Value) -> LResult<()> {
        let k = self.new_str(k.as_bytes())?;
        self.raw_set(t, Value::Str(k), v)
    }

    /// Raw get of a string key given as bytes.
    pub fn raw_get_field(&mut self, t: Gc<Table>, k: &str) -> LResult<Value> {
        let k = self.new_str(k.as_bytes())?;
        Ok(t.get_str(k))
    }

    pub(crate) fn table_error(&mut self, e: TableError) -> Throw {
        match e {
            TableError::NilKey => self.rt_error("table index is nil"),
            TableError::NanKey => self.rt_error("table index is NaN"),
            TableError::Memory => self.mem_throw(),
            TableError::Overflow => self.rt_error("table overflow"),
        }
    }

    /// The globals table.
    pub fn globals(&self) -> Gc<Table> {
        self.globals
    }

    /// Replaces the globals table (the registry entry and the table used by
    /// later loads).
    pub fn set_globals(&mut self, g: Gc<Table>) -> LResult<()> {
        self.globals = g;
        let reg = self.registry;
        self.raw_set_int(reg, RIDX_GLOBALS, Value::Table(g))
    }

    /// The registry table.
    pub fn registry(&self) -> Gc<Table> {
        self.registry
    }

    /// Sets a global variable.
    pub fn set_global(&mut self, name: &str, v: Value) -> LResult<()> {
        let g = self.globals;
        self.raw_set_field(g, name, v)
    }

    /// Reads a global variable (raw).
    pub fn get_global(&mut self, name: &str) -> LResult<Value> {
        let g = self.globals;
        self.raw_get_field(g, name)
    }

    // ------------------------------------------------------------------
    // Metatables.

    /// The metatable of a value (raw: ignores `__metatable`).
    #[inline]
    pub fn metatable_of(&self, v: Value) -> Option<Gc<Table>> {
        match v {
            Value::Table(t) => t.metatable(),
            Value::Userdata(u) => u.metatable(),
            other => self.type_mts[other.type_of() as usize],
        }
    }

    /// Sets the metatable of a table or userdata, or the shared one of a
    /// basic type, with the write barrier and the finalizer check.
    pub fn set_metatable(&mut self, v: Value, mt: Option<Gc<Table>>) {
        match v {
            Value::Table(t) => {
                t.set_metatable_raw(mt);
                if let Some(m) = mt {
                    self.heap.barrier(t.erase(), Value::Table(m));
                    self.check_finalizer(t.erase(), m);
                }
            }
            Value::Userdata(u) => {
                u.metatable.set(mt);
                if let Some(m) = mt {
                    self.heap.barrier(u.erase(), Value::Table(m));
                    self.check_finalizer(u.erase(), m);
                }
            }
            other => self.type_mts[other.type_of() as usize] = mt,
        }
    }

    /// The metatable of basic type `t`.
    pub fn type_metatable(&self, t: Type) -> Option<Gc<Table>> {
        self.type_mts[t as usize]
    }

    /// The registered metatable of userdata payload type `T`, if any.
    pub fn userdata_metatable(&self, id: TypeId) -> Option<Gc<Table>> {
        self.type_metatables.get(&id).copied()
    }

    /// Registers the metatable of userdata payload type `id`.
    pub fn set_userdata_metatable(&mut self, id: TypeId, mt: Gc<Table>) {
        self.type_metatables.insert(id, mt);
    }

    // ------------------------------------------------------------------
    // Host roots.

    /// Pins a value so the collector keeps it alive until `unpin`.
    #[inline]
    pub fn pin(&mut self, v: Value) -> HostRoot {
        let roots = &mut self.host_roots;
        let (index, generation) = match roots.free.pop().and_then(|i| Some((i, roots.slots.get_mut(i as usize)?))) {
            Some((i, slot)) => {
                slot.0 = v;
                slot.2 = true;
                (i, slot.1)
            }
            None => {
                roots.slots.push((v, 0, true));
                ((roots.slots.len() - 1) as u32, 0)
            }
        };
        // A pinned value stored into the roots during a collection must
        // not be left white behind the collector.
        if v.is_collectable() {
            self.heap.barrier_root(v);
        }
        HostRoot { index, generation, state_id: self.id }
    }

    /// A shared borrow of a userdata's payload as a `T`, held by the host:
    /// the guard keeps the userdata alive by itself (the collector marks
    /// userdata with held guards), so it needs no host root; it may be
    /// kept as long as the state lives. A destroyed payload waits for held
    /// guards (see `Userdata::destroy_payload`).
    #[inline]
    pub fn hold_payload<T: Any>(&mut self, ud: Gc<Userdata>) -> Result<PayloadRef<T, true>, PayloadError> {
        let g = Userdata::hold_payload::<T>(ud)?;
        self.list_held(ud);
        Ok(g)
    }

    /// `hold_payload` for a mutable borrow.
    #[inline]
    pub fn hold_payload_mut<T: Any>(&mut self, ud: Gc<Userdata>) -> Result<PayloadMut<T, true>, PayloadError> {
        let g = Userdata::hold_payload_mut::<T>(ud)?;
        self.list_held(ud);
        Ok(g)
    }

    /// Adds a userdata that a held guard now borrows to the list the
    /// collector marks; during marking it is marked now, as a new root.
    #[inline]
    fn list_held(&mut self, ud: Gc<Userdata>) {
        if ud.list_held() {
            self.held_userdata.push(ud);
        }
        self.heap.barrier_root(Value::Userdata(ud));
    }

    /// The pinned value, or `None` for a stale or foreign ticket.
    #[inline]
    pub fn get_pinned(&self, r: HostRoot) -> Option<Value> {
        if r.state_id != self.id {
            return None;
        }
        match self.host_roots.slots.get(r.index as usize) {
            Some(&(v, g, true)) if g == r.generation => Some(v),
            _ => None,
        }
    }

    /// Replaces the value of a live pinned slot (false for a stale ticket).
    pub fn replace_pinned(&mut self, r: HostRoot, v: Value) -> bool {
        if r.state_id != self.id {
            return false;
        }
        match self.host_roots.slots.get_mut(r.index as usize) {
            Some(slot) if slot.2 && slot.1 == r.generation => {
                slot.0 = v;
                self.heap.barrier_root(v);
                true
            }
            _ => false,
        }
    }

    /// The identifier of this state (host-root tickets carry it).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Releases a pinned value. Stale tickets are ignored (returns false).
    #[inline]
    pub fn unpin(&mut self, r: HostRoot) -> bool {
        if r.state_id != self.id {
            return false;
        }
        match self.host_roots.slots.get_mut(r.index as usize) {
            Some(slot) if slot.2 && slot.1 == r.generation => {
                slot.0 = Value::Nil;
                slot.1 = slot.1.wrapping_add(1);
                slot.2 = false;
                self.host_roots.free.push(r.index);
                true
            }
            _ => false,
        }
    }

    /// Number of live host roots.
    pub fn pinned_count(&self) -> usize {
        self.host_roots.slots.len() - self.host_roots.free.len()
    }

    // ------------------------------------------------------------------
    // Library state.

    /// Library/host state of type `T`, if stored.
    pub fn ext<T: Any>(&self) -> Option<&T> {
        self.ext.get(&TypeId::of::<T>()).and_then(|b| b.downcast_ref())
    }

    /// Mutable library/host state of type `T`, if stored.
    pub fn ext_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.ext.get_mut(&TypeId::of::<T>()).and_then(|b| b.downcast_mut())
    }

    /// Stores library/host state of type `T`, returning the previous one.
    pub fn set_ext<T: Any>(&mut self, v: T) -> Option<T> {
        self.ext.insert(TypeId::of::<T>(), Box::new(v)).and_then(|b| b.downcast().ok().map(|b| *b))
    }

    /// Removes library/host state of type `T`.
    pub fn remove_ext<T: Any>(&mut self) -> Option<T> {
        self.ext.remove(&TypeId::of::<T>()).and_then(|b| b.downcast().ok().map(|b| *b))
    }

    // ------------------------------------------------------------------
    // Memory.

    /// Bytes in use by the heap.
    pub fn used_memory(&self) -> usize {
        self.heap.total_bytes
    }

    /// Sets the memory limit in bytes (`usize::MAX`: none). Returns the
    /// previous limit.
    pub fn set_memory_limit(&mut self, limit: usize) -> usize {
        std::mem::replace(&mut self.heap.limit, limit)
    }

    /// The memory limit.
    pub fn memory_limit(&self) -> usize {
        self.heap.limit
    }

    /// The collector mode.
    pub fn gc_mode(&self) -> GcMode {
        self.heap.mode
    }

    /// Stops or restarts the automatic collector (`collectgarbage("stop")`
    /// / `"restart"`).
    pub fn set_gc_running(&mut self, running: bool) {
        self.heap.running = running;
        if running {
            self.heap.debt = 0;
        }
    }

    /// Whether the automatic collector runs.
    pub fn gc_running(&self) -> bool {
        self.heap.running
    }

    /// Allows or refuses loading binary chunks (refused chunks give a
    /// syntax error, as a mode mismatch does).
    pub fn set_binary_chunks_allowed(&mut self, allowed: bool) {
        self.binary_allowed = allowed;
    }

    /// Whether binary chunks may be loaded.
    pub fn binary_chunks_allowed(&self) -> bool {
        self.binary_allowed
    }

    /// Makes error values that are userdata with a payload of type `id`
    /// uncatchable by Lua code (`None`: every error is catchable, the
    /// default). `pcall` and `xpcall` re-raise such an error instead of
    /// returning it, and a message handler is not called for it, so it
    /// travels up to the host call that ran the script.
    ///
    /// This is the one hook an embedding needs to keep a fatal condition
    /// of its own (a Rust panic carried through Lua) out of reach of
    /// scripts, while every other error keeps PUC's semantics: the runtime
    /// asks only the userdata's type, which costs nothing on the paths of
    /// ordinary errors.
    pub fn set_uncatchable_userdata(&mut self, id: Option<TypeId>) {
        self.uncatchable = id;
    }

    /// Whether `v` is an error value Lua code must not catch (see
    /// `set_uncatchable_userdata`).
    #[inline]
    pub fn is_uncatchable(&self, v: Value) -> bool {
        match (self.uncatchable, v) {
            (Some(id), Value::Userdata(u)) => Userdata::type_id(&u) == id,
            _ => false,
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        self.close_state();
    }
}
