//! The buffered streams behind the `io` library's file handles: C stdio's
//! `FILE` rebuilt on `std`. A `Stream` is a regular file, one of the
//! process's standard streams, or a pipe to a child process (`io.popen`),
//! with C's buffering policies (`setvbuf`: none, full, line), a read
//! buffer with one byte of look-ahead (what `ungetc` gives PUC's readers),
//! a sticky end-of-file flag as glibc keeps it, and the file position kept
//! right when switching between reading and writing.
//!
//! Standard output and standard error are process-wide, as C's are: their
//! write buffers live in statics shared by every Lua state (and by `print`),
//! and standard input is read through `std::io::stdin()`'s own buffer, so
//! that `io.read` and the interpreter's readers see the same bytes.

use std::fs::File;
use std::io::{self, BufRead, IsTerminal, Read, Seek, SeekFrom, Write};
use std::process::{Child, ChildStdin, ChildStdout, ExitStatus};
use std::sync::{Mutex, MutexGuard};

/// `EBADF`: operation on a stream not open for it.
const EBADF: i32 = 9;
/// `EINVAL`: invalid argument (a negative file position).
const EINVAL: i32 = 22;
/// `ESPIPE`: seeking a pipe.
const ESPIPE: i32 = 29;

/// The buffer size used when a stream's device gives none (C's `BUFSIZ`).
const DEFAULT_BUFSIZE: usize = 8192;
/// The size of the read chunks of pipes and files.
const READ_CHUNK: usize = 16384;

/// Buffering policy of an output stream (C's `_IONBF`, `_IOFBF`,
/// `_IOLBF`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufMode {
    No,
    Full,
    Line,
}

/// How a stream is closed (PUC's `closef` field); a closed stream has
/// none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseKind {
    /// A file from `io.open`/`io.tmpfile`/`io.lines`: `fclose`.
    Regular,
    /// A pipe from `io.popen`: `pclose`, which returns the exit status.
    Popen,
    /// A standard stream: closing it fails and leaves it open.
    NoClose,
}

/// What `close` returns: success or an error for regular files, the
/// child's termination status for pipes.
pub enum CloseResult {
    Done(io::Result<()>),
    Status(io::Result<ExitStatus>),
    /// A standard stream was not closed.
    Refused,
}

/// The device behind a stream.
enum Kind {
    File(File),
    Stdin,
    Stdout,
    Stderr,
    /// `io.popen(cmd, "r")`: reads the child's standard output.
    PipeIn(Child, ChildStdout),
    /// `io.popen(cmd, "w")`: writes the child's standard input.
    PipeOut(Child, Option<ChildStdin>),
    /// A closed stream (its device has been released).
    Closed,
}

/// A stream with its buffers.
pub struct Stream {
    kind: Kind,
    /// How to close it; `None` once closed.
    pub closef: Option<CloseKind>,
    readable: bool,
    writable: bool,
    /// Bytes read ahead from the device and not yet consumed.
    rbuf: Vec<u8>,
    rpos: usize,
    /// The write buffer (unused for the standard streams, whose buffers are
    /// process-wide).
    out: OutBuf,
    /// Sticky end of file: set when a read found the end, cleared by
    /// `clear_eof` (C's `clearerr`) and by seeking.
    eof: bool,
}

/// A write buffer with C stdio's policies.
pub struct OutBuf {
    buf: Vec<u8>,
    mode: BufMode,
    size: usize,
}

impl OutBuf {
    const fn new(mode: BufMode, size: usize) -> OutBuf {
        OutBuf { buf: Vec::new(), mode, size }
    }

    /// Buffers `data` for `sink`, writing out what the policy requires.
    fn write_to(&mut self, data: &[u8], sink: &mut dyn Write) -> io::Result<()> {
        match self.mode {
            BufMode::No => {
                self.flush_to(sink)?;
                write_all(sink, data)
            }
            BufMode::Full => self.append(data, sink),
            BufMode::Line => match data.iter().rposition(|&c| c == b'\n') {
                Some(nl) => {
                    let (line, rest) = data.split_at(nl + 1);
                    self.buf.extend_from_slice(line);
                    self.flush_to(sink)?;
                    self.append(rest, sink)
                }
                None => self.append(data, sink),
            },
        }
    }

    /// Appends to the buffer, flushing it first when it would overflow;
    /// data at least as large as the buffer is written directly.
    fn append(&mut self, data: &[u8], sink: &mut dyn Write) -> io::Result<()> {
        let size = self.size.max(1);
        if self.buf.len() + data.len() > size {
            self.flush_to(sink)?;
        }
        if data.len() >= size {
            write_all(sink, data)
        } else {
            self.buf.extend_from_slice(data);
            Ok(())
        }
    }

    /// Writes the buffered bytes to `sink`. After an error the buffered
    /// bytes are dropped (so a broken device does not grow the buffer).
    fn flush_to(&mut self, sink: &mut dyn Write) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let r = write_all(sink, &self.buf);
        self.buf.clear();
        r
    }

    /// Sets the policy (`setvbuf`).
    fn set_mode(&mut self, mode: BufMode, size: usize, sink: &mut dyn Write) -> io::Result<()> {
        if mode == BufMode::No {
            self.flush_to(sink)?;
        }
        self.mode = mode;
        if size > 0 {
            self.size = size;
        }
        Ok(())
    }
}

/// Standard output's buffer: line-buffered on a terminal, fully buffered
/// otherwise (decided at first use).
static STDOUT: Mutex<StdBuf> = Mutex::new(StdBuf { out: OutBuf::new(BufMode::Full, DEFAULT_BUFSIZE), init: false });
/// Standard error's buffer: unbuffered unless `setvbuf` says otherwise.
static STDERR: Mutex<StdBuf> = Mutex::new(StdBuf { out: OutBuf::new(BufMode::No, DEFAULT_BUFSIZE), init: true });

/// A standard stream's process-wide buffer.
struct StdBuf {
    out: OutBuf,
    init: bool,
}

/// Which standard output stream.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Std {
    Out,
    Err,
}

/// Locks a standard stream's buffer (a poisoned lock is still usable: the
/// buffer is plain bytes).
fn lock_std(which: Std) -> MutexGuard<'static, StdBuf> {
    let m = match which {
        Std::Out => &STDOUT,
        Std::Err => &STDERR,
    };
    let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
    if !g.init {
        g.init = true;
        if io::stdout().is_terminal() {
            g.out.mode = BufMode::Line;
            g.out.size = 1024;
        } else if let Ok(f) = dup_std(&Kind::Stdout) {
            g.out.size = block_size(&f);
        }
    }
    g
}

/// Runs `f` with the standard stream's buffer and the process's stream;
/// the process stream is flushed afterwards so that bytes leaving the
/// buffer reach the file descriptor.
fn with_std<R>(which: Std, f: impl FnOnce(&mut OutBuf, &mut dyn Write) -> io::Result<R>) -> io::Result<R> {
    let mut g = lock_std(which);
    match which {
        Std::Out => {
            let mut sink = io::stdout().lock();
            let r = f(&mut g.out, &mut sink);
            let fl = sink.flush();
            r.and_then(|v| fl.map(|_| v))
        }
        Std::Err => {
            let mut sink = io::stderr().lock();
            let r = f(&mut g.out, &mut sink);
            let fl = sink.flush();
            r.and_then(|v| fl.map(|_| v))
        }
    }
}

/// Writes to the process's standard output through the shared buffer.
pub fn stdout_write(data: &[u8]) -> io::Result<()> {
    with_std(Std::Out, |b, s| b.write_to(data, s))
}

/// Flushes the process's standard output and standard error buffers.
pub fn stdout_flush() -> io::Result<()> {
    let r = with_std(Std::Out, |b, s| b.flush_to(s));
    let e = with_std(Std::Err, |b, s| b.flush_to(s));
    r.and(e)
}

/// Flushes standard output if it is line-buffered (before reading from
/// standard input, as C stdio does for interactive streams).
fn flush_stdout_if_line() {
    let line = lock_std(Std::Out).out.mode == BufMode::Line;
    if line {
        let _ = with_std(Std::Out, |b, s| b.flush_to(s));
    }
}

/// An error with an `errno` value.
fn os_err(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}

/// Writes all of `data`, retrying interrupted writes.
fn write_all(sink: &mut dyn Write, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        match sink.write(data) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => data = data.get(n..).unwrap_or(&[]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The buffer size C stdio would choose for a file (`st_blksize`).
fn block_size(f: &File) -> usize {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = f.metadata() {
            let b = m.blksize() as usize;
            if b > 0 {
                return b;
            }
        }
    }
    let _ = f;
    DEFAULT_BUFSIZE
}

/// A duplicate of a standard stream's file descriptor, to seek it.
fn dup_std(kind: &Kind) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let owned = match kind {
            Kind::Stdin => io::stdin().as_fd().try_clone_to_owned()?,
            Kind::Stdout => io::stdout().as_fd().try_clone_to_owned()?,
            _ => io::stderr().as_fd().try_clone_to_owned()?,
        };
        Ok(File::from(owned))
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        Err(os_err(ESPIPE))
    }
}

/// Where `seek` goes.
#[derive(Clone, Copy)]
pub enum Whence {
    Set,
    Cur,
    End,
}

impl Stream {
    fn with_kind(kind: Kind, closef: CloseKind, readable: bool, writable: bool, out: OutBuf) -> Stream {
        Stream { kind, closef: Some(closef), readable, writable, rbuf: Vec::new(), rpos: 0, out, eof: false }
    }

    /// A stream over an open file, with the access `fopen`'s mode gave.
    pub fn file(f: File, readable: bool, writable: bool) -> Stream {
        let mode = if f.is_terminal() { BufMode::Line } else { BufMode::Full };
        let size = block_size(&f);
        Stream::with_kind(Kind::File(f), CloseKind::Regular, readable, writable, OutBuf::new(mode, size))
    }

    /// The standard input stream.
    pub fn stdin() -> Stream {
        Stream::with_kind(Kind::Stdin, CloseKind::NoClose, true, false, OutBuf::new(BufMode::Full, 0))
    }

    /// The standard output stream.
    pub fn stdout() -> Stream {
        Stream::with_kind(Kind::Stdout, CloseKind::NoClose, false, true, OutBuf::new(BufMode::Full, 0))
    }

    /// The standard error stream.
    pub fn stderr() -> Stream {
        Stream::with_kind(Kind::Stderr, CloseKind::NoClose, false, true, OutBuf::new(BufMode::No, 0))
    }

    /// A stream reading a child's standard output.
    pub fn pipe_in(child: Child, out: ChildStdout) -> Stream {
        Stream::with_kind(Kind::PipeIn(child, out), CloseKind::Popen, true, false, OutBuf::new(BufMode::Full, 4096))
    }

    /// A stream writing a child's standard input.
    pub fn pipe_out(child: Child, inp: ChildStdin) -> Stream {
        let out = OutBuf::new(BufMode::Full, 4096);
        Stream::with_kind(Kind::PipeOut(child, Some(inp)), CloseKind::Popen, false, true, out)
    }

    /// Whether the stream is closed.
    pub fn is_closed(&self) -> bool {
        self.closef.is_none()
    }

    /// Clears the end-of-file flag (C's `clearerr`).
    pub fn clear_eof(&mut self) {
        self.eof = false;
    }

    /// Writes bytes through the stream's buffer.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        if !self.writable {
            return Err(os_err(EBADF));
        }
        self.drop_read_ahead();
        match &mut self.kind {
            Kind::File(f) => self.out.write_to(data, f),
            Kind::PipeOut(_, Some(inp)) => self.out.write_to(data, inp),
            Kind::Stdout => with_std(Std::Out, |b, s| b.write_to(data, s)),
            Kind::Stderr => with_std(Std::Err, |b, s| b.write_to(data, s)),
            _ => Err(os_err(EBADF)),
        }
    }

    /// Writes out the stream's buffer (C's `fflush`).
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.kind {
            Kind::File(f) => self.out.flush_to(f),
            Kind::PipeOut(_, Some(inp)) => self.out.flush_to(inp),
            Kind::Stdout => with_std(Std::Out, |b, s| b.flush_to(s)),
            Kind::Stderr => with_std(Std::Err, |b, s| b.flush_to(s)),
            _ => Ok(()),
        }
    }

    /// Sets the buffering policy (C's `setvbuf`). As glibc does when it
    /// allocates the buffer itself, the size only matters for "full" and
    /// "line" buffers.
    pub fn set_buffering(&mut self, mode: BufMode, size: usize) -> io::Result<()> {
        match &mut self.kind {
            Kind::File(f) => self.out.set_mode(mode, size, f),
            Kind::PipeOut(_, Some(inp)) => self.out.set_mode(mode, size, inp),
            Kind::Stdout => with_std(Std::Out, |b, s| b.set_mode(mode, size, s)),
            Kind::Stderr => with_std(Std::Err, |b, s| b.set_mode(mode, size, s)),
            _ => {
                self.out.mode = mode;
                Ok(())
            }
        }
    }

    /// Moves the file position and returns the new one (C's `fseek`
    /// followed by `ftell`).
    pub fn seek(&mut self, whence: Whence, offset: i64) -> io::Result<u64> {
        self.flush()?;
        match &mut self.kind {
            Kind::File(f) => {
                let unread = (self.rbuf.len() - self.rpos.min(self.rbuf.len())) as i64;
                if unread > 0 {
                    f.seek(SeekFrom::Current(-unread))?;
                    self.rbuf.clear();
                    self.rpos = 0;
                }
                let pos = seek_file(f, whence, offset)?;
                self.eof = false;
                Ok(pos)
            }
            Kind::Stdin => {
                let mut f = dup_std(&self.kind)?;
                f.stream_position()?;
                let mut lock = io::stdin().lock();
                let buffered = lock.fill_buf().map(|b| b.len()).unwrap_or(0);
                let physical = f.stream_position()?;
                let logical = physical.saturating_sub(buffered as u64);
                let pos = match whence {
                    Whence::Cur => seek_file(&mut f, Whence::Set, (logical as i64).saturating_add(offset))?,
                    _ => seek_file(&mut f, whence, offset)?,
                };
                lock.consume(buffered);
                self.eof = false;
                Ok(pos)
            }
            Kind::Stdout | Kind::Stderr => {
                let mut f = dup_std(&self.kind)?;
                seek_file(&mut f, whence, offset)
            }
            Kind::Closed => Err(os_err(EBADF)),
            _ => Err(os_err(ESPIPE)),
        }
    }

    /// Closes the stream, releasing its device.
    pub fn close(&mut self) -> CloseResult {
        let how = match self.closef {
            Some(h) => h,
            None => return CloseResult::Done(Err(os_err(EBADF))),
        };
        if how == CloseKind::NoClose {
            return CloseResult::Refused;
        }
        let flushed = self.flush();
        self.closef = None;
        self.rbuf = Vec::new();
        self.rpos = 0;
        match std::mem::replace(&mut self.kind, Kind::Closed) {
            Kind::PipeIn(mut child, out) => {
                drop(out);
                CloseResult::Status(wait_child(&mut child))
            }
            Kind::PipeOut(mut child, inp) => {
                drop(inp);
                CloseResult::Status(wait_child(&mut child))
            }
            Kind::File(f) => {
                drop(f);
                CloseResult::Done(flushed)
            }
            _ => CloseResult::Done(flushed),
        }
    }

    /// Runs `f` with a reader over the stream (after writing out pending
    /// output, as switching from writing to reading requires). A result
    /// that would take more than `room` bytes (what is left under the
    /// state's memory limit), or that cannot be allocated, ends the read
    /// with an error of kind `OutOfMemory`.
    pub fn read_with<R>(&mut self, room: usize, f: impl FnOnce(&mut Reader<'_>) -> R) -> Result<R, io::Error> {
        if !self.readable {
            return Err(os_err(EBADF));
        }
        if !self.out.buf.is_empty() {
            self.flush()?;
        }
        let Stream { kind, rbuf, rpos, eof, .. } = self;
        let (r, err) = match kind {
            Kind::File(file) => {
                let mut src = Filler { inner: file, buf: rbuf, pos: rpos };
                let mut rd = Reader { src: &mut src, eof, error: None, room };
                let r = f(&mut rd);
                (r, rd.error)
            }
            Kind::PipeIn(_, out) => {
                let mut src = Filler { inner: out, buf: rbuf, pos: rpos };
                let mut rd = Reader { src: &mut src, eof, error: None, room };
                let r = f(&mut rd);
                (r, rd.error)
            }
            Kind::Stdin => {
                flush_stdout_if_line();
                let mut lock = io::stdin().lock();
                let mut rd = Reader { src: &mut lock, eof, error: None, room };
                let r = f(&mut rd);
                (r, rd.error)
            }
            _ => return Err(os_err(EBADF)),
        };
        match err {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }

    /// Gives back the bytes read ahead of the logical position, before
    /// writing, so that the write lands where the reader stopped.
    fn drop_read_ahead(&mut self) {
        let unread = self.rbuf.len().saturating_sub(self.rpos);
        if unread > 0 {
            if let Kind::File(f) = &mut self.kind {
                let _ = f.seek(SeekFrom::Current(-(unread as i64)));
            }
        }
        self.rbuf.clear();
        self.rpos = 0;
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // A stream dropped without being closed still writes out its data.
        if matches!(self.kind, Kind::File(_) | Kind::PipeOut(..)) {
            let _ = self.flush();
        }
    }
}

/// Seeks a file as `fseek` does (a negative absolute position is
/// `EINVAL`).
fn seek_file(f: &mut File, whence: Whence, offset: i64) -> io::Result<u64> {
    match whence {
        Whence::Set => {
            if offset < 0 {
                return Err(os_err(EINVAL));
            }
            f.seek(SeekFrom::Start(offset as u64))
        }
        Whence::Cur => f.seek(SeekFrom::Current(offset)),
        Whence::End => f.seek(SeekFrom::End(offset)),
    }
}

/// Waits for a child, retrying interrupted waits.
fn wait_child(child: &mut Child) -> io::Result<ExitStatus> {
    loop {
        match child.wait() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// A buffered reader over a device, using the stream's read buffer.
struct Filler<'a> {
    inner: &'a mut dyn Read,
    buf: &'a mut Vec<u8>,
    pos: &'a mut usize,
}

impl Read for Filler<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Filler<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if *self.pos >= self.buf.len() {
            self.buf.resize(READ_CHUNK, 0);
            *self.pos = 0;
            loop {
                match self.inner.read(self.buf.as_mut_slice()) {
                    Ok(n) => {
                        self.buf.truncate(n);
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.buf.clear();
                        return Err(e);
                    }
                }
            }
        }
        Ok(self.buf.get(*self.pos..).unwrap_or(&[]))
    }

    fn consume(&mut self, n: usize) {
        *self.pos = (*self.pos + n).min(self.buf.len());
    }
}

/// Reads from a stream with C's semantics: a sticky end of file, one byte
/// of look-ahead, and the first device error remembered (later reads then
/// see the end of file, as C's readers do after `getc` fails).
pub struct Reader<'a> {
    src: &'a mut dyn BufRead,
    eof: &'a mut bool,
    error: Option<io::Error>,
    /// Bytes a result may take.
    room: usize,
}

/// Longest numeral `read_number` accepts (PUC's `L_MAXLENNUM`).
const MAX_NUMERAL: usize = 200;

impl Reader<'_> {
    /// The bytes available now, or `None` at the end of the file (or after
    /// an error).
    fn chunk(&mut self) -> Option<&[u8]> {
        if *self.eof || self.error.is_some() {
            return None;
        }
        loop {
            match self.src.fill_buf() {
                Ok([]) => {
                    *self.eof = true;
                    return None;
                }
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            }
        }
        self.src.fill_buf().ok()
    }

    /// The next byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.chunk().and_then(|b| b.first().copied())
    }

    /// Consumes `n` bytes of the current chunk.
    fn consume(&mut self, n: usize) {
        self.src.consume(n);
    }

    /// Makes room in `out` for `n` more bytes, within the reader's room;
    /// on failure the read ends with an `OutOfMemory` error.
    fn reserve(&mut self, out: &mut Vec<u8>, n: usize) -> bool {
        let Some(need) = out.len().checked_add(n).filter(|&t| t <= self.room) else {
            self.error = Some(io::Error::from(io::ErrorKind::OutOfMemory));
            return false;
        };
        if need <= out.capacity() {
            return true;
        }
        // Doubling, as a growing buffer does, but never past the room.
        let cap = need.max(out.capacity().saturating_mul(2)).min(self.room);
        if out.try_reserve_exact(cap - out.len()).is_err() {
            self.error = Some(io::Error::from(io::ErrorKind::OutOfMemory));
            return false;
        }
        true
    }

    /// Whether the end of the file has not been reached (`read(0)`).
    pub fn test_eof(&mut self) -> bool {
        self.peek().is_some()
    }

    /// Reads a line; `chop` drops its newline. Succeeds when it read a
    /// newline or anything else.
    pub fn read_line(&mut self, chop: bool) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        loop {
            let (keep, take, found) = match self.chunk() {
                None => break,
                Some(b) => match b.iter().position(|&c| c == b'\n') {
                    Some(i) => (i, i + 1, true),
                    None => (b.len(), b.len(), false),
                },
            };
            if !self.reserve(&mut out, keep + 1) {
                break;
            }
            if let Some(b) = self.chunk() {
                out.extend_from_slice(b.get(..keep).unwrap_or(&[]));
            }
            self.consume(take);
            if found {
                if !chop {
                    out.push(b'\n');
                }
                return (out, true);
            }
        }
        let ok = !out.is_empty();
        (out, ok)
    }

    /// Reads the rest of the file.
    pub fn read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(n) = self.chunk().map(|b| b.len()) {
            if !self.reserve(&mut out, n) {
                break;
            }
            if let Some(b) = self.chunk() {
                out.extend_from_slice(b);
            }
            self.consume(n);
        }
        out
    }

    /// Reads up to `n` bytes; succeeds when it read any.
    pub fn read_chars(&mut self, n: usize) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        while out.len() < n {
            let want = n - out.len();
            let Some(k) = self.chunk().map(|b| b.len().min(want)) else { break };
            if !self.reserve(&mut out, k) {
                break;
            }
            if let Some(b) = self.chunk() {
                out.extend_from_slice(b.get(..k).unwrap_or(&[]));
            }
            self.consume(k);
        }
        let ok = !out.is_empty();
        (out, ok)
    }

    /// Reads a numeral as PUC's `read_number` does: the longest prefix
    /// that can start a numeral (at most 200 characters), which is then
    /// converted as `lua_stringtonumber` does; the first character that
    /// does not fit is left unread. Returns the numeral's text, or `None`
    /// when it was too long.
    pub fn read_numeral(&mut self) -> Option<Vec<u8>> {
        let mut rn = Numeral { buf: Vec::new(), overflow: false };
        while let Some(c) = self.peek() {
            if crate::number::is_space(c) {
                self.consume(1);
            } else {
                break;
            }
        }
        let mut count = 0;
        let mut hex = false;
        rn.test2(self, b"-+");
        if rn.test2(self, b"00") {
            if rn.test2(self, b"xX") {
                hex = true;
            } else {
                count = 1;
            }
        }
        count += rn.read_digits(self, hex);
        if rn.test2(self, b"..") {
            count += rn.read_digits(self, hex);
        }
        if count > 0 && rn.test2(self, if hex { b"pP" } else { b"eE" }) {
            rn.test2(self, b"-+");
            rn.read_digits(self, false);
        }
        if rn.overflow {
            None
        } else {
            Some(rn.buf)
        }
    }
}

/// The numeral being read by `read_numeral` (PUC's `RN`).
struct Numeral {
    buf: Vec<u8>,
    overflow: bool,
}

impl Numeral {
    /// Accepts the look-ahead byte (PUC's `nextc`); fails when the numeral
    /// is too long, which invalidates it.
    fn next(&mut self, rd: &mut Reader<'_>, c: u8) -> bool {
        if self.buf.len() >= MAX_NUMERAL {
            self.overflow = true;
            return false;
        }
        self.buf.push(c);
        rd.consume(1);
        true
    }

    /// Accepts the look-ahead byte if it is one of the two in `set`.
    fn test2(&mut self, rd: &mut Reader<'_>, set: &[u8; 2]) -> bool {
        match rd.peek() {
            Some(c) if c == set[0] || c == set[1] => self.next(rd, c),
            _ => false,
        }
    }

    /// Accepts a run of (hexadecimal) digits, returning how many.
    fn read_digits(&mut self, rd: &mut Reader<'_>, hex: bool) -> usize {
        let mut count = 0;
        while let Some(c) = rd.peek() {
            let ok = if hex { c.is_ascii_hexdigit() } else { c.is_ascii_digit() };
            if !ok || !self.next(rd, c) {
                break;
            }
            count += 1;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffering_policies() {
        let mut sink: Vec<u8> = Vec::new();
        let mut b = OutBuf::new(BufMode::Line, 64);
        b.write_to(b"abc", &mut sink).ok();
        assert!(sink.is_empty());
        b.write_to(b"d\nef", &mut sink).ok();
        assert_eq!(sink, b"abcd\n");
        b.flush_to(&mut sink).ok();
        assert_eq!(sink, b"abcd\nef");

        let mut sink: Vec<u8> = Vec::new();
        let mut b = OutBuf::new(BufMode::Full, 4);
        b.write_to(b"ab\n", &mut sink).ok();
        assert!(sink.is_empty());
        b.write_to(b"cd", &mut sink).ok();
        assert_eq!(sink, b"ab\n");
        b.write_to(b"long text", &mut sink).ok();
        assert_eq!(sink, b"ab\ncdlong text");

        let mut sink: Vec<u8> = Vec::new();
        let mut b = OutBuf::new(BufMode::No, 4);
        b.write_to(b"x", &mut sink).ok();
        assert_eq!(sink, b"x");
    }

    fn numeral(text: &[u8]) -> (Option<Vec<u8>>, Vec<u8>) {
        let mut src = text;
        let mut eof = false;
        let mut rd = Reader { src: &mut src, eof: &mut eof, error: None, room: usize::MAX };
        let n = rd.read_numeral();
        let rest = rd.read_all();
        (n, rest)
    }

    #[test]
    fn numerals() {
        assert_eq!(numeral(b"  -12.5e+3x"), (Some(b"-12.5e+3".to_vec()), b"x".to_vec()));
        assert_eq!(numeral(b"0x1p4 "), (Some(b"0x1p4".to_vec()), b" ".to_vec()));
        assert_eq!(numeral(b"0xg"), (Some(b"0x".to_vec()), b"g".to_vec()));
        assert_eq!(numeral(b".e1"), (Some(b".".to_vec()), b"e1".to_vec()));
        assert_eq!(numeral(b"+-1"), (Some(b"+".to_vec()), b"-1".to_vec()));
        let long = vec![b'1'; 250];
        let (n, rest) = numeral(&long);
        assert_eq!(n, None);
        assert_eq!(rest.len(), 50);
    }

    #[test]
    fn lines_and_counts() {
        let mut src: &[u8] = b"one\ntwo";
        let mut eof = false;
        let mut rd = Reader { src: &mut src, eof: &mut eof, error: None, room: usize::MAX };
        assert_eq!(rd.read_line(false), (b"one\n".to_vec(), true));
        assert_eq!(rd.read_chars(2), (b"tw".to_vec(), true));
        assert!(rd.test_eof());
        assert_eq!(rd.read_line(true), (b"o".to_vec(), true));
        assert_eq!(rd.read_line(true), (Vec::new(), false));
        assert!(!rd.test_eof());
    }
}
