//! Re-exports of the types most programs use, prefixed with `Lua` where
//! they are not already.

pub use crate::{
    AsChunk, ErrorContext, ExternalError, FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Lua, LuaAnyUserdata,
    LuaBorrowedBytes, LuaBorrowedStr, LuaChunk, LuaChunkMode, LuaEither, LuaError, LuaFunction, LuaFunctionInfo,
    LuaGcMode, LuaInteger, LuaLightUserdata, LuaMetaMethod, LuaMultiValue, LuaNativeFn, LuaNativeFnMut, LuaNil,
    LuaNumber, LuaObjectLike, LuaOptions, LuaRegistryKey, LuaResult, LuaResultExt, LuaString, LuaTable, LuaThread,
    LuaThreadStatus, LuaUserdata, LuaUserdataFields, LuaUserdataMethods, LuaUserdataRef, LuaUserdataRefMut, LuaValue,
    LuaVariadic, LuaVmState, StdLib,
};

#[cfg(feature = "serde")]
pub use crate::serde::{
    DeserializeOptions as LuaDeserializeOptions, LuaSerdeExt, SerializeOptions as LuaSerializeOptions,
};
