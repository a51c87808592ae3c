//! The `userdata-wrappers` feature: `Rc<T>`, `Rc<RefCell<T>>`, `Arc<T>`,
//! `Arc<Mutex<T>>`, `Arc<RwLock<T>>` and parking_lot's `Arc<Mutex<T>>`/
//! `Arc<RwLock<T>>` of a userdata type `T` are userdata sharing their value
//! with the host: `T`'s fields and methods work through them, the host's
//! borrows reach `T` inside them, and a borrow or lock held elsewhere is a
//! clean error, never a wait.
//!
//! Run with `cargo test -p luna --features userdata-wrappers --test
//! userdata_wrappers`.
#![cfg(feature = "userdata-wrappers")]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex, RwLock};

use luna::prelude::*;

/// A counter with a field, a reading method, a mutating method and a
/// method that calls back into Lua.
#[derive(Debug)]
struct Counter(i64);

impl LuaUserdata for Counter {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_field("kind", "counter");
        fields.add_field_method_get("n", |_, this| Ok(this.0));
        fields.add_field_method_set("n", |_, this, n: i64| {
            this.0 = n;
            Ok(())
        });
    }

    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_method("get", |_, this, ()| Ok(this.0));
        methods.add_method_mut("bump", |_, this, by: Option<i64>| {
            this.0 += by.unwrap_or(1);
            Ok(this.0)
        });
        methods.add_method("with", |_, _, f: LuaFunction| f.call::<LuaValue>(()));
        methods.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| Ok(format!("Counter({})", this.0)));
    }
}

/// Runs `code` and returns the message of the error it raises.
fn error_of(lua: &Lua, code: &str) -> String {
    match lua.load(code).exec() {
        Ok(()) => panic!("expected an error from {code:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_rc_is_a_userdata_with_the_fields_and_methods_of_its_value() -> LuaResult<()> {
    let lua = Lua::new();
    let counter = Rc::new(Counter(5));
    lua.globals().set("c", counter.clone())?;
    lua.load(
        r#"
        assert(c.kind == "counter")
        assert(c.n == 5 and c:get() == 5)
        assert(tostring(c) == "Counter(5)")
        "#,
    )
    .exec()?;
    let ud: LuaAnyUserdata = lua.globals().get("c")?;
    assert!(ud.is::<Rc<Counter>>());
    assert!(!ud.is::<Counter>());
    assert_eq!(ud.borrow::<Counter>()?.0, 5);
    assert_eq!(ud.borrow_scoped::<Counter, _>(|c| c.0)?, 5);
    Ok(())
}

#[test]
fn an_rc_shared_with_the_host_cannot_be_mutated() -> LuaResult<()> {
    let lua = Lua::new();
    let counter = Rc::new(Counter(1));
    lua.globals().set("c", counter.clone())?;
    assert!(error_of(&lua, "c:bump()").contains("error mutably borrowing userdata"));
    assert!(error_of(&lua, "c.n = 3").contains("error mutably borrowing userdata"));
    let ud: LuaAnyUserdata = lua.globals().get("c")?;
    // Never a mutable guard, even a borrow in place fails while shared.
    assert!(matches!(ud.borrow_mut::<Counter>(), Err(LuaError::UserDataBorrowMutError)));
    assert!(matches!(ud.borrow_mut_scoped::<Counter, _>(|c| c.0 = 9), Err(LuaError::UserDataBorrowMutError)));
    assert_eq!(counter.0, 1);

    // Once the userdata holds the only reference, Lua may mutate it.
    drop(counter);
    lua.load("c:bump(10); c.n = c.n + 1").exec()?;
    assert_eq!(ud.borrow_mut_scoped::<Counter, _>(|c| c.0)?, 12);
    assert!(matches!(ud.take::<Counter>(), Err(LuaError::UserDataTypeMismatch)));
    let back = ud.take::<Rc<Counter>>()?;
    assert_eq!(back.0, 12);
    assert!(matches!(ud.borrow::<Counter>(), Err(LuaError::UserDataDestructed)));
    Ok(())
}

#[test]
fn collecting_a_wrapper_userdata_drops_its_reference() -> LuaResult<()> {
    let lua = Lua::new();
    let counter = Arc::new(Counter(0));
    lua.globals().set("c", counter.clone())?;
    assert_eq!(Arc::strong_count(&counter), 2);
    lua.globals().set("c", LuaNil)?;
    lua.gc_collect()?;
    assert_eq!(Arc::strong_count(&counter), 1);
    Ok(())
}

#[test]
fn an_arc_follows_the_rules_of_an_rc() -> LuaResult<()> {
    let lua = Lua::new();
    let counter = Arc::new(Counter(2));
    let ud = lua.create_userdata(counter.clone())?;
    lua.globals().set("c", &ud)?;
    assert_eq!(lua.load("return c:get()").eval::<i64>()?, 2);
    assert!(error_of(&lua, "c:bump()").contains("error mutably borrowing userdata"));
    assert!(ud.borrow_mut::<Arc<Counter>>().is_ok());
    drop(counter);
    assert_eq!(lua.load("return c:bump()").eval::<i64>()?, 3);
    Ok(())
}

#[test]
fn an_rc_refcell_is_borrowed_under_the_cells_rules() -> LuaResult<()> {
    let lua = Lua::new();
    let cell = Rc::new(RefCell::new(Counter(0)));
    lua.globals().set("c", cell.clone())?;
    lua.load("c:bump(); c.n = c.n + 40; c:bump()").exec()?;
    assert_eq!(cell.borrow().0, 42);

    // The host reading: Lua may read but not write.
    {
        let reading = cell.borrow();
        assert_eq!(lua.load("return c.n").eval::<i64>()?, 42);
        assert!(error_of(&lua, "c:bump()").contains("error mutably borrowing userdata"));
        drop(reading);
    }
    // The host writing: Lua may do neither.
    {
        let writing = cell.borrow_mut();
        assert!(error_of(&lua, "return c:get()").contains("error borrowing userdata"));
        drop(writing);
    }

    // Guards from the handle borrow the cell.
    let ud: LuaAnyUserdata = lua.globals().get("c")?;
    {
        let mut g = ud.borrow_mut::<Counter>()?;
        g.0 = 7;
        assert!(cell.try_borrow().is_err());
        assert!(matches!(ud.borrow::<Counter>(), Err(LuaError::UserDataBorrowError)));
    }
    let a = ud.borrow::<Counter>()?;
    let b = ud.borrow::<Counter>()?;
    assert_eq!(a.0 + b.0, 14);
    assert!(matches!(ud.borrow_mut::<Counter>(), Err(LuaError::UserDataBorrowMutError)));
    Ok(())
}

#[test]
fn std_locks_are_reached_in_place_only() -> LuaResult<()> {
    let lua = Lua::new();
    let m = Arc::new(Mutex::new(Counter(1)));
    let rw = Arc::new(RwLock::new(Counter(1)));
    lua.globals().set("m", m.clone())?;
    lua.globals().set("rw", rw.clone())?;
    lua.load("m:bump(); rw:bump(); m.n = m.n * 10; rw.n = rw.n * 100").exec()?;
    assert_eq!(m.lock().unwrap().0, 20);
    assert_eq!(rw.read().unwrap().0, 200);

    let (mu, rwu): (LuaAnyUserdata, LuaAnyUserdata) = (lua.globals().get("m")?, lua.globals().get("rw")?);
    // No guard can be kept on a std lock.
    assert!(matches!(mu.borrow::<Counter>(), Err(LuaError::UserDataTypeMismatch)));
    assert!(matches!(rwu.borrow_mut::<Counter>(), Err(LuaError::UserDataTypeMismatch)));
    mu.borrow_mut_scoped::<Counter, _>(|c| c.0 += 1)?;
    assert_eq!(mu.borrow_scoped::<Counter, _>(|c| c.0)?, 21);
    assert_eq!(rwu.borrow_scoped::<Counter, _>(|c| c.0)?, 200);
    Ok(())
}

#[test]
fn a_lock_held_elsewhere_is_an_error_not_a_wait() -> LuaResult<()> {
    let lua = Lua::new();
    let m = Arc::new(Mutex::new(Counter(0)));
    lua.globals().set("m", m.clone())?;
    {
        let _held = m.lock().unwrap();
        assert!(error_of(&lua, "return m:get()").contains("error borrowing userdata"));
        assert!(error_of(&lua, "m.n = 1").contains("error mutably borrowing userdata"));
    }
    let rw = Arc::new(RwLock::new(Counter(0)));
    lua.globals().set("rw", rw.clone())?;
    {
        let _reading = rw.read().unwrap();
        assert_eq!(lua.load("return rw.n").eval::<i64>()?, 0);
        assert!(error_of(&lua, "rw:bump()").contains("error mutably borrowing userdata"));
    }
    // A method calling back into a method of the same locked value.
    lua.globals().set("m", m.clone())?;
    let msg = error_of(&lua, "m:with(function() return m:get() end)");
    assert!(msg.contains("error borrowing userdata"), "{msg}");
    assert_eq!(lua.load("return m:get()").eval::<i64>()?, 0);
    Ok(())
}

#[test]
fn a_poisoned_lock_is_an_error() -> LuaResult<()> {
    let lua = Lua::new();
    let m = Arc::new(Mutex::new(Counter(0)));
    let poisoner = m.clone();
    let _ = std::thread::spawn(move || {
        let _held = poisoner.lock().unwrap();
        panic!("poisoning the lock on purpose");
    })
    .join();
    assert!(m.is_poisoned());
    lua.globals().set("m", m.clone())?;
    assert!(error_of(&lua, "return m.n").contains("error borrowing userdata"));
    assert!(error_of(&lua, "m:bump()").contains("error mutably borrowing userdata"));
    let ud: LuaAnyUserdata = lua.globals().get("m")?;
    assert!(matches!(ud.borrow_scoped::<Counter, _>(|c| c.0), Err(LuaError::UserDataBorrowError)));
    Ok(())
}

#[test]
fn parking_lot_locks_give_guards_holding_the_lock() -> LuaResult<()> {
    let lua = Lua::new();
    let m = Arc::new(parking_lot::Mutex::new(Counter(1)));
    let ud = lua.create_userdata(m.clone())?;
    lua.globals().set("m", &ud)?;
    {
        let mut g = ud.borrow_mut::<Counter>()?;
        g.0 = 5;
        assert!(m.try_lock().is_none());
        assert!(error_of(&lua, "return m:get()").contains("error borrowing userdata"));
        assert!(matches!(ud.borrow::<Counter>(), Err(LuaError::UserDataBorrowError)));
    }
    assert_eq!(lua.load("return m:bump()").eval::<i64>()?, 6);
    assert_eq!(m.lock().0, 6);

    let rw = Arc::new(parking_lot::RwLock::new(Counter(1)));
    let ud = lua.create_userdata(rw.clone())?;
    lua.globals().set("rw", &ud)?;
    {
        let reading = ud.borrow::<Counter>()?;
        assert_eq!(reading.0, 1);
        assert_eq!(lua.load("return rw:get()").eval::<i64>()?, 1);
        assert!(error_of(&lua, "rw:bump()").contains("error mutably borrowing userdata"));
        assert!(matches!(ud.borrow_mut::<Counter>(), Err(LuaError::UserDataBorrowMutError)));
    }
    lua.load("rw:bump(); rw.n = rw.n + 1").exec()?;
    assert_eq!(rw.read().0, 3);
    Ok(())
}

#[test]
fn a_guard_outlives_the_lua_reference() -> LuaResult<()> {
    let lua = Lua::new();
    let cell = Rc::new(RefCell::new(Counter(3)));
    let guard = lua.convert::<LuaUserdataRef<Counter>>(cell.clone())?;
    lua.gc_collect()?;
    assert_eq!(guard.0, 3);
    assert!(cell.try_borrow_mut().is_err());
    drop(guard);
    lua.gc_collect()?;
    assert_eq!(Rc::strong_count(&cell), 1);
    Ok(())
}

#[test]
fn functions_taking_the_value_accept_its_wrappers() -> LuaResult<()> {
    let lua = Lua::new();
    let total = lua.create_function(|_, (a, b): (LuaUserdataRef<Counter>, LuaUserdataRef<Counter>)| Ok(a.0 + b.0))?;
    let reset = lua.create_function(|_, mut c: LuaUserdataRefMut<Counter>| {
        c.0 = 0;
        Ok(())
    })?;
    lua.globals().set("total", total)?;
    lua.globals().set("reset", reset)?;
    lua.globals().set("plain", Counter(1))?;
    lua.globals().set("shared", Rc::new(RefCell::new(Counter(2))))?;
    lua.globals().set("locked", Arc::new(parking_lot::Mutex::new(Counter(3))))?;
    assert_eq!(lua.load("return total(plain, shared) + total(locked, plain)").eval::<i64>()?, 7);
    lua.load("reset(shared); reset(locked)").exec()?;
    assert_eq!(lua.load("return total(shared, locked)").eval::<i64>()?, 0);
    // An `Rc<T>` gives no mutable guard.
    lua.globals().set("rc", Rc::new(Counter(4)))?;
    assert!(error_of(&lua, "reset(rc)").contains("error mutably borrowing userdata"));
    Ok(())
}

#[test]
fn wrappers_are_distinct_types_sharing_the_registration() -> LuaResult<()> {
    let lua = Lua::new();
    lua.globals().set("plain", Counter(1))?;
    lua.globals().set("rc", Rc::new(Counter(2)))?;
    // Methods taken from one type's metatable work on the other.
    let v = lua.load("local get = plain.get return get(rc), get(plain)").eval::<(i64, i64)>()?;
    assert_eq!(v, (2, 1));
    let rc: LuaAnyUserdata = lua.globals().get("rc")?;
    assert_eq!(rc.type_name()?, "Rc<Counter>");
    Ok(())
}

#[test]
fn a_scope_lends_wrappers_but_does_not_own_them() -> LuaResult<()> {
    let lua = Lua::new();
    let cell = Rc::new(RefCell::new(Counter(1)));
    lua.scope(|scope| {
        let ud = scope.create_userdata_ref(&cell)?;
        lua.load("local c = ... c:bump(); c.n = c.n * 10").call::<()>(&ud)?;
        assert_eq!(ud.borrow_scoped::<Counter, _>(|c| c.0)?, 20);
        let owned = scope.create_userdata(Rc::new(Counter(0)));
        assert!(matches!(owned, Err(LuaError::RuntimeError(m)) if m.contains("userdata wrapper")));
        Ok(())
    })?;
    assert_eq!(cell.borrow().0, 20);
    Ok(())
}
