//! The embedding core: creating states with selected libraries, loading
//! and calling, natives (plain and boxed closures with Rust state, calling
//! back into Lua), host roots, userdata, the instruction budget, the
//! memory limit and structured errors.

use std::cell::Cell;
use std::rc::Rc;

use luna_core::api::FuelMode;
use luna_core::load::LoadMode;
use luna_core::object::function::NativeFn;
use luna_core::stdlib::Libs;
use luna_core::vm::budget::{InterruptAction, InterruptFn};
use luna_core::{State, Status, Value};

/// A raw state. The tests keep the raw layer's contract: values are used
/// before the state runs Lua code again, or are on the stack or pinned.
fn raw_state() -> Box<State> {
    // SAFETY: see above.
    unsafe { State::new() }
}

fn new_state() -> Box<State> {
    let mut st = raw_state();
    st.open_libs(Libs::ALL).expect("libs");
    st
}

/// Runs `src` and returns its first result as text (tostring), or the
/// error message.
fn eval(st: &mut State, src: &str) -> Result<String, String> {
    st.relieve_memory_pressure();
    let f = st.load(src.as_bytes(), b"=test", LoadMode::Text, None).map_err(|t| display(st, t.value))?;
    match st.host_call(f, &[], 1) {
        Ok(base) => {
            let v = st.stack_get(base);
            st.set_top(base);
            Ok(display(st, v))
        }
        Err(e) => Err(display(st, e.value)),
    }
}

fn display(st: &mut State, v: Value) -> String {
    match st.to_display_string(v) {
        Ok(s) => s.to_str_lossy().into_owned(),
        Err(_) => "<error>".to_string(),
    }
}

#[test]
fn libraries_are_opened_selectively() {
    let mut st = raw_state();
    st.open_libs(Libs::BASE).unwrap();
    assert_eq!(eval(&mut st, "return type(print)").unwrap(), "function");
    assert_eq!(eval(&mut st, "return type(string)").unwrap(), "nil");
    st.open_libs(Libs::STRING | Libs::TABLE).unwrap();
    assert_eq!(eval(&mut st, "return ('x'):rep(3)").unwrap(), "xxx");
}

#[test]
fn boxed_natives_own_state_and_reenter_lua() {
    let mut st = new_state();
    let counter = Rc::new(Cell::new(0));
    let c = counter.clone();
    let f = st
        .new_native_closure(
            NativeFn::Boxed(Box::new(move |st: &mut State| {
                c.set(c.get() + 1);
                // Call back into Lua: the function given as argument 1.
                let g = st.arg(1);
                let n = st.call_value(g, &[Value::Int(20)], 1)?;
                let r = st.stack_get(st.top() - n);
                st.push(r);
                Ok(1)
            })),
            &[],
        )
        .unwrap();
    st.set_global("apply", f).unwrap();
    assert_eq!(eval(&mut st, "return apply(function(x) return x + 1 end)").unwrap(), "21");
    // Nested re-entrancy: Lua -> native -> Lua -> native -> Lua.
    assert_eq!(
        eval(&mut st, "return apply(function(x) return apply(function(y) return x * y end) end)").unwrap(),
        "400"
    );
    assert_eq!(counter.get(), 3);
}

#[test]
fn native_recursion_is_bounded() {
    let mut st = new_state();
    let f = st
        .new_native_closure(
            NativeFn::Boxed(Box::new(|st: &mut State| {
                let g = st.arg(1);
                st.call_value(g, &[g], 0)?;
                Ok(0)
            })),
            &[],
        )
        .unwrap();
    st.set_global("recurse", f).unwrap();
    let err = eval(&mut st, "local function f(g) recurse(g) end; f(f)").unwrap_err();
    assert!(err.contains("stack overflow"), "{err}");
    // The state is still usable.
    assert_eq!(eval(&mut st, "return 1 + 1").unwrap(), "2");
}

#[test]
fn host_roots_keep_values_and_detect_stale_tickets() {
    let mut st = new_state();
    let t = st.new_table().unwrap();
    let root = st.pin(Value::Table(t));
    st.full_gc(false);
    match st.get_pinned(root) {
        Some(Value::Table(t2)) => assert!(t2.ptr_eq(t)),
        other => panic!("pinned value lost: {other:?}"),
    }
    assert!(st.unpin(root));
    assert!(st.get_pinned(root).is_none(), "stale ticket must not resolve");
    assert!(!st.unpin(root), "double unpin is refused");
    // The slot is reused with a new generation.
    let root2 = st.pin(Value::Int(7));
    assert_eq!(root2.index, root.index);
    assert_ne!(root2.generation, root.generation);
    assert!(st.get_pinned(root).is_none());
    assert!(matches!(st.get_pinned(root2), Some(Value::Int(7))));
    // A ticket from another state is foreign.
    let other = new_state();
    assert!(other.get_pinned(root2).is_none());
    assert_eq!(st.pinned_count(), 1);
}

#[test]
fn unpinned_values_are_collected() {
    let mut st = new_state();
    // A table with a finalizer, referenced only from a host root.
    eval(&mut st, "collected = false").unwrap();
    let f = st
        .load(b"return setmetatable({}, {__gc = function() collected = true end})", b"=t", LoadMode::Text, None)
        .unwrap();
    let base = st.host_call(f, &[], 1).unwrap();
    let obj = st.stack_get(base);
    st.set_top(base);
    let root = st.pin(obj);
    st.full_gc(false);
    assert_eq!(eval(&mut st, "return collected").unwrap(), "false");
    st.unpin(root);
    st.full_gc(false);
    st.full_gc(false);
    assert_eq!(eval(&mut st, "return collected").unwrap(), "true");
}

struct Probe {
    value: i64,
    drops: Rc<Cell<u32>>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

#[test]
fn userdata_payloads_metatables_and_user_values() {
    let mut st = new_state();
    let drops = Rc::new(Cell::new(0));
    let u = st.new_userdata(Probe { value: 41, drops: drops.clone() }, 2).unwrap();
    assert_eq!(u.with_payload(|p: &Probe| p.value), Some(41));
    assert!(u.with_payload(|_: &String| ()).is_none());
    assert_eq!(u.num_user_values(), 2);
    // A per-type metatable registered by TypeId.
    let mt = st.new_table().unwrap();
    let get = st
        .new_native(|st: &mut State| {
            let v = match st.arg(1) {
                Value::Userdata(u) => u.with_payload(|p: &Probe| p.value).unwrap_or(-1),
                _ => -2,
            };
            st.push(Value::Int(v + 1));
            Ok(1)
        })
        .unwrap();
    st.raw_set_field(mt, "__call", get).unwrap();
    st.raw_set_field(mt, "__name", Value::Nil).unwrap();
    st.set_userdata_metatable(std::any::TypeId::of::<Probe>(), mt);
    let mt2 = st.userdata_metatable(std::any::TypeId::of::<Probe>()).unwrap();
    st.set_metatable(Value::Userdata(u), Some(mt2));
    st.set_global("probe", Value::Userdata(u)).unwrap();
    assert_eq!(eval(&mut st, "return probe()").unwrap(), "42");
    assert_eq!(eval(&mut st, "return type(probe)").unwrap(), "userdata");
    assert_eq!(
        eval(&mut st, "debug.setuservalue(probe, 'uv', 2); return (debug.getuservalue(probe, 2))").unwrap(),
        "uv"
    );
    assert_eq!(eval(&mut st, "return (debug.getuservalue(probe, 3))").unwrap(), "nil");
    // Taking the payload leaves a userdata without one.
    let taken = u.take_payload().expect("payload");
    assert!(!u.has_payload());
    drop(taken);
    assert_eq!(drops.get(), 1);
    // Collecting a userdata drops its payload.
    let u2 = st.new_userdata(Probe { value: 0, drops: drops.clone() }, 0).unwrap();
    let _ = u2;
    st.full_gc(false);
    assert_eq!(drops.get(), 2);
}

#[test]
fn state_close_drops_payloads_and_runs_finalizers() {
    let drops = Rc::new(Cell::new(0));
    {
        let mut st = new_state();
        let u = st.new_userdata(Probe { value: 1, drops: drops.clone() }, 0).unwrap();
        st.set_global("keep", Value::Userdata(u)).unwrap();
        eval(&mut st, "setmetatable({}, {__gc = function() GCRAN = true end})").unwrap();
    }
    assert_eq!(drops.get(), 1);
}

#[test]
fn instruction_budget_raises_a_catchable_error() {
    let mut st = new_state();
    st.set_fuel(Some(10_000));
    let err = eval(&mut st, "while true do end").unwrap_err();
    assert!(err.contains("instruction limit reached"), "{err}");
    // pcall catches it, but with no fuel left any further loop iteration or
    // call fails again, so a script cannot keep going.
    st.set_fuel(Some(10_000));
    let r = eval(&mut st, "local ok, e = pcall(function() while true do end end); return e").unwrap();
    assert!(r.contains("instruction limit reached"), "{r}");
    let r = eval(&mut st, "while true do pcall(function() while true do end end) end").unwrap_err();
    assert!(r.contains("instruction limit reached"), "{r}");
    st.set_fuel(None);
    assert_eq!(eval(&mut st, "local n = 0 for i = 1, 1000 do n = n + i end return n").unwrap(), "500500");
}

/// Runs function `f` in a new coroutine, resuming it each time it yields
/// (with `fuel` instructions per slice, if given) until it returns its one
/// result; the number of yields.
fn run_in_slices(st: &mut State, f: Value, fuel: Option<i64>) -> usize {
    let co = st.new_thread().unwrap();
    st.push_to_thread(co, f);
    let mut slices = 0;
    loop {
        if fuel.is_some() {
            st.set_fuel(fuel);
        }
        let (status, n) = st.resume(co, 0);
        match status {
            Status::Yield => {
                assert_eq!(n, 0);
                slices += 1;
                assert!(slices < 10_000, "never finished");
            }
            Status::Ok => {
                assert_eq!(n, 1);
                return slices;
            }
            other => panic!("unexpected status {other:?}"),
        }
    }
}

#[test]
fn instruction_budget_can_yield_to_the_host() {
    let mut st = new_state();
    st.set_fuel_mode(FuelMode::Yield);
    let f =
        st.load(b"local n = 0 for i = 1, 100000 do n = n + i end return n", b"=loop", LoadMode::Text, None).unwrap();
    let slices = run_in_slices(&mut st, f, Some(1000));
    assert!(slices >= 50, "the loop should have been sliced, got {slices}");
}

#[test]
fn interrupt_runs_periodically_and_can_stop_a_script() {
    let mut st = new_state();
    let calls = Rc::new(Cell::new(0u32));
    let c = calls.clone();
    let cb: InterruptFn = Rc::new(move |st: &mut State| {
        c.set(c.get() + 1);
        if c.get() >= 50 {
            return Err(st.error_msg("stopped by the host"));
        }
        Ok(InterruptAction::Continue)
    });
    st.set_interrupt(Some(cb), 100);
    let err = eval(&mut st, "while true do end").unwrap_err();
    assert!(err.contains("stopped by the host"), "{err}");
    assert_eq!(calls.get(), 50);
    // Removing it lets scripts run; the budget is untouched by it.
    st.set_interrupt(None, 0);
    assert_eq!(st.fuel(), None);
    assert_eq!(eval(&mut st, "local n = 0 for i = 1, 1000 do n = n + i end return n").unwrap(), "500500");
}

#[test]
fn interrupt_and_budget_share_the_counter() {
    let mut st = new_state();
    let calls = Rc::new(Cell::new(0u32));
    let c = calls.clone();
    st.set_interrupt(
        Some(Rc::new(move |_: &mut State| {
            c.set(c.get() + 1);
            Ok(InterruptAction::Continue)
        })),
        1000,
    );
    st.set_fuel(Some(10_500));
    assert_eq!(st.fuel(), Some(10_500));
    let err = eval(&mut st, "while true do end").unwrap_err();
    assert!(err.contains("instruction limit reached"), "{err}");
    assert_eq!(st.fuel(), Some(0));
    assert_eq!(calls.get(), 10, "one call per slice of 1000 before the budget ran out");
    // The callback may run Lua code itself (it is not re-entered).
    st.set_fuel(None);
    let hits = Rc::new(Cell::new(0u32));
    let h = hits.clone();
    st.set_interrupt(
        Some(Rc::new(move |st: &mut State| {
            h.set(h.get() + 1);
            let f = st.load(b"local s = 0 for i = 1, 500 do s = s + i end return s", b"=cb", LoadMode::Text, None)?;
            st.push(f);
            let fi = st.top() - 1;
            st.call_noyield(fi, 1)?;
            st.set_top(fi);
            Ok(if h.get() < 5 { InterruptAction::Continue } else { InterruptAction::Yield })
        })),
        10,
    );
    assert_eq!(eval(&mut st, "local n = 0 for i = 1, 1000 do n = n + i end return n").unwrap(), "500500");
    assert!(hits.get() >= 100, "{}", hits.get());
}

#[test]
fn interrupt_can_yield_a_coroutine() {
    let mut st = new_state();
    let cb: InterruptFn = Rc::new(|_: &mut State| Ok(InterruptAction::Yield));
    st.set_interrupt(Some(cb), 1000);
    let f =
        st.load(b"local n = 0 for i = 1, 100000 do n = n + i end return n", b"=loop", LoadMode::Text, None).unwrap();
    let slices = run_in_slices(&mut st, f, None);
    assert!((90..=110).contains(&slices), "one yield per slice, got {slices}");
}

#[test]
fn memory_limit_raises_a_catchable_error_and_state_survives() {
    let mut st = new_state();
    let used = st.used_memory();
    st.set_memory_limit(used + 4 * 1024 * 1024);
    let err = eval(&mut st, "local t = {} for i = 1, 1e8 do t[i] = {i} end").unwrap_err();
    assert!(err.contains("not enough memory"), "{err}");
    let r = eval(&mut st, "local ok, e = pcall(string.rep, 'x', 1 << 30); return e").unwrap();
    assert!(r.contains("not enough memory"), "{r}");
    st.full_gc(false);
    assert_eq!(eval(&mut st, "return #string.rep('ab', 1000)").unwrap(), "2000");
    assert!(st.used_memory() <= st.memory_limit());
}

#[test]
fn runtime_errors_carry_traceback_frames() {
    let mut st = new_state();
    let src = b"local function inner() error('boom') end\nlocal function outer() inner() end\nouter()";
    let f = st.load(src, b"@script.lua", LoadMode::Text, None).unwrap();
    let err = st.host_call(f, &[], 0).unwrap_err();
    assert_eq!(err.status, Status::ErrRun);
    assert_eq!(display(&mut st, err.value), "script.lua:1: boom");
    let names: Vec<String> = err.traceback.iter().map(|fr| fr.name.clone()).collect();
    assert_eq!(names[0], "function 'error'");
    assert_eq!(err.traceback[1].line, Some(1));
    assert!(names[1].contains("inner"), "{names:?}");
    assert_eq!(err.traceback[2].line, Some(2));
    assert!(names[2].contains("outer"), "{names:?}");
    assert_eq!(err.traceback.last().map(|f| f.name.as_str()), Some("main chunk"));
    // Error values of any type come back unchanged.
    let f = st.load(b"error({code = 7})", b"=t", LoadMode::Text, None).unwrap();
    let err = st.host_call(f, &[], 0).unwrap_err();
    assert!(matches!(err.value, Value::Table(_)));
}

/// Runs `f` on a thread with a 2 MiB stack, as an embedder's thread may be.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().expect("no stack overflow");
}

#[test]
fn deeply_nested_sources_give_errors_not_crashes() {
    on_small_stack(|| {
        let mut st = new_state();
        let n = 100_000;
        let cases = [
            format!("return {}1{}", "(".repeat(n), ")".repeat(n)),
            format!("x = {}{}", "{".repeat(n), "}".repeat(n)),
            format!("{}{}", "do ".repeat(n), "end ".repeat(n)),
            format!("return {}1", "- ".repeat(n)),
            format!("return 1{}", " .. 1".repeat(n)),
            format!("return 2{}", " ^ 2".repeat(n)),
            format!("return {}1{}", "f(".repeat(n), ")".repeat(n)),
            format!("{}{}", "while x do ".repeat(n), "end ".repeat(n)),
            format!("return {}1{}", "function() return ".repeat(n), " end".repeat(n)),
        ];
        for src in cases {
            match st.load(src.as_bytes(), b"=deep", LoadMode::Text, None) {
                Ok(_) => {}
                Err(t) => {
                    let m = display(&mut st, t.value);
                    assert!(m.contains("too many") || m.contains("overflow"), "{m}");
                }
            }
        }
        // 100 levels are fine.
        let src = format!("return {}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(eval(&mut st, &src).unwrap(), "1");
        // Long field chains are loops, not recursion.
        let src = format!(
            "local a = setmetatable({{}}, {{__index = function(t) return t end}}) return a{} ~= nil",
            ".b".repeat(n)
        );
        assert_eq!(eval(&mut st, &src).unwrap(), "true");
    });
}

#[test]
fn huge_literals_load() {
    let mut st = new_state();
    let big = "x".repeat(20 << 20);
    let src = format!("return #'{big}'");
    assert_eq!(eval(&mut st, &src).unwrap(), (20 << 20).to_string());
    let digits = "9".repeat(10_000);
    assert_eq!(eval(&mut st, &format!("return {digits} == math.huge")).unwrap(), "true");
}

#[test]
fn unbounded_recursion_is_a_catchable_error() {
    on_small_stack(|| {
        let mut st = new_state();
        let err = eval(&mut st, "local function f(n) return 1 + f(n + 1) end return f(1)").unwrap_err();
        assert!(err.contains("stack overflow"), "{err}");
        let r = eval(&mut st, "local function f() return f() + 1 end local ok, e = pcall(f) return e").unwrap();
        assert!(r.contains("stack overflow"), "{r}");
        // Through metamethods (native boundaries): C stack overflow.
        let r = eval(&mut st, "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end local ok, e = pcall(function() return t.x end) return e").unwrap();
        assert!(r.contains("stack overflow"), "{r}");
        assert_eq!(eval(&mut st, "return 'alive'").unwrap(), "alive");
    });
}

#[test]
fn host_api_misuse_gives_errors_not_panics() {
    let mut st = new_state();
    let top = st.top();
    // No function at the index.
    assert!(st.host_call_at(top + 5, -1).is_err());
    assert_eq!(st.top(), top);
    // An invalid result count.
    let f = st.load(b"return 1", b"=t", LoadMode::Text, None).unwrap();
    st.push(f);
    assert!(st.host_pcall(top, -7).is_err());
    st.set_top(top);
    // A result count larger than any stack.
    st.push(f);
    assert!(st.host_pcall(top, i32::MAX).is_err());
    st.set_top(top);
    // Raising the top absurdly is clamped, not an abort.
    st.set_top(1 << 40);
    assert!(st.top() <= luna_core::object::thread::MAX_STACK);
    st.set_top(top);
    assert_eq!(eval(&mut st, "return 1 + 1").unwrap(), "2");
}

#[test]
fn tables_traverse_from_a_position_in_the_order_of_next() {
    let mut st = new_state();
    let t = st.new_table().unwrap();
    for i in 1..=5 {
        st.table_raw_set(t, Value::Int(i), Value::Int(i * 10)).unwrap();
    }
    for name in ["a", "b", "c", "d", "e", "f"] {
        let k = st.str_value(name).unwrap();
        let v = st.str_value(name.repeat(2)).unwrap();
        st.table_raw_set(t, k, v).unwrap();
    }
    // Holes in both parts: removed entries are skipped by both walks.
    st.table_raw_set(t, Value::Int(3), Value::Nil).unwrap();
    let c = st.str_value("c").unwrap();
    st.table_raw_set(t, c, Value::Nil).unwrap();
    let mut by_next = Vec::new();
    let mut key = Value::Nil;
    while let Ok(Some((k, v))) = t.next(key) {
        key = k;
        by_next.push((k, v));
    }
    let mut by_position = Vec::new();
    let mut pos = 0;
    while let Some((after, k, v)) = t.entry_from(pos) {
        assert!(after > pos);
        pos = after;
        by_position.push((k, v));
    }
    assert_eq!(by_next.len(), 9);
    assert_eq!(by_position.len(), by_next.len());
    for ((k1, v1), (k2, v2)) in by_next.iter().zip(&by_position) {
        assert!(k1.raw_eq(k2) && v1.raw_eq(v2));
    }
    assert!(st.new_table().unwrap().entry_from(0).is_none());
}

#[test]
fn strings_know_whether_they_are_text() {
    let mut st = new_state();
    let text = st.new_text("héllo").unwrap();
    assert_eq!(text.as_str(), Some("héllo"));
    // Bytes are checked once, then the answer is kept.
    let valid = st.new_str("plain bytes".as_bytes()).unwrap();
    assert_eq!(valid.as_str(), Some("plain bytes"));
    assert_eq!(valid.as_str(), Some("plain bytes"));
    let invalid = st.new_str(b"\xff\xfe").unwrap();
    assert_eq!(invalid.as_str(), None);
    assert_eq!(invalid.as_str(), None);
    let long = "x".repeat(100);
    assert_eq!(st.new_text(&long).unwrap().as_str(), Some(long.as_str()));
    let long_invalid = [b'y'; 100].iter().copied().chain([0xc3u8]).collect::<Vec<u8>>();
    assert_eq!(st.new_str(&long_invalid).unwrap().as_str(), None);
}
