//! luna-core: a Lua 5.4 runtime in pure Rust.
//!
//! The crate holds the whole language implementation: the front end
//! (`compiler`), the register VM (`vm`), the garbage-collected heap (`gc`)
//! with its object kinds (`object`), the value model (`value`), chunk
//! loading (`load`) and the standard library (`stdlib`). `State` is the
//! entry point. The safe embedding API lives in the `luna` crate on top of
//! this one.

pub mod api;
pub mod compiler;
pub mod dump;
pub mod fmt;
pub mod gc;
pub mod load;
pub mod number;
pub mod object;
pub mod state;
pub mod stdlib;
pub mod value;
pub mod vm;

pub use state::State;
pub use value::Value;
pub use vm::{LResult, Status, Throw};
