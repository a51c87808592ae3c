//! The error type of the facade's internal steps on the hot paths.
//!
//! A `LuaError` has mlua's variant shapes, which make it 72 bytes, and
//! every `LuaResult<T>` at least as large, whatever `T` is. A crossing
//! between Rust and Lua hands its outcome from step to step (the
//! receiver's borrow, the user code under `catch_unwind` with the state
//! lent, the results pushed back), and each hand-over of a `LuaResult`
//! copied all 72 bytes even when it held one number: on a Rust callback
//! that was a tenth of the crossing. The steps pass a `Fallible<T>`
//! instead, whose error is boxed: the common path moves the value alone
//! (a `Fallible<f64>` is 16 bytes), and an error pays one allocation, next
//! to the formatting and the error value it costs anyway. The error is
//! unboxed where it is raised in Lua (`callback::raise`) or returned to
//! the host.

use crate::error::LuaError;

/// An error on its way between the internal steps of an operation.
pub(crate) struct Failure(Box<LuaError>);

/// The outcome of an internal step (see the module documentation).
pub(crate) type Fallible<T> = Result<T, Failure>;

impl Failure {
    /// The error, to raise or return.
    #[inline]
    pub(crate) fn into_error(self) -> LuaError {
        *self.0
    }
}

/// `?` on a `LuaResult` inside a step boxes the error. Out of line and
/// cold, so that the steps keep only the test of the common path.
impl From<LuaError> for Failure {
    #[cold]
    #[inline(never)]
    fn from(e: LuaError) -> Failure {
        Failure(Box::new(e))
    }
}
