//! `LuaError`, the one error type of the facade, and `LuaResult`.
//!
//! Errors raised by Lua code come back as `RuntimeError` (with the
//! traceback frames active when they were raised), syntax errors as
//! `SyntaxError`. A Rust error returned by a callback travels through Lua
//! as an error value (a userdata that `tostring` shows as the error's
//! message, and that `pcall` can catch) and, if it reaches the host, comes
//! back as a `CallbackError` wrapping the very same error.

use std::fmt;
use std::sync::Arc;

/// One frame of a Lua traceback. A deep traceback keeps its first 10 and
/// last 11 frames, as Lua's does; the frames left out are represented by
/// one entry with source `...` and name `(skipping N levels)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracebackFrame {
    /// The short source: `input`, `[C]`, `[string "..."]`.
    pub source: String,
    /// The current line, when known.
    pub line: Option<u32>,
    /// How Lua names the function: `function 'f'`, `local 'g'`,
    /// `main chunk`, `function <input:3>`.
    pub name: String,
}

impl fmt::Display for TracebackFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The entry standing for the frames left out of a deep traceback.
        if self.source == "..." && self.line.is_none() && self.name.starts_with("(skipping ") {
            return write!(f, "...\t{}", self.name);
        }
        match self.line {
            Some(l) => write!(f, "{}:{}: in {}", self.source, l, self.name),
            None => write!(f, "{}: in {}", self.source, self.name),
        }
    }
}

/// Formats frames as Lua's "stack traceback:" block.
pub(crate) fn format_traceback(frames: &[TracebackFrame]) -> String {
    let mut s = String::from("stack traceback:");
    for fr in frames {
        s.push_str("\n\t");
        s.push_str(&fr.to_string());
    }
    s
}

/// Every error the facade reports.
///
/// A Rust error returned by a callback travels through Lua (`pcall` catches
/// it, `tostring` gives its message) and comes back to the host as a
/// `CallbackError` around the same error:
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let parse = lua.create_function(|_, s: String| s.parse::<i64>().map_err(LuaError::external))?;
/// lua.globals().set("parse", parse)?;
/// let msg: String = lua.load("local ok, e = pcall(parse, 'x') return tostring(e)").eval()?;
/// assert_eq!(msg, "invalid digit found in string");
/// let err = lua.load("parse('x')").exec().unwrap_err();
/// assert!(matches!(err, LuaError::CallbackError { .. }));
/// assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
/// # Ok::<(), LuaError>(())
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LuaError {
    /// A syntax error while loading a chunk.
    #[error("syntax error: {message}")]
    SyntaxError {
        /// The message as Lua formats it (`input:1: unexpected symbol near 'x'`).
        message: String,
        /// The error is at the end of the input: a REPL should read more.
        incomplete_input: bool,
    },

    /// An error raised by Lua code (`error(...)`, a failed operation).
    #[error("{message}{}", if traceback.is_empty() { String::new() } else { format!("\n{}", format_traceback(traceback)) })]
    RuntimeError {
        /// The error value as a string (`tostring` of a non-string value).
        message: String,
        /// The frames active where the error was raised, innermost first.
        traceback: Vec<TracebackFrame>,
    },

    /// The memory limit was reached.
    #[error("not enough memory")]
    MemoryError,

    /// The instruction budget ran out.
    #[error("instruction limit reached")]
    InstructionLimit,

    /// An argument given to a Rust callback could not be converted.
    /// Displayed as PUC's `luaL_argerror` does: `bad argument #2 to 'f'
    /// (string expected, got nil)`, or `calling 'f' on bad self (...)` for
    /// the receiver of a method call (position 0).
    #[error("{}", bad_argument_message(to.as_deref(), *pos, cause))]
    BadArgument {
        /// The function name the callback was called by (`None` when
        /// unknown: shown as `?`).
        to: Option<String>,
        /// The position of the argument (1-based; 0 is the `self` of a
        /// method call).
        pos: usize,
        /// The argument's name, if known.
        name: Option<String>,
        /// What was wrong.
        #[source]
        cause: Arc<LuaError>,
    },

    /// A Lua value could not be converted to a Rust type.
    #[error("{}", match message { Some(m) => m.clone(), None => format!("{to} expected, got {from}") })]
    FromLuaConversionError {
        /// The Lua type name of the value.
        from: &'static str,
        /// The Rust type wanted (or the Lua type expected).
        to: String,
        /// Details.
        message: Option<String>,
    },

    /// A Rust value could not be converted to a Lua value.
    #[error("error converting {from} to {to}{}", match message { Some(m) => format!(" ({m})"), None => String::new() })]
    ToLuaConversionError {
        /// The Rust type.
        from: String,
        /// The Lua type.
        to: &'static str,
        /// Details.
        message: Option<String>,
    },

    /// A Rust callback failed; `cause` is the error it returned. Shown as
    /// the cause's message, once, followed by one traceback: the deepest
    /// one in the chain of causes (a Lua error that crossed several
    /// callbacks is not repeated at each layer).
    #[error("{}", callback_error_message(traceback, cause))]
    CallbackError {
        /// The Lua frames active when the callback failed.
        traceback: Vec<TracebackFrame>,
        /// The error the callback returned.
        #[source]
        cause: Arc<LuaError>,
    },

    /// A userdata was not of the expected Rust type.
    #[error("userdata is not of type {expected}")]
    UserdataTypeMismatch {
        /// The expected type name.
        expected: String,
    },

    /// A userdata's value is already mutably borrowed.
    #[error("userdata '{type_name}' is already mutably borrowed")]
    UserdataBorrowError {
        /// The userdata type.
        type_name: String,
    },

    /// A userdata's value is already borrowed.
    #[error("userdata '{type_name}' is already borrowed")]
    UserdataBorrowMutError {
        /// The userdata type.
        type_name: String,
    },

    /// A userdata's value was taken or destroyed.
    #[error("userdata has been destructed")]
    UserdataDestructed,

    /// A mutable callback (`create_function_mut`) was called again while
    /// already running.
    #[error("mutable callback called recursively")]
    RecursiveMutCallback,

    /// A callback or a userdata method was called after it was destructed:
    /// it was created by a `Lua::scope` that has ended.
    #[error("a destructed callback or destructed userdata method was called")]
    CallbackDestructed,

    /// A Rust panic that was already resumed in the host came back: the
    /// error value that carried it through Lua was kept (by `pcall`, in a
    /// variable) and raised or converted again after the panic resumed.
    #[error("previously resumed panic returned again")]
    PreviouslyResumedPanic,

    /// A handle was used after its `Lua` was dropped.
    #[error("the Lua state this value belongs to has been dropped")]
    StateDropped,

    /// A handle was used with a `Lua` it does not belong to.
    #[error("value belongs to another Lua state")]
    MismatchedState,

    /// The state is busy: an operation was attempted from inside another.
    #[error("the Lua state is busy")]
    StateBusy,

    /// Serializing a Rust value into Lua failed.
    #[error("serialize error: {0}")]
    SerializeError(String),

    /// Deserializing a Lua value into Rust failed.
    #[error("deserialize error: {0}")]
    DeserializeError(String),

    /// An error of any other kind, wrapped (transparent: its display and
    /// source are the wrapped error's).
    #[error(transparent)]
    ExternalError(Arc<dyn std::error::Error + Send + Sync>),

    /// An error with added context.
    #[error("{context}: {cause}")]
    WithContext {
        /// The context.
        context: String,
        /// The underlying error.
        #[source]
        cause: Arc<LuaError>,
    },
}

/// The display of `BadArgument`.
fn bad_argument_message(to: Option<&str>, pos: usize, cause: &LuaError) -> String {
    let to = to.unwrap_or("?");
    if pos == 0 {
        format!("calling '{to}' on bad self ({cause})")
    } else {
        format!("bad argument #{pos} to '{to}' ({cause})")
    }
}

/// The display of `CallbackError`: the cause's message and the deepest
/// traceback of the chain.
fn callback_error_message(traceback: &[TracebackFrame], cause: &LuaError) -> String {
    let frames = match cause.deepest_traceback() {
        [] => traceback,
        inner => inner,
    };
    let message = cause.lua_message();
    if frames.is_empty() {
        message
    } else {
        format!("{message}\n{}", format_traceback(frames))
    }
}

/// The result type of the facade.
pub type LuaResult<T> = Result<T, LuaError>;

impl LuaError {
    /// A runtime error with a message (as a Rust callback would raise with
    /// `error(...)` in Lua).
    pub fn runtime(message: impl fmt::Display) -> LuaError {
        LuaError::RuntimeError { message: message.to_string(), traceback: Vec::new() }
    }

    /// Wraps any error.
    pub fn external(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> LuaError {
        LuaError::ExternalError(Arc::from(e.into()))
    }

    /// Adds context to the error.
    pub fn context(self, context: impl fmt::Display) -> LuaError {
        LuaError::WithContext { context: context.to_string(), cause: Arc::new(self) }
    }

    /// The innermost cause: the error a callback returned, without the
    /// callback and context wrappers.
    pub fn root_cause(&self) -> &LuaError {
        match self {
            LuaError::CallbackError { cause, .. } | LuaError::WithContext { cause, .. } => cause.root_cause(),
            other => other,
        }
    }

    /// The error and its causes, outermost first: through `CallbackError`,
    /// `WithContext` and `BadArgument` down to the error that started it.
    /// (Their `source()` is the cause too, as the `Arc<LuaError>` they hold.)
    pub fn chain(&self) -> impl Iterator<Item = &LuaError> {
        std::iter::successors(Some(self), |e| match e {
            LuaError::CallbackError { cause, .. }
            | LuaError::WithContext { cause, .. }
            | LuaError::BadArgument { cause, .. } => Some(&**cause),
            _ => None,
        })
    }

    /// The traceback frames attached to the error, if any.
    pub fn traceback(&self) -> &[TracebackFrame] {
        match self {
            LuaError::RuntimeError { traceback, .. } | LuaError::CallbackError { traceback, .. } => traceback,
            _ => &[],
        }
    }

    /// Downcasts an external error to its concrete type.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        match self.root_cause() {
            LuaError::ExternalError(e) => e.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The innermost non-empty traceback in the chain of causes.
    fn deepest_traceback(&self) -> &[TracebackFrame] {
        let inner = match self {
            LuaError::CallbackError { cause, .. } | LuaError::WithContext { cause, .. } => cause.deepest_traceback(),
            _ => &[],
        };
        if inner.is_empty() {
            self.traceback()
        } else {
            inner
        }
    }

    /// The message Lua code sees for this error (`tostring` of the error
    /// value): the display form without tracebacks.
    pub(crate) fn lua_message(&self) -> String {
        match self {
            LuaError::RuntimeError { message, .. } => message.clone(),
            LuaError::CallbackError { cause, .. } => cause.lua_message(),
            LuaError::WithContext { context, cause } => format!("{context}: {}", cause.lua_message()),
            other => other.to_string(),
        }
    }
}

/// Converts foreign errors into `LuaError::ExternalError` (mlua's
/// `ExternalError`).
pub trait ExternalError {
    /// Wraps the error.
    fn into_lua_err(self) -> LuaError;
}

impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> ExternalError for E {
    fn into_lua_err(self) -> LuaError {
        LuaError::external(self)
    }
}

/// Extension methods on results (mlua's `ExternalResult` and
/// `ErrorContext`).
pub trait LuaResultExt<T> {
    /// Wraps a foreign error.
    fn into_lua_err(self) -> LuaResult<T>;
}

impl<T, E: ExternalError> LuaResultExt<T> for Result<T, E> {
    fn into_lua_err(self) -> LuaResult<T> {
        self.map_err(|e| e.into_lua_err())
    }
}

/// Adds context to an error, or to the error of a result (mlua's
/// `ErrorContext`). The context is shown before the error:
/// `reading config: file not found`.
pub trait ErrorContext: Sized {
    /// Adds a fixed context.
    fn context(self, context: impl fmt::Display) -> Self;
    /// Adds a context computed from the error.
    fn with_context<C: fmt::Display>(self, f: impl FnOnce(&LuaError) -> C) -> Self;
}

impl ErrorContext for LuaError {
    fn context(self, context: impl fmt::Display) -> Self {
        LuaError::context(self, context)
    }
    fn with_context<C: fmt::Display>(self, f: impl FnOnce(&LuaError) -> C) -> Self {
        let c = f(&self);
        LuaError::context(self, c)
    }
}

impl<T> ErrorContext for LuaResult<T> {
    fn context(self, context: impl fmt::Display) -> Self {
        self.map_err(|e| e.context(context))
    }
    fn with_context<C: fmt::Display>(self, f: impl FnOnce(&LuaError) -> C) -> Self {
        self.map_err(|e| {
            let c = f(&e);
            e.context(c)
        })
    }
}

impl From<std::io::Error> for LuaError {
    fn from(e: std::io::Error) -> Self {
        LuaError::external(e)
    }
}
