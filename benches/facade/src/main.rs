//! The facade benchmark: measures the cost of the host-side embedding API
//! of luna against mlua (PUC-Rio Lua 5.4, vendored C) on the same
//! scenarios, in one process, and prints nanoseconds per operation for
//! each and the ratio luna/mlua (lower is better).
//!
//! This file holds the list of scenarios and the runner (calibration,
//! timed runs, statistics, command line). Most scenarios are written once,
//! in the `scenarios!` macro of `scenarios.rs`, and expanded for both
//! crates: their APIs agree on everything used there, only the type names
//! differ. The userdata scenarios with the everyday registration of each
//! crate (`userdata.rs`) and the serde one (`serde_config.rs`) have one
//! copy per runtime. Setup (creating the state, loading the function under
//! test) is outside the timed region.
//!
//! Usage: `facade-bench [options] [scenario...]` (no scenario: all).
//! Options: `--runs N` (timed runs per scenario and runtime, default 5),
//! `--time SECS` (target duration of one run, default 0.4), `--iters N`
//! (fixed operations per run, no calibration: for profilers and
//! `benches/facade-instr.sh`), `--only luna|mlua` (run one runtime only),
//! `--list` (print the scenario names).

mod scenarios;
mod serde_config;
mod userdata;

use std::env;
use std::process::ExitCode;
use std::time::Duration;

use scenarios::{luna_side, mlua_side};
use serde_config::{luna_serde, mlua_serde};
use userdata::{luna_userdata, mlua_userdata};

/// One timed run: the elapsed time and the number of operations done.
type Run = (Duration, u64);

/// A scenario: its name, and one timed run of it under each runtime for a
/// requested number of operations (a run may round it up).
struct Scenario {
    name: &'static str,
    /// Whether the project goal (luna/mlua <= 0.5) applies to it.
    goal: bool,
    luna: fn(u64) -> Run,
    mlua: fn(u64) -> Run,
}

/// Lists scenarios of the shared macro (`scenarios.rs`), whose functions
/// have the same name on both sides.
macro_rules! scenario_list {
    ($($name:ident: $goal:expr),* $(,)?) => {
        vec![$(Scenario {
            name: stringify!($name),
            goal: $goal,
            luna: luna_side::$name,
            mlua: mlua_side::$name,
        }),*]
    };
}

/// Every scenario, in the order they run: the first set as the project
/// started measuring, then the ones added for the crossings users make
/// most (large tables, typed and string arguments, iteration, userdata
/// creation, coroutines, errors, globals).
fn all_scenarios() -> Vec<Scenario> {
    let mut list = scenario_list![
        state_new: false,
        call_empty: false,
        call_lua_from_rust: true,
        call_lua_from_rust_str: false,
        lua_calls_lua: false,
        call_rust_from_lua: true,
        table_set_get: true,
        table_set_get_str: true,
        create_table: false,
        load_and_call: false,
    ];
    list.push(Scenario {
        name: "userdata_method",
        goal: true,
        luna: luna_userdata::userdata_method,
        mlua: mlua_userdata::userdata_method,
    });
    list.push(Scenario {
        name: "serde_round_trip",
        goal: true,
        luna: luna_serde::serde_round_trip,
        mlua: mlua_serde::serde_round_trip,
    });
    list.push(Scenario {
        name: "userdata_field",
        goal: true,
        luna: luna_userdata::userdata_field,
        mlua: mlua_userdata::userdata_field,
    });
    list.extend(scenario_list![
        table_fill_1m: true,
        call_rust_3args: true,
        rust_string_args: true,
        table_iter_1000: true,
        create_userdata: true,
        coroutine_resume: true,
        callback_error_pcall: true,
        global_set_get: true,
    ]);
    list
}

/// The command-line settings.
struct Config {
    runs: usize,
    target: Duration,
    iters: Option<u64>,
    luna: bool,
    mlua: bool,
    names: Vec<String>,
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(Some(c)) => c,
        Ok(None) => return ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("facade-bench: {msg}");
            return ExitCode::from(2);
        }
    };
    let scenarios: Vec<Scenario> =
        all_scenarios().into_iter().filter(|s| cfg.names.is_empty() || cfg.names.iter().any(|n| n == s.name)).collect();
    if let Some(bad) = cfg.names.iter().find(|n| !all_scenarios().iter().any(|s| s.name == n.as_str())) {
        eprintln!("facade-bench: unknown scenario {bad} (see --list)");
        return ExitCode::from(2);
    }

    println!(
        "{:<24} {:>12} {:>12} {:>8}   {:>10} {:>10} {:>8}",
        "scenario", "luna ns/op", "mlua ns/op", "ratio", "luna best", "mlua best", "ratio"
    );
    for s in &scenarios {
        let (luna, mlua) = measure(s, &cfg);
        let fmt = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.3}", a / b),
            _ => "-".to_string(),
        };
        let med = |v: &Option<Stats>| v.as_ref().map(|s| s.median);
        let best = |v: &Option<Stats>| v.as_ref().map(|s| s.best);
        println!(
            "{:<24} {:>12} {:>12} {:>8}   {:>10} {:>10} {:>8}{}",
            s.name,
            fmt(med(&luna)),
            fmt(med(&mlua)),
            ratio(med(&luna), med(&mlua)),
            fmt(best(&luna)),
            fmt(best(&mlua)),
            ratio(best(&luna), best(&mlua)),
            if s.goal { "   (goal <= 0.5)" } else { "" }
        );
    }
    ExitCode::SUCCESS
}

/// The median and best nanoseconds per operation over the timed runs.
struct Stats {
    median: f64,
    best: f64,
}

/// Runs one scenario under the selected runtimes: calibrates the number of
/// operations per run (unless fixed), then alternates the timed runs of
/// the two runtimes so that machine noise falls on both alike.
fn measure(s: &Scenario, cfg: &Config) -> (Option<Stats>, Option<Stats>) {
    let luna_n = cfg.luna.then(|| cfg.iters.unwrap_or_else(|| calibrate(s.luna, cfg.target)));
    let mlua_n = cfg.mlua.then(|| cfg.iters.unwrap_or_else(|| calibrate(s.mlua, cfg.target)));
    let mut luna_ns = Vec::new();
    let mut mlua_ns = Vec::new();
    for _ in 0..cfg.runs {
        if let Some(n) = luna_n {
            luna_ns.push(ns_per_op((s.luna)(n)));
        }
        if let Some(n) = mlua_n {
            mlua_ns.push(ns_per_op((s.mlua)(n)));
        }
    }
    (stats(luna_ns), stats(mlua_ns))
}

/// The number of operations for one run to take about `target`.
fn calibrate(f: fn(u64) -> Run, target: Duration) -> u64 {
    let mut n = 1u64;
    loop {
        let (d, done) = f(n);
        if d >= Duration::from_millis(40) || n >= 1 << 40 {
            let per_op = d.as_secs_f64() / done.max(1) as f64;
            return ((target.as_secs_f64() / per_op.max(1e-12)) as u64).max(1);
        }
        n = done.max(n) * 4;
    }
}

fn ns_per_op((d, done): Run) -> f64 {
    d.as_nanos() as f64 / done.max(1) as f64
}

fn stats(mut v: Vec<f64>) -> Option<Stats> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    let median = if v.len() % 2 == 1 { v[mid] } else { (v[mid - 1] + v[mid]) / 2.0 };
    Some(Stats { median, best: v[0] })
}

/// Reads the command line; `Ok(None)` when there is nothing to run.
fn parse_args() -> Result<Option<Config>, String> {
    let mut cfg =
        Config { runs: 5, target: Duration::from_millis(400), iters: None, luna: true, mlua: true, names: Vec::new() };
    let mut args = env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |opt: &str| args.next().ok_or_else(|| format!("{opt} needs a value"));
        match a.as_str() {
            "--runs" => cfg.runs = value("--runs")?.parse().map_err(|_| "bad --runs")?,
            "--time" => {
                let secs: f64 = value("--time")?.parse().map_err(|_| "bad --time")?;
                cfg.target = Duration::try_from_secs_f64(secs).map_err(|_| "bad --time")?;
            }
            "--iters" => cfg.iters = Some(value("--iters")?.parse().map_err(|_| "bad --iters")?),
            "--only" => match value("--only")?.as_str() {
                "luna" => cfg.mlua = false,
                "mlua" => cfg.luna = false,
                other => return Err(format!("--only takes luna or mlua, not {other}")),
            },
            "--list" => {
                for s in all_scenarios() {
                    println!("{}", s.name);
                }
                return Ok(None);
            }
            "-h" | "--help" => {
                println!(
                    "usage: facade-bench [--runs N] [--time SECS] [--iters N] [--only luna|mlua] [--list] [scenario...]"
                );
                return Ok(None);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            name => cfg.names.push(name.to_string()),
        }
    }
    if cfg.runs == 0 {
        return Err("--runs must be at least 1".to_string());
    }
    Ok(Some(cfg))
}
