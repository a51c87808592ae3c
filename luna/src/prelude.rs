//! Re-exports of the types most programs use, prefixed with `Lua` where
//! they are not already.

pub use crate::{
    AsChunk, ErrorContext, ExternalError, FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Lua, LuaAnyUserdata,
    LuaBorrowedBytes, LuaBorrowedStr, LuaChunk, LuaChunkMode, LuaEither, LuaError, LuaFunction, LuaFunctionInfo,
    LuaGcMode, LuaInteger, LuaLightUserdata, LuaMetaMethod, LuaMultiValue, LuaNativeFn, LuaNativeFnMut, LuaNil,
    LuaNumber, LuaObjectLike, LuaOptions, LuaRegistryKey, LuaResult, LuaResultExt, LuaScope, LuaString, LuaTable,
    LuaThread, LuaThreadStatus, LuaUserdata, LuaUserdataFields, LuaUserdataMetatable, LuaUserdataMethods,
    LuaUserdataOwned, LuaUserdataRef, LuaUserdataRefMut, LuaUserdataRegistry, LuaValue, LuaVariadic, LuaVmState,
    StdLib, StdLib as LuaStdLib, WeakLua,
};
pub use crate::{
    ErrorContext as LuaErrorContext, ExternalError as LuaExternalError, LuaResultExt as LuaExternalResult,
};

pub use crate::{LuaGcGenParams, LuaGcIncParams, LuaHookTriggers};

#[cfg(feature = "serde")]
pub use crate::serde::{
    DeserializeOptions as LuaDeserializeOptions, LuaSerdeExt, SerializeOptions as LuaSerializeOptions,
};
