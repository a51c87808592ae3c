//! Runs saved inputs through a target without libFuzzer, timing each:
//! `cargo run --release --manifest-path fuzz/Cargo.toml --example replay -- <target> <file or directory>...`.
//! A panic stops at the failing input, with its backtrace.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().expect("usage: replay <target> <file or directory>...");
    let body: fn(&[u8]) = match target.as_str() {
        "compile" => luna_fuzz::compile::fuzz,
        "run" => luna_fuzz::run::fuzz,
        "bytecode" => luna_fuzz::bytecode::fuzz,
        "pattern" => luna_fuzz::pattern::fuzz,
        "serde" => luna_fuzz::serde_values::fuzz,
        other => panic!("unknown target {other}"),
    };
    let mut inputs: Vec<PathBuf> = Vec::new();
    for arg in args {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(&path).expect("a directory").map(|e| e.expect("an entry").path()).collect();
            files.sort();
            inputs.extend(files);
        } else {
            inputs.push(path);
        }
    }
    let all = Instant::now();
    for path in &inputs {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let start = Instant::now();
        body(&data);
        println!("{:10.3} ms  {}", start.elapsed().as_secs_f64() * 1e3, display(path));
    }
    println!("{} inputs in {:.3} s", inputs.len(), all.elapsed().as_secs_f64());
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
