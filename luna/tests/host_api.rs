//! The state-level host API moved from mlua: weak references, modules,
//! opening libraries later, coercions, registry keys as map keys,
//! application data borrows, and nested callback errors.

use std::collections::HashMap;

use luna::prelude::*;

#[test]
fn weak_references_do_not_keep_the_state_alive() {
    let lua = Lua::new();
    let weak = lua.weak();
    let again = weak.try_upgrade().expect("alive");
    assert!(again.ptr_eq(&lua));
    assert_eq!(weak, lua.weak());
    drop((lua, again));
    assert!(weak.try_upgrade().is_none());
}

#[test]
fn modules_registered_preloaded_and_unloaded() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    t.set("name", "mine").unwrap();
    lua.register_module("@mine", &t).unwrap();
    assert_eq!(lua.load("return require('@mine').name").eval::<String>().unwrap(), "mine");
    lua.unload_module("@mine").unwrap();
    let err = lua.load("return require('@mine')").exec().unwrap_err();
    assert!(err.to_string().contains("module '@mine' not found"), "{err}");

    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = calls.clone();
    let loader = lua
        .create_function(move |lua, name: String| {
            seen.set(seen.get() + 1);
            let m = lua.create_table()?;
            m.set("name", name)?;
            Ok(m)
        })
        .unwrap();
    lua.preload_module("pre", loader).unwrap();
    let same: bool =
        lua.load("return require('pre') == require('pre') and require('pre').name == 'pre'").eval().unwrap();
    assert!(same);
    assert_eq!(calls.get(), 1, "the loader runs once");
    lua.unload_module("pre").unwrap();
    lua.load("require('pre')").exec().unwrap();
    assert_eq!(calls.get(), 2, "unloading makes require load again");
}

#[test]
fn libraries_open_after_creation_keep_the_safe_mode() {
    let lua = Lua::new_with(StdLib::NONE, LuaOptions::default()).unwrap();
    assert!(lua.globals().get::<Option<LuaValue>>("require").unwrap().is_none());
    lua.load_std_libs(StdLib::PACKAGE | StdLib::OS).unwrap();
    // Opened into a safe state: the unsafe parts stay out.
    let (loadlib, execute): (LuaValue, LuaValue) = lua.load("return package.loadlib, os.execute").eval().unwrap();
    assert!(loadlib.is_nil() && execute.is_nil());
    assert!(lua.load("return os.time()").eval::<i64>().unwrap() > 0);
}

#[test]
fn coercions_follow_lua() {
    let lua = Lua::new();
    let s = |x: &str| LuaValue::String(lua.create_string(x).unwrap());
    assert_eq!(lua.coerce_integer(s("1")).unwrap(), Some(1));
    assert_eq!(lua.coerce_integer(s("1.0")).unwrap(), Some(1));
    assert_eq!(lua.coerce_integer(s("0x10")).unwrap(), Some(16));
    assert_eq!(lua.coerce_integer(s("1.5")).unwrap(), None);
    assert_eq!(lua.coerce_integer(LuaValue::Boolean(true)).unwrap(), None);
    assert_eq!(lua.coerce_number(s(" 2.5 ")).unwrap(), Some(2.5));
    assert_eq!(lua.coerce_number(LuaValue::Integer(3)).unwrap(), Some(3.0));
    assert_eq!(lua.coerce_number(s("x")).unwrap(), None);
}

#[test]
fn registry_keys_index_maps_and_know_their_state() {
    let lua = Lua::new();
    let other = Lua::new();
    let a = lua.create_registry_value("a").unwrap();
    let b = lua.create_registry_value("b").unwrap();
    let mut map = HashMap::new();
    map.insert(&a, 1);
    map.insert(&b, 2);
    assert_eq!((map[&a], map[&b]), (1, 2));
    assert_ne!(a, b);
    assert!(lua.owns_registry_value(&a) && !other.owns_registry_value(&a));
    assert!(matches!(other.registry_value::<String>(&a), Err(LuaError::MismatchedRegistryKey)));
    assert!(matches!(other.remove_registry_value(a), Err(LuaError::MismatchedRegistryKey)));
    lua.expire_registry_values();
    assert_eq!(lua.registry_value::<String>(&b).unwrap(), "b");
}

#[test]
fn application_data_borrows_are_checked() {
    let lua = Lua::new();
    lua.set_app_data(String::from("cfg"));
    let r = lua.try_app_data_ref::<String>().unwrap().unwrap();
    assert_eq!(format!("{r} {r:?}"), "cfg \"cfg\"");
    assert!(lua.try_app_data_mut::<String>().is_err());
    assert_eq!(lua.try_set_app_data(String::from("new")), Err(String::from("new")));
    drop(r);
    assert_eq!(lua.try_set_app_data(String::from("new")), Ok(Some(String::from("cfg"))));
    assert!(lua.try_app_data_ref::<u8>().unwrap().is_none());
}

#[test]
fn every_callback_crossed_adds_a_layer() {
    let lua = Lua::new();
    let inner = lua.create_function(|_, ()| Err::<(), _>(LuaError::runtime("deep"))).unwrap();
    lua.globals().set("inner", inner).unwrap();
    let outer = lua.create_function(|lua, ()| lua.globals().get::<LuaFunction>("inner")?.call::<()>(())).unwrap();
    let err = outer.call::<()>(()).unwrap_err();
    let LuaError::CallbackError { cause, .. } = &err else { panic!("{err:?}") };
    let LuaError::CallbackError { cause, .. } = &**cause else { panic!("{err:?}") };
    assert!(matches!(&**cause, LuaError::RuntimeError(m) if m == "deep"), "{err:?}");
    // Shown once, with one traceback.
    let shown = err.to_string();
    assert!(shown.starts_with("deep\nstack traceback:"), "{shown}");
    assert_eq!(shown.matches("stack traceback:").count(), 1, "{shown}");
}
