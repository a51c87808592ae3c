//! Rust functions callable from Lua: `Lua::create_function`,
//! `create_function_mut`, and `LuaFunction::wrap` for natural-arity
//! closures.
//!
//! A callback runs in three steps. Its arguments are taken from the Lua
//! stack as facade values (handles pinned); the state is then lent to the
//! user code (see `state_access`), which converts the arguments, runs, and
//! converts its results; finally the results are pushed back. An error
//! returned by the user code becomes a Lua error value carrying the
//! `LuaError` (bad arguments get the name the function was called by). A
//! panic is caught and carried through Lua to the host, which resumes it
//! (see `panic`): nothing unwinds through the runtime.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::{Rc, Weak};

use luna_core::object::function::NativeFn;
use luna_core::vm::budget::{InterruptAction, InterruptFn};
use luna_core::{LResult, State};

use crate::error::{LuaError, LuaResult};
use crate::failure::{Failure, Fallible};
use crate::function::LuaFunction;
use crate::lua::{Lua, LuaInner};
use crate::multi::{FromLuaMulti, GatheredMulti, IntoLua, IntoLuaMulti, PreparedMulti};
use crate::value::LuaValue;

/// The `Lua` of a native closure, from the weak reference it keeps (an
/// error once the state's last `Lua` is gone).
#[inline]
pub(crate) fn upgrade(weak: &Weak<LuaInner>, st: &mut State) -> Result<Lua, luna_core::Throw> {
    match weak.upgrade() {
        Some(inner) => Ok(Lua { inner }),
        None => Err(st.error_msg("Lua state dropped")),
    }
}

/// Runs a typed callback for the native call running on `st`.
pub(crate) fn run_callback<A, R, F>(weak: &Weak<LuaInner>, st: &mut State, func: &F) -> LResult<usize>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, A) -> LuaResult<R>,
{
    let lua = upgrade(weak, st)?;
    run_function(&lua, st, func)
}

/// Runs `func` on the arguments of the native call running on `st`:
/// converts them, runs `func` with the state lent to it, and pushes its
/// results.
pub(crate) fn run_function<A, R, F>(lua: &Lua, st: &mut State, func: &F) -> LResult<usize>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, A) -> LuaResult<R>,
{
    // Arguments: converted here when direct, else lifted to facade values
    // converted by the user-code step.
    let (base, nargs) = (st.frame_base() + 1, st.nargs());
    let args = match GatheredMulti::<A>::new(lua, st, base, nargs, Some(1)) {
        Ok(args) => args,
        Err(f) => return Err(raise_failure(lua, st, f)),
    };
    let outcome = enter_user_code(lua, st, |lua| {
        let a = args.finish(lua, Some(1))?;
        Ok(PreparedMulti::new(func(lua, a)?, lua)?)
    });
    push_results(lua, st, outcome)
}

/// Pushes the results of a callback's user code, or raises its error.
#[inline(always)]
pub(crate) fn push_results<R: IntoLuaMulti>(
    lua: &Lua,
    st: &mut State,
    outcome: Fallible<PreparedMulti<R>>,
) -> LResult<usize> {
    match outcome {
        Ok(results) => match results.push(lua, st) {
            Ok(n) => Ok(n),
            Err(e) => Err(raise_cold(lua, st, e)),
        },
        Err(f) => Err(raise_failure(lua, st, f)),
    }
}

/// `raise` out of the way of a crossing's common path.
#[cold]
#[inline(never)]
pub(crate) fn raise_failure(lua: &Lua, st: &mut State, f: Failure) -> luna_core::Throw {
    raise(lua, st, f.into_error())
}

/// As `raise_failure`, for an unboxed error.
#[cold]
#[inline(never)]
pub(crate) fn raise_cold(lua: &Lua, st: &mut State, e: LuaError) -> luna_core::Throw {
    raise(lua, st, e)
}

/// Runs user code with the state lent to it. A panic is caught and kept
/// in the state's panic slot, and the code fails (`raise` then carries the
/// panic on through Lua: see `panic`); nothing unwinds through the
/// runtime. A panic already waiting (found in the arguments) fails the
/// code without running it. The outcome is a `Fallible`, so that the
/// common path hands on the value alone (see `failure`).
#[inline]
pub(crate) fn enter_user_code<R>(lua: &Lua, st: &mut State, body: impl FnOnce(&Lua) -> Fallible<R>) -> Fallible<R> {
    if lua.inner.panic.is_full() {
        return Err(panicked());
    }
    let outcome = {
        let _lend = lua.inner.cell.lend(st);
        catch_unwind(AssertUnwindSafe(|| body(lua)))
    };
    match outcome {
        Ok(r) => r,
        Err(payload) => {
            lua.inner.panic.put(payload);
            Err(panicked())
        }
    }
}

/// `enter_user_code` for user code returning a `LuaResult` (hooks, the
/// warning function, the interrupt).
pub(crate) fn run_user_code<R>(lua: &Lua, st: &mut State, body: impl FnOnce(&Lua) -> LuaResult<R>) -> LuaResult<R> {
    enter_user_code(lua, st, |lua| Ok(body(lua)?)).map_err(Failure::into_error)
}

/// The error of user code that panicked; `raise` replaces it by the panic
/// waiting in the slot.
#[cold]
fn panicked() -> Failure {
    LuaError::runtime("a Rust callback panicked").into()
}

/// Turns a callback's error into a Lua error: a value carrying the
/// `LuaError`, raised with the message handler.
pub(crate) fn raise(lua: &Lua, st: &mut State, e: LuaError) -> luna_core::Throw {
    if lua.inner.panic.is_full() {
        return raise_panic(lua, st);
    }
    let (e, text) = match e {
        // A bad argument: Lua sees it worded as PUC's `luaL_argerror`,
        // naming the function as the call site knows it and positioned at
        // the calling line. The host sees mlua's fields: `to` is the
        // registered name of a userdata method (`Type.name`), else the
        // name the call site knows, else none.
        LuaError::BadArgument { to, pos, name, cause } => {
            let mut lua_pos = pos;
            let called = match st.frame_at_level(0).and_then(|c| st.callback_name(c)) {
                Some((kind, name)) => {
                    if kind == "method" {
                        lua_pos = pos.saturating_sub(1);
                    }
                    Some(name)
                }
                None => {
                    let f = st.stack_get(st.frame_base());
                    st.global_func_name(f)
                }
            };
            let location = String::from_utf8_lossy(&st.where_(1)).into_owned();
            // A receiver of another userdata type reads as `luaL_checkudata`
            // says it (`Type expected, got userdata`).
            let mismatch;
            let wording = match (&*cause, &to) {
                (LuaError::UserDataTypeMismatch, Some(method)) => {
                    mismatch = LuaError::FromLuaConversionError {
                        from: "userdata",
                        to: method.rsplit_once('.').map_or(method.as_str(), |(t, _)| t).to_string(),
                        message: None,
                    };
                    &mismatch
                }
                _ => &*cause,
            };
            let text = crate::error::bad_argument_message(Some(called.as_deref().unwrap_or("?")), lua_pos, wording);
            let to = to.or(called);
            (LuaError::BadArgument { to, pos, name, cause }, Some(location + &text))
        }
        LuaError::MemoryError(_) => {
            return st.memory_error();
        }
        other => (other, None),
    };
    match crate::lua::error_value_with_text(st, e, text) {
        Ok(v) => st.throw_value(v),
        Err(_) => st.memory_error(),
    }
}

/// Raises the waiting panic as a panic value (see `panic`). Without
/// memory for the value the panic stays waiting, to be resumed by the next
/// state access, and a memory error is raised.
#[cold]
fn raise_panic(lua: &Lua, st: &mut State) -> luna_core::Throw {
    let Some(p) = lua.inner.panic.take() else { return st.memory_error() };
    match crate::panic::panic_value(st, p) {
        Ok(v) => st.throw_value(v),
        Err(p) => {
            lua.inner.panic.put(p);
            st.memory_error()
        }
    }
}

impl Lua {
    /// Creates a Lua function from a Rust closure taking the state and its
    /// arguments (converted with `FromLuaMulti`) and returning its results
    /// (converted with `IntoLuaMulti`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let add = lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b))?;
    /// lua.globals().set("add", add)?;
    /// assert_eq!(lua.load("return add(40, 2)").eval::<i64>()?, 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_function<A, R, F>(&self, func: F) -> LuaResult<LuaFunction>
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static,
    {
        let weak = Rc::downgrade(&self.inner);
        let native = move |st: &mut State| -> LResult<usize> { run_callback(&weak, st, &func) };
        self.create_native(NativeFn::Boxed(Box::new(native)))
    }

    /// As `create_function`, for a closure that mutates its captured
    /// state. Calling it again while it runs (from Lua code it calls) is
    /// the error `RecursiveMutCallback`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut total = 0;
    /// let add = lua.create_function_mut(move |_, n: i64| {
    ///     total += n;
    ///     Ok(total)
    /// })?;
    /// lua.globals().set("add", add)?;
    /// assert_eq!(lua.load("add(1); add(2); return add(3)").eval::<i64>()?, 6);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_function_mut<A, R, F>(&self, func: F) -> LuaResult<LuaFunction>
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, A) -> LuaResult<R> + 'static,
    {
        let func = RefCell::new(func);
        self.create_function(move |lua, args: A| {
            let mut f = func.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            (*f)(lua, args)
        })
    }
}

/// Closures of any arity (up to 16) usable with `LuaFunction::wrap` and
/// `wrap_raw`: `Fn(A, B, ...) -> Output` where the arguments convert from
/// Lua (`FromLuaMulti` of the tuple).
pub trait LuaNativeFn<A: FromLuaMulti> {
    /// What the closure returns.
    type Output;
    /// Calls the closure with the converted arguments.
    fn call(&self, args: A) -> Self::Output;
}

/// As `LuaNativeFn`, for closures that mutate their captured state
/// (`LuaFunction::wrap_mut`, `wrap_raw_mut`).
pub trait LuaNativeFnMut<A: FromLuaMulti> {
    /// What the closure returns.
    type Output;
    /// Calls the closure with the converted arguments.
    fn call(&mut self, args: A) -> Self::Output;
}

macro_rules! impl_native_fn {
    ($($name:ident)*) => {
        impl<FN, $($name,)* R> LuaNativeFn<($($name,)*)> for FN
        where
            FN: Fn($($name),*) -> R + 'static,
            ($($name,)*): FromLuaMulti,
        {
            type Output = R;
            #[allow(non_snake_case)]
            fn call(&self, args: ($($name,)*)) -> R {
                let ($($name,)*) = args;
                self($($name),*)
            }
        }

        impl<FN, $($name,)* R> LuaNativeFnMut<($($name,)*)> for FN
        where
            FN: FnMut($($name),*) -> R + 'static,
            ($($name,)*): FromLuaMulti,
        {
            type Output = R;
            #[allow(non_snake_case)]
            fn call(&mut self, args: ($($name,)*)) -> R {
                let ($($name,)*) = args;
                self($($name),*)
            }
        }
    };
}

impl_native_fn!();
impl_native_fn!(A);
impl_native_fn!(A B);
impl_native_fn!(A B C);
impl_native_fn!(A B C D);
impl_native_fn!(A B C D E);
impl_native_fn!(A B C D E F);
impl_native_fn!(A B C D E F G);
impl_native_fn!(A B C D E F G H);
impl_native_fn!(A B C D E F G H I);
impl_native_fn!(A B C D E F G H I J);
impl_native_fn!(A B C D E F G H I J K);
impl_native_fn!(A B C D E F G H I J K L);
impl_native_fn!(A B C D E F G H I J K L M);
impl_native_fn!(A B C D E F G H I J K L M N);
impl_native_fn!(A B C D E F G H I J K L M N O);
impl_native_fn!(A B C D E F G H I J K L M N O P);

/// A Rust closure waiting to become a Lua function (the `LuaFunction::wrap`
/// family); it is created when converted into Lua.
struct Wrapped<F>(F);

impl<F> IntoLua for Wrapped<F>
where
    F: FnOnce(&Lua) -> LuaResult<LuaFunction>,
{
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        (self.0)(lua).map(LuaValue::Function)
    }
}

impl LuaFunction {
    /// Wraps a closure of natural arity returning a `Result`: its
    /// arguments convert from Lua, `Ok` values are its results, an `Err`
    /// (any error type, as `ExternalError` converts it) is raised as a Lua
    /// error. The closure becomes a Lua function when stored into Lua.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.globals().set("mul", LuaFunction::wrap(|a: f64, b: f64| Ok::<_, LuaError>(a * b)))?;
    /// assert_eq!(lua.load("return mul(6, 7)").eval::<f64>()?, 42.0);
    /// let parse = LuaFunction::wrap(|s: String| s.parse::<i64>());
    /// lua.globals().set("parse", parse)?;
    /// assert!(lua.load("return parse('x')").exec().is_err());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn wrap<F, A, R, E>(func: F) -> impl IntoLua
    where
        F: LuaNativeFn<A, Output = Result<R, E>> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
        E: crate::ExternalError,
    {
        Wrapped(move |lua: &Lua| lua.create_function(move |_, args: A| func.call(args).map_err(|e| e.into_lua_err())))
    }

    /// As `wrap`, for a closure that mutates its captured state (calling
    /// it again while it runs is `LuaError::RecursiveMutCallback`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let mut n = 0;
    /// lua.globals().set("next_id", LuaFunction::wrap_mut(move || { n += 1; Ok::<_, LuaError>(n) }))?;
    /// assert_eq!(lua.load("next_id(); return next_id()").eval::<i64>()?, 2);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn wrap_mut<F, A, R, E>(func: F) -> impl IntoLua
    where
        F: LuaNativeFnMut<A, Output = Result<R, E>> + 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
        E: crate::ExternalError,
    {
        let func = RefCell::new(func);
        Wrapped(move |lua: &Lua| {
            lua.create_function(move |_, args: A| {
                let mut f = func.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
                f.call(args).map_err(|e| e.into_lua_err())
            })
        })
    }

    /// Wraps a closure whose result converts to Lua values as it is
    /// (`IntoLuaMulti`): a returned `Result` gives its value, or `nil` and
    /// the error, the Lua idiom for failures a script checks.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.globals().set("half", LuaFunction::wrap_raw(|n: i64| if n % 2 == 0 { Ok(n / 2) } else { Err("odd") }))?;
    /// assert_eq!(lua.load("return select(2, half(3))").eval::<String>()?, "odd");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn wrap_raw<F, A>(func: F) -> impl IntoLua
    where
        F: LuaNativeFn<A> + 'static,
        F::Output: IntoLuaMulti,
        A: FromLuaMulti,
    {
        Wrapped(move |lua: &Lua| lua.create_function(move |_, args: A| Ok(func.call(args))))
    }

    /// As `wrap_raw`, for a closure that mutates its captured state.
    pub fn wrap_raw_mut<F, A>(func: F) -> impl IntoLua
    where
        F: LuaNativeFnMut<A> + 'static,
        F::Output: IntoLuaMulti,
        A: FromLuaMulti,
    {
        let func = RefCell::new(func);
        Wrapped(move |lua: &Lua| {
            lua.create_function(move |_, args: A| {
                let mut f = func.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
                Ok(f.call(args))
            })
        })
    }
}

/// What a script does after the interrupt callback (`Lua::set_interrupt`)
/// returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaVmState {
    /// Keep running.
    Continue,
    /// Yield the running coroutine to whoever resumed it (with no values);
    /// resuming it continues where it stopped. Outside a coroutine the
    /// script keeps running.
    Yield,
}

/// How often the interrupt callback runs, in units of the instruction
/// budget (function calls and loop iterations).
pub const INTERRUPT_PERIOD: u32 = 1024;

impl Lua {
    /// Installs a callback that runs periodically while Lua code runs
    /// (every [`INTERRUPT_PERIOD`] function calls and loop iterations), to
    /// watch a deadline, a cancellation flag or a progress counter. It may
    /// let the script continue, yield the running coroutine, or stop the
    /// script by returning an error (raised in the script: `pcall` can
    /// catch it, but the callback keeps running and can fail again).
    /// Replaces any previous callback. Fails with `LuaError::StateBusy`
    /// when called from inside another operation on the state (from a
    /// `Deserialize` implementation run by `from_value`, say), where the
    /// state cannot be changed.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::cell::Cell; use std::rc::Rc;
    /// let lua = Lua::new();
    /// let ticks = Rc::new(Cell::new(0));
    /// let t = ticks.clone();
    /// lua.set_interrupt(move |_| {
    ///     t.set(t.get() + 1);
    ///     if t.get() > 100 { Err(LuaError::runtime("time is up")) } else { Ok(LuaVmState::Continue) }
    /// })?;
    /// let err = lua.load("while true do end").exec().unwrap_err();
    /// assert!(err.to_string().contains("time is up"));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_interrupt<F>(&self, callback: F) -> LuaResult<()>
    where
        F: Fn(&Lua) -> LuaResult<LuaVmState> + 'static,
    {
        let weak = Rc::downgrade(&self.inner);
        let cb: InterruptFn = Rc::new(move |st: &mut State| {
            let Some(inner) = weak.upgrade() else {
                return Ok(InterruptAction::Continue);
            };
            let lua = Lua { inner };
            match run_user_code(&lua, st, |lua| callback(lua)) {
                Ok(LuaVmState::Continue) => Ok(InterruptAction::Continue),
                Ok(LuaVmState::Yield) => Ok(InterruptAction::Yield),
                Err(e) => Err(raise(&lua, st, e)),
            }
        });
        self.with(|st| st.set_interrupt(Some(cb), INTERRUPT_PERIOD))
    }

    /// Removes the interrupt callback (`LuaError::StateBusy` as for
    /// `set_interrupt`).
    pub fn remove_interrupt(&self) -> LuaResult<()> {
        self.with(|st| st.set_interrupt(None, INTERRUPT_PERIOD))
    }
}
