//! Userdata of types that do not implement `LuaUserdata` (mlua's "any
//! userdata"): `Lua::register_userdata_type` registers the methods and
//! fields of a type the program does not own (`String`, a type of another
//! crate), `Lua::create_any_userdata` and `LuaAnyUserdata::wrap` make
//! userdata of it. Also the class proxies of `Lua::create_proxy`, the
//! serializable userdata of `create_ser_userdata` (feature `serde`), and
//! the owned value `LuaUserdataOwned`.
//!
//! Every kind shares the machinery of `userdata_registry`: a type has one
//! metatable per state, found by its `TypeId`, whichever way it was
//! registered. A type used before any registration gets an empty one
//! (only its `__name`).

use std::any::TypeId;
use std::marker::PhantomData;

use luna_core::gc::Gc;
use luna_core::object::table::Table;
use luna_core::{State, Value};

use crate::error::{LuaError, LuaResult};
use crate::lua::Lua;
use crate::multi::{FromLua, IntoLua, Sealed};
use crate::userdata::{take_value, LuaAnyUserdata, LuaUserdata, USER_VALUES};
use crate::userdata_registry::{register, LuaUserdataRegistry};
use crate::value::LuaValue;

impl Lua {
    /// Registers the methods, fields and metamethods of `T`, a type that
    /// need not implement `LuaUserdata` (one of another crate, `String`,
    /// ...), for the userdata `create_any_userdata` makes. Registering a
    /// type again replaces its registration for the userdata created
    /// afterwards.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.register_userdata_type::<std::net::Ipv4Addr>(|reg| {
    ///     reg.add_method("octet", |_, ip, i: usize| Ok(ip.octets().get(i.wrapping_sub(1)).copied()));
    ///     reg.add_meta_method(LuaMetaMethod::ToString, |_, ip, ()| Ok(ip.to_string()));
    /// })?;
    /// lua.globals().set("ip", lua.create_any_userdata(std::net::Ipv4Addr::new(10, 0, 0, 1))?)?;
    /// assert_eq!(lua.load("return ip:octet(1), tostring(ip)").eval::<(u8, String)>()?, (10, "10.0.0.1".into()));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn register_userdata_type<T: 'static>(&self, f: impl FnOnce(&mut LuaUserdataRegistry<T>)) -> LuaResult<()> {
        let mut registry = LuaUserdataRegistry::<T>::new();
        f(&mut registry);
        register(self, registry, true).map(|_| ())
    }

    /// Creates a userdata holding `value` of any type, with what
    /// `register_userdata_type::<T>` registered (nothing but its name when
    /// the type was never registered).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let ud = lua.create_any_userdata(vec![1u8, 2, 3])?;
    /// assert_eq!(ud.borrow::<Vec<u8>>()?.len(), 3);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_any_userdata<T: 'static>(&self, value: T) -> LuaResult<LuaAnyUserdata> {
        let mt = self.any_userdata_metatable::<T>()?;
        self.new_userdata_with(value, mt)
    }

    /// Creates the class proxy of `T`: a userdata through which scripts
    /// reach `T`'s functions and constant fields without an instance
    /// (`Point.new(1, 2)`, `Point.ORIGIN`). Its metamethods are `T`'s
    /// (`Point(...)` calls `__call`); methods and field getters, which
    /// need an instance, fail on it.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Point(i64, i64);
    /// impl LuaUserdata for Point {
    ///     fn register(reg: &mut LuaUserdataRegistry<Self>) {
    ///         reg.add_function("new", |_, (x, y): (i64, i64)| Ok(Point(x, y)));
    ///         reg.add_field_method_get("x", |_, p| Ok(p.0));
    ///     }
    /// }
    /// let lua = Lua::new();
    /// lua.globals().set("Point", lua.create_proxy::<Point>()?)?;
    /// assert_eq!(lua.load("return Point.new(3, 4).x").eval::<i64>()?, 3);
    /// assert!(lua.load("return Point.x").exec().is_err());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn create_proxy<T: LuaUserdata + 'static>(&self) -> LuaResult<LuaAnyUserdata> {
        let mt = self.userdata_metatable::<T>()?;
        let id = TypeId::of::<LuaUserdataProxy<T>>();
        let proxy_mt = match self.with(|st| st.userdata_metatable(id))? {
            Some(mt) => mt,
            None => self.with(|st| {
                // A copy of `T`'s metatable: the same `__index` finds
                // the functions in the class table and runs the getters,
                // which fail to borrow the proxy as a `T`.
                let copy = st.new_table().map_err(|_| LuaError::memory())?;
                let mut key = Value::Nil;
                while let Ok(Some((k, v))) = mt.next(key) {
                    st.raw_set(copy, k, v).map_err(|_| LuaError::memory())?;
                    key = k;
                }
                st.set_userdata_metatable(id, copy);
                Ok::<_, LuaError>(copy)
            })??,
        };
        self.new_userdata_with(LuaUserdataProxy::<T>(PhantomData), proxy_mt)
    }

    /// The metatable of `T`'s userdata, an empty registration when `T`
    /// has none yet.
    pub(crate) fn any_userdata_metatable<T: 'static>(&self) -> LuaResult<Gc<Table>> {
        if let Some(mt) = self.with(|st| st.userdata_metatable(TypeId::of::<T>()))? {
            return Ok(mt);
        }
        register(self, LuaUserdataRegistry::<T>::new(), false)
    }

    /// A new userdata holding `value`, with the metatable `mt`.
    pub(crate) fn new_userdata_with<T: 'static>(&self, value: T, mt: Gc<Table>) -> LuaResult<LuaAnyUserdata> {
        self.with(|st| {
            let u = st.new_userdata(value, USER_VALUES).map_err(|_| LuaError::memory())?;
            st.set_metatable(Value::Userdata(u), Some(mt));
            Ok(LuaAnyUserdata(self.pin(st, Value::Userdata(u))))
        })?
    }
}

/// The value of a class proxy (`Lua::create_proxy`): no value, only the
/// type. `LuaAnyUserdata::is_proxy::<T>()` recognises it.
pub struct LuaUserdataProxy<T>(PhantomData<T>);

/// A value that becomes a userdata when converted into Lua (see
/// `LuaAnyUserdata::wrap`).
struct WrappedUserdata<F>(F);

impl<F: FnOnce(&Lua) -> LuaResult<LuaAnyUserdata>> IntoLua for WrappedUserdata<F> {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        (self.0)(lua).map(LuaValue::UserData)
    }
}

impl LuaAnyUserdata {
    /// Wraps a value of any type so that converting it into Lua makes a
    /// userdata of it (`Lua::create_any_userdata`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.register_userdata_type::<String>(|reg| {
    ///     reg.add_method("upper", |_, s, ()| Ok(s.to_uppercase()));
    /// })?;
    /// lua.globals().set("s", LuaAnyUserdata::wrap(String::from("hi")))?;
    /// assert_eq!(lua.load("return s:upper()").eval::<String>()?, "HI");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn wrap<T: 'static>(data: T) -> impl IntoLua {
        WrappedUserdata(move |lua: &Lua| lua.create_any_userdata(data))
    }

    /// As `wrap`, for a value that also serializes (`create_ser_any_userdata`).
    #[cfg(feature = "serde")]
    pub fn wrap_ser<T: serde::Serialize + 'static>(data: T) -> impl IntoLua {
        WrappedUserdata(move |lua: &Lua| lua.create_ser_any_userdata(data))
    }
}

/// The value of a userdata, taken out of it: as a callback argument or
/// through `FromLua`, the userdata is consumed (later uses of it fail with
/// `UserDataDestructed`), and a borrowed one is `UserDataBorrowMutError`.
///
/// ```
/// # use luna::prelude::*;
/// struct Ticket(u32);
/// impl LuaUserdata for Ticket {}
/// let lua = Lua::new();
/// let redeem = lua.create_function(|_, t: LuaUserdataOwned<Ticket>| Ok(t.0 .0))?;
/// let ud = lua.create_userdata(Ticket(9))?;
/// assert_eq!(redeem.call::<u32>(&ud)?, 9);
/// assert!(matches!(ud.borrow::<Ticket>(), Err(LuaError::UserDataDestructed)));
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LuaUserdataOwned<T>(pub T);

impl<T> LuaUserdataOwned<T> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for LuaUserdataOwned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for LuaUserdataOwned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: 'static> FromLua for LuaUserdataOwned<T> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::UserData(ud) => ud.take::<T>().map(LuaUserdataOwned),
            other => Err(LuaError::FromLuaConversionError {
                from: other.type_name(),
                to: lua
                    .with(|st| crate::userdata::type_name_in::<T>(st))
                    .unwrap_or_else(|_| crate::userdata::short_type_name::<T>()),
                message: None,
            }),
        }
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, _lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        let u = crate::userdata::userdata_of::<T>(st, value)?;
        take_value::<T>(u).map(LuaUserdataOwned)
    }
}

#[cfg(feature = "serde")]
pub(crate) mod ser {
    //! Serializable userdata: the state keeps, per type created through
    //! `create_ser_userdata`/`create_ser_any_userdata`, the functions that
    //! record a value of the type through its `Serialize` (as a `Content`,
    //! see `serde::content`); the `Serialize` of `LuaValue` replays it and
    //! `Lua::from_value` deserializes from it.

    use std::any::TypeId;
    use std::rc::Rc;

    use luna_core::object::userdata::{PayloadError, Userdata};

    use super::*;
    use crate::serde::content::Content;

    /// How a value of one serializable type is recorded: from a handle
    /// (outside state accesses), and from the runtime userdata (inside one,
    /// where the deserializer meets it).
    #[derive(Clone, Copy)]
    pub(crate) struct SerFns {
        by_handle: fn(&LuaAnyUserdata) -> LuaResult<Content>,
        in_state: fn(Gc<Userdata>) -> LuaResult<Option<Content>>,
    }

    impl SerFns {
        /// The recorded value of `u` (a userdata of this type), `None` when
        /// its value was taken: it then counts as an unsupported value, as
        /// any destructed userdata does.
        pub(crate) fn record(&self, u: Gc<Userdata>) -> LuaResult<Option<Content>> {
            (self.in_state)(u)
        }
    }

    /// The serializable types of a state (kept in its extension map; an
    /// `Rc` so that a deserialization takes it along for the price of a
    /// count).
    #[derive(Default, Clone)]
    pub(crate) struct SerializableTypes(Rc<luna_core::type_map::TypeMap<SerFns>>);

    impl SerializableTypes {
        /// The recording functions of the userdata `u`, if its type is
        /// serializable.
        pub(crate) fn of(&self, u: Gc<Userdata>) -> Option<SerFns> {
            self.0.get(&u.type_id()).copied()
        }

        /// The serializable types of `st`.
        pub(crate) fn in_state(st: &State) -> SerializableTypes {
            st.ext::<SerializableTypes>().cloned().unwrap_or_default()
        }
    }

    fn by_handle<T: serde::Serialize + 'static>(ud: &LuaAnyUserdata) -> LuaResult<Content> {
        let value = ud.borrow::<T>()?;
        Content::of(&*value).map_err(|e| LuaError::SerializeError(e.to_string()))
    }

    fn in_state<T: serde::Serialize + 'static>(u: Gc<Userdata>) -> LuaResult<Option<Content>> {
        match Userdata::borrow_payload::<T>(u) {
            Ok(value) => Content::of(&*value).map(Some).map_err(|e| LuaError::SerializeError(e.to_string())),
            Err(PayloadError::Destructed) => Ok(None),
            Err(PayloadError::BorrowedMut) => Err(LuaError::UserDataBorrowError),
            Err(_) => Err(LuaError::UserDataTypeMismatch),
        }
    }

    fn mark<T: serde::Serialize + 'static>(lua: &Lua) -> LuaResult<()> {
        lua.with(|st| {
            if st.ext::<SerializableTypes>().is_none() {
                st.set_ext(SerializableTypes::default());
            }
            if let Some(types) = st.ext_mut::<SerializableTypes>() {
                let fns = SerFns { by_handle: by_handle::<T>, in_state: in_state::<T> };
                Rc::make_mut(&mut types.0).insert(TypeId::of::<T>(), fns);
            }
        })
    }

    impl Lua {
        /// As `create_userdata`, for a value that also serializes:
        /// `serde_json::to_string(&value)` of the userdata (or of a table
        /// holding it) writes the Rust value out through its `Serialize`,
        /// and `Lua::from_value` reads a Rust value back from it (as from
        /// what its `Serialize` writes).
        ///
        /// ```
        /// # use luna::prelude::*;
        /// #[derive(serde::Serialize, serde::Deserialize)]
        /// struct Point { x: i32, y: i32 }
        /// impl LuaUserdata for Point {}
        /// let lua = Lua::new();
        /// let t = lua.create_table()?;
        /// t.set("p", lua.create_ser_userdata(Point { x: 1, y: 2 })?)?;
        /// assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"p":{"x":1,"y":2}}"#);
        ///
        /// let copy: Point = lua.from_value(t.get("p")?)?;
        /// assert_eq!((copy.x, copy.y), (1, 2));
        /// # Ok::<(), LuaError>(())
        /// ```
        pub fn create_ser_userdata<T: LuaUserdata + serde::Serialize + 'static>(
            &self,
            value: T,
        ) -> LuaResult<LuaAnyUserdata> {
            mark::<T>(self)?;
            self.create_userdata(value)
        }

        /// As `create_any_userdata`, for a value that also serializes.
        pub fn create_ser_any_userdata<T: serde::Serialize + 'static>(&self, value: T) -> LuaResult<LuaAnyUserdata> {
            mark::<T>(self)?;
            self.create_any_userdata(value)
        }
    }

    impl LuaAnyUserdata {
        /// The recording functions of this userdata's type, if it was
        /// created serializable and still has its value.
        fn ser_fns(&self) -> LuaResult<Option<SerFns>> {
            let lua = Lua::of_handle(&self.0)?;
            lua.with(|st| match lua.value_of(st, &self.0)? {
                Value::Userdata(u) if u.has_payload() => Ok(SerializableTypes::in_state(st).of(u)),
                _ => Ok(None),
            })?
        }

        /// Whether the userdata serializes: its type was created
        /// serializable and its value was not taken.
        pub(crate) fn is_serializable(&self) -> bool {
            matches!(self.ser_fns(), Ok(Some(_)))
        }

        /// The value of a serializable userdata as serde's data model has
        /// it (`None` when the userdata does not serialize).
        pub(crate) fn content(&self) -> LuaResult<Option<Content>> {
            match self.ser_fns()? {
                Some(fns) => (fns.by_handle)(self).map(Some),
                None => Ok(None),
            }
        }
    }
}
