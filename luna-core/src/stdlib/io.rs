//! The `io` library (PUC's liolib.c): `io.open`, `io.close`, `io.read`,
//! `io.write`, `io.lines`, `io.input`, `io.output`, `io.popen`,
//! `io.tmpfile`, `io.type`, `io.flush`, the standard files, and the file
//! handle methods (`read`, `write`, `lines`, `seek`, `setvbuf`, `flush`,
//! `close`) with the `FILE*` metatable (`__gc`, `__close`, `__tostring`,
//! `__index`, `__name`), registered in the registry under "FILE*" as
//! `luaL_newmetatable` does.
//!
//! A file handle is a full userdata whose payload is an [`LStream`], a
//! shared reference to a [`stream::Stream`] (the buffered file). The
//! process's standard output is buffered process-wide (fully when it is
//! not a terminal, by lines when it is); `print` writes through the same
//! buffer ([`write_stdout`]), and [`flush_stdout`] (or [`flush_all`], C's
//! `fflush(NULL)`) must run before the process exits.

pub mod stream;

use std::cell::RefCell;
use std::io;
use std::rc::{Rc, Weak};

use crate::gc::Gc;
use crate::object::function::NativeFn;
use crate::object::table::Table;
use crate::state::State;
use crate::stdlib::c_str;
use crate::value::Value;
use crate::vm::LResult;
use stream::{BufMode, CloseResult, Stream, Whence};

/// Registry key and `__name` of the file handle metatable.
pub const FILEHANDLE: &str = "FILE*";
/// Registry key of the default input file.
const IO_INPUT: &str = "_IO_input";
/// Registry key of the default output file.
const IO_OUTPUT: &str = "_IO_output";
/// Most formats `lines` accepts (PUC's `MAXARGLINE`).
const MAX_ARG_LINE: usize = 250;
/// Default buffer size for `setvbuf` (PUC's `LUAL_BUFFERSIZE`).
const LUAL_BUFFERSIZE: i64 = 1024;
/// Reads asking for more bytes than this fail as PUC's do when the buffer
/// cannot be allocated.
const MAX_READ: u64 = 1 << 40;

/// The payload of a file handle userdata.
pub struct LStream(pub Rc<RefCell<Stream>>);

/// Writes to the process's standard output (shared by `print` and
/// `io.write`) and flushes it, as `print`'s `lua_writeline` does.
pub fn write_stdout(_st: &mut State, bytes: &[u8]) {
    let _ = stream::stdout_write(bytes);
    let _ = stream::stdout_flush();
}

/// Writes out the process-wide standard output and standard error
/// buffers. The interpreter and `os.exit` call it before the process ends.
pub fn flush_stdout() {
    let _ = stream::stdout_flush();
}

/// Flushes every output stream of the state and the standard streams (C's
/// `fflush(NULL)`, which `exit` and `popen` do).
pub fn flush_all(st: &mut State) {
    flush_stdout();
    if let Some(io) = st.ext_mut::<IoState>() {
        let live: Vec<Rc<RefCell<Stream>>> = io.streams.iter().filter_map(Weak::upgrade).collect();
        for s in live {
            if let Ok(mut s) = s.try_borrow_mut() {
                let _ = s.flush();
            }
        }
    }
}

/// Creates the library table, the `FILE*` metatable and the standard
/// files.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    let lib = st.new_lib(&[
        ("close", io_close),
        ("flush", io_flush),
        ("input", io_input),
        ("lines", io_lines),
        ("open", io_open),
        ("output", io_output),
        ("popen", io_popen),
        ("read", io_read),
        ("tmpfile", io_tmpfile),
        ("type", io_type),
        ("write", io_write),
    ])?;
    if st.ext::<IoState>().is_none() {
        st.set_ext(IoState { streams: Vec::new(), prune_at: 16 });
    }
    create_meta(st)?;
    create_std_file(st, lib, Stream::stdin(), Some(Key::Input), "stdin")?;
    create_std_file(st, lib, Stream::stdout(), Some(Key::Output), "stdout")?;
    create_std_file(st, lib, Stream::stderr(), None, "stderr")?;
    Ok(lib)
}

// ----------------------------------------------------------------------
// Library state and file handles.

/// The state's streams (weakly), for `fflush(NULL)`. Dropping it (when the
/// state closes) writes out standard output.
struct IoState {
    streams: Vec<Weak<RefCell<Stream>>>,
    prune_at: usize,
}

/// The registry keys of the library.
#[derive(Clone, Copy)]
enum Key {
    FileHandle,
    Input,
    Output,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::FileHandle => FILEHANDLE,
            Key::Input => IO_INPUT,
            Key::Output => IO_OUTPUT,
        }
    }
}

/// `registry[k]` (a key that was never interned cannot be there).
fn reg_get(st: &mut State, k: Key) -> LResult<Value> {
    Ok(match st.find_interned(k.name().as_bytes()) {
        Some(key) => st.registry().get_str(key),
        None => Value::Nil,
    })
}

/// `registry[k] = v`.
fn reg_set(st: &mut State, k: Key, v: Value) -> LResult<()> {
    let k = st.new_str(k.name().as_bytes())?;
    let reg = st.registry();
    st.raw_set(reg, Value::Str(k), v)
}

impl Drop for IoState {
    fn drop(&mut self) {
        flush_stdout();
    }
}

fn create_meta(st: &mut State) -> LResult<()> {
    let mt = st.new_table()?;
    reg_set(st, Key::FileHandle, Value::Table(mt))?;
    let name = st.str_value(FILEHANDLE)?;
    st.raw_set_field(mt, "__name", name)?;
    st.set_funcs(mt, &[("__gc", f_gc), ("__close", f_gc), ("__tostring", f_tostring)])?;
    let methods = st.new_lib(&[
        ("read", f_read),
        ("write", f_write),
        ("lines", f_lines),
        ("flush", f_flush),
        ("seek", f_seek),
        ("close", f_close),
        ("setvbuf", f_setvbuf),
    ])?;
    st.raw_set_field(mt, "__index", Value::Table(methods))
}

fn create_std_file(st: &mut State, lib: Gc<Table>, s: Stream, key: Option<Key>, name: &str) -> LResult<()> {
    let f = new_file(st, s)?;
    if let Some(k) = key {
        reg_set(st, k, f)?;
    }
    st.raw_set_field(lib, name, f)
}

/// Wraps a stream in a new file handle.
fn new_file(st: &mut State, s: Stream) -> LResult<Value> {
    let rc = Rc::new(RefCell::new(s));
    if let Some(io) = st.ext_mut::<IoState>() {
        io.streams.push(Rc::downgrade(&rc));
        if io.streams.len() >= io.prune_at {
            io.streams.retain(|w| w.strong_count() > 0);
            io.prune_at = (io.streams.len() * 2).max(16);
        }
    }
    let u = st.new_userdata(LStream(rc), 0)?;
    let mt = file_metatable(st)?;
    st.set_metatable(Value::Userdata(u), mt);
    Ok(Value::Userdata(u))
}

/// The registered `FILE*` metatable.
fn file_metatable(st: &mut State) -> LResult<Option<Gc<Table>>> {
    match reg_get(st, Key::FileHandle)? {
        Value::Table(t) => Ok(Some(t)),
        _ => Ok(None),
    }
}

/// The stream of `v` if it is a file handle (PUC's `luaL_testudata`).
fn test_file(st: &mut State, v: Value) -> LResult<Option<Rc<RefCell<Stream>>>> {
    let u = match v {
        Value::Userdata(u) => u,
        _ => return Ok(None),
    };
    let same_mt = match (u.metatable(), file_metatable(st)?) {
        (Some(a), Some(b)) => a.ptr_eq(b),
        _ => false,
    };
    if !same_mt {
        return Ok(None);
    }
    Ok(u.with_payload(|p: &LStream| Rc::clone(&p.0)))
}

/// Argument `n` as a file handle, open or closed (PUC's `tolstream`).
fn check_file(st: &mut State, n: usize) -> LResult<Rc<RefCell<Stream>>> {
    let v = st.arg(n);
    match test_file(st, v)? {
        Some(s) => Ok(s),
        None => Err(st.arg_type_error(n, FILEHANDLE)),
    }
}

/// The first argument as an open file handle (PUC's `tofile`).
fn to_file(st: &mut State) -> LResult<Rc<RefCell<Stream>>> {
    let s = check_file(st, 1)?;
    if is_closed(&s) {
        return Err(st.error_msg("attempt to use a closed file"));
    }
    Ok(s)
}

fn is_closed(s: &Rc<RefCell<Stream>>) -> bool {
    s.try_borrow().map(|s| s.is_closed()).unwrap_or(false)
}

/// Runs `f` on the stream; a stream already in use (which only a
/// re-entrant call could cause) is reported as an error.
fn with_stream<R>(st: &mut State, s: &Rc<RefCell<Stream>>, f: impl FnOnce(&mut Stream) -> R) -> LResult<R> {
    match s.try_borrow_mut() {
        Ok(mut g) => Ok(f(&mut g)),
        Err(_) => Err(st.error_msg("file is in use")),
    }
}

/// The default input or output file (PUC's `getiofile`).
fn get_io_file(st: &mut State, k: Key) -> LResult<(Value, Rc<RefCell<Stream>>)> {
    let v = reg_get(st, k)?;
    match test_file(st, v)? {
        Some(s) if !is_closed(&s) => Ok((v, s)),
        _ => {
            let which = k.name().trim_start_matches("_IO_");
            Err(st.error_msg(&format!("default {which} file is closed")))
        }
    }
}

// ----------------------------------------------------------------------
// Results.

/// `errno` and `strerror` text of an error.
fn errno_of(e: &io::Error) -> (i64, String) {
    match e.raw_os_error() {
        Some(code) => (code as i64, super::os_error_text(e)),
        None => (0, "(no extra info)".to_string()),
    }
}

/// Pushes `nil, "[fname: ]message", errno` (PUC's failing
/// `luaL_fileresult`).
fn push_error(st: &mut State, e: &io::Error, fname: Option<&[u8]>) -> LResult<usize> {
    let (code, text) = errno_of(e);
    let mut msg = Vec::new();
    if let Some(f) = fname {
        msg.extend_from_slice(f);
        msg.extend_from_slice(b": ");
    }
    msg.extend_from_slice(text.as_bytes());
    st.push(Value::Nil);
    let m = st.str_value(msg)?;
    st.push(m);
    st.push(Value::Int(code));
    Ok(3)
}

/// Pushes `true` or the error triple (PUC's `luaL_fileresult`).
fn push_result(st: &mut State, r: io::Result<()>) -> LResult<usize> {
    match r {
        Ok(()) => {
            st.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => push_error(st, &e, None),
    }
}

/// Pushes what `close` returns (PUC's `aux_close`).
fn push_close_result(st: &mut State, r: CloseResult) -> LResult<usize> {
    match r {
        CloseResult::Done(r) => push_result(st, r),
        CloseResult::Refused => {
            st.push(Value::Nil);
            let m = st.str_value("cannot close standard file")?;
            st.push(m);
            Ok(2)
        }
        CloseResult::Status(Err(e)) => push_error(st, &e, None),
        CloseResult::Status(Ok(status)) => push_exec_result(st, status),
    }
}

/// Pushes `true|nil, "exit"|"signal", code` for a child's termination
/// (PUC's `luaL_execresult`).
pub fn push_exec_result(st: &mut State, status: std::process::ExitStatus) -> LResult<usize> {
    let (what, code) = match status.code() {
        Some(c) => ("exit", c as i64),
        None => ("signal", exit_signal(&status)),
    };
    if what == "exit" && code == 0 {
        st.push(Value::Bool(true));
    } else {
        st.push(Value::Nil);
    }
    let w = st.str_value(what)?;
    st.push(w);
    st.push(Value::Int(code));
    Ok(3)
}

#[cfg(unix)]
fn exit_signal(status: &std::process::ExitStatus) -> i64 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0) as i64
}

#[cfg(not(unix))]
fn exit_signal(_status: &std::process::ExitStatus) -> i64 {
    0
}

// ----------------------------------------------------------------------
// Opening files.

/// Whether `mode` matches `[rwa]%+?b*` (PUC's `l_checkmode`).
fn check_mode(mode: &[u8]) -> bool {
    let rest = match mode.split_first() {
        Some((c, rest)) if b"rwa".contains(c) => rest,
        _ => return false,
    };
    let rest = rest.strip_prefix(b"+").unwrap_or(rest);
    rest.iter().all(|&c| c == b'b')
}

/// Opens a file as `fopen(name, mode)` does (the mode already checked).
fn open_file(name: &[u8], mode: &[u8]) -> io::Result<Stream> {
    let plus = mode.get(1) == Some(&b'+');
    let mut o = std::fs::OpenOptions::new();
    let kind = mode.first().copied().unwrap_or(b'r');
    match kind {
        b'r' => {
            o.read(true).write(plus);
        }
        b'w' => {
            o.write(true).create(true).truncate(true).read(plus);
        }
        _ => {
            o.append(true).create(true).read(plus);
        }
    }
    let f = o.open(super::bytes_to_path(name))?;
    Ok(Stream::file(f, kind == b'r' || plus, kind != b'r' || plus))
}

/// Opens a file for `io.lines`/`io.input`/`io.output`, raising an error on
/// failure (PUC's `opencheck`).
fn open_check(st: &mut State, name: &[u8], mode: &[u8]) -> LResult<Value> {
    match open_file(name, mode) {
        Ok(s) => new_file(st, s),
        Err(e) => {
            let (_, text) = errno_of(&e);
            let n = String::from_utf8_lossy(name).into_owned();
            Err(st.error_msg(&format!("cannot open file '{n}' ({text})")))
        }
    }
}

fn io_open(st: &mut State) -> LResult<usize> {
    let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let mode = match st.opt_str(2)? {
        Some(m) => c_str(m.as_bytes()).to_vec(),
        None => b"r".to_vec(),
    };
    if !check_mode(&mode) {
        return Err(st.arg_error(2, "invalid mode"));
    }
    match open_file(&name, &mode) {
        Ok(s) => {
            let f = new_file(st, s)?;
            st.push(f);
            Ok(1)
        }
        Err(e) => push_error(st, &e, Some(&name)),
    }
}

fn io_popen(st: &mut State) -> LResult<usize> {
    let cmd = c_str(st.check_str(1)?.as_bytes()).to_vec();
    let mode = match st.opt_str(2)? {
        Some(m) => m.as_bytes().to_vec(),
        None => b"r".to_vec(),
    };
    if mode != b"r" && mode != b"w" {
        return Err(st.arg_error(2, "invalid mode"));
    }
    flush_all(st);
    match spawn(&cmd, mode == b"r") {
        Ok(s) => {
            let f = new_file(st, s)?;
            st.push(f);
            Ok(1)
        }
        Err(e) => push_error(st, &e, Some(&cmd)),
    }
}

/// Starts `sh -c cmd` with a pipe to its standard output (`read`) or
/// standard input.
fn spawn(cmd: &[u8], read: bool) -> io::Result<Stream> {
    use std::process::Stdio;
    let mut c = super::shell_command(cmd);
    if read {
        c.stdout(Stdio::piped());
        let mut child = c.spawn()?;
        match child.stdout.take() {
            Some(out) => Ok(Stream::pipe_in(child, out)),
            None => Err(io::Error::from_raw_os_error(32)),
        }
    } else {
        c.stdin(Stdio::piped());
        let mut child = c.spawn()?;
        match child.stdin.take() {
            Some(inp) => Ok(Stream::pipe_out(child, inp)),
            None => Err(io::Error::from_raw_os_error(32)),
        }
    }
}

fn io_tmpfile(st: &mut State) -> LResult<usize> {
    match tmpfile() {
        Ok(f) => {
            let f = new_file(st, Stream::file(f, true, true))?;
            st.push(f);
            Ok(1)
        }
        Err(e) => push_error(st, &e, None),
    }
}

/// Creates an anonymous temporary file in /tmp, opened for reading and
/// writing and removed at once (C's `tmpfile`).
fn tmpfile() -> io::Result<std::fs::File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64 ^ d.as_secs())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tag = nanos ^ (n << 32) ^ ((std::process::id() as u64) << 16);
        let path = std::path::PathBuf::from(format!("/tmp/tmpf{tag:x}"));
        let mut o = std::fs::OpenOptions::new();
        o.read(true).write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        match o.open(&path) {
            Ok(f) => {
                let _ = std::fs::remove_file(&path);
                return Ok(f);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from_raw_os_error(17)))
}

// ----------------------------------------------------------------------
// Closing and inspecting.

/// Closes the file handle at argument 1 (PUC's `aux_close`).
fn aux_close(st: &mut State) -> LResult<usize> {
    let s = check_file(st, 1)?;
    let r = with_stream(st, &s, |s| s.close())?;
    push_close_result(st, r)
}

fn f_close(st: &mut State) -> LResult<usize> {
    to_file(st)?;
    aux_close(st)
}

fn io_close(st: &mut State) -> LResult<usize> {
    if st.nargs() == 0 {
        let out = reg_get(st, Key::Output)?;
        st.push(out);
    }
    f_close(st)
}

fn f_gc(st: &mut State) -> LResult<usize> {
    let s = check_file(st, 1)?;
    if !is_closed(&s) {
        aux_close(st)?;
    }
    Ok(0)
}

fn f_tostring(st: &mut State) -> LResult<usize> {
    let s = check_file(st, 1)?;
    let text = if is_closed(&s) { "file (closed)".to_string() } else { format!("file ({:p})", Rc::as_ptr(&s)) };
    let v = st.str_value(text)?;
    st.push(v);
    Ok(1)
}

fn io_type(st: &mut State) -> LResult<usize> {
    let v = st.check_any(1)?;
    let r = match test_file(st, v)? {
        None => Value::Nil,
        Some(s) if is_closed(&s) => st.str_value("closed file")?,
        Some(_) => st.str_value("file")?,
    };
    st.push(r);
    Ok(1)
}

// ----------------------------------------------------------------------
// Default files.

/// `io.input`/`io.output` (PUC's `g_iofile`).
fn g_iofile(st: &mut State, k: Key, mode: &[u8]) -> LResult<usize> {
    match st.arg(1) {
        Value::Nil => {}
        Value::Str(_) | Value::Int(_) | Value::Float(_) => {
            let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
            let f = open_check(st, &name, mode)?;
            st.push(f);
            reg_set(st, k, f)?;
        }
        v => {
            to_file(st)?;
            reg_set(st, k, v)?;
        }
    }
    let cur = reg_get(st, k)?;
    st.push(cur);
    Ok(1)
}

fn io_input(st: &mut State) -> LResult<usize> {
    g_iofile(st, Key::Input, b"r")
}

fn io_output(st: &mut State) -> LResult<usize> {
    g_iofile(st, Key::Output, b"w")
}

fn io_flush(st: &mut State) -> LResult<usize> {
    let (_, s) = get_io_file(st, Key::Output)?;
    let r = with_stream(st, &s, |s| s.flush())?;
    push_result(st, r)
}

fn f_flush(st: &mut State) -> LResult<usize> {
    let s = to_file(st)?;
    let r = with_stream(st, &s, |s| s.flush())?;
    push_result(st, r)
}

fn f_seek(st: &mut State) -> LResult<usize> {
    let s = to_file(st)?;
    let op = st.check_option(2, Some("cur"), &["set", "cur", "end"])?;
    let offset = st.opt_integer(3, 0)?;
    let whence = match op {
        0 => Whence::Set,
        1 => Whence::Cur,
        _ => Whence::End,
    };
    match with_stream(st, &s, |s| s.seek(whence, offset))? {
        Ok(pos) => {
            st.push(Value::Int(pos as i64));
            Ok(1)
        }
        Err(e) => push_error(st, &e, None),
    }
}

fn f_setvbuf(st: &mut State) -> LResult<usize> {
    let s = to_file(st)?;
    let op = st.check_option(2, None, &["no", "full", "line"])?;
    let size = st.opt_integer(3, LUAL_BUFFERSIZE)?;
    let mode = match op {
        0 => BufMode::No,
        1 => BufMode::Full,
        _ => BufMode::Line,
    };
    let size = usize::try_from(size).unwrap_or(0).min(1 << 20);
    let r = with_stream(st, &s, |s| s.set_buffering(mode, size))?;
    push_result(st, r)
}

// ----------------------------------------------------------------------
// Lines.

/// Pushes the iterator of `lines` over the file at argument 1, with the
/// formats after it (PUC's `aux_lines`).
fn aux_lines(st: &mut State, toclose: bool) -> LResult<()> {
    let n = st.nargs().saturating_sub(1);
    if n > MAX_ARG_LINE {
        return Err(st.arg_error(MAX_ARG_LINE + 2, "too many arguments"));
    }
    let mut ups = Vec::with_capacity(n + 3);
    ups.push(st.arg(1));
    ups.push(Value::Int(n as i64));
    ups.push(Value::Bool(toclose));
    for i in 2..=n + 1 {
        ups.push(st.arg(i));
    }
    let f = st.new_native_closure(NativeFn::Ptr(io_readline), &ups)?;
    st.push(f);
    Ok(())
}

fn f_lines(st: &mut State) -> LResult<usize> {
    to_file(st)?;
    aux_lines(st, false)?;
    Ok(1)
}

fn io_lines(st: &mut State) -> LResult<usize> {
    if st.nargs() == 0 {
        st.push(Value::Nil);
    }
    let toclose = if st.arg(1).is_nil() {
        let input = reg_get(st, Key::Input)?;
        st.set_arg(1, input);
        to_file(st)?;
        false
    } else {
        let name = c_str(st.check_str(1)?.as_bytes()).to_vec();
        let f = open_check(st, &name, b"r")?;
        st.set_arg(1, f);
        true
    };
    aux_lines(st, toclose)?;
    if toclose {
        let f = st.arg(1);
        st.push(Value::Nil);
        st.push(Value::Nil);
        st.push(f);
        Ok(4)
    } else {
        Ok(1)
    }
}

/// The iterator of `lines` (PUC's `io_readline`).
fn io_readline(st: &mut State) -> LResult<usize> {
    let file = st.upvalue(1);
    let s = match test_file(st, file)? {
        Some(s) => s,
        None => return Err(st.error_msg("file is already closed")),
    };
    let n = match st.upvalue(2) {
        Value::Int(i) => usize::try_from(i).unwrap_or(0),
        _ => 0,
    };
    if is_closed(&s) {
        return Err(st.error_msg("file is already closed"));
    }
    let base = st.frame_base();
    st.set_top(base + 2);
    st.check_stack(n)?;
    for i in 1..=n {
        let v = st.upvalue(3 + i);
        st.push(v);
    }
    let nres = g_read(st, &s, 2, n)?;
    let top = st.top();
    if !st.stack_get(top - nres).is_falsy() {
        return Ok(nres);
    }
    if nres > 1 {
        let msg = match st.stack_get(top - nres + 1) {
            Value::Str(m) => m.to_str_lossy().into_owned(),
            _ => String::new(),
        };
        return Err(st.error_msg(&msg));
    }
    if !st.upvalue(3).is_falsy() {
        st.set_top(base + 1);
        st.push(file);
        let r = with_stream(st, &s, |s| s.close())?;
        push_close_result(st, r)?;
    }
    Ok(0)
}

// ----------------------------------------------------------------------
// Reading.

/// One read format.
enum Format {
    Count(usize),
    Number,
    Line(bool),
    All,
}

/// Reads with the `nformats` formats at arguments `first...` (none: one
/// line), pushing one result per format up to the first failure, which
/// gives nil; a device error gives the error triple instead (PUC's
/// `g_read`).
fn g_read(st: &mut State, s: &Rc<RefCell<Stream>>, first: usize, nformats: usize) -> LResult<usize> {
    with_stream(st, s, |s| s.clear_eof())?;
    if nformats == 0 {
        let room = st.heap.room();
        let r = with_stream(st, s, |s| s.read_with(room, |rd| rd.read_line(true)))?;
        return match r {
            Ok((line, ok)) => {
                push_read(st, Some(line), ok)?;
                Ok(1)
            }
            Err(e) => read_error(st, &e),
        };
    }
    st.check_stack(nformats + 20)?;
    let mut count = 0;
    for i in first..first + nformats {
        let fmt = read_format(st, i)?;
        count += 1;
        let room = st.heap.room();
        let r = with_stream(st, s, |s| {
            s.read_with(room, |rd| match fmt {
                Format::Count(0) => (Vec::new(), rd.test_eof(), false),
                Format::Count(n) => {
                    let (b, ok) = rd.read_chars(n);
                    (b, ok, false)
                }
                Format::Line(chop) => {
                    let (b, ok) = rd.read_line(chop);
                    (b, ok, false)
                }
                Format::All => (rd.read_all(), true, false),
                Format::Number => match rd.read_numeral() {
                    Some(b) => (b, true, true),
                    None => (Vec::new(), false, true),
                },
            })
        })?;
        let ok = match r {
            Err(e) => return read_error(st, &e),
            Ok((bytes, ok, false)) => push_read(st, Some(bytes), ok)?,
            Ok((bytes, ok, true)) => {
                let n = if ok { crate::number::str_to_number(&bytes) } else { None };
                match n {
                    Some(crate::number::Numeral::Int(i)) => st.push(Value::Int(i)),
                    Some(crate::number::Numeral::Float(f)) => st.push(Value::Float(f)),
                    None => st.push(Value::Nil),
                }
                n.is_some()
            }
        };
        if !ok {
            break;
        }
    }
    Ok(count)
}

/// A read that failed: the error triple, or "not enough memory" raised when
/// the result would not fit under the memory limit.
fn read_error(st: &mut State, e: &io::Error) -> LResult<usize> {
    if e.kind() == io::ErrorKind::OutOfMemory {
        return Err(st.mem_throw());
    }
    push_error(st, e, None)
}

/// Pushes a read result: the string, or nil when the read failed.
fn push_read(st: &mut State, bytes: Option<Vec<u8>>, ok: bool) -> LResult<bool> {
    match bytes {
        Some(b) if ok => {
            let v = st.str_value(b)?;
            st.push(v);
            Ok(true)
        }
        _ => {
            st.push(Value::Nil);
            Ok(false)
        }
    }
}

/// Decodes the read format at argument `i`.
fn read_format(st: &mut State, i: usize) -> LResult<Format> {
    match st.arg(i) {
        Value::Int(_) | Value::Float(_) => {
            let n = st.check_integer(i)? as u64;
            if n >= MAX_READ {
                let m = st.str_value("not enough memory")?;
                return Err(st.throw_value(m));
            }
            Ok(Format::Count(n as usize))
        }
        _ => {
            let f = st.check_str(i)?;
            let b = f.as_bytes();
            let p = b.strip_prefix(b"*").unwrap_or(b);
            match p.first() {
                Some(b'n') => Ok(Format::Number),
                Some(b'l') => Ok(Format::Line(true)),
                Some(b'L') => Ok(Format::Line(false)),
                Some(b'a') => Ok(Format::All),
                _ => Err(st.arg_error(i, "invalid format")),
            }
        }
    }
}

fn io_read(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    let (_, s) = get_io_file(st, Key::Input)?;
    g_read(st, &s, 1, n)
}

fn f_read(st: &mut State) -> LResult<usize> {
    let s = to_file(st)?;
    let n = st.nargs() - 1;
    g_read(st, &s, 2, n)
}

// ----------------------------------------------------------------------
// Writing.

/// Writes arguments `first..=nargs` (numbers as `%d`/`%.14g`); returns the
/// file `f` or the error triple (PUC's `g_write`).
fn g_write(st: &mut State, s: &Rc<RefCell<Stream>>, f: Value, first: usize) -> LResult<usize> {
    let nargs = st.nargs();
    let mut err: Option<io::Error> = None;
    let mut num = Vec::new();
    for i in first..=nargs {
        let text = match st.arg(i) {
            Value::Int(n) => {
                num.clear();
                crate::fmt::fmt_int(n, &mut num);
                None
            }
            Value::Float(x) => {
                num.clear();
                fmt_number(x, &mut num);
                None
            }
            _ => Some(st.check_str(i)?),
        };
        if err.is_none() {
            let bytes = match &text {
                Some(t) => t.as_bytes(),
                None => num.as_slice(),
            };
            if let Err(e) = with_stream(st, s, |s| s.write(bytes))? {
                err = Some(e);
            }
        }
    }
    match err {
        None => {
            st.push(f);
            Ok(1)
        }
        Some(e) => push_error(st, &e, None),
    }
}

/// A float as C's `%.14g` writes it (`LUA_NUMBER_FMT`).
fn fmt_number(x: f64, out: &mut Vec<u8>) {
    match crate::fmt::parse_spec(b".14g") {
        Ok((spec, _)) => crate::fmt::format_float(&spec, x, out),
        Err(_) => out.extend_from_slice(x.to_string().as_bytes()),
    }
}

fn io_write(st: &mut State) -> LResult<usize> {
    let (f, s) = get_io_file(st, Key::Output)?;
    g_write(st, &s, f, 1)
}

fn f_write(st: &mut State) -> LResult<usize> {
    let s = to_file(st)?;
    let f = st.arg(1);
    g_write(st, &s, f, 2)
}
