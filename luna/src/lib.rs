//! luna: a safe, mlua-style embedding API for the luna Lua runtime.
pub use luna_core as core;
