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

/// A message followed by the traceback block of `frames` (none when there
/// are no frames), as Lua's message handler `luaL_traceback` makes it.
pub(crate) fn with_traceback(message: String, frames: &[TracebackFrame]) -> String {
    if frames.is_empty() {
        message
    } else {
        format!("{message}\n{}", format_traceback(frames))
    }
}

/// Formats frames as Lua's "stack traceback:" block (empty for no frames).
pub(crate) fn format_traceback(frames: &[TracebackFrame]) -> String {
    if frames.is_empty() {
        return String::new();
    }
    let mut s = String::from("stack traceback:");
    for fr in frames {
        s.push_str("\n\t");
        s.push_str(&fr.to_string());
    }
    s
}

/// Every error the facade reports.
///
/// The variants are shaped as mlua 0.12's (tuple, struct or unit exactly
/// where mlua has them), plus luna's own (`InstructionLimit`,
/// `StateDropped`, `MismatchedState`, `StateBusy`).
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
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LuaError {
    /// A syntax error while loading a chunk.
    SyntaxError {
        /// The message as Lua formats it (`input:1: unexpected symbol near 'x'`).
        message: String,
        /// The error is at the end of the input: a REPL should read more.
        incomplete_input: bool,
    },

    /// An error raised by Lua code (`error(...)`, a failed operation): the
    /// error value as a string (`tostring` of a non-string value), followed
    /// by Lua's `stack traceback:` block when it was raised by Lua code
    /// (`LuaError::traceback` gives its frames).
    RuntimeError(String),

    /// The memory limit was reached (`not enough memory`).
    MemoryError(String),

    /// An operation the safe mode forbids (loading binary chunks).
    SafetyError(String),

    /// Memory control is not available (kept for mlua compatibility; luna
    /// always controls its memory).
    MemoryControlNotAvailable,

    /// A mutable callback (`create_function_mut`) was called again while
    /// already running.
    RecursiveMutCallback,

    /// A callback or userdata method was called after it was destroyed (it
    /// belonged to a `Lua::scope` that has ended).
    CallbackDestructed,

    /// Too many arguments or results for the Lua stack.
    StackError,

    /// Too many arguments to `LuaFunction::bind`.
    BindError,

    /// An argument given to a Rust callback could not be converted.
    /// Displayed as PUC's `luaL_argerror` does: `bad argument #2 to 'f'
    /// (string expected, got nil)`, or `calling 'f' on bad self (...)` for
    /// the receiver of a method call (position 0).
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
        cause: Arc<LuaError>,
    },

    /// A Rust value could not be converted to a Lua value.
    ToLuaConversionError {
        /// The Rust type.
        from: String,
        /// The Lua type.
        to: &'static str,
        /// Details.
        message: Option<String>,
    },

    /// A Lua value could not be converted to a Rust type.
    FromLuaConversionError {
        /// The Lua type name of the value.
        from: &'static str,
        /// The Rust type wanted (or the Lua type, for handles).
        to: String,
        /// Details.
        message: Option<String>,
    },

    /// `LuaThread::resume` was called on a coroutine that cannot be resumed
    /// (finished, failed, or running).
    CoroutineUnresumable,

    /// A userdata was not of the expected Rust type.
    UserDataTypeMismatch,

    /// A userdata's value was taken or destroyed.
    UserDataDestructed,

    /// A userdata's value could not be borrowed (it is mutably borrowed).
    UserDataBorrowError,

    /// A userdata's value could not be borrowed mutably (it is borrowed).
    UserDataBorrowMutError,

    /// A metamethod cannot be set (`__gc`, `__metatable` on userdata types).
    MetaMethodRestricted(String),

    /// A metamethod (`__index`, `__newindex`) was given a value of a type it
    /// cannot have.
    MetaMethodTypeError {
        /// The metamethod.
        method: String,
        /// The Lua type given.
        type_name: &'static str,
        /// Details.
        message: Option<String>,
    },

    /// A registry key of another `Lua` was used.
    MismatchedRegistryKey,

    /// A Rust callback failed; `cause` is the error it returned. Shown as
    /// the cause's message, once, followed by one traceback: the deepest
    /// one in the chain of causes (a Lua error that crossed several
    /// callbacks is not repeated at each layer).
    CallbackError {
        /// Lua's `stack traceback:` block of the frames active when the
        /// callback failed.
        traceback: String,
        /// The error the callback returned.
        cause: Arc<LuaError>,
    },

    /// A Rust panic that was already resumed was returned again.
    PreviouslyResumedPanic,

    /// Serializing a Rust value into Lua failed.
    SerializeError(String),

    /// Deserializing a Lua value into Rust failed.
    DeserializeError(String),

    /// An error of any other kind, wrapped (transparent: its display and
    /// source are the wrapped error's).
    ExternalError(Arc<dyn std::error::Error + Send + Sync>),

    /// An error with added context, shown before the error:
    /// `reading config: file not found`.
    WithContext {
        /// The context.
        context: String,
        /// The underlying error.
        cause: Arc<LuaError>,
    },

    /// The instruction budget ran out (luna's own).
    InstructionLimit,

    /// A handle was used after its `Lua` was dropped (luna's own).
    StateDropped,

    /// A handle was used with a `Lua` it does not belong to (luna's own).
    MismatchedState,

    /// The state is busy: an operation was attempted from inside another
    /// (luna's own).
    StateBusy,
}

impl fmt::Display for LuaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// ` (details)` when there are details.
        fn details(message: &Option<String>) -> String {
            message.as_ref().map_or(String::new(), |m| format!(" ({m})"))
        }
        match self {
            LuaError::SyntaxError { message, .. } => write!(f, "syntax error: {message}"),
            LuaError::RuntimeError(message) => write!(f, "runtime error: {message}"),
            LuaError::MemoryError(message) => write!(f, "memory error: {message}"),
            LuaError::SafetyError(message) => write!(f, "safety error: {message}"),
            LuaError::MemoryControlNotAvailable => f.write_str("memory control is not available"),
            LuaError::RecursiveMutCallback => f.write_str("mutable callback called recursively"),
            LuaError::CallbackDestructed => {
                f.write_str("a destructed callback or destructed userdata method was called")
            }
            LuaError::StackError => f.write_str(
                "out of Lua stack, too many arguments to a Lua function or too many return values from a callback",
            ),
            LuaError::BindError => f.write_str("too many arguments to Function::bind"),
            // mlua's wording; what Lua sees is PUC's (`lua_message`).
            LuaError::BadArgument { to, pos, name, cause } => {
                match name {
                    Some(name) => write!(f, "bad argument `{name}`")?,
                    None => write!(f, "bad argument #{pos}")?,
                }
                if let Some(to) = to {
                    write!(f, " to `{to}`")?;
                }
                write!(f, ": {cause}")
            }
            LuaError::ToLuaConversionError { from, to, message } => {
                write!(f, "error converting {from} to Lua {to}{}", details(message))
            }
            LuaError::FromLuaConversionError { from, to, message } => {
                write!(f, "error converting Lua {from} to {to}{}", details(message))
            }
            LuaError::CoroutineUnresumable => f.write_str("coroutine is non-resumable"),
            LuaError::UserDataTypeMismatch => f.write_str("userdata is not expected type"),
            LuaError::UserDataDestructed => f.write_str("userdata has been destructed"),
            LuaError::UserDataBorrowError => f.write_str("error borrowing userdata"),
            LuaError::UserDataBorrowMutError => f.write_str("error mutably borrowing userdata"),
            LuaError::MetaMethodRestricted(method) => write!(f, "metamethod {method} is restricted"),
            LuaError::MetaMethodTypeError { method, type_name, message } => {
                write!(f, "metamethod {method} has unsupported type {type_name}{}", details(message))
            }
            LuaError::MismatchedRegistryKey => f.write_str("RegistryKey used from different Lua state"),
            LuaError::CallbackError { traceback, cause } => f.write_str(&callback_error_message(traceback, cause)),
            LuaError::PreviouslyResumedPanic => f.write_str("previously resumed panic returned again"),
            LuaError::SerializeError(message) => write!(f, "serialize error: {message}"),
            LuaError::DeserializeError(message) => write!(f, "deserialize error: {message}"),
            LuaError::ExternalError(e) => fmt::Display::fmt(e, f),
            LuaError::WithContext { context, cause } => write!(f, "{context}: {cause}"),
            LuaError::InstructionLimit => f.write_str("instruction limit reached"),
            LuaError::StateDropped => f.write_str("the Lua state this value belongs to has been dropped"),
            LuaError::MismatchedState => f.write_str("value belongs to another Lua state"),
            LuaError::StateBusy => f.write_str("the Lua state is busy"),
        }
    }
}

/// As mlua's: the wrappers whose display already includes their cause
/// (`CallbackError`, `BadArgument`) have no source; a context passes on
/// its cause's source; an external error gives the wrapped error's source
/// (its display is the wrapped error's). `LuaError::chain` walks the
/// causes themselves.
impl std::error::Error for LuaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LuaError::ExternalError(e) => e.source(),
            LuaError::WithContext { cause, .. } => cause.source(),
            _ => None,
        }
    }
}

/// A bad argument worded as PUC's `luaL_argerror` (what Lua code sees):
/// `bad argument #1 to 'f' (number expected, got nil)`, or `calling 'm'
/// on bad self (...)` for position 0 (the receiver of a method call).
pub(crate) fn bad_argument_message(to: Option<&str>, pos: usize, cause: &LuaError) -> String {
    let to = to.unwrap_or("?");
    let cause = cause.argument_message();
    if pos == 0 {
        format!("calling '{to}' on bad self ({cause})")
    } else {
        format!("bad argument #{pos} to '{to}' ({cause})")
    }
}

/// The Lua type a conversion to the Rust type `to` expects, for messages
/// worded as PUC's argument checks (`string expected, got nil`).
pub(crate) fn expected_lua_type(to: &str) -> &str {
    match to {
        "String" | "str" | "&str" | "LuaString" | "Vec<u8>" | "BString" | "CString" | "&CStr" | "Box<str>"
        | "Arc<str>" | "Rc<str>" | "OsString" | "PathBuf" => "string",
        "i8" | "u8" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64" | "i128" | "u128" | "isize" | "usize" => "number",
        "f32" | "f64" => "number",
        "bool" => "boolean",
        other => other,
    }
}

/// The display of `CallbackError`: the cause's message and the deepest
/// traceback of the chain.
fn callback_error_message(traceback: &str, cause: &LuaError) -> String {
    let deepest = cause.deepest_traceback();
    let tb = if deepest.is_empty() { traceback } else { deepest };
    // A bad argument shows as mlua shows it; other causes as Lua saw them.
    let message = match cause {
        LuaError::BadArgument { .. } => cause.to_string(),
        _ => cause.lua_message(),
    };
    if tb.is_empty() {
        message
    } else {
        format!("{message}\n{tb}")
    }
}

/// The result type of the facade.
pub type LuaResult<T> = Result<T, LuaError>;

impl LuaError {
    /// A runtime error with a message (as a Rust callback would raise with
    /// `error(...)` in Lua).
    pub fn runtime(message: impl fmt::Display) -> LuaError {
        LuaError::RuntimeError(message.to_string())
    }

    /// The memory error (`not enough memory`).
    pub(crate) fn memory() -> LuaError {
        LuaError::MemoryError("not enough memory".to_string())
    }

    /// Wraps any error; a `LuaError` given boxed stays itself.
    pub fn external(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> LuaError {
        let boxed = e.into();
        match boxed.downcast::<LuaError>() {
            Ok(e) => *e,
            Err(other) => LuaError::ExternalError(Arc::from(other)),
        }
    }

    /// Adds context to the error. Context added to an error that already
    /// has some replaces it (the cause stays).
    pub fn context(self, context: impl fmt::Display) -> LuaError {
        let context = context.to_string();
        match self {
            LuaError::WithContext { cause, .. } => LuaError::WithContext { context, cause },
            other => LuaError::WithContext { context, cause: Arc::new(other) },
        }
    }

    /// The error this one wraps: the cause of a `CallbackError` or
    /// `WithContext`.
    pub fn parent(&self) -> Option<&LuaError> {
        match self {
            LuaError::CallbackError { cause, .. } | LuaError::WithContext { cause, .. } => Some(cause),
            _ => None,
        }
    }

    /// The innermost cause: the error a callback returned, without the
    /// callback and context wrappers.
    pub fn root_cause(&self) -> &LuaError {
        match self.parent() {
            Some(cause) => cause.root_cause(),
            None => self,
        }
    }

    /// The error and its causes, outermost first, as mlua's `chain`:
    /// through `CallbackError`, `WithContext` and `BadArgument`, ending with
    /// the wrapped error of an `ExternalError` (the `ExternalError` itself
    /// is skipped: it adds nothing).
    pub fn chain(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(self);
        std::iter::from_fn(move || loop {
            let current = next?;
            next = match current.downcast_ref::<LuaError>() {
                Some(
                    LuaError::CallbackError { cause, .. }
                    | LuaError::WithContext { cause, .. }
                    | LuaError::BadArgument { cause, .. },
                ) => Some(&**cause as &(dyn std::error::Error + 'static)),
                Some(LuaError::ExternalError(e)) => {
                    // Skip the wrapper: continue with the wrapped error.
                    next = Some(&**e as &(dyn std::error::Error + 'static));
                    continue;
                }
                _ => None,
            };
            return Some(current);
        })
    }

    /// The traceback frames attached to the error: those of the `stack
    /// traceback:` block of a `RuntimeError` or `CallbackError`, innermost
    /// first.
    pub fn traceback(&self) -> Vec<TracebackFrame> {
        match self {
            LuaError::RuntimeError(message) => match message.find(TRACEBACK_HEADER) {
                Some(i) => parse_traceback(&message[i..]),
                None => Vec::new(),
            },
            LuaError::CallbackError { traceback, .. } => parse_traceback(traceback),
            _ => Vec::new(),
        }
    }

    /// Downcasts an external error to its concrete type, looking through
    /// callback and context wrappers.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        match self.root_cause() {
            LuaError::ExternalError(e) => e.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The innermost non-empty traceback text in the chain of causes.
    fn deepest_traceback(&self) -> &str {
        let inner = match self {
            LuaError::CallbackError { cause, .. } | LuaError::WithContext { cause, .. } => cause.deepest_traceback(),
            _ => "",
        };
        if !inner.is_empty() {
            return inner;
        }
        match self {
            LuaError::RuntimeError(m) => m.find(TRACEBACK_HEADER).map_or("", |i| &m[i..]),
            LuaError::CallbackError { traceback, .. } => traceback,
            _ => "",
        }
    }

    /// The message Lua code sees for this error (`tostring` of the error
    /// value): the display form without tracebacks.
    pub(crate) fn lua_message(&self) -> String {
        match self {
            LuaError::RuntimeError(message) => strip_traceback(message).to_string(),
            LuaError::MemoryError(message) => message.clone(),
            LuaError::CallbackError { cause, .. } => cause.lua_message(),
            LuaError::WithContext { context, cause } => format!("{context}: {}", cause.lua_message()),
            LuaError::BadArgument { to, pos, cause, .. } => bad_argument_message(to.as_deref(), *pos, cause),
            other => other.to_string(),
        }
    }

    /// The message of an error that made an argument bad, worded as PUC's
    /// argument checks (`string expected, got nil`).
    pub(crate) fn argument_message(&self) -> String {
        match self {
            LuaError::FromLuaConversionError { from, to, message: None } => {
                format!("{} expected, got {from}", expected_lua_type(to))
            }
            // A value that should have been a userdata of a given type:
            // `Vec3 expected, got number`, as `luaL_checkudata` says.
            LuaError::FromLuaConversionError { from, message: Some(m), .. }
                if m.starts_with(crate::userdata::EXPECTED_USERDATA) =>
            {
                let name = m[crate::userdata::EXPECTED_USERDATA.len()..].trim_matches('\'');
                format!("{name} expected, got {from}")
            }
            LuaError::FromLuaConversionError { message: Some(m), .. } => m.clone(),
            other => other.lua_message(),
        }
    }
}

/// The first line of Lua's traceback block.
const TRACEBACK_HEADER: &str = "stack traceback:";

/// A message without the traceback block Lua appended to it.
fn strip_traceback(message: &str) -> &str {
    match message.find(&format!("\n{TRACEBACK_HEADER}")) {
        Some(i) => &message[..i],
        None => message,
    }
}

/// The frames of a `stack traceback:` block (the inverse of
/// `format_traceback`).
fn parse_traceback(block: &str) -> Vec<TracebackFrame> {
    block
        .lines()
        .skip(1)
        .filter_map(|line| {
            let line = line.strip_prefix('\t')?;
            if let Some(rest) = line.strip_prefix("...\t") {
                return Some(TracebackFrame { source: "...".into(), line: None, name: rest.to_string() });
            }
            let (place, name) = line.split_once(": in ")?;
            let (source, line_no) = match place.rsplit_once(':') {
                Some((src, n)) if n.parse::<u32>().is_ok() => (src, n.parse().ok()),
                _ => (place, None),
            };
            Some(TracebackFrame { source: source.to_string(), line: line_no, name: name.to_string() })
        })
        .collect()
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

impl From<std::str::Utf8Error> for LuaError {
    fn from(e: std::str::Utf8Error) -> Self {
        LuaError::external(e)
    }
}

impl From<std::net::AddrParseError> for LuaError {
    fn from(e: std::net::AddrParseError) -> Self {
        LuaError::external(e)
    }
}
