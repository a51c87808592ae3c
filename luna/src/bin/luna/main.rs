//! `luna`, the stand-alone interpreter: the command line of PUC-Rio Lua
//! 5.4's `lua.c` on top of luna-core. It parses the options (`-e`, `-l`,
//! `-i`, `-v`, `-E`, `-W`, `--`, `-`, and luna's `--no-compat`, which
//! turns off the dialect's `LUA_COMPAT_5_3`), builds the `arg` table, runs
//! `LUA_INIT_5_4`/`LUA_INIT`, the options' code, the script (from a file
//! or standard input) and the read-eval-print loop (`repl`), and reports
//! errors as "progname: message" plus a traceback on standard error, with
//! lua.c's exit statuses. Everything runs inside one native function
//! (`pmain`) called in protected mode, as lua.c does, so tracebacks end
//! with the same "[C]: in ?" frame. Ctrl-C interrupts a running chunk
//! with the error "interrupted!" (`signal`).

mod chunk;
mod repl;
mod signal;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::rc::Rc;

use luna_core::gc::GcMode;
use luna_core::load::LoadMode;
use luna_core::stdlib::Libs;
use luna_core::vm::arith::{self, F2I};
use luna_core::vm::budget::InterruptAction;
use luna_core::vm::debug::ValLoc;
use luna_core::vm::MULTRET;
use luna_core::{LResult, State, Status, Value};

/// The program name used when `argv[0]` is missing or empty (otherwise
/// messages start with `argv[0]`, as in lua.c).
const PROGNAME: &[u8] = b"luna";

/// The version line printed by `-v` and before an interactive session. It
/// starts with the language version and ends with "PUC-Rio" as PUC's does
/// (the official test suite looks for "PUC-Rio" at the end of the line).
const VERSION_LINE: &str = concat!(
    "Lua 5.4 (luna ",
    env!("CARGO_PKG_VERSION"),
    ")  Copyright (C) 2026 the luna authors; Lua 5.4.8 Copyright (C) 1994-2025 Lua.org, PUC-Rio"
);

/// The environment variable holding initialisation code, and its
/// version-specific variant, which takes precedence.
const INIT_VAR: &str = "LUA_INIT";
const INIT_VAR_VERSION: &str = "LUA_INIT_5_4";

/// Option flags collected from the command line (lua.c's `has_*` bits).
const HAS_I: u8 = 2;
const HAS_V: u8 = 4;
const HAS_E: u8 = 8;
const HAS_NOENV: u8 = 16;
/// `--no-compat`: Lua 5.4 without PUC's `LUA_COMPAT_5_3` (luna's own
/// option; PUC's `lua` is built with or without it).
const HAS_NOCOMPAT: u8 = 32;

/// The usage text after the first line (lua.c's `print_usage`), as PUC's
/// to the byte; luna's own `--no-compat` is documented in the README.
const USAGE_OPTIONS: &str = "Available options are:\n\
\x20 -e stat   execute string 'stat'\n\
\x20 -i        enter interactive mode after executing 'script'\n\
\x20 -l mod    require library 'mod' into global 'mod'\n\
\x20 -l g=mod  require library 'mod' into global 'g'\n\
\x20 -v        show version information\n\
\x20 -E        ignore environment variables\n\
\x20 -W        turn warnings on\n\
\x20 --        stop handling options\n\
\x20 -         stop handling options and execute stdin\n";

/// The interpreter's data, kept in the state's extension slot so that
/// `pmain` (a plain native function) can reach it.
struct Cli {
    /// The command line, program name first, as raw bytes.
    argv: Vec<Vec<u8>>,
    /// The name put in front of error messages; `None` inside the REPL.
    progname: Option<Vec<u8>>,
}

/// The interpreter runs on a thread with a stack large enough that Lua's
/// own limits (200 nested native calls, "C stack overflow") are reached
/// before the native stack budget, as with PUC's `lua`.
const STACK_SIZE: usize = 64 << 20;

fn main() -> ExitCode {
    let big = std::thread::Builder::new().name("luna".into()).stack_size(STACK_SIZE);
    match big.spawn(|| interpreter(Some(STACK_SIZE / 4 * 3))) {
        Ok(handle) => handle.join().unwrap_or(ExitCode::FAILURE),
        // No thread: run on this one, with the default budget.
        Err(_) => interpreter(None),
    }
}

fn interpreter(stack_budget: Option<usize>) -> ExitCode {
    let argv = command_line();
    // SAFETY: the interpreter is a client of luna-core's raw layer, as
    // `lua.c` is of PUC's C API, and keeps its contract: the values it reads
    // (error values, results, globals) are used at once, before it runs Lua
    // code again, or are on the stack; it has this one state; the state is
    // dropped last; its natives (`pmain`, the REPL's) use their `&mut State`
    // only during their calls.
    let mut st = unsafe { State::new() };
    if let Some(bytes) = stack_budget {
        st.set_native_stack_budget(bytes);
    }
    st.set_ext(Cli { argv, progname: Some(PROGNAME.to_vec()) });
    st.set_interrupt(Some(Rc::new(on_interrupt)), signal::PERIOD);
    let base = st.top();
    let status = match st.new_native(pmain) {
        Ok(f) => {
            st.push(f);
            st.pcall_raw(base, 1, 0)
        }
        Err(t) => {
            st.push(t.value);
            t.status
        }
    };
    let result = !st.stack_get(st.top().saturating_sub(1)).is_falsy();
    report(&mut st, status);
    flush_stdout(&mut st);
    // Closing the state runs the pending finalizers, which may still write.
    drop(st);
    let _ = std::io::stdout().flush();
    if result && status == Status::Ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The body of the interpreter, run in protected mode (lua.c's `pmain`).
/// Returns `true` when everything ran without errors, nothing otherwise.
fn pmain(st: &mut State) -> LResult<usize> {
    let argv = st.ext::<Cli>().map(|c| c.argv.clone()).unwrap_or_default();
    if let Some(name) = argv.first().filter(|a| !a.is_empty()) {
        set_progname(st, Some(name.clone()));
    }
    let (flags, script) = match collect_args(&argv) {
        Ok(parsed) => parsed,
        Err(bad) => {
            print_usage(st, argv.get(bad).map(|a| a.as_slice()).unwrap_or(b""));
            return Ok(0);
        }
    };
    let optlim = if script > 0 { script } else { argv.len() };
    if flags & HAS_V != 0 {
        print_version(st);
    }
    if flags & HAS_NOENV != 0 {
        // Tells the libraries (package paths) to ignore the environment.
        let reg = st.registry();
        st.raw_set_field(reg, "LUA_NOENV", Value::Bool(true))?;
    }
    if flags & HAS_NOCOMPAT != 0 {
        st.set_dialect(st.dialect().with_compat53(false));
    }
    st.open_libs(Libs::ALL)?;
    create_arg_table(st, &argv, script)?;
    st.set_gc_mode(GcMode::Generational);
    if flags & HAS_NOENV == 0 && handle_luainit(st)? != Status::Ok {
        return Ok(0);
    }
    if !run_args(st, &argv, optlim)? {
        return Ok(0);
    }
    if script > 0 && handle_script(st, &argv, script)? != Status::Ok {
        return Ok(0);
    }
    if flags & HAS_I != 0 {
        repl::run(st)?;
    } else if script == 0 && flags & (HAS_E | HAS_V) == 0 {
        if std::io::stdin().is_terminal() {
            print_version(st);
            repl::run(st)?;
        } else {
            dofile(st, None)?;
        }
    }
    st.push(Value::Bool(true));
    Ok(1)
}

/// Reads the options (lua.c's `collectargs`). On success returns the
/// option flags and the index of the script name (0 when there is none);
/// on a bad option returns its index.
fn collect_args(argv: &[Vec<u8>]) -> Result<(u8, usize), usize> {
    let mut flags = 0;
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a.first() != Some(&b'-') {
            return Ok((flags, i));
        }
        let extra = a.get(2..).unwrap_or(&[]);
        match a.get(1) {
            Some(b'-') if extra == b"no-compat" => flags |= HAS_NOCOMPAT,
            Some(b'-') => {
                if !extra.is_empty() {
                    return Err(i);
                }
                // "--" stops the options; a script name may follow. With
                // nothing after it there is no script, as in Lua 5.4.4
                // (5.4.8 fails there with "not enough memory").
                let next = i + 1;
                return Ok((flags, if next < argv.len() { next } else { 0 }));
            }
            None => return Ok((flags, i)),
            Some(b'E') | Some(b'W') | Some(b'i') | Some(b'v') if !extra.is_empty() => return Err(i),
            Some(b'E') => flags |= HAS_NOENV,
            Some(b'W') => {}
            Some(b'i') => flags |= HAS_I | HAS_V,
            Some(b'v') => flags |= HAS_V,
            Some(&c @ (b'e' | b'l')) => {
                if c == b'e' {
                    flags |= HAS_E;
                }
                if extra.is_empty() {
                    match argv.get(i + 1) {
                        Some(next) if next.first() != Some(&b'-') => i += 1,
                        _ => return Err(i),
                    }
                }
            }
            Some(_) => return Err(i),
        }
        i += 1;
    }
    Ok((flags, 0))
}

/// Runs the `-e` and `-l` options in order and applies `-W` (lua.c's
/// `runargs`). Returns false when some code raised an error.
fn run_args(st: &mut State, argv: &[Vec<u8>], optlim: usize) -> LResult<bool> {
    let mut i = 1;
    while i < optlim.min(argv.len()) {
        let a = &argv[i];
        match a.get(1) {
            Some(&c @ (b'e' | b'l')) => {
                let mut extra = a.get(2..).unwrap_or(&[]);
                if extra.is_empty() {
                    i += 1;
                    extra = argv.get(i).map(|x| x.as_slice()).unwrap_or(&[]);
                }
                let status = if c == b'e' { dostring(st, extra, b"=(command line)")? } else { dolibrary(st, extra)? };
                if status != Status::Ok {
                    return Ok(false);
                }
            }
            Some(b'W') => st.warning(b"@on", false),
            _ => {}
        }
        i += 1;
    }
    Ok(true)
}

/// Runs `LUA_INIT_5_4`, or else `LUA_INIT`: code, or a file when it starts
/// with '@' (lua.c's `handle_luainit`).
fn handle_luainit(st: &mut State) -> LResult<Status> {
    let (name, init) = match env_bytes(INIT_VAR_VERSION) {
        Some(v) => (INIT_VAR_VERSION, v),
        None => match env_bytes(INIT_VAR) {
            Some(v) => (INIT_VAR, v),
            None => return Ok(Status::Ok),
        },
    };
    match init.strip_prefix(b"@") {
        Some(file) => dofile(st, Some(file)),
        None => dostring(st, &init, format!("={name}").as_bytes()),
    }
}

/// Loads and runs the script at `argv[script]` with the script arguments
/// (lua.c's `handle_script`). "-" means standard input unless it follows
/// "--".
fn handle_script(st: &mut State, argv: &[Vec<u8>], script: usize) -> LResult<Status> {
    let fname = argv.get(script).map(|a| a.as_slice()).unwrap_or(b"-");
    let after_dashes = script > 0 && argv.get(script - 1).map(|a| a.as_slice()) == Some(b"--");
    let from_stdin = fname == b"-" && !after_dashes;
    let mut status = chunk::load_file(st, if from_stdin { None } else { Some(fname) })?;
    if status == Status::Ok {
        let n = push_args(st)?;
        status = docall(st, n, MULTRET)?;
    }
    Ok(report(st, status))
}

/// Pushes `arg[1]` .. `arg[#arg]` (lua.c's `pushargs`).
fn push_args(st: &mut State) -> LResult<usize> {
    let t = get_global(st, "arg")?;
    let tbl = match t {
        Value::Table(tbl) => tbl,
        _ => return Err(st.error_msg("'arg' is not a table")),
    };
    let pos = st.top();
    st.push(t);
    let len = st.len_of(t, ValLoc::Other)?;
    let n = match arith::to_integer(&len, F2I::Exact) {
        Some(n) => n.max(0),
        None => return Err(st.error_msg("object length is not an integer")),
    };
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n > 1_000_000 || st.check_stack(n + 3).is_err() {
        return Err(st.error_msg("stack overflow (too many arguments to script)"));
    }
    for i in 1..=n {
        st.push(tbl.get_int(i as i64));
    }
    remove_at(st, pos);
    Ok(n)
}

/// Creates the global `arg`: the script name at 0, the interpreter and
/// its options at negative indices, the script arguments from 1 (lua.c's
/// `createargtable`). Without a script the program name is at 0.
fn create_arg_table(st: &mut State, argv: &[Vec<u8>], script: usize) -> LResult<()> {
    let narg = argv.len().saturating_sub(script + 1);
    let t = st.new_table_with(narg, script + 1)?;
    st.push(Value::Table(t));
    for (i, a) in argv.iter().enumerate() {
        let v = st.str_value(a)?;
        st.raw_set_int(t, i as i64 - script as i64, v)?;
    }
    set_global(st, "arg", Value::Table(t))?;
    st.pop(1);
    Ok(())
}

/// Runs `globname = require(modname)` for `-l globname[=modname]`; without
/// '=' a suffix after '-' is cut from the global name (lua.c's
/// `dolibrary`).
fn dolibrary(st: &mut State, spec: &[u8]) -> LResult<Status> {
    let (globname, modname) = match spec.iter().position(|&c| c == b'=') {
        Some(eq) => (&spec[..eq], &spec[eq + 1..]),
        None => {
            let glob = match spec.iter().position(|&c| c == b'-') {
                Some(dash) => &spec[..dash],
                None => spec,
            };
            (glob, spec)
        }
    };
    let require = get_global(st, "require")?;
    st.push(require);
    let m = st.str_value(modname)?;
    st.push(m);
    let status = docall(st, 1, 1)?;
    if status == Status::Ok {
        let v = st.stack_get(st.top() - 1);
        let name = st.str_value(globname)?;
        st.push(name);
        let g = Value::Table(st.globals());
        st.set_index(g, name, v, ValLoc::Other)?;
        st.pop(2);
    }
    Ok(report(st, status))
}

/// Loads and runs a file, or standard input when `name` is `None`, and
/// reports any error (lua.c's `dofile`).
fn dofile(st: &mut State, name: Option<&[u8]>) -> LResult<Status> {
    let status = chunk::load_file(st, name)?;
    dochunk(st, status)
}

/// Loads and runs a string and reports any error (lua.c's `dostring`).
fn dostring(st: &mut State, code: &[u8], chunkname: &[u8]) -> LResult<Status> {
    let status = load_buffer(st, code, chunkname);
    dochunk(st, status)
}

/// Runs the function just loaded when loading succeeded, then reports
/// (lua.c's `dochunk`).
fn dochunk(st: &mut State, mut status: Status) -> LResult<Status> {
    if status == Status::Ok {
        status = docall(st, 0, 0)?;
    }
    Ok(report(st, status))
}

/// Loads a chunk from memory, pushing the function or the error message
/// (PUC's `luaL_loadbuffer`).
fn load_buffer(st: &mut State, code: &[u8], chunkname: &[u8]) -> Status {
    match st.load(code, chunkname, LoadMode::Both, None) {
        Ok(f) => {
            st.push(f);
            Status::Ok
        }
        Err(t) => {
            st.push(t.value);
            t.status
        }
    }
}

/// Calls the function below the `narg` arguments on the top of the stack
/// in protected mode with `msghandler` as message handler (lua.c's
/// `docall`). Leaves the results, or the error value, in its place.
/// Ctrl-C is caught while the call runs.
fn docall(st: &mut State, narg: usize, nres: i32) -> LResult<Status> {
    let func = st.top() - narg - 1;
    let handler = st.new_native(msghandler)?;
    st.insert_at(func, handler);
    signal::catch();
    let status = st.pcall_raw(func + 1, nres, func);
    signal::restore();
    remove_at(st, func);
    Ok(status)
}

/// The interrupt callback: a pending Ctrl-C becomes the error
/// "interrupted!" where Lua code runs (lua.c's `lstop` hook; like it, a
/// native busy in a long computation is not stopped, a second Ctrl-C ends
/// the process). The message has the position of the interrupted
/// function's caller, as `luaL_error` in a hook gives it.
fn on_interrupt(st: &mut State) -> LResult<InterruptAction> {
    if !st.interrupt_in_native() && signal::take_pending() {
        return Err(st.error_at_level(1, "interrupted!"));
    }
    Ok(InterruptAction::Continue)
}

/// The message handler of every chunk (lua.c's `msghandler`): a string
/// (or number) message gets a traceback; other error objects use their
/// `__tostring` when it gives a string, or are described by their type.
fn msghandler(st: &mut State) -> LResult<usize> {
    let v = st.arg(1);
    let msg = match value_text(st, v)? {
        Some(m) => m,
        None => {
            let tm = st.meta_field(v, "__tostring")?;
            if !tm.is_nil() {
                let func = st.top();
                st.push(tm);
                st.push(v);
                st.call_noyield(func, 1)?;
                if let Value::Str(_) = st.stack_get(func) {
                    return Ok(1);
                }
                st.set_top(func);
            }
            format!("(error object is a {} value)", v.type_name()).into_bytes()
        }
    };
    let tb = st.traceback(Some(&msg), 1);
    let s = st.str_value(tb)?;
    st.push(s);
    Ok(1)
}

/// Prints the error message on the top of the stack, if `status` is an
/// error, and pops it (lua.c's `report`). Returns `status`.
fn report(st: &mut State, status: Status) -> Status {
    if status != Status::Ok {
        let v = st.stack_get(st.top().saturating_sub(1));
        let msg = value_text(st, v).ok().flatten().unwrap_or_else(|| b"(error message not a string)".to_vec());
        l_message(st, &msg);
        st.pop(1);
    }
    status
}

/// Writes "progname: msg" (or just the message inside the REPL) on
/// standard error (lua.c's `l_message`).
fn l_message(st: &mut State, msg: &[u8]) {
    let mut out = Vec::new();
    if let Some(p) = st.ext::<Cli>().and_then(|c| c.progname.as_ref()) {
        out.extend_from_slice(p);
        out.extend_from_slice(b": ");
    }
    out.extend_from_slice(msg);
    out.push(b'\n');
    write_stderr(&out);
}

/// Prints the bad-option message and the usage (lua.c's `print_usage`).
fn print_usage(st: &mut State, badoption: &[u8]) {
    let progname = st.ext::<Cli>().and_then(|c| c.progname.clone()).unwrap_or_else(|| PROGNAME.to_vec());
    let mut out = progname.clone();
    out.extend_from_slice(b": ");
    if matches!(badoption.get(1), Some(b'e' | b'l')) {
        out.extend_from_slice(b"'");
        out.extend_from_slice(badoption);
        out.extend_from_slice(b"' needs argument\n");
    } else {
        out.extend_from_slice(b"unrecognized option '");
        out.extend_from_slice(badoption);
        out.extend_from_slice(b"'\n");
    }
    out.extend_from_slice(b"usage: ");
    out.extend_from_slice(&progname);
    out.extend_from_slice(b" [options] [script [args]]\n");
    out.extend_from_slice(USAGE_OPTIONS.as_bytes());
    write_stderr(&out);
}

/// Prints the version line (lua.c's `print_version`).
fn print_version(st: &mut State) {
    write_stdout(st, VERSION_LINE.as_bytes());
    write_stdout(st, b"\n");
    flush_stdout(st);
}

// ----------------------------------------------------------------------
// Helpers shared with the REPL.

/// Sets the name put in front of error messages.
fn set_progname(st: &mut State, name: Option<Vec<u8>>) {
    if let Some(cli) = st.ext_mut::<Cli>() {
        cli.progname = name;
    }
}

/// The current error-message prefix.
fn progname(st: &State) -> Option<Vec<u8>> {
    st.ext::<Cli>().and_then(|c| c.progname.clone())
}

/// The text of a string or number (PUC's `lua_tostring`), or `None` for
/// other values.
fn value_text(st: &mut State, v: Value) -> LResult<Option<Vec<u8>>> {
    Ok(match v {
        Value::Str(s) => Some(s.as_bytes().to_vec()),
        Value::Int(_) | Value::Float(_) => match st.tostring_number(v)? {
            Value::Str(s) => Some(s.as_bytes().to_vec()),
            _ => None,
        },
        _ => None,
    })
}

/// Reads a global with metamethods (PUC's `lua_getglobal`).
fn get_global(st: &mut State, name: &str) -> LResult<Value> {
    let key = st.str_value(name)?;
    st.push(key);
    let g = Value::Table(st.globals());
    let v = st.index(g, key, ValLoc::Other)?;
    st.pop(1);
    Ok(v)
}

/// Sets a global with metamethods (PUC's `lua_setglobal`).
fn set_global(st: &mut State, name: &str, v: Value) -> LResult<()> {
    let key = st.str_value(name)?;
    st.push(key);
    st.push(v);
    let g = Value::Table(st.globals());
    st.set_index(g, key, v, ValLoc::Other)?;
    st.pop(2);
    Ok(())
}

/// Removes the stack slot `idx`, shifting the values above it down.
fn remove_at(st: &mut State, idx: usize) {
    let top = st.top();
    if idx >= top {
        return;
    }
    for i in idx..top - 1 {
        let v = st.stack_get(i + 1);
        st.stack_set(i, v);
    }
    st.set_top(top - 1);
}

/// Writes to standard output through the channel `print` uses.
fn write_stdout(st: &mut State, bytes: &[u8]) {
    luna_core::stdlib::io::write_stdout(st, bytes);
}

/// Flushes standard output.
fn flush_stdout(st: &mut State) {
    // The io library buffers standard output (and open files) itself, as C
    // stdio does; flush everything as C's `exit` would.
    luna_core::stdlib::io::flush_all(st);
    let _ = std::io::stdout().flush();
}

/// Writes to standard error and flushes it.
fn write_stderr(bytes: &[u8]) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(bytes);
    let _ = err.flush();
}

/// The value of an environment variable as bytes.
fn env_bytes(name: &str) -> Option<Vec<u8>> {
    std::env::var_os(name).map(os_bytes)
}

/// The command line as raw bytes.
fn command_line() -> Vec<Vec<u8>> {
    std::env::args_os().map(os_bytes).collect()
}

#[cfg(unix)]
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    s.into_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}
