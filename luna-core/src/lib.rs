//! luna-core: a Lua 5.4 runtime in pure Rust.
//!
//! The crate holds the whole language implementation: the front end
//! (`compiler`), the register VM (`vm`), the garbage-collected heap (`gc`)
//! with its object kinds (`object`), the value model (`value`), chunk
//! loading (`load`) and the standard library (`stdlib`). `State` is the
//! entry point. The safe embedding API lives in the `luna` crate on top of
//! this one.
//!
//! # The raw layer and its contract
//!
//! [`State`] and what it hands out (collectable [`Value`]s, [`gc::Gc`]
//! pointers, and references into objects such as a string's bytes or a
//! userdata's payload) are the runtime's *raw layer*: the interface the
//! standard library and the `luna` facade are written against, fast
//! because nothing is checked. The collector frees an object once nothing
//! reachable points to it, and a `Gc` held in a Rust local is not seen by
//! it, so using a raw value at the wrong time reads freed memory. The
//! compiler cannot check the rules below; the way in is therefore
//! `unsafe`: [`State::new`] is an `unsafe fn`, and every other part of the
//! raw layer can only be reached from a `State` (no safe function makes a
//! `Gc`, or a `Value` holding one, out of nothing). Safe code, a host
//! using `luna`'s handles or the safe items of this crate, cannot reach a
//! freed object.
//!
//! Creating a state is a promise that all code using it, directly or
//! through native functions registered on it, keeps these rules:
//!
//! 1. **Liveness.** A collectable value (a `Gc`, a `Value` holding one, or
//!    a reference obtained from either) is used, dereferenced or given to
//!    any method of the state, only while its object is alive. An object
//!    is alive while it is reachable from a root: the stack of a thread up
//!    to its top, the registry and globals, a host root (`State::pin`),
//!    the registered userdata metatables, and everything reachable from
//!    those. An object that is not reachable stays alive until the next
//!    *collection point*: a method that runs Lua code (calls, protected
//!    calls, `resume`, the operations that honour metamethods such as
//!    `index`, `set_index`, `len_of`, `equal_obj`, `to_display_string`),
//!    one that runs the collector (`full_gc`, `gc_step_kb`,
//!    `relieve_memory_pressure`, `run_all_finalizers`), a native function
//!    returning to the interpreter, or closing the state. Allocating never
//!    collects. A value needed after a collection point is kept on the
//!    stack or pinned.
//! 2. **One state.** A value is given only to the state that made it (any
//!    of its threads).
//! 3. **The state outlives its values.** Nothing obtained from a state is
//!    used after the state is dropped or closed (`close_state`).
//! 4. **Natives.** The `&mut State` a native function receives, and the
//!    references it reads through it, are used only during that call.
//! 5. **References into objects** (`LuaStr::as_bytes`, the payload
//!    guards `PayloadRef`/`PayloadMut`) follow rule 1 for the object they
//!    come from; a payload guard also keeps its userdata's payload from
//!    being taken while it lives.
//!
//! Objects are changed only through `State` methods, which apply the
//! collector's write barriers; the object methods a host can reach only
//! read. The types are neither `Send` nor `Sync`, so all of this is on one
//! thread. The `luna` crate is the place that keeps these rules for
//! hosts: its handles pin their values, and its `state_access` module
//! argues the rest.

pub mod api;
pub mod compiler;
pub mod dialect;
pub(crate) mod dump;
pub mod env;
pub mod fmt;
pub mod gc;
pub mod load;
pub mod number;
pub mod object;
pub mod state;
pub mod stdlib;
pub mod type_map;
pub mod value;
pub mod vm;

pub use state::State;
pub use value::Value;
pub use vm::{LResult, Status, Throw};
