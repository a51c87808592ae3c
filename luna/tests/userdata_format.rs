//! How a userdata shows itself to the host: `{:#?}` of a userdata (or of a
//! value or table holding one) is what its `__todebugstring`, else its
//! `__tostring`, metamethod makes of it, else its type name and address;
//! type names leave out module paths, inside generic arguments too.

use std::collections::HashMap;

use luna::prelude::*;

struct Both;
impl LuaUserdata for Both {
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method(LuaMetaMethod::ToString, |_, _, ()| Ok("for scripts"));
        methods.add_meta_method("__todebugstring", |_, _, ()| Ok("for the host"));
    }
}

struct Plain;
impl LuaUserdata for Plain {}

struct Failing;
impl LuaUserdata for Failing {
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method(LuaMetaMethod::ToString, |_, _, ()| Err::<String, _>(LuaError::runtime("no")));
    }
}

#[test]
fn the_debug_metamethod_comes_before_tostring() -> LuaResult<()> {
    let lua = Lua::new();
    let ud = lua.create_userdata(Both)?;
    assert_eq!(format!("{ud:#?}"), "for the host");
    assert_eq!(format!("{:#?}", LuaValue::UserData(ud.clone())), "for the host");
    assert_eq!(LuaValue::UserData(ud).to_string()?, "for scripts");
    Ok(())
}

#[test]
fn without_metamethods_the_type_name_and_address_show() -> LuaResult<()> {
    let lua = Lua::new();
    let ud = lua.create_userdata(Plain)?;
    assert_eq!(format!("{ud:#?}"), format!("Plain: {:?}", ud.to_pointer()));
    // A failing metamethod falls back to the same.
    let failing = lua.create_userdata(Failing)?;
    assert_eq!(format!("{failing:#?}"), format!("Failing: {:?}", failing.to_pointer()));
    // The plain `{:?}` names the handle.
    assert!(format!("{ud:?}").starts_with("LuaAnyUserdata("));
    Ok(())
}

#[test]
fn a_table_shows_its_userdata_the_same_way() -> LuaResult<()> {
    let lua = Lua::new();
    let t = lua.create_table()?;
    t.set("u", Both)?;
    assert_eq!(format!("{:#?}", LuaValue::Table(t)), "{\n  u = for the host,\n}");
    Ok(())
}

#[test]
fn type_names_leave_out_module_paths() -> LuaResult<()> {
    let lua = Lua::new();
    lua.register_userdata_type::<HashMap<i32, String>>(|_| {})?;
    let map = lua.create_any_userdata(HashMap::<i32, String>::new())?;
    assert_eq!(map.type_name()?, "HashMap<i32, String>");
    assert!(format!("{map:#?}").starts_with("HashMap<i32, String>: 0x"));
    lua.register_userdata_type::<Vec<Option<std::rc::Rc<u8>>>>(|_| {})?;
    let v = lua.create_any_userdata(Vec::<Option<std::rc::Rc<u8>>>::new())?;
    assert_eq!(v.type_name()?, "Vec<Option<Rc<u8>>>");
    Ok(())
}
