//! The virtual machine: the bytecode (`opcodes`), the interpreter loop
//! (`execute`), calls, returns, errors and protected calls (`call`),
//! coroutines (`coroutine`), arithmetic and conversions (`arith`),
//! metamethods (`meta`), debug information for messages and tracebacks
//! (`debug`), debug hooks (`hooks`), and the instruction budget and
//! interrupt callback (`budget`).
//!
//! Errors and yields unwind the Rust stack as the `Err` side of
//! `LResult`: a `Throw` carries the status and, for errors, the error
//! value. Every frame state needed to continue after a yield lives in the
//! thread's call frames, never in Rust locals, so a resumed coroutine
//! finishes the interrupted frames from there (`coroutine::unroll`), as
//! PUC Lua does after a `longjmp`.

pub mod arith;
pub mod budget;
pub mod call;
pub mod coroutine;
pub mod debug;
pub mod execute;
pub mod hooks;
pub mod meta;
pub mod opcodes;

use crate::value::Value;

/// Status codes of calls, resumes and thread deaths (PUC's `LUA_OK`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    Ok = 0,
    Yield = 1,
    /// A runtime error.
    ErrRun = 2,
    /// A syntax error (from `load`).
    ErrSyntax = 3,
    /// Memory limit reached.
    ErrMem = 4,
    /// An error while running the message handler.
    ErrErr = 5,
}

impl Status {
    pub(crate) fn from_u8(n: u8) -> Status {
        match n {
            0 => Status::Ok,
            1 => Status::Yield,
            3 => Status::ErrSyntax,
            4 => Status::ErrMem,
            5 => Status::ErrErr,
            _ => Status::ErrRun,
        }
    }

    /// Whether the status is an error.
    pub fn is_error(self) -> bool {
        !matches!(self, Status::Ok | Status::Yield)
    }
}

/// What unwinds the Rust stack: an error (with its error value) or a
/// yield (the yielded values are on the coroutine's stack).
#[derive(Clone, Copy, Debug)]
pub struct Throw {
    pub status: Status,
    /// The error value (`Nil` for a yield).
    pub value: Value,
}

impl Throw {
    /// A yield in progress.
    pub const YIELD: Throw = Throw { status: Status::Yield, value: Value::Nil };

    /// Whether this is a yield.
    #[inline]
    pub fn is_yield(&self) -> bool {
        self.status == Status::Yield
    }
}

/// The result type of everything that can raise a Lua error or yield.
pub type LResult<T> = Result<T, Throw>;

/// Results wanted by a call: a count, or all of them.
pub const MULTRET: i32 = -1;

/// Limit of nested native calls (PUC's `LUAI_MAXCCALLS`): Rust recursion
/// happens only across native boundaries, so this bounds the Rust stack.
pub const MAX_CCALLS: u32 = 200;
