//! Coroutines from the host: `Lua::create_thread`, `LuaThread::resume`
//! passing values in and out across several yields, `status()` through
//! every state, resuming a dead or running coroutine, errors inside
//! coroutines, `reset` (after finishing, after an error, while suspended
//! with pending to-be-closed variables), coroutines created in Lua and
//! driven from Rust, yields across `pcall`, `coroutine.wrap` called from
//! Rust, a Rust callback trying to yield (a clean error), interrupt
//! callbacks that yield the running coroutine, `Lua::current_thread`,
//! `to_pointer`, and the thread event callback (creation, resume, yield,
//! its errors, and events it causes itself).

use std::cell::Cell;
use std::rc::Rc;

use luna::prelude::*;
use luna::{LuaThreadEvent, LuaThreadTriggers};

fn func(lua: &Lua, src: &str) -> LuaFunction {
    lua.load(src).eval().unwrap()
}

#[test]
fn values_flow_in_and_out_across_yields() {
    let lua = Lua::new();
    let f = func(
        &lua,
        "function(a, b)
            local c = coroutine.yield(a + b)
            local d, e = coroutine.yield(c * 2, 'second')
            return d + e, 'done'
        end",
    );
    let co = lua.create_thread(f).unwrap();
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    assert!(co.is_resumable());
    let x: i64 = co.resume((1, 2)).unwrap();
    assert_eq!(x, 3);
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    let (y, tag): (i64, String) = co.resume(10).unwrap();
    assert_eq!((y, tag.as_str()), (20, "second"));
    let (z, done): (i64, String) = co.resume((3, 4)).unwrap();
    assert_eq!((z, done.as_str()), (7, "done"));
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    assert!(!co.is_resumable());
}

#[test]
fn many_yields_and_multivalue_results() {
    let lua = Lua::new();
    let co = lua
        .create_thread(func(&lua, "function(n) for i = 1, n do coroutine.yield(i, i * i) end return 'end' end"))
        .unwrap();
    let first: (i64, i64) = co.resume(100).unwrap();
    assert_eq!(first, (1, 1));
    for i in 2..=100 {
        let (a, b): (i64, i64) = co.resume(()).unwrap();
        assert_eq!((a, b), (i, i * i));
    }
    let last: LuaMultiValue = co.resume(()).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last.front().and_then(|v| v.to_string_lossy()).as_deref(), Some("end"));
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    // A yield with no values gives an empty list.
    let co = lua.create_thread(func(&lua, "function() coroutine.yield() end")).unwrap();
    let none: LuaMultiValue = co.resume(()).unwrap();
    assert!(none.is_empty());
}

#[test]
fn running_status_is_seen_from_inside() {
    let lua = Lua::new();
    let seen = Rc::new(Cell::new(None));
    let resume_error = Rc::new(std::cell::RefCell::new(None));
    let reset_failed = Rc::new(Cell::new(false));
    let (s, re, rf) = (seen.clone(), resume_error.clone(), reset_failed.clone());
    let probe = lua
        .create_function(move |lua, ()| {
            let co: LuaThread = lua.globals().get("co")?;
            s.set(Some(co.status()));
            // Resuming the running coroutine is an error, not a crash.
            *re.borrow_mut() = co.resume::<LuaValue>(()).err().map(|e| e.to_string());
            // Nor can it be reset while running.
            let f: LuaFunction = lua.load("return function() end").eval()?;
            rf.set(co.reset(f).is_err());
            Ok(())
        })
        .unwrap();
    lua.globals().set("probe", probe).unwrap();
    let co = lua.create_thread(func(&lua, "function() probe() return 'ok' end")).unwrap();
    lua.globals().set("co", co.clone()).unwrap();
    let r: String = co.resume(()).unwrap();
    assert_eq!(r, "ok");
    assert_eq!(seen.get(), Some(LuaThreadStatus::Running));
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    assert!(reset_failed.get(), "reset of the running coroutine must fail");
    let msg = resume_error.borrow().clone().expect("resuming the running coroutine must fail");
    assert_eq!(msg, LuaError::CoroutineUnresumable.to_string());
}

#[test]
fn a_thread_resuming_another_is_normal() {
    let lua = Lua::new();
    let seen = Rc::new(Cell::new(None));
    let s = seen.clone();
    let probe = lua
        .create_function(move |lua, ()| {
            let outer: LuaThread = lua.globals().get("outer")?;
            s.set(Some(outer.status()));
            Ok(())
        })
        .unwrap();
    lua.globals().set("probe", probe).unwrap();
    let outer = lua
        .create_thread(func(&lua, "function() local inner = coroutine.create(probe) coroutine.resume(inner) end"))
        .unwrap();
    lua.globals().set("outer", outer.clone()).unwrap();
    outer.resume::<()>(()).unwrap();
    assert_eq!(seen.get(), Some(LuaThreadStatus::Normal));
}

#[test]
fn resuming_a_dead_thread_is_an_error() {
    let lua = Lua::new();
    let co = lua.create_thread(func(&lua, "function() return 1 end")).unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 1);
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    let err = co.resume::<()>(()).unwrap_err();
    assert!(matches!(err, LuaError::CoroutineUnresumable), "{err:?}");
    // Still dead, still an error, no crash.
    let err = co.resume::<()>((1, 2, 3)).unwrap_err();
    assert!(matches!(err, LuaError::CoroutineUnresumable), "{err:?}");
    assert_eq!(co.status(), LuaThreadStatus::Finished);
}

#[test]
fn errors_inside_coroutines() {
    let lua = Lua::new();
    let f = lua
        .load("return function(x)\n  coroutine.yield(x)\n  error('co fail')\nend")
        .set_name("=co.lua")
        .eval::<LuaFunction>()
        .unwrap();
    let co = lua.create_thread(f).unwrap();
    assert_eq!(co.resume::<i64>(5).unwrap(), 5);
    let err = co.resume::<()>(()).unwrap_err();
    let LuaError::RuntimeError(full) = &err else { panic!("{err:?}") };
    let message = &full.split("\nstack traceback:").next().unwrap().to_string();
    let traceback = &err.traceback();
    assert_eq!(message, "co.lua:3: co fail");
    assert_eq!(traceback[0].source, "[C]");
    assert_eq!(traceback[0].name, "function 'error'");
    assert_eq!(traceback[1].source, "co.lua");
    assert_eq!(traceback[1].line, Some(3));
    assert_eq!(co.status(), LuaThreadStatus::Error);
    let err = co.resume::<()>(()).unwrap_err();
    assert!(matches!(err, LuaError::CoroutineUnresumable), "{err:?}");
    // The state is fine.
    assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
}

#[test]
fn rust_errors_inside_coroutines_keep_their_type() {
    #[derive(Debug)]
    struct Stop(u8);
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "stop {}", self.0)
        }
    }
    impl std::error::Error for Stop {}
    let lua = Lua::new();
    let stop = lua.create_function(|_, n: u8| -> LuaResult<()> { Err(LuaError::external(Stop(n))) }).unwrap();
    lua.globals().set("stop", stop).unwrap();
    let co = lua.create_thread(func(&lua, "function() coroutine.yield(1) stop(9) end")).unwrap();
    co.resume::<()>(()).unwrap();
    let err = co.resume::<()>(()).unwrap_err();
    assert!(matches!(err, LuaError::CallbackError { .. }), "{err:?}");
    assert_eq!(err.downcast_ref::<Stop>().map(|s| s.0), Some(9));
    assert!(err.to_string().starts_with("stop 9"), "{err}");
    assert_eq!(co.status(), LuaThreadStatus::Error);
}

#[test]
fn reset_a_finished_thread() {
    let lua = Lua::new();
    let co = lua.create_thread(func(&lua, "function(x) coroutine.yield(x) return x * 10 end")).unwrap();
    assert_eq!(co.resume::<i64>(1).unwrap(), 1);
    assert_eq!(co.resume::<i64>(()).unwrap(), 10);
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    co.reset(func(&lua, "function(a, b) return a + b end")).unwrap();
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    assert_eq!(co.resume::<i64>((2, 3)).unwrap(), 5);
    assert_eq!(co.status(), LuaThreadStatus::Finished);
}

#[test]
fn reset_an_errored_thread() {
    let lua = Lua::new();
    let co = lua.create_thread(func(&lua, "function() error('bad') end")).unwrap();
    assert!(co.resume::<()>(()).is_err());
    assert_eq!(co.status(), LuaThreadStatus::Error);
    // The first reset closes the thread and reports the error it died
    // with (as `lua_closethread`); the thread is then finished.
    let f = func(&lua, "function(x) local y = coroutine.yield(x + 1) return y * 2 end");
    let err = co.reset(f.clone()).unwrap_err();
    assert!(err.to_string().contains("bad"), "{err}");
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    co.reset(f).unwrap();
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    assert_eq!(co.resume::<i64>(1).unwrap(), 2);
    assert_eq!(co.resume::<i64>(21).unwrap(), 42);
    assert_eq!(co.status(), LuaThreadStatus::Finished);
}

#[test]
fn reset_a_suspended_thread_closes_pending_variables() {
    let lua = Lua::new();
    lua.load("closed = 0").exec().unwrap();
    let co = lua
        .create_thread(func(
            &lua,
            "function()
                local x <close> = setmetatable({}, {__close = function() closed = closed + 1 end})
                coroutine.yield(1)
                return 2
            end",
        ))
        .unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 1);
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    co.reset(func(&lua, "function() return 'fresh' end")).unwrap();
    assert_eq!(lua.globals().get::<i64>("closed").unwrap(), 1);
    assert_eq!(co.resume::<String>(()).unwrap(), "fresh");
    assert_eq!(lua.globals().get::<i64>("closed").unwrap(), 1);
}

#[test]
fn thread_created_in_lua_driven_from_rust() {
    let lua = Lua::new();
    lua.load(
        "co = coroutine.create(function(a)
            local b = coroutine.yield(a * 2)
            return a + b
        end)",
    )
    .exec()
    .unwrap();
    let co: LuaThread = lua.globals().get("co").unwrap();
    assert_eq!(co.status(), LuaThreadStatus::Resumable);
    assert_eq!(co.resume::<i64>(4).unwrap(), 8);
    assert_eq!(lua.load("coroutine.status(co)").eval::<String>().unwrap(), "suspended");
    // Lua can continue what Rust started.
    let (ok, v): (bool, i64) = lua.load("coroutine.resume(co, 6)").eval().unwrap();
    assert!(ok);
    assert_eq!(v, 10);
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    assert_eq!(lua.load("coroutine.status(co)").eval::<String>().unwrap(), "dead");
    // And a thread created in Rust can be resumed from Lua.
    let t = lua.create_thread(func(&lua, "function(x) coroutine.yield(x) end")).unwrap();
    lua.globals().set("t", t.clone()).unwrap();
    let (ok, v): (bool, String) = lua.load("coroutine.resume(t, 'hi')").eval().unwrap();
    assert!(ok);
    assert_eq!(v, "hi");
    assert_eq!(t.status(), LuaThreadStatus::Resumable);
    assert_eq!(lua.load("coroutine.status(t)").eval::<String>().unwrap(), "suspended");
    // Identity is kept.
    let same: LuaThread = lua.globals().get("t").unwrap();
    assert_eq!(same, t);
}

#[test]
fn yield_across_pcall_inside_a_coroutine() {
    let lua = Lua::new();
    let co = lua
        .create_thread(func(
            &lua,
            "function()
                local ok, v = pcall(function()
                    local x = coroutine.yield('in pcall')
                    if x == 'fail' then error('failed after yield', 0) end
                    return x
                end)
                coroutine.yield(ok, v)
                local ok2, e2 = pcall(function()
                    coroutine.yield('again')
                    error('second', 0)
                end)
                return ok2, e2
            end",
        ))
        .unwrap();
    assert_eq!(co.resume::<String>(()).unwrap(), "in pcall");
    let (ok, v): (bool, String) = co.resume("value").unwrap();
    assert!(ok);
    assert_eq!(v, "value");
    assert_eq!(co.resume::<String>(()).unwrap(), "again");
    let (ok2, e2): (bool, String) = co.resume(()).unwrap();
    assert!(!ok2);
    assert_eq!(e2, "second");
    assert_eq!(co.status(), LuaThreadStatus::Finished);
}

#[test]
fn yield_across_pcall_with_error_after_resume() {
    let lua = Lua::new();
    let co = lua
        .create_thread(func(
            &lua,
            "function()
                return pcall(function()
                    local x = coroutine.yield(1)
                    error('failed after yield', 0)
                end)
            end",
        ))
        .unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 1);
    let (ok, e): (bool, String) = co.resume(()).unwrap();
    assert!(!ok);
    assert_eq!(e, "failed after yield");
}

#[test]
fn coroutine_wrap_called_from_rust() {
    let lua = Lua::new();
    let gen = func(&lua, "coroutine.wrap(function(a) for i = a, a + 2 do coroutine.yield(i) end end)");
    assert_eq!(gen.call::<i64>(10).unwrap(), 10);
    assert_eq!(gen.call::<i64>(()).unwrap(), 11);
    assert_eq!(gen.call::<i64>(()).unwrap(), 12);
    let rest: LuaMultiValue = gen.call(()).unwrap();
    assert!(rest.is_empty());
    let err = gen.call::<()>(()).unwrap_err();
    assert!(err.to_string().contains("cannot resume dead coroutine"), "{err}");
    // Errors inside the wrapped function propagate to the caller.
    let bad = func(&lua, "coroutine.wrap(function() error('inside wrap') end)");
    let err = bad.call::<()>(()).unwrap_err();
    assert!(err.to_string().contains("inside wrap"), "{err}");
}

#[test]
fn rust_callback_cannot_yield() {
    let lua = Lua::new();
    // The callback calls coroutine.yield itself.
    let yielder = lua
        .create_function(|lua, ()| {
            let co: LuaTable = lua.globals().get("coroutine")?;
            let y: LuaFunction = co.get("yield")?;
            y.call::<()>(1)
        })
        .unwrap();
    lua.globals().set("yielder", yielder).unwrap();
    let co = lua.create_thread(func(&lua, "function() yielder() return 'after' end")).unwrap();
    let err = co.resume::<()>(()).unwrap_err();
    assert!(err.to_string().contains("attempt to yield across a C-call boundary"), "{err}");
    assert_eq!(co.status(), LuaThreadStatus::Error);

    // The callback runs Lua code that yields.
    let runner = lua.create_function(|lua, ()| lua.load("coroutine.yield(2)").exec()).unwrap();
    lua.globals().set("runner", runner).unwrap();
    let co = lua.create_thread(func(&lua, "function() runner() return 'after' end")).unwrap();
    let err = co.resume::<()>(()).unwrap_err();
    assert!(err.to_string().contains("attempt to yield across a C-call boundary"), "{err}");

    // Lua can catch the error and go on.
    let co = lua
        .create_thread(func(
            &lua,
            "function() local ok, e = pcall(runner) coroutine.yield(ok, tostring(e)) return 'after' end",
        ))
        .unwrap();
    let (ok, e): (bool, String) = co.resume(()).unwrap();
    assert!(!ok);
    assert!(e.contains("attempt to yield across a C-call boundary"), "{e}");
    assert_eq!(co.resume::<String>(()).unwrap(), "after");

    // Yielding outside any coroutine.
    let err = lua.load("coroutine.yield(1)").exec().unwrap_err();
    assert!(err.to_string().contains("attempt to yield from outside a coroutine"), "{err}");
    assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
}

#[test]
fn rust_function_as_thread_body() {
    let lua = Lua::new();
    let f = lua.create_function(|_, (a, b): (i64, i64)| Ok((a * b, "rust"))).unwrap();
    let co = lua.create_thread(f).unwrap();
    let (p, s): (i64, String) = co.resume((6, 7)).unwrap();
    assert_eq!((p, s.as_str()), (42, "rust"));
    assert_eq!(co.status(), LuaThreadStatus::Finished);
}

#[test]
fn interrupt_yield_inside_a_coroutine() {
    let lua = Lua::new();
    let ticks = Rc::new(Cell::new(0u32));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        Ok(LuaVmState::Yield)
    })
    .unwrap();
    let co =
        lua.create_thread(func(&lua, "function(n) local s = 0 for i = 1, n do s = s + i end return s end")).unwrap();
    let mut result: LuaMultiValue = co.resume(100_000).unwrap();
    let mut resumes = 1;
    while co.status() == LuaThreadStatus::Resumable {
        // Interrupt yields carry no values.
        assert!(result.is_empty(), "{result:?}");
        result = co.resume(()).unwrap();
        resumes += 1;
        assert!(resumes < 1_000_000, "the coroutine never finishes");
    }
    assert_eq!(co.status(), LuaThreadStatus::Finished);
    assert_eq!(result.front(), Some(&LuaValue::Integer(5_000_050_000)));
    assert!(resumes > 1, "the interrupt never yielded");
    assert!(ticks.get() >= resumes - 1);
    // Outside a coroutine, a yielding interrupt lets the script run on.
    let s: i64 = lua.load("local s = 0 for i = 1, 100000 do s = s + i end return s").eval().unwrap();
    assert_eq!(s, 5_000_050_000);
    lua.remove_interrupt().unwrap();
}

#[test]
fn interrupt_yield_then_error_inside_a_coroutine() {
    let lua = Lua::new();
    let ticks = Rc::new(Cell::new(0u32));
    let t = ticks.clone();
    lua.set_interrupt(move |_| {
        t.set(t.get() + 1);
        if t.get() >= 3 {
            Err(LuaError::runtime("cancelled"))
        } else {
            Ok(LuaVmState::Yield)
        }
    })
    .unwrap();
    let co = lua.create_thread(func(&lua, "function() while true do end end")).unwrap();
    let mut outcome = co.resume::<LuaMultiValue>(());
    let mut n = 1;
    while outcome.is_ok() {
        assert!(co.is_resumable());
        outcome = co.resume(());
        n += 1;
        assert!(n < 100);
    }
    let err = outcome.unwrap_err();
    assert!(err.to_string().starts_with("cancelled"), "{err}");
    assert_eq!(co.status(), LuaThreadStatus::Error);
    assert_eq!(n, 3);
}

#[test]
fn thread_handles_compare_and_convert() {
    let lua = Lua::new();
    let co = lua.create_thread(func(&lua, "function() end")).unwrap();
    let v = co.clone().into_lua(&lua).unwrap();
    assert_eq!(v.type_name(), "thread");
    let back = LuaThread::from_lua(v, &lua).unwrap();
    assert_eq!(back, co);
    let other = lua.create_thread(func(&lua, "function() end")).unwrap();
    assert_ne!(other, co);
    assert_eq!(lua.load("return type(...)").call::<String>(co).unwrap(), "thread");
}

#[test]
fn current_thread_is_the_main_thread_or_the_calling_coroutine() {
    let lua = Lua::new();
    let main = lua.current_thread();
    assert!(main.is_running());
    // The main thread is what Lua's `coroutine.running` gives there.
    let (running, is_main): (LuaThread, bool) = lua.load("return coroutine.running()").eval().unwrap();
    assert!(is_main);
    assert_eq!(running, main);
    assert_eq!(main.to_pointer(), running.to_pointer());
    // Inside a coroutine, the callback's thread is the coroutine.
    let me = lua.create_function(|lua, ()| Ok(lua.current_thread())).unwrap();
    let co = lua.create_thread(me).unwrap();
    let inside: LuaThread = co.resume(()).unwrap();
    assert_eq!(inside, co);
    assert_ne!(inside, main);
    assert_ne!(co.to_pointer(), main.to_pointer());
    assert_eq!(co.to_pointer(), co.clone().to_pointer());
    // The main thread cannot be resumed from the host.
    assert!(matches!(main.resume::<()>(()), Err(LuaError::CoroutineUnresumable)));
}

#[test]
fn a_normal_thread_can_be_neither_resumed_nor_reset() {
    let lua = Lua::new();
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let s = seen.clone();
    let probe = lua
        .create_function(move |lua, ()| {
            let outer: LuaThread = lua.globals().get("outer")?;
            let f = lua.create_function(|_, ()| Ok(()))?;
            s.borrow_mut().push(format!("{:?}", outer.resume::<()>(()).unwrap_err()));
            s.borrow_mut().push(outer.reset(f).unwrap_err().to_string());
            Ok(())
        })
        .unwrap();
    lua.globals().set("probe", probe).unwrap();
    let outer = lua.create_thread(func(&lua, "function() coroutine.wrap(probe)() return 'done' end")).unwrap();
    lua.globals().set("outer", outer.clone()).unwrap();
    assert_eq!(outer.resume::<String>(()).unwrap(), "done");
    assert_eq!(*seen.borrow(), ["CoroutineUnresumable", "runtime error: cannot reset a normal thread"]);
}

#[test]
fn reset_of_a_new_thread_replaces_its_function_and_arguments() {
    let lua = Lua::new();
    let co = lua.create_thread(func(&lua, "function() return 'old' end")).unwrap();
    co.reset(func(&lua, "function(...) return select('#', ...), ... end")).unwrap();
    assert!(co.is_resumable());
    let (n, a): (i64, String) = co.resume("new").unwrap();
    assert_eq!((n, a.as_str()), (1, "new"));
    assert!(co.is_finished());
}

#[test]
fn reset_reports_an_error_raised_while_closing() {
    let lua = Lua::new();
    let co = lua
        .create_thread(func(
            &lua,
            "function()
                local x <close> = setmetatable({}, {__close = function() error('close failed') end})
                coroutine.yield()
            end",
        ))
        .unwrap();
    co.resume::<()>(()).unwrap();
    let err = co.reset(func(&lua, "function() return 1 end")).unwrap_err();
    assert!(err.to_string().contains("close failed"), "{err}");
    assert!(co.is_finished());
    co.reset(func(&lua, "function() return 1 end")).unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 1);
}

#[test]
fn a_finished_thread_keeps_nothing_alive_after_reset() {
    struct Token(#[allow(dead_code)] Rc<()>);
    impl LuaUserdata for Token {}
    let lua = Lua::new();
    let rc = Rc::new(());
    let co = lua.create_thread(func(&lua, "function(t) coroutine.yield(t) end")).unwrap();
    let _: LuaAnyUserdata = co.resume(Token(rc.clone())).unwrap();
    co.resume::<()>(()).unwrap();
    co.reset(func(&lua, "function() end")).unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(Rc::strong_count(&rc), 1);
}

/// Records the thread events the callback receives.
fn record_events(lua: &Lua, triggers: LuaThreadTriggers) -> Rc<std::cell::RefCell<Vec<String>>> {
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let l = log.clone();
    lua.set_thread_event_callback(triggers, move |_lua, event| {
        l.borrow_mut().push(
            match event {
                LuaThreadEvent::Create(_) => "create",
                LuaThreadEvent::Resume(_) => "resume",
                LuaThreadEvent::Yield(_) => "yield",
                _ => "other",
            }
            .to_string(),
        );
        Ok(())
    });
    log
}

#[test]
fn thread_events_follow_the_triggers() {
    let lua = Lua::new();
    let all = LuaThreadTriggers::ON_CREATE | LuaThreadTriggers::ON_RESUME | LuaThreadTriggers::new().on_yield();
    let log = record_events(&lua, all);
    let co = lua.create_thread(func(&lua, "function() coroutine.yield(1) return 2 end")).unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 1);
    assert_eq!(co.resume::<i64>(()).unwrap(), 2);
    // A return is not a yield; a refused resume is not a resume.
    assert!(co.resume::<()>(()).is_err());
    assert_eq!(*log.borrow(), ["create", "resume", "yield", "resume"]);
    // Threads created by Lua code and resumed by Lua code are not host
    // events.
    log.borrow_mut().clear();
    lua.load("local c = coroutine.create(function() coroutine.yield() end) coroutine.resume(c)").exec().unwrap();
    assert!(log.borrow().is_empty());
    // Only the chosen events.
    let log = record_events(&lua, LuaThreadTriggers::ON_YIELD);
    let co = lua.create_thread(func(&lua, "function() coroutine.yield() end")).unwrap();
    co.resume::<()>(()).unwrap();
    co.resume::<()>(()).unwrap();
    assert_eq!(*log.borrow(), ["yield"]);
    // Removed: nothing more.
    lua.remove_thread_event_callback();
    let co = lua.create_thread(func(&lua, "function() coroutine.yield() end")).unwrap();
    co.resume::<()>(()).unwrap();
    assert_eq!(*log.borrow(), ["yield"]);
}

#[test]
fn thread_events_carry_the_thread() {
    let lua = Lua::new();
    let got = Rc::new(std::cell::RefCell::new(None));
    let g = got.clone();
    lua.set_thread_event_callback(LuaThreadTriggers::ON_RESUME, move |_lua, event| {
        if let LuaThreadEvent::Resume(t) = event {
            *g.borrow_mut() = Some((t.clone(), t.status()));
        }
        Ok(())
    });
    let co = lua.create_thread(func(&lua, "function() end")).unwrap();
    co.resume::<()>(()).unwrap();
    let (t, status) = got.borrow_mut().take().unwrap();
    assert_eq!(t, co);
    // Told before it runs.
    assert_eq!(status, LuaThreadStatus::Resumable);
}

#[test]
fn thread_event_errors_are_the_operations_errors() {
    let lua = Lua::new();
    lua.set_thread_event_callback(LuaThreadTriggers::ON_CREATE, |_lua, _event| Err(LuaError::runtime("no threads")));
    let err = lua.create_thread(func(&lua, "function() end")).unwrap_err();
    assert_eq!(err.to_string(), "runtime error: no threads");
    // A refused resume does not happen: the thread stays as it was.
    lua.remove_thread_event_callback();
    let co = lua.create_thread(func(&lua, "function(x) return x end")).unwrap();
    lua.set_thread_event_callback(LuaThreadTriggers::ON_RESUME, |_lua, _event| Err(LuaError::runtime("not now")));
    assert_eq!(co.resume::<i64>(1).unwrap_err().to_string(), "runtime error: not now");
    assert!(co.is_resumable());
    lua.remove_thread_event_callback();
    assert_eq!(co.resume::<i64>(7).unwrap(), 7);
    // An error on yield is returned after the yield happened.
    lua.set_thread_event_callback(LuaThreadTriggers::ON_YIELD, |_lua, _event| Err(LuaError::runtime("seen")));
    let co = lua.create_thread(func(&lua, "function() coroutine.yield(1) return 2 end")).unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap_err().to_string(), "runtime error: seen");
    assert!(co.is_resumable());
    assert_eq!(co.resume::<i64>(()).unwrap(), 2);
}

#[test]
fn events_caused_by_the_callback_are_not_reported() {
    let lua = Lua::new();
    let count = Rc::new(Cell::new(0));
    let c = count.clone();
    lua.set_thread_event_callback(LuaThreadTriggers::ON_CREATE | LuaThreadTriggers::ON_RESUME, move |lua, _event| {
        c.set(c.get() + 1);
        let inner = lua.create_thread(lua.load("return 1").into_function()?)?;
        inner.resume::<i64>(())?;
        Ok(())
    });
    let co = lua.create_thread(func(&lua, "function() end")).unwrap();
    assert_eq!(count.get(), 1);
    co.resume::<()>(()).unwrap();
    assert_eq!(count.get(), 2);
}

#[test]
fn the_thread_event_callback_may_replace_itself() {
    let lua = Lua::new();
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let l = log.clone();
    lua.set_thread_event_callback(LuaThreadTriggers::ON_RESUME, move |lua, _event| {
        l.borrow_mut().push("first");
        let l2 = l.clone();
        lua.set_thread_event_callback(LuaThreadTriggers::ON_RESUME, move |_lua, _event| {
            l2.borrow_mut().push("second");
            Ok(())
        });
        Ok(())
    });
    let co = lua.create_thread(func(&lua, "function() coroutine.yield() end")).unwrap();
    co.resume::<()>(()).unwrap();
    co.resume::<()>(()).unwrap();
    assert_eq!(*log.borrow(), ["first", "second"]);
}
