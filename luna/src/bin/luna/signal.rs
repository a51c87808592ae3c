//! Ctrl-C while a chunk runs, as `lua.c` handles it: the first SIGINT
//! marks an interrupt as pending and restores the default action (so a
//! second one ends the process, which is how a native stuck in a long
//! computation is stopped); the state's interrupt callback, run every
//! `PERIOD` function entries and loop iterations, turns a pending
//! interrupt into the error "interrupted!" in the running Lua code, which
//! `pcall` can catch. Outside `docall` the default action applies.
//!
//! The one module of the binary with `unsafe`: installing a signal handler
//! is a call into the C library (`signal`), which the Rust standard
//! library does not wrap. The handler itself only stores to an atomic and
//! calls `signal` again, both async-signal-safe.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the handler, taken by the interrupt callback.
static PENDING: AtomicBool = AtomicBool::new(false);

/// Fuel units (function entries and loop iterations) between two looks
/// at the pending flag: a tight loop notices Ctrl-C within microseconds,
/// and the look costs nothing measurable.
pub const PERIOD: u32 = 1024;

/// Catches SIGINT until `restore` (lua.c's `setsignal(SIGINT, laction)`).
/// An interrupt left pending by a chunk that ended first is dropped.
pub fn catch() {
    PENDING.store(false, Ordering::SeqCst);
    sys::install(true);
}

/// Gives SIGINT its default action again (`setsignal(SIGINT, SIG_DFL)`).
pub fn restore() {
    sys::install(false);
}

/// Whether Ctrl-C was pressed since the last call (the flag is cleared).
pub fn take_pending() -> bool {
    PENDING.swap(false, Ordering::SeqCst)
}

#[cfg(unix)]
mod sys {
    use std::ffi::c_int;

    use super::{Ordering, PENDING};

    /// SIGINT's number on every Unix (POSIX fixes it at 2 in practice:
    /// Linux, the BSDs and macOS agree).
    const SIGINT: c_int = 2;
    /// `SIG_DFL`, the null handler.
    const SIG_DFL: usize = 0;

    extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
    }

    /// The handler (lua.c's `laction`): the next Ctrl-C ends the process.
    extern "C" fn on_sigint(_: c_int) {
        PENDING.store(true, Ordering::SeqCst);
        install(false);
    }

    pub fn install(catch: bool) {
        let handler = if catch { on_sigint as extern "C" fn(c_int) as usize } else { SIG_DFL };
        // SAFETY: `signal` is the C library's, with its C signature;
        // `handler` is SIG_DFL or an `extern "C" fn(c_int)` that does only
        // async-signal-safe things (an atomic store and `signal`).
        unsafe {
            signal(SIGINT, handler);
        }
    }
}

#[cfg(not(unix))]
mod sys {
    /// No console signals elsewhere: Ctrl-C keeps the platform's default.
    pub fn install(_catch: bool) {}
}
