//! Debug hooks and introspection from the host: `Lua::set_hook` (line,
//! call, return and count events, with the frame's `LuaDebug`), hooks that
//! fail (the host gets the hook's own error; `pcall` can catch it), hooks
//! that yield a coroutine line by line, thread hooks and the global hook
//! (which threads get them), hooks replaced or removed from inside a hook,
//! `inspect_stack`, `traceback`, and the warning function.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use luna::prelude::*;
use luna::{LuaDebugEvent, LuaHookTriggers};

/// What `record` collects: `(event, current line)` of each hook call.
type Log = Rc<RefCell<Vec<(LuaDebugEvent, Option<usize>)>>>;

/// Installs a hook recording `(event, current line)`.
fn record(lua: &Lua, triggers: LuaHookTriggers) -> Log {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    lua.set_hook(triggers, move |_lua, debug| {
        l.borrow_mut().push((debug.event(), debug.current_line()));
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    log
}

fn lines(log: &RefCell<Vec<(LuaDebugEvent, Option<usize>)>>) -> Vec<usize> {
    log.borrow()
        .iter()
        .map(|(e, l)| {
            assert_eq!(*e, LuaDebugEvent::Line);
            l.unwrap()
        })
        .collect()
}

#[test]
fn line_hooks_see_each_new_line_and_loops_coming_round() {
    let lua = Lua::new();
    let log = record(&lua, LuaHookTriggers::EVERY_LINE);
    lua.load("local n = 0\nfor i = 1, 3 do\n  n = n + i\nend\n\nreturn n").exec().unwrap();
    lua.remove_hook();
    assert_eq!(lines(&log), [1, 2, 3, 2, 3, 2, 3, 2, 6]);
    // Removed: nothing more.
    lua.load("local x = 1").exec().unwrap();
    assert_eq!(log.borrow().len(), 9);
}

#[test]
fn call_and_return_hooks_name_the_function() {
    let lua = Lua::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    lua.set_hook(LuaHookTriggers::ON_CALLS | LuaHookTriggers::ON_RETURNS, move |_lua, debug| {
        let names = debug.names();
        let source = debug.source();
        l.borrow_mut().push(format!(
            "{:?} {} {} {}",
            debug.event(),
            names.name.as_deref().unwrap_or("-"),
            names.name_what.unwrap_or("-"),
            source.what
        ));
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local function double(x) return x * 2 end\nlocal v = double(string.len('abc'))").exec().unwrap();
    lua.remove_hook();
    assert_eq!(
        *log.borrow(),
        [
            "Call - - main",
            "Call len field C",
            "Ret len field C",
            "Call double local Lua",
            "Ret double local Lua",
            "Ret - - main",
        ]
    );
}

#[test]
fn tail_calls_are_their_own_event() {
    let lua = Lua::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    lua.set_hook(LuaHookTriggers::ON_CALLS, move |_lua, debug| {
        l.borrow_mut().push((debug.event(), debug.is_tail_call()));
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local function g() end local function f() return g() end f()").exec().unwrap();
    lua.remove_hook();
    assert_eq!(
        *log.borrow(),
        [(LuaDebugEvent::Call, false), (LuaDebugEvent::Call, false), (LuaDebugEvent::TailCall, true)]
    );
}

#[test]
fn the_debug_value_describes_the_hooked_frame() {
    let lua = Lua::new();
    let seen = Rc::new(RefCell::new(None));
    let s = seen.clone();
    lua.set_hook(LuaHookTriggers::ON_CALLS, move |lua, debug| {
        if debug.names().name.as_deref() == Some("target") {
            let src = debug.source();
            let stack = debug.stack();
            let target: LuaFunction = lua.globals().get("target")?;
            *s.borrow_mut() = Some((
                src.source.map(|s| s.into_owned()),
                src.short_src.map(|s| s.into_owned()),
                src.line_defined,
                src.last_line_defined,
                (stack.num_params, stack.num_upvalues, stack.is_vararg),
                debug.function() == target,
            ));
        }
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local up = 1\nfunction target(a, b, ...)\n  return up\nend\ntarget()")
        .set_name("@demo.lua")
        .exec()
        .unwrap();
    lua.remove_hook();
    let (source, short_src, first, last, stack, same) = seen.borrow_mut().take().unwrap();
    assert_eq!(source.as_deref(), Some("@demo.lua"));
    assert_eq!(short_src.as_deref(), Some("demo.lua"));
    assert_eq!((first, last), (Some(2), Some(4)));
    assert_eq!(stack, (2, 1, true));
    assert!(same, "function() is the hooked function");
}

#[test]
fn count_hooks_can_stop_a_runaway_script() {
    let lua = Lua::new();
    let counts = Rc::new(Cell::new(0u32));
    let c = counts.clone();
    lua.set_hook(LuaHookTriggers::new().every_nth_instruction(100), move |_lua, debug| {
        assert_eq!(debug.event(), LuaDebugEvent::Count);
        c.set(c.get() + 1);
        if c.get() == 50 {
            Err(LuaError::runtime("out of time"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })
    .unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert_eq!(counts.get(), 50);
    // The hook's own error, not wrapped in a CallbackError.
    assert_eq!(err.to_string(), "runtime error: out of time");
    assert!(!matches!(err, LuaError::CallbackError { .. }), "{err:?}");
    lua.remove_hook();
    assert_eq!(lua.load("return 1 + 1").eval::<i64>().unwrap(), 2);
}

#[test]
fn a_hook_error_is_a_lua_error_pcall_can_catch() {
    #[derive(Debug)]
    struct Denied;
    impl std::fmt::Display for Denied {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("denied")
        }
    }
    impl std::error::Error for Denied {}
    let lua = Lua::new();
    let armed = Rc::new(Cell::new(false));
    let a = armed.clone();
    lua.set_hook(LuaHookTriggers::ON_CALLS, move |_lua, debug| {
        // Any Lua function but the main chunk.
        if a.get() && debug.source().what == "Lua" {
            return Err(LuaError::external(Denied));
        }
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("function forbidden() return 'ran' end").exec().unwrap();
    armed.set(true);
    let msg: String = lua.load("local ok, e = pcall(forbidden) return tostring(e)").eval().unwrap();
    assert_eq!(msg, "denied");
    let err = lua.load("forbidden()").exec().unwrap_err();
    assert!(err.downcast_ref::<Denied>().is_some(), "{err:?}");
}

#[test]
fn code_run_by_a_hook_is_not_hooked() {
    let lua = Lua::new();
    let hooked = Rc::new(Cell::new(0));
    let h = hooked.clone();
    lua.set_hook(LuaHookTriggers::EVERY_LINE, move |lua, _debug| {
        h.set(h.get() + 1);
        lua.load("local a = 1\nlocal b = 2\nlocal c = 3").exec()?;
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local x = 1\nlocal y = 2").exec().unwrap();
    lua.remove_hook();
    assert_eq!(hooked.get(), 2);
}

#[test]
fn a_hook_may_replace_or_remove_itself() {
    let lua = Lua::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    lua.set_hook(LuaHookTriggers::EVERY_LINE, move |lua, debug| {
        l.borrow_mut().push(format!("first {}", debug.current_line().unwrap()));
        let l2 = l.clone();
        lua.set_hook(LuaHookTriggers::EVERY_LINE, move |lua, debug| {
            l2.borrow_mut().push(format!("second {}", debug.current_line().unwrap()));
            lua.remove_hook();
            Ok(LuaVmState::Continue)
        })?;
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local a = 1\nlocal b = 2\nlocal c = 3").exec().unwrap();
    assert_eq!(*log.borrow(), ["first 1", "second 2"]);
}

#[test]
fn a_line_hook_can_run_a_coroutine_line_by_line() {
    let lua = Lua::new();
    let co =
        lua.create_thread(lua.load("local a = 10\nlocal b = a + 1\nreturn a + b").into_function().unwrap()).unwrap();
    let lines = Rc::new(RefCell::new(Vec::new()));
    let l = lines.clone();
    co.set_hook(LuaHookTriggers::EVERY_LINE, move |_lua, debug| {
        l.borrow_mut().push(debug.current_line().unwrap());
        Ok(LuaVmState::Yield)
    })
    .unwrap();
    let mut results = Vec::new();
    while co.is_resumable() {
        let r: Option<i64> = co.resume(()).unwrap();
        results.push(r);
    }
    // Each yield stops before the line runs; the hook is not called again
    // for the line when the coroutine resumes.
    assert_eq!(*lines.borrow(), [1, 2, 3]);
    assert_eq!(results, [None, None, None, Some(21)]);
}

#[test]
fn a_count_hook_can_time_slice_a_coroutine() {
    let lua = Lua::new();
    let co = lua
        .create_thread(lua.load("local n = 0 for i = 1, 1000 do n = n + i end return n").into_function().unwrap())
        .unwrap();
    co.set_hook(LuaHookTriggers::new().every_nth_instruction(100), |_lua, _debug| Ok(LuaVmState::Yield)).unwrap();
    let mut slices = 0;
    let total = loop {
        let r: Option<i64> = co.resume(()).unwrap();
        slices += 1;
        if let Some(n) = r {
            break n;
        }
        assert!(slices < 1000);
    };
    assert_eq!(total, 500500);
    assert!(slices > 10, "{slices}");
}

#[test]
fn yield_is_ignored_where_lua_cannot_yield() {
    let lua = Lua::new();
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    // The main thread cannot yield: the script keeps running.
    lua.set_hook(LuaHookTriggers::EVERY_LINE, move |_lua, _debug| {
        c.set(c.get() + 1);
        Ok(LuaVmState::Yield)
    })
    .unwrap();
    assert_eq!(lua.load("local a = 1\nlocal b = 2\nreturn a + b").eval::<i64>().unwrap(), 3);
    assert_eq!(calls.get(), 3);
    lua.remove_hook();
    // Nor can a call event yield.
    let co =
        lua.create_thread(lua.load("local function f() return 1 end return f() + 1").into_function().unwrap()).unwrap();
    co.set_hook(LuaHookTriggers::ON_CALLS, |_lua, _debug| Ok(LuaVmState::Yield)).unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 2);
}

#[test]
fn thread_hooks_are_for_their_thread_only() {
    let lua = Lua::new();
    let log = record(&lua, LuaHookTriggers::EVERY_LINE);
    // A coroutine created by hooked code does not get the hook (line 2
    // does not show). Line 1 shows twice: the closure is made at its `end`
    // (line 3), then `coroutine.create` is called on line 1, as in PUC.
    lua.load("local co = coroutine.create(function()\n  local x = 1\nend)\ncoroutine.resume(co)").exec().unwrap();
    lua.remove_hook();
    assert_eq!(lines(&log), [1, 3, 1, 4]);
    // A thread's hook does not run for the main thread.
    let co = lua.create_thread(lua.load("local a = 1").into_function().unwrap()).unwrap();
    let count = Rc::new(Cell::new(0));
    let c = count.clone();
    co.set_hook(LuaHookTriggers::EVERY_LINE, move |_lua, _debug| {
        c.set(c.get() + 1);
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local a = 1\nlocal b = 2").exec().unwrap();
    assert_eq!(count.get(), 0);
    co.resume::<()>(()).unwrap();
    assert_eq!(count.get(), 1);
    co.remove_hook();
}

#[test]
fn the_global_hook_reaches_every_new_thread_until_removed() {
    let lua = Lua::new();
    let count = Rc::new(Cell::new(0));
    let c = count.clone();
    lua.set_global_hook(LuaHookTriggers::EVERY_LINE, move |_lua, _debug| {
        c.set(c.get() + 1);
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    let from_host = lua.create_thread(lua.load("coroutine.yield()\nlocal b = 2").into_function().unwrap()).unwrap();
    let from_lua: LuaThread =
        lua.load("return coroutine.create(function()\n  coroutine.yield()\n  local b = 2\nend)").eval().unwrap();
    count.set(0);
    from_host.resume::<()>(()).unwrap();
    from_lua.resume::<()>(()).unwrap();
    assert_eq!(count.get(), 2);
    lua.remove_global_hook();
    from_host.resume::<()>(()).unwrap();
    from_lua.resume::<()>(()).unwrap();
    lua.load("local x = 1").exec().unwrap();
    assert_eq!(count.get(), 2);
}

#[test]
fn inspect_stack_walks_the_callers() {
    let lua = Lua::new();
    assert!(lua.inspect_stack(0, |_| ()).is_none());
    let walk = lua
        .create_function(|lua, ()| {
            let mut out = Vec::new();
            let mut level = 0;
            while let Some(s) = lua.inspect_stack(level, |d| {
                format!(
                    "{}:{} {}",
                    d.source().short_src.unwrap_or_default(),
                    d.current_line().map_or("-".to_string(), |l| l.to_string()),
                    d.names().name.unwrap_or_default()
                )
            }) {
                out.push(s);
                level += 1;
            }
            Ok(out.join(" | "))
        })
        .unwrap();
    lua.globals().set("walk", walk).unwrap();
    let s: String = lua
        .load("local function inner()\n  return (walk())\nend\nlocal function outer()\n  return (inner())\nend\nreturn (outer())")
        .set_name("=t")
        .eval()
        .unwrap();
    assert_eq!(s, "[C]:- walk | t:2 inner | t:5 outer | t:7 ");
}

#[test]
fn traceback_from_a_level() {
    let lua = Lua::new();
    let host = lua.traceback(Some("top"), 0).unwrap();
    assert_eq!(host.to_str().unwrap(), "top\nstack traceback:");
    let tb = lua.create_function(|lua, level: usize| lua.traceback(None, level)).unwrap();
    lua.globals().set("tb", tb).unwrap();
    let (t0, t1): (String, String) =
        lua.load("local function f()\n  return tb(0), tb(1)\nend\nreturn f()").set_name("=t").eval().unwrap();
    assert!(t0.starts_with("stack traceback:\n\t[C]: in function 'tb'\n\tt:2: in "), "{t0}");
    assert!(t1.starts_with("stack traceback:\n\tt:2: in "), "{t1}");
}

#[test]
fn warnings_reach_the_warning_function_in_pieces() {
    let lua = Lua::new();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    lua.set_warning_function(move |lua, msg, more| {
        s.borrow_mut().push((msg.to_string(), more));
        // A warning emitted from here is dropped.
        lua.warning("nested", false);
        Ok(())
    });
    lua.load("warn('@on') warn('a', 'b', 'c')").exec().unwrap();
    lua.warning("host\0ignored", false);
    assert_eq!(
        *seen.borrow(),
        [
            ("@on".to_string(), false),
            ("a".to_string(), true),
            ("b".to_string(), true),
            ("c".to_string(), false),
            ("host".to_string(), false),
        ]
    );
    lua.remove_warning_function();
    lua.load("warn('to stderr, off by default')").exec().unwrap();
    assert_eq!(seen.borrow().len(), 5);
}

#[test]
fn a_failing_warning_function_fails_warn() {
    let lua = Lua::new();
    lua.set_warning_function(|_lua, msg, _more| Err(LuaError::runtime(format!("rejected {msg}"))));
    let err = lua.load("warn('x')").exec().unwrap_err();
    assert_eq!(err.to_string(), "runtime error: rejected x");
    let msg: String = lua.load("local ok, e = pcall(warn, 'y') return tostring(e)").eval().unwrap();
    assert_eq!(msg, "rejected y");
    // From the host the error has nowhere to go.
    lua.warning("z", false);
}

#[test]
fn a_thread_created_inside_a_hook_is_hooked_later() {
    let lua = Lua::new();
    let lines = Rc::new(RefCell::new(Vec::new()));
    let l = lines.clone();
    lua.set_global_hook(LuaHookTriggers::EVERY_LINE, move |lua, debug| {
        l.borrow_mut().push(debug.current_line().unwrap());
        if lua.globals().get::<Option<LuaThread>>("co")?.is_none() {
            // Created while hooks are off: it still gets the global hook.
            lua.load("co = coroutine.create(function()\n\n  local a = 1\nend)").exec()?;
        }
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    lua.load("local x = 1").exec().unwrap();
    let co: LuaThread = lua.globals().get("co").unwrap();
    co.resume::<()>(()).unwrap();
    lua.remove_global_hook();
    assert_eq!(*lines.borrow(), [1, 3, 4]);
}

#[test]
fn lua_sees_a_host_hook_as_external() {
    let lua = unsafe { Lua::unsafe_new() };
    lua.set_hook(LuaHookTriggers::ON_CALLS | LuaHookTriggers::new().every_nth_instruction(7), |_lua, _debug| {
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    let (f, mask, count): (String, String, i64) = lua.load("return debug.gethook()").eval().unwrap();
    assert_eq!((f.as_str(), mask.as_str(), count), ("external hook", "c", 7));
    // A Lua hook set by `debug.sethook` replaces it.
    lua.load("debug.sethook(function() end, 'l')").exec().unwrap();
    let mask: String = lua.load("return select(2, debug.gethook())").eval().unwrap();
    assert_eq!(mask, "l");
    lua.remove_hook();
    assert!(lua.load("return debug.gethook()").eval::<Option<LuaFunction>>().unwrap().is_none());
}

#[test]
fn the_shape_of_a_function_prints_as_in_mlua() {
    let lua = Lua::new();
    let shape = lua
        .create_function(|lua, ()| Ok(lua.inspect_stack(1, |d| format!("{:?}", d.stack())).unwrap_or_default()))
        .unwrap();
    lua.globals().set("shape", shape).unwrap();
    let s: String =
        lua.load("local up = shape\nlocal function f(a, b, c, ...)\n  return (up())\nend\nreturn f()").eval().unwrap();
    assert_eq!(s, "DebugStack { num_upvalues: 1, num_params: 3, is_vararg: true }");
}

#[test]
fn a_hook_error_in_a_coroutine_reaches_the_host_as_it_is() {
    let lua = Lua::new();
    let co = lua.create_thread(lua.load("local a = 1\nlocal b = 2").into_function().unwrap()).unwrap();
    co.set_hook(LuaHookTriggers::EVERY_LINE, |_lua, debug| {
        if debug.current_line() == Some(2) {
            return Err(LuaError::runtime("stop at 2"));
        }
        Ok(LuaVmState::Continue)
    })
    .unwrap();
    let err = co.resume::<()>(()).unwrap_err();
    assert_eq!(err.to_string(), "runtime error: stop at 2");
    assert!(co.is_error());
}
