//! `Lua::scope` and `LuaScope`: callbacks and userdata that borrow from the
//! host's stack, usable from Lua until the scope ends.
//!
//! What a scope creates is cut off when the scope closure returns (or
//! panics): its callbacks fail with `LuaError::CallbackDestructed`, its
//! userdata lose their value, and using them is
//! `LuaError::UserDataDestructed` (their metatable is replaced by one whose
//! every metamethod raises it). Keeping a closure that is not `'static`
//! inside the runtime is the one unsafe step; it is done, and argued, in
//! `state_access` ("Scopes"), which also closes the scope. Lifetimes are
//! checked at compile time as mlua's are: a callback may borrow what
//! outlives the scope closure (`'scope`), borrowed userdata data what
//! outlives the `Lua::scope` call (`'env`).

use std::any::TypeId;
use std::cell::RefCell;
use std::rc::Rc;

use luna_core::object::function::NativeFn;
use luna_core::object::userdata::{PayloadError, Userdata};
use luna_core::{LResult, State, Value};

use crate::error::{LuaError, LuaResult};
use crate::function::LuaFunction;
use crate::lua::Lua;
use crate::multi::{FromLuaMulti, IntoLuaMulti};
use crate::state_access::{run_scope, ScopedBody, ScopedMut, ScopedRef};
use crate::userdata::{short_type_name, LuaAnyUserdata, LuaUserdata, USER_VALUES};
use crate::userdata_registry::{build_scoped, Body, BodyA, LuaUserdataRegistry, Scoped};

pub use crate::state_access::LuaScope;

impl Lua {
    /// Calls `f` with a [`LuaScope`], through which it can create Lua
    /// functions and userdata from Rust values that are not `'static`:
    /// closures borrowing the caller's locals, references to the caller's
    /// data. They live until `f` returns; then (also when `f` fails or
    /// panics) they are cut off: calling such a function from Lua or Rust
    /// is the error `LuaError::CallbackDestructed`, using such a userdata
    /// `LuaError::UserDataDestructed`. Never undefined behaviour.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut log = Vec::new();
    /// lua.scope(|scope| {
    ///     let push = scope.create_function_mut(|_, line: String| {
    ///         log.push(line);
    ///         Ok(())
    ///     })?;
    ///     lua.globals().set("push", push)?;
    ///     lua.load("push('one') push('two')").exec()
    /// })?;
    /// assert_eq!(log, ["one", "two"]);
    /// // The function is still in the globals, but cut off.
    /// let err = lua.load("push('three')").exec().unwrap_err();
    /// assert!(matches!(err.root_cause(), LuaError::CallbackDestructed));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn scope<'env, R>(
        &self,
        f: impl for<'scope> FnOnce(&'scope LuaScope<'scope, 'env>) -> LuaResult<R>,
    ) -> LuaResult<R> {
        run_scope(self, f)
    }
}

impl<'scope, 'env: 'scope> LuaScope<'scope, 'env> {
    /// As [`Lua::create_function`], for a closure that may borrow what
    /// outlives the scope closure; the function is cut off when the scope
    /// ends (`CallbackDestructed`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::cell::Cell;
    /// let lua = Lua::new();
    /// let calls = Cell::new(0);
    /// lua.scope(|scope| {
    ///     let f = scope.create_function(|_, n: i64| {
    ///         calls.set(calls.get() + 1);
    ///         Ok(n * 2)
    ///     })?;
    ///     assert_eq!(f.call::<i64>(21)?, 42);
    ///     Ok(())
    /// })?;
    /// assert_eq!(calls.get(), 1);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_function<F, A, R>(&'scope self, func: F) -> LuaResult<LuaFunction>
    where
        F: Fn(&Lua, A) -> LuaResult<R> + 'scope,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        let weak = Rc::downgrade(&self.lua.inner);
        let body: ScopedBody<'scope> = Box::new(move |st| crate::callback::run_callback(&weak, st, &func));
        let native = self.keep_native(body);
        self.lua.create_native(NativeFn::Boxed(Box::new(move |st: &mut State| -> LResult<usize> {
            match native.call(st) {
                Some(r) => r,
                None => Err(raise_error(st, LuaError::CallbackDestructed)),
            }
        })))
    }

    /// As [`Lua::create_function_mut`], for a closure that may borrow (and
    /// mutate) what outlives the scope closure.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut sum = 0;
    /// lua.scope(|scope| {
    ///     let add = scope.create_function_mut(|_, n: i64| {
    ///         sum += n;
    ///         Ok(())
    ///     })?;
    ///     lua.load("local add = ... for i = 1, 10 do add(i) end").call::<()>(add)
    /// })?;
    /// assert_eq!(sum, 55);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_function_mut<F, A, R>(&'scope self, func: F) -> LuaResult<LuaFunction>
    where
        F: FnMut(&Lua, A) -> LuaResult<R> + 'scope,
        A: FromLuaMulti,
        R: IntoLuaMulti,
    {
        let func = std::cell::RefCell::new(func);
        self.create_function(move |lua, args: A| {
            let mut f = func.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            (*f)(lua, args)
        })
    }

    /// A userdata of type `T` (with its registered methods and fields)
    /// whose value is the caller's `data`, borrowed: Lua reads it in place,
    /// and methods taking `&mut self` fail (`UserdataBorrowMutError`).
    /// Cut off when the scope ends. `LuaAnyUserdata::borrow` does not reach
    /// the data (the borrow could outlive the scope).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Config { name: String }
    /// impl LuaUserdata for Config {
    ///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
    ///         methods.add_method("name", |_, this, ()| Ok(this.name.clone()));
    ///     }
    /// }
    /// let lua = Lua::new();
    /// let config = Config { name: "luna".into() };
    /// let name: String = lua.scope(|scope| {
    ///     let ud = scope.create_userdata_ref(&config)?;
    ///     lua.load("local c = ... return c:name()").call(ud)
    /// })?;
    /// assert_eq!(name, "luna");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_userdata_ref<T: LuaUserdata + 'static>(&'scope self, data: &'env T) -> LuaResult<LuaAnyUserdata> {
        let mt = self.lua.userdata_metatable::<T>()?;
        let payload = self.keep_ref(data);
        self.scoped_userdata(payload, Some(mt))
    }

    /// As [`create_userdata_ref`](Self::create_userdata_ref), with the data
    /// borrowed mutably: methods taking `&mut self` change the caller's
    /// data in place.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Counter(i64);
    /// impl LuaUserdata for Counter {
    ///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
    ///         methods.add_method_mut("bump", |_, this, ()| { this.0 += 1; Ok(()) });
    ///     }
    /// }
    /// let lua = Lua::new();
    /// let mut counter = Counter(0);
    /// lua.scope(|scope| {
    ///     let ud = scope.create_userdata_ref_mut(&mut counter)?;
    ///     lua.load("local c = ... c:bump() c:bump()").call::<()>(ud)
    /// })?;
    /// assert_eq!(counter.0, 2);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_userdata_ref_mut<T: LuaUserdata + 'static>(
        &'scope self,
        data: &'env mut T,
    ) -> LuaResult<LuaAnyUserdata> {
        let mt = self.lua.userdata_metatable::<T>()?;
        let payload = self.keep_mut(data);
        self.scoped_userdata(payload, Some(mt))
    }

    /// A userdata whose value is the caller's `data` of any type, borrowed,
    /// with the metatable registered for `T` if there is one (else none:
    /// Lua can hold it and pass it back). Cut off when the scope ends.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let secret = [1u8, 2, 3];
    /// lua.scope(|scope| {
    ///     let ud = scope.create_any_userdata_ref(&secret)?;
    ///     assert_eq!(lua.load("return type(...)").call::<String>(ud)?, "userdata");
    ///     Ok(())
    /// })?;
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_any_userdata_ref<T: 'static>(&'scope self, data: &'env T) -> LuaResult<LuaAnyUserdata> {
        let mt = self.lua.with(|st| st.userdata_metatable(TypeId::of::<T>()))?;
        let payload = self.keep_ref(data);
        self.scoped_userdata(payload, mt)
    }

    /// As [`create_any_userdata_ref`](Self::create_any_userdata_ref), with
    /// the data borrowed mutably.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut buffer = Vec::<u8>::new();
    /// lua.scope(|scope| {
    ///     let ud = scope.create_any_userdata_ref_mut(&mut buffer)?;
    ///     lua.globals().set("buffer", ud)?;
    ///     Ok(())
    /// })?;
    /// buffer.push(1); // the scope has ended: the host has its data back
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_any_userdata_ref_mut<T: 'static>(&'scope self, data: &'env mut T) -> LuaResult<LuaAnyUserdata> {
        let mt = self.lua.with(|st| st.userdata_metatable(TypeId::of::<T>()))?;
        let payload = self.keep_mut(data);
        self.scoped_userdata(payload, mt)
    }

    /// As [`Lua::create_userdata`], for a value that need not be `'static`
    /// (it may borrow what outlives the `Lua::scope` call). The userdata
    /// has a metatable of its own, built for it from `T`'s registration,
    /// and its methods accept only this userdata as receiver. At the end
    /// of the scope the value is dropped, and using the userdata is
    /// `LuaError::UserDataDestructed`. Its value cannot be borrowed
    /// through the handle (`LuaAnyUserdata::borrow` needs a `'static`
    /// type).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::cell::Cell;
    /// struct Tally<'a>(&'a Cell<i64>);
    /// impl LuaUserdata for Tally<'_> {
    ///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
    ///         methods.add_method("add", |_, this, n: i64| {
    ///             this.0.set(this.0.get() + n);
    ///             Ok(())
    ///         });
    ///     }
    /// }
    /// let lua = Lua::new();
    /// let total = Cell::new(0);
    /// lua.scope(|scope| {
    ///     let tally = scope.create_userdata(Tally(&total))?;
    ///     lua.load("local t = ... t:add(2) t:add(40)").call::<()>(tally)
    /// })?;
    /// assert_eq!(total.get(), 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_userdata<T: LuaUserdata + 'env>(&'scope self, data: T) -> LuaResult<LuaAnyUserdata> {
        self.create_any_userdata(data, T::register)
    }

    /// As [`create_userdata`](Self::create_userdata), for a value of any
    /// type, with the fields and methods `register` adds.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut text = String::from("lu");
    /// lua.scope(|scope| {
    ///     let ud = scope.create_any_userdata(&mut text, |reg| {
    ///         reg.add_method_mut("push", |_, this, s: String| {
    ///             this.push_str(&s);
    ///             Ok(())
    ///         });
    ///     })?;
    ///     lua.load("local t = ... t:push('na')").call::<()>(ud)
    /// })?;
    /// assert_eq!(text, "luna");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_any_userdata<T: 'env>(
        &'scope self,
        data: T,
        register: impl FnOnce(&mut LuaUserdataRegistry<T>),
    ) -> LuaResult<LuaAnyUserdata> {
        let mut reg = LuaUserdataRegistry::new();
        register(&mut reg);
        let lua = &self.lua;
        // The userdata holds no payload of its own: its value lives in a
        // cell its methods share, and which the scope empties at its end.
        let (ud, u) = lua.with(|st| {
            let u = st.new_userdata(ScopeValue, USER_VALUES).map_err(|_| LuaError::memory())?;
            Ok::<_, LuaError>((LuaAnyUserdata(lua.pin(st, Value::Userdata(u))), u))
        })??;
        let cell = Rc::new(RefCell::new(Some(data)));
        let recv = Scoped { ud: u, cell: cell.clone(), name: Rc::from(short_type_name::<T>()) };
        let weak = Rc::downgrade(&lua.inner);
        let mt = build_scoped(lua, reg, recv, |body: BodyA<'env>| -> Body {
            let weak = weak.clone();
            let kept =
                self.keep_native(Box::new(move |st: &mut State| body(&crate::callback::upgrade(&weak, st)?, st)));
            Rc::new(move |_, st| match kept.call(st) {
                Some(r) => r,
                None => Err(raise_error(st, LuaError::UserDataDestructed)),
            })
        })?;
        lua.with(|st| st.set_metatable(Value::Userdata(u), Some(mt)))?;
        self.closers.borrow_mut().push(Box::new(move || {
            // The value is dropped outside the borrow of its cell (its
            // `Drop` may reach the scope again).
            let value = cell.try_borrow_mut().ok().and_then(|mut c| c.take());
            drop(value);
        }));
        self.destroy_at_end(&ud);
        Ok(ud)
    }

    /// Adds a function to run when the scope ends, after everything the
    /// scope created was cut off. Destructors run in the order they were
    /// added, also when the scope closure failed or panicked.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Buffer(String);
    /// impl LuaUserdata for Buffer {}
    /// let lua = Lua::new();
    /// let ud = lua.create_userdata(Buffer("temporary".into()))?;
    /// lua.scope(|scope| {
    ///     scope.add_destructor(|| drop(ud.take::<Buffer>()));
    ///     Ok(())
    /// })?;
    /// assert!(matches!(ud.borrow::<Buffer>(), Err(LuaError::UserDataDestructed)));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn add_destructor(&'scope self, destructor: impl FnOnce() + 'env) {
        self.destructors.borrow_mut().push(Box::new(destructor));
    }

    /// A new userdata holding `payload` (data borrowed by the scope) with
    /// metatable `mt`, destroyed when the scope ends.
    fn scoped_userdata<P: 'static>(
        &'scope self,
        payload: P,
        mt: Option<luna_core::gc::Gc<luna_core::object::table::Table>>,
    ) -> LuaResult<LuaAnyUserdata> {
        let lua = &self.lua;
        let ud = lua.with(|st| {
            let u = st.new_userdata(payload, USER_VALUES).map_err(|_| LuaError::memory())?;
            st.set_metatable(Value::Userdata(u), mt);
            Ok::<_, LuaError>(LuaAnyUserdata(lua.pin(st, Value::Userdata(u))))
        })??;
        self.destroy_at_end(&ud);
        Ok(ud)
    }

    /// Destroys `ud` when the scope ends: its value is dropped (unless a
    /// borrow outside the scope holds it: then it stays, and is dropped
    /// with the userdata) and its metatable becomes the destructed one.
    fn destroy_at_end(&'scope self, ud: &LuaAnyUserdata) {
        let ud = ud.clone();
        self.closers.borrow_mut().push(Box::new(move || {
            let Ok(lua) = Lua::of_handle(&ud.0) else { return };
            let payload = lua.with(|st| -> LuaResult<_> {
                let Value::Userdata(u) = lua.value_of(st, &ud.0)? else { return Ok(None) };
                let payload = u.take_payload();
                let mt = destructed_metatable(st)?;
                st.set_metatable(Value::Userdata(u), Some(mt));
                Ok(payload)
            });
            // The value's `Drop` runs outside the state access.
            drop(payload);
        }));
    }
}

/// Raises `e` as the error of the native call running on `st`.
fn raise_error(st: &mut State, e: LuaError) -> luna_core::Throw {
    match crate::lua::error_value(st, e) {
        Ok(v) => st.throw_value(v),
        Err(_) => st.memory_error(),
    }
}

/// The error of a failed borrow of data a scope lent.
pub(crate) fn borrow_error(e: PayloadError) -> LuaError {
    match e {
        PayloadError::Destructed => LuaError::UserDataDestructed,
        PayloadError::BorrowedMut => LuaError::UserDataBorrowError,
        _ => LuaError::UserDataBorrowMutError,
    }
}

/// The payload of a userdata `LuaScope::create_any_userdata` makes (its
/// value is elsewhere).
struct ScopeValue;

/// The type the metatable of destroyed scope userdata is registered by.
struct Destructed;

/// The metatable of userdata destroyed at the end of their scope: every
/// metamethod raises `UserdataDestructed`.
fn destructed_metatable(st: &mut State) -> LuaResult<luna_core::gc::Gc<luna_core::object::table::Table>> {
    if let Some(mt) = st.userdata_metatable(TypeId::of::<Destructed>()) {
        return Ok(mt);
    }
    let mem = |_| LuaError::memory();
    let mt = st.new_table().map_err(mem)?;
    let f = st.new_native(destructed_use).map_err(mem)?;
    for name in [
        "__index",
        "__newindex",
        "__call",
        "__tostring",
        "__len",
        "__concat",
        "__unm",
        "__add",
        "__sub",
        "__mul",
        "__div",
        "__mod",
        "__pow",
        "__idiv",
        "__band",
        "__bor",
        "__bxor",
        "__bnot",
        "__shl",
        "__shr",
        "__eq",
        "__lt",
        "__le",
        "__close",
        "__pairs",
    ] {
        st.raw_set_field(mt, name, f).map_err(mem)?;
    }
    let n = st.str_value("destructed").map_err(mem)?;
    st.raw_set_field(mt, "__name", n).map_err(mem)?;
    st.set_userdata_metatable(TypeId::of::<Destructed>(), mt);
    Ok(mt)
}

/// Whether `mt` is the metatable of destroyed scope userdata.
pub(crate) fn is_destructed(st: &State, mt: luna_core::gc::Gc<luna_core::object::table::Table>) -> bool {
    st.userdata_metatable(TypeId::of::<Destructed>()).is_some_and(|d| d.ptr_eq(mt))
}

fn destructed_use(st: &mut State) -> LResult<usize> {
    Err(raise_error(st, LuaError::UserDataDestructed))
}

/// A borrow taken by `borrow_scoped`/`borrow_mut_scoped`: of a userdata's
/// own value, or of data a scope lent it. The root (never read) keeps the
/// userdata pinned while the borrow lives; it comes after the borrow, so
/// the borrow ends first.
#[allow(dead_code)]
enum Loan<Own, Lent, LentMut> {
    Own(Own, crate::lua::Rooted),
    Lent(Lent, crate::lua::Rooted),
    LentMut(LentMut, crate::lua::Rooted),
}

impl LuaAnyUserdata {
    /// Runs `f` with the userdata's value borrowed as a `T` (mlua's
    /// `borrow_scoped`): the value of a userdata holding a `T`, or the data
    /// a scope lent (`LuaScope::create_userdata_ref`), which
    /// `LuaAnyUserdata::borrow` does not give out. After the scope,
    /// `UserdataDestructed`. With the `userdata-wrappers` feature, also the
    /// `T` inside any wrapper the userdata holds or was lent (`Rc<T>`,
    /// `Arc<Mutex<T>>`, ...; a lock held elsewhere or poisoned is
    /// `UserDataBorrowError`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Point(i32, i32);
    /// impl LuaUserdata for Point {}
    /// let lua = Lua::new();
    /// let p = Point(1, 2);
    /// lua.scope(|scope| {
    ///     let ud = scope.create_userdata_ref(&p)?;
    ///     assert_eq!(ud.borrow_scoped::<Point, _>(|p| p.0 + p.1)?, 3);
    ///     Ok(())
    /// })?;
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn borrow_scoped<T: 'static, R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        #[cfg(feature = "userdata-wrappers")]
        if let Some(kind) = self.wrapper_of::<T>()? {
            return crate::userdata_wrappers::borrow_scoped(self, kind, f);
        }
        self.lend_scoped(f)
    }

    /// The wrapper of a `T` the userdata holds or was lent, if it holds
    /// no `T` itself.
    #[cfg(feature = "userdata-wrappers")]
    fn wrapper_of<T: 'static>(&self) -> LuaResult<Option<crate::userdata_wrappers::Kind>> {
        self.with_ud(|_, _, u| Ok(crate::userdata_wrappers::Kind::of::<T>(Userdata::type_id(&u))))
    }

    /// `borrow_scoped` of the userdata's own value or of data a scope lent
    /// it, not through a wrapper.
    pub(crate) fn lend_scoped<T: 'static, R>(&self, f: impl FnOnce(&T) -> R) -> LuaResult<R> {
        let lua = Lua::of_handle(&self.0)?;
        let loan = lua.with(|st| -> LuaResult<_> {
            let v = lua.value_of(st, &self.0)?;
            let u = crate::userdata::userdata_of::<T>(st, v)?;
            let own = match Userdata::borrow_payload::<T>(u) {
                Ok(g) => return Ok(Loan::Own(g, crate::lua::Rooted::new(&lua, st, v))),
                Err(e) => e,
            };
            if own != PayloadError::WrongType {
                return Err(crate::userdata::payload_error::<T>(st, v, own));
            }
            if let Ok(g) = Userdata::borrow_payload::<ScopedRef<T>>(u) {
                return Ok(Loan::Lent(g, crate::lua::Rooted::new(&lua, st, v)));
            }
            match Userdata::borrow_payload::<ScopedMut<T>>(u) {
                Ok(g) => Ok(Loan::LentMut(g, crate::lua::Rooted::new(&lua, st, v))),
                Err(PayloadError::WrongType) => {
                    Err(crate::userdata::payload_error::<T>(st, v, PayloadError::WrongType))
                }
                Err(e) => Err(borrow_error(e)),
            }
        })??;
        // `f` runs outside the state access, so it may use the state.
        match &loan {
            Loan::Own(g, _) => Ok(f(g)),
            Loan::Lent(g, _) => g.get().map(f).ok_or(LuaError::UserDataDestructed),
            Loan::LentMut(g, _) => g.get().map(f).ok_or(LuaError::UserDataDestructed),
        }
    }

    /// As [`borrow_scoped`](Self::borrow_scoped), mutably (mlua's
    /// `borrow_mut_scoped`); data a scope lent shared
    /// (`create_userdata_ref`) cannot be borrowed mutably, nor the value
    /// of an `Rc<T>`/`Arc<T>` that the host shares (`Rc::get_mut`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Counter(i64);
    /// impl LuaUserdata for Counter {}
    /// let lua = Lua::new();
    /// let mut c = Counter(1);
    /// lua.scope(|scope| {
    ///     let ud = scope.create_userdata_ref_mut(&mut c)?;
    ///     ud.borrow_mut_scoped::<Counter, _>(|c| c.0 += 10)?;
    ///     Ok(())
    /// })?;
    /// assert_eq!(c.0, 11);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn borrow_mut_scoped<T: 'static, R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        #[cfg(feature = "userdata-wrappers")]
        if let Some(kind) = self.wrapper_of::<T>()? {
            return crate::userdata_wrappers::borrow_mut_scoped(self, kind, f);
        }
        self.lend_mut_scoped(f)
    }

    /// `lend_scoped`, mutably.
    pub(crate) fn lend_mut_scoped<T: 'static, R>(&self, f: impl FnOnce(&mut T) -> R) -> LuaResult<R> {
        let lua = Lua::of_handle(&self.0)?;
        let mut loan = lua.with(|st| -> LuaResult<Loan<_, (), _>> {
            let v = lua.value_of(st, &self.0)?;
            let u = crate::userdata::userdata_of::<T>(st, v)?;
            let own = match Userdata::borrow_payload_mut::<T>(u) {
                Ok(g) => return Ok(Loan::Own(g, crate::lua::Rooted::new(&lua, st, v))),
                Err(e) => e,
            };
            if own != PayloadError::WrongType {
                return Err(crate::userdata::payload_error::<T>(st, v, own));
            }
            match Userdata::borrow_payload_mut::<ScopedMut<T>>(u) {
                Ok(g) => Ok(Loan::LentMut(g, crate::lua::Rooted::new(&lua, st, v))),
                Err(PayloadError::WrongType) if Userdata::type_id(&u) == TypeId::of::<ScopedRef<T>>() => {
                    Err(borrow_error(PayloadError::Borrowed))
                }
                Err(PayloadError::WrongType) => {
                    Err(crate::userdata::payload_error::<T>(st, v, PayloadError::WrongType))
                }
                Err(e) => Err(borrow_error(e)),
            }
        })??;
        match &mut loan {
            Loan::Own(g, _) => Ok(f(g)),
            Loan::LentMut(g, _) => g.get_mut().map(f).ok_or(LuaError::UserDataDestructed),
            Loan::Lent(..) => Err(LuaError::UserDataDestructed),
        }
    }
}
