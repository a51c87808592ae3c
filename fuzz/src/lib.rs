//! The bodies of luna's fuzz targets, one module per target, each with a
//! `fuzz(data: &[u8])` entry point that panics only on a finding.
//!
//! The cargo-fuzz binaries (`fuzz_targets/*.rs`) call these functions, and
//! so does the root package's replay test (`tests/fuzz_replay.rs`, which
//! includes this file as a module), so a saved input runs the very same
//! code with and without libFuzzer. The modules therefore refer to each
//! other through `super::`, never `crate::`.
//!
//! What counts as a finding: a panic (a failed assertion of the runtime or
//! of the checks below), an abort, a crash, a hang past libFuzzer's
//! timeout, or memory use past its RSS limit. Any Lua error, including
//! "not enough memory" and "instruction limit reached", is a correct
//! answer to a hostile input.
//!
//! - `compile`: the compiler on arbitrary source text, its listing, and
//!   the dump of what it compiled, which must load back and dump again
//!   to the same bytes;
//! - `run`: arbitrary source text run under the memory, instruction and
//!   native stack limits;
//! - `bytecode`: arbitrary binary chunks through the loader and its
//!   verifier; an accepted chunk must dump and reload, then it runs under
//!   the limits;
//! - `pattern`: the pattern matcher, `string.format` and
//!   `string.pack`/`unpack` on arbitrary patterns, formats and arguments;
//! - `serde_values` (target `serde`): Lua values built from the input
//!   converted to Rust values and back.

pub mod bytecode;
pub mod compile;
pub mod pattern;
pub mod run;
pub mod sandbox;
pub mod serde_values;
