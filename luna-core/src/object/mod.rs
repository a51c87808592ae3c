//! The heap object kinds: strings, tables, functions (prototypes,
//! closures, upvalues), userdata and threads.

pub mod function;
pub mod string;
pub mod table;
pub mod thread;
pub mod userdata;
