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
//!    collection point in the middle.
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
