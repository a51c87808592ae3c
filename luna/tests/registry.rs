//! Values the host keeps in a state, and typed application data: named
//! registry values (`set_named_registry_value`, `named_registry_value`,
//! `unset_named_registry_value`), registry keys (`create_registry_value`,
//! `registry_value`, `replace_registry_value`, `remove_registry_value`)
//! keeping values alive across collections, keys used with another or a
//! dropped state, and app data (`set_app_data`, `app_data_ref`,
//! `app_data_mut`, `remove_app_data`), its borrow conflicts, and its use
//! from inside callbacks.

use std::cell::Cell;
use std::rc::Rc;

use luna::prelude::*;

/// A weak-valued table in the globals, to observe whether a value was
/// collected: `watch(v)` puts `v` in it, `alive()` tells whether it is
/// still there.
fn install_watch(lua: &Lua) {
    lua.load(
        "local weak = setmetatable({}, {__mode = 'v'})
         function watch(v) weak[1] = v end
         function alive() return weak[1] ~= nil end",
    )
    .exec()
    .unwrap();
}

fn alive(lua: &Lua) -> bool {
    lua.load("alive()").eval().unwrap()
}

// ---------------------------------------------------------------------------
// Named values.

#[test]
fn named_registry_values() {
    let lua = Lua::new();
    lua.set_named_registry_value("answer", 42).unwrap();
    lua.set_named_registry_value("name", "luna").unwrap();
    assert_eq!(lua.named_registry_value::<i64>("answer").unwrap(), 42);
    assert_eq!(lua.named_registry_value::<String>("name").unwrap(), "luna");
    // Missing names read as nil.
    assert_eq!(lua.named_registry_value::<Option<i64>>("missing").unwrap(), None);
    assert!(lua.named_registry_value::<LuaValue>("missing").unwrap().is_nil());
    // A wrong type is a conversion error.
    let err = lua.named_registry_value::<LuaTable>("answer").unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    // Overwrite, then unset.
    lua.set_named_registry_value("answer", 43).unwrap();
    assert_eq!(lua.named_registry_value::<i64>("answer").unwrap(), 43);
    lua.unset_named_registry_value("answer").unwrap();
    assert_eq!(lua.named_registry_value::<Option<i64>>("answer").unwrap(), None);
    // Unsetting a missing name is fine.
    lua.unset_named_registry_value("never set").unwrap();
    // Names are not globals.
    assert!(lua.globals().get::<LuaValue>("name").unwrap().is_nil());
}

#[test]
fn named_registry_values_hold_handles() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    t.set("x", 1).unwrap();
    lua.set_named_registry_value("table", &t).unwrap();
    let back: LuaTable = lua.named_registry_value("table").unwrap();
    assert_eq!(back, t);
    let f: LuaFunction = lua.load("return function(a) return a * 2 end").eval().unwrap();
    lua.set_named_registry_value("double", f).unwrap();
    let f: LuaFunction = lua.named_registry_value("double").unwrap();
    assert_eq!(f.call::<i64>(21).unwrap(), 42);
    // Names are separate from one another, and separate per state.
    let other = Lua::new();
    assert!(other.named_registry_value::<LuaValue>("table").unwrap().is_nil());
    // A handle from another state is refused.
    let err = other.set_named_registry_value("table", &t).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
}

#[test]
fn named_registry_values_keep_values_alive() {
    let lua = Lua::new();
    install_watch(&lua);
    let t: LuaTable = lua.load("local t = {payload = 'kept'} watch(t) return t").eval().unwrap();
    lua.set_named_registry_value("kept", t).unwrap();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert!(alive(&lua));
    let t: LuaTable = lua.named_registry_value("kept").unwrap();
    assert_eq!(t.get::<String>("payload").unwrap(), "kept");
    drop(t);
    lua.unset_named_registry_value("kept").unwrap();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert!(!alive(&lua));
}

#[test]
fn named_registry_values_from_callbacks() {
    let lua = Lua::new();
    let store = lua.create_function(|lua, v: LuaValue| lua.set_named_registry_value("stash", v)).unwrap();
    let load = lua.create_function(|lua, ()| lua.named_registry_value::<LuaValue>("stash")).unwrap();
    lua.globals().set("store", store).unwrap();
    lua.globals().set("load_stash", load).unwrap();
    let n: i64 = lua.load("store({n = 5}) return load_stash().n").eval().unwrap();
    assert_eq!(n, 5);
    let t: LuaTable = lua.named_registry_value("stash").unwrap();
    assert_eq!(t.get::<i64>("n").unwrap(), 5);
}

// ---------------------------------------------------------------------------
// Keys.

#[test]
fn registry_keys_store_and_replace_values() {
    let lua = Lua::new();
    let mut key = lua.create_registry_value("first").unwrap();
    assert_eq!(lua.registry_value::<String>(&key).unwrap(), "first");
    lua.replace_registry_value(&mut key, 2).unwrap();
    assert_eq!(lua.registry_value::<i64>(&key).unwrap(), 2);
    let t = lua.create_table().unwrap();
    lua.replace_registry_value(&mut key, &t).unwrap();
    assert_eq!(lua.registry_value::<LuaTable>(&key).unwrap(), t);
    // Nil is a value like the others.
    lua.replace_registry_value(&mut key, LuaNil).unwrap();
    assert!(lua.registry_value::<LuaValue>(&key).unwrap().is_nil());
    assert_eq!(lua.registry_value::<Option<i64>>(&key).unwrap(), None);
    lua.replace_registry_value(&mut key, "again").unwrap();
    assert_eq!(lua.registry_value::<String>(&key).unwrap(), "again");
    let nil_key = lua.create_registry_value(LuaNil).unwrap();
    assert!(lua.registry_value::<LuaValue>(&nil_key).unwrap().is_nil());
    assert_eq!(nil_key.id(), -1);
    // A wrong type is a conversion error.
    let err = lua.registry_value::<i64>(&key).unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { .. }), "{err:?}");
    lua.remove_registry_value(key).unwrap();
    lua.remove_registry_value(nil_key).unwrap();
}

#[test]
fn many_keys_are_independent() {
    let lua = Lua::new();
    let keys: Vec<LuaRegistryKey> = (0..1000).map(|i| lua.create_registry_value(i * 3).unwrap()).collect();
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(lua.registry_value::<i64>(k).unwrap(), i as i64 * 3);
    }
    // Removing some keys leaves the others intact, and freed slots are reused safely.
    let mut keys: Vec<Option<LuaRegistryKey>> = keys.into_iter().map(Some).collect();
    for i in (0..1000).step_by(2) {
        lua.remove_registry_value(keys[i].take().unwrap()).unwrap();
    }
    let fresh: Vec<LuaRegistryKey> = (0..500).map(|i| lua.create_registry_value(format!("new {i}")).unwrap()).collect();
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            assert_eq!(lua.registry_value::<i64>(k).unwrap(), i as i64 * 3);
        }
    }
    for (i, k) in fresh.iter().enumerate() {
        assert_eq!(lua.registry_value::<String>(k).unwrap(), format!("new {i}"));
    }
}

#[test]
fn registry_keys_keep_values_alive_across_collections() {
    let lua = Lua::new();
    install_watch(&lua);
    let t: LuaTable = lua.load("local t = {payload = 'kept'} watch(t) return t").eval().unwrap();
    let mut key = lua.create_registry_value(t).unwrap();
    // The key alone keeps the table.
    for _ in 0..3 {
        lua.gc_collect().unwrap();
    }
    lua.load("local garbage = {} for i = 1, 10000 do garbage[i] = {i} end").exec().unwrap();
    lua.gc_collect().unwrap();
    assert!(alive(&lua));
    let t: LuaTable = lua.registry_value(&key).unwrap();
    assert_eq!(t.get::<String>("payload").unwrap(), "kept");
    drop(t);
    // Replacing the value releases the old one.
    lua.replace_registry_value(&mut key, 1).unwrap();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert!(!alive(&lua));
    // Removing (or dropping) a key releases its value.
    let t: LuaTable = lua.load("local t = {} watch(t) return t").eval().unwrap();
    let key2 = lua.create_registry_value(t).unwrap();
    lua.gc_collect().unwrap();
    assert!(alive(&lua));
    lua.remove_registry_value(key2).unwrap();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert!(!alive(&lua));
    let t: LuaTable = lua.load("local t = {} watch(t) return t").eval().unwrap();
    let key3 = lua.create_registry_value(t).unwrap();
    lua.gc_collect().unwrap();
    assert!(alive(&lua));
    drop(key3);
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert!(!alive(&lua));
    drop(key);
}

#[test]
fn registry_keys_keep_functions_and_threads_alive() {
    let lua = Lua::new();
    let key = {
        let f: LuaFunction =
            lua.load("local up = {n = 0} return function() up.n = up.n + 1 return up.n end").eval().unwrap();
        lua.create_registry_value(f).unwrap()
    };
    let co_key = {
        let co: LuaThread = lua.load("coroutine.create(function() coroutine.yield(1) return 2 end)").eval().unwrap();
        co.resume::<i64>(()).unwrap();
        lua.create_registry_value(co).unwrap()
    };
    lua.load("local t = {} for i = 1, 10000 do t[i] = tostring(i) end").exec().unwrap();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    let f: LuaFunction = lua.registry_value(&key).unwrap();
    assert_eq!(f.call::<i64>(()).unwrap(), 1);
    assert_eq!(f.call::<i64>(()).unwrap(), 2);
    let co: LuaThread = lua.registry_value(&co_key).unwrap();
    assert_eq!(co.resume::<i64>(()).unwrap(), 2);
}

#[test]
fn registry_key_used_with_another_state_is_an_error() {
    let lua1 = Lua::new();
    let lua2 = Lua::new();
    let mut key = lua1.create_registry_value("mine").unwrap();
    let err = lua2.registry_value::<LuaValue>(&key).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedRegistryKey), "{err:?}");
    let err = lua2.replace_registry_value(&mut key, 1).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedRegistryKey), "{err:?}");
    assert!(!lua2.owns_registry_value(&key));
    // The value itself is untouched.
    assert_eq!(lua1.registry_value::<String>(&key).unwrap(), "mine");
    // Keys of two states never alias, even with the same slot numbers.
    let key2 = lua2.create_registry_value("theirs").unwrap();
    assert_eq!(lua2.registry_value::<String>(&key2).unwrap(), "theirs");
    assert_eq!(lua1.registry_value::<String>(&key).unwrap(), "mine");
    // A clone of the state is the same state.
    let clone = lua1.clone();
    assert_eq!(clone.registry_value::<String>(&key).unwrap(), "mine");
    // Storing a handle of another state is refused too.
    let t2 = lua2.create_table().unwrap();
    let err = lua1.create_registry_value(t2.clone()).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
    let err = lua1.replace_registry_value(&mut key, t2).unwrap_err();
    assert!(matches!(err, LuaError::MismatchedState), "{err:?}");
}

#[test]
fn registry_key_after_its_state_is_dropped_is_an_error() {
    let lua1 = Lua::new();
    let mut key = lua1.create_registry_value("gone").unwrap();
    drop(lua1);
    let lua2 = Lua::new();
    let err = lua2.registry_value::<LuaValue>(&key).unwrap_err();
    assert!(matches!(err, LuaError::StateDropped), "{err:?}");
    let err = lua2.replace_registry_value(&mut key, 1).unwrap_err();
    assert!(matches!(err, LuaError::StateDropped), "{err:?}");
    // Removing or dropping it is harmless.
    lua2.remove_registry_value(key).unwrap();
    let key = {
        let lua3 = Lua::new();
        lua3.create_registry_value(1).unwrap()
    };
    drop(key);
}

#[test]
fn registry_keys_in_callbacks() {
    let lua = Lua::new();
    let key = Rc::new(std::cell::RefCell::new(lua.create_registry_value(0).unwrap()));
    let k = key.clone();
    let bump = lua
        .create_function(move |lua, by: i64| {
            let n: i64 = lua.registry_value(&k.borrow())?;
            lua.replace_registry_value(&mut k.borrow_mut(), n + by)?;
            Ok(n + by)
        })
        .unwrap();
    lua.globals().set("bump", bump).unwrap();
    lua.load("for i = 1, 10 do bump(i) end").exec().unwrap();
    assert_eq!(lua.registry_value::<i64>(&key.borrow()).unwrap(), 55);
}

// ---------------------------------------------------------------------------
// App data.

#[derive(Debug, PartialEq)]
struct Config {
    name: String,
    level: u32,
}

#[test]
fn set_app_data_returns_the_previous_value() {
    let lua = Lua::new();
    assert!(lua.app_data_ref::<Config>().is_none());
    assert_eq!(lua.set_app_data(Config { name: "a".into(), level: 1 }), None);
    let old = lua.set_app_data(Config { name: "b".into(), level: 2 });
    assert_eq!(old, Some(Config { name: "a".into(), level: 1 }));
    assert_eq!(lua.app_data_ref::<Config>().unwrap().name, "b");
    // Types are separate slots.
    assert_eq!(lua.set_app_data(7u64), None);
    assert_eq!(lua.set_app_data(String::from("s")), None);
    assert_eq!(*lua.app_data_ref::<u64>().unwrap(), 7);
    assert_eq!(*lua.app_data_ref::<String>().unwrap(), "s");
    assert_eq!(lua.app_data_ref::<Config>().unwrap().level, 2);
    assert!(lua.app_data_ref::<u32>().is_none());
}

#[test]
fn app_data_ref_and_mut() {
    let lua = Lua::new();
    lua.set_app_data(Config { name: "x".into(), level: 1 });
    {
        let mut c = lua.app_data_mut::<Config>().unwrap();
        c.level += 10;
        c.name.push('!');
    }
    let c = lua.app_data_ref::<Config>().unwrap();
    assert_eq!(*c, Config { name: "x!".into(), level: 11 });
    // Several shared borrows at once.
    let c2 = lua.app_data_ref::<Config>().unwrap();
    assert_eq!(c2.level, c.level);
    // Borrows of different types are independent.
    lua.set_app_data(1i32);
    *lua.app_data_mut::<i32>().unwrap() += 1;
    assert_eq!(*lua.app_data_ref::<i32>().unwrap(), 2);
    drop((c, c2));
    assert!(lua.app_data_mut::<Config>().is_some());
}

#[test]
fn app_data_borrow_conflicts_are_none_not_panics() {
    let lua = Lua::new();
    lua.set_app_data(Config { name: "x".into(), level: 1 });
    let r = lua.app_data_ref::<Config>().unwrap();
    assert!(lua.app_data_mut::<Config>().is_none());
    drop(r);
    let m = lua.app_data_mut::<Config>().unwrap();
    assert!(lua.app_data_ref::<Config>().is_none());
    assert!(lua.app_data_mut::<Config>().is_none());
    drop(m);
    assert!(lua.app_data_ref::<Config>().is_some());
    assert!(lua.app_data_mut::<Config>().is_some());
}

#[test]
fn replacing_or_removing_borrowed_app_data_does_not_panic() {
    let lua = Lua::new();
    lua.set_app_data(Config { name: "old".into(), level: 1 });
    let r = lua.app_data_ref::<Config>().unwrap();
    // The borrowed value cannot be handed back, but the new one is stored.
    assert_eq!(lua.set_app_data(Config { name: "new".into(), level: 2 }), None);
    assert_eq!(r.name, "old");
    assert_eq!(lua.app_data_ref::<Config>().unwrap().name, "new");
    drop(r);
    let m = lua.app_data_mut::<Config>().unwrap();
    assert_eq!(lua.remove_app_data::<Config>(), None);
    assert_eq!(m.name, "new");
    drop(m);
    assert!(lua.app_data_ref::<Config>().is_none());
}

#[test]
fn remove_app_data() {
    let lua = Lua::new();
    assert_eq!(lua.remove_app_data::<Config>(), None);
    lua.set_app_data(Config { name: "x".into(), level: 3 });
    assert_eq!(lua.remove_app_data::<Config>(), Some(Config { name: "x".into(), level: 3 }));
    assert!(lua.app_data_ref::<Config>().is_none());
    assert_eq!(lua.remove_app_data::<Config>(), None);
}

#[test]
fn app_data_is_dropped_with_the_state() {
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let lua = Lua::new();
    lua.set_app_data(Flag(dropped.clone()));
    let clone = lua.clone();
    drop(lua);
    assert!(!dropped.get(), "a clone still holds the state");
    assert!(clone.app_data_ref::<Flag>().is_some());
    drop(clone);
    assert!(dropped.get());
}

#[test]
fn app_data_visible_inside_callbacks() {
    let lua = Lua::new();
    lua.set_app_data(Config { name: "cfg".into(), level: 0 });
    let level_up = lua
        .create_function(|lua, by: u32| {
            let mut c = lua.app_data_mut::<Config>().ok_or_else(|| LuaError::runtime("no config"))?;
            c.level += by;
            Ok(c.level)
        })
        .unwrap();
    let name = lua.create_function(|lua, ()| Ok(lua.app_data_ref::<Config>().map(|c| c.name.clone()))).unwrap();
    lua.globals().set("level_up", level_up).unwrap();
    lua.globals().set("config_name", name).unwrap();
    let n: u32 = lua.load("level_up(2) level_up(3) return level_up(5)").eval().unwrap();
    assert_eq!(n, 10);
    assert_eq!(lua.app_data_ref::<Config>().unwrap().level, 10);
    assert_eq!(lua.load("config_name()").eval::<String>().unwrap(), "cfg");
    // A borrow held by the host is seen as a conflict inside the callback, not a panic.
    let held = lua.app_data_ref::<Config>().unwrap();
    let err = lua.load("level_up(1)").exec().unwrap_err();
    assert!(err.to_string().starts_with("no config"), "{err}");
    assert_eq!(lua.load("config_name()").eval::<String>().unwrap(), "cfg");
    drop(held);
    // Set from inside a callback, read by the host.
    let set = lua.create_function(|lua, s: String| Ok(lua.set_app_data(s).is_some())).unwrap();
    lua.globals().set("set_string", set).unwrap();
    assert!(!lua.load("set_string('from lua')").eval::<bool>().unwrap());
    assert!(lua.load("set_string('again')").eval::<bool>().unwrap());
    assert_eq!(*lua.app_data_ref::<String>().unwrap(), "again");
}

#[test]
fn app_data_in_interrupt_callbacks() {
    let lua = Lua::new();
    lua.set_app_data(0u32);
    lua.set_interrupt(|lua| {
        let mut ticks = lua.app_data_mut::<u32>().ok_or_else(|| LuaError::runtime("no counter"))?;
        *ticks += 1;
        if *ticks >= 3 {
            Err(LuaError::runtime("done"))
        } else {
            Ok(LuaVmState::Continue)
        }
    })
    .unwrap();
    let err = lua.load("while true do end").exec().unwrap_err();
    assert!(err.to_string().starts_with("done"), "{err}");
    lua.remove_interrupt().unwrap();
    assert_eq!(*lua.app_data_ref::<u32>().unwrap(), 3);
}

#[test]
fn a_key_to_nil_takes_no_slot_until_it_gets_a_value() {
    let lua = Lua::new();
    let first = lua.create_registry_value(1).unwrap();
    let freed = first.id();
    assert!(freed >= 0);
    drop(first);
    // The freed slot is not spent on a nil...
    let mut nil_key = lua.create_registry_value(LuaNil).unwrap();
    assert_eq!(nil_key.id(), -1);
    assert_eq!(format!("{nil_key:?}"), "LuaRegistryKey(-1)");
    // ...so the next value takes it.
    let next = lua.create_registry_value(2).unwrap();
    assert_eq!(next.id(), freed);
    // Giving the nil key a value gives it a slot; nil gives it back.
    lua.replace_registry_value(&mut nil_key, 7).unwrap();
    let slot = nil_key.id();
    assert!(slot >= 0 && slot != freed);
    assert_eq!(lua.registry_value::<i64>(&nil_key).unwrap(), 7);
    lua.replace_registry_value(&mut nil_key, LuaNil).unwrap();
    assert_eq!(nil_key.id(), -1);
    assert!(lua.registry_value::<LuaValue>(&nil_key).unwrap().is_nil());
    assert_eq!(lua.create_registry_value(true).unwrap().id(), slot);
    // Keys compare by state and slot: two nil keys of a state are equal.
    let other_nil = lua.create_registry_value(LuaNil).unwrap();
    assert_eq!(nil_key, other_nil);
    assert_ne!(nil_key, Lua::new().create_registry_value(LuaNil).unwrap());
    assert_ne!(next, lua.create_registry_value(2).unwrap());
}
