//! Re-exports of the types most programs use, prefixed with `Lua` where
//! they are not already.

pub use crate::{
    AsChunk, ErrorContext, ExternalError, FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Lua, LuaAnyUserdata, LuaChunk,
    LuaChunkMode, LuaEither, LuaError, LuaFunction, LuaFunctionInfo, LuaGcMode, LuaLightUserdata, LuaMetaMethod,
    LuaMultiValue, LuaNil, LuaOptions, LuaRegistryKey, LuaResult, LuaResultExt, LuaString, LuaTable, LuaThread,
    LuaThreadStatus, LuaUserdata, LuaUserdataFields, LuaUserdataMetatable, LuaUserdataMethods, LuaUserdataOwned,
    LuaUserdataRef, LuaUserdataRefMut, LuaUserdataRegistry, LuaValue, LuaVariadic, LuaVmState, StdLib,
};

#[cfg(feature = "serde")]
pub use crate::serde::{DeserializeOptions as LuaDeserializeOptions, SerializeOptions as LuaSerializeOptions};
