//! Full userdata: a Rust value (`Box<dyn Any>`) with its own metatable and
//! user values.
//!
//! The payload can be taken out (`take_payload`) or dropped early; the
//! userdata then stays a valid Lua value whose payload is gone, and the
//! embedding layer reports "userdata has been destructed"-style errors.
//! Collecting the userdata drops the payload.
//!
//! Typed access for the host goes through a borrow flag kept in the
//! userdata (as `RefCell` keeps one): `borrow_payload` and
//! `borrow_payload_mut` return owned guards (`PayloadRef`, `PayloadMut`)
//! that hold the userdata by its `Gc` pointer, so they can live across
//! calls back into Lua, which `RefCell`'s lifetime-bound guards cannot.
//! While a guard lives the payload can be neither taken nor borrowed in a
//! conflicting way. As for any `Gc`, the userdata must stay alive
//! (rooted) while a guard borrows it: for a borrow that lasts one call the
//! caller's stack roots it.
//!
//! A guard may be *held* instead (`State::hold_payload`,
//! `State::hold_payload_mut`): the embedder's host code keeps it for as
//! long as it likes. A held guard roots its userdata by itself: the state
//! lists the userdata with held guards, and the collector marks those (no
//! host root needed). Destroying the payload (`destroy_payload`) while
//! only held guards borrow it does not wait for them: the userdata reads
//! as destructed at once, and the payload drops when the last guard does
//! (mlua's `AnyUserData::destroy` with a live `UserDataRef`). A borrow of
//! the other kind makes the destruction fail instead, since the code
//! holding it is running and expects the value to outlive its call.

use std::any::{Any, TypeId};
use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::gc::{Collectable, Gc, ObjKind};
use crate::object::table::Table;
use crate::value::Value;

/// A full userdata.
pub struct Userdata {
    payload: UnsafeCell<Option<Box<dyn Any>>>,
    /// The `TypeId` of the payload, kept after the payload is taken. The
    /// payload is never replaced, only taken, so while it is there it is
    /// of this type: the typed accesses check this field and then cast
    /// without asking the payload again (a call through its vtable).
    type_id: TypeId,
    /// Size of the payload when created (for the accounting).
    payload_size: usize,
    pub(crate) metatable: Cell<Option<Gc<Table>>>,
    user_values: Box<[Cell<Value>]>,
    /// Borrows of the payload through the guards: the number of shared
    /// ones, or `EXCLUSIVE`.
    borrow: Cell<isize>,
    /// How many of those borrows are held guards (see the module docs,
    /// `HELD_COUNT`), plus `DESTROYED` once the payload was destroyed while
    /// they borrow it (it then reads as gone, and the last of them to end
    /// drops it), plus `LISTED` while the state's list of held userdata
    /// has this one.
    held: Cell<u32>,
}

const EXCLUSIVE: isize = -1;

/// The flag in `held` of a payload destroyed while held guards borrow it.
const DESTROYED: u32 = 1 << 31;
/// The flag in `held` of a userdata in the state's list of held userdata.
const LISTED: u32 = 1 << 30;
/// The count of held guards in `held`.
const HELD_COUNT: u32 = LISTED - 1;

/// Why a typed access to a payload failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// The payload is not of the requested type.
    WrongType,
    /// The payload was taken or destroyed.
    Destructed,
    /// A shared borrow was requested while a mutable one is live.
    BorrowedMut,
    /// A mutable borrow (or taking the payload) was requested while
    /// another borrow is live.
    Borrowed,
}

impl Collectable for Userdata {
    const KIND: ObjKind = ObjKind::Userdata;
    fn extra_bytes(&self) -> usize {
        self.payload_size + self.user_values.len() * std::mem::size_of::<Value>()
    }
}

impl Userdata {
    pub(crate) fn new<T: Any>(value: T, n_user_values: usize) -> Userdata {
        Userdata {
            payload_size: std::mem::size_of::<T>(),
            type_id: TypeId::of::<T>(),
            payload: UnsafeCell::new(Some(Box::new(value))),
            metatable: Cell::new(None),
            user_values: (0..n_user_values).map(|_| Cell::new(Value::Nil)).collect(),
            borrow: Cell::new(0),
            held: Cell::new(0),
        }
    }

    /// Creates a userdata from an already boxed payload.
    pub(crate) fn from_box(value: Box<dyn Any>, size: usize, n_user_values: usize) -> Userdata {
        Userdata {
            payload_size: size,
            type_id: (*value).type_id(),
            payload: UnsafeCell::new(Some(value)),
            metatable: Cell::new(None),
            user_values: (0..n_user_values).map(|_| Cell::new(Value::Nil)).collect(),
            borrow: Cell::new(0),
            held: Cell::new(0),
        }
    }

    /// The `TypeId` the payload had at creation.
    pub fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The metatable.
    pub fn metatable(&self) -> Option<Gc<Table>> {
        self.metatable.get()
    }

    /// Whether the payload is still there (and not destroyed).
    pub fn has_payload(&self) -> bool {
        // SAFETY: a shared read of the option's discriminant; no mutable
        // reference to the payload slot outlives `take_payload`.
        self.held.get() < DESTROYED && unsafe { (*self.payload.get()).is_some() }
    }

    /// Runs `f` on the payload if it is a `T`, with the payload borrowed
    /// (shared) meanwhile, as a `PayloadRef` would: it can be neither
    /// taken nor borrowed mutably while `f` runs. `None` when the payload
    /// is of another type, gone, or mutably borrowed.
    pub fn with_payload<T: Any, R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let n = self.borrow.get();
        if n == EXCLUSIVE || self.type_id != TypeId::of::<T>() || self.held.get() >= DESTROYED {
            return None;
        }
        // SAFETY: no exclusive guard is alive (checked), so only shared
        // references to the payload exist; the count taken below keeps
        // `take_payload` and exclusive borrows out until `f` returns.
        let any = unsafe { (*self.payload.get()).as_deref() }?;
        // SAFETY: the payload is a `T`: it is of type `type_id` (see the
        // field), checked above.
        let payload = unsafe { &*(any as *const dyn Any).cast::<T>() };
        self.borrow.set(n + 1);
        let _release = SharedRelease(&self.borrow);
        Some(f(payload))
    }

    /// Takes the payload out, leaving the userdata without one. Returns
    /// `None` while a guard borrows it (or when it is already gone).
    pub fn take_payload(&self) -> Option<Box<dyn Any>> {
        if self.borrow.get() != 0 {
            return None;
        }
        // SAFETY: no guard is alive (checked) and no reference from
        // `payload` is (caller contract).
        unsafe { (*self.payload.get()).take() }
    }

    /// Destroys the payload: takes it out when nothing borrows it (the
    /// caller drops it), or, when only held guards borrow it, marks it
    /// destroyed and leaves the drop to the last of them (`Ok(None)`, as
    /// when it is already gone). `Err` while a guard that is not held
    /// borrows it.
    pub fn destroy_payload(&self) -> Result<Option<Box<dyn Any>>, PayloadError> {
        if !self.has_payload() {
            return Ok(None);
        }
        let n = self.borrow.get();
        if n == 0 {
            return Ok(self.take_payload());
        }
        let held = self.held.get() & HELD_COUNT;
        if held as isize == n || (n == EXCLUSIVE && held == 1) {
            self.held.set(self.held.get() | DESTROYED);
            return Ok(None);
        }
        Err(PayloadError::Borrowed)
    }

    /// A guard ends: gives back its borrow and, after the last held one of
    /// a destroyed payload, drops the payload. A guard that is not held
    /// never sees a destroyed payload: destruction waits only for held
    /// guards, and none can be taken after it.
    #[inline(always)]
    fn release<const HELD: bool>(&self, shared: bool) {
        self.borrow.set(if shared { self.borrow.get() - 1 } else { 0 });
        if HELD {
            let h = self.held.get() - 1;
            self.held.set(h);
            if h & !LISTED == DESTROYED {
                self.drop_destroyed();
            }
        }
    }

    /// The last guard of a destroyed payload ended: drops the payload.
    #[cold]
    #[inline(never)]
    fn drop_destroyed(&self) {
        self.held.set(self.held.get() & LISTED);
        // The slot is emptied before the payload's `Drop` runs, so that
        // code sees the userdata without a payload.
        drop(self.take_payload());
    }

    /// Whether a guard currently borrows the payload (`Some(true)`:
    /// mutably).
    pub fn borrowed(&self) -> Option<bool> {
        match self.borrow.get() {
            0 => None,
            EXCLUSIVE => Some(true),
            _ => Some(false),
        }
    }

    /// Checks that the payload is a `T` and still there, without touching
    /// it (a mutable guard may be live).
    fn check_payload<T: Any>(&self) -> Result<(), PayloadError> {
        if self.type_id != TypeId::of::<T>() {
            Err(PayloadError::WrongType)
        } else if !self.has_payload() {
            Err(PayloadError::Destructed)
        } else {
            Ok(())
        }
    }

    /// A shared borrow of the payload as a `T`.
    #[inline]
    pub fn borrow_payload<T: Any>(ud: Gc<Userdata>) -> Result<PayloadRef<T>, PayloadError> {
        Userdata::shared_guard(ud)
    }

    /// A shared borrow of the payload as a `T`, held by the host; the
    /// caller lists the userdata (`State::hold_payload`).
    #[inline]
    pub(crate) fn hold_payload<T: Any>(ud: Gc<Userdata>) -> Result<PayloadRef<T, true>, PayloadError> {
        Userdata::shared_guard(ud)
    }

    #[inline]
    fn shared_guard<T: Any, const HELD: bool>(ud: Gc<Userdata>) -> Result<PayloadRef<T, HELD>, PayloadError> {
        ud.check_payload::<T>()?;
        let n = ud.borrow.get();
        if n == EXCLUSIVE {
            return Err(PayloadError::BorrowedMut);
        }
        // SAFETY: only shared references to the payload exist (no
        // exclusive guard, checked; `payload` callers hold none across).
        let any = unsafe { (*ud.payload.get()).as_deref() };
        // The payload is a `T` (`check_payload` compared `type_id`).
        let ptr = any.map(|a| NonNull::from(a).cast::<T>()).ok_or(PayloadError::Destructed)?;
        ud.borrow.set(n + 1);
        if HELD {
            ud.held.set(ud.held.get() + 1);
        }
        Ok(PayloadRef { ud, ptr, _t: PhantomData })
    }

    /// A mutable borrow of the payload as a `T`.
    #[inline]
    pub fn borrow_payload_mut<T: Any>(ud: Gc<Userdata>) -> Result<PayloadMut<T>, PayloadError> {
        Userdata::exclusive_guard(ud)
    }

    /// A mutable borrow of the payload as a `T`, held by the host; the
    /// caller lists the userdata (`State::hold_payload_mut`).
    #[inline]
    pub(crate) fn hold_payload_mut<T: Any>(ud: Gc<Userdata>) -> Result<PayloadMut<T, true>, PayloadError> {
        Userdata::exclusive_guard(ud)
    }

    #[inline]
    fn exclusive_guard<T: Any, const HELD: bool>(ud: Gc<Userdata>) -> Result<PayloadMut<T, HELD>, PayloadError> {
        ud.check_payload::<T>()?;
        if ud.borrow.get() != 0 {
            return Err(PayloadError::Borrowed);
        }
        // SAFETY: no guard is live (checked) and `payload` callers hold no
        // reference across, so this is the only reference to the payload.
        let any = unsafe { (*ud.payload.get()).as_deref_mut() };
        // The payload is a `T` (`check_payload` compared `type_id`).
        let ptr = any.map(|a| NonNull::from(a).cast::<T>()).ok_or(PayloadError::Destructed)?;
        ud.borrow.set(EXCLUSIVE);
        if HELD {
            ud.held.set(ud.held.get() + 1);
        }
        Ok(PayloadMut { ud, ptr, _t: PhantomData })
    }

    /// Whether held guards borrow the payload (the collector keeps the
    /// userdata alive meanwhile).
    #[inline]
    pub(crate) fn is_held(&self) -> bool {
        self.held.get() & HELD_COUNT != 0
    }

    /// Marks the userdata as listed among the held ones; false when it
    /// already was.
    #[inline]
    pub(crate) fn list_held(&self) -> bool {
        let h = self.held.get();
        self.held.set(h | LISTED);
        h & LISTED == 0
    }

    /// The userdata left the list of held ones.
    pub(crate) fn unlist_held(&self) {
        self.held.set(self.held.get() & !LISTED);
    }

    /// Number of user values.
    pub fn num_user_values(&self) -> usize {
        self.user_values.len()
    }

    /// User value `n` (1-based), or `None` when out of range.
    pub fn user_value(&self, n: usize) -> Option<Value> {
        n.checked_sub(1).and_then(|i| self.user_values.get(i)).map(Cell::get)
    }

    /// Sets user value `n` (1-based); false when out of range. The caller
    /// does the write barrier.
    pub(crate) fn set_user_value(&self, n: usize, v: Value) -> bool {
        match n.checked_sub(1).and_then(|i| self.user_values.get(i)) {
            Some(c) => {
                c.set(v);
                true
            }
            None => false,
        }
    }

    pub(crate) fn user_values(&self) -> &[Cell<Value>] {
        &self.user_values
    }
}

/// Gives back the shared borrow `with_payload` takes, on unwinding too.
struct SharedRelease<'a>(&'a Cell<isize>);

impl Drop for SharedRelease<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// A shared borrow of a userdata's payload (see the module docs). The
/// holder keeps the userdata alive while the guard lives. `HELD`: a guard
/// held by the host (`hold_payload`).
pub struct PayloadRef<T: Any, const HELD: bool = false> {
    ud: Gc<Userdata>,
    ptr: NonNull<T>,
    _t: PhantomData<T>,
}

impl<T: Any, const HELD: bool> PayloadRef<T, HELD> {
    /// The borrowed userdata.
    pub fn userdata(&self) -> Gc<Userdata> {
        self.ud
    }
}

impl<T: Any, const HELD: bool> std::ops::Deref for PayloadRef<T, HELD> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the payload box stays in place while borrowed (it cannot
        // be taken, and the holder keeps the userdata alive), and no
        // mutable borrow coexists with this shared one (the flag). It is a
        // `T`: `borrow_payload` checked the userdata's `type_id`, which is
        // the payload's (see the field).
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Any, const HELD: bool> Drop for PayloadRef<T, HELD> {
    #[inline(always)]
    fn drop(&mut self) {
        self.ud.release::<HELD>(true);
    }
}

/// A mutable borrow of a userdata's payload (see the module docs). The
/// holder keeps the userdata alive while the guard lives. `HELD` as for
/// `PayloadRef`.
pub struct PayloadMut<T: Any, const HELD: bool = false> {
    ud: Gc<Userdata>,
    ptr: NonNull<T>,
    _t: PhantomData<T>,
}

impl<T: Any, const HELD: bool> PayloadMut<T, HELD> {
    /// The borrowed userdata.
    pub fn userdata(&self) -> Gc<Userdata> {
        self.ud
    }
}

impl<T: Any, const HELD: bool> std::ops::Deref for PayloadMut<T, HELD> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `PayloadRef`; this guard is the only borrow.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: Any, const HELD: bool> std::ops::DerefMut for PayloadMut<T, HELD> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the flag is exclusive: no other guard or reference to
        // the payload exists while this one lives.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T: Any, const HELD: bool> Drop for PayloadMut<T, HELD> {
    #[inline(always)]
    fn drop(&mut self) {
        self.ud.release::<HELD>(false);
    }
}
