//! The collector from the host: full collections and steps, stopping and
//! restarting, the mode and its parameters as Lua sees them
//! (`collectgarbage`), memory accounting, and the memory limit (its
//! previous value, memory errors in loads and coroutines, and recovery).

use std::rc::Rc;

use luna::prelude::*;

struct Payload(#[allow(dead_code)] Rc<()>);
impl LuaUserdata for Payload {}

#[test]
fn a_full_collection_frees_what_is_unreachable() {
    let lua = Lua::new();
    let rc = Rc::new(());
    lua.globals().set("ud", lua.create_userdata(Payload(rc.clone())).unwrap()).unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(Rc::strong_count(&rc), 2, "still reachable");
    lua.globals().raw_remove("ud").unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(Rc::strong_count(&rc), 1);
}

#[test]
fn steps_finish_a_cycle() {
    let lua = Lua::new();
    lua.load("junk = {} for i = 1, 5000 do junk[i] = {i} end junk = nil").exec().unwrap();
    let mut steps = 0;
    while !lua.gc_step().unwrap() {
        steps += 1;
        assert!(steps < 100_000, "a cycle never finished");
    }
    let mut big_steps = 0;
    while !lua.gc_step_kbytes(1024).unwrap() {
        big_steps += 1;
        assert!(big_steps < 1000);
    }
}

#[test]
fn a_host_that_never_runs_lua_still_has_its_garbage_collected() {
    // The facade's operations are collection points (as PUC's API
    // functions are): values the host creates and drops are freed without
    // any script running, and userdata finalizers run.
    let lua = Lua::new();
    let base = lua.used_memory();
    let rc = Rc::new(());
    for i in 0..200_000 {
        let t = lua.create_table().unwrap();
        t.set(1, i).unwrap();
        drop(lua.create_string(format!("garbage {i}")).unwrap());
        if i % 10 == 0 {
            drop(lua.create_userdata(Payload(rc.clone())).unwrap());
        }
    }
    let grown = lua.used_memory() - base;
    assert!(grown < 4 << 20, "the heap grew by {grown} bytes");
    assert!(Rc::strong_count(&rc) < 20_000, "{} payloads still alive", Rc::strong_count(&rc) - 1);
}

#[test]
fn stopping_the_collector_is_seen_by_lua() {
    let lua = Lua::new();
    assert!(lua.gc_is_running());
    lua.gc_stop();
    assert!(!lua.gc_is_running());
    assert!(!lua.load("return collectgarbage('isrunning')").eval::<bool>().unwrap());
    // Stopped, garbage accumulates; an explicit collection still works.
    let before = lua.used_memory();
    lua.load("for i = 1, 10000 do local t = {i} end").exec().unwrap();
    let grown = lua.used_memory();
    assert!(grown > before + 100_000, "{before} -> {grown}");
    lua.gc_collect().unwrap();
    assert!(lua.used_memory() < grown);
    lua.gc_restart();
    assert!(lua.load("return collectgarbage('isrunning')").eval::<bool>().unwrap());
}

#[test]
fn set_mode_returns_the_previous_mode_and_applies_the_parameters() {
    let lua = Lua::new();
    let inc = LuaGcIncParams::default().pause(150).step_multiplier(300);
    assert_eq!(lua.gc_set_mode(LuaGcMode::Incremental(inc)), LuaGcMode::Incremental(LuaGcIncParams::default()));
    // `setpause` and `setstepmul` return the values they replace.
    assert_eq!(lua.load("return collectgarbage('setpause', 200)").eval::<i64>().unwrap(), 150);
    assert_eq!(lua.load("return collectgarbage('setstepmul', 100)").eval::<i64>().unwrap(), 300);
    // A parameter left out keeps its value.
    lua.gc_set_mode(LuaGcMode::Incremental(LuaGcIncParams::default().step_multiplier(250)));
    assert_eq!(lua.load("return collectgarbage('setpause', 200)").eval::<i64>().unwrap(), 200);
    assert_eq!(lua.load("return collectgarbage('setstepmul', 100)").eval::<i64>().unwrap(), 250);

    let generational = LuaGcMode::Generational(LuaGcGenParams::default().minor_multiplier(30).minor_to_major(80));
    assert!(matches!(lua.gc_set_mode(generational), LuaGcMode::Incremental(_)));
    assert_eq!(lua.load("return collectgarbage('incremental')").eval::<String>().unwrap(), "generational");
    assert!(matches!(lua.gc_set_mode(LuaGcMode::Generational(LuaGcGenParams::default())), LuaGcMode::Incremental(_)));
    // Collections work in generational mode.
    let rc = Rc::new(());
    lua.globals().set("ud", lua.create_userdata(Payload(rc.clone())).unwrap()).unwrap();
    lua.globals().raw_remove("ud").unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(Rc::strong_count(&rc), 1);
    assert!(matches!(lua.gc_set_mode(LuaGcMode::Incremental(LuaGcIncParams::default())), LuaGcMode::Generational(_)));
}

#[test]
fn memory_accounting_follows_allocations() {
    let lua = Lua::new();
    lua.gc_collect().unwrap();
    let base = lua.used_memory();
    assert!(base > 0);
    lua.load("big = string.rep('x', 1 << 20)").exec().unwrap();
    assert!(lua.used_memory() >= base + (1 << 20));
    let kb: f64 = lua.load("return collectgarbage('count')").eval().unwrap();
    assert!((kb * 1024.0) as usize >= 1 << 20);
    lua.load("big = nil").exec().unwrap();
    lua.gc_collect().unwrap();
    assert!(lua.used_memory() < base + (1 << 19));
}

#[test]
fn set_memory_limit_returns_the_previous_limit() {
    let lua = Lua::new();
    assert_eq!(lua.set_memory_limit(10 << 20).unwrap(), 0);
    assert_eq!(lua.set_memory_limit(20 << 20).unwrap(), 10 << 20);
    assert_eq!(lua.set_memory_limit(0).unwrap(), 20 << 20);
    assert_eq!(lua.set_memory_limit(0).unwrap(), 0);
}

// The braces match `MemoryError` whether it is a unit variant or mlua's
// `MemoryError(String)`.
#[allow(clippy::unneeded_struct_pattern)]
fn is_memory_error(e: &LuaError) -> bool {
    matches!(e, LuaError::MemoryError(_))
}

#[test]
fn the_memory_limit_applies_to_scripts_loads_and_coroutines() {
    let lua = Lua::new();
    let fill = lua.load("local t = {} for i = 1, 100000 do t[i] = i end").into_function().unwrap();
    let co = lua.create_thread(fill.clone()).unwrap();
    lua.set_memory_limit(lua.used_memory() + 50_000).unwrap();
    let err = fill.call::<()>(()).unwrap_err();
    assert!(is_memory_error(&err), "{err:?}");
    let err = co.resume::<()>(()).unwrap_err();
    assert!(is_memory_error(&err), "{err:?}");
    assert!(co.is_error());
    // Loading a chunk allocates too.
    lua.set_memory_limit(lua.used_memory() + 1024).unwrap();
    let src = format!("return {{{}}}", "1, ".repeat(20_000));
    let err = lua.load(src).into_function().unwrap_err();
    assert!(is_memory_error(&err), "{err:?}");
    // Without the limit all of it works again.
    lua.set_memory_limit(0).unwrap();
    fill.call::<()>(()).unwrap();
    assert_eq!(lua.load("return 40 + 2").eval::<i64>().unwrap(), 42);
}
