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
use std::marker::PhantomData;
use std::rc::{Rc, Weak};

use luna_core::gc::Gc;
use luna_core::object::function::NativeFn;
use luna_core::object::table::Table;
use luna_core::object::userdata::{PayloadError, Userdata};
use luna_core::vm::debug::ValLoc;
use luna_core::{LResult, State, Value};

use crate::callback::{enter_user_code, push_results, raise, raise_cold, raise_failure, run_function, upgrade};
use crate::error::{LuaError, LuaResult};
use crate::failure::{Failure, Fallible};
use crate::lua::{Lua, LuaInner};
use crate::multi::{
    bad_argument, FromLua, FromLuaMulti, Gathered, GatheredMulti, IntoLua, IntoLuaMulti, Prepared, PreparedMulti,
};
use crate::state_access::{ScopedMut, ScopedRef};
use crate::userdata::{payload_error, short_type_name, type_name_in, LuaAnyUserdata, LuaMetaMethod};
use crate::value::LuaValue;

/// The code of a registered closure, run on the frame of a native call
/// (the receiver is argument 1). A body of a type's registration is
/// `'static`; a body of one scope's userdata lives as long as its data
/// (`'a`) and is kept by the scope.
pub(crate) type BodyA<'a> = Rc<dyn Fn(&Lua, &mut State) -> LResult<usize> + 'a>;
pub(crate) type Body = BodyA<'static>;

/// Constant fields and meta fields, converted.
type Values = Vec<(bool, String, LuaValue)>;

/// A registered closure, not yet bound to the way its receiver is
/// reached: by type, for the userdata of a type registered once per state
/// (`typed`), or as the value of the one userdata a `Lua::scope` created
/// (`scoped`), whose type need not be `'static`. The closure itself is
/// always `'static`; only the receiver may borrow.
pub(crate) trait Callback<T> {
    /// The body for userdata holding a `T`.
    fn typed(&self) -> Body
    where
        T: 'static;
    /// The body for the scope userdata `recv`.
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a;
}

type Cb<T> = Rc<dyn Callback<T>>;

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
struct UserdataTypes(luna_core::type_map::TypeMap<TypeInfo>);

/// What the state knows of type `id`, if registered.
pub(crate) fn type_info(st: &State, id: TypeId) -> Option<&TypeInfo> {
    st.ext::<UserdataTypes>().and_then(|t| t.0.get(&id))
}

/// The class table of type `id`, if registered.
pub(crate) fn class_table(st: &State, id: TypeId) -> Option<Gc<Table>> {
    type_info(st, id).map(|i| i.class)
}

/// One field: its getter and setter.
struct Field<T> {
    name: String,
    get: Option<Cb<T>>,
    set: Option<Cb<T>>,
}

/// Collects what a `LuaUserdata` type registers (see the module docs).
pub struct LuaUserdataRegistry<T> {
    fields: Vec<Field<T>>,
    /// Constant fields (`false`) and meta fields (`true`).
    values: Vec<(bool, String, Deferred)>,
    methods: Vec<(String, Cb<T>)>,
    meta: Vec<(LuaMetaMethod, Cb<T>)>,
    error: Option<LuaError>,
    /// Whether the closures reach the value through a wrapper of the type
    /// they were registered for (`adopt`): they can be bound by type only.
    wrapper: bool,
    _t: PhantomData<T>,
}

impl<T> LuaUserdataRegistry<T> {
    pub(crate) fn new() -> Self {
        LuaUserdataRegistry {
            fields: Vec::new(),
            values: Vec::new(),
            methods: Vec::new(),
            meta: Vec::new(),
            error: None,
            wrapper: false,
            _t: PhantomData,
        }
    }

    fn field(&mut self, name: String) -> &mut Field<T> {
        let i = match self.fields.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => {
                self.fields.push(Field { name, get: None, set: None });
                self.fields.len() - 1
            }
        };
        &mut self.fields[i]
    }

    /// Takes over what `inner` registered for `T`, `Self`'s type being a
    /// wrapper of `T` (`Rc<T>`, ...): the closures stay `T`'s, whose
    /// bodies reach a `T` through its wrappers (`with_self`).
    #[cfg(feature = "userdata-wrappers")]
    pub(crate) fn adopt<U: 'static>(&mut self, inner: LuaUserdataRegistry<U>) {
        fn lift<U: 'static, T>(cb: Cb<U>) -> Cb<T> {
            Rc::new(Through(cb))
        }
        for fd in inner.fields {
            let field = self.field(fd.name);
            if let Some(get) = fd.get {
                field.get = Some(lift(get));
            }
            if let Some(set) = fd.set {
                field.set = Some(lift(set));
            }
        }
        self.values.extend(inner.values);
        self.methods.extend(inner.methods.into_iter().map(|(n, cb)| (n, lift(cb))));
        self.meta.extend(inner.meta.into_iter().map(|(m, cb)| (m, lift(cb))));
        if self.error.is_none() {
            self.error = inner.error;
        }
        self.wrapper = true;
    }

    fn add_meta(&mut self, meta: LuaMetaMethod, body: Cb<T>) {
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
        R: IntoLua + 'static,
        F: Fn(&Lua, &T) -> LuaResult<R> + 'static;

    /// A field written by a setter of the value.
    fn add_field_method_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua + 'static,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static;

    /// A field read by a function of the userdata handle.
    fn add_field_function_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua + 'static,
        F: Fn(&Lua, LuaAnyUserdata) -> LuaResult<R> + 'static;

    /// A field written by a function of the userdata handle.
    fn add_field_function_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua + 'static,
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
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static;

    /// A method taking the value mutably. Calling it while the value is
    /// borrowed (by another method running, or a guard) is an error.
    fn add_method_mut<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static;

    /// A method consuming the value: `ud:name(args)` takes the value out of
    /// the userdata (later uses fail with `UserDataDestructed`).
    fn add_method_once<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        T: 'static,
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
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
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static;

    /// As `add_function`, for a closure mutating its captured state.
    fn add_function_mut<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: FnMut(&Lua, A) -> LuaResult<R> + 'static;

    /// A metamethod taking the value (its first operand) by reference.
    fn add_meta_method<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static;

    /// A metamethod taking the value mutably.
    fn add_meta_method_mut<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static;

    /// A metamethod taking all its operands as arguments (for operators
    /// where the userdata may be either operand).
    fn add_meta_function<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, function: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static;

    /// As `add_meta_function`, for a closure mutating its captured state.
    fn add_meta_function_mut<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, function: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: FnMut(&Lua, A) -> LuaResult<R> + 'static,
    {
        let function = RefCell::new(function);
        self.add_meta_function(meta, move |lua, args: A| {
            let mut f = function.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            (*f)(lua, args)
        });
    }
}

impl<T> LuaUserdataFields<T> for LuaUserdataRegistry<T> {
    fn add_field<V: IntoLua + 'static>(&mut self, name: impl Into<String>, value: V) {
        self.values.push((false, name.into(), Box::new(move |lua| value.into_lua(lua))));
    }

    fn add_field_method_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua + 'static,
        F: Fn(&Lua, &T) -> LuaResult<R> + 'static,
    {
        self.field(name.into()).get = Some(Rc::new(Getter(Rc::new(getter), PhantomData::<fn() -> R>)));
    }

    fn add_field_method_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua + 'static,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static,
    {
        let name = name.into();
        let cb = Setter(Rc::new(RefCell::new(setter)), Rc::from(name.as_str()), PhantomData::<fn(A)>);
        self.field(name).set = Some(Rc::new(cb));
    }

    fn add_field_function_get<R, F>(&mut self, name: impl Into<String>, getter: F)
    where
        R: IntoLua + 'static,
        F: Fn(&Lua, LuaAnyUserdata) -> LuaResult<R> + 'static,
    {
        self.field(name.into()).get = Some(Rc::new(FieldFnGet(Rc::new(getter), PhantomData::<fn() -> R>)));
    }

    fn add_field_function_set<A, F>(&mut self, name: impl Into<String>, setter: F)
    where
        A: FromLua + 'static,
        F: FnMut(&Lua, LuaAnyUserdata, A) -> LuaResult<()> + 'static,
    {
        let name = name.into();
        let cb = FieldFnSet(Rc::new(RefCell::new(setter)), Rc::from(name.as_str()), PhantomData::<fn(A)>);
        self.field(name).set = Some(Rc::new(cb));
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

impl<T> LuaUserdataMethods<T> for LuaUserdataRegistry<T> {
    fn add_method<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
    {
        let name = name.into();
        let to = method_name::<T>(&name);
        self.methods.push((name, Rc::new(Method(Rc::new(method), to, PhantomData::<fn(A) -> R>))));
    }

    fn add_method_mut<A, R, F>(&mut self, name: impl Into<String>, method: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
    {
        let name = name.into();
        let to = method_name::<T>(&name);
        let cb = MethodMut(Rc::new(RefCell::new(method)), to, PhantomData::<fn(A) -> R>);
        self.methods.push((name, Rc::new(cb)));
    }

    fn add_function<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static,
    {
        self.methods.push((name.into(), Rc::new(Function(Rc::new(function), PhantomData::<fn(A) -> R>))));
    }

    fn add_function_mut<A, R, F>(&mut self, name: impl Into<String>, function: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
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
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
    {
        let meta = meta.into();
        let to = method_name::<T>(meta.name());
        self.add_meta(meta, Rc::new(Method(Rc::new(method), to, PhantomData::<fn(A) -> R>)));
    }

    fn add_meta_method_mut<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, method: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
    {
        let meta = meta.into();
        let to = method_name::<T>(meta.name());
        self.add_meta(meta, Rc::new(MethodMut(Rc::new(RefCell::new(method)), to, PhantomData::<fn(A) -> R>)));
    }

    fn add_meta_function<A, R, F>(&mut self, meta: impl Into<LuaMetaMethod>, function: F)
    where
        A: FromLuaMulti + 'static,
        R: IntoLuaMulti + 'static,
        F: Fn(&Lua, A) -> LuaResult<R> + 'static,
    {
        self.add_meta(meta.into(), Rc::new(Function(Rc::new(function), PhantomData::<fn(A) -> R>)));
    }
}

// ---------------------------------------------------------------------------
// The kinds of registered closures.

/// A method and its name for errors (`Type.name`, as mlua's `to`).
struct Method<F, P>(Rc<F>, Rc<str>, PhantomData<P>);
struct MethodMut<F, P>(Rc<RefCell<F>>, Rc<str>, PhantomData<P>);
struct Function<F, P>(Rc<F>, PhantomData<P>);
struct Getter<F, P>(Rc<F>, PhantomData<P>);
struct Setter<F, P>(Rc<RefCell<F>>, Rc<str>, PhantomData<P>);
struct FieldFnGet<F, P>(Rc<F>, PhantomData<P>);
struct FieldFnSet<F, P>(Rc<RefCell<F>>, Rc<str>, PhantomData<P>);

impl<T, A, R, F> Callback<T> for Method<F, fn(A) -> R>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        method_body::<T, A, R, F, ByType>(self.0.clone(), self.1.clone(), ByType)
    }
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        method_body::<T, A, R, F, Scoped<T>>(self.0.clone(), self.1.clone(), recv)
    }
}

impl<T, A, R, F> Callback<T> for MethodMut<F, fn(A) -> R>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        method_mut_body::<T, A, R, F, ByType>(self.0.clone(), self.1.clone(), ByType)
    }
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        method_mut_body::<T, A, R, F, Scoped<T>>(self.0.clone(), self.1.clone(), recv)
    }
}

impl<T, A, R, F> Callback<T> for Function<F, fn(A) -> R>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, A) -> LuaResult<R> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        function_body(self.0.clone())
    }
    fn scoped<'a>(&self, _recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        function_body(self.0.clone())
    }
}

impl<T, R, F> Callback<T> for Getter<F, fn() -> R>
where
    R: IntoLua,
    F: Fn(&Lua, &T) -> LuaResult<R> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        getter_body::<T, R, F, ByType>(self.0.clone(), ByType)
    }
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        getter_body::<T, R, F, Scoped<T>>(self.0.clone(), recv)
    }
}

impl<T, A, F> Callback<T> for Setter<F, fn(A)>
where
    A: FromLua,
    F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        setter_body::<T, A, F, ByType>(self.0.clone(), self.1.clone(), ByType)
    }
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        setter_body::<T, A, F, Scoped<T>>(self.0.clone(), self.1.clone(), recv)
    }
}

impl<T, R, F> Callback<T> for FieldFnGet<F, fn() -> R>
where
    R: IntoLua,
    F: Fn(&Lua, LuaAnyUserdata) -> LuaResult<R> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        field_fn_get_body::<T, R, F, ByType>(self.0.clone(), ByType)
    }
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        field_fn_get_body::<T, R, F, Scoped<T>>(self.0.clone(), recv)
    }
}

impl<T, A, F> Callback<T> for FieldFnSet<F, fn(A)>
where
    A: FromLua,
    F: FnMut(&Lua, LuaAnyUserdata, A) -> LuaResult<()> + 'static,
{
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        field_fn_set_body::<T, A, F, ByType>(self.0.clone(), self.1.clone(), ByType)
    }
    fn scoped<'a>(&self, recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        field_fn_set_body::<T, A, F, Scoped<T>>(self.0.clone(), self.1.clone(), recv)
    }
}

/// A closure registered for `U`, serving a wrapper of `U` (`adopt`).
#[cfg(feature = "userdata-wrappers")]
struct Through<U>(Cb<U>);

#[cfg(feature = "userdata-wrappers")]
impl<U: 'static, T> Callback<T> for Through<U> {
    fn typed(&self) -> Body
    where
        T: 'static,
    {
        self.0.typed()
    }
    fn scoped<'a>(&self, _recv: Scoped<T>) -> BodyA<'a>
    where
        T: 'a,
    {
        // Not reached: `build_scoped` refuses a wrapper's registration.
        Rc::new(|lua, st| Err(raise(lua, st, LuaError::UserDataTypeMismatch)))
    }
}

// ---------------------------------------------------------------------------
// Receivers.

/// How a body reaches its receiver, the value of the userdata it is
/// called on.
trait Recv<T> {
    /// Runs `f` with the receiver `v` borrowed, pinned meanwhile (so Lua
    /// code the body calls back into cannot free it).
    fn with_ref<R>(&self, st: &mut State, v: Value, f: impl FnOnce(&mut State, &T) -> R) -> Fallible<R>;
    /// As `with_ref`, mutably.
    fn with_mut<R>(&self, st: &mut State, v: Value, f: impl FnOnce(&mut State, &mut T) -> R) -> Fallible<R>;
    /// Checks that `v` is a receiver (for functions given the handle).
    fn check(&self, st: &mut State, v: Value) -> LuaResult<()>;
    /// The type name Lua messages use.
    fn type_name(&self, st: &State) -> String;
}

/// The receiver of a registered type: any userdata holding a `T`.
#[derive(Clone, Copy)]
struct ByType;

impl<T: 'static> Recv<T> for ByType {
    #[inline]
    fn with_ref<R>(&self, st: &mut State, v: Value, f: impl FnOnce(&mut State, &T) -> R) -> Fallible<R> {
        with_self(st, v, f)
    }
    #[inline]
    fn with_mut<R>(&self, st: &mut State, v: Value, f: impl FnOnce(&mut State, &mut T) -> R) -> Fallible<R> {
        with_self_mut(st, v, f)
    }
    fn check(&self, st: &mut State, v: Value) -> LuaResult<()> {
        let u = crate::userdata::userdata_of::<T>(st, v)?;
        #[cfg(feature = "userdata-wrappers")]
        if crate::userdata_wrappers::Kind::of::<T>(Userdata::type_id(&u)).is_some() {
            return Ok(());
        }
        if Userdata::type_id(&u) != TypeId::of::<T>() {
            return Err(payload_error::<T>(st, v, PayloadError::WrongType));
        }
        Ok(())
    }
    fn type_name(&self, st: &State) -> String {
        type_name_in::<T>(st)
    }
}

/// The receiver of the one userdata a scope created (`LuaScope::
/// create_userdata`): its value lives in `cell`, taken out when the scope
/// ends; the userdata holds no payload of its own.
pub(crate) struct Scoped<T> {
    pub(crate) ud: Gc<Userdata>,
    pub(crate) cell: Rc<RefCell<Option<T>>>,
    pub(crate) name: Rc<str>,
}

impl<T> Clone for Scoped<T> {
    fn clone(&self) -> Self {
        Scoped { ud: self.ud, cell: self.cell.clone(), name: self.name.clone() }
    }
}

impl<T> Scoped<T> {
    /// The error for a receiver that is not this userdata.
    #[cold]
    fn mismatch(&self, v: Value) -> LuaError {
        match v {
            Value::Userdata(_) => {
                LuaError::FromLuaConversionError { from: "userdata", to: self.name.to_string(), message: None }
            }
            // As `payload_error` words it.
            _ => LuaError::FromLuaConversionError {
                from: v.type_name(),
                to: "userdata".to_string(),
                message: Some(format!("{}'{}'", crate::userdata::EXPECTED_USERDATA, self.name)),
            },
        }
    }

    fn is_self(&self, v: Value) -> bool {
        matches!(v, Value::Userdata(u) if u.ptr_eq(self.ud))
    }
}

impl<T> Recv<T> for Scoped<T> {
    fn with_ref<R>(&self, st: &mut State, v: Value, f: impl FnOnce(&mut State, &T) -> R) -> Fallible<R> {
        if !self.is_self(v) {
            return Err(self.mismatch(v).into());
        }
        let cell = self.cell.clone();
        let guard = cell.try_borrow().map_err(|_| LuaError::UserDataBorrowError)?;
        let this = guard.as_ref().ok_or(LuaError::UserDataDestructed)?;
        let root = st.pin(v);
        let r = f(st, this);
        st.unpin(root);
        Ok(r)
    }
    fn with_mut<R>(&self, st: &mut State, v: Value, f: impl FnOnce(&mut State, &mut T) -> R) -> Fallible<R> {
        if !self.is_self(v) {
            return Err(self.mismatch(v).into());
        }
        let cell = self.cell.clone();
        let mut guard = cell.try_borrow_mut().map_err(|_| LuaError::UserDataBorrowMutError)?;
        let this = guard.as_mut().ok_or(LuaError::UserDataDestructed)?;
        let root = st.pin(v);
        let r = f(st, this);
        st.unpin(root);
        Ok(r)
    }
    fn check(&self, _st: &mut State, v: Value) -> LuaResult<()> {
        if self.is_self(v) {
            Ok(())
        } else {
            Err(self.mismatch(v))
        }
    }
    fn type_name(&self, _st: &State) -> String {
        self.name.to_string()
    }
}

// ---------------------------------------------------------------------------
// Closure bodies.

/// Runs `f` with the receiver `v` borrowed as a `T`, pinned meanwhile
/// (so Lua code the body calls back into cannot free it). The receiver is
/// a userdata holding a `T`, or data a `Lua::scope` lent (`ScopedRef`,
/// `ScopedMut`: reached only while the scope lasts), or (with the
/// `userdata-wrappers` feature) either holding a wrapper of a `T`
/// (`Rc<T>`, `Arc<Mutex<T>>`, ...).
#[inline]
fn with_self<T: 'static, R>(st: &mut State, v: Value, f: impl FnOnce(&mut State, &T) -> R) -> Fallible<R> {
    let u = crate::userdata::userdata_of::<T>(st, v)?;
    #[cfg(feature = "userdata-wrappers")]
    if Userdata::type_id(&u) != TypeId::of::<T>() {
        return with_other_self(st, u, v, f);
    }
    with_value(st, u, v, f)
}

/// `with_self` for a receiver not holding a `T`: a wrapper of a `T`, else
/// data a scope lent.
#[cfg(feature = "userdata-wrappers")]
#[cold]
#[inline(never)]
fn with_other_self<T: 'static, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &T) -> R,
) -> Fallible<R> {
    match crate::userdata_wrappers::with_ref(st, u, v, f) {
        Ok(r) => Ok(r?),
        Err(f) => with_value(st, u, v, f),
    }
}

/// Runs `f` with the value of the userdata `u` (the receiver `v`)
/// borrowed as a `T`: its own value, or data a scope lent; not through a
/// wrapper (what the wrappers use to reach the wrapper itself).
#[inline]
pub(crate) fn with_value<T: 'static, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &T) -> R,
) -> Fallible<R> {
    match Userdata::borrow_payload::<T>(u) {
        Ok(g) => {
            let root = st.pin(v);
            let r = f(st, &g);
            drop(g);
            st.unpin(root);
            Ok(r)
        }
        Err(PayloadError::WrongType) => with_scoped_self(st, u, v, f),
        Err(e) => Err(payload_error::<T>(st, v, e).into()),
    }
}

/// `with_self` for data a scope lent.
#[cold]
#[inline(never)]
fn with_scoped_self<T: 'static, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &T) -> R,
) -> Fallible<R> {
    let borrowed = |st: &State, e| match e {
        PayloadError::WrongType => payload_error::<T>(st, v, e),
        e => crate::scope::borrow_error(e),
    };
    if let Ok(g) = Userdata::borrow_payload::<ScopedRef<T>>(u) {
        let this = g.get().ok_or(LuaError::UserDataDestructed)?;
        let root = st.pin(v);
        let r = f(st, this);
        st.unpin(root);
        return Ok(r);
    }
    match Userdata::borrow_payload::<ScopedMut<T>>(u) {
        Ok(g) => {
            let this = g.get().ok_or(LuaError::UserDataDestructed)?;
            let root = st.pin(v);
            let r = f(st, this);
            st.unpin(root);
            Ok(r)
        }
        Err(e) => Err(borrowed(st, e).into()),
    }
}

/// As `with_self`, mutably.
#[inline]
fn with_self_mut<T: 'static, R>(st: &mut State, v: Value, f: impl FnOnce(&mut State, &mut T) -> R) -> Fallible<R> {
    let u = crate::userdata::userdata_of::<T>(st, v)?;
    #[cfg(feature = "userdata-wrappers")]
    if Userdata::type_id(&u) != TypeId::of::<T>() {
        return with_other_self_mut(st, u, v, f);
    }
    with_value_mut(st, u, v, f)
}

/// `with_other_self`, mutably.
#[cfg(feature = "userdata-wrappers")]
#[cold]
#[inline(never)]
fn with_other_self_mut<T: 'static, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &mut T) -> R,
) -> Fallible<R> {
    match crate::userdata_wrappers::with_mut(st, u, v, f) {
        Ok(r) => Ok(r?),
        Err(f) => with_value_mut(st, u, v, f),
    }
}

/// `with_value`, mutably.
#[inline]
pub(crate) fn with_value_mut<T: 'static, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &mut T) -> R,
) -> Fallible<R> {
    match Userdata::borrow_payload_mut::<T>(u) {
        Ok(mut g) => {
            let root = st.pin(v);
            let r = f(st, &mut g);
            drop(g);
            st.unpin(root);
            Ok(r)
        }
        Err(PayloadError::WrongType) => with_scoped_self_mut(st, u, v, f),
        Err(e) => Err(payload_error::<T>(st, v, e).into()),
    }
}

/// `with_self_mut` for data a scope lent: only a mutable loan
/// (`ScopedMut`) can be borrowed mutably.
#[cold]
#[inline(never)]
fn with_scoped_self_mut<T: 'static, R>(
    st: &mut State,
    u: Gc<Userdata>,
    v: Value,
    f: impl FnOnce(&mut State, &mut T) -> R,
) -> Fallible<R> {
    match Userdata::borrow_payload_mut::<ScopedMut<T>>(u) {
        Ok(mut g) => {
            let this = g.get_mut().ok_or(LuaError::UserDataDestructed)?;
            let root = st.pin(v);
            let r = f(st, this);
            st.unpin(root);
            Ok(r)
        }
        Err(PayloadError::WrongType) if u.type_id() == TypeId::of::<ScopedRef<T>>() => {
            Err(crate::scope::borrow_error(PayloadError::Borrowed).into())
        }
        Err(PayloadError::WrongType) => Err(payload_error::<T>(st, v, PayloadError::WrongType).into()),
        Err(e) => Err(crate::scope::borrow_error(e).into()),
    }
}

/// Raises the error of a receiver that cannot be borrowed (`self_error`).
#[cold]
#[inline(never)]
fn raise_self_error(lua: &Lua, st: &mut State, f: Failure) -> luna_core::Throw {
    raise(lua, st, self_error(f.into_error()))
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

/// The error of a method's receiver: one that is not a `T` is mlua's bad
/// `self` argument (a type mismatch for another userdata); a borrow
/// conflict stays the error it is.
#[cold]
fn method_error(e: LuaError, to: &Rc<str>) -> LuaError {
    let bad_self = |cause| LuaError::BadArgument {
        to: Some(to.to_string()),
        pos: 1,
        name: Some("self".to_string()),
        cause: std::sync::Arc::new(cause),
    };
    match e {
        LuaError::FromLuaConversionError { from: "userdata", .. } => bad_self(LuaError::UserDataTypeMismatch),
        e @ (LuaError::FromLuaConversionError { .. } | LuaError::UserDataTypeMismatch) => bad_self(e),
        other => other,
    }
}

/// A bad argument of a method gets the method's name (`Type.name`), as
/// mlua gives it.
#[cold]
fn named_argument_error(e: LuaError, to: &Rc<str>) -> LuaError {
    match e {
        LuaError::BadArgument { to: None, pos, name, cause } => {
            LuaError::BadArgument { to: Some(to.to_string()), pos, name, cause }
        }
        other => other,
    }
}

/// The name of method `name` of `T` in errors, as mlua's (`Type.name`).
fn method_name<T>(name: &str) -> Rc<str> {
    format!("{}.{name}", short_type_name::<T>()).into()
}

/// Raises the error of a method's receiver (`method_error`).
#[cold]
#[inline(never)]
fn raise_method_error(lua: &Lua, st: &mut State, f: Failure, to: &Rc<str>) -> luna_core::Throw {
    raise(lua, st, method_error(f.into_error(), to))
}

/// Pushes a getter's result, or raises its error.
#[inline]
fn push_one<R: IntoLua>(lua: &Lua, st: &mut State, out: Fallible<Prepared<R>>) -> LResult<usize> {
    let p = match out {
        Ok(p) => p,
        Err(f) => return Err(raise_failure(lua, st, f)),
    };
    match p.lower(lua, st).and_then(|v| Lua::push_raw(st, v)) {
        Ok(()) => Ok(1),
        Err(e) => Err(raise_cold(lua, st, e)),
    }
}

/// A setter's conversion error, naming the field.
#[cold]
fn field_error(lua: &Lua, type_name: &str, field: &str, e: LuaError) -> LuaError {
    let location = lua.with(|st| String::from_utf8_lossy(&st.where_(1)).into_owned()).unwrap_or_default();
    let detail = e.argument_message();
    LuaError::runtime(format!("{location}bad value for field '{field}' of '{type_name}' ({detail})"))
}

fn getter_body<'a, T, R, F, Q>(getter: Rc<F>, recv: Q) -> BodyA<'a>
where
    T: 'a,
    R: IntoLua,
    F: Fn(&Lua, &T) -> LuaResult<R> + 'static,
    Q: Recv<T> + 'a,
{
    Rc::new(move |lua, st| {
        let this = st.arg(1);
        let out = recv
            .with_ref(st, this, |st, this| enter_user_code(lua, st, |lua| Ok(Prepared::new(getter(lua, this)?, lua)?)));
        match out {
            Ok(out) => push_one(lua, st, out),
            Err(f) => Err(raise_self_error(lua, st, f)),
        }
    })
}

fn setter_body<'a, T, A, F, Q>(setter: Rc<RefCell<F>>, field: Rc<str>, recv: Q) -> BodyA<'a>
where
    T: 'a,
    A: FromLua,
    F: FnMut(&Lua, &mut T, A) -> LuaResult<()> + 'static,
    Q: Recv<T> + 'a,
{
    Rc::new(move |lua, st| {
        let (this, v) = (st.arg(1), st.arg(3));
        let value = Gathered::<A>::new(v, lua, st);
        let type_name = recv.type_name(st);
        let out = recv.with_mut(st, this, |st, this| {
            enter_user_code(lua, st, |lua| {
                let v = value.finish(lua).map_err(|f| field_error(lua, &type_name, &field, f.into_error()))?;
                let mut f = setter.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
                Ok((*f)(lua, this, v)?)
            })
        });
        match out {
            Ok(out) => out.map(|()| 0).map_err(|f| raise_failure(lua, st, f)),
            Err(f) => Err(raise_self_error(lua, st, f)),
        }
    })
}

fn field_fn_get_body<'a, T, R, F, Q>(getter: Rc<F>, recv: Q) -> BodyA<'a>
where
    T: 'a,
    R: IntoLua,
    F: Fn(&Lua, LuaAnyUserdata) -> LuaResult<R> + 'static,
    Q: Recv<T> + 'a,
{
    Rc::new(move |lua, st| {
        let this = st.arg(1);
        let ud = match recv.check(st, this) {
            Ok(()) => Ok(LuaAnyUserdata(lua.pin(st, this))),
            Err(e) => Err(bad_argument(1, e)),
        };
        let out = enter_user_code(lua, st, |lua| Ok(Prepared::new(getter(lua, ud?)?, lua)?));
        push_one(lua, st, out)
    })
}

fn field_fn_set_body<'a, T, A, F, Q>(setter: Rc<RefCell<F>>, field: Rc<str>, recv: Q) -> BodyA<'a>
where
    T: 'a,
    A: FromLua,
    F: FnMut(&Lua, LuaAnyUserdata, A) -> LuaResult<()> + 'static,
    Q: Recv<T> + 'a,
{
    Rc::new(move |lua, st| {
        let (this, v) = (st.arg(1), st.arg(3));
        let ud = match recv.check(st, this) {
            Ok(()) => Ok(LuaAnyUserdata(lua.pin(st, this))),
            Err(e) => Err(bad_argument(1, e)),
        };
        let value = Gathered::<A>::new(v, lua, st);
        let type_name = recv.type_name(st);
        let out = enter_user_code(lua, st, |lua| {
            let v = value.finish(lua).map_err(|f| field_error(lua, &type_name, &field, f.into_error()))?;
            let mut f = setter.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
            Ok((*f)(lua, ud?, v)?)
        });
        out.map(|()| 0).map_err(|f| raise_failure(lua, st, f))
    })
}

fn method_body<'a, T, A, R, F, Q>(method: Rc<F>, to: Rc<str>, recv: Q) -> BodyA<'a>
where
    T: 'a,
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, &T, A) -> LuaResult<R> + 'static,
    Q: Recv<T> + 'a,
{
    Rc::new(move |lua, st| {
        let (base, nargs) = (st.frame_base() + 1, st.nargs());
        let out = recv.with_ref(st, st.stack_get(base), |st, this| {
            let args = GatheredMulti::<A>::new(lua, st, base + 1, nargs.saturating_sub(1), Some(2))?;
            enter_user_code(lua, st, |lua| {
                let a = args.finish(lua, Some(2))?;
                Ok(PreparedMulti::new(method(lua, this, a)?, lua)?)
            })
        });
        match out {
            Ok(out) => push_results(lua, st, out.map_err(|f| named_argument_error(f.into_error(), &to).into())),
            Err(f) => Err(raise_method_error(lua, st, f, &to)),
        }
    })
}

fn method_mut_body<'a, T, A, R, F, Q>(method: Rc<RefCell<F>>, to: Rc<str>, recv: Q) -> BodyA<'a>
where
    T: 'a,
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: FnMut(&Lua, &mut T, A) -> LuaResult<R> + 'static,
    Q: Recv<T> + 'a,
{
    Rc::new(move |lua, st| {
        let (base, nargs) = (st.frame_base() + 1, st.nargs());
        // The arguments first: one of them may borrow the receiver too,
        // which is then reported as the conflict it is.
        let args = GatheredMulti::<A>::new(lua, st, base + 1, nargs.saturating_sub(1), Some(2));
        let out = recv.with_mut(st, st.stack_get(base), |st, this| {
            enter_user_code(lua, st, |lua| {
                let a = args?.finish(lua, Some(2))?;
                let mut f = method.try_borrow_mut().map_err(|_| LuaError::RecursiveMutCallback)?;
                Ok(PreparedMulti::new((*f)(lua, this, a)?, lua)?)
            })
        });
        match out {
            Ok(out) => push_results(lua, st, out.map_err(|f| named_argument_error(f.into_error(), &to).into())),
            Err(f) => Err(raise_method_error(lua, st, f, &to)),
        }
    })
}

fn function_body<A, R, F>(function: Rc<F>) -> Body
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&Lua, A) -> LuaResult<R> + 'static,
{
    Rc::new(move |lua, st| run_function(lua, st, &*function))
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
    let (bodies, values) = bind(lua, reg, |cb| cb.typed())?;
    let weak = Rc::downgrade(&lua.inner);
    lua.with(|st| {
        if let Some(mt) = st.userdata_metatable(TypeId::of::<T>()).filter(|_| !replace) {
            return Ok(mt);
        }
        build(lua, st, &weak, bodies, values, short_type_name::<T>(), Some(TypeId::of::<T>()))
    })?
}

/// The metatable of the one userdata a scope creates with the value of
/// `recv` (not registered by type): its bodies are bound to `recv` and
/// kept by the scope through `keep` (they may borrow what the value
/// borrows).
pub(crate) fn build_scoped<'a, T: 'a>(
    lua: &Lua,
    reg: LuaUserdataRegistry<T>,
    recv: Scoped<T>,
    keep: impl Fn(BodyA<'a>) -> Body,
) -> LuaResult<Gc<Table>> {
    if reg.wrapper {
        // Its closures reach the wrapped value by type; the value of a
        // scope's userdata is kept apart from the userdata.
        return Err(LuaError::runtime(format!(
            "{} is a userdata wrapper: create it with Lua::create_userdata, not in a scope",
            recv.name
        )));
    }
    let (bodies, values) = bind(lua, reg, |cb| keep(cb.scoped(recv.clone())))?;
    let weak = Rc::downgrade(&lua.inner);
    lua.with(|st| build(lua, st, &weak, bodies, values, recv.name.to_string(), None))?
}

/// The bodies of a registration, bound by `f`.
struct Bodies {
    fields: Vec<(String, Option<Body>, Option<Body>)>,
    methods: Vec<(String, Body)>,
    meta: Vec<(LuaMetaMethod, Body)>,
}

/// Binds the closures of `reg` with `f`, and converts its values (outside
/// the state access: they may create strings or tables through the
/// facade).
fn bind<T>(lua: &Lua, reg: LuaUserdataRegistry<T>, f: impl Fn(&Cb<T>) -> Body) -> LuaResult<(Bodies, Values)> {
    if let Some(e) = reg.error {
        return Err(e);
    }
    let mut values = Vec::with_capacity(reg.values.len());
    for (meta, key, value) in reg.values {
        values.push((meta, key, value(lua)?));
    }
    let bodies = Bodies {
        fields: reg.fields.into_iter().map(|fd| (fd.name, fd.get.as_ref().map(&f), fd.set.as_ref().map(&f))).collect(),
        methods: reg.methods.into_iter().map(|(n, cb)| (n, f(&cb))).collect(),
        meta: reg.meta.into_iter().map(|(m, cb)| (m, f(&cb))).collect(),
    };
    Ok((bodies, values))
}

/// Builds the metatable (and class table) of a registration; registers it
/// by `type_id` when given.
fn build(
    lua: &Lua,
    st: &mut State,
    weak: &Weak<LuaInner>,
    bodies: Bodies,
    values: Vec<(bool, String, LuaValue)>,
    default_name: String,
    type_id: Option<TypeId>,
) -> LuaResult<Gc<Table>> {
    let Bodies { fields, methods, meta } = bodies;
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
            let name = default_name;
            let v = st.str_value(name.as_bytes()).map_err(mem)?;
            st.raw_set_field(mt, "__name", v).map_err(mem)?;
            name
        }
        _ => default_name,
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
    for (name, get, _) in &fields {
        if let Some(g) = get {
            if class.get_str(st.new_str(name.as_bytes()).map_err(mem)?).is_nil() {
                getters.push((name.clone(), g.clone()));
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
        fields.iter().filter_map(|(name, _, set)| set.as_ref().map(|s| (name.clone(), s.clone()))).collect();
    if !setters.is_empty() || newindex_body.is_some() || !newindex_value.is_nil() {
        let keys = numbered_keys(st, setters.iter().map(|(n, _)| n.as_str()))?;
        let bodies: Vec<Body> = setters.into_iter().map(|(_, b)| b).collect();
        let f = newindex_native(weak, bodies, newindex_body, name.clone());
        let f = st.new_native_closure(f, &[Value::Table(keys), newindex_value]).map_err(mem)?;
        st.raw_set_field(mt, "__newindex", f).map_err(mem)?;
    }

    if let Some(id) = type_id {
        st.set_userdata_metatable(id, mt);
        if st.ext::<UserdataTypes>().is_none() {
            st.set_ext(UserdataTypes::default());
        }
        if let Some(types) = st.ext_mut::<UserdataTypes>() {
            types.0.insert(id, TypeInfo { name, class });
        }
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
