//! Re-exports of the types most programs use, prefixed with `Lua` where
//! they are not already.

pub use crate::{
    AsChunk, ErrorContext, ExternalError, FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Lua, LuaAnyUserData, LuaChunk,
    LuaChunkMode, LuaEither, LuaError, LuaFunction, LuaFunctionInfo, LuaGcMode, LuaLightUserData, LuaMultiValue,
    LuaNil, LuaOptions, LuaRegistryKey, LuaResult, LuaResultExt, LuaString, LuaTable, LuaThread, LuaThreadStatus,
    LuaValue, LuaVariadic, LuaVmState, StdLib,
};
