//! Registering a userdata type: the `LuaUserdataFields` and
//! `LuaUserdataMethods` hooks collect Rust closures in a
//! `LuaUserdataRegistry`, which becomes, once per state and type, a
//! metatable shared by every userdata of the type plus a class table
//! (methods, functions and constant fields).
//!
//! The metatable's `__index` is the class table itself when the type has
//! no field getters and no `__index` fallback, so `ud:method()` is a plain
//! table lookup in the VM. Otherwise `__index` is one native closure that
//! looks the key up in a table of getter numbers and runs the getter in
//! its own frame (no second call), then in the class table, then in the
//! fallback. `__newindex` works the same way for setters.
//!
//! Every closure body borrows the receiver through the userdata's borrow
//! flag and pins it for the duration of the call: Lua code the body calls
//! back into cannot free it, and a conflicting borrow (`a:combine(a)` with
//! `&mut self` and `&Self`) is a clean error naming the type.

use std::any::TypeId;
use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::rc::{Rc, Weak};

use luna_core::gc::Gc;
use luna_core::object::function::NativeFn;
use luna_core::object::table::Table;
use luna_core::object::userdata::Userdata;
use luna_core::state::HostRoot;
use luna_core::vm::debug::ValLoc;
use luna_core::{LResult, State, Value};

use crate::callback::{raise, run_function, run_user_code, upgrade};
use crate::error::{LuaError, LuaResult};
use crate::lua::{Lua, LuaInner};
use crate::multi::{
    bad_argument, FromLua, FromLuaMulti, Gathered, GatheredMulti, IntoLua, IntoLuaMulti, Prepared, PreparedMulti,
};
use crate::userdata::{payload_error, short_type_name, type_name_in, LuaAnyUserdata, LuaMetaMethod};
use crate::value::LuaValue;

/// The code of a registered closure, run on the frame of a native call
/// (the receiver is argument 1).
type Body = Rc<dyn Fn(&Lua, &mut State) -> LResult<usize>>;

/// A value converted when the type is registered.
type Deferred = Box<dyn FnOnce(&Lua) -> LuaResult<LuaValue>>;

/// What the state knows of a registered userdata type.
pub(crate) struct TypeInfo {
    /// The name Lua messages use (`__name`).
    pub(crate) name: String,
    /// The class table. Reachable from the metatable (as `__index` or an
    /// upvalue of it), which the runtime keeps by `TypeId`.
    class: Gc<Table>,
}

/// The registered types of a state (kept in the state's extension map).
#[derive(Default)]
struct UserdataTypes(HashMap<TypeId, TypeInfo>);

/// What the state knows of type `id`, if registered.
pub(crate) fn type_info(st: &State, id: TypeId) -> Option<&TypeInfo> {
    st.ext::<UserdataTypes>().and_then(|t| t.0.get(&id))
}

/// The class table of type `id`, if registered.
pub(crate) fn class_table(st: &State, id: TypeId) -> Option<Gc<Table>> {
    type_info(st, id).map(|i| i.class)
}

/// One field: its getter and setter.
struct Field {
    name: String,
    get: Option<Body>,
    set: Option<Body>,
}

/// Collects what a `LuaUserdata` type registers (see the module docs).
pub struct LuaUserdataRegistry<T> {
    fields: Vec<Field>,
    /// Constant fields (`false`) and meta fields (`true`).
    values: Vec<(bool, String, Deferred)>,
    methods: Vec<(String, Body)>,
    meta: Vec<(LuaMetaMethod, Body)>,
    error: Option<LuaError>,
    _t: PhantomData<T>,
}

impl<T: 'static> LuaUserdataRegistry<T> {
    pub(crate) fn new() -> Self {
        LuaUserdataRegistry {
            fields: Vec::new(),
            values: Vec::new(),
            methods: Vec::new(),
            meta: Vec::new(),
            error: None,
            _t: PhantomData,
        }
    }

    fn field(&mut self, name: String) -> &mut Field {
        let i = match self.fields.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                self.fields.push(Field { name, get: None, set: None });
                self.fields.len() - 1
            }
        };
        &mut self.fields[i]
    }

    fn add_meta(&mut self, meta: LuaMetaMethod, body: Body) {
        if meta.name() == "__gc" {
            self.error.get_or_insert(LuaError::runtime(
                "__gc cannot be overridden: dropping the Rust value is the finalizer",
            ));
            return;
        }
        self.meta.push((meta, body));
    }
}

/// The field registration hooks of `LuaUserdata::add_fields`.
pub trait LuaUserdataFields<T> {
    /// A constant field, the same for every userdata of the type (also in
    /// the class table).
    fn add_field<V: IntoLua + 'static>(&mut self, name: impl Into<String>, value: V);

    /// A field read by a getter of the value.
    fn add_field_method_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua,
        F: Fn(&Lua, &T) -> LuaResult<R> + 'static;

    /// A field written by a setter of the value.
    fn add_field_method_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static;

    /// A field read by a function of the userdata handle.
    fn add_field_function_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua,
        F: Fn(&Lua, LuaAnyUserdata) -> LuaResult<R> + 'static;

    /// A field written by a function of the userdata handle.
    fn add_field_function_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua,
        F: FnMut(&Lua, LuaAnyUserdata, A) -> LuaResult<()> + 'static;

    /// A metatable field (`LuaMetaMethod::Name` for `__name`, or any key).
    fn add_meta_field<V: IntoLua + 'static>(&mut self, meta: impl Into<LuaMetaMethod>, value: V);

    /// A metatable field whose value `f` makes when the type is
    /// registered (a table or function built with the `Lua`). `__index`
    /// and `__newindex` must be nil, a table or a function: another value
    /// is `MetaMethodTypeError` when the type is registered.
    fn add_meta_field_with<R, F>(&mut self, meta: impl Into<LuaMetaMethod>, f: F)
    where
        R: IntoLua,
        F: FnOnce(&Lua) -> LuaResult<R> + 'static;
}

/// The method registration hooks of `LuaUserdata::add_methods`.
pub trait LuaUserdataMethods<T> {
    /// A method taking the value by reference: `ud:name(args)`.
    fn add_method<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static;

    /// A method taking the value mutably. Calling it while the value is
    /// borrowed (by another method running, or a guard) is an error.
    fn add_method_mut<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static;

    /// A method consuming the value: `ud:name(args)` takes the value out of
    /// the userdata (later uses fail with `UserDataDestructed`).
    fn add_method_once<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        T: 'static,
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, T, A) -> LuaResult<R> + 'static,
    {
        let name = name.into();
        let to = format!("{}.{name}", short_type_name::<T>());
        self.add_function(name, move |lua, (ud, args): (LuaAnyUserdata, A)| {
            let this = ud.take::<T>().map_err(|e| LuaError::BadArgument {
                to: Some(to.clone()),
                pos: 1,
                name: Some("self".to_string()),
                cause: std::sync::Arc::new(e),
            })?;
            method(lua, this, args)
        });
    }

    /// A function without receiver (in the class table: `Type.name(args)`).
    fn add_function<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static;

    /// As `add_function`, for a closure mutating its captured state.
    fn add_function_mut<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, A) -> LuaResult<R> + 'static;

    /// A metamethod taking the value (its first operand) by reference.
    fn add_meta_method<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static;

    /// A metamethod taking the value mutably.
    fn add_meta_method_mut<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static;

    /// A metamethod taking all its operands as arguments (for operators
    /// where the userdata may be either operand).
    fn add_meta_function<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static;

    /// As `add_meta_function`, for a closure mutating its captured state.
    fn add_meta_function_mut<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, A) -> LuaResult<R> + 'static,
    {
        let function = RefCell::new(function);
        self.add_meta_function(meta, move |lua, args: A| {
            let mut f = function.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            (*f)(lua, args)
        });
    }
}

impl<T: 'static> LuaUserdataFields<T> for LuaUserdataRegistry<T> {
    fn add_field<V: IntoLua + 'static>(&mut self, name: impl Into<String>, value: V) {
        self.values.push((false, name.into(), Box::new(move |lua| value.into_lua(lua))));
    }

    fn add_field_method_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua,
        F: Fn(&Lua, &T) -> LuaResult<R> + 'static,
    {
        self.field(name.into()).get = Some(getter_body(getter));
    }

    fn add_field_method_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static,
    {
        let name = name.into();
        let body = setter_body::<T, A, _>(name.clone(), setter);
        self.field(name).set = Some(body);
    }

    fn add_field_function_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua,
        F: Fn(&Lua, LuaAnyUserdata) -> LuaResult<R> + 'static,
    {
        let body: Body = Rc::new(move |lua, st| {
            let this = st.arg(1);
            let ud = handle_of::<T>(lua, st, this);
            let out = run_user_code(lua, st, |lua| Prepared::new(getter(lua, ud?)?, lua));
            push_one(lua, st, out)
        });
        self.field(name.into()).get = Some(body);
    }

    fn add_field_function_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua,
        F: FnMut(&Lua, LuaAnyUserdata, A) -> LuaResult<()> + 'static,
    {
        let name = name.into();
        let setter = RefCell::new(setter);
        let field = name.clone();
        let body: Body = Rc::new(move |lua, st| {
            let (this, v) = (st.arg(1), st.arg(3));
            let ud = handle_of::<T>(lua, st, this);
            let value = Gathered::<A>::new(v, lua, st);
            let out = run_user_code(lua, st, |lua| {
                let v = value.finish(lua).map_err(|e| field_error::<T>(lua, &field, e))?;
                let mut f = setter.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
                (*f)(lua, ud?, v)
            });
            out.map(|()| 0).map_err(|e| raise(lua, st, e))
        });
        self.field(name).set = Some(body);
    }

    fn add_meta_field<V: IntoLua + 'static>(&mut self, meta: impl Into<LuaMetaMethod>, value: V) {
        let key = meta.into().name().to_string();
        if key == "__gc" {
            self.error.get_or_insert(LuaError::runtime(
                "__gc cannot be overridden: dropping the Rust value is the finalizer",
            ));
            return;
        }
        self.values.push((true, key, Box::new(move |lua| value.into_lua(lua))));
    }

    fn add_meta_field_with<R, F>(&mut self, meta: impl Into<LuaMetaMethod>, f: F)
    where
        R: IntoLua,
        F: FnOnce(&Lua) -> LuaResult<R> + 'static,
    {
        let key = meta.into().name().to_string();
        if key == "__gc" {
            self.error.get_or_insert(LuaError::MetaMethodRestricted(key));
            return;
        }
        self.values.push((true, key, Box::new(move |lua| f(lua)?.into_lua(lua))));
    }
}

impl<T: 'static> LuaUserdataMethods<T> for LuaUserdataRegistry<T> {
    fn add_method<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
    {
        self.methods.push((name.into(), method_body(method)));
    }

    fn add_method_mut<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
    {
        self.methods.push((name.into(), method_mut_body(method)));
    }

    fn add_function<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static,
    {
        self.methods.push((name.into(), function_body(function)));
    }

    fn add_function_mut<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, A) -> LuaResult<R> + 'static,
    {
        let function = RefCell::new(function);
        self.add_function(name, move |lua, args: A| {
            let mut f = function.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            (*f)(lua, args)
        });
    }

    fn add_meta_method<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
    {
        self.add_meta(meta.into(), method_body(method));
    }

    fn add_meta_method_mut<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
    {
        self.add_meta(meta.into(), method_mut_body(method));
    }

    fn add_meta_function<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, function: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static,
    {
        self.add_meta(meta.into(), function_body(function));
    }
}

// ---------------------------------------------------------------------------
// Closure bodies.

/// Pins the receiver `v` and borrows it as a `T` (the pin keeps it alive
/// however the Lua code the body calls changes the stack).
#[inline]
fn borrow_self<T: 'static>(
    st: &mut State,
    v: Value,
) -> LuaResult<(luna_core::object::userdata::PayloadRef<T>, HostRoot)> {
    let u = crate::userdata::userdata_of::<T>(st, v)?;
    match Userdata::borrow_payload::<T>(u) {
        Ok(g) => Ok((g, st.pin(v))),
        Err(e) => Err(payload_error::<T>(st, v, e)),
    }
}

/// As `borrow_self`, mutably.
#[inline]
fn borrow_self_mut<T: 'static>(
    st: &mut State,
    v: Value,
) -> LuaResult<(luna_core::object::userdata::PayloadMut<T>, HostRoot)> {
    let u = crate::userdata::userdata_of::<T>(st, v)?;
    match Userdata::borrow_payload_mut::<T>(u) {
        Ok(g) => Ok((g, st.pin(v))),
        Err(e) => Err(payload_error::<T>(st, v, e)),
    }
}

/// The receiver `v` as a handle, checked to be a `T` userdata.
fn handle_of<T: 'static>(lua: &Lua, st: &mut State, v: Value) -> LuaResult<LuaAnyUserdata> {
    let u = crate::userdata::userdata_of::<T>(st, v).map_err(|e| bad_argument(1, e))?;
    if u.type_id() != TypeId::of::<T>() {
        return Err(bad_argument(1, payload_error::<T>(st, v, luna_core::object::userdata::PayloadError::WrongType)));
    }
    Ok(LuaAnyUserdata(lua.pin(st, v)))
}

/// The error for a receiver that cannot be borrowed: a bad argument when
/// it is not a `T`, else the borrow error itself.
#[cold]
fn self_error(e: LuaError) -> LuaError {
    match e {
        e @ LuaError::FromLuaConversionError { .. } => bad_argument(1, e),
        other => other,
    }
}

/// Pushes a getter's result.
#[inline]
fn push_one<R: IntoLua>(lua: &Lua, st: &mut State, out: LuaResult<Prepared<R>>) -> LResult<usize> {
    match out.and_then(|p| p.lower(lua, st)) {
        Ok(v) => match Lua::push_raw(st, v) {
            Ok(()) => Ok(1),
            Err(e) => Err(raise(lua, st, e)),
        },
        Err(e) => Err(raise(lua, st, e)),
    }
}

/// Pushes a method's results.
#[inline]
fn push_results<R: IntoLuaMulti>(lua: &Lua, st: &mut State, out: LuaResult<PreparedMulti<R>>) -> LResult<usize> {
    match out.and_then(|results| results.push(lua, st)) {
        Ok(n) => Ok(n),
        Err(e) => Err(raise(lua, st, e)),
    }
}

/// A setter's conversion error, naming the field.
#[cold]
fn field_error<T: 'static>(lua: &Lua, field: &str, e: LuaError) -> LuaError {
    let (type_name, location) = lua
        .with(|st| (type_name_in::<T>(st), String::from_utf8_lossy(&st.where_(1)).into_owned()))
        .unwrap_or_else(|_| (short_type_name::<T>(), String::new()));
    let detail = match &e {
        LuaError::FromLuaConversionError { from, to, .. } => format!("{to} expected, got {from}"),
        other => other.to_string(),
    };
    LuaError::runtime(format!("{location}bad value for field '{field}' of '{type_name}' ({detail})"))
}

fn getter_body<T, R, F>(getter: F) -> Body
where
    T: 'static,
    R: IntoLua,
    F: Fn(&Lua, &T) -> LuaResult<R> + 'static,
{
    Rc::new(move |lua, st| {
        let this = st.arg(1);
        let (guard, root) = match borrow_self::<T>(st, this) {
            Ok(g) => g,
            Err(e) => return Err(raise(lua, st, self_error(e))),
        };
        let out = run_user_code(lua, st, |lua| Prepared::new(getter(lua, &guard)?, lua));
        drop(guard);
        st.unpin(root);
        push_one(lua, st, out)
    })
}

fn setter_body<T, A, F>(field: String, setter: F) -> Body
where
    T: 'static,
    A: FromLua,
    F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static,
{
    let setter = RefCell::new(setter);
    Rc::new(move |lua, st| {
        let (this, v) = (st.arg(1), st.arg(3));
        let value = Gathered::<A>::new(v, lua, st);
        let (mut guard, root) = match borrow_self_mut::<T>(st, this) {
            Ok(g) => g,
            Err(e) => return Err(raise(lua, st, self_error(e))),
        };
        let out = run_user_code(lua, st, |lua| {
            let v = value.finish(lua).map_err(|e| field_error::<T>(lua, &field, e))?;
            let mut f = setter.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            (*f)(lua, &mut guard, v)
        });
        drop(guard);
        st.unpin(root);
        out.map(|()| 0).map_err(|e| raise(lua, st, e))
    })
}

fn method_body<T, A, R, F>(method: F) -> Body
where
    T: 'static,
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
{
    Rc::new(move |lua, st| {
        let (base, nargs) = (st.frame_base() + 1, st.nargs());
        let (guard, root) = match borrow_self::<T>(st, st.stack_get(base)) {
            Ok(g) => g,
            Err(e) => return Err(raise(lua, st, self_error(e))),
        };
        let args = GatheredMulti::<A>::new(lua, st, base + 1, nargs.saturating_sub(1), Some(2));
        let out = run_user_code(lua, st, |lua| {
            let a = args.finish(lua, Some(2))?;
            PreparedMulti::new(method(lua, &guard, a)?, lua)
        });
        drop(guard);
        st.unpin(root);
        push_results(lua, st, out)
    })
}

fn method_mut_body<T, A, R, F>(method: F) -> Body
where
    T: 'static,
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
{
    let method = RefCell::new(method);
    Rc::new(move |lua, st| {
        let (base, nargs) = (st.frame_base() + 1, st.nargs());
        // The arguments first: one of them may borrow the receiver too,
        // which is then reported as the conflict it is.
        let args = GatheredMulti::<A>::new(lua, st, base + 1, nargs.saturating_sub(1), Some(2));
        let (mut guard, root) = match borrow_self_mut::<T>(st, st.stack_get(base)) {
            Ok(g) => g,
            Err(e) => {
                drop(args);
                return Err(raise(lua, st, self_error(e)));
            }
        };
        let out = run_user_code(lua, st, |lua| {
            let a = args.finish(lua, Some(2))?;
            let mut f = method.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            PreparedMulti::new((*f)(lua, &mut guard, a)?, lua)
        });
        drop(guard);
        st.unpin(root);
        push_results(lua, st, out)
    })
}

fn function_body<A, R, F>(function: F) -> Body
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, A) -> LuaResult<R> + 'static,
{
    Rc::new(move |lua, st| run_function(lua, st, &function))
}

/// A native function running `body` with the `Lua` of `weak`.
fn native(weak: &Weak<LuaInner>, body: Body) -> NativeFn {
    let weak = weak.clone();
    NativeFn::Boxed(Box::new(move |st: &mut State| body(&upgrade(&weak, st)?, st)))
}

// ---------------------------------------------------------------------------
// Building the metatable.

/// Registers the type of `reg` in the state and returns its metatable.
/// Unless `replace`, a type registered already keeps its registration.
pub(crate) fn register<T: 'static>(lua: &Lua, reg: LuaUserdataRegistry<T>, replace: bool) -> LuaResult<Gc<Table>> {
    if let Some(e) = reg.error {
        return Err(e);
    }
    // Values convert outside the state access (they may create strings or
    // tables through the facade).
    let mut values = Vec::with_capacity(reg.values.len());
    for (meta, key, value) in reg.values {
        values.push((meta, key, value(lua)?));
    }
    let weak = Rc::downgrade(&lua.inner);
    lua.with(|st| {
        if let Some(mt) = st.userdata_metatable(TypeId::of::<T>()).filter(|_| !replace) {
            return Ok(mt);
        }
        build::<T>(lua, st, &weak, reg.fields, values, reg.methods, reg.meta)
    })?
}

fn build<T: 'static>(
    lua: &Lua,
    st: &mut State,
    weak: &Weak<LuaInner>,
    fields: Vec<Field>,
    values: Vec<(bool, String, LuaValue)>,
    methods: Vec<(String, Body)>,
    meta: Vec<(LuaMetaMethod, Body)>,
) -> LuaResult<Gc<Table>> {
    let mem = |_| LuaError::memory();
    let class = st.new_table().map_err(mem)?;
    let mt = st.new_table().map_err(mem)?;
    for (name, body) in methods {
        let f = st.new_native_closure(native(weak, body), &[]).map_err(mem)?;
        st.raw_set_field(class, &name, f).map_err(mem)?;
    }
    let (mut index_value, mut newindex_value) = (Value::Nil, Value::Nil);
    for (is_meta, key, v) in values {
        if is_meta
            && (key == "__index" || key == "__newindex")
            && !matches!(v, LuaValue::Nil | LuaValue::Table(_) | LuaValue::Function(_))
        {
            return Err(LuaError::MetaMethodTypeError {
                method: key,
                type_name: v.type_name(),
                message: Some("expected nil, table or function".to_string()),
            });
        }
        let cv = lua.lower(st, &v)?;
        match (is_meta, key.as_str()) {
            (true, "__index") => index_value = cv,
            (true, "__newindex") => newindex_value = cv,
            (true, _) => st.raw_set_field(mt, &key, cv).map_err(mem)?,
            (false, _) => st.raw_set_field(class, &key, cv).map_err(mem)?,
        }
    }
    let name_key = st.new_str(b"__name").map_err(mem)?;
    // A `__name` registered as a meta field stays, even a non-string one
    // (Lua then shows the type as "userdata"); messages use the Rust name.
    let name = match mt.get_str(name_key) {
        Value::Str(s) => s.to_str_lossy().into_owned(),
        Value::Nil => {
            let name = short_type_name::<T>();
            let v = st.str_value(name.as_bytes()).map_err(mem)?;
            st.raw_set_field(mt, "__name", v).map_err(mem)?;
            name
        }
        _ => short_type_name::<T>(),
    };
    let (mut index_body, mut newindex_body) = (None, None);
    for (m, body) in meta {
        match m {
            LuaMetaMethod::Index => index_body = Some(body),
            LuaMetaMethod::NewIndex => newindex_body = Some(body),
            other => {
                let f = st.new_native_closure(native(weak, body), &[]).map_err(mem)?;
                st.raw_set_field(mt, other.name(), f).map_err(mem)?;
            }
        }
    }

    // __index.
    // A getter named as a method or class field is shadowed by it (the VM
    // reads the class table first); leaving it out keeps the dispatcher's
    // own order (getters, then the class table) the same.
    let mut getters: Vec<(String, Body)> = Vec::new();
    for f in &fields {
        if let Some(g) = &f.get {
            if class.get_str(st.new_str(f.name.as_bytes()).map_err(mem)?).is_nil() {
                getters.push((f.name.clone(), g.clone()));
            }
        }
    }
    let index = if getters.is_empty() && index_body.is_none() && index_value.is_nil() {
        Value::Table(class)
    } else {
        let keys = numbered_keys(st, getters.iter().map(|(n, _)| n.as_str()))?;
        let bodies: Vec<Body> = getters.into_iter().map(|(_, b)| b).collect();
        let f = index_native(weak, bodies, index_body);
        st.new_index_dispatcher(f, &[Value::Table(class), Value::Table(keys), index_value]).map_err(mem)?
    };
    st.raw_set_field(mt, "__index", index).map_err(mem)?;

    // __newindex.
    let setters: Vec<(String, Body)> =
        fields.iter().filter_map(|f| f.set.as_ref().map(|s| (f.name.clone(), s.clone()))).collect();
    if !setters.is_empty() || newindex_body.is_some() || !newindex_value.is_nil() {
        let keys = numbered_keys(st, setters.iter().map(|(n, _)| n.as_str()))?;
        let bodies: Vec<Body> = setters.into_iter().map(|(_, b)| b).collect();
        let f = newindex_native(weak, bodies, newindex_body, name.clone());
        let f = st.new_native_closure(f, &[Value::Table(keys), newindex_value]).map_err(mem)?;
        st.raw_set_field(mt, "__newindex", f).map_err(mem)?;
    }

    st.set_userdata_metatable(TypeId::of::<T>(), mt);
    if st.ext::<UserdataTypes>().is_none() {
        st.set_ext(UserdataTypes::default());
    }
    if let Some(types) = st.ext_mut::<UserdataTypes>() {
        types.0.insert(TypeId::of::<T>(), TypeInfo { name, class });
    }
    Ok(mt)
}

/// A table mapping each name to its position (0-based).
fn numbered_keys<'a>(st: &mut State, names: impl Iterator<Item = &'a str>) -> LuaResult<Gc<Table>> {
    let mem = |_| LuaError::memory();
    let t = st.new_table().map_err(mem)?;
    for (i, name) in names.enumerate() {
        st.raw_set_field(t, name, Value::Int(i as i64)).map_err(mem)?;
    }
    Ok(t)
}

/// The `__index` of a type with getters or a fallback: upvalues are the
/// class table, the getter numbers and the `__index` meta field. It is an
/// index dispatcher (`State::new_index_dispatcher`): the VM looks methods
/// up in the class table without calling it. Getters named as a method or
/// class field are left out at registration, so the getters and the class
/// table never share a key and the order of the two lookups here does not
/// matter: getters come first, as this is called for them.
fn index_native(weak: &Weak<LuaInner>, getters: Vec<Body>, fallback: Option<Body>) -> NativeFn {
    let weak = weak.clone();
    NativeFn::Boxed(Box::new(move |st: &mut State| {
        let key = st.arg(2);
        if let Value::Table(keys) = st.upvalue(2) {
            if let Value::Int(i) = keys.get(key) {
                return getters[i as usize](&upgrade(&weak, st)?, st);
            }
        }
        if let Value::Table(class) = st.upvalue(1) {
            let v = class.get(key);
            if !v.is_nil() {
                st.push(v);
                return Ok(1);
            }
        }
        if let Some(fallback) = &fallback {
            return fallback(&upgrade(&weak, st)?, st);
        }
        match st.upvalue(3) {
            Value::Nil => {
                st.push(Value::Nil);
                Ok(1)
            }
            t @ Value::Table(_) => {
                let v = st.index(t, key, ValLoc::Other)?;
                st.push(v);
                Ok(1)
            }
            f => {
                let this = st.arg(1);
                st.call_value(f, &[this, key], 1)
            }
        }
    }))
}

/// The `__newindex` of a type with setters or a fallback: upvalues are the
/// setter numbers and the `__newindex` meta field.
fn newindex_native(weak: &Weak<LuaInner>, setters: Vec<Body>, fallback: Option<Body>, type_name: String) -> NativeFn {
    let weak = weak.clone();
    NativeFn::Boxed(Box::new(move |st: &mut State| {
        let key = st.arg(2);
        if let Value::Table(keys) = st.upvalue(1) {
            if let Value::Int(i) = keys.get(key) {
                return setters[i as usize](&upgrade(&weak, st)?, st);
            }
        }
        if let Some(fallback) = &fallback {
            return fallback(&upgrade(&weak, st)?, st);
        }
        match st.upvalue(2) {
            Value::Nil => {
                let shown = match key {
                    Value::Str(s) => format!("field '{}'", s.to_str_lossy()),
                    other => format!("a {} key", other.type_name()),
                };
                Err(st.error_msg(&format!("cannot assign {shown} of '{type_name}'")))
            }
            t @ Value::Table(_) => {
                let v = st.arg(3);
                st.set_index(t, key, v, ValLoc::Other)?;
                Ok(0)
            }
            f => {
                let (this, v) = (st.arg(1), st.arg(3));
                st.call_value(f, &[this, key, v], 0)?;
                Ok(0)
            }
        }
    }))
}
