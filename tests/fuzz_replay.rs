//! Replays every saved input of the fuzz targets, without libFuzzer: the
//! corpora (`fuzz/corpus/<target>/`) and the minimized findings
//! (`fuzz/regressions/<target>/`) go through the same target bodies the
//! fuzzers run (`fuzz/src/`, included here as a module), so a finding
//! stays fixed and the corpora keep passing as the runtime changes.
//!
//! The inputs of a target run one after the other on a worker thread with
//! a 16 MiB stack (an embedder's thread, larger than the 8 MiB main
//! thread libFuzzer runs on, so the debug build's larger frames fit too).
//! A panicking input does not stop the others, and an input still running
//! after `HANG_LIMIT` is reported as a hang (its worker is abandoned and a
//! new one takes the next input): the test fails at the end listing every
//! failing file. An abort (a Rust stack overflow) ends the whole test
//! binary; `cargo run --example replay` in `fuzz/` names the input.

#[path = "../fuzz/src/lib.rs"]
mod luna_fuzz;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How long one input may run before it counts as a hang. A saved input
/// takes at most about a second in a release build (under the fuzzers'
/// instruction limit), many more in a debug build.
const HANG_LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 300 } else { 30 });

/// What a worker reports.
enum Event {
    Started(usize),
    Finished(usize, Option<String>),
}

/// The files of `dir` (none if it does not exist), in name order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("directory entry").path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths
}

/// Runs every saved input of `target` through `body`; fails listing the
/// inputs that panicked or hung.
fn replay(target: &str, body: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = files(&root.join("corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} holds no inputs");
    let inputs: Vec<PathBuf> = corpus.into_iter().chain(files(&root.join("regressions").join(target))).collect();
    let mut failures = Vec::new();
    let mut next = 0;
    while next < inputs.len() {
        let events = spawn_worker(target, body, inputs.clone(), next);
        let mut current = next;
        loop {
            match events.recv_timeout(HANG_LIMIT) {
                Ok(Event::Started(i)) => current = i,
                Ok(Event::Finished(i, failure)) => {
                    failures.extend(failure.map(|m| format!("{}: {m}", inputs[i].display())));
                    next = i + 1;
                }
                Err(RecvTimeoutError::Timeout) => {
                    failures
                        .push(format!("{}: still running after {HANG_LIMIT:?} (a hang)", inputs[current].display()));
                    next = current + 1;
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }
    assert!(failures.is_empty(), "{} input(s) of target `{target}` fail:\n{}", failures.len(), failures.join("\n"));
}

/// Starts a thread running `inputs[from..]`, reporting each start and end.
fn spawn_worker(target: &str, body: fn(&[u8]), inputs: Vec<PathBuf>, from: usize) -> mpsc::Receiver<Event> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("replay-{target}"))
        .stack_size(16 << 20)
        .spawn(move || {
            for (i, path) in inputs.iter().enumerate().skip(from) {
                let data = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                if tx.send(Event::Started(i)).is_err() {
                    return;
                }
                let failure = catch_unwind(AssertUnwindSafe(|| body(&data))).err().map(|payload| {
                    payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "(a panic without a message)".to_string())
                });
                if tx.send(Event::Finished(i, failure)).is_err() {
                    return;
                }
            }
        })
        .expect("spawn a replay thread");
    rx
}

#[test]
fn compile() {
    replay("compile", luna_fuzz::compile::fuzz);
}

#[test]
fn run() {
    replay("run", luna_fuzz::run::fuzz);
}

#[test]
fn bytecode() {
    replay("bytecode", luna_fuzz::bytecode::fuzz);
}

#[test]
fn pattern() {
    replay("pattern", luna_fuzz::pattern::fuzz);
}

#[test]
fn serde() {
    replay("serde", luna_fuzz::serde_values::fuzz);
}
