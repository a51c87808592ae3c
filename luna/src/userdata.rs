//! Userdata: Rust values owned by Lua. The `LuaUserdata` trait (what a
//! type exposes), `LuaMetaMethod`, the handle `LuaAnyUserdata`, the
//! borrow guards `LuaUserdataRef`/`LuaUserdataRefMut`, and
//! `Lua::create_userdata`/`register_userdata`.
//!
//! A userdata's payload is the Rust value itself, in the runtime's
//! userdata object (`luna_core::object::userdata`), which keeps a borrow
//! flag: every typed access goes through a guard, so a conflicting borrow
//! (a `&mut self` method called on a value another call is reading) is a
//! clean error naming the type, never aliasing. Guards keep the userdata
//! pinned and the state alive while they live. The methods, fields and
//! metamethods of a type are registered once per state (see
//! `userdata_registry`); every userdata of the type shares the metatable.

use std::any::TypeId;

use luna_core::gc::Gc;
use luna_core::object::table::Table;
use luna_core::object::userdata::{PayloadError, PayloadMut, PayloadRef, Userdata};
use luna_core::{State, Value};

use crate::error::{LuaError, LuaResult};
#[cfg(feature = "userdata-wrappers")]
use crate::lua::Rooted;
use crate::lua::{HandleRef, Lua};
use crate::multi::{FromLua, IntoLua, Sealed};
use crate::string::LuaString;
use crate::table::LuaTable;
use crate::userdata_registry::{register, LuaUserdataRegistry};
use crate::value::LuaValue;

pub use crate::userdata_registry::{LuaUserdataFields, LuaUserdataMethods};

/// A Rust type that Lua scripts can hold, with the fields, methods and
/// metamethods it exposes (mlua's `UserData`). The everyday path is
/// `#[derive(LuaUserdata)]` with `#[luna::methods]`; implementing the trait
/// by hand covers everything else.
///
/// The macros split the work as pyo3's `#[pyclass]` and `#[pymethods]`:
/// the derive always implements this trait (exposing the named fields, as
/// mlua's derive: readable and writable unless `#[lua(get)]`/`#[lua(set)]`
/// limits the access, hidden with `#[lua(skip)]`), and `#[luna::methods]`
/// on an `impl` block of the type adds its functions to what the derive
/// registers. The attribute never implements the trait: a type with
/// methods only still derives it.
///
/// ```
/// # use luna::prelude::*;
/// #[derive(LuaUserdata)]
/// struct Vec2 {
///     x: f64, // readable and writable
///     #[lua(get)]
///     y: f64, // read-only
///     #[lua(skip)]
///     norm: Option<f64>, // hidden
/// }
///
/// #[luna::methods]
/// impl Vec2 {
///     pub fn new(x: f64, y: f64) -> Vec2 { Vec2 { x, y, norm: None } }
///     pub fn len(&self) -> f64 { self.norm.unwrap_or(self.x.hypot(self.y)) }
/// }
///
/// let lua = Lua::new();
/// lua.register_userdata::<Vec2>("Vec2")?;
/// let script = r#"
///     local v = Vec2.new(3, 4)
///     v.x = 0
///     assert(not pcall(function() v.y = 1 end) and v.norm == nil)
///     return v:len()
/// "#;
/// assert_eq!(lua.load(script).eval::<f64>()?, 4.0);
/// # Ok::<(), LuaError>(())
/// ```
///
/// A type with methods and no exposed fields derives without keys:
///
/// ```
/// # use luna::prelude::*;
/// #[derive(LuaUserdata)]
/// struct Stack(Vec<i64>);
///
/// #[luna::methods]
/// impl Stack {
///     pub fn new() -> Stack { Stack(Vec::new()) }
///     pub fn push(&mut self, v: i64) { self.0.push(v) }
///     pub fn pop(&mut self) -> Option<i64> { self.0.pop() }
/// }
///
/// let lua = Lua::new();
/// lua.register_userdata::<Stack>("Stack")?;
/// assert_eq!(lua.load("local s = Stack.new(); s:push(1); s:push(2); return s:pop()").eval::<i64>()?, 2);
/// # Ok::<(), LuaError>(())
/// ```
///
/// By hand:
///
/// ```
/// # use luna::prelude::*;
/// struct Counter { n: i64 }
///
/// impl LuaUserdata for Counter {
///     fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
///         fields.add_field_method_get("n", |_, this| Ok(this.n));
///     }
///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
///         methods.add_method_mut("add", |_, this, k: i64| {
///             this.n += k;
///             Ok(this.n)
///         });
///         methods.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| Ok(format!("Counter({})", this.n)));
///     }
/// }
///
/// let lua = Lua::new();
/// lua.globals().set("c", lua.create_userdata(Counter { n: 1 })?)?;
/// assert_eq!(lua.load("c:add(41); return c.n, tostring(c)").eval::<(i64, String)>()?, (42, "Counter(42)".into()));
/// # Ok::<(), LuaError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Lua userdata type",
    note = "add #[derive(LuaUserdata)] to the type (#[luna::methods] alone is not enough: it only adds methods to \
            what the derive registers), or implement LuaUserdata by hand"
)]
pub trait LuaUserdata: Sized {
    /// Registers the fields (`ud.name` reads and writes).
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        let _ = fields;
    }

    /// Registers the methods (`ud:name(...)`), functions and metamethods.
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        let _ = methods;
    }

    /// Registers everything at once (mlua 0.12's alternative to the two
    /// hooks above, which it calls by default): the registry has both the
    /// field and the method registration methods.
    ///
    /// A type that is not `'static` (it borrows) can be a userdata too,
    /// created by `LuaScope::create_userdata` for the duration of a
    /// `Lua::scope`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Meters(f64);
    /// impl LuaUserdata for Meters {
    ///     fn register(reg: &mut LuaUserdataRegistry<Self>) {
    ///         reg.add_field_method_get("value", |_, this| Ok(this.0));
    ///         reg.add_method("double", |_, this, ()| Ok(Meters(this.0 * 2.0)));
    ///     }
    /// }
    /// let lua = Lua::new();
    /// lua.globals().set("m", Meters(1.5))?;
    /// assert_eq!(lua.load("return m:double().value").eval::<f64>()?, 3.0);
    /// # Ok::<(), LuaError>(())
    /// ```
    fn register(registry: &mut LuaUserdataRegistry<Self>) {
        Self::add_fields(registry);
        Self::add_methods(registry);
    }
}

/// The metamethods a userdata type can define. `__gc` is not among them:
/// collecting a userdata drops its Rust value, which is the finalizer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LuaMetaMethod {
    /// `__add` (`a + b`).
    Add,
    /// `__sub` (`a - b`).
    Sub,
    /// `__mul` (`a * b`).
    Mul,
    /// `__div` (`a / b`).
    Div,
    /// `__mod` (`a % b`).
    Mod,
    /// `__pow` (`a ^ b`).
    Pow,
    /// `__unm` (`-a`).
    Unm,
    /// `__idiv` (`a // b`).
    IDiv,
    /// `__band` (`a & b`).
    BAnd,
    /// `__bor` (`a | b`).
    BOr,
    /// `__bxor` (`a ~ b`).
    BXor,
    /// `__bnot` (`~a`).
    BNot,
    /// `__shl` (`a << b`).
    Shl,
    /// `__shr` (`a >> b`).
    Shr,
    /// `__concat` (`a .. b`).
    Concat,
    /// `__len` (`#a`).
    Len,
    /// `__eq` (`a == b`).
    Eq,
    /// `__lt` (`a < b`).
    Lt,
    /// `__le` (`a <= b`).
    Le,
    /// `__call` (`a(...)`).
    Call,
    /// `__index`: the fallback for keys that are neither fields nor
    /// methods.
    Index,
    /// `__newindex`: the fallback for assignments to keys that are not
    /// fields.
    NewIndex,
    /// `__tostring` (`tostring(a)`).
    ToString,
    /// `__close` (a to-be-closed variable going out of scope).
    Close,
    /// `__name` (a meta field: the type name in messages).
    Name,
    /// `__name` under mlua's name for it (the type name Lua shows); the
    /// same key as `Name`.
    Type,
    /// `__pairs` (`pairs(a)`).
    Pairs,
    /// Any other metatable key, as written in the metatable (the
    /// conversions from strings add the `__` prefix when it is missing).
    Custom(String),
}

impl LuaMetaMethod {
    /// The metatable key (`"__add"`, ...).
    ///
    /// ```
    /// # use luna::LuaMetaMethod;
    /// assert_eq!(LuaMetaMethod::Add.name(), "__add");
    /// assert_eq!(LuaMetaMethod::from("answer").name(), "__answer");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            LuaMetaMethod::Add => "__add",
            LuaMetaMethod::Sub => "__sub",
            LuaMetaMethod::Mul => "__mul",
            LuaMetaMethod::Div => "__div",
            LuaMetaMethod::Mod => "__mod",
            LuaMetaMethod::Pow => "__pow",
            LuaMetaMethod::Unm => "__unm",
            LuaMetaMethod::IDiv => "__idiv",
            LuaMetaMethod::BAnd => "__band",
            LuaMetaMethod::BOr => "__bor",
            LuaMetaMethod::BXor => "__bxor",
            LuaMetaMethod::BNot => "__bnot",
            LuaMetaMethod::Shl => "__shl",
            LuaMetaMethod::Shr => "__shr",
            LuaMetaMethod::Concat => "__concat",
            LuaMetaMethod::Len => "__len",
            LuaMetaMethod::Eq => "__eq",
            LuaMetaMethod::Lt => "__lt",
            LuaMetaMethod::Le => "__le",
            LuaMetaMethod::Call => "__call",
            LuaMetaMethod::Index => "__index",
            LuaMetaMethod::NewIndex => "__newindex",
            LuaMetaMethod::ToString => "__tostring",
            LuaMetaMethod::Close => "__close",
            LuaMetaMethod::Name | LuaMetaMethod::Type => "__name",
            LuaMetaMethod::Pairs => "__pairs",
            LuaMetaMethod::Custom(s) => s,
        }
    }
}

impl From<&str> for LuaMetaMethod {
    /// The metamethod named `name`, with or without the `__` prefix
    /// (`"add"`, `"__add"`).
    fn from(name: &str) -> LuaMetaMethod {
        let bare = name.strip_prefix("__").unwrap_or(name);
        match bare {
            "add" => LuaMetaMethod::Add,
            "sub" => LuaMetaMethod::Sub,
            "mul" => LuaMetaMethod::Mul,
            "div" => LuaMetaMethod::Div,
            "mod" => LuaMetaMethod::Mod,
            "pow" => LuaMetaMethod::Pow,
            "unm" => LuaMetaMethod::Unm,
            "idiv" => LuaMetaMethod::IDiv,
            "band" => LuaMetaMethod::BAnd,
            "bor" => LuaMetaMethod::BOr,
            "bxor" => LuaMetaMethod::BXor,
            "bnot" => LuaMetaMethod::BNot,
            "shl" => LuaMetaMethod::Shl,
            "shr" => LuaMetaMethod::Shr,
            "concat" => LuaMetaMethod::Concat,
            "len" => LuaMetaMethod::Len,
            "eq" => LuaMetaMethod::Eq,
            "lt" => LuaMetaMethod::Lt,
            "le" => LuaMetaMethod::Le,
            "call" => LuaMetaMethod::Call,
            "index" => LuaMetaMethod::Index,
            "newindex" => LuaMetaMethod::NewIndex,
            "tostring" => LuaMetaMethod::ToString,
            "close" => LuaMetaMethod::Close,
            "name" => LuaMetaMethod::Name,
            "pairs" => LuaMetaMethod::Pairs,
            _ => LuaMetaMethod::Custom(format!("__{bare}")),
        }
    }
}

impl From<String> for LuaMetaMethod {
    fn from(name: String) -> LuaMetaMethod {
        LuaMetaMethod::from(name.as_str())
    }
}

impl From<&String> for LuaMetaMethod {
    fn from(name: &String) -> LuaMetaMethod {
        LuaMetaMethod::from(name.as_str())
    }
}

impl AsRef<str> for LuaMetaMethod {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

impl std::fmt::Display for LuaMetaMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<LuaMetaMethod> for String {
    fn from(m: LuaMetaMethod) -> String {
        m.name().to_string()
    }
}

impl PartialEq<str> for LuaMetaMethod {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl PartialEq<&str> for LuaMetaMethod {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl IntoLua for LuaMetaMethod {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        lua.create_string(self.name()).map(LuaValue::String)
    }
}

/// A full userdata of any type.
#[derive(Clone)]
pub struct LuaAnyUserdata(pub(crate) HandleRef);

/// `{:?}` shows the handle; `{:#?}` (as for a `LuaValue` holding the
/// userdata) what the userdata says of itself, as mlua shows it: the
/// string its `__todebugstring` metamethod returns, else its
/// `__tostring`'s, else its type name and address.
///
/// ```
/// # use luna::prelude::*;
/// struct Coin(u32);
/// impl LuaUserdata for Coin {
///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
///         methods.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| Ok(format!("{} cents", this.0)));
///     }
/// }
/// struct Blob;
/// impl LuaUserdata for Blob {}
/// let lua = Lua::new();
/// assert_eq!(format!("{:#?}", lua.create_userdata(Coin(5))?), "5 cents");
/// assert!(format!("{:#?}", lua.create_userdata(Blob)?).starts_with("Blob: 0x"));
/// # Ok::<(), LuaError>(())
/// ```
impl std::fmt::Debug for LuaAnyUserdata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            return self.fmt_pretty(f);
        }
        write!(f, "LuaAnyUserdata({:?})", self.0)
    }
}

impl LuaAnyUserdata {
    /// The pretty form (see the `Debug` impl). A metamethod that fails or
    /// returns no string falls back to the name and address.
    pub(crate) fn fmt_pretty(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Ok(Some(s)) = self.debug_string() {
            return f.write_str(&s);
        }
        let name = self.type_name().map(|s| s.to_string_lossy()).unwrap_or_else(|_| "userdata".to_string());
        write!(f, "{name}: {:?}", self.to_pointer())
    }

    /// The string `__todebugstring`, else `__tostring`, makes of the
    /// userdata; `None` when it has neither.
    fn debug_string(&self) -> LuaResult<Option<String>> {
        let mt = self.metatable()?;
        for key in ["__todebugstring", "__tostring"] {
            if let Some(f) = mt.get::<Option<crate::function::LuaFunction>>(key)? {
                return Ok(match f.call::<LuaValue>(self.clone())? {
                    LuaValue::String(s) => Some(s.to_string_lossy()),
                    _ => None,
                });
            }
        }
        Ok(None)
    }
}

impl PartialEq for LuaAnyUserdata {
    fn eq(&self, other: &LuaAnyUserdata) -> bool {
        crate::lua::same_value(&self.0, &other.0)
    }
}

/// The name Lua messages give the Rust type `T`: the `__name` of its
/// registered metatable, else the last segment of its Rust name.
pub(crate) fn type_name_in<T: 'static>(st: &State) -> String {
    match crate::userdata_registry::type_info(st, TypeId::of::<T>()) {
        Some(info) => info.name.clone(),
        None => short_type_name::<T>(),
    }
}

/// `T`'s Rust name without module paths, in the generic arguments too
/// (`HashMap<i32, String>`, `Rc<RefCell<Point>>`), and without elided
/// lifetimes (`MyData<'_>` is `MyData`), as mlua names types.
pub(crate) fn short_type_name<T: ?Sized>() -> String {
    // `<'_, '_, u8>` -> `<u8>`, `<'_, '_>` -> `<'_>` -> nothing.
    shorten_type_name(std::any::type_name::<T>()).replace("'_, ", "").replace("<'_>", "")
}

/// Drops every module path of a Rust type name: a `::` removes the path
/// segment before it. One that follows no segment (`<T as Tr>::Out`) stays.
fn shorten_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    // Where the path segment being read starts in `out`.
    let mut segment = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            if out.len() > segment {
                out.truncate(segment);
            } else {
                out.push_str("::");
                segment = out.len();
            }
        } else {
            out.push(c);
            if !(c.is_alphanumeric() || c == '_') {
                segment = out.len();
            }
        }
    }
    out
}

/// How a conversion error's message names the userdata type a value
/// should have been (mlua's wording).
pub(crate) const EXPECTED_USERDATA: &str = "expected userdata of type ";

/// The error for a failed typed access to a userdata holding `v`.
#[cold]
pub(crate) fn payload_error<T: 'static>(st: &State, v: Value, e: PayloadError) -> LuaError {
    match e {
        // A userdata a `Lua::scope` created, after the scope.
        PayloadError::WrongType if matches!(v, Value::Userdata(u) if u.metatable().is_some_and(|mt| crate::scope::is_destructed(st, mt))) => {
            LuaError::UserDataDestructed
        }
        PayloadError::WrongType if matches!(v, Value::Userdata(_)) => {
            LuaError::FromLuaConversionError { from: "userdata", to: type_name_in::<T>(st), message: None }
        }
        // Not a userdata at all: mlua's shape (the Lua message still reads
        // as PUC's, see `LuaError::argument_message`).
        PayloadError::WrongType => LuaError::FromLuaConversionError {
            from: v.type_name(),
            to: "userdata".to_string(),
            message: Some(format!("{EXPECTED_USERDATA}'{}'", type_name_in::<T>(st))),
        },
        PayloadError::Destructed => LuaError::UserDataDestructed,
        PayloadError::BorrowedMut => LuaError::UserDataBorrowError,
        PayloadError::Borrowed => LuaError::UserDataBorrowMutError,
    }
}

/// The userdata object of `v`, or the conversion error naming `T`.
#[inline]
pub(crate) fn userdata_of<T: 'static>(st: &State, v: Value) -> LuaResult<Gc<Userdata>> {
    match v {
        Value::Userdata(u) => Ok(u),
        other => Err(payload_error::<T>(st, other, PayloadError::WrongType)),
    }
}

impl LuaAnyUserdata {
    /// The runtime userdata, with the state to use it in.
    pub(crate) fn with_ud<R>(&self, f: impl FnOnce(&Lua, &mut State, Gc<Userdata>) -> LuaResult<R>) -> LuaResult<R> {
        let lua = Lua::of_handle(&self.0)?;
        lua.with(|st| match lua.value_of(st, &self.0)? {
            Value::Userdata(u) => f(&lua, st, u),
            _ => Err(LuaError::runtime("handle does not hold a userdata")),
        })?
    }

    /// Whether the userdata holds a `T` (false once its value was taken).
    pub fn is<T: 'static>(&self) -> bool {
        self.with_ud(|_, _, u| Ok(u.type_id() == TypeId::of::<T>() && u.has_payload())).unwrap_or(false)
    }

    /// Whether the userdata is the proxy of `T` that `Lua::create_proxy`
    /// makes.
    pub fn is_proxy<T: 'static>(&self) -> bool {
        self.is::<crate::userdata_any::LuaUserdataProxy<T>>()
    }

    /// The `TypeId` of the Rust value the userdata holds; `None` once the
    /// value was taken or destroyed.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// # use std::any::TypeId;
    /// let lua = Lua::new();
    /// let ud = lua.create_any_userdata(7u8)?;
    /// assert_eq!(ud.type_id(), Some(TypeId::of::<u8>()));
    /// ud.destroy()?;
    /// assert_eq!(ud.type_id(), None);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn type_id(&self) -> Option<TypeId> {
        self.with_ud(|_, _, u| Ok(u.has_payload().then(|| u.type_id()))).ok().flatten()
    }

    /// The address of the userdata object, for hashing and debug output
    /// (the same for every handle to one userdata, as `%p` shows).
    pub fn to_pointer(&self) -> *const std::ffi::c_void {
        self.with_ud(|_, _, u| Ok(u.addr() as *const std::ffi::c_void)).unwrap_or(std::ptr::null())
    }

    /// Borrows the value as a `T`; fails if it is another type
    /// (`UserDataTypeMismatch`), was taken (`UserDataDestructed`), or is
    /// mutably borrowed (`UserDataBorrowError`).
    ///
    /// With the `userdata-wrappers` feature, a userdata holding an
    /// `Rc<T>`, `Arc<T>`, `Rc<RefCell<T>>` or parking_lot's
    /// `Arc<Mutex<T>>`/`Arc<RwLock<T>>` lends the `T` inside (the guard
    /// holds the cell's borrow or the lock, which is only tried:
    /// `UserDataBorrowError` when held elsewhere); std's `Arc<Mutex<T>>`
    /// and `Arc<RwLock<T>>` are reached through `borrow_scoped` only.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Point(i32, i32);
    /// impl LuaUserdata for Point {}
    /// let lua = Lua::new();
    /// let ud = lua.create_userdata(Point(1, 2))?;
    /// assert_eq!(ud.borrow::<Point>()?.1, 2);
    /// assert!(matches!(ud.borrow::<String>(), Err(LuaError::UserDataTypeMismatch)));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn borrow<T: 'static>(&self) -> LuaResult<LuaUserdataRef<T>> {
        self.with_ud(|lua, st, u| match RefGuard::new(lua, st, u) {
            Ok(guard) => Ok(LuaUserdataRef { guard, _lua: lua.clone() }),
            Err(e) => Err(e.into_error(|e| access_error(st, u, e))),
        })
    }

    /// Borrows the value mutably as a `T`; fails if it is another type,
    /// was taken, or is borrowed (`UserDataBorrowMutError`). Through the
    /// wrappers as `borrow`, except that an `Rc<T>`/`Arc<T>` never lends
    /// its value mutably (`UserDataBorrowMutError`: the host may share it).
    pub fn borrow_mut<T: 'static>(&self) -> LuaResult<LuaUserdataRefMut<T>> {
        self.with_ud(|lua, st, u| match MutGuard::new(lua, st, u) {
            Ok(guard) => Ok(LuaUserdataRefMut { guard, _lua: lua.clone() }),
            Err(e) => Err(e.into_error(|e| access_error(st, u, e))),
        })
    }

    /// Takes the value out. The userdata stays a valid Lua value; using it
    /// as a `T` afterwards is the error `UserDataDestructed`. Taking a
    /// borrowed value is `UserDataBorrowMutError`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Token(String);
    /// impl LuaUserdata for Token {}
    /// let lua = Lua::new();
    /// let ud = lua.create_userdata(Token("secret".into()))?;
    /// assert_eq!(ud.take::<Token>()?.0, "secret");
    /// assert!(matches!(ud.borrow::<Token>(), Err(LuaError::UserDataDestructed)));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn take<T: 'static>(&self) -> LuaResult<T> {
        self.with_ud(|_, _, u| take_value::<T>(u))
    }

    /// Drops the value now, whatever its type (the userdata stays a valid
    /// Lua value whose methods fail with `UserDataDestructed`). While the
    /// host borrows the value (a `LuaUserdataRef` or `LuaUserdataRefMut`
    /// is alive) the userdata reads as destructed at once and the value
    /// drops when the last of those borrows does, as mlua does. While a
    /// method of the value runs, it is not destroyed:
    /// `UserDataBorrowMutError`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let ud = lua.create_any_userdata(String::from("x"))?;
    /// let held = ud.borrow::<String>()?;
    /// ud.destroy()?;
    /// assert!(matches!(ud.borrow::<String>(), Err(LuaError::UserDataDestructed)));
    /// assert_eq!(*held, "x"); // dropped with the last borrow
    /// drop(held);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn destroy(&self) -> LuaResult<()> {
        let value = self.with_ud(|_, _, u| u.destroy_payload().map_err(|_| LuaError::UserDataBorrowMutError))?;
        // Dropped outside the state access: the value's `Drop` may use a
        // `Lua` handle of its own.
        drop(value);
        Ok(())
    }

    /// The type name Lua gives the userdata: the `__name` of its
    /// metatable when it is a string, else `"userdata"`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Celsius(f64);
    /// impl LuaUserdata for Celsius {}
    /// let lua = Lua::new();
    /// assert_eq!(lua.create_userdata(Celsius(0.0))?.type_name()?, "Celsius");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn type_name(&self) -> LuaResult<LuaString> {
        let name = self.with_ud(|lua, st, u| {
            let name = match u.metatable() {
                Some(mt) => {
                    let key = st.new_str(b"__name").map_err(|_| LuaError::memory())?;
                    mt.get_str(key)
                }
                None => Value::Nil,
            };
            Ok(match name {
                Value::Str(_) => Some(lua.lift(st, name)),
                _ => None,
            })
        })?;
        match name {
            Some(LuaValue::String(s)) => Ok(s),
            _ => Lua::of_handle(&self.0)?.create_string("userdata"),
        }
    }

    /// The metatable (shared by every userdata of the type), behind a
    /// handle that keeps the keys the facade relies on out of reach. A
    /// userdata a `Lua::scope` created has none after the scope ended: the
    /// error `UserDataDestructed`.
    pub fn metatable(&self) -> LuaResult<LuaUserdataMetatable> {
        let mt = self.with_ud(|lua, st, u| match u.metatable() {
            Some(mt) if crate::scope::is_destructed(st, mt) => Err(LuaError::UserDataDestructed),
            mt => Ok(mt.map(|mt| LuaTable(lua.pin(st, Value::Table(mt))))),
        })?;
        match mt {
            Some(t) => Ok(LuaUserdataMetatable(t)),
            None => Err(LuaError::UserDataTypeMismatch),
        }
    }

    /// The user value (nil until set): `nth_user_value(1)`.
    pub fn user_value<V: FromLua>(&self) -> LuaResult<V> {
        self.nth_user_value(1)
    }

    /// Sets the user value: `set_nth_user_value(1, v)`.
    pub fn set_user_value(&self, v: impl IntoLua) -> LuaResult<()> {
        self.set_nth_user_value(1, v)
    }

    /// User value `n` (1 to 65535; nil until set).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Tag;
    /// impl LuaUserdata for Tag {}
    /// let lua = Lua::new();
    /// let ud = lua.create_userdata(Tag)?;
    /// ud.set_nth_user_value(3, "three")?;
    /// assert_eq!(ud.nth_user_value::<String>(3)?, "three");
    /// assert_eq!(ud.nth_user_value::<Option<String>>(2)?, None);
    /// assert!(ud.nth_user_value::<LuaValue>(0).is_err());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn nth_user_value<V: FromLua>(&self, n: usize) -> LuaResult<V> {
        check_user_value_index(n)?;
        self.get_user_value(LuaValue::Integer(n as i64))
    }

    /// Sets user value `n` (1 to 65535).
    pub fn set_nth_user_value(&self, n: usize, v: impl IntoLua) -> LuaResult<()> {
        check_user_value_index(n)?;
        self.put_user_value(LuaValue::Integer(n as i64), v)
    }

    /// The user value named `name` (nil until set).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Tag;
    /// impl LuaUserdata for Tag {}
    /// let lua = Lua::new();
    /// let ud = lua.create_userdata(Tag)?;
    /// ud.set_named_user_value("owner", "ana")?;
    /// assert_eq!(ud.named_user_value::<String>("owner")?, "ana");
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn named_user_value<V: FromLua>(&self, name: &str) -> LuaResult<V> {
        let lua = Lua::of_handle(&self.0)?;
        self.get_user_value(LuaValue::String(lua.create_string(name)?))
    }

    /// Sets the user value named `name`.
    pub fn set_named_user_value(&self, name: &str, v: impl IntoLua) -> LuaResult<()> {
        let lua = Lua::of_handle(&self.0)?;
        self.put_user_value(LuaValue::String(lua.create_string(name)?), v)
    }

    /// The table holding the user values (in the userdata's one Lua user
    /// value slot, as mlua keeps them), created on demand.
    fn user_values(&self, create: bool) -> LuaResult<Option<LuaTable>> {
        let lua = Lua::of_handle(&self.0)?;
        let existing = self.with_ud(|lua, st, u| match u.user_value(1) {
            Some(t @ Value::Table(_)) => Ok(Some(LuaTable(lua.pin(st, t)))),
            _ => Ok(None),
        })?;
        if existing.is_some() || !create {
            return Ok(existing);
        }
        let t = lua.create_table()?;
        let tv = LuaValue::Table(t.clone());
        self.with_ud(|lua, st, u| {
            let cv = lua.lower(st, &tv)?;
            st.set_user_value(u, 1, cv);
            Ok(())
        })?;
        Ok(Some(t))
    }

    fn get_user_value<V: FromLua>(&self, key: LuaValue) -> LuaResult<V> {
        match self.user_values(false)? {
            Some(t) => t.raw_get(key),
            None => V::from_lua(LuaValue::Nil, &Lua::of_handle(&self.0)?),
        }
    }

    fn put_user_value(&self, key: LuaValue, v: impl IntoLua) -> LuaResult<()> {
        let lua = Lua::of_handle(&self.0)?;
        let v = v.into_lua(&lua)?;
        match self.user_values(true)? {
            Some(t) => t.raw_set(key, v),
            None => Err(LuaError::runtime("userdata has no user value slot")),
        }
    }
}

/// The error of a handle's typed access (mlua's: a userdata of another
/// type is `UserDataTypeMismatch`).
/// The error of a failed borrow of `u` from the host: as `handle_error`,
/// except that a userdata a finished `Lua::scope` destroyed (its value is
/// gone and its metatable is the scope's "destructed" one) is
/// `UserDataDestructed` whatever type is asked for.
fn access_error(st: &State, u: Gc<Userdata>, e: PayloadError) -> LuaError {
    match (e, u.metatable()) {
        (PayloadError::WrongType, Some(mt)) if crate::scope::is_destructed(st, mt) => LuaError::UserDataDestructed,
        (e, _) => handle_error(e),
    }
}

pub(crate) fn handle_error(e: PayloadError) -> LuaError {
    match e {
        PayloadError::WrongType => LuaError::UserDataTypeMismatch,
        PayloadError::Destructed => LuaError::UserDataDestructed,
        PayloadError::BorrowedMut => LuaError::UserDataBorrowError,
        PayloadError::Borrowed => LuaError::UserDataBorrowMutError,
    }
}

/// Takes the value of `u` out as a `T`.
pub(crate) fn take_value<T: 'static>(u: Gc<Userdata>) -> LuaResult<T> {
    if u.type_id() != TypeId::of::<T>() {
        return Err(LuaError::UserDataTypeMismatch);
    }
    if !u.has_payload() {
        return Err(LuaError::UserDataDestructed);
    }
    match u.take_payload().map(|b| b.downcast::<T>()) {
        Some(Ok(b)) => Ok(*b),
        // Still there but not taken: a guard borrows it.
        _ => Err(LuaError::UserDataBorrowMutError),
    }
}

/// Number of user value slots every userdata created by the facade has:
/// one, holding the table of its user values.
pub(crate) const USER_VALUES: usize = 1;

fn check_user_value_index(n: usize) -> LuaResult<()> {
    if n < 1 || n > u16::MAX as usize {
        return Err(LuaError::runtime("user value index out of bounds"));
    }
    Ok(())
}

/// The metatable of a userdata, as `LuaAnyUserdata::metatable` gives it:
/// `__gc` and `__metatable` are out of reach, and `__index`/`__newindex`
/// (which the facade builds from the registered fields) read-only.
#[derive(Clone, Debug)]
pub struct LuaUserdataMetatable(LuaTable);

/// Whether `key` is a metatable key the facade keeps out of reach.
fn restricted(key: &str) -> LuaResult<()> {
    match key {
        "__gc" | "__metatable" | "__mode" => Err(LuaError::MetaMethodRestricted(key.to_string())),
        _ => Ok(()),
    }
}

impl LuaUserdataMetatable {
    /// The value of `key` (nil when absent); `__gc` and `__metatable` are
    /// `MetaMethodRestricted`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Celsius(f64);
    /// impl LuaUserdata for Celsius {}
    /// let lua = Lua::new();
    /// let mt = lua.create_userdata(Celsius(0.0))?.metatable()?;
    /// assert_eq!(mt.get::<String>(LuaMetaMethod::Type)?, "Celsius");
    /// assert!(matches!(mt.get::<LuaValue>("__gc"), Err(LuaError::MetaMethodRestricted(_))));
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn get<V: FromLua>(&self, key: impl Into<LuaMetaMethod>) -> LuaResult<V> {
        let key = key.into();
        restricted(key.name())?;
        self.0.raw_get(key.name())
    }

    /// Sets `key` (nil removes it). `__index` and `__newindex` cannot be
    /// changed, nor `__gc` and `__metatable` set.
    pub fn set(&self, key: impl Into<LuaMetaMethod>, value: impl IntoLua) -> LuaResult<()> {
        let key = key.into();
        restricted(key.name())?;
        if matches!(key.name(), "__index" | "__newindex") {
            return Err(LuaError::MetaMethodRestricted(key.name().to_string()));
        }
        self.0.raw_set(key.name(), value)
    }

    /// Whether `key` has a non-nil value.
    pub fn contains(&self, key: impl Into<LuaMetaMethod>) -> LuaResult<bool> {
        let key = key.into();
        restricted(key.name())?;
        self.0.contains_key(key.name())
    }

    /// The pairs of the metatable, the restricted keys left out.
    pub fn pairs<V: FromLua>(&self) -> impl Iterator<Item = LuaResult<(String, V)>> {
        self.0.pairs::<String, V>().filter(|kv| match kv {
            Ok((k, _)) => restricted(k).is_ok(),
            Err(_) => true,
        })
    }
}

/// A shared borrow of a userdata's value; usable as a callback argument,
/// so a method can take another userdata by reference. The userdata and
/// its state stay alive while the borrow lives; a `&mut` borrow of the
/// same value meanwhile is an error.
pub struct LuaUserdataRef<T: 'static> {
    // Dropped first: the borrow ends while the state is still alive. The
    // guard keeps the userdata alive (see `RefGuard`).
    guard: RefGuard<T>,
    // Keeps the state, and with it the userdata's memory.
    _lua: Lua,
}

impl<T: 'static> std::ops::Deref for LuaUserdataRef<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.guard {
            RefGuard::Own(g) => g,
            #[cfg(feature = "userdata-wrappers")]
            RefGuard::Wrapped(g, _) => g,
        }
    }
}

/// The borrow a `LuaUserdataRef` holds: of the userdata's value (a held
/// guard, which roots the userdata by itself: no host root to take and
/// release), or of the value inside the wrapper it holds
/// (`userdata_wrappers`), with a host root for the userdata.
enum RefGuard<T: 'static> {
    Own(PayloadRef<T, true>),
    #[cfg(feature = "userdata-wrappers")]
    Wrapped(crate::userdata_wrappers::WrappedRef<T>, #[allow(dead_code)] Rooted),
}

/// The borrow a `LuaUserdataRefMut` holds (see `RefGuard`).
enum MutGuard<T: 'static> {
    Own(PayloadMut<T, true>),
    #[cfg(feature = "userdata-wrappers")]
    Wrapped(crate::userdata_wrappers::WrappedMut<T>, #[allow(dead_code)] Rooted),
}

/// Why a guard could not be taken: the userdata's own value could not be
/// borrowed (the caller words it), or its wrapper's could not.
enum GuardError {
    Payload(PayloadError),
    #[cfg_attr(not(feature = "userdata-wrappers"), allow(dead_code))]
    Lua(LuaError),
}

impl GuardError {
    fn into_error(self, payload: impl FnOnce(PayloadError) -> LuaError) -> LuaError {
        match self {
            GuardError::Payload(e) => payload(e),
            GuardError::Lua(e) => e,
        }
    }
}

impl<T: 'static> RefGuard<T> {
    #[cfg_attr(not(feature = "userdata-wrappers"), allow(unused_variables))]
    fn new(lua: &Lua, st: &mut State, u: Gc<Userdata>) -> Result<RefGuard<T>, GuardError> {
        match st.hold_payload::<T>(u) {
            Ok(g) => Ok(RefGuard::Own(g)),
            #[cfg(feature = "userdata-wrappers")]
            Err(PayloadError::WrongType) => match crate::userdata_wrappers::borrow_ref::<T>(u) {
                Some(r) => {
                    r.map(|g| RefGuard::Wrapped(g, Rooted::new(lua, st, Value::Userdata(u)))).map_err(GuardError::Lua)
                }
                None => Err(GuardError::Payload(PayloadError::WrongType)),
            },
            Err(e) => Err(GuardError::Payload(e)),
        }
    }
}

impl<T: 'static> MutGuard<T> {
    #[cfg_attr(not(feature = "userdata-wrappers"), allow(unused_variables))]
    fn new(lua: &Lua, st: &mut State, u: Gc<Userdata>) -> Result<MutGuard<T>, GuardError> {
        match st.hold_payload_mut::<T>(u) {
            Ok(g) => Ok(MutGuard::Own(g)),
            #[cfg(feature = "userdata-wrappers")]
            Err(PayloadError::WrongType) => match crate::userdata_wrappers::borrow_mut::<T>(u) {
                Some(r) => {
                    r.map(|g| MutGuard::Wrapped(g, Rooted::new(lua, st, Value::Userdata(u)))).map_err(GuardError::Lua)
                }
                None => Err(GuardError::Payload(PayloadError::WrongType)),
            },
            Err(e) => Err(GuardError::Payload(e)),
        }
    }
}

impl<T: 'static + std::fmt::Debug> std::fmt::Debug for LuaUserdataRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// A mutable borrow of a userdata's value (see `LuaUserdataRef`).
pub struct LuaUserdataRefMut<T: 'static> {
    // As `LuaUserdataRef`'s.
    guard: MutGuard<T>,
    _lua: Lua,
}

impl<T: 'static> std::ops::Deref for LuaUserdataRefMut<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.guard {
            MutGuard::Own(g) => g,
            #[cfg(feature = "userdata-wrappers")]
            MutGuard::Wrapped(g, _) => g,
        }
    }
}

impl<T: 'static> std::ops::DerefMut for LuaUserdataRefMut<T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.guard {
            MutGuard::Own(g) => g,
            #[cfg(feature = "userdata-wrappers")]
            MutGuard::Wrapped(g, _) => g,
        }
    }
}

impl<T: 'static + std::fmt::Debug> std::fmt::Debug for LuaUserdataRefMut<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// The conversion error for a value that is not a userdata, naming `T`.
#[cold]
fn not_userdata<T: 'static>(lua: &Lua, v: &LuaValue) -> LuaError {
    let to = lua.with(|st| type_name_in::<T>(st)).unwrap_or_else(|_| short_type_name::<T>());
    LuaError::FromLuaConversionError { from: v.type_name(), to, message: None }
}

impl<T: 'static> FromLua for LuaUserdataRef<T> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::UserData(ud) => ud.borrow::<T>(),
            other => Err(not_userdata::<T>(lua, &other)),
        }
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        let u = userdata_of::<T>(st, value)?;
        match RefGuard::new(lua, st, u) {
            Ok(guard) => Ok(LuaUserdataRef { guard, _lua: lua.clone() }),
            Err(e) => Err(e.into_error(|e| payload_error::<T>(st, value, e))),
        }
    }
}

impl<T: 'static> FromLua for LuaUserdataRefMut<T> {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        match value {
            LuaValue::UserData(ud) => ud.borrow_mut::<T>(),
            other => Err(not_userdata::<T>(lua, &other)),
        }
    }

    const DIRECT: bool = true;

    fn from_direct(value: Value, lua: &Lua, st: &mut State, _: Sealed) -> LuaResult<Self> {
        let u = userdata_of::<T>(st, value)?;
        match MutGuard::new(lua, st, u) {
            Ok(guard) => Ok(LuaUserdataRefMut { guard, _lua: lua.clone() }),
            Err(e) => Err(e.into_error(|e| payload_error::<T>(st, value, e))),
        }
    }
}

/// A Rust value converted into Lua as a new userdata of its registered
/// type (`return Vec3 { .. }` from a method, `t.set("v", value)`).
impl<T: LuaUserdata + 'static> IntoLua for T {
    fn into_lua(self, lua: &Lua) -> LuaResult<LuaValue> {
        lua.create_userdata(self).map(LuaValue::UserData)
    }
}

impl Lua {
    /// Creates a userdata holding `value`, with the fields, methods and
    /// metamethods its `LuaUserdata` implementation registers (once per
    /// state and type).
    pub fn create_userdata<T: LuaUserdata + 'static>(&self, value: T) -> LuaResult<LuaAnyUserdata> {
        let mt = self.userdata_metatable::<T>()?;
        self.with(|st| {
            let u = st.new_userdata(value, USER_VALUES).map_err(|_| LuaError::memory())?;
            st.set_metatable(Value::Userdata(u), Some(mt));
            Ok(LuaAnyUserdata(self.pin(st, Value::Userdata(u))))
        })?
    }

    /// Puts the class table of `T` in the global `name`: the methods and
    /// functions `T` registers (constructors, static functions), so scripts
    /// can write `Vec3.new(1, 2, 3)`. Returns the table. Adding functions
    /// to it from Lua adds methods to every userdata of the type.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// struct Celsius(f64);
    /// impl LuaUserdata for Celsius {
    ///     fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
    ///         methods.add_function("new", |_, t: f64| Ok(Celsius(t)));
    ///         methods.add_method("fahrenheit", |_, this, ()| Ok(this.0 * 9.0 / 5.0 + 32.0));
    ///     }
    /// }
    /// let lua = Lua::new();
    /// lua.register_userdata::<Celsius>("Celsius")?;
    /// assert_eq!(lua.load("return Celsius.new(100):fahrenheit()").eval::<f64>()?, 212.0);
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn register_userdata<T: LuaUserdata + 'static>(&self, name: &str) -> LuaResult<LuaTable> {
        self.userdata_metatable::<T>()?;
        let class = self.userdata_class::<T>()?;
        self.globals().set(name, class.clone())?;
        Ok(class)
    }

    /// The class table of `T` (its methods and functions), registering
    /// the type if needed.
    pub fn userdata_class<T: LuaUserdata + 'static>(&self) -> LuaResult<LuaTable> {
        self.userdata_metatable::<T>()?;
        self.with(|st| match crate::userdata_registry::class_table(st, TypeId::of::<T>()) {
            Some(t) => Ok(LuaTable(self.pin(st, Value::Table(t)))),
            None => Err(LuaError::runtime("userdata type not registered")),
        })?
    }

    /// The metatable of `T`'s userdata, registered on first use.
    pub(crate) fn userdata_metatable<T: LuaUserdata + 'static>(&self) -> LuaResult<Gc<Table>> {
        if let Some(mt) = self.with(|st| st.userdata_metatable(TypeId::of::<T>()))? {
            return Ok(mt);
        }
        let mut registry = LuaUserdataRegistry::<T>::new();
        T::register(&mut registry);
        register(self, registry, false)
    }
}
