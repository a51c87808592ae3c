//! Userdata wrappers (the `userdata-wrappers` feature, as mlua's): an
//! `Rc<T>`, `Rc<RefCell<T>>`, `Arc<T>`, `Arc<Mutex<T>>`, `Arc<RwLock<T>>`,
//! `Arc<parking_lot::Mutex<T>>` or `Arc<parking_lot::RwLock<T>>` of a
//! userdata type `T` is a userdata itself, whose value the host shares.
//!
//! A wrapper type registers what `T` registers (`LuaUserdataRegistry::
//! adopt`): the closures stay `T`'s, and their receiver lookup
//! (`userdata_registry::with_self`), which finds a userdata that does not
//! hold a `T`, asks this module to reach the `T` through the wrapper it
//! holds. The host's typed access to a userdata (`LuaAnyUserdata::borrow`,
//! `borrow_mut`, `borrow_scoped`, `borrow_mut_scoped`, `LuaUserdataRef<T>`
//! arguments) goes through the wrappers too; `is`, `take` and
//! `LuaUserdataOwned` see the wrapper's own type only.
//!
//! The access rules are mlua's:
//! - `Rc<T>`/`Arc<T>`: shared access always; mutable access (a `&mut self`
//!   method, a setter, `borrow_mut_scoped`) only while the userdata holds
//!   the only reference (`Rc::get_mut`), and never through a guard
//!   (`borrow_mut::<T>()` is `UserDataBorrowMutError`).
//! - `Rc<RefCell<T>>`: the cell's borrow rules.
//! - `Arc<Mutex<T>>`/`Arc<RwLock<T>>` (std's): access in place only (the
//!   bodies, `borrow_scoped`); `borrow::<T>()`/`borrow_mut::<T>()` are
//!   `UserDataTypeMismatch`.
//! - parking_lot's `Mutex`/`RwLock`: in place and through guards, which
//!   hold the lock while they live.
//!
//! A lock is only ever tried, never waited for: one held elsewhere (by a
//! guard, a method running, another thread) or poisoned is
//! `UserDataBorrowError`/`UserDataBorrowMutError`, so a method that calls
//! back into itself fails cleanly instead of deadlocking.

use std::any::TypeId;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex, RwLock};

use luna_core::gc::Gc;
use luna_core::object::userdata::{PayloadRef, Userdata};
use luna_core::{State, Value};
use parking_lot::{ArcMutexGuard, ArcRwLockReadGuard, ArcRwLockWriteGuard, RawMutex, RawRwLock};

use crate::error::{LuaError, LuaResult};
use crate::failure::Failure;
use crate::state_access::{AppDataRef, AppDataRefMut, ScopedMut, ScopedRef};
use crate::userdata::{handle_error, LuaAnyUserdata, LuaUserdata};
use crate::userdata_registry::{with_value, with_value_mut, LuaUserdataRegistry};

type PlMutex<T> = parking_lot::Mutex<T>;
type PlRwLock<T> = parking_lot::RwLock<T>;

macro_rules! wrapper_userdata {
    ($($(#[$doc:meta])* $wrapper:ty;)*) => {$(
        $(#[$doc])*
        impl<T: LuaUserdata + 'static> LuaUserdata for $wrapper {
            fn register(registry: &mut LuaUserdataRegistry<Self>) {
                let mut inner = LuaUserdataRegistry::<T>::new();
                T::register(&mut inner);
                registry.adopt(inner);
            }
        }
    )*};
}

wrapper_userdata! {
    /// A userdata whose value the host shares, with the fields, methods
    /// and metamethods of `T` (the `userdata-wrappers` feature). Mutating
    /// it (a `&mut self` method, a setter) needs the only reference:
    /// while the host keeps a clone, it is `UserDataBorrowMutError`.
    Rc<T>;
    /// A userdata whose value the host shares, with the fields, methods
    /// and metamethods of `T` (the `userdata-wrappers` feature), borrowed
    /// under the cell's rules.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::{cell::RefCell, rc::Rc};
    /// struct Counter(i64);
    /// impl LuaUserdata for Counter {
    ///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
    ///         methods.add_method_mut("bump", |_, this, ()| { this.0 += 1; Ok(this.0) });
    ///     }
    /// }
    /// let lua = Lua::new();
    /// let shared = Rc::new(RefCell::new(Counter(0)));
    /// lua.globals().set("c", shared.clone())?;
    /// lua.load("c:bump() c:bump()").exec()?;
    /// assert_eq!(shared.borrow().0, 2);
    /// // The host's borrow keeps Lua from mutating it meanwhile.
    /// let held = shared.borrow();
    /// assert!(lua.load("c:bump()").exec().is_err());
    /// drop(held);
    /// # Ok::<(), LuaError>(())
    /// ```
    Rc<RefCell<T>>;
    /// As `Rc<T>` (the `userdata-wrappers` feature).
    Arc<T>;
    /// A userdata whose value the host shares, with the fields, methods
    /// and metamethods of `T` (the `userdata-wrappers` feature), reached
    /// under the lock. The lock is only tried: held elsewhere or poisoned,
    /// it is `UserDataBorrowError`/`UserDataBorrowMutError`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::sync::{Arc, Mutex};
    /// struct Counter(i64);
    /// impl LuaUserdata for Counter {
    ///     fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
    ///         fields.add_field_method_get("n", |_, this| Ok(this.0));
    ///         fields.add_field_method_set("n", |_, this, n| { this.0 = n; Ok(()) });
    ///     }
    /// }
    /// let lua = Lua::new();
    /// let locked = Arc::new(Mutex::new(Counter(10)));
    /// lua.globals().set("m", locked.clone())?;
    /// lua.load("m.n = m.n + 1").exec()?;
    /// assert_eq!(locked.lock().unwrap().0, 11);
    /// # Ok::<(), LuaError>(())
    /// ```
    Arc<Mutex<T>>;
    /// As `Arc<Mutex<T>>`, under the read or write lock (the
    /// `userdata-wrappers` feature).
    Arc<RwLock<T>>;
    /// As `Arc<Mutex<T>>` (the `userdata-wrappers` feature); its lock can
    /// also be held by a `LuaUserdataRef`/`LuaUserdataRefMut` guard.
    Arc<PlMutex<T>>;
    /// As `Arc<RwLock<T>>` (the `userdata-wrappers` feature); its locks can
    /// also be held by a `LuaUserdataRef`/`LuaUserdataRefMut` guard.
    Arc<PlRwLock<T>>;
}

/// The wrappers of a `T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Rc,
    RcRefCell,
    Arc,
    ArcMutex,
    ArcRwLock,
    ArcPlMutex,
    ArcPlRwLock,
}

impl Kind {
    /// The wrapper of a `T` that a payload of type `id` is, held by the
    /// userdata or lent to it by a scope.
    pub(crate) fn of<T: 'static>(id: TypeId) -> Option<Kind> {
        fn is<W: 'static>(id: TypeId) -> bool {
            id == TypeId::of::<W>() || id == TypeId::of::<ScopedRef<W>>() || id == TypeId::of::<ScopedMut<W>>()
        }
        [
            (is::<Rc<T>>(id), Kind::Rc),
            (is::<Rc<RefCell<T>>>(id), Kind::RcRefCell),
            (is::<Arc<T>>(id), Kind::Arc),
            (is::<Arc<Mutex<T>>>(id), Kind::ArcMutex),
            (is::<Arc<RwLock<T>>>(id), Kind::ArcRwLock),
            (is::<Arc<PlMutex<T>>>(id), Kind::ArcPlMutex),
            (is::<Arc<PlRwLock<T>>>(id), Kind::ArcPlRwLock),
        ]
        .into_iter()
        .find_map(|(yes, kind)| yes.then_some(kind))
    }

    /// The wrapper of a `T` that a payload of type `id` is, held by the
    /// userdata itself.
    fn held<T: 'static>(id: TypeId) -> Option<Kind> {
        [
            (TypeId::of::<Rc<T>>(), Kind::Rc),
            (TypeId::of::<Rc<RefCell<T>>>(), Kind::RcRefCell),
            (TypeId::of::<Arc<T>>(), Kind::Arc),
            (TypeId::of::<Arc<Mutex<T>>>(), Kind::ArcMutex),
            (TypeId::of::<Arc<RwLock<T>>>(), Kind::ArcRwLock),
            (TypeId::of::<Arc<PlMutex<T>>>(), Kind::ArcPlMutex),
            (TypeId::of::<Arc<PlRwLock<T>>>(), Kind::ArcPlRwLock),
        ]
        .into_iter()
        .find_map(|(w, kind)| (w == id).then_some(kind))
    }
}

/// Calls the function `$f::<T, W, _>($args)` with `W` the wrapper of `T`
/// that `$kind` names.
macro_rules! dispatch {
    ($kind:expr, $t:ty, $f:ident($($arg:expr),*)) => {
        match $kind {
            Kind::Rc => $f::<$t, Rc<$t>, _>($($arg),*),
            Kind::RcRefCell => $f::<$t, Rc<RefCell<$t>>, _>($($arg),*),
            Kind::Arc => $f::<$t, Arc<$t>, _>($($arg),*),
            Kind::ArcMutex => $f::<$t, Arc<Mutex<$t>>, _>($($arg),*),
            Kind::ArcRwLock => $f::<$t, Arc<RwLock<$t>>, _>($($arg),*),
            Kind::ArcPlMutex => $f::<$t, Arc<PlMutex<$t>>, _>($($arg),*),
            Kind::ArcPlRwLock => $f::<$t, Arc<PlRwLock<$t>>, _>($($arg),*),
        }
    };
}

/// How a wrapper gives access to the `T` inside it.
trait Wrapper<T>: 'static {
    /// Whether mutable access needs the wrapper itself mutably (`Rc`,
    /// `Arc`) rather than a lock inside it.
    const EXCLUSIVE: bool;

    /// Runs `f` on the value.
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R>;

    /// Runs `f` on the value mutably, through a lock inside the wrapper.
    fn reach_mut_shared<R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R>;

    /// Runs `f` on the value mutably, the wrapper borrowed mutably.
    fn reach_mut<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        self.reach_mut_shared(f)
    }
}

impl<T: 'static> Wrapper<T> for Rc<T> {
    const EXCLUSIVE: bool = true;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        Ok(f(self))
    }
    fn reach_mut_shared<R>(&self, _f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        Err(LuaError::UserDataBorrowMutError)
    }
    fn reach_mut<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        Rc::get_mut(self).map(f).ok_or(LuaError::UserDataBorrowMutError)
    }
}

impl<T: 'static> Wrapper<T> for Arc<T> {
    const EXCLUSIVE: bool = true;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        Ok(f(self))
    }
    fn reach_mut_shared<R>(&self, _f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        Err(LuaError::UserDataBorrowMutError)
    }
    fn reach_mut<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        Arc::get_mut(self).map(f).ok_or(LuaError::UserDataBorrowMutError)
    }
}

impl<T: 'static> Wrapper<T> for Rc<RefCell<T>> {
    const EXCLUSIVE: bool = false;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        let value = self.try_borrow().map_err(|_| LuaError::UserDataBorrowError)?;
        Ok(f(&value))
    }
    fn reach_mut_shared<R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        let mut value = self.try_borrow_mut().map_err(|_| LuaError::UserDataBorrowMutError)?;
        Ok(f(&mut value))
    }
}

impl<T: 'static> Wrapper<T> for Arc<Mutex<T>> {
    const EXCLUSIVE: bool = false;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        // Held (`WouldBlock`) or poisoned: either is a failed borrow.
        let value = self.try_lock().map_err(|_| LuaError::UserDataBorrowError)?;
        Ok(f(&value))
    }
    fn reach_mut_shared<R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        let mut value = self.try_lock().map_err(|_| LuaError::UserDataBorrowMutError)?;
        Ok(f(&mut value))
    }
}

impl<T: 'static> Wrapper<T> for Arc<RwLock<T>> {
    const EXCLUSIVE: bool = false;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        let value = self.try_read().map_err(|_| LuaError::UserDataBorrowError)?;
        Ok(f(&value))
    }
    fn reach_mut_shared<R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        let mut value = self.try_write().map_err(|_| LuaError::UserDataBorrowMutError)?;
        Ok(f(&mut value))
    }
}

impl<T: 'static> Wrapper<T> for Arc<PlMutex<T>> {
    const EXCLUSIVE: bool = false;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        let value = self.try_lock().ok_or(LuaError::UserDataBorrowError)?;
        Ok(f(&value))
    }
    fn reach_mut_shared<R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        let mut value = self.try_lock().ok_or(LuaError::UserDataBorrowMutError)?;
        Ok(f(&mut value))
    }
}

impl<T: 'static> Wrapper<T> for Arc<PlRwLock<T>> {
    const EXCLUSIVE: bool = false;
    fn reach<R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        let value = self.try_read().ok_or(LuaError::UserDataBorrowError)?;
        Ok(f(&value))
    }
    fn reach_mut_shared<R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        let mut value = self.try_write().ok_or(LuaError::UserDataBorrowMutError)?;
        Ok(f(&mut value))
    }
}

// ---------------------------------------------------------------------------
// Receivers of the registered closures.

/// Runs `f` with the value of the userdata `u` (the receiver `v`) borrowed
/// as a `T` through the wrapper it holds (or a scope lent it); gives `f`
/// back when `u` holds no wrapper of a `T`.
pub(crate) fn with_ref<T: 'static, R, F>(st: &mut State, u: Gc<Userdata>, v: Value, f: F) -> Result<LuaResult<R>, F>
where
    F: FnOnce(&mut State, &T) -> R,
{
    match Kind::of::<T>(u.type_id()) {
        Some(kind) => Ok(dispatch!(kind, T, ref_through(st, u, v, f))),
        None => Err(f),
    }
}

/// `with_ref`, mutably.
pub(crate) fn with_mut<T: 'static, R, F>(st: &mut State, u: Gc<Userdata>, v: Value, f: F) -> Result<LuaResult<R>, F>
where
    F: FnOnce(&mut State, &mut T) -> R,
{
    match Kind::of::<T>(u.type_id()) {
        Some(kind) => Ok(dispatch!(kind, T, mut_through(st, u, v, f))),
        None => Err(f),
    }
}

fn ref_through<T: 'static, W: Wrapper<T>, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &T) -> R,
) -> LuaResult<R> {
    with_value::<W, _>(st, u, v, |st, w| w.reach(|t| f(st, t))).map_err(Failure::into_error)?
}

fn mut_through<T: 'static, W: Wrapper<T>, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &mut T) -> R,
) -> LuaResult<R> {
    if W::EXCLUSIVE {
        with_value_mut::<W, _>(st, u, v, |st, w| w.reach_mut(|t| f(st, t))).map_err(Failure::into_error)?
    } else {
        with_value::<W, _>(st, u, v, |st, w| w.reach_mut_shared(|t| f(st, t))).map_err(Failure::into_error)?
    }
}

// ---------------------------------------------------------------------------
// The host's access.

/// `LuaAnyUserdata::borrow_scoped` through the wrapper `kind`.
pub(crate) fn borrow_scoped<T: 'static, R>(ud: &LuaAnyUserdata, kind: Kind, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
    dispatch!(kind, T, scoped_through(ud, f))
}

/// `LuaAnyUserdata::borrow_mut_scoped` through the wrapper `kind`.
pub(crate) fn borrow_mut_scoped<T: 'static, R>(
    ud: &LuaAnyUserdata,
    kind: Kind,
    f: impl FnOnce(&mut T) -> R,
) -> LuaResult<R> {
    dispatch!(kind, T, scoped_mut_through(ud, f))
}

fn scoped_through<T: 'static, W: Wrapper<T>, R>(ud: &LuaAnyUserdata, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
    ud.lend_scoped::<W, _>(|w| w.reach(f))?
}

fn scoped_mut_through<T: 'static, W: Wrapper<T>, R>(ud: &LuaAnyUserdata, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
    if W::EXCLUSIVE {
        ud.lend_mut_scoped::<W, _>(|w| w.reach_mut(f))?
    } else {
        ud.lend_scoped::<W, _>(|w| w.reach_mut_shared(f))?
    }
}

/// The shared borrow of a `T` inside a wrapper, for a `LuaUserdataRef`.
/// The wrapper stays borrowed (shared) while it lives, so the userdata's
/// value cannot be taken; a lock guard comes before the wrapper's borrow
/// and is released first.
pub(crate) enum WrappedRef<T: 'static> {
    Rc(PayloadRef<Rc<T>>),
    Arc(PayloadRef<Arc<T>>),
    RcRefCell { value: AppDataRef<T>, _held: PayloadRef<Rc<RefCell<T>>> },
    ArcPlMutex { value: ArcMutexGuard<RawMutex, T>, _held: PayloadRef<Arc<PlMutex<T>>> },
    ArcPlRwLock { value: ArcRwLockReadGuard<RawRwLock, T>, _held: PayloadRef<Arc<PlRwLock<T>>> },
}

impl<T: 'static> std::ops::Deref for WrappedRef<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            WrappedRef::Rc(w) => w,
            WrappedRef::Arc(w) => w,
            WrappedRef::RcRefCell { value, .. } => value,
            WrappedRef::ArcPlMutex { value, .. } => value,
            WrappedRef::ArcPlRwLock { value, .. } => value,
        }
    }
}

/// The mutable borrow of a `T` inside a wrapper, for a
/// `LuaUserdataRefMut` (see `WrappedRef`).
pub(crate) enum WrappedMut<T: 'static> {
    RcRefCell { value: AppDataRefMut<T>, _held: PayloadRef<Rc<RefCell<T>>> },
    ArcPlMutex { value: ArcMutexGuard<RawMutex, T>, _held: PayloadRef<Arc<PlMutex<T>>> },
    ArcPlRwLock { value: ArcRwLockWriteGuard<RawRwLock, T>, _held: PayloadRef<Arc<PlRwLock<T>>> },
}

impl<T: 'static> std::ops::Deref for WrappedMut<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            WrappedMut::RcRefCell { value, .. } => value,
            WrappedMut::ArcPlMutex { value, .. } => value,
            WrappedMut::ArcPlRwLock { value, .. } => value,
        }
    }
}

impl<T: 'static> std::ops::DerefMut for WrappedMut<T> {
    fn deref_mut(&mut self) -> &mut T {
        match self {
            WrappedMut::RcRefCell { value, .. } => value,
            WrappedMut::ArcPlMutex { value, .. } => value,
            WrappedMut::ArcPlRwLock { value, .. } => value,
        }
    }
}

/// The wrapper `W` the userdata holds, borrowed shared.
fn held<W: 'static>(u: Gc<Userdata>) -> LuaResult<PayloadRef<W>> {
    Userdata::borrow_payload::<W>(u).map_err(handle_error)
}

/// A shared borrow of the `T` inside the wrapper `u` holds; `None` when it
/// holds none. std's locks give no guard that can be kept: they are
/// reached in place only (`UserDataTypeMismatch` here, as mlua).
pub(crate) fn borrow_ref<T: 'static>(u: Gc<Userdata>) -> Option<LuaResult<WrappedRef<T>>> {
    let borrow = |kind| -> LuaResult<WrappedRef<T>> {
        Ok(match kind {
            Kind::Rc => WrappedRef::Rc(held(u)?),
            Kind::Arc => WrappedRef::Arc(held(u)?),
            Kind::RcRefCell => {
                let w = held::<Rc<RefCell<T>>>(u)?;
                let b = AppDataRef::new(Rc::clone(&w)).map_err(|_| LuaError::UserDataBorrowError)?;
                WrappedRef::RcRefCell { value: b, _held: w }
            }
            Kind::ArcPlMutex => {
                let w = held::<Arc<PlMutex<T>>>(u)?;
                let g = w.try_lock_arc().ok_or(LuaError::UserDataBorrowError)?;
                WrappedRef::ArcPlMutex { value: g, _held: w }
            }
            Kind::ArcPlRwLock => {
                let w = held::<Arc<PlRwLock<T>>>(u)?;
                let g = w.try_read_arc().ok_or(LuaError::UserDataBorrowError)?;
                WrappedRef::ArcPlRwLock { value: g, _held: w }
            }
            Kind::ArcMutex | Kind::ArcRwLock => return Err(LuaError::UserDataTypeMismatch),
        })
    };
    Kind::held::<T>(u.type_id()).map(borrow)
}

/// A mutable borrow of the `T` inside the wrapper `u` holds; `None` when
/// it holds none. An `Rc<T>`/`Arc<T>` gives no mutable guard (its value
/// may be shared with the host): `UserDataBorrowMutError`, as mlua.
pub(crate) fn borrow_mut<T: 'static>(u: Gc<Userdata>) -> Option<LuaResult<WrappedMut<T>>> {
    let borrow = |kind| -> LuaResult<WrappedMut<T>> {
        Ok(match kind {
            Kind::Rc | Kind::Arc => return Err(LuaError::UserDataBorrowMutError),
            Kind::RcRefCell => {
                let w = held::<Rc<RefCell<T>>>(u)?;
                let b = AppDataRefMut::new(Rc::clone(&w)).map_err(|_| LuaError::UserDataBorrowMutError)?;
                WrappedMut::RcRefCell { value: b, _held: w }
            }
            Kind::ArcPlMutex => {
                let w = held::<Arc<PlMutex<T>>>(u)?;
                let g = w.try_lock_arc().ok_or(LuaError::UserDataBorrowMutError)?;
                WrappedMut::ArcPlMutex { value: g, _held: w }
            }
            Kind::ArcPlRwLock => {
                let w = held::<Arc<PlRwLock<T>>>(u)?;
                let g = w.try_write_arc().ok_or(LuaError::UserDataBorrowMutError)?;
                WrappedMut::ArcPlRwLock { value: g, _held: w }
            }
            Kind::ArcMutex | Kind::ArcRwLock => return Err(LuaError::UserDataTypeMismatch),
        })
    };
    Kind::held::<T>(u.type_id()).map(borrow)
}
