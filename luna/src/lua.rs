//! `Lua`, the handle to one Lua state, and the machinery every other
//! facade type uses: state access, handles (values pinned as host roots),
//! and the conversion of facade values to and from runtime values.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use luna_core::api::HostError;
use luna_core::object::function::NativeFn;
use luna_core::state::HostRoot;
use luna_core::stdlib::Libs;
use luna_core::{State, Status, Value};

use crate::error::{LuaError, LuaResult, TracebackFrame};
use crate::failure::{Failure, Fallible};
use crate::state_access::{AppDataRef, AppDataRefMut, StateCell};
use crate::value::LuaValue;
use crate::{LuaAnyUserdata, LuaFunction, LuaString, LuaTable, LuaThread};

/// Which standard libraries a state opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdLib(u32);

impl StdLib {
    /// `coroutine`.
    pub const COROUTINE: StdLib = StdLib(1 << 1);
    /// `table`.
    pub const TABLE: StdLib = StdLib(1 << 2);
    /// `string`.
    pub const STRING: StdLib = StdLib(1 << 3);
    /// `math`.
    pub const MATH: StdLib = StdLib(1 << 4);
    /// `utf8`.
    pub const UTF8: StdLib = StdLib(1 << 5);
    /// `os` (in safe mode only `clock`, `date`, `difftime`, `getenv`,
    /// `time`).
    pub const OS: StdLib = StdLib(1 << 6);
    /// `io` (unsafe: files and processes).
    pub const IO: StdLib = StdLib(1 << 7);
    /// `package` and `require` (in safe mode without `loadlib`).
    pub const PACKAGE: StdLib = StdLib(1 << 8);
    /// `debug` (unsafe: it can break the sandbox).
    pub const DEBUG: StdLib = StdLib(1 << 9);
    /// No library (the base functions are always opened).
    pub const NONE: StdLib = StdLib(0);
    /// The libraries that cannot escape the sandbox.
    pub const ALL_SAFE: StdLib = StdLib((1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8));
    /// Every library, `io` and `debug` included.
    pub const ALL: StdLib = StdLib((1 << 10) - 2);

    /// The set as bits (one per library, as luna-core's `Libs`).
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether every library of `other` is in `self`.
    pub fn contains(self, other: StdLib) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for StdLib {
    type Output = StdLib;
    fn bitor(self, rhs: StdLib) -> StdLib {
        StdLib(self.0 | rhs.0)
    }
}

/// Options of a new state.
#[derive(Clone, Debug)]
pub struct LuaOptions {
    /// Keep the unsafe parts of the libraries opened (`os.execute`,
    /// `os.exit`, `os.remove`..., `package.loadlib`) and allow binary
    /// chunks. Off by default.
    pub unsafe_features: bool,
    /// A memory limit in bytes.
    pub memory_limit: Option<usize>,
    /// An instruction budget.
    pub instruction_limit: Option<u64>,
    /// Bytes of native (Rust) stack that nested calls through Rust may use
    /// (see `Lua::set_native_stack_limit`).
    pub native_stack_limit: Option<usize>,
    /// The Lua 5.3 compatibility of PUC's release build of Lua 5.4
    /// (`LUA_COMPAT_5_3`): `math.pow`, `math.frexp`, `math.ldexp`,
    /// `math.cosh`, `math.sinh`, `math.tanh`, `math.log10`, `math.atan2`,
    /// and `a <= b` computed as `not (b < a)` when there is `__lt` but no
    /// `__le`. On by default.
    pub compat53: bool,
    /// Whether Lua's `pcall` and `xpcall` may catch a Rust panic raised in
    /// a callback (as an error value whose `tostring` is the panic
    /// message). Either way the panic is resumed when the value reaches
    /// the host (`Function::call`, `Chunk::exec`, `Thread::resume`, a
    /// conversion of the value to Rust); when false, `pcall` and `xpcall`
    /// let it through and never run their message handler for it. On by
    /// default, as mlua's.
    pub catch_rust_panics: bool,
}

impl Default for LuaOptions {
    fn default() -> LuaOptions {
        LuaOptions {
            unsafe_features: false,
            memory_limit: None,
            instruction_limit: None,
            native_stack_limit: None,
            compat53: true,
            catch_rust_panics: true,
        }
    }
}

impl LuaOptions {
    /// Default options.
    pub fn new() -> LuaOptions {
        LuaOptions::default()
    }

    /// Turns the Lua 5.3 compatibility (`LUA_COMPAT_5_3`) on or off.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().compat53(false))?;
    /// assert!(lua.load("return math.pow").eval::<Option<LuaFunction>>()?.is_none());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn compat53(mut self, on: bool) -> LuaOptions {
        self.compat53 = on;
        self
    }

    /// Sets whether `pcall` and `xpcall` may catch Rust panics (see the
    /// field `catch_rust_panics`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::panic::{catch_unwind, AssertUnwindSafe};
    /// let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().catch_rust_panics(false))?;
    /// let bug = lua.create_function(|_, ()| -> LuaResult<()> { panic!("host bug") })?;
    /// lua.globals().set("bug", bug)?;
    /// let r = catch_unwind(AssertUnwindSafe(|| lua.load("pcall(bug)").exec()));
    /// assert_eq!(*r.unwrap_err().downcast::<&str>().unwrap(), "host bug");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn catch_rust_panics(mut self, enabled: bool) -> LuaOptions {
        self.catch_rust_panics = enabled;
        self
    }

    /// Sets the memory limit.
    pub fn memory_limit(mut self, bytes: usize) -> LuaOptions {
        self.memory_limit = Some(bytes);
        self
    }

    /// Sets the instruction budget.
    pub fn instruction_limit(mut self, n: u64) -> LuaOptions {
        self.instruction_limit = Some(n);
        self
    }

    /// Sets the native stack limit.
    pub fn native_stack_limit(mut self, bytes: usize) -> LuaOptions {
        self.native_stack_limit = Some(bytes);
        self
    }
}

/// A handle: a host root of the state, shared by the clones of a facade
/// value. The clones count themselves in the state's `handle_counts`
/// (indexed by root slot) and the last one to drop releases the root, so a
/// handle is two words, made and dropped without an allocation, and it
/// resolves to its value with one generation compare in the state's root
/// slots (`Lua::value_of`).
pub(crate) struct Handle {
    pub(crate) lua: Weak<LuaInner>,
    index: u32,
    generation: u32,
}

impl Handle {
    /// The host root of the handle in its state `inner`.
    #[inline]
    pub(crate) fn root(&self, inner: &LuaInner) -> HostRoot {
        HostRoot { index: self.index, generation: self.generation, state_id: inner.state_id }
    }
}

impl Clone for Handle {
    #[inline]
    fn clone(&self) -> Handle {
        // Once the state is gone nothing is counted any more.
        crate::state_access::with_live_inner(&self.lua, |inner| inner.retain_handle(self.index));
        Handle { lua: self.lua.clone(), index: self.index, generation: self.generation }
    }
}

impl Drop for Handle {
    #[inline]
    fn drop(&mut self) {
        crate::state_access::with_live_inner(&self.lua, |inner| inner.drop_handle(self.index, self.generation));
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.index)
    }
}

/// A value pinned for as long as this lives, with a strong `Lua` (so the
/// state outlives it): what userdata borrow guards hold. Unlike a handle it
/// costs no allocation, and it cannot be cloned.
pub(crate) struct Rooted {
    lua: Lua,
    root: HostRoot,
}

impl Rooted {
    #[inline]
    pub(crate) fn new(lua: &Lua, st: &mut State, v: Value) -> Rooted {
        Rooted { lua: lua.clone(), root: st.pin(v) }
    }
}

impl Drop for Rooted {
    #[inline]
    fn drop(&mut self) {
        self.lua.inner.release(self.root);
    }
}

/// What facade value types hold: a handle (cloning it counts a clone).
pub(crate) type HandleRef = Handle;

pub(crate) struct LuaInner {
    pub(crate) cell: StateCell,
    pub(crate) state_id: u32,
    /// Roots released while the state was busy, released at the next
    /// access.
    pending: RefCell<Vec<HostRoot>>,
    /// Whether `pending` is not empty (tested on every access).
    has_pending: Cell<bool>,
    /// The number of live clones of the handle holding each host root
    /// slot, by slot index (0 for slots no handle holds: free ones, and
    /// the roots of registry keys and userdata guards).
    handle_counts: RefCell<Vec<u32>>,
    app_data: RefCell<luna_core::type_map::TypeMap<Rc<dyn Any>>>,
    /// The handle `globals` hands out (see there).
    globals: RefCell<Option<HandleRef>>,
    /// The global hook and the thread event callback.
    pub(crate) callbacks: crate::hooks::HostCallbacks,
    /// A Rust panic on its way through Lua or back to the host (see
    /// `panic`).
    pub(crate) panic: crate::panic::PanicSlot,
    /// The array metatable of the serde support, made with the state and
    /// held here so that `Lua::array_metatable` needs no state access.
    #[cfg(feature = "serde")]
    pub(crate) array_metatable: HandleRef,
}

impl LuaInner {
    fn release_pending(&self, st: &mut State) {
        self.has_pending.set(false);
        for r in self.pending.borrow_mut().drain(..) {
            st.unpin(r);
        }
    }

    /// A new handle for `root`, just pinned, counted once.
    #[inline]
    fn new_handle(self: &Rc<LuaInner>, root: HostRoot) -> Handle {
        let mut counts = self.handle_counts.borrow_mut();
        let i = root.index as usize;
        if i >= counts.len() {
            counts.resize(i + 1, 0);
        }
        counts[i] = 1;
        Handle { lua: Rc::downgrade(self), index: root.index, generation: root.generation }
    }

    /// Counts one more clone of the handle of slot `index`.
    #[inline]
    fn retain_handle(&self, index: u32) {
        if let Some(n) = self.handle_counts.borrow_mut().get_mut(index as usize) {
            // A count that cannot grow keeps its root for good: a leak, never
            // a release under a live handle.
            *n = n.saturating_add(1);
        }
    }

    /// Counts one clone less of the handle of slot `index`; the last one
    /// releases the root.
    #[inline]
    fn drop_handle(&self, index: u32, generation: u32) {
        let last = match self.handle_counts.borrow_mut().get_mut(index as usize) {
            Some(n) if *n != u32::MAX => {
                *n -= 1;
                *n == 0
            }
            _ => false,
        };
        if last {
            self.release(HostRoot { index, generation, state_id: self.state_id });
        }
    }

    pub(crate) fn release(&self, root: HostRoot) {
        // While the state is busy (a handle dropped inside an operation),
        // the release waits for the next access.
        if self.cell.is_busy() || self.cell.with(|st| st.unpin(root)).is_err() {
            self.pending.borrow_mut().push(root);
            self.has_pending.set(true);
        }
    }
}

/// A Lua state. Cheap to clone (clones share the state); not `Send`.
#[derive(Clone)]
pub struct Lua {
    pub(crate) inner: Rc<LuaInner>,
}

impl std::fmt::Debug for Lua {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lua({})", self.inner.state_id)
    }
}

impl Default for Lua {
    fn default() -> Self {
        Lua::new()
    }
}

/// The payload of error values that carry a Rust `LuaError` through Lua.
pub(crate) struct ErrorPayload {
    pub(crate) error: LuaError,
    /// What Lua code sees (`tostring`) when it was fixed where the error
    /// was raised: a bad argument, worded and positioned from its call
    /// site as `luaL_argerror` does. Otherwise the error's `lua_message`.
    pub(crate) text: Option<String>,
    /// Whether the host gets the error itself rather than a
    /// `CallbackError` around it (the errors of hooks and of the warning
    /// function, as mlua).
    pub(crate) raw: bool,
}

fn error_tostring(st: &mut State) -> luna_core::LResult<usize> {
    let msg = match st.arg(1) {
        Value::Userdata(u) => {
            u.with_payload(|e: &ErrorPayload| e.text.clone().unwrap_or_else(|| e.error.lua_message()))
        }
        _ => None,
    };
    let s = st.str_value(msg.unwrap_or_else(|| "error".to_string()))?;
    st.push(s);
    Ok(1)
}

impl Lua {
    /// A new state with the safe standard libraries (everything but `io`
    /// and `debug`; `os` reduced to its safe functions; no
    /// `package.loadlib`; no binary chunks).
    pub fn new() -> Lua {
        // Without a memory limit, opening the libraries cannot fail.
        Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new()).expect("a state without limits opens its libraries")
    }

    /// A state with the chosen libraries and options.
    pub fn new_with(libs: StdLib, options: LuaOptions) -> LuaResult<Lua> {
        let mut st = crate::state_access::new_state();
        // The limits apply from the start: the libraries must fit under the
        // memory limit, or the state is not made.
        if let Some(m) = options.memory_limit {
            st.set_memory_limit(m);
        }
        // The libraries read the dialect when they open.
        st.set_dialect(st.dialect().with_compat53(options.compat53));
        let opened = (|| {
            st.open_libs(luna_core::stdlib::Libs(libs.0 | Libs::BASE.0))?;
            if !options.unsafe_features {
                make_safe(&mut st)?;
            }
            Ok::<(), luna_core::Throw>(())
        })();
        crate::panic::set_panics_catchable(&mut st, options.catch_rust_panics);
        if let Err(t) = opened {
            return Err(match t.status {
                Status::ErrMem => LuaError::memory(),
                _ => LuaError::runtime("cannot open the standard libraries"),
            });
        }
        if let Some(n) = options.instruction_limit {
            st.set_fuel(Some(n.min(i64::MAX as u64) as i64));
        }
        if let Some(bytes) = options.native_stack_limit {
            st.set_native_stack_budget(bytes);
        }
        #[cfg(feature = "serde")]
        let array_metatable = crate::serde::new_array_metatable(&mut st)?;
        Ok(Lua::from_state(
            st,
            #[cfg(feature = "serde")]
            array_metatable,
        ))
    }

    /// A state for untrusted code: safe libraries, a 64 MiB memory limit,
    /// a budget of 100 million instructions, no binary chunks. The budget
    /// is the state's, not per call: once it is used up every script stops
    /// at once, until the host grants a new one (`set_instruction_limit`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::sandboxed()?;
    /// assert!(lua.load("return io").eval::<Option<LuaTable>>()?.is_none());
    /// assert!(matches!(lua.load("while true do end").exec(), Err(LuaError::InstructionLimit)));
    /// lua.set_instruction_limit(Some(1_000_000))?;
    /// assert_eq!(lua.load("local n = 0 for i = 1, 100 do n = n + i end return n").eval::<i64>()?, 5050);
    /// # Ok::<(), LuaError>(())
    /// ```
    ///
    /// Creating the limited state can fail (the libraries must fit under
    /// the memory limit); the error is returned, never a state without
    /// limits.
    pub fn sandboxed() -> LuaResult<Lua> {
        let opts = LuaOptions::new().memory_limit(64 << 20).instruction_limit(100_000_000);
        Lua::new_with(StdLib::ALL_SAFE, opts)
    }

    /// Every library, unsafe features included (like the stand-alone
    /// interpreter).
    ///
    /// # Safety
    ///
    /// luna stays memory-safe with every library: nothing a script does
    /// with `debug`, `io` or `os` can cause undefined behaviour in the
    /// host. The function is `unsafe` as mlua's is, so that code moving
    /// from mlua (which calls it in an `unsafe` block) compiles unchanged
    /// and without warnings, and because it takes away the sandbox: the
    /// caller accepts that scripts can read and change anything in the
    /// state (`debug`), run processes and touch the file system. The safe
    /// way to the same state is `Lua::new_with(StdLib::ALL,
    /// LuaOptions { unsafe_features: true, ..Default::default() })`.
    pub unsafe fn unsafe_new() -> Lua {
        let opts = LuaOptions { unsafe_features: true, ..LuaOptions::default() };
        Lua::new_with(StdLib::ALL, opts).expect("a state without limits opens its libraries")
    }

    fn from_state(st: Box<State>, #[cfg(feature = "serde")] array_metatable: HostRoot) -> Lua {
        let state_id = st.id();
        Lua {
            inner: Rc::new_cyclic(|weak| LuaInner {
                cell: StateCell::new(st),
                state_id,
                pending: RefCell::new(Vec::new()),
                has_pending: Cell::new(false),
                handle_counts: RefCell::new({
                    #[allow(unused_mut)]
                    let mut counts = Vec::new();
                    // The array metatable's handle, made below, is counted.
                    #[cfg(feature = "serde")]
                    {
                        counts.resize(array_metatable.index as usize + 1, 0);
                        counts[array_metatable.index as usize] = 1;
                    }
                    counts
                }),
                app_data: RefCell::new(Default::default()),
                globals: RefCell::new(None),
                callbacks: Default::default(),
                panic: Default::default(),
                #[cfg(feature = "serde")]
                array_metatable: Handle {
                    lua: weak.clone(),
                    index: array_metatable.index,
                    generation: array_metatable.generation,
                },
            }),
        }
    }

    /// Runs `f` with the runtime state (one primitive step; never calls
    /// user code inside).
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> LuaResult<R> {
        self.access(f).map_err(|_| LuaError::StateBusy)
    }

    /// As `with`, failing with a `Failure`: the outcome of an access whose
    /// result is small stays small (see `failure`).
    #[inline]
    pub(crate) fn with_fallible<R>(&self, f: impl FnOnce(&mut State) -> R) -> Fallible<R> {
        match self.access(f) {
            Ok(r) => Ok(r),
            Err(_) => Err(LuaError::StateBusy.into()),
        }
    }

    /// As `with_fallible`, without the collection point at the start: for
    /// a sequence of accesses that hands raw values from one to the next
    /// (the serializer builds its values so, relying on allocation never
    /// collecting). No user code may run between such accesses.
    #[inline]
    pub(crate) fn with_fallible_uncollected<R>(&self, f: impl FnOnce(&mut State) -> R) -> Fallible<R> {
        match self.access_with::<false, R>(f) {
            Ok(r) => Ok(r),
            Err(_) => Err(LuaError::StateBusy.into()),
        }
    }

    /// The state access of `with`; `Busy` when the state is already
    /// borrowed.
    #[inline]
    fn access<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R, crate::state_access::Busy> {
        self.access_with::<true, R>(f)
    }

    /// `access`, with the collection point at its start when `COLLECT`.
    #[inline]
    fn access_with<const COLLECT: bool, R>(
        &self,
        f: impl FnOnce(&mut State) -> R,
    ) -> Result<R, crate::state_access::Busy> {
        let inner = &self.inner;
        let r = inner.cell.with(|st| {
            if inner.has_pending.get() {
                inner.release_pending(st);
            }
            // The start of an access is a collection point: the facade holds
            // no raw value between accesses (state_access, rule 1; the
            // serializer's steps, which do, skip it), so every live value is
            // rooted here.
            if COLLECT {
                st.check_gc();
            }
            let r = f(st);
            // A panic value met by this access (an error or a value coming
            // back from Lua) is resumed once the access is done with the
            // state (which is then in order), and with nothing held: the
            // result is dropped here, and the resumption is outside, where
            // only the flag's test is on the common path. (Resuming here,
            // with the result still to be returned, would keep the result
            // from being built in place: every access would copy it once
            // more.)
            if inner.panic.is_full() {
                drop(r);
                return None;
            }
            Some(r)
        });
        match r {
            Ok(Some(r)) => Ok(r),
            Ok(None) => inner.resume_panic_now(),
            Err(busy) => Err(busy),
        }
    }

    /// Pushes a runtime value on the running thread's stack, checking for
    /// room.
    #[inline]
    pub(crate) fn push_raw(st: &mut State, v: Value) -> LuaResult<()> {
        match st.push_checked(v) {
            Ok(()) => Ok(()),
            Err(_) => Err(stack_overflow_error()),
        }
    }

    /// Pushes the facade values of `values` (lowered).
    pub(crate) fn push_values(&self, st: &mut State, values: &crate::LuaMultiValue) -> LuaResult<usize> {
        for v in values.iter() {
            let cv = self.lower(st, v)?;
            Lua::push_raw(st, cv)?;
        }
        Ok(values.len())
    }

    /// The facade values of `n` stack slots from `base`.
    pub(crate) fn lift_range(&self, st: &mut State, base: usize, n: usize) -> crate::LuaMultiValue {
        let mut m = crate::LuaMultiValue::with_capacity(n);
        for i in base..base + n {
            let v = st.stack_get(i);
            m.push_back(self.lift(st, v));
        }
        m
    }

    /// Pins a runtime value as a new handle.
    #[inline]
    pub(crate) fn pin(&self, st: &mut State, v: Value) -> HandleRef {
        let root = st.pin(v);
        self.inner.new_handle(root)
    }

    /// The runtime value of a handle, checking it belongs to this state.
    #[inline]
    pub(crate) fn value_of(&self, st: &State, h: &Handle) -> LuaResult<Value> {
        if h.lua.as_ptr() != Rc::as_ptr(&self.inner) {
            return Err(if h.lua.upgrade().is_none() { LuaError::StateDropped } else { LuaError::MismatchedState });
        }
        match st.get_pinned(h.root(&self.inner)) {
            Some(v) => Ok(v),
            None => Err(LuaError::StateDropped),
        }
    }

    /// The `Lua` a handle belongs to.
    pub(crate) fn of_handle(h: &Handle) -> LuaResult<Lua> {
        match h.lua.upgrade() {
            Some(inner) => Ok(Lua { inner }),
            None => Err(LuaError::StateDropped),
        }
    }

    /// Lowers a facade value to a runtime value (handles are looked up;
    /// errors become error values).
    pub(crate) fn lower(&self, st: &mut State, v: &LuaValue) -> LuaResult<Value> {
        Ok(match v {
            LuaValue::Nil => Value::Nil,
            LuaValue::Boolean(b) => Value::Bool(*b),
            LuaValue::Integer(i) => Value::Int(*i),
            LuaValue::Number(n) => Value::Float(*n),
            LuaValue::LightUserData(p) => Value::LightUserdata(p.0),
            LuaValue::String(s) => self.value_of(st, &s.0)?,
            LuaValue::Table(t) => self.value_of(st, &t.0)?,
            LuaValue::Function(f) => self.value_of(st, &f.0)?,
            LuaValue::Thread(t) => self.value_of(st, &t.0)?,
            LuaValue::UserData(u) => self.value_of(st, &u.0)?,
            LuaValue::Other(o) => self.value_of(st, &o.0)?,
            LuaValue::Error(e) => error_value(st, (**e).clone())?,
        })
    }

    /// Lifts a runtime value to a facade value (collectable values are
    /// pinned).
    pub(crate) fn lift(&self, st: &mut State, v: Value) -> LuaValue {
        match v {
            Value::Nil => LuaValue::Nil,
            Value::Bool(b) => LuaValue::Boolean(b),
            Value::Int(i) => LuaValue::Integer(i),
            Value::Float(f) => LuaValue::Number(f),
            Value::LightUserdata(p) => LuaValue::LightUserData(crate::LuaLightUserdata(p)),
            Value::Str(_) => LuaValue::String(LuaString(self.pin(st, v))),
            Value::Table(_) => LuaValue::Table(LuaTable(self.pin(st, v))),
            Value::LuaFn(_) | Value::NativeFn(_) => LuaValue::Function(LuaFunction(self.pin(st, v))),
            Value::Thread(_) => LuaValue::Thread(LuaThread(self.pin(st, v))),
            Value::Userdata(u) => match u.with_payload(|e: &ErrorPayload| e.error.clone()) {
                Some(e) => LuaValue::Error(Box::new(e)),
                None => match crate::panic::take_panic(v) {
                    // A panic coming back to Rust: resumed at the end of
                    // this access (see `panic`); a resumed one is nil.
                    crate::panic::PanicValue::Yes(p) => {
                        if let Some(p) = p {
                            self.inner.panic.put(p);
                        }
                        LuaValue::Nil
                    }
                    crate::panic::PanicValue::No => LuaValue::UserData(LuaAnyUserdata(self.pin(st, v))),
                },
            },
        }
    }

    /// Converts a runtime error that reached the host into a `LuaError`.
    pub(crate) fn host_error(&self, st: &mut State, e: HostError) -> LuaError {
        let traceback: Vec<TracebackFrame> =
            e.traceback.into_iter().map(|f| TracebackFrame { source: f.source, line: f.line, name: f.name }).collect();
        if e.status == Status::ErrMem {
            return LuaError::memory();
        }
        if let crate::panic::PanicValue::Yes(p) = crate::panic::take_panic(e.value) {
            // The panic is resumed at the end of this access (see `panic`).
            if let Some(p) = p {
                self.inner.panic.put(p);
            }
            return LuaError::PreviouslyResumedPanic;
        }
        if let Value::Userdata(u) = e.value {
            if let Some((cause, raw)) = u.with_payload(|p: &ErrorPayload| (p.error.clone(), p.raw)) {
                if raw {
                    return cause;
                }
                // Every callback crossed adds its layer, as mlua's do (the
                // display shows the message and the deepest traceback once).
                return LuaError::CallbackError {
                    traceback: crate::error::format_traceback(&traceback),
                    cause: std::sync::Arc::new(cause),
                };
            }
        }
        let message = match e.value {
            Value::Str(s) => s.to_str_lossy().into_owned(),
            Value::Nil => "nil".to_string(),
            // `__tostring` runs protected, with the value rooted on the
            // stack: one that fails or recurses until "C stack overflow"
            // leaves no frames or native levels behind.
            other => match st.protect(|st| {
                st.check_stack(1)?;
                st.push(other);
                st.to_display_string(other).map(|s| s.to_str_lossy().into_owned())
            }) {
                Ok(s) => s,
                Err(_) => format!("(error object is a {} value)", other.type_name()),
            },
        };
        if st.fuel() == Some(0) && message.ends_with("instruction limit reached") {
            return LuaError::InstructionLimit;
        }
        LuaError::RuntimeError(crate::error::with_traceback(message, &traceback))
    }

    // ------------------------------------------------------------------
    // Creating values.

    /// The globals table.
    pub fn globals(&self) -> LuaTable {
        self.with(|st| {
            let g = st.globals();
            // The handle is kept and handed out again while the globals
            // table stays the same (`set_globals` or a script writing the
            // registry can replace it): programs fetch the globals for every
            // access, and a new handle each time would be a root to take
            // and release, and an allocation.
            let mut cached = self.inner.globals.borrow_mut();
            if let Some(h) = &*cached {
                if matches!(st.get_pinned(h.root(&self.inner)), Some(Value::Table(t)) if t.ptr_eq(g)) {
                    return LuaTable(h.clone());
                }
            }
            let h = self.pin(st, Value::Table(g));
            // The replaced handle's root is released at the next access
            // (this one is busy).
            *cached = Some(h.clone());
            LuaTable(h)
        })
        .expect("globals are always accessible outside other operations")
    }

    /// Replaces the globals table (used by later loads).
    pub fn set_globals(&self, globals: LuaTable) -> LuaResult<()> {
        self.with(|st| -> LuaResult<()> {
            match self.value_of(st, &globals.0)? {
                Value::Table(t) => st.set_globals(t).map_err(|_| LuaError::memory()),
                _ => Err(LuaError::runtime("globals must be a table")),
            }
        })?
    }

    /// A new empty table.
    pub fn create_table(&self) -> LuaResult<LuaTable> {
        // An empty table needs none of the sizing of `new_table_with`.
        self.new_table_handle(|st| st.new_table())
    }

    /// A new table with room for `narr` sequence items and `nrec` fields.
    pub fn create_table_with_capacity(&self, narr: usize, nrec: usize) -> LuaResult<LuaTable> {
        self.new_table_handle(|st| st.new_table_with(narr, nrec))
    }

    /// A handle to the table `make` creates.
    #[inline]
    fn new_table_handle(
        &self,
        make: impl FnOnce(&mut State) -> luna_core::LResult<luna_core::gc::Gc<luna_core::object::table::Table>>,
    ) -> LuaResult<LuaTable> {
        self.with(|st| -> Fallible<LuaTable> {
            match make(st) {
                Ok(t) => Ok(LuaTable(self.pin(st, Value::Table(t)))),
                Err(_) => Err(LuaError::memory().into()),
            }
        })?
        .map_err(Failure::into_error)
    }

    /// A table filled from key/value pairs.
    pub fn create_table_from<K, V, I>(&self, iter: I) -> LuaResult<LuaTable>
    where
        K: crate::IntoLua,
        V: crate::IntoLua,
        I: IntoIterator<Item = (K, V)>,
    {
        let t = self.create_table()?;
        for (k, v) in iter {
            t.raw_set(k, v)?;
        }
        Ok(t)
    }

    /// A table filled with a sequence.
    pub fn create_sequence_from<T, I>(&self, iter: I) -> LuaResult<LuaTable>
    where
        T: crate::IntoLua,
        I: IntoIterator<Item = T>,
    {
        let t = self.create_table()?;
        for (i, v) in iter.into_iter().enumerate() {
            t.raw_set(i as i64 + 1, v)?;
        }
        Ok(t)
    }

    /// A Lua string with these bytes.
    pub fn create_string(&self, bytes: impl AsRef<[u8]>) -> LuaResult<LuaString> {
        self.with(|st| match st.new_str(bytes.as_ref()) {
            Ok(s) => Ok(LuaString(self.pin(st, Value::Str(s)))),
            Err(_) => Err(LuaError::memory()),
        })?
    }

    /// Wraps a native function as a Lua function value.
    pub(crate) fn create_native(&self, f: NativeFn) -> LuaResult<LuaFunction> {
        self.with(|st| match st.new_native_closure(f, &[]) {
            Ok(v) => Ok(LuaFunction(self.pin(st, v))),
            Err(_) => Err(LuaError::memory()),
        })?
    }

    // ------------------------------------------------------------------
    // Registry and application data.

    /// Stores a value in the registry under `name`.
    pub fn set_named_registry_value(&self, name: &str, v: impl crate::IntoLua) -> LuaResult<()> {
        let v = v.into_lua(self)?;
        self.with(|st| -> LuaResult<()> {
            let cv = self.lower(st, &v)?;
            let reg = st.registry();
            let key = format!("luna.{name}");
            st.raw_set_field(reg, &key, cv).map_err(|_| LuaError::memory())
        })?
    }

    /// Reads a value stored with `set_named_registry_value`.
    pub fn named_registry_value<T: crate::FromLua>(&self, name: &str) -> LuaResult<T> {
        let v = self.with(|st| -> LuaResult<LuaValue> {
            let reg = st.registry();
            let key = format!("luna.{name}");
            let cv = st.raw_get_field(reg, &key).map_err(|_| LuaError::memory())?;
            Ok(self.lift(st, cv))
        })??;
        T::from_lua(v, self)
    }

    /// Removes a value stored with `set_named_registry_value`.
    pub fn unset_named_registry_value(&self, name: &str) -> LuaResult<()> {
        self.set_named_registry_value(name, LuaValue::Nil)
    }

    /// Keeps a value alive in the registry, returning a key to get it back.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut key = lua.create_registry_value("kept")?;
    /// lua.gc_collect()?;
    /// assert_eq!(lua.registry_value::<String>(&key)?, "kept");
    /// lua.replace_registry_value(&mut key, 42)?;
    /// assert_eq!(lua.registry_value::<i64>(&key)?, 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_registry_value(&self, v: impl crate::IntoLua) -> LuaResult<crate::LuaRegistryKey> {
        // Converted inside the access where the type allows it: no
        // temporary handle takes a slot on the way.
        let v = crate::multi::Prepared::new(v, self)?;
        self.with(|st| -> LuaResult<crate::LuaRegistryKey> {
            let cv = v.lower(self, st)?;
            Ok(self.new_registry_key(st, cv))
        })?
    }

    /// The value of a registry key.
    pub fn registry_value<T: crate::FromLua>(&self, key: &crate::LuaRegistryKey) -> LuaResult<T> {
        let v = self.with(|st| -> LuaResult<LuaValue> {
            let cv = self.registry_key_value(st, key)?;
            Ok(self.lift(st, cv))
        })??;
        T::from_lua(v, self)
    }

    /// Replaces the value of a registry key. A key to `nil` gets a slot
    /// when it gets a value, and gives its slot back when set to `nil`
    /// (so its `id` may change, as with mlua).
    pub fn replace_registry_value(&self, key: &mut crate::LuaRegistryKey, v: impl crate::IntoLua) -> LuaResult<()> {
        self.check_registry_key(key)?;
        let v = v.into_lua(self)?;
        self.with(|st| -> LuaResult<()> {
            self.registry_key_value(st, key)?;
            let cv = self.lower(st, &v)?;
            match (key.slot, cv.is_nil()) {
                (None, true) => {}
                (None, false) => key.slot = Some(st.pin(cv)),
                (Some(root), true) => {
                    key.slot = None;
                    st.unpin(root);
                }
                (Some(root), false) => {
                    st.replace_pinned(root, cv);
                }
            }
            Ok(())
        })?
    }

    /// Releases a registry key (dropping it does the same); a key of
    /// another state is refused with `MismatchedRegistryKey`.
    pub fn remove_registry_value(&self, key: crate::LuaRegistryKey) -> LuaResult<()> {
        // A key of a state that is gone has nothing left to release.
        match self.check_registry_key(&key) {
            Ok(()) | Err(LuaError::StateDropped) => {}
            Err(e) => return Err(e),
        }
        drop(key);
        Ok(())
    }

    /// Stores typed application data (replacing any of the same type).
    /// Returns the previous value, unless it is still borrowed. Callbacks
    /// reach it through the `&Lua` they receive.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Counter(u32);
    /// let lua = Lua::new();
    /// lua.set_app_data(Counter(0));
    /// let bump = lua.create_function(|lua, ()| {
    ///     let mut c = lua.app_data_mut::<Counter>().ok_or_else(|| LuaError::runtime("no counter"))?;
    ///     c.0 += 1;
    ///     Ok(c.0)
    /// })?;
    /// lua.globals().set("bump", bump)?;
    /// lua.load("bump() bump()").exec()?;
    /// assert_eq!(lua.app_data_ref::<Counter>().map(|c| c.0), Some(2));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_app_data<T: Any>(&self, data: T) -> Option<T> {
        let cell: Rc<dyn Any> = Rc::new(RefCell::new(data));
        let old = self.inner.app_data.borrow_mut().insert(TypeId::of::<T>(), cell)?;
        Rc::downcast::<RefCell<T>>(old).ok().and_then(|rc| Rc::try_unwrap(rc).ok()).map(RefCell::into_inner)
    }

    fn app_data_cell<T: Any>(&self) -> Option<Rc<RefCell<T>>> {
        let any = self.inner.app_data.borrow().get(&TypeId::of::<T>())?.clone();
        Rc::downcast::<RefCell<T>>(any).ok()
    }

    /// Borrows application data of type `T` (`None` if absent or mutably
    /// borrowed).
    pub fn app_data_ref<T: Any>(&self) -> Option<AppDataRef<T>> {
        AppDataRef::new(self.app_data_cell::<T>()?).ok()
    }

    /// Borrows application data of type `T`: `Ok(None)` if absent, an
    /// error if it is mutably borrowed.
    pub fn try_app_data_ref<T: Any>(&self) -> Result<Option<AppDataRef<T>>, std::cell::BorrowError> {
        self.app_data_cell::<T>().map(AppDataRef::new).transpose()
    }

    /// Borrows application data of type `T` mutably: `Ok(None)` if absent,
    /// an error if it is borrowed.
    pub fn try_app_data_mut<T: Any>(&self) -> Result<Option<AppDataRefMut<T>>, std::cell::BorrowMutError> {
        self.app_data_cell::<T>().map(AppDataRefMut::new).transpose()
    }

    /// Stores typed application data unless the data of that type is
    /// borrowed (then gives it back as the error). Returns the previous
    /// value.
    pub fn try_set_app_data<T: Any>(&self, data: T) -> Result<Option<T>, T> {
        let borrowed = self.app_data_cell::<T>().is_some_and(|cell| cell.try_borrow_mut().is_err());
        if borrowed {
            Err(data)
        } else {
            Ok(self.set_app_data(data))
        }
    }

    /// Borrows application data of type `T` mutably (`None` if absent or
    /// borrowed).
    pub fn app_data_mut<T: Any>(&self) -> Option<AppDataRefMut<T>> {
        AppDataRefMut::new(self.app_data_cell::<T>()?).ok()
    }

    /// Removes application data of type `T`, returning it unless it is
    /// still borrowed.
    pub fn remove_app_data<T: Any>(&self) -> Option<T> {
        let old = self.inner.app_data.borrow_mut().remove(&TypeId::of::<T>())?;
        Rc::downcast::<RefCell<T>>(old).ok().and_then(|rc| Rc::try_unwrap(rc).ok()).map(RefCell::into_inner)
    }

    // ------------------------------------------------------------------
    // Memory, limits and the collector.

    /// Bytes used by the state.
    pub fn used_memory(&self) -> usize {
        self.with(|st| st.used_memory()).unwrap_or(0)
    }

    /// Sets the memory limit (0: none); returns the previous limit. A script
    /// that allocates beyond it gets "not enough memory" (catchable by
    /// `pcall`); uncaught, the host sees `LuaError::memory()`, and the
    /// state remains usable.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.set_memory_limit(1 << 20)?;
    /// let r = lua.load("local t = {} for i = 1, 1e7 do t[i] = i end").exec();
    /// assert!(matches!(r, Err(LuaError::MemoryError(_))));
    /// assert_eq!(lua.load("1 + 1").eval::<i64>()?, 2);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_memory_limit(&self, bytes: usize) -> LuaResult<usize> {
        let limit = if bytes == 0 { usize::MAX } else { bytes };
        self.with(|st| {
            let old = st.set_memory_limit(limit);
            if old == usize::MAX {
                0
            } else {
                old
            }
        })
    }

    /// Sets the instruction budget (`None`: unlimited). Running out raises
    /// `LuaError::InstructionLimit` in the running script.
    pub fn set_instruction_limit(&self, n: Option<u64>) -> LuaResult<()> {
        self.with(|st| st.set_fuel(n.map(|n| n.min(i64::MAX as u64) as i64)))
    }

    /// Sets how many bytes of the native (Rust) stack nested calls through
    /// Rust may take, counted from where the host calls into Lua: Lua
    /// calling a Rust callback calling Lua, metamethods, `string.gsub` with
    /// a function... Deeper nesting is the catchable error "C stack
    /// overflow" instead of a stack overflow of the thread. The default, 1
    /// MiB, suits the 2 MiB stacks of spawned threads (in unoptimized
    /// builds it allows some fifteen levels of Lua→Rust→Lua calls, in
    /// optimized builds Lua's own limit of 200 is reached first); on a
    /// thread with a larger stack it can be raised up to a little less than
    /// that stack's size.
    pub fn set_native_stack_limit(&self, bytes: usize) -> LuaResult<()> {
        self.with(|st| st.set_native_stack_budget(bytes))
    }

    /// Instructions left in the budget.
    pub fn remaining_instructions(&self) -> Option<u64> {
        self.with(|st| st.fuel().map(|f| f.max(0) as u64)).ok().flatten()
    }
}

/// The error for a push beyond the stack limit.
#[cold]
#[inline(never)]
fn stack_overflow_error() -> LuaError {
    LuaError::runtime("stack overflow (too many values)")
}

/// Whether two handles hold the same value (raw equality).
pub(crate) fn same_value(a: &Handle, b: &Handle) -> bool {
    if !Weak::ptr_eq(&a.lua, &b.lua) {
        return false;
    }
    match a.lua.upgrade() {
        Some(inner) => {
            let lua = Lua { inner };
            lua.with(|st| match (st.get_pinned(a.root(&lua.inner)), st.get_pinned(b.root(&lua.inner))) {
                (Some(x), Some(y)) => x.raw_eq(&y),
                _ => false,
            })
            .unwrap_or(false)
        }
        None => false,
    }
}

/// The error value that carries a Rust error through Lua.
pub(crate) fn error_value(st: &mut State, e: LuaError) -> LuaResult<Value> {
    error_value_with_text(st, e, None)
}

/// As `error_value`, with the text Lua code sees fixed (see
/// `ErrorPayload::text`).
pub(crate) fn error_value_with_text(st: &mut State, e: LuaError, text: Option<String>) -> LuaResult<Value> {
    new_error_value(st, ErrorPayload { error: e, text, raw: false })
}

/// The error value of an error the host gets back as it is, not wrapped in
/// a `CallbackError` (see `ErrorPayload`).
pub(crate) fn raw_error_value(st: &mut State, e: LuaError) -> LuaResult<Value> {
    new_error_value(st, ErrorPayload { error: e, text: None, raw: true })
}

/// Whether `v` is an error value made by `raw_error_value`.
pub(crate) fn is_raw_error(v: Value) -> bool {
    match v {
        Value::Userdata(u) => u.with_payload(|p: &ErrorPayload| p.raw).unwrap_or(false),
        _ => false,
    }
}

fn new_error_value(st: &mut State, payload: ErrorPayload) -> LuaResult<Value> {
    let mt =
        carrier_metatable(st, TypeId::of::<ErrorPayload>(), error_tostring, "error").map_err(|_| LuaError::memory())?;
    let u = st.new_userdata(payload, 0).map_err(|_| LuaError::memory())?;
    st.set_metatable(Value::Userdata(u), Some(mt));
    Ok(Value::Userdata(u))
}

/// The metatable of the userdata of type `id` that carry something Rust
/// through Lua (errors, panics): `__tostring` shows what they carry,
/// `__name` names them. Made when the first carrier of its kind is (a
/// state that never carries an error or a panic never pays for it), then
/// kept in the state's registry of userdata metatables.
pub(crate) fn carrier_metatable(
    st: &mut State,
    id: TypeId,
    tostring: luna_core::object::function::NativeFnPtr,
    name: &str,
) -> luna_core::LResult<luna_core::gc::Gc<luna_core::object::table::Table>> {
    if let Some(mt) = st.userdata_metatable(id) {
        return Ok(mt);
    }
    // Registered once complete (allocation never collects, so the table
    // needs no root meanwhile): a memory error leaves nothing half made.
    let mt = st.new_table()?;
    let f = st.new_native(tostring)?;
    st.raw_set_field(mt, "__tostring", f)?;
    let n = st.str_value(name)?;
    st.raw_set_field(mt, "__name", n)?;
    st.set_userdata_metatable(id, mt);
    Ok(mt)
}

/// Removes the unsafe parts of the opened libraries (the default for
/// `Lua::new`).
pub(crate) fn make_safe(st: &mut State) -> luna_core::LResult<()> {
    for (lib, names) in [
        ("os", &["execute", "exit", "remove", "rename", "tmpname", "setlocale"][..]),
        ("package", &["loadlib", "cpath"][..]),
    ] {
        if let Value::Table(t) = st.get_global(lib)? {
            for n in names {
                st.raw_set_field(t, n, Value::Nil)?;
            }
        }
    }
    // Without `cpath` the C searchers (the third and fourth) would fail
    // every `require` of a missing module with "'package.cpath' must be a
    // string": only the preload and Lua-file searchers stay.
    if let Value::Table(package) = st.get_global("package")? {
        if let Value::Table(searchers) = st.raw_get_field(package, "searchers")? {
            for i in [4, 3] {
                st.raw_set_int(searchers, i, Value::Nil)?;
            }
        }
    }
    for g in ["dofile", "loadfile"] {
        st.set_global(g, Value::Nil)?;
    }
    st.set_binary_chunks_allowed(false);
    Ok(())
}

impl Lua {
    /// Whether two `Lua` values are the same state.
    pub fn ptr_eq(&self, other: &Lua) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}
