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
mod coerce;
mod conversion;
mod convert;
mod debug;
mod error;
mod failure;
mod function;
mod gc;
mod hooks;
mod lua;
mod modules;
mod multi;
mod object;
mod panic;
pub mod prelude;
mod registry;
mod scope;
#[cfg(feature = "serde")]
pub mod serde;
mod state_access;
mod string;
mod table;
mod thread;
mod type_metatable;
mod userdata;
mod userdata_any;
mod userdata_registry;
#[cfg(feature = "userdata-wrappers")]
mod userdata_wrappers;
mod value;
mod warn;
mod weak;

pub use callback::{LuaNativeFn, LuaNativeFnMut, LuaVmState, INTERRUPT_PERIOD};
pub use chunk::{AsChunk, LuaChunk, LuaChunkMode, LuaInlineChunk};
pub use conversion::LuaEither;
pub use debug::{LuaDebug, LuaDebugEvent, LuaDebugNames, LuaDebugSource, LuaDebugStack};
pub use error::{
    ErrorContext, ExternalError, LuaError, LuaResult, LuaResultExt, LuaResultExt as ExternalResult, TracebackFrame,
};
pub use function::{LuaFunction, LuaFunctionInfo};
pub use gc::{LuaGcGenParams, LuaGcIncParams, LuaGcMode};
pub use hooks::LuaHookTriggers;
pub use lua::{Lua, LuaOptions, StdLib, StdLib as LuaStdLib};
pub use multi::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, LuaMultiValue, LuaVariadic};
pub use object::LuaObjectLike;
pub use registry::LuaRegistryKey;
pub use scope::LuaScope;
pub use state_access::{AppDataRef, AppDataRefMut};
pub use string::{LuaBorrowedBytes, LuaBorrowedStr, LuaString};
pub use table::{LuaTable, LuaTablePairs, LuaTableSequence};
pub use thread::{LuaThread, LuaThreadEvent, LuaThreadStatus, LuaThreadTriggers};
pub use type_metatable::LuaType;
pub use userdata::{
    LuaAnyUserdata, LuaMetaMethod, LuaUserdata, LuaUserdataFields, LuaUserdataMetatable, LuaUserdataMethods,
    LuaUserdataRef, LuaUserdataRefMut,
};
pub use userdata_any::{LuaUserdataOwned, LuaUserdataProxy};
pub use userdata_registry::LuaUserdataRegistry;
pub use value::{LuaInteger, LuaLightUserdata, LuaNil, LuaNumber, LuaOtherValue, LuaValue};
pub use weak::WeakLua;

/// The result type, under mlua's name (`luna::Result`); `LuaResult` is the
/// same type.
pub type Result<T, E = LuaError> = std::result::Result<T, E>;

#[cfg(feature = "serde")]
pub use crate::serde::{
    DeserializeOptions as LuaDeserializeOptions, LuaSerdeExt, LuaSerializableValue,
    SerializeOptions as LuaSerializeOptions,
};

#[cfg(feature = "bstr")]
pub use bstr::{BStr, BString};

/// The code examples of the README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

pub use luna_derive::{chunk, methods, FromLua, LuaUserdata};

/// Support code for the macros of `luna-derive`; not a public API.
#[doc(hidden)]
pub mod __private {
    use crate::LuaError;

    pub use crate::chunk::inline_chunk_environment as chunk_environment;

    macro_rules! no_methods {
        ($($m:ident $f:ident)*) => {
            /// The do-nothing registration hooks every type has, one pair
            /// per `#[luna::methods]` block a type may have; the inherent
            /// functions a block generates take precedence over them.
            pub trait NoMethods {
                $(
                    /// No methods.
                    fn $m<M>(_methods: &mut M) {}
                    /// No fields.
                    fn $f<F>(_fields: &mut F) {}
                )*
            }
        };
    }

    no_methods! {
        __luna_add_methods_0 __luna_add_fields_0
        __luna_add_methods_1 __luna_add_fields_1
        __luna_add_methods_2 __luna_add_fields_2
        __luna_add_methods_3 __luna_add_fields_3
        __luna_add_methods_4 __luna_add_fields_4
        __luna_add_methods_5 __luna_add_fields_5
        __luna_add_methods_6 __luna_add_fields_6
        __luna_add_methods_7 __luna_add_fields_7
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
