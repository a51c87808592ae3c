//! Differential tests: every program in `tests/diff/` must produce the same
//! standard output, the same first line of standard error (the error
//! message, with the program name normalised) and the same exit status
//! under `luna` as under the reference interpreter `lua5.4`.
//!
//! When `lua5.4` is on the PATH it is run live; otherwise the outputs
//! recorded from it in `tests/diff/expected/` are used (regenerate them
//! with `tests/diff/record.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;

struct Outcome {
    stdout: String,
    stderr_first: String,
    status: i32,
}

fn normalise_stderr(s: &str) -> String {
    let first = s.lines().next().unwrap_or("").to_string();
    for prefix in ["lua5.4: ", "luna: ", "lua: "] {
        if let Some(rest) = first.strip_prefix(prefix) {
            return format!("lua: {rest}");
        }
    }
    first
}

fn run(program: &str, dir: &Path, file: &str) -> Option<Outcome> {
    let out = Command::new(program).arg(file).current_dir(dir).output().ok()?;
    Some(Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr_first: normalise_stderr(&String::from_utf8_lossy(&out.stderr)),
        status: out.status.code().unwrap_or(-1),
    })
}

fn recorded(dir: &Path, name: &str) -> Outcome {
    let base = dir.join("expected");
    let read = |ext: &str| {
        // Outputs may hold any bytes; compared as the live runs are (lossily).
        let bytes = std::fs::read(base.join(format!("{name}.{ext}")))
            .unwrap_or_else(|e| panic!("missing recorded output tests/diff/expected/{name}.{ext}: {e}"));
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Outcome {
        stdout: read("out"),
        stderr_first: normalise_stderr(&read("err")),
        status: read("status").trim().parse().expect("status"),
    }
}

fn diff_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/diff")
}

#[test]
fn outputs_match_the_reference() {
    let dir = diff_dir();
    let live = Command::new("lua5.4").arg("-v").output().is_ok();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/diff")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().into_string().expect("utf-8"))
        .filter(|n| n.ends_with(".lua"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.trim_end_matches(".lua");
        let got = run(env!("CARGO_BIN_EXE_luna"), &dir, file).expect("run luna");
        let want = if live { run("lua5.4", &dir, file).expect("run lua5.4") } else { recorded(&dir, name) };
        if got.stdout != want.stdout {
            failures.push(format!("{file}: stdout differs\n--- lua5.4\n{}\n--- luna\n{}", want.stdout, got.stdout));
        }
        if got.stderr_first != want.stderr_first {
            failures.push(format!(
                "{file}: error differs\n--- lua5.4\n{}\n--- luna\n{}",
                want.stderr_first, got.stderr_first
            ));
        }
        if got.status != want.status {
            failures.push(format!("{file}: exit status {} (lua5.4: {})", got.status, want.status));
        }
    }
    assert!(failures.is_empty(), "{} difference(s):\n{}", failures.len(), failures.join("\n\n"));
}
