//! The facade benchmark: measures the cost of the host-side embedding API
//! of luna against mlua (PUC-Rio Lua 5.4, vendored C) on the same
//! scenarios, in one process, and prints nanoseconds per operation for
//! each and the ratio luna/mlua (lower is better).
//!
//! Every scenario is written once, in the `scenarios!` macro, and expanded
//! for both crates: their APIs agree on everything used here, only the type
//! names differ. Setup (creating the state, loading the function under
//! test) is outside the timed region.
//!
//! Usage: `facade-bench [options] [scenario...]` (no scenario: all).
//! Options: `--runs N` (timed runs per scenario and runtime, default 5),
//! `--time SECS` (target duration of one run, default 0.4), `--iters N`
//! (fixed operations per run, no calibration: for profilers), `--only
//! luna|mlua` (run one runtime only), `--list` (print the scenario names).

use std::env;
use std::process::ExitCode;
use std::time::Duration;

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

/// Expands every scenario for one runtime. `$Lua`, `$Function` and
/// `$Table` are that crate's state, function and table types.
macro_rules! scenarios {
    ($module:ident, $Lua:ty, $Function:ty, $Table:ty) => {
        mod $module {
            use std::hint::black_box;
            use std::time::Instant;

            use super::Run;

            type Lua = $Lua;
            type Function = $Function;
            type Table = $Table;

            /// Keys of the table scenarios cycle through 1..=TABLE_KEYS.
            const TABLE_KEYS: u64 = 1000;

            /// Creates a state with the safe standard libraries and drops it.
            pub fn state_new(n: u64) -> Run {
                let t0 = Instant::now();
                for _ in 0..n {
                    drop(black_box(Lua::new()));
                }
                (t0.elapsed(), n)
            }

            /// Calls `function(a, b) return a + b end` with two integers
            /// and reads one integer result.
            pub fn call_lua_from_rust(n: u64) -> Run {
                let lua = Lua::new();
                let f: Function = lua.load("return function(a, b) return a + b end").eval().expect("load");
                let t0 = Instant::now();
                for _ in 0..n {
                    let r = f.call::<i64>((black_box(1i64), black_box(2i64))).expect("call");
                    black_box(r);
                }
                (t0.elapsed(), n)
            }

            /// Calls `function() end`: the fixed cost of a call from Rust.
            pub fn call_empty(n: u64) -> Run {
                let lua = Lua::new();
                let f: Function = lua.load("return function() end").eval().expect("load");
                let t0 = Instant::now();
                for _ in 0..n {
                    f.call::<()>(()).expect("call");
                }
                (t0.elapsed(), n)
            }

            /// A Lua loop calling a Lua function n times, for reference:
            /// the interpreters alone, no host involved.
            pub fn lua_calls_lua(n: u64) -> Run {
                let lua = Lua::new();
                let runner: Function = lua
                    .load("local function add(a, b) return a + b end return function(n) local s = 0 for i = 1, n do s = add(s, i) end return s end")
                    .eval()
                    .expect("load");
                let t0 = Instant::now();
                let s = runner.call::<i64>(n as i64).expect("call");
                black_box(s);
                (t0.elapsed(), n)
            }

            /// Calls `function(s) return s end` with a short string and
            /// reads the result as a `String`.
            pub fn call_lua_from_rust_str(n: u64) -> Run {
                let lua = Lua::new();
                let f: Function = lua.load("return function(s) return s end").eval().expect("load");
                let t0 = Instant::now();
                for _ in 0..n {
                    let r = f.call::<String>(black_box("hello, world")).expect("call");
                    black_box(r);
                }
                (t0.elapsed(), n)
            }

            /// A Lua loop calls the global Rust function `add` n times.
            pub fn call_rust_from_lua(n: u64) -> Run {
                let lua = Lua::new();
                let add = lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b)).expect("create_function");
                lua.globals().set("add", add).expect("set add");
                let runner: Function = lua
                    .load("return function(n) local s = 0 for i = 1, n do s = add(s, i) end return s end")
                    .eval()
                    .expect("load");
                let t0 = Instant::now();
                let s = runner.call::<i64>(n as i64).expect("call");
                let elapsed = t0.elapsed();
                let n128 = n as i128;
                assert_eq!(s as i128, n128 * (n128 + 1) / 2, "wrong sum");
                (elapsed, n)
            }

            /// `t.set(i, i)` then `t.get(i)` on integer keys 1..=1000,
            /// repeated; one operation is one set+get pair.
            pub fn table_set_get(n: u64) -> Run {
                let lua = Lua::new();
                let t: Table = lua.create_table().expect("create_table");
                let rounds = n.div_ceil(TABLE_KEYS).max(1);
                let t0 = Instant::now();
                for _ in 0..rounds {
                    for i in 1..=TABLE_KEYS as i64 {
                        t.set(black_box(i), i).expect("set");
                        black_box(t.get::<i64>(black_box(i)).expect("get"));
                    }
                }
                (t0.elapsed(), rounds * TABLE_KEYS)
            }

            /// `t.set("key", i)` then `t.get("key")`; one operation is one
            /// set+get pair.
            pub fn table_set_get_str(n: u64) -> Run {
                let lua = Lua::new();
                let t: Table = lua.create_table().expect("create_table");
                let t0 = Instant::now();
                for i in 0..n as i64 {
                    t.set(black_box("key"), i).expect("set");
                    black_box(t.get::<i64>(black_box("key")).expect("get"));
                }
                (t0.elapsed(), n)
            }

            /// Creates an empty table from Rust and drops its handle.
            pub fn create_table(n: u64) -> Run {
                let lua = Lua::new();
                let t0 = Instant::now();
                for _ in 0..n {
                    let t: Table = lua.create_table().expect("create_table");
                    drop(black_box(t));
                }
                (t0.elapsed(), n)
            }

            /// Compiles and runs `return 1 + 2` each time.
            pub fn load_and_call(n: u64) -> Run {
                let lua = Lua::new();
                let t0 = Instant::now();
                for _ in 0..n {
                    let r = lua.load(black_box("return 1 + 2")).eval::<i64>().expect("eval");
                    black_box(r);
                }
                (t0.elapsed(), n)
            }
        }
    };
}

scenarios!(luna_side, luna::Lua, luna::LuaFunction, luna::LuaTable);
scenarios!(mlua_side, mlua::Lua, mlua::Function, mlua::Table);

/// The userdata scenarios: the APIs differ, so each runtime has its own
/// copy. Both use the same Rust type: luna through its derive and methods
/// attribute (the everyday path), mlua through `UserData`.
#[derive(luna::LuaUserdata, Clone, Copy)]
struct Vec3 {
    #[lua(get, set)]
    x: f64,
    #[lua(get, set)]
    y: f64,
    #[lua(get, set)]
    z: f64,
}

#[luna::methods]
impl Vec3 {
    pub fn dot(&self, o: &Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
}

impl mlua::UserData for Vec3 {
    fn add_fields<F: mlua::UserDataFields<Self>>(fields: &mut F) {
        fields.add_field_method_get("x", |_, this| Ok(this.x));
        fields.add_field_method_set("x", |_, this, v: f64| {
            this.x = v;
            Ok(())
        });
        fields.add_field_method_get("y", |_, this| Ok(this.y));
        fields.add_field_method_set("y", |_, this, v: f64| {
            this.y = v;
            Ok(())
        });
        fields.add_field_method_get("z", |_, this| Ok(this.z));
        fields.add_field_method_set("z", |_, this, v: f64| {
            this.z = v;
            Ok(())
        });
    }

    fn add_methods<M: mlua::UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("dot", |_, this, o: mlua::UserDataRef<Vec3>| Ok(this.x * o.x + this.y * o.y + this.z * o.z));
    }
}

/// Runs `body` (a Lua loop body over `a`, `b` and the sum `s`) n times.
macro_rules! userdata_scenario {
    ($name:ident, $Lua:ty, $Function:ty, $body:literal) => {
        pub fn $name(n: u64) -> super::Run {
            let lua = <$Lua>::new();
            let v = super::Vec3 { x: 1.0, y: 2.0, z: 3.0 };
            lua.globals().set("a", lua.create_userdata(v).expect("userdata")).expect("set a");
            lua.globals().set("b", lua.create_userdata(v).expect("userdata")).expect("set b");
            let runner: $Function = lua
                .load(concat!(
                    "return function(n) local a, b, s = a, b, 0 for i = 1, n do ",
                    $body,
                    " end return s end"
                ))
                .eval()
                .expect("load");
            let t0 = std::time::Instant::now();
            let s = runner.call::<f64>(n as i64).expect("call");
            std::hint::black_box(s);
            (t0.elapsed(), n)
        }
    };
}

mod luna_userdata {
    userdata_scenario!(userdata_method, luna::Lua, luna::LuaFunction, "s = s + a:dot(b)");
    userdata_scenario!(userdata_field, luna::Lua, luna::LuaFunction, "s = s + a.x");
}

mod mlua_userdata {
    userdata_scenario!(userdata_method, mlua::Lua, mlua::Function, "s = s + a:dot(b)");
    userdata_scenario!(userdata_field, mlua::Lua, mlua::Function, "s = s + a.x");
}

/// The serde scenario: a nested configuration (strings, numbers, a `Vec`
/// of 100 structs, a `HashMap`) converted to a Lua value and back.
#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Debug)]
struct AppConfig {
    name: String,
    version: u32,
    ratio: f64,
    debug: bool,
    servers: Vec<Server>,
    limits: std::collections::HashMap<String, i64>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Debug)]
struct Server {
    host: String,
    port: u16,
    weight: f64,
    tags: Vec<String>,
}

fn sample_config() -> AppConfig {
    AppConfig {
        name: "cluster".into(),
        version: 3,
        ratio: 0.75,
        debug: false,
        servers: (0..100)
            .map(|i| Server {
                host: format!("host{i}.example.org"),
                port: 8000 + i as u16,
                weight: i as f64 / 10.0,
                tags: vec!["a".into(), "b".into()],
            })
            .collect(),
        limits: (0..10).map(|i| (format!("limit{i}"), i * 100)).collect(),
    }
}

macro_rules! serde_scenario {
    ($Lua:ty, $($ext:path)?) => {
        pub fn serde_round_trip(n: u64) -> super::Run {
            $(use $ext;)?
            let lua = <$Lua>::new();
            let cfg = super::sample_config();
            let t0 = std::time::Instant::now();
            for _ in 0..n {
                let v = lua.to_value(&cfg).expect("to_value");
                let back: super::AppConfig = lua.from_value(v).expect("from_value");
                std::hint::black_box(back);
            }
            (t0.elapsed(), n)
        }
    };
}

mod luna_serde {
    serde_scenario!(luna::Lua,);
}

mod mlua_serde {
    serde_scenario!(mlua::Lua, mlua::LuaSerdeExt);
}

/// Lists every scenario, in the order they run.
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
