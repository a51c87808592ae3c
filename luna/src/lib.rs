//! # luna
//!
//! A safe, mlua-style embedding API for the luna Lua runtime (a complete
//! Lua 5.4 written in Rust: no C toolchain, no FFI).
//!
//! ```
//! use luna::prelude::*;
//!
//! let lua = Lua::new();
//! let add = lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b))?;
//! lua.globals().set("add", add)?;
//! lua.globals().set("mul", LuaFunction::wrap(|a: f64, b: f64| Ok::<_, LuaError>(a * b)))?;
//! let n: i64 = lua.load("return add(40, 2)").set_name("main.lua").eval()?;
//! assert_eq!(n, 42);
//!
//! let t: LuaTable = lua.create_table()?;
//! t.set("name", "luna")?;
//! for pair in t.pairs::<String, LuaValue>() {
//!     let (k, _v) = pair?;
//!     assert_eq!(k, "name");
//! }
//! # Ok::<(), LuaError>(())
//! ```
//!
//! All handles (`LuaTable`, `LuaFunction`, ...) are `'static` and cheap to
//! clone; they keep their value alive and release it when the last clone
//! drops. Using a handle after its `Lua` is gone, or with another `Lua`, is
//! an error, never undefined behaviour. A `Lua` is not `Send`: use one per
//! thread.

#![warn(missing_docs)]

mod callback;
mod chunk;
mod conversion;
mod convert;
mod error;
mod function;
mod lua;
mod multi;
mod object;
pub mod prelude;
mod registry;
#[cfg(feature = "serde")]
pub mod serde;
mod state_access;
mod string;
mod table;
mod thread;
mod userdata;
mod userdata_registry;
mod value;

pub use callback::{LuaNativeFn, LuaNativeFnMut, LuaVmState, INTERRUPT_PERIOD};
pub use chunk::{AsChunk, LuaChunk, LuaChunkMode};
pub use conversion::LuaEither;
pub use error::{ErrorContext, ExternalError, LuaError, LuaResult, LuaResultExt, TracebackFrame};
pub use function::{LuaFunction, LuaFunctionInfo};
pub use lua::{Lua, LuaOptions, StdLib};
pub use multi::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, LuaMultiValue, LuaVariadic};
pub use object::LuaObjectLike;
pub use registry::LuaRegistryKey;
pub use state_access::{AppDataRef, AppDataRefMut};
pub use string::{LuaBorrowedBytes, LuaBorrowedStr, LuaString};
pub use table::{LuaTable, LuaTablePairs, LuaTableSequence};
pub use thread::{LuaThread, LuaThreadStatus};
pub use userdata::{
    LuaAnyUserdata, LuaMetaMethod, LuaUserdata, LuaUserdataFields, LuaUserdataMethods, LuaUserdataRef,
    LuaUserdataRefMut,
};
pub use userdata_registry::LuaUserdataRegistry;
pub use value::{LuaInteger, LuaLightUserdata, LuaNil, LuaNumber, LuaOtherValue, LuaValue};

/// The result type, under mlua's name (`luna::Result`); `LuaResult` is the
/// same type.
pub type Result<T, E = LuaError> = std::result::Result<T, E>;

/// mlua's name of the extension trait for results of foreign errors.
pub use error::LuaResultExt as ExternalResult;

#[cfg(feature = "serde")]
pub use crate::serde::{
    DeserializeOptions as LuaDeserializeOptions, LuaSerdeExt, LuaSerializableValue,
    SerializeOptions as LuaSerializeOptions,
};

#[cfg(feature = "bstr")]
pub use bstr::{BStr, BString};

/// The collector modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaGcMode {
    /// Incremental collection.
    Incremental,
    /// Generational collection.
    Generational,
}

/// The code examples of the README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

pub use luna_derive::{methods, LuaUserdata};

/// Support code for the macros of `luna-derive`; not a public API.
#[doc(hidden)]
pub mod __private {
    use crate::LuaError;

    /// The do-nothing registration hooks every type has; the inherent
    /// functions `#[luna::methods]` generates take precedence over them.
    pub trait NoMethods {
        /// No methods.
        fn __luna_add_methods<M>(_methods: &mut M) {}
        /// No fields.
        fn __luna_add_fields<F>(_fields: &mut F) {}
    }

    impl<T: ?Sized> NoMethods for T {}

    /// An error returned by a method, converted into a `LuaError` by the
    /// more specific of the two traits below (autoref selection).
    pub struct ErrorOf<E>(std::cell::Cell<Option<E>>);

    impl<E> ErrorOf<E> {
        /// Wraps the error.
        pub fn new(e: E) -> Self {
            ErrorOf(std::cell::Cell::new(Some(e)))
        }
    }

    /// A `LuaError` stays itself.
    pub trait IntoLuaErrorSame {
        /// The error.
        fn take_lua_error(&self) -> LuaError;
    }

    impl IntoLuaErrorSame for &ErrorOf<LuaError> {
        fn take_lua_error(&self) -> LuaError {
            self.0.take().unwrap_or_else(|| LuaError::runtime("error already taken"))
        }
    }

    /// Any other error becomes an external error.
    pub trait IntoLuaErrorGeneric {
        /// The error.
        fn take_lua_error(&self) -> LuaError;
    }

    impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> IntoLuaErrorGeneric for ErrorOf<E> {
        fn take_lua_error(&self) -> LuaError {
            match self.0.take() {
                Some(e) => LuaError::external(e),
                None => LuaError::runtime("error already taken"),
            }
        }
    }
}
