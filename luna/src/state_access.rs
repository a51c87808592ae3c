//! The one module of this crate with `unsafe`: creating the runtime state
//! (which commits the facade to the raw layer's contract), access to it
//! from the facade, and the guards of application data. Why each is
//! needed and why it is sound is argued below.
//!
//! # Keeping the raw layer's contract
//!
//! `luna_core::State` is the runtime's raw layer, and creating one is a
//! promise to keep its rules (luna-core's crate documentation). The facade
//! creates every state here (`new_state`) and keeps them so:
//!
//! 1. *Liveness.* Hosts never see raw values: collectable values reach
//!    them as handles, which pin their value (`State::pin`) until the last
//!    clone drops, and userdata borrow guards hold a `Rooted` pin for as
//!    long as they live. Inside the facade, a raw value is obtained inside
//!    one state access (`Lua::with`) and used within it before any
//!    collection point, or put on the stack first: arguments and results
//!    are converted in place on the stack, `LuaTable::get` pushes its key
//!    before running metamethods, a callback's results are converted
//!    before it returns to the interpreter. The access never runs user
//!    code (rule 1 of the state access below), so user code cannot reach a
//!    collection point in the middle. The start of an access is itself a
//!    collection point (`Lua::access`), which is why no raw value is kept
//!    from one access to the next; the serializer, which does keep them,
//!    uses accesses without it (`Lua::with_fallible_uncollected`).
//! 2. *One state.* Every operation on a handle checks that the handle
//!    belongs to the `Lua` used (`Lua::value_of`: `MismatchedState`
//!    otherwise); host roots carry their state's identity as well.
//! 3. *The state outlives its values.* Handles hold a `Weak` of the state
//!    and report `StateDropped` once it is gone; what reaches into an
//!    object after the access (userdata guards) holds a strong `Lua`.
//! 4. *Natives.* A callback's `&mut State` is lent to the facade only
//!    while the callback runs (`StateCell::lend`, below), and user code
//!    never receives it: the conversions that work on the raw state
//!    (`IntoLua::lower_direct` and the like) take a token other crates
//!    cannot name (`multi::Sealed`), so they cannot be implemented or
//!    called outside this crate.
//! 5. *References into objects* (string bytes, payloads) are read inside
//!    the access that found the object, or through the guards of point 1.
//!
//! # State access
//!
//! A `Lua` owns its `luna_core::State`. Every facade operation borrows it
//! mutably for one primitive step (`StateCell::with`). The difficulty is
//! re-entrancy: when Lua code calls a Rust callback, the interpreter is
//! itself running inside such a borrow, and hands the callback a `&mut
//! State` derived from it. The callback's user code receives `&Lua` and
//! may call any facade operation, which must reach the state through that
//! very `&mut State`, not through a second, independent borrow of the
//! owner (two live `&mut` to one object are undefined behaviour).
//!
//! So while a callback runs, the cell *lends* the callback's `&mut State`
//! (`StateCell::lend`): it stores it as a raw pointer and later
//! operations reborrow from it. Outside callbacks, operations borrow the
//! owned state. The rules that make this sound:
//!
//! 1. `busy` is set for the duration of every borrow handed out by `with`;
//!    a nested `with` while busy fails instead of creating a second `&mut`
//!    (facade code never calls user code while holding a borrow).
//! 2. A lent pointer is derived from the `&mut State` the interpreter
//!    passes to the callback; it is used only while that callback is
//!    running (the `Lend` guard restores the previous pointer when the
//!    callback returns, before the callback's own `&mut` is used again),
//!    and all accesses through it are reborrows, so they are nested within
//!    the callback's borrow.
//! 3. `Lua` is `!Send` and `!Sync` (`Rc`), so all of this is single-threaded.

use std::cell::{Cell, Ref, RefCell, RefMut, UnsafeCell};
use std::rc::Rc;

use luna_core::State;

/// A new runtime state, for a new `Lua`.
pub(crate) fn new_state() -> Box<State> {
    // SAFETY: the facade keeps the raw layer's contract for every state it
    // creates, as argued in the module documentation.
    unsafe { State::new() }
}

/// The state of one `Lua`, with the borrow discipline described above.
pub(crate) struct StateCell {
    owned: UnsafeCell<Box<State>>,
    /// The state lent by the running callback, or null.
    lent: Cell<*mut State>,
    /// A borrow handed out by `with` is alive.
    busy: Cell<bool>,
}

/// The state was already borrowed (a facade operation was attempted from
/// inside another one, which facade code never does; reported as an error
/// rather than creating aliasing borrows).
#[derive(Debug)]
pub(crate) struct Busy;

impl StateCell {
    pub(crate) fn new(state: Box<State>) -> StateCell {
        StateCell { owned: UnsafeCell::new(state), lent: Cell::new(std::ptr::null_mut()), busy: Cell::new(false) }
    }

    /// Runs `f` with the state borrowed mutably.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> Result<R, Busy> {
        if self.busy.get() {
            return Err(Busy);
        }
        let lent = self.lent.get();
        let st: &mut State = if lent.is_null() {
            // SAFETY: not busy and nothing lent, so no other reference to
            // the owned state is alive (rule 1); this is the only borrow
            // until it ends below.
            unsafe { &mut *self.owned.get() }
        } else {
            // SAFETY: rule 2: the pointer comes from the `&mut State` of
            // the running callback, which is not used while its user code
            // (our caller) runs; this reborrow ends before `with` returns.
            unsafe { &mut *lent }
        };
        self.busy.set(true);
        // Reset on unwinding too: a panic in `f` (user `Deserialize` code
        // runs inside one access) must not leave the state busy forever.
        let _reset = Reset(&self.busy);
        Ok(f(st))
    }

    /// Whether a borrow is alive (dropped handles then defer their work).
    pub(crate) fn is_busy(&self) -> bool {
        self.busy.get()
    }

    /// Lends the callback's state for the duration of the returned guard
    /// (rule 2). The caller must not use `st` until the guard is dropped.
    pub(crate) fn lend<'a>(&'a self, st: &'a mut State) -> Lend<'a> {
        let prev = self.lent.replace(st as *mut State);
        let prev_busy = self.busy.replace(false);
        Lend { cell: self, prev, prev_busy }
    }
}

/// Clears the busy flag when an access ends.
struct Reset<'a>(&'a Cell<bool>);

impl Drop for Reset<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// Restores the previously lent state when a callback finishes.
pub(crate) struct Lend<'a> {
    cell: &'a StateCell,
    prev: *mut State,
    prev_busy: bool,
}

impl Drop for Lend<'_> {
    fn drop(&mut self) {
        self.cell.lent.set(self.prev);
        self.cell.busy.set(self.prev_busy);
    }
}

// ---------------------------------------------------------------------------
// # Handle bookkeeping without a strong reference
//
// A handle (`lua::Handle`) holds a `Weak` of its state, and cloning or
// dropping one updates its clone count in the state (`LuaInner`); when the
// last clone drops, its host root is released. Upgrading the `Weak` for
// that would take and drop a strong reference around every clone and drop.
// `with_live_inner` reaches the state through the `Weak` while its strong
// count is not zero instead. It is sound because the closures given to it
// (`Handle::clone` and `Handle::drop`, only) update the count and release a
// root (`LuaInner::release`: unpin a slot or queue it), which drops no
// `Lua` and runs no user code: the last strong reference cannot go away
// while the `&LuaInner` is in use, and `Rc` is single-threaded.

/// Runs `f` on the state `weak` points to, if it is alive (see above:
/// `f` must not drop a `Lua` or run user code).
#[inline(always)]
pub(crate) fn with_live_inner<R>(
    weak: &std::rc::Weak<crate::lua::LuaInner>,
    f: impl FnOnce(&crate::lua::LuaInner) -> R,
) -> Option<R> {
    if weak.strong_count() == 0 {
        return None;
    }
    // SAFETY: a non-zero strong count means the `LuaInner` is alive; it
    // stays alive while `f` runs because `f` drops no `Lua` (section
    // comment), and nothing else runs meanwhile (single-threaded).
    Some(f(unsafe { &*weak.as_ptr() }))
}

// ---------------------------------------------------------------------------
// # Application data guards
//
// `Lua::app_data_ref` and `app_data_mut` return guards that dereference to
// the data, as mlua's do, while the data lives in an `Rc<RefCell<T>>` of the
// state's map (so that data of different types can be borrowed at once and
// the map itself is never borrowed for long). A guard therefore owns both
// the `Rc` and a `Ref`/`RefMut` borrowing from the `RefCell` inside it: a
// self-referential pair. It is sound because the `RefCell` lives in the
// `Rc`'s heap allocation, which does not move and stays alive as long as
// the guard holds the `Rc`, and the borrow field is declared first so it
// is dropped before the `Rc`. The `'static` lifetime never escapes: the
// guards only hand out references tied to `&self`.

/// A shared borrow of application data.
pub struct AppDataRef<T: 'static> {
    borrow: Ref<'static, T>,
    _cell: Rc<RefCell<T>>,
}

/// A mutable borrow of application data.
pub struct AppDataRefMut<T: 'static> {
    borrow: RefMut<'static, T>,
    _cell: Rc<RefCell<T>>,
}

impl<T: 'static> AppDataRef<T> {
    pub(crate) fn new(cell: Rc<RefCell<T>>) -> Result<AppDataRef<T>, std::cell::BorrowError> {
        // SAFETY: see the section comment: the `RefCell` outlives the
        // borrow because the guard keeps the `Rc` and drops the borrow
        // first.
        let cell_ref: &'static RefCell<T> = unsafe { &*Rc::as_ptr(&cell) };
        let borrow = cell_ref.try_borrow()?;
        Ok(AppDataRef { borrow, _cell: cell })
    }
}

impl<T: 'static> AppDataRefMut<T> {
    pub(crate) fn new(cell: Rc<RefCell<T>>) -> Result<AppDataRefMut<T>, std::cell::BorrowMutError> {
        // SAFETY: as for `AppDataRef::new`.
        let cell_ref: &'static RefCell<T> = unsafe { &*Rc::as_ptr(&cell) };
        let borrow = cell_ref.try_borrow_mut()?;
        Ok(AppDataRefMut { borrow, _cell: cell })
    }
}

impl<T: std::fmt::Display + 'static> std::fmt::Display for AppDataRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: std::fmt::Debug + 'static> std::fmt::Debug for AppDataRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: std::fmt::Display + 'static> std::fmt::Display for AppDataRefMut<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: std::fmt::Debug + 'static> std::fmt::Debug for AppDataRefMut<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: 'static> std::ops::Deref for AppDataRef<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.borrow
    }
}

impl<T: 'static> std::ops::Deref for AppDataRefMut<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.borrow
    }
}

impl<T: 'static> std::ops::DerefMut for AppDataRefMut<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.borrow
    }
}

// ---------------------------------------------------------------------------
// # Scopes
//
// `Lua::scope` lets callbacks and userdata borrow the host's locals: a
// closure that is not `'static` is kept inside the runtime (a native
// function is a `'static` object of the state) until the scope ends, and
// data borrowed for `'env` is reached by userdata methods. Storing them
// erases their lifetime, which is sound by these rules:
//
// 1. *Everything is cut off before the scope returns.* `run_scope` owns
//    the `LuaScope` on its stack and hands out only `&LuaScope`; after the
//    scope closure returns *or panics* (it runs under `catch_unwind`),
//    `run_scope` calls `close`, which empties every native slot and clears
//    every borrowed-data flag, and only then lets the panic continue. No
//    `Drop` the user controls decides it (the scope cannot be leaked or
//    dropped early: the user never owns it), so neither `mem::forget` nor
//    a drop order can skip it. What a slot held is dropped inside `close`,
//    while the scope and everything the closure may borrow are alive.
// 2. *Nothing shorter than the scope is kept.* A native body must outlive
//    `'scope`, and a borrowed datum `'env`. `'scope` is the lifetime of the
//    `&'scope LuaScope<'scope, 'env>` given to a closure that must accept
//    any such lifetime (`for<'scope>`): inside it, nothing local to the
//    closure can be proven to outlive `'scope`, so a body may borrow only
//    what outlives the closure call (the host's locals, the scope itself),
//    which is alive when `close` runs. Both lifetimes are invariant, so a
//    `LuaScope` cannot be viewed as one with shorter lifetimes.
// 3. *No call is running when a slot is emptied.* A body is called only
//    while its slot is full (`ScopedNative::call`). A call that is running
//    when the scope closes would have to have started before the scope
//    existed (every frame above `run_scope` has returned when `close`
//    runs), and a body cannot be called before it was created; natives
//    never suspend (a Rust callback cannot yield), and `Lua` is not
//    `Send`. If a slot were nevertheless borrowed, `close` marks it dead
//    (no call starts any more) and leaks its body rather than dropping it
//    late.
// 4. *After the scope*, a native whose slot is empty fails with
//    `CallbackDestructed` (or `UserdataDestructed` for a userdata method),
//    and borrowed data is no longer reachable: the handles that reach it
//    (`ScopedRef`, `ScopedMut`) check the scope's flag on every access and
//    give out references only for the duration of a borrow of the handle.
// 5. A scope that is closed refuses new natives and data (they are dead at
//    once): `Drop` code run by `close` may still reach the scope.

/// A body of a native function kept by a scope (see `ScopedNative`).
pub(crate) type ScopedBody<'a> = Box<dyn Fn(&mut State) -> luna_core::LResult<usize> + 'a>;

/// The slot of a native function kept by a scope.
struct NativeSlot {
    /// The body, with its lifetime erased (rule 1: emptied by `close`).
    body: RefCell<Option<std::mem::ManuallyDrop<ScopedBody<'static>>>>,
    /// Set by `close`: the body must not be called any more (rule 3).
    dead: Cell<bool>,
}

/// The body of a native function created by a scope: callable while the
/// scope lasts. Held by the native function inside the state.
#[derive(Clone)]
pub(crate) struct ScopedNative(Rc<NativeSlot>);

impl ScopedNative {
    /// Runs the body on the native call running on `st`; `None` once the
    /// scope has ended.
    pub(crate) fn call(&self, st: &mut State) -> Option<luna_core::LResult<usize>> {
        if self.0.dead.get() {
            return None;
        }
        let body = self.0.body.try_borrow().ok()?;
        let f: &dyn Fn(&mut State) -> luna_core::LResult<usize> = &***body.as_ref()?;
        Some(f(st))
    }
}

/// A flag shared by the handles to data a scope borrowed: set while the
/// scope lasts.
type Alive = Rc<Cell<bool>>;

/// Data of type `T` a scope borrowed (`&'env T`), reachable while the
/// scope lasts: what a userdata created by `LuaScope::create_userdata_ref`
/// holds.
pub(crate) struct ScopedRef<T: 'static> {
    ptr: std::ptr::NonNull<T>,
    alive: Alive,
}

/// Data of type `T` a scope borrowed mutably (`&'env mut T`), reachable
/// while the scope lasts.
pub(crate) struct ScopedMut<T: 'static> {
    ptr: std::ptr::NonNull<T>,
    alive: Alive,
}

impl<T: 'static> ScopedRef<T> {
    /// The data, unless the scope has ended.
    pub(crate) fn get(&self) -> Option<&T> {
        if !self.alive.get() {
            return None;
        }
        // SAFETY: the pointer comes from a `&'env T` (`LuaScope::keep_ref`),
        // valid for as long as the scope lasts (rule 2), and `alive` is
        // cleared before the scope returns (rule 1); the reference given
        // out lives no longer than the borrow of `self`, which cannot
        // outlast a call that started inside the scope (rule 3). Only
        // shared references are ever made from it.
        Some(unsafe { self.ptr.as_ref() })
    }
}

impl<T: 'static> ScopedMut<T> {
    /// The data, unless the scope has ended.
    pub(crate) fn get(&self) -> Option<&T> {
        if !self.alive.get() {
            return None;
        }
        // SAFETY: as for `ScopedRef::get`; the scope holds the `&'env mut
        // T` borrow, so the data is reached through this handle only, and
        // a shared reference from `&self` cannot coexist with the mutable
        // one `get_mut` gives from `&mut self`.
        Some(unsafe { self.ptr.as_ref() })
    }

    /// The data mutably, unless the scope has ended.
    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        if !self.alive.get() {
            return None;
        }
        // SAFETY: as for `get`, and the pointer comes from a `&'env mut T`
        // (`LuaScope::keep_mut`): this handle is the only way to the data
        // while the scope lasts, and `&mut self` makes this reference the
        // only one made from it.
        Some(unsafe { self.ptr.as_mut() })
    }
}

/// Constructed by `Lua::scope`: creates callbacks and userdata that may
/// borrow from the host's stack (they need not be `'static`), usable until
/// the scope ends. See `Lua::scope`.
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let names = vec!["ada".to_string(), "grace".to_string()];
/// let n: usize = lua.scope(|scope: &LuaScope| {
///     let count = scope.create_function(|_, ()| Ok(names.len()))?;
///     count.call(())
/// })?;
/// assert_eq!(n, 2);
/// # Ok::<(), LuaError>(())
/// ```
pub struct LuaScope<'scope, 'env: 'scope> {
    pub(crate) lua: crate::Lua,
    natives: RefCell<Vec<Rc<NativeSlot>>>,
    borrowed: RefCell<Vec<Alive>>,
    /// Work of the facade at the end of the scope, run after every native
    /// and datum is cut off (destroying the userdata the scope created).
    pub(crate) closers: RefCell<Vec<Box<dyn FnOnce() + 'env>>>,
    /// `LuaScope::add_destructor`, run last.
    pub(crate) destructors: RefCell<Vec<Box<dyn FnOnce() + 'env>>>,
    closed: Cell<bool>,
    _scope: std::marker::PhantomData<&'scope mut &'scope ()>,
    _env: std::marker::PhantomData<&'env mut &'env ()>,
}

impl<'scope, 'env: 'scope> LuaScope<'scope, 'env> {
    /// Keeps `body` for the duration of the scope (rules 1 and 2).
    pub(crate) fn keep_native(&'scope self, body: ScopedBody<'scope>) -> ScopedNative {
        if self.closed.get() {
            return ScopedNative(Rc::new(NativeSlot { body: RefCell::new(None), dead: Cell::new(true) }));
        }
        // SAFETY: only the lifetime changes. The body is called only while
        // its slot is full, and `close` empties the slot, dropping the
        // body, before the scope returns, while everything the body may
        // borrow (which outlives `'scope`: rule 2) is alive (rule 1); no
        // call is running then (rule 3).
        let body: ScopedBody<'static> = unsafe { std::mem::transmute::<ScopedBody<'scope>, ScopedBody<'static>>(body) };
        let slot =
            Rc::new(NativeSlot { body: RefCell::new(Some(std::mem::ManuallyDrop::new(body))), dead: Cell::new(false) });
        self.natives.borrow_mut().push(slot.clone());
        ScopedNative(slot)
    }

    /// A handle to `data`, usable while the scope lasts.
    pub(crate) fn keep_ref<T: 'static>(&'scope self, data: &'env T) -> ScopedRef<T> {
        ScopedRef { ptr: std::ptr::NonNull::from(data), alive: self.alive_flag() }
    }

    /// A handle to `data` (mutably), usable while the scope lasts.
    pub(crate) fn keep_mut<T: 'static>(&'scope self, data: &'env mut T) -> ScopedMut<T> {
        ScopedMut { ptr: std::ptr::NonNull::from(data), alive: self.alive_flag() }
    }

    fn alive_flag(&self) -> Alive {
        let alive = Rc::new(Cell::new(!self.closed.get()));
        self.borrowed.borrow_mut().push(alive.clone());
        alive
    }

    /// Cuts off every native and datum of the scope, then runs the
    /// closers and destructors (rule 1). User code run here (drops,
    /// closers, destructors) may panic: every step still runs, and the
    /// first panic is returned to be resumed by the caller.
    fn close(&self) -> Option<crate::panic::Payload> {
        self.closed.set(true);
        let mut first_panic = None;
        let mut keep = |r: std::thread::Result<()>| {
            if let Err(p) = r {
                first_panic.get_or_insert(p);
            }
        };
        let mut bodies = Vec::new();
        // Loops: code run below may reach the scope again (rule 5).
        loop {
            let natives = std::mem::take(&mut *self.natives.borrow_mut());
            let borrowed = std::mem::take(&mut *self.borrowed.borrow_mut());
            if natives.is_empty() && borrowed.is_empty() {
                break;
            }
            for alive in borrowed {
                alive.set(false);
            }
            for slot in natives {
                slot.dead.set(true);
                // A slot borrowed here would be a running call (rule 3):
                // then the body is leaked, never dropped late.
                if let Ok(mut body) = slot.body.try_borrow_mut() {
                    if let Some(b) = body.take() {
                        bodies.push(std::mem::ManuallyDrop::into_inner(b));
                    }
                }
            }
            // Dropping the bodies runs user `Drop` code.
            for b in bodies.drain(..) {
                keep(std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(b))));
            }
        }
        for list in [&self.closers, &self.destructors] {
            loop {
                let work = std::mem::take(&mut *list.borrow_mut());
                if work.is_empty() {
                    break;
                }
                for w in work {
                    keep(std::panic::catch_unwind(std::panic::AssertUnwindSafe(w)));
                }
            }
        }
        first_panic
    }
}

/// Runs `f` with a new scope of `lua` and closes the scope when `f`
/// returns or panics (rule 1); a panic is resumed after the scope is
/// closed.
pub(crate) fn run_scope<'env, R>(
    lua: &crate::Lua,
    f: impl for<'scope> FnOnce(&'scope LuaScope<'scope, 'env>) -> R,
) -> R {
    let scope = LuaScope {
        lua: lua.clone(),
        natives: RefCell::new(Vec::new()),
        borrowed: RefCell::new(Vec::new()),
        closers: RefCell::new(Vec::new()),
        destructors: RefCell::new(Vec::new()),
        closed: Cell::new(false),
        _scope: std::marker::PhantomData,
        _env: std::marker::PhantomData,
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&scope)));
    let close_panic = scope.close();
    match r {
        Err(p) => std::panic::resume_unwind(p),
        Ok(v) => {
            if let Some(p) = close_panic {
                std::panic::resume_unwind(p);
            }
            v
        }
    }
}
