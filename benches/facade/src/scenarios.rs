//! The scenarios whose code is the same for both runtimes: written once in
//! the `scenarios!` macro and expanded into `luna_side` and `mlua_side`.
//! luna's API follows mlua's on everything used here; only the type names
//! differ (`LuaTable` against `mlua::Table`, ...), so the macro takes them
//! as arguments.
//!
//! Each function takes the requested number of operations and returns the
//! time of its timed region and the number of operations it did, which
//! may be more: the table scenarios work in whole rounds of keys. Setup
//! (creating the state, loading the Lua code under test, registering the
//! Rust function) is outside the timed region, and does not depend on the
//! number of operations, so that `benches/facade-instr.sh` can cancel it
//! by subtracting two runs.

/// Expands every scenario for one runtime. `$Lua`, `$Function`, `$Table`,
/// `$Value`, `$Thread` and `$Error` are that crate's state, function,
/// table, value, coroutine and error types.
macro_rules! scenarios {
    ($module:ident, $Lua:ty, $Function:ty, $Table:ty, $Value:ty, $Thread:ty, $Error:ty) => {
        pub mod $module {
            use std::hint::black_box;
            use std::time::Instant;

            use crate::userdata::Counter;
            use crate::Run;

            type Lua = $Lua;
            type Function = $Function;
            type Table = $Table;
            type Value = $Value;
            type Thread = $Thread;
            type Error = $Error;

            /// Keys of the table scenarios cycle through 1..=TABLE_KEYS.
            const TABLE_KEYS: u64 = 1000;

            /// The size of the table `table_fill_1m` fills: large enough
            /// that growing the table, not reaching it, dominates.
            const FILL_KEYS: u64 = 1_000_000;

            /// The number of entries `table_iter_1000` walks.
            const ITER_KEYS: u64 = 1000;

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

            /// Creates a fresh table (inside the timed region), fills it
            /// with `t.set(i, i)` for i in 1..=10^6, then reads every key
            /// back with `t.get::<i64>(i)`. Unlike `table_set_get`, whose
            /// 1,000 keys stay in place, this one makes the table grow
            /// (the array part doubles about 20 times) and leaves large
            /// garbage for the collector. One operation is one key's set
            /// and get; a run does whole tables.
            pub fn table_fill_1m(n: u64) -> Run {
                let lua = Lua::new();
                let rounds = n.div_ceil(FILL_KEYS).max(1);
                let mut sum = 0i64;
                let t0 = Instant::now();
                for _ in 0..rounds {
                    let t: Table = lua.create_table().expect("create_table");
                    for i in 1..=FILL_KEYS as i64 {
                        t.set(black_box(i), i).expect("set");
                    }
                    for i in 1..=FILL_KEYS as i64 {
                        sum += t.get::<i64>(black_box(i)).expect("get");
                    }
                }
                let elapsed = t0.elapsed();
                let keys = FILL_KEYS as i64;
                assert_eq!(sum, rounds as i64 * keys * (keys + 1) / 2, "wrong sum");
                (elapsed, rounds * FILL_KEYS)
            }

            /// A Lua loop calls a Rust function of three typed arguments,
            /// `(i64, f64, bool)`, returning an `f64`. The arguments are
            /// the three scalar conversions; strings have their own
            /// scenario (`rust_string_args`), so that each figure says
            /// what it measures. The function is a global, read once into
            /// a local before the loop, so that the loop is the call.
            pub fn call_rust_3args(n: u64) -> Run {
                let lua = Lua::new();
                let mix = lua
                    .create_function(|_, (a, b, c): (i64, f64, bool)| Ok(if c { a as f64 + b } else { b }))
                    .expect("create_function");
                lua.globals().set("mix", mix).expect("set mix");
                let runner: Function = lua
                    .load("return function(n) local mix, s = mix, 0 for i = 1, n do s = mix(i, 0.5, true) end return s end")
                    .eval()
                    .expect("load");
                let t0 = Instant::now();
                let s = runner.call::<f64>(n as i64).expect("call");
                let elapsed = t0.elapsed();
                assert!(n == 0 || s == n as f64 + 0.5, "wrong result");
                (elapsed, n)
            }

            /// A Lua loop calls a Rust function that takes a string and
            /// returns a string: `|_, s: String| Ok(s.to_ascii_uppercase())`
            /// on "hello, world". It takes and returns `String`, as a
            /// typical user writes it, so each call copies the argument
            /// out of Lua and the result into it (an interned short
            /// string on both sides).
            pub fn rust_string_args(n: u64) -> Run {
                let lua = Lua::new();
                let upper =
                    lua.create_function(|_, s: String| Ok(s.to_ascii_uppercase())).expect("create_function");
                lua.globals().set("upper", upper).expect("set upper");
                let runner: Function = lua
                    .load("return function(n) local upper, r = upper, '' for i = 1, n do r = upper('hello, world') end return r end")
                    .eval()
                    .expect("load");
                let t0 = Instant::now();
                let r = runner.call::<String>(n as i64).expect("call");
                let elapsed = t0.elapsed();
                assert!(n == 0 || r == "HELLO, WORLD", "wrong result");
                (elapsed, n)
            }

            /// Walks a table of 1,000 string keys ("k1".."k1000", values
            /// 1..1000, built once in setup) with
            /// `t.pairs::<Value, i64>()`, summing the values. The key is
            /// read as a value handle, not a `String`, so that no Rust
            /// string is allocated per entry. One operation is one entry;
            /// a run does whole walks.
            pub fn table_iter_1000(n: u64) -> Run {
                let lua = Lua::new();
                let t: Table = lua.create_table().expect("create_table");
                for i in 1..=ITER_KEYS as i64 {
                    t.set(format!("k{i}"), i).expect("set");
                }
                let rounds = n.div_ceil(ITER_KEYS).max(1);
                let mut sum = 0i64;
                let t0 = Instant::now();
                for _ in 0..rounds {
                    for pair in t.pairs::<Value, i64>() {
                        let (k, v) = pair.expect("pair");
                        black_box(k);
                        sum += v;
                    }
                }
                let elapsed = t0.elapsed();
                let keys = ITER_KEYS as i64;
                assert_eq!(sum, rounds as i64 * keys * (keys + 1) / 2, "wrong sum");
                (elapsed, rounds * ITER_KEYS)
            }

            /// Creates a userdata of a small Rust struct (`Counter`, one
            /// field and one method) from Rust and drops its handle. The
            /// type's metatable is built by the first userdata, made in
            /// setup, so the timed loop only creates.
            pub fn create_userdata(n: u64) -> Run {
                let lua = Lua::new();
                drop(lua.create_userdata(Counter { n: 0 }).expect("create_userdata"));
                let t0 = Instant::now();
                for i in 0..n as i64 {
                    let ud = lua.create_userdata(Counter { n: black_box(i) }).expect("create_userdata");
                    drop(black_box(ud));
                }
                (t0.elapsed(), n)
            }

            /// Resumes, from Rust, a coroutine running
            /// `while true do coroutine.yield(1) end`, reading the yielded
            /// integer: one operation is one resume and one yield. The
            /// thread is created once in setup with `lua.create_thread`.
            pub fn coroutine_resume(n: u64) -> Run {
                let lua = Lua::new();
                let body: Function = lua
                    .load("return function() while true do coroutine.yield(1) end end")
                    .eval()
                    .expect("load");
                let co: Thread = lua.create_thread(body).expect("create_thread");
                let t0 = Instant::now();
                for _ in 0..n {
                    black_box(co.resume::<i64>(()).expect("resume"));
                }
                (t0.elapsed(), n)
            }

            /// A Lua loop runs `pcall(boom)` where `boom` is a Rust
            /// function returning `Err(Error::runtime("boom"))`: raising
            /// an error from Rust and catching it in Lua.
            pub fn callback_error_pcall(n: u64) -> Run {
                let lua = Lua::new();
                let boom = lua
                    .create_function(|_, ()| Err::<(), Error>(Error::runtime("boom")))
                    .expect("create_function");
                lua.globals().set("boom", boom).expect("set boom");
                let runner: Function = lua
                    .load("return function(n) local pcall, boom, fails = pcall, boom, 0 for i = 1, n do if not pcall(boom) then fails = fails + 1 end end return fails end")
                    .eval()
                    .expect("load");
                let t0 = Instant::now();
                let fails = runner.call::<i64>(n as i64).expect("call");
                let elapsed = t0.elapsed();
                assert_eq!(fails as u64, n, "pcall did not catch every error");
                (elapsed, n)
            }

            /// `lua.globals().set("g", i)` then
            /// `lua.globals().get::<i64>("g")`. The globals table is
            /// fetched on every access, as programs usually write it,
            /// so its handle is part of the cost.
            pub fn global_set_get(n: u64) -> Run {
                let lua = Lua::new();
                let t0 = Instant::now();
                for i in 0..n as i64 {
                    lua.globals().set(black_box("g"), i).expect("set");
                    black_box(lua.globals().get::<i64>(black_box("g")).expect("get"));
                }
                (t0.elapsed(), n)
            }
        }
    };
}

scenarios!(luna_side, luna::Lua, luna::LuaFunction, luna::LuaTable, luna::LuaValue, luna::LuaThread, luna::LuaError);
scenarios!(mlua_side, mlua::Lua, mlua::Function, mlua::Table, mlua::Value, mlua::Thread, mlua::Error);
