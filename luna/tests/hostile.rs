//! The hostile-script corpus (`tests/hostile/*.lua`, at the workspace
//! root): small attacks on the parser, the VM, the libraries, the
//! collector and the limits, each saying in its header what it attacks
//! and what must happen. Every script is run four ways, each run in its
//! own process so that a crash, a hang or a memory blow-up is observed
//! and reported instead of taking the test runner down:
//!
//! - through the `luna` interpreter (`cli_survives_every_hostile_script`),
//!   under a wall-clock limit and an address-space cap: it must not die
//!   by a signal, panic, abort on a failed allocation or hang; Lua errors
//!   (exit status 1) are expected. Scripts marked `-- hostile: unbounded`
//!   run forever in any interpreter: they get Ctrl-C (SIGINT) after two
//!   seconds and must end then (the interpreter's documented behaviour
//!   lets a second Ctrl-C end a native that ignores the first);
//! - through the facade, in a child process running this test binary
//!   (`child_process_entry`): with `Lua::sandboxed()` on an 8 MiB stack,
//!   with a 32 MiB / 10^7-instruction state on a 2 MiB stack (a host's
//!   spawned thread), and with every library and binary chunks under the
//!   sandbox's limits on a 2 MiB stack. The call must return `Ok` or
//!   `Err` in time without a panic; afterwards the same state must
//!   evaluate code, make tables and strings and call functions with no
//!   help from the host (the one exception is documented: a budget that
//!   ran out is granted again, as `Lua::sandboxed` says a host must); its
//!   `used_memory()` must be within its limit, and the process's peak
//!   resident memory must not grow far beyond the limit.
//!
//! Each runner prints one line per script and fails at the end with the
//! list of every failing script. `LUNA_HOSTILE_FILTER=substring` runs
//! only matching scripts; `LUNA_HOSTILE_JOBS=n` sets how many processes
//! run at once; `LUNA_HOSTILE_CLI_CAP_MB` sets the interpreter's address
//! space cap (default 1024; 4096 makes each memory bomb take several
//! seconds longer). `LUNA_HOSTILE_REFERENCE=1` makes
//! `lua54_reference_outcomes` run PUC's `lua5.4` over the corpus the same
//! way and print what it does (never failing), to compare the outcomes
//! (tests/hostile/README.md says where luna answers differently on
//! purpose).
#![cfg(unix)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use luna::prelude::*;

/// Wall-clock limit of one run (scaled up under AddressSanitizer).
const RUN_LIMIT: Duration = Duration::from_secs(20);
/// When an unbounded script gets its first Ctrl-C, and how long after it
/// the second comes.
const FIRST_INTERRUPT: Duration = Duration::from_secs(2);
const SECOND_INTERRUPT: Duration = Duration::from_secs(3);
/// Address-space cap of facade children: far above what a state limited
/// to 64 MiB should need, low enough that a runaway allocation fails
/// (and shows as an abort) instead of taking the machine's memory.
const CHILD_CAP_MB: u64 = 4096;
/// How far a child's peak resident memory may grow beyond the state's
/// memory limit before the run counts as a memory blow-up.
const RSS_MARGIN: u64 = 256 << 20;
/// Bytes of a child's standard output and error kept at each end.
const KEEP: usize = 8 << 10;

const CHILD_VAR: &str = "LUNA_HOSTILE_CHILD";
const RESULT_VAR: &str = "LUNA_HOSTILE_RESULT";

// ---------------------------------------------------------------------
// The corpus.

/// One script of the corpus.
struct Script {
    name: String,
    path: PathBuf,
    /// Marked `-- hostile: unbounded`: no interpreter finishes it.
    unbounded: bool,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile")
}

/// The scripts, sorted by name, filtered by `LUNA_HOSTILE_FILTER`.
fn corpus() -> Vec<Script> {
    let filter = std::env::var("LUNA_HOSTILE_FILTER").unwrap_or_default();
    let mut scripts = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("tests/hostile") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !name.ends_with(".lua") || !name.contains(&filter) {
            continue;
        }
        let text = std::fs::read(&path).expect("read script");
        let unbounded = header(&text).iter().any(|l| l.starts_with("-- hostile: unbounded"));
        scripts.push(Script { name, path, unbounded });
    }
    scripts.sort_by(|a, b| a.name.cmp(&b.name));
    scripts
}

/// The leading comment lines of a script.
fn header(text: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(text).lines().take_while(|l| l.starts_with("--")).map(str::to_string).collect()
}

// ---------------------------------------------------------------------
// Processes: a gate on how many run at once, and one run with a limit.

/// A counting semaphore shared by all the runners of this binary, so
/// that the tests cargo runs in parallel do not run more processes than
/// there are processors (the time limits assume a processor each).
struct Gate {
    free: Mutex<usize>,
    cv: Condvar,
}

struct Slot(&'static Gate);

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.cv.notify_one();
    }
}

fn jobs() -> usize {
    std::env::var("LUNA_HOSTILE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))
        .max(1)
}

fn slot() -> Slot {
    static GATE: std::sync::OnceLock<Gate> = std::sync::OnceLock::new();
    let gate = GATE.get_or_init(|| Gate { free: Mutex::new(jobs()), cv: Condvar::new() });
    let mut free = gate.free.lock().unwrap_or_else(|e| e.into_inner());
    while *free == 0 {
        free = gate.cv.wait(free).unwrap_or_else(|e| e.into_inner());
    }
    *free -= 1;
    Slot(gate)
}

/// Whether this binary runs under AddressSanitizer (.ci/asan.sh sets
/// ASAN_OPTIONS): its shadow memory needs a huge address space, so the
/// cap is given to the sanitizer's allocator instead of `ulimit -v`, and
/// everything runs a few times slower.
fn under_asan() -> bool {
    std::env::var_os("ASAN_OPTIONS").is_some()
}

fn run_limit() -> Duration {
    if under_asan() {
        RUN_LIMIT * 4
    } else {
        RUN_LIMIT
    }
}

/// A command that runs `program args` under an address-space cap.
fn capped(cap_mb: u64, program: &Path, args: &[&std::ffi::OsStr]) -> Command {
    let mut cmd;
    if under_asan() {
        cmd = Command::new(program);
        let asan = std::env::var("ASAN_OPTIONS").unwrap_or_default();
        cmd.env("ASAN_OPTIONS", format!("{asan}:soft_rss_limit_mb={cap_mb}:max_allocation_size_mb={cap_mb}"));
    } else {
        cmd = Command::new("sh");
        cmd.arg("-c").arg(format!("ulimit -v {} 2>/dev/null; exec \"$0\" \"$@\"", cap_mb * 1024)).arg(program);
    }
    cmd.args(args);
    cmd
}

/// The start and end of a stream, and its length.
#[derive(Default)]
struct Captured {
    head: Vec<u8>,
    tail: Vec<u8>,
    len: usize,
}

impl Captured {
    fn text(&self) -> String {
        let mut s = String::from_utf8_lossy(&self.head).into_owned();
        if self.len > self.head.len() + self.tail.len() {
            s.push_str(&format!("\n[... {} bytes ...]\n", self.len - self.head.len() - self.tail.len()));
        }
        s.push_str(&String::from_utf8_lossy(&self.tail));
        s
    }
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Captured> {
    std::thread::spawn(move || {
        let mut c = Captured::default();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            c.len += n;
            let mut chunk = &buf[..n];
            if c.head.len() < KEEP {
                let take = chunk.len().min(KEEP - c.head.len());
                c.head.extend_from_slice(&chunk[..take]);
                chunk = &chunk[take..];
            }
            c.tail.extend_from_slice(chunk);
            if c.tail.len() > 2 * KEEP {
                c.tail.drain(..c.tail.len() - KEEP);
            }
        }
        if c.tail.len() > KEEP {
            c.tail.drain(..c.tail.len() - KEEP);
        }
        c
    })
}

/// What a child process did.
struct Run {
    /// `None`: still running at the time limit, then killed.
    status: Option<ExitStatus>,
    elapsed: Duration,
    /// Standard output: drained so the child never blocks on a full
    /// pipe; the verdicts read standard error only.
    #[allow(dead_code)]
    out: Captured,
    err: Captured,
    /// Ctrl-Cs sent (unbounded scripts).
    interrupts: u32,
    /// The largest peak resident size seen while it ran, in bytes.
    peak_rss: u64,
}

/// Runs `cmd` to its end or the time limit; with `interrupt`, sends it
/// SIGINT after `FIRST_INTERRUPT` and again `SECOND_INTERRUPT` later.
fn run(mut cmd: Command, limit: Duration, interrupt: bool) -> Run {
    let _slot = slot();
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot start {cmd:?}: {e}"),
    };
    let out = drain(child.stdout.take().expect("stdout"));
    let err = drain(child.stderr.take().expect("stderr"));
    let (mut interrupts, mut peak_rss) = (0, 0);
    let status = loop {
        if let Ok(Some(st)) = child.try_wait() {
            break Some(st);
        }
        peak_rss = peak_rss.max(proc_status_bytes(&format!("/proc/{}/status", child.id()), "VmHWM:").unwrap_or(0));
        let t = start.elapsed();
        if t >= limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        let due = match interrupts {
            0 => FIRST_INTERRUPT,
            1 => FIRST_INTERRUPT + SECOND_INTERRUPT,
            _ => Duration::MAX,
        };
        if interrupt && t >= due {
            let _ = Command::new("kill").arg("-INT").arg(child.id().to_string()).status();
            interrupts += 1;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    Run {
        status,
        elapsed,
        out: out.join().unwrap_or_default(),
        err: err.join().unwrap_or_default(),
        interrupts,
        peak_rss,
    }
}

/// A `kB` field of a `/proc/.../status` file, in bytes.
fn proc_status_bytes(path: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// What in a child's standard error shows a crash of the Rust runtime
/// rather than a Lua error.
fn crash_marker(stderr: &str) -> Option<&'static str> {
    const MARKERS: [&str; 6] = [
        "panicked",
        "memory allocation of",
        "has overflowed its stack",
        "fatal runtime error",
        "internal error",
        "AddressSanitizer",
    ];
    MARKERS.into_iter().find(|m| stderr.contains(m))
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        2 => "SIGINT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => "signal",
    };
    format!("{name} ({sig})")
}

/// The first line of `text` containing `needle`, shortened.
fn line_with(text: &str, needle: &str) -> String {
    let line = text.lines().find(|l| l.contains(needle)).unwrap_or(needle);
    shorten(line, 200)
}

fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// The last non-empty line of standard error (the Lua error message of
/// an interpreter that ended with an error, before the traceback).
fn error_line(stderr: &str) -> String {
    let line = stderr
        .lines()
        .take_while(|l| !l.starts_with("stack traceback:"))
        .filter(|l| !l.trim().is_empty())
        .last()
        .unwrap_or("");
    shorten(line, 120)
}

// ---------------------------------------------------------------------
// Running a corpus and reporting.

/// Runs `check` over the corpus with `jobs()` workers, printing a line per
/// script as it finishes; returns the failures.
fn run_corpus(title: &str, check: impl Fn(&Script) -> Result<String, String> + Sync) -> Vec<(String, String)> {
    let scripts = corpus();
    assert!(!scripts.is_empty(), "no scripts in {}", corpus_dir().display());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs().min(scripts.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(script) = scripts.get(i) else { break };
                let outcome = check(script);
                let (tag, text) = match &outcome {
                    Ok(t) => ("ok  ", t),
                    Err(t) => ("FAIL", t),
                };
                println!("hostile {title:<12} {:<34} {tag} {text}", script.name);
                if let Err(t) = outcome {
                    failures.lock().unwrap_or_else(|e| e.into_inner()).push((script.name.clone(), t));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort();
    failures
}

fn report(title: &str, total: usize, failures: Vec<(String, String)>) {
    if failures.is_empty() {
        return;
    }
    let mut msg = format!("{} of {total} hostile scripts failed ({title}):\n", failures.len());
    for (name, why) in &failures {
        msg.push_str(&format!("  {name}: {why}\n"));
    }
    panic!("{msg}");
}

// ---------------------------------------------------------------------
// The interpreter.

fn cli_cap_mb() -> u64 {
    std::env::var("LUNA_HOSTILE_CLI_CAP_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(1024)
}

/// Runs an interpreter (`luna` or `lua5.4`) over one script.
fn run_interpreter(program: &Path, script: &Script) -> Run {
    let mut cmd = capped(cli_cap_mb(), program, &[script.path.as_os_str()]);
    cmd.current_dir(corpus_dir());
    for var in ["LUA_INIT", "LUA_INIT_5_4", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH", "LUA_CPATH_5_4"] {
        cmd.env_remove(var);
    }
    run(cmd, run_limit(), script.unbounded)
}

/// Describes an interpreter run; `Err` when it crashed or hung.
fn judge_interpreter(script: &Script, r: &Run) -> Result<String, String> {
    let err = r.err.text();
    let time = format!("{:.2} s, peak {}", r.elapsed.as_secs_f64(), mib(r.peak_rss));
    let Some(status) = r.status else {
        let why = if script.unbounded {
            format!("hang: still running {} s after {} Ctrl-C", r.elapsed.as_secs(), r.interrupts)
        } else {
            format!("hang: killed after {} s", r.elapsed.as_secs())
        };
        return Err(format!("{why} ({time})"));
    };
    if let Some(m) = crash_marker(&err) {
        return Err(format!("crash: {} ({time}, {})", line_with(&err, m), describe_status(status)));
    }
    match (status.code(), status.signal()) {
        (Some(0), _) => Ok(format!("exit 0, {time}")),
        (Some(1), _) => Ok(format!("exit 1 ({}), {time}", error_line(&err))),
        (_, Some(2)) if r.interrupts > 1 => Ok(format!("ended by the second Ctrl-C (the first was ignored), {time}")),
        (_, Some(sig)) => Err(format!("crash: killed by {} ({time})", signal_name(sig))),
        (Some(code), _) => Err(format!("crash: exit status {code} ({}), {time}", error_line(&err))),
        (None, None) => Err(format!("crash: {status:?} ({time})")),
    }
}

fn describe_status(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (_, Some(s)) => signal_name(s),
        _ => format!("{status:?}"),
    }
}

#[test]
fn cli_survives_every_hostile_script() {
    let luna = Path::new(env!("CARGO_BIN_EXE_luna"));
    let total = corpus().len();
    let failures = run_corpus("cli", |script| {
        let r = run_interpreter(luna, script);
        judge_interpreter(script, &r).map(|ok| {
            if script.unbounded && r.interrupts > 0 {
                format!("{ok} (after {} Ctrl-C)", r.interrupts)
            } else {
                ok
            }
        })
    });
    report("the luna interpreter", total, failures);
}

/// PUC's interpreter over the corpus, run the same way, for the record
/// (`LUNA_HOSTILE_REFERENCE=1`): prints its outcomes, never fails.
#[test]
fn lua54_reference_outcomes() {
    if std::env::var_os("LUNA_HOSTILE_REFERENCE").is_none() {
        return;
    }
    let Some(lua) = ["/usr/bin/lua5.4", "/usr/local/bin/lua5.4"].iter().map(Path::new).find(|p| p.exists()) else {
        println!("hostile: lua5.4 is not installed");
        return;
    };
    run_corpus("lua5.4", |script| {
        let r = run_interpreter(lua, script);
        judge_interpreter(script, &r)
    });
}

// ---------------------------------------------------------------------
// The facade, in child processes.

/// The states the facade runners make.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    /// `Lua::sandboxed()` on an 8 MiB stack (a program's main thread).
    Sandboxed,
    /// 32 MiB, 10^7 instructions, safe libraries, on a 2 MiB stack.
    SmallLimits,
    /// Every library (io, debug, os) and binary chunks, with the
    /// sandbox's limits, on a 2 MiB stack.
    AllLibraries,
}

impl Variant {
    const ALL: [Variant; 3] = [Variant::Sandboxed, Variant::SmallLimits, Variant::AllLibraries];

    fn name(self) -> &'static str {
        match self {
            Variant::Sandboxed => "sandboxed",
            Variant::SmallLimits => "small-limits",
            Variant::AllLibraries => "all-libs",
        }
    }

    fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    fn stack(self) -> usize {
        match self {
            Variant::Sandboxed => 8 << 20,
            Variant::SmallLimits | Variant::AllLibraries => 2 << 20,
        }
    }

    fn memory_limit(self) -> usize {
        match self {
            Variant::Sandboxed | Variant::AllLibraries => 64 << 20,
            Variant::SmallLimits => 32 << 20,
        }
    }

    fn instructions(self) -> u64 {
        match self {
            Variant::Sandboxed | Variant::AllLibraries => 100_000_000,
            Variant::SmallLimits => 10_000_000,
        }
    }

    fn make(self) -> LuaResult<Lua> {
        match self {
            Variant::Sandboxed => Lua::sandboxed(),
            Variant::SmallLimits => Lua::new_with(
                StdLib::ALL_SAFE,
                LuaOptions::new().memory_limit(self.memory_limit()).instruction_limit(self.instructions()),
            ),
            Variant::AllLibraries => Lua::new_with(
                StdLib::ALL,
                LuaOptions {
                    unsafe_features: true,
                    memory_limit: Some(self.memory_limit()),
                    instruction_limit: Some(self.instructions()),
                    ..LuaOptions::default()
                },
            ),
        }
    }
}

/// The child's side: when `LUNA_HOSTILE_CHILD` names a variant and a
/// script, runs it and writes what happened to the file named by
/// `LUNA_HOSTILE_RESULT` (one `key=value` per line). In a normal test
/// run it does nothing.
#[test]
fn child_process_entry() {
    let (Ok(spec), Ok(result_path)) = (std::env::var(CHILD_VAR), std::env::var(RESULT_VAR)) else {
        return;
    };
    let (variant, path) = spec.split_once(':').expect("variant:path");
    let variant = Variant::from_name(variant).expect("known variant");
    let path = PathBuf::from(path);
    let lines = std::thread::Builder::new()
        .name("host".into())
        .stack_size(variant.stack())
        .spawn(move || child_run(variant, &path))
        .expect("spawn the host thread")
        .join()
        .unwrap_or_else(|p| vec![format!("panic={}", panic_text(&*p))]);
    std::fs::write(result_path, lines.join("\n") + "\n").expect("write the result file");
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    let s = p
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(non-string panic payload)".into());
    shorten(&s, 200).replace('\n', " ")
}

fn one_line(s: &str) -> String {
    shorten(&s.replace('\n', " | "), 160)
}

fn error_kind(e: &LuaError) -> String {
    match e {
        LuaError::MemoryError(_) => "memory error".into(),
        LuaError::InstructionLimit => "instruction limit".into(),
        LuaError::SyntaxError { message, .. } => format!("syntax error: {}", one_line(message)),
        LuaError::RuntimeError(message) => format!("runtime error: {}", one_line(message)),
        other => format!("error: {}", one_line(&other.to_string())),
    }
}

/// Runs one script in a new state of `variant` and checks the state
/// afterwards; returns the result lines.
fn child_run(variant: Variant, path: &Path) -> Vec<String> {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let mut out = Vec::new();
    let hwm = || proc_status_bytes("/proc/self/status", "VmHWM:").unwrap_or(0);
    let source = std::fs::read(path).expect("read the script");
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("script").to_string();
    let lua = match variant.make() {
        Ok(l) => l,
        Err(e) => {
            out.push(format!("setup=cannot make the state: {e}"));
            return out;
        }
    };
    let hwm_before = hwm();
    out.push(format!("hwm_before={hwm_before}"));
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| lua.load(&source[..]).set_name(format!("@{name}")).exec()));
    out.push(format!("elapsed_ms={}", start.elapsed().as_millis()));
    match result {
        Ok(Ok(())) => out.push("outcome=ok".into()),
        Ok(Err(e)) => out.push(format!("outcome={}", error_kind(&e))),
        Err(p) => out.push(format!("panic={}", panic_text(&*p))),
    }
    let used = lua.used_memory();
    out.push(format!("used_after={used}"));
    if lua.remaining_instructions() == Some(0) {
        // The budget is the state's: once used up, nothing runs until the
        // host grants more (documented on `Lua::sandboxed`).
        let _ = lua.set_instruction_limit(Some(variant.instructions()));
        out.push("note=budget used up; granted again".into());
    }
    let checks: [(&str, &dyn Fn() -> LuaResult<bool>); 5] = [
        ("eval 1 + 1", &|| Ok(lua.load("return 1 + 1").eval::<i64>()? == 2)),
        ("loop", &|| Ok(lua.load("local t = {} for i = 1, 100 do t[i] = i end return #t").eval::<i64>()? == 100)),
        ("table", &|| {
            let t = lua.create_table()?;
            t.set("k", 5)?;
            Ok(t.get::<i64>("k")? == 5)
        }),
        ("string", &|| Ok(lua.create_string("abc")?.as_bytes() == b"abc")),
        ("function", &|| {
            let f = lua.create_function(|_, x: i64| Ok(x * 2))?;
            lua.globals().set("hostile_probe", f)?;
            Ok(lua.load("return hostile_probe(21)").eval::<i64>()? == 42)
        }),
    ];
    for (what, check) in checks {
        match catch_unwind(AssertUnwindSafe(check)) {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => out.push(format!("unusable={what}: wrong result")),
            Ok(Err(e)) => out.push(format!("unusable={what}: {}", error_kind(&e))),
            Err(p) => out.push(format!("unusable={what}: panicked: {}", panic_text(&*p))),
        }
    }
    match catch_unwind(AssertUnwindSafe(|| lua.gc_collect())) {
        Ok(Ok(())) => out.push(format!("used_after_gc={}", lua.used_memory())),
        Ok(Err(e)) => out.push(format!("unusable=gc_collect: {}", error_kind(&e))),
        Err(p) => out.push(format!("unusable=gc_collect: panicked: {}", panic_text(&*p))),
    }
    out.push(format!("hwm_after={}", hwm()));
    drop(lua);
    out.push("dropped=yes".into());
    out
}

/// Runs one script in a child process and judges the result.
fn facade_check(variant: Variant, script: &Script) -> Result<String, String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let result_path = std::env::temp_dir().join(format!(
        "luna-hostile-{}-{}-{}",
        std::process::id(),
        variant.name(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let exe = std::env::current_exe().expect("current test binary");
    let args: [&std::ffi::OsStr; 5] = [
        "child_process_entry".as_ref(),
        "--exact".as_ref(),
        "--nocapture".as_ref(),
        "--test-threads=1".as_ref(),
        "-q".as_ref(),
    ];
    let mut cmd = capped(CHILD_CAP_MB, &exe, &args);
    cmd.current_dir(corpus_dir())
        .env(CHILD_VAR, format!("{}:{}", variant.name(), script.path.display()))
        .env(RESULT_VAR, &result_path)
        .env_remove("LUNA_HOSTILE_FILTER");
    let r = run(cmd, run_limit(), false);
    let text = std::fs::read_to_string(&result_path).unwrap_or_default();
    let _ = std::fs::remove_file(&result_path);
    judge_facade(variant, &r, &text)
}

fn judge_facade(variant: Variant, r: &Run, result: &str) -> Result<String, String> {
    let field = |k: &str| result.lines().find_map(|l| l.strip_prefix(k)?.strip_prefix('=')).map(str::to_string);
    let num = |k: &str| field(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let err = r.err.text();
    let time = match field("elapsed_ms") {
        Some(ms) => format!("{ms} ms"),
        None => format!("{:.2} s", r.elapsed.as_secs_f64()),
    };
    if r.status.is_none() {
        return Err(format!("hang: killed after {} s (peak {})", r.elapsed.as_secs(), mib(r.peak_rss)));
    }
    if let Some(p) = field("panic") {
        return Err(format!("panic: {p} ({time})"));
    }
    if field("dropped").is_none() {
        let status = r.status.map(describe_status).unwrap_or_default();
        let why = match crash_marker(&err) {
            Some(m) => line_with(&err, m),
            None => format!("no result ({})", shorten(&err.replace('\n', " | "), 200)),
        };
        return Err(format!("crash: {why} ({status}, {time}, peak {})", mib(r.peak_rss)));
    }
    if let Some(s) = field("setup") {
        return Err(s);
    }
    let outcome = field("outcome").unwrap_or_default();
    let mut problems: Vec<String> = result
        .lines()
        .filter_map(|l| l.strip_prefix("unusable="))
        .map(|u| format!("state unusable afterwards: {u}"))
        .collect();
    let limit = variant.memory_limit() as u64;
    let used = num("used_after");
    if used > limit {
        problems.push(format!("used_memory() {used} is above the limit {limit}"));
    }
    let grown = num("hwm_after").saturating_sub(num("hwm_before"));
    if grown > limit + RSS_MARGIN {
        problems.push(format!("memory blow-up: peak RSS grew by {} with a {} limit", mib(grown), mib(limit)));
    }
    if let Some(m) = crash_marker(&err) {
        problems.push(format!("on stderr: {}", line_with(&err, m)));
    }
    let mut text = format!(
        "{outcome} ({time}, used {} -> {} after gc, peak RSS +{}",
        mib(used),
        mib(num("used_after_gc")),
        mib(grown)
    );
    if let Some(n) = field("note") {
        text.push_str(&format!("; {n}"));
    }
    text.push(')');
    if problems.is_empty() {
        Ok(text)
    } else {
        Err(format!("{}; {text}", problems.join("; ")))
    }
}

fn facade_corpus(variant: Variant) {
    let total = corpus().len();
    let failures = run_corpus(variant.name(), |script| facade_check(variant, script));
    report(&format!("the facade, {}", variant.name()), total, failures);
}

#[test]
fn sandboxed_facade_survives_every_hostile_script() {
    facade_corpus(Variant::Sandboxed);
}

#[test]
fn small_limits_facade_survives_every_hostile_script() {
    facade_corpus(Variant::SmallLimits);
}

#[test]
fn all_libraries_facade_survives_every_hostile_script() {
    facade_corpus(Variant::AllLibraries);
}

// ---------------------------------------------------------------------
// The corpus itself.

/// Every script says what it attacks and what must happen, and the
/// runners' marker is spelled right.
#[test]
fn every_hostile_script_states_its_attack() {
    let mut missing = Vec::new();
    for script in corpus() {
        let text = std::fs::read(&script.path).expect("read script");
        let head = header(&text);
        let has = |p: &str| head.iter().any(|l| l.starts_with(p));
        if !has("-- Attack:") || !has("-- Must:") {
            missing.push(script.name.clone());
        }
        for l in head.iter().filter(|l| l.starts_with("-- hostile:")) {
            assert!(l.starts_with("-- hostile: unbounded"), "{}: unknown marker {l:?}", script.name);
        }
    }
    assert!(missing.is_empty(), "scripts without '-- Attack:' and '-- Must:' lines: {missing:?}");
}

/// The child entry ignores a run without its variables, and results are
/// read back as written.
#[test]
fn result_lines_are_judged() {
    let r = Run {
        status: Some(ExitStatus::from_raw(0)),
        elapsed: Duration::from_millis(5),
        out: Captured::default(),
        err: Captured::default(),
        interrupts: 0,
        peak_rss: 0,
    };
    let good = "hwm_before=1000\nelapsed_ms=3\noutcome=memory error\nused_after=100\nused_after_gc=50\nhwm_after=2000\ndropped=yes\n";
    assert!(judge_facade(Variant::Sandboxed, &r, good).is_ok());
    let bad = good.replace("dropped=yes", "unusable=eval 1 + 1: memory error\ndropped=yes");
    assert!(judge_facade(Variant::Sandboxed, &r, &bad).unwrap_err().contains("unusable"));
    assert!(judge_facade(Variant::Sandboxed, &r, "hwm_before=1\n").unwrap_err().starts_with("crash"));
}
