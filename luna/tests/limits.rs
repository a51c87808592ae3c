//! Resource limits and hostile inputs: the memory limit
//! (`set_memory_limit`, `LuaOptions::memory_limit`) and recovery after it,
//! the instruction limit (`set_instruction_limit`,
//! `LuaOptions::instruction_limit`, `remaining_instructions`) caught or not
//! by `pcall`, pattern-matching blowups bounded by the instruction limit,
//! interrupt callbacks (`set_interrupt`, `remove_interrupt`, errors and
//! panics inside them), deep recursion in Lua and through Rust callbacks,
//! deeply nested data, and deeply nested source code, the last ones on a
//! thread with a small stack to prove the Rust stack is never exhausted.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use luna::prelude::*;

/// Runs `f` on a thread with a 1 MiB stack and waits at most `secs`
/// seconds for it (a runaway script fails the test instead of hanging it).
fn on_small_stack<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    on_stack(1 << 20, secs, f)
}

/// The stack of a thread that runs up to the 200 native call levels Lua
/// allows (`C stack overflow` beyond): std's default for spawned threads
/// (2 MiB), in optimized and unoptimized builds alike, since the runtime
/// bounds the native stack it uses.
fn native_levels_stack() -> usize {
    2 << 20
}

/// Runs `f` on a thread with a `stack`-byte stack, waiting at most `secs`
/// seconds for it.
fn on_stack<T: Send + 'static>(stack: usize, secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let r = f();
            let _ = tx.send(());
            r
        })
        .unwrap();
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => handle.join().expect("the test thread panicked"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Ok(_) => unreachable!("the thread ended without reporting"),
            Err(p) => std::panic::resume_unwind(p),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test did not finish within {secs} s"),
    }
}

/// Runs `f` on each source at once, each on its own 2 MiB thread, and
/// returns the sources whose outcome was not `Ok` within `secs` seconds
/// (with the outcome, or "timed out").
fn failing_sources(
    sources: &[&'static str],
    secs: u64,
    f: fn(&'static str) -> Result<(), String>,
) -> Vec<(&'static str, String)> {
    let (tx, rx) = mpsc::channel();
    for (i, src) in sources.iter().copied().enumerate() {
        let tx = tx.clone();
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let _ = tx.send((i, f(src)));
            })
            .unwrap();
    }
    drop(tx);
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    let mut outcomes: Vec<Option<Result<(), String>>> = vec![None; sources.len()];
    while outcomes.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, r)) => outcomes[i] = Some(r),
            Err(_) => break,
        }
    }
    sources
        .iter()
        .zip(outcomes)
        .filter_map(|(src, o)| match o {
            Some(Ok(())) => None,
            Some(Err(e)) => Some((*src, e)),
            None => Some((*src, "timed out".to_string())),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Memory.

#[test]
fn memory_limit_raises_memory_error_and_state_recovers() {
    let lua = Lua::new();
    let used = lua.used_memory();
    assert!(used > 0);
    assert_eq!(lua.set_memory_limit(used + (2 << 20)).unwrap(), 0);
    let err = lua.load("local t = {} for i = 1, 1e7 do t[i] = i end").exec().unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    let err = lua.load("return string.rep('x', 1 << 26)").exec().unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    // Small work still fits.
    assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
    // Raising the limit (0: none) lets the same work succeed.
    assert_eq!(lua.set_memory_limit(0).unwrap(), used + (2 << 20));
    let n: i64 = lua.load("local t = {} for i = 1, 1e5 do t[i] = i end return #t").eval().unwrap();
    assert_eq!(n, 100_000);
    let s: LuaString = lua.load("return string.rep('x', 1 << 22)").eval().unwrap();
    assert_eq!(s.len().unwrap(), 1 << 22);
}

#[test]
fn memory_error_is_catchable_in_lua() {
    let lua = Lua::new();
    lua.set_memory_limit(lua.used_memory() + (1 << 20)).unwrap();
    let (ok, msg, after): (bool, String, i64) = lua
        .load("local ok, e = pcall(function() local s = string.rep('x', 1 << 24) end) return ok, e, 40 + 2")
        .eval()
        .unwrap();
    assert!(!ok);
    assert_eq!(msg, "not enough memory");
    assert_eq!(after, 42);
}

#[test]
fn memory_limit_from_options() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().memory_limit(4 << 20)).unwrap();
    assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
    let err = lua.load("local t = {} for i = 1, 1e7 do t[#t + 1] = tostring(i) end").exec().unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    assert!(lua.used_memory() <= 4 << 20, "used {} bytes", lua.used_memory());
    // Garbage is reclaimed and the state goes on.
    lua.gc_collect().unwrap();
    assert_eq!(lua.load("return #'abc'").eval::<i64>().unwrap(), 3);
    assert_eq!(lua.set_memory_limit(0).unwrap(), 4 << 20);
}

#[test]
fn memory_error_from_rust_side_allocations() {
    let lua = Lua::new();
    lua.set_memory_limit(lua.used_memory() + (1 << 20)).unwrap();
    let big = vec![b'x'; 4 << 20];
    let err = lua.create_string(&big).unwrap_err();
    assert!(matches!(err, LuaError::MemoryError(_)), "{err:?}");
    let t = lua.create_table().unwrap();
    let mut failed = None;
    for i in 0..1_000_000i64 {
        if let Err(e) = t.raw_set(i + 1, i) {
            failed = Some(e);
            break;
        }
    }
    assert!(matches!(failed, Some(LuaError::MemoryError(_))), "{failed:?}");
    lua.set_memory_limit(0).unwrap();
    assert!(lua.create_string(&big).is_ok());
}

#[test]
fn memory_error_in_callback_results() {
    let lua = Lua::new();
    let make = lua.create_function(|lua, n: usize| lua.create_string(vec![b'y'; n])).unwrap();
    lua.globals().set("make", make).unwrap();
    lua.set_memory_limit(lua.used_memory() + (1 << 20)).unwrap();
    let err = lua.load("make(8 << 20)").exec().unwrap_err();
    assert!(matches!(err.root_cause(), LuaError::MemoryError(_)), "{err:?}");
    let (ok, msg): (bool, String) =
        lua.load("local ok, e = pcall(make, 8 << 20) return ok, tostring(e)").eval().unwrap();
    assert!(!ok);
    assert_eq!(msg, "not enough memory");
}

// ---------------------------------------------------------------------------
// Instructions.

#[test]
fn instruction_limit_stops_infinite_loops() {
    let lua = Lua::new();
    assert_eq!(lua.remaining_instructions(), None);
    lua.set_instruction_limit(Some(100_000)).unwrap();
    assert_eq!(lua.remaining_instructions(), Some(100_000));
    lua.load("local s = 0 for i = 1, 100 do s = s + i end").exec().unwrap();
    let left = lua.remaining_instructions().unwrap();
    assert!(left < 100_000 && left > 0, "{left}");
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
    assert_eq!(lua.remaining_instructions(), Some(0));
    // Recursion without loops is counted too.
    lua.set_instruction_limit(Some(100_000)).unwrap();
    let err =
        lua.load("local function f(n) if n > 0 then return f(n - 1) end return f(1e12) end f(10)").exec().unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
    // A new budget makes the state usable again; `None` removes it.
    lua.set_instruction_limit(None).unwrap();
    assert_eq!(lua.remaining_instructions(), None);
    let n: i64 = lua.load("local s = 0 for i = 1, 1e6 do s = s + 1 end return s").eval().unwrap();
    assert_eq!(n, 1_000_000);
}

#[test]
fn instruction_limit_from_options() {
    let lua = Lua::new_with(StdLib::ALL_SAFE, LuaOptions::new().instruction_limit(50_000)).unwrap();
    assert_eq!(lua.remaining_instructions(), Some(50_000));
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
    let sandboxed = Lua::sandboxed().unwrap();
    assert!(sandboxed.remaining_instructions().is_some());
}

#[test]
fn instruction_limit_stops_every_kind_of_loop() {
    // Each loop runs forever; each must stop at the budget. A loop that is
    // not charged would hang: the deadline turns that into a failure.
    let loops = [
        "while true do end",
        "while 1 do local x = 1 end",
        "::top:: goto top",
        "for i = 1, math.huge do end",
        "for i = 1.0, math.huge do end",
        "for _ in function() return 1 end do end",
        "repeat until false",
        "repeat local x = 1 until false",
        "local x = 0 repeat x = x + 1 until x < 0",
        "local t = {} repeat until t == nil",
        "local x repeat until x",
        "local a, b = 1, 2 while a < b do end",
        "local x = false while true do if x then x = false end end",
        "local n = 0 while true do n = n + 1 if n < 0 then n = 0 end end",
        "for i = 1, math.huge do if i < 0 then break end end",
        "local function f() return f() end f()",
    ];
    let failing = failing_sources(&loops, 5, |src| {
        let lua = Lua::new();
        lua.set_instruction_limit(Some(100_000)).unwrap();
        match lua.load(src).exec() {
            Err(LuaError::InstructionLimit) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert!(failing.is_empty(), "loops not stopped by the instruction limit: {failing:?}");
}

#[test]
fn interrupt_runs_in_every_kind_of_loop() {
    let loops = [
        "while true do end",
        "::top:: goto top",
        "for i = 1, math.huge do end",
        "repeat until false",
        "local x = 0 repeat x = x + 1 until x < 0",
        "local x = false while true do if x then x = false end end",
        "local function f() return f() end f()",
    ];
    let failing = failing_sources(&loops, 5, |src| {
        let lua = Lua::new();
        lua.set_interrupt(|_| Err(LuaError::runtime("stop"))).unwrap();
        match lua.load(src).exec() {
            Err(e) if e.to_string().starts_with("stop") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert!(failing.is_empty(), "loops not stopped by the interrupt: {failing:?}");
}

#[test]
fn instruction_limit_caught_by_pcall_cannot_continue_looping() {
    let lua = Lua::new();
    lua.set_instruction_limit(Some(100_000)).unwrap();
    lua.load("caught = nil finished = false").exec().unwrap();
    let err = lua
        .load(
            "local ok, e = pcall(function() while true do end end)
             caught = e
             while true do end
             finished = true",
        )
        .exec()
        .unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
    lua.set_instruction_limit(None).unwrap();
    assert!(!lua.globals().get::<bool>("finished").unwrap());
    // pcall caught the first error (straight-line code after it still ran).
    let caught: String = lua.globals().get("caught").unwrap();
    assert!(caught.ends_with(":1: instruction limit reached"), "{caught}");
}

#[test]
fn instruction_limit_in_a_looping_message_handler() {
    // The handler fails again for each error it handles: a recursion of
    // native levels, hence the stack of `native_levels_stack`.
    on_stack(native_levels_stack(), 30, || {
        let lua = Lua::new();
        lua.set_instruction_limit(Some(100_000)).unwrap();
        let err = lua
            .load("xpcall(function() while true do end end, function(m) while true do end end) while true do end")
            .exec()
            .unwrap_err();
        assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
        lua.set_instruction_limit(Some(100_000)).unwrap();
        let err = lua
            .load("xpcall(function() error('x') end, function(m) while true do end end) while true do end")
            .exec()
            .unwrap_err();
        assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
        lua.set_instruction_limit(None).unwrap();
        assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
    });
}

#[test]
fn instruction_limit_inside_callbacks_and_coroutines() {
    let lua = Lua::new();
    let run = lua.create_function(|lua, src: String| lua.load(&src).exec()).unwrap();
    lua.globals().set("run", run).unwrap();
    lua.set_instruction_limit(Some(100_000)).unwrap();
    let err = lua.load("run('while true do end')").exec().unwrap_err();
    assert!(matches!(err.root_cause(), LuaError::InstructionLimit), "{err:?}");
    lua.set_instruction_limit(Some(100_000)).unwrap();
    let co = lua.create_thread(lua.load("return function() while true do end end").eval().unwrap()).unwrap();
    let err = co.resume::<()>(()).unwrap_err();
    assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
}

#[test]
fn pattern_matching_blowup_is_bounded() {
    on_small_stack(20, || {
        let lua = Lua::new();
        lua.set_instruction_limit(Some(200_000)).unwrap();
        let started = std::time::Instant::now();
        let err =
            lua.load("return string.find(string.rep('a', 30) .. 'b', string.rep('a*', 30) .. 'c')").exec().unwrap_err();
        assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        lua.set_instruction_limit(Some(200_000)).unwrap();
        let err = lua
            .load("return string.match(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40) .. 'x')")
            .exec()
            .unwrap_err();
        assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
        lua.set_instruction_limit(Some(200_000)).unwrap();
        let err = lua
            .load("return string.gsub(string.rep('a', 25) .. 'b', string.rep('a*', 25) .. 'c', '')")
            .exec()
            .unwrap_err();
        assert!(matches!(err, LuaError::InstructionLimit), "{err:?}");
        // Ordinary matching is not affected.
        lua.set_instruction_limit(Some(200_000)).unwrap();
        let s: String = lua.load("return (string.match('key = value', '(%w+)%s*=%s*(%w+)'))").eval().unwrap();
        assert_eq!(s, "key");
    });
}

#[test]
fn pattern_matching_blowup_is_bounded_by_interrupt() {
    // With no instruction limit, the interrupt callback is the host's only
    // way to stop a runaway match; it must get control during the match.
    on_small_stack(5, || {
        let lua = Lua::new();
        let ticks = Rc::new(Cell::new(0u32));
        let t = ticks.clone();
        lua.set_interrupt(move |_| {
            t.set(t.get() + 1);
            Err(LuaError::runtime("too slow"))
        })
        .unwrap();
        let err =
            lua.load("return string.find(string.rep('a', 30) .. 'b', string.rep('a*', 30) .. 'c')").exec().unwrap_err();
        assert!(err.to_string().starts_with("too slow"), "{err}");
        assert!(ticks.get() >= 1);
    });
}

// ---------------------------------------------------------------------------
// Interrupts.

#[test]
fn interrupt_continue_runs_to_completion() {
    let lua = Lua::new();
    let ticks = Rc::new(Cell::new(0u32));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    let n: i64 = lua.load("local s = 0 for i = 1, 1e6 do s = s + 1 end return s").eval().unwrap();
    assert_eq!(n, 1_000_000);
    let seen = ticks.get();
    assert!(seen >= 1_000_000 / luna::INTERRUPT_PERIOD / 2, "{seen} ticks");
    // After removal, the callback is not called any more.
    lua.remove_interrupt().unwrap();
    lua.load("local s = 0 for i = 1, 1e6 do s = s + 1 end").exec().unwrap();
    assert_eq!(ticks.get(), seen);
}

#[test]
fn interrupt_error_stops_the_script() {
    let lua = Lua::new();
    let ticks = Rc::new(Cell::new(0u32));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        if t.get() > 10 {
            Err(LuaError::runtime("time is up"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })
    .unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(err.to_string().starts_with("time is up"), "{err}");
    // pcall catches it, but the callback keeps failing.
    let err = lua.load("local ok = pcall(function() while true do end end) while true do end").exec().unwrap_err();
    assert!(err.to_string().starts_with("time is up"), "{err}");
    // A replaced callback takes over.
    lua.set_interrupt(|_| Ok(LuaVmState::Continue)).unwrap();
    lua.load("for i = 1, 1e5 do end").exec().unwrap();
    lua.remove_interrupt().unwrap();
}

#[test]
fn interrupt_external_error_keeps_its_type() {
    #[derive(Debug)]
    struct Deadline;
    impl std::fmt::Display for Deadline {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "deadline passed")
        }
    }
    impl std::error::Error for Deadline {}
    let lua = Lua::new();
    lua.set_interrupt(|_| Err(LuaError::external(Deadline))).unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(err.downcast_ref::<Deadline>().is_some(), "{err:?}");
}

#[test]
fn interrupt_panic_reaches_the_host() {
    let lua = Lua::new();
    lua.set_interrupt(|_| panic!("interrupt exploded")).unwrap();
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lua.load("while true do end").exec())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"interrupt exploded"));
    lua.remove_interrupt().unwrap();
    assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
}

#[test]
fn interrupt_can_use_the_state() {
    let lua = Lua::new();
    lua.set_interrupt(|lua| {
        let n: i64 = lua.globals().get("progress").unwrap_or(0);
        lua.globals().set("progress", n + 1)?;
        if n >= 5 {
            Err(LuaError::runtime("enough"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })
    .unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(err.to_string().starts_with("enough"), "{err}");
    lua.remove_interrupt().unwrap();
    assert_eq!(lua.globals().get::<i64>("progress").unwrap(), 6);
}

/// The `Deserialize` implementations of a table's items run inside the
/// state access of `from_value`: changing the interrupt from there cannot
/// be done, and says so instead of doing nothing.
#[test]
fn interrupt_changes_report_a_busy_state() {
    thread_local! {
        static LUA: std::cell::RefCell<Option<Lua>> = const { std::cell::RefCell::new(None) };
        static OUTCOME: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    struct Probe;
    impl<'de> serde::Deserialize<'de> for Probe {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let _ = <serde::de::IgnoredAny as serde::Deserialize>::deserialize(d)?;
            LUA.with(|l| {
                let lua = l.borrow().clone().expect("lua");
                let set = lua.set_interrupt(|_| Ok(LuaVmState::Continue));
                let removed = lua.remove_interrupt();
                OUTCOME.with(|o| o.borrow_mut().extend([format!("{set:?}"), format!("{removed:?}")]));
            });
            Ok(Probe)
        }
    }
    let lua = Lua::new();
    LUA.with(|l| *l.borrow_mut() = Some(lua.clone()));
    let v: LuaValue = lua.load("return {1}").eval().unwrap();
    let _: Vec<Probe> = lua.from_value(v).unwrap();
    LUA.with(|l| *l.borrow_mut() = None);
    assert_eq!(OUTCOME.with(|o| o.borrow().clone()), ["Err(StateBusy)", "Err(StateBusy)"]);
    // Outside the access both work.
    lua.set_interrupt(|_| Err(LuaError::runtime("stopped"))).unwrap();
    assert!(lua.load("while true do end").exec().is_err());
    lua.remove_interrupt().unwrap();
    assert_eq!(lua.load("return 1 + 1").eval::<i64>().unwrap(), 2);
}

// ---------------------------------------------------------------------------
// Recursion.

#[test]
fn deep_lua_recursion_caught_in_lua() {
    on_small_stack(30, || {
        let lua = Lua::new();
        let (ok, msg): (bool, String) =
            lua.load("local function g() return 1 + g() end local ok, e = pcall(g) return ok, e").eval().unwrap();
        assert!(!ok);
        assert!(msg.ends_with("stack overflow"), "{msg}");
        // The state is usable afterwards, for deep but finite recursion too.
        let n: i64 = lua
            .load("local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(10000)")
            .eval()
            .unwrap();
        assert_eq!(n, 10_000);
    });
}

#[test]
fn deep_lua_recursion_reaches_the_host_quickly_with_a_readable_traceback() {
    // PUC's tracebacks keep the first 10 and last 11 levels; a host error
    // must not carry (and display) the ~200,000 frames of the overflowed
    // stack, nor take seconds to build them.
    on_small_stack(10, || {
        let lua = Lua::new();
        let started = std::time::Instant::now();
        let err = lua.load("local function f() return 1 + f() end return f()").set_name("=rec").exec().unwrap_err();
        let elapsed = started.elapsed();
        let LuaError::RuntimeError(full) = &err else { panic!("{err:?}") };
        let message = &full.split("\nstack traceback:").next().unwrap().to_string();
        let traceback = &err.traceback();
        assert_eq!(message, "rec:1: stack overflow");
        // The first 10 frames, one entry for the levels left out, the last 11.
        assert_eq!(traceback.len(), 22, "{traceback:#?}");
        let gap = &traceback[10];
        assert_eq!((gap.source.as_str(), gap.line), ("...", None), "{gap:?}");
        let skipped: usize = gap
            .name
            .strip_prefix("(skipping ")
            .and_then(|r| r.strip_suffix(" levels)"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{gap:?}"));
        assert!(skipped > 1000, "{skipped} levels skipped");
        assert_eq!(gap.to_string(), format!("...\t(skipping {skipped} levels)"));
        assert!(traceback.iter().filter(|f| f.source == "...").count() == 1, "{traceback:#?}");
        let shown = err.to_string();
        assert_eq!(shown.lines().count(), 24, "{shown}");
        assert!(shown.contains(&format!("\n\t...\t(skipping {skipped} levels)\n")), "{shown}");
        assert_eq!(traceback[0].source, "rec");
        // The outermost level: the first call of `f`, tail-called by the chunk.
        assert_eq!(traceback[21].name, "function <rec:1>", "{traceback:#?}");
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
        assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
    });
}

#[test]
fn deep_recursion_through_metamethods_and_callbacks() {
    // Recursions of native levels, each on a fresh state: the host gets a
    // "C stack overflow" error (with the traceback), as PUC's lua.c shows
    // it, and the state is usable afterwards. Every case is run, and the
    // failing ones are reported together.
    on_stack(native_levels_stack(), 60, || {
        let cases = [
            // An __index function that indexes again (metamethod calls).
            (
                "__index",
                "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x",
            ),
            // Lua -> Rust -> Lua -> Rust ...
            ("Rust callback", "rec(0)"),
            // A gsub replacement function that calls gsub.
            ("gsub", "local function f(s) return (string.gsub(s, '.', f)) end return f('x')"),
            // tostring -> __tostring -> tostring ...
            (
                "__tostring",
                "local t = setmetatable({}, {__tostring = function(t) return tostring(t) end}) return tostring(t)",
            ),
        ];
        let mut failures = Vec::new();
        for (what, src) in cases {
            let lua = Lua::new();
            let rec = lua
                .create_function(|lua, n: i64| lua.globals().get::<LuaFunction>("again")?.call::<i64>(n + 1))
                .unwrap();
            lua.globals().set("rec", rec).unwrap();
            lua.load("function again(n) return rec(n) end").exec().unwrap();
            match lua.load(src).exec() {
                Err(e) => {
                    let shown = e.to_string();
                    let first = shown.lines().next().unwrap_or("");
                    if !first.ends_with("C stack overflow") || !shown.contains("\nstack traceback:\n") {
                        failures.push(format!("{what}: host got {first:?}"));
                    }
                }
                Ok(()) => failures.push(format!("{what}: no error")),
            }
            // Lua code catching it with pcall sees the same error.
            lua.globals().set("src", src).unwrap();
            match lua.load("local ok, e = pcall(load(src)) return ok, tostring(e)").eval::<(bool, String)>() {
                Ok((false, msg)) if msg.ends_with("C stack overflow") => {}
                other => failures.push(format!("{what}: pcall got {other:?}")),
            }
            if lua.load("1 + 1").eval::<i64>().ok() != Some(2) {
                failures.push(format!("{what}: the state is not usable afterwards"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

// ---------------------------------------------------------------------------
// Deeply nested data and code.

#[test]
fn deeply_nested_tables_convert_without_crashing() {
    on_small_stack(30, || {
        let lua = Lua::new();
        let v: LuaValue = lua.load("local t = {} for i = 1, 100000 do t = {t, depth = i} end return t").eval().unwrap();
        let LuaValue::Table(mut t) = v else { panic!("expected a table") };
        let mut depth = 0;
        loop {
            let d: Option<i64> = t.get("depth").unwrap();
            match d {
                Some(d) => assert_eq!(d, 100_000 - depth),
                None => break,
            }
            let next: LuaValue = t.get(1).unwrap();
            match next {
                LuaValue::Table(n) => t = n,
                other => panic!("unexpected {other:?}"),
            }
            depth += 1;
        }
        assert_eq!(depth, 100_000);
        // Converting into nested Rust collections works level by level.
        let top: Vec<LuaValue> = lua.load("local t = {} for i = 1, 100000 do t = {t} end return t").eval().unwrap();
        assert_eq!(top.len(), 1);
        // The collector handles the deep chain, and so does dropping the state.
        lua.load("deep = {} for i = 1, 100000 do deep = {deep} end").exec().unwrap();
        lua.gc_collect().unwrap();
        lua.load("deep = nil").exec().unwrap();
        lua.gc_collect().unwrap();
        // Deep nesting built from Rust.
        let mut cur = lua.create_table().unwrap();
        for _ in 0..100_000 {
            let outer = lua.create_table().unwrap();
            outer.raw_set(1, cur).unwrap();
            cur = outer;
        }
        lua.globals().set("from_rust", cur).unwrap();
        let n: i64 =
            lua.load("local n, t = 0, from_rust while t[1] do n = n + 1 t = t[1] end return n").eval().unwrap();
        assert_eq!(n, 100_000);
        lua.gc_collect().unwrap();
        drop(lua);
    });
}

#[test]
fn deeply_nested_parentheses_are_a_syntax_error() {
    on_small_stack(30, || {
        let lua = Lua::new();
        let src = format!("return {}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let err = lua.load(&src).exec().unwrap_err();
        assert!(matches!(err, LuaError::SyntaxError { incomplete_input: false, .. }), "{err:?}");
        // Through eval, and through `load` inside Lua.
        let err = lua.load(&src).eval::<i64>().unwrap_err();
        assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
        lua.globals().set("src", src.as_str()).unwrap();
        let (f, msg): (LuaValue, String) = lua.load("return load(src)").eval().unwrap();
        assert!(f.is_nil());
        // PUC 5.4.8's message: the parser's levels count as C levels.
        assert_eq!(msg, "C stack overflow");
        // Moderate nesting is fine.
        let src = format!("return {}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(lua.load(&src).eval::<i64>().unwrap(), 1);
    });
}
