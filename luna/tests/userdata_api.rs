//! The userdata API in mlua 0.12's shape: the `register` hook, userdata of
//! types the program does not own (`register_userdata_type`,
//! `create_any_userdata`, `LuaAnyUserdata::wrap`), class proxies,
//! serializable userdata, owned values, the guarded metatable, numbered and
//! named user values, `destroy`, `add_method_once`, meta fields made at
//! registration, basic-type metatables, `#[derive(FromLua)]`, and the
//! derive macros' mlua vocabulary.

use std::any::TypeId;
use std::rc::Rc;

use luna::prelude::*;
use luna::{LuaInteger, LuaNumber};

fn eval<T: FromLuaMulti>(lua: &Lua, code: &str) -> T {
    lua.load(code).eval().unwrap()
}

fn error_of(lua: &Lua, code: &str) -> String {
    lua.load(code).exec().unwrap_err().to_string()
}

struct Account {
    balance: i64,
}

impl LuaUserdata for Account {
    fn register(reg: &mut LuaUserdataRegistry<Self>) {
        reg.add_field("currency", "EUR");
        reg.add_field_method_get("balance", |_, a| Ok(a.balance));
        reg.add_method_mut("deposit", |_, a, n: i64| {
            a.balance += n;
            Ok(a.balance)
        });
        reg.add_function("open", |_, n: i64| Ok(Account { balance: n }));
        reg.add_method_once("close", |_, a, ()| Ok(a.balance));
    }
}

#[test]
fn register_hook_registers_fields_and_methods() {
    let lua = Lua::new();
    lua.globals().set("a", Account { balance: 5 }).unwrap();
    assert_eq!(eval::<i64>(&lua, "a:deposit(10); return a.balance"), 15);
    assert_eq!(eval::<String>(&lua, "return a.currency"), "EUR");
}

#[test]
fn method_once_consumes_the_value() {
    let lua = Lua::new();
    let a = lua.create_userdata(Account { balance: 3 }).unwrap();
    lua.globals().set("a", &a).unwrap();
    assert_eq!(eval::<i64>(&lua, "return a:close()"), 3);
    assert!(matches!(a.borrow::<Account>(), Err(LuaError::UserDataDestructed)));
    let msg = error_of(&lua, "a:close()");
    assert!(msg.contains("bad argument `self` to `Account.close`"), "{msg}");
    assert!(msg.contains("userdata has been destructed"), "{msg}");
}

#[test]
fn types_the_program_does_not_own() {
    let lua = Lua::new();
    lua.register_userdata_type::<Vec<i64>>(|reg| {
        reg.add_method("sum", |_, v, ()| Ok(v.iter().sum::<i64>()));
        reg.add_method_mut("push", |_, v, x: i64| {
            v.push(x);
            Ok(())
        });
        reg.add_meta_method(LuaMetaMethod::Len, |_, v, ()| Ok(v.len()));
    })
    .unwrap();
    lua.globals().set("v", lua.create_any_userdata(vec![1i64, 2]).unwrap()).unwrap();
    lua.globals().set("w", LuaAnyUserdata::wrap(vec![10i64])).unwrap();
    assert_eq!(eval::<(i64, i64, i64)>(&lua, "v:push(3); return v:sum(), #v, w:sum()"), (6, 3, 10));

    // Registering again replaces the methods for the userdata made afterwards.
    lua.register_userdata_type::<Vec<i64>>(|reg| {
        reg.add_method("first", |_, v, ()| Ok(v.first().copied()));
    })
    .unwrap();
    lua.globals().set("u", LuaAnyUserdata::wrap(vec![7i64, 8])).unwrap();
    assert_eq!(eval::<(i64, bool)>(&lua, "return u:first(), u.sum == nil"), (7, true));
}

#[test]
fn unregistered_types_have_only_a_name() {
    let lua = Lua::new();
    let ud = lua.create_any_userdata(String::from("x")).unwrap();
    assert_eq!(ud.type_name().unwrap(), "String");
    lua.globals().set("s", ud).unwrap();
    let msg = error_of(&lua, "s:len()");
    assert!(msg.contains("attempt to call a nil value (method 'len')"), "{msg}");
}

#[test]
fn proxies_reach_functions_and_constants_without_an_instance() {
    let lua = Lua::new();
    let proxy = lua.create_proxy::<Account>().unwrap();
    assert!(proxy.is_proxy::<Account>());
    assert!(!proxy.is_proxy::<String>());
    assert!(!proxy.is::<Account>());
    lua.globals().set("Account", proxy).unwrap();
    assert_eq!(eval::<(i64, String)>(&lua, "return Account.open(4).balance, Account.currency"), (4, "EUR".into()));
    assert!(lua.load("return Account.balance").exec().is_err());
    assert!(lua.load("return Account:deposit(1)").exec().is_err());
}

#[derive(serde::Serialize)]
struct Point {
    x: i32,
    y: i32,
}

impl LuaUserdata for Point {}

#[test]
fn serializable_userdata_write_their_value() {
    let lua = Lua::new();
    let t = lua.create_table().unwrap();
    t.set("p", lua.create_ser_userdata(Point { x: 1, y: 2 }).unwrap()).unwrap();
    t.set("q", LuaAnyUserdata::wrap_ser(vec!["a", "b"])).unwrap();
    let json = |key: &str| serde_json::to_string(&t.get::<LuaValue>(key).unwrap()).unwrap();
    assert_eq!(json("p"), r#"{"x":1,"y":2}"#);
    assert_eq!(json("q"), r#"["a","b"]"#);
    let p: LuaAnyUserdata = t.get("p").unwrap();
    assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"x":1,"y":2}"#);
    let whole = serde_json::to_string(&t).unwrap();
    assert!(whole.contains(r#""p":{"x":1,"y":2}"#) && whole.contains(r#""q":["a","b"]"#), "{whole}");
    let v = lua.to_value(&t).unwrap();
    let LuaValue::Table(copy) = v else { panic!("a table") };
    let p: LuaTable = copy.get("p").unwrap();
    assert_eq!(p.get::<i32>("y").unwrap(), 2);

    // A userdata not created serializable is still an unsupported value.
    let plain = lua.create_table().unwrap();
    plain.set("u", lua.create_any_userdata(3u8).unwrap()).unwrap();
    let err = serde_json::to_string(&plain).unwrap_err();
    assert!(err.to_string().contains("cannot serialize a userdata"), "{err}");
}

#[test]
fn owned_values_take_the_userdata_value() {
    let lua = Lua::new();
    let f = lua.create_function(|_, a: LuaUserdataOwned<Account>| Ok(a.0.balance)).unwrap();
    let ud = lua.create_userdata(Account { balance: 9 }).unwrap();
    {
        let _guard = ud.borrow::<Account>().unwrap();
        let err = f.call::<i64>(&ud).unwrap_err();
        assert!(err.to_string().contains("error mutably borrowing userdata"), "{err}");
    }
    assert_eq!(f.call::<i64>(&ud).unwrap(), 9);
    assert!(matches!(ud.take::<Account>(), Err(LuaError::UserDataDestructed)));
}

#[test]
fn handle_borrows_report_mlua_errors() {
    let lua = Lua::new();
    let ud = lua.create_userdata(Account { balance: 1 }).unwrap();
    assert!(matches!(ud.borrow::<Point>(), Err(LuaError::UserDataTypeMismatch)));
    assert!(matches!(ud.take::<Point>(), Err(LuaError::UserDataTypeMismatch)));
    {
        let _r = ud.borrow::<Account>().unwrap();
        assert!(matches!(ud.borrow_mut::<Account>(), Err(LuaError::UserDataBorrowMutError)));
        assert!(matches!(ud.take::<Account>(), Err(LuaError::UserDataBorrowMutError)));
        assert_eq!(ud.borrow_scoped::<Account, _>(|a| a.balance).unwrap(), 1);
    }
    {
        let _w = ud.borrow_mut::<Account>().unwrap();
        assert!(matches!(ud.borrow::<Account>(), Err(LuaError::UserDataBorrowError)));
    }
    ud.borrow_mut_scoped::<Account, _>(|a| a.balance = 2).unwrap();
    assert_eq!(ud.borrow::<Account>().unwrap().balance, 2);
}

#[test]
fn destroy_drops_the_value_now() {
    let lua = Lua::new();
    let rc = Rc::new(());
    let ud = lua.create_any_userdata(rc.clone()).unwrap();
    assert_eq!(ud.type_id(), Some(TypeId::of::<Rc<()>>()));
    assert_eq!(Rc::strong_count(&rc), 2);
    ud.destroy().unwrap();
    assert_eq!(Rc::strong_count(&rc), 1);
    assert_eq!(ud.type_id(), None);
    assert!(!ud.is::<Rc<()>>());
    ud.destroy().unwrap();
}

/// A value whose method tries to destroy the userdata it runs on (the
/// `Rc` counts whether the value was dropped).
struct SelfDestroying(#[allow(dead_code)] Rc<()>);

impl LuaUserdata for SelfDestroying {
    fn add_methods<M: LuaUserdataMethods<Self>>(reg: &mut M) {
        reg.add_method("destroy_me", |lua, _this, ()| {
            let me: LuaAnyUserdata = lua.globals().get("me")?;
            Ok(matches!(me.destroy(), Err(LuaError::UserDataBorrowMutError)))
        });
    }
}

#[test]
fn destroy_under_a_host_borrow_drops_with_the_last_borrow() {
    let lua = Lua::new();
    let rc = Rc::new(());
    let ud = lua.create_any_userdata(rc.clone()).unwrap();
    let (a, b) = (ud.borrow::<Rc<()>>().unwrap(), ud.borrow::<Rc<()>>().unwrap());
    ud.destroy().unwrap();
    // Destructed at once for everyone else...
    assert!(matches!(ud.borrow::<Rc<()>>(), Err(LuaError::UserDataDestructed)));
    assert!(matches!(ud.take::<Rc<()>>(), Err(LuaError::UserDataDestructed)));
    ud.destroy().unwrap();
    // ...while the borrows still read the value, dropped with the last.
    assert_eq!(Rc::strong_count(&a), 2);
    drop(a);
    assert_eq!(Rc::strong_count(&rc), 2);
    drop(b);
    assert_eq!(Rc::strong_count(&rc), 1);
    // The same for a mutable borrow.
    let ud = lua.create_any_userdata(rc.clone()).unwrap();
    let w = ud.borrow_mut::<Rc<()>>().unwrap();
    ud.destroy().unwrap();
    assert_eq!(Rc::strong_count(&rc), 2);
    drop(w);
    assert_eq!(Rc::strong_count(&rc), 1);
    assert!(matches!(ud.borrow_mut::<Rc<()>>(), Err(LuaError::UserDataDestructed)));
}

#[test]
fn a_held_borrow_keeps_its_userdata_alive_through_collections() {
    let lua = Lua::new();
    let rc = Rc::new(());
    let held = {
        let ud = lua.create_any_userdata(rc.clone()).unwrap();
        lua.globals().set("u", &ud).unwrap();
        ud.borrow::<Rc<()>>().unwrap()
    };
    // Nothing but the borrow refers to the userdata now.
    lua.globals().set("u", LuaNil).unwrap();
    for _ in 0..3 {
        lua.gc_collect().unwrap();
    }
    assert_eq!(Rc::strong_count(&held), 2, "the value is still there");
    // Collections that run in steps while the borrow is taken and let go.
    for _ in 0..200 {
        let ud = lua.create_any_userdata(rc.clone()).unwrap();
        let b = ud.borrow_mut::<Rc<()>>().unwrap();
        drop(ud);
        lua.load("local t = {} for i = 1, 50 do t[i] = {} end").exec().unwrap();
        lua.gc_step_kbytes(1).unwrap();
        assert!(Rc::strong_count(&b) >= 3, "this one, the first and the original at least");
    }
    drop(held);
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(Rc::strong_count(&rc), 1, "collected once no borrow holds it");
}

#[test]
fn destroy_while_a_method_runs_is_refused() {
    let lua = Lua::new();
    let rc = Rc::new(());
    let ud = lua.create_userdata(SelfDestroying(rc.clone())).unwrap();
    lua.globals().set("me", &ud).unwrap();
    assert!(lua.load("return me:destroy_me()").eval::<bool>().unwrap());
    assert_eq!(Rc::strong_count(&rc), 2, "still alive after the refused destroy");
    ud.destroy().unwrap();
    assert_eq!(Rc::strong_count(&rc), 1);
    let msg: String = lua.load("local ok, e = pcall(me.destroy_me, me) return tostring(e)").eval().unwrap();
    assert!(msg.contains("destructed"), "{msg}");
}

#[test]
fn pointers_identify_the_userdata() {
    let lua = Lua::new();
    let a = lua.create_any_userdata(1u8).unwrap();
    let b = lua.create_any_userdata(1u8).unwrap();
    assert_eq!(a.to_pointer(), a.clone().to_pointer());
    assert_ne!(a.to_pointer(), b.to_pointer());
    lua.globals().set("a", &a).unwrap();
    let shown: String = eval(&lua, "return string.format('%p', a)");
    assert_eq!(shown, format!("{:p}", a.to_pointer()));
}

#[test]
fn user_values_by_number_and_name() {
    let lua = Lua::new();
    let ud = lua.create_any_userdata(()).unwrap();
    assert_eq!(ud.user_value::<LuaValue>().unwrap(), LuaValue::Nil);
    ud.set_user_value("first").unwrap();
    ud.set_nth_user_value(65535, 7).unwrap();
    ud.set_named_user_value("tag", true).unwrap();
    assert_eq!(ud.nth_user_value::<String>(1).unwrap(), "first");
    assert_eq!(ud.nth_user_value::<i64>(65535).unwrap(), 7);
    assert_eq!(ud.nth_user_value::<Option<i64>>(2).unwrap(), None);
    assert!(ud.named_user_value::<bool>("tag").unwrap());
    assert_eq!(ud.named_user_value::<LuaValue>("other").unwrap(), LuaValue::Nil);
    for n in [0, 65536] {
        let e = ud.nth_user_value::<LuaValue>(n).unwrap_err();
        assert!(e.to_string().contains("user value index out of bounds"), "{e}");
        assert!(ud.set_nth_user_value(n, 1).is_err());
    }
}

struct Tagged;

impl LuaUserdata for Tagged {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_meta_field_with(LuaMetaMethod::Index, |lua| {
            lua.create_function(|_, (_, k): (LuaAnyUserdata, String)| Ok(format!("<{k}>")))
        });
        fields.add_meta_field("__answer", 42);
    }
}

#[test]
fn guarded_metatable() {
    let lua = Lua::new();
    let ud = lua.create_userdata(Tagged).unwrap();
    lua.globals().set("t", &ud).unwrap();
    assert_eq!(eval::<String>(&lua, "return t.anything"), "<anything>");
    let mt = ud.metatable().unwrap();
    assert_eq!(mt.get::<String>(LuaMetaMethod::Type).unwrap(), "Tagged");
    assert_eq!(mt.get::<i64>("answer").unwrap(), 42);
    assert!(mt.contains(LuaMetaMethod::Index).unwrap());
    assert!(!mt.contains(LuaMetaMethod::Add).unwrap());
    assert!(matches!(mt.get::<LuaValue>("__gc"), Err(LuaError::MetaMethodRestricted(_))));
    assert!(matches!(mt.set(LuaMetaMethod::Index, LuaNil), Err(LuaError::MetaMethodRestricted(_))));
    assert!(matches!(mt.set("__newindex", LuaNil), Err(LuaError::MetaMethodRestricted(_))));
    mt.set(LuaMetaMethod::ToString, lua.create_function(|_, _: LuaValue| Ok("tagged")).unwrap()).unwrap();
    assert_eq!(eval::<String>(&lua, "return tostring(t)"), "tagged");
    let mut keys: Vec<String> = mt.pairs::<LuaValue>().map(|kv| kv.unwrap().0).collect();
    keys.sort();
    assert_eq!(keys, ["__answer", "__index", "__name", "__tostring"]);
}

struct BadIndex;

impl LuaUserdata for BadIndex {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_meta_field_with("__index", |_| Ok(1));
    }
}

struct OddName;

impl LuaUserdata for OddName {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_meta_field(LuaMetaMethod::Name, false);
    }
}

#[test]
fn meta_field_values_are_checked() {
    let lua = Lua::new();
    match lua.create_userdata(BadIndex) {
        Err(LuaError::MetaMethodTypeError { method, type_name, .. }) => {
            assert_eq!((method.as_str(), type_name), ("__index", "integer"));
        }
        other => panic!("expected MetaMethodTypeError, got {other:?}"),
    }
    // A non-string `__name` stays; the type then has no name to show.
    assert_eq!(lua.create_userdata(OddName).unwrap().type_name().unwrap(), "userdata");
}

#[test]
fn basic_type_metatables() {
    let lua = Lua::new();
    assert_eq!(lua.type_metatable::<bool>(), None);
    let mt = lua.create_table().unwrap();
    mt.set("__call", lua.create_function(|_, (n, k): (f64, f64)| Ok(n * k)).unwrap()).unwrap();
    lua.set_type_metatable::<LuaNumber>(Some(mt.clone()));
    assert_eq!(lua.type_metatable::<LuaInteger>(), Some(mt));
    assert_eq!(eval::<f64>(&lua, "return (2)(21)"), 42.0);
    let fmt = lua.create_table().unwrap();
    fmt.set("__index", lua.create_function(|_, (_, k): (LuaFunction, String)| Ok(k.len())).unwrap()).unwrap();
    lua.set_type_metatable::<LuaFunction>(Some(fmt));
    assert_eq!(eval::<usize>(&lua, "return print.abc"), 3);
    lua.set_type_metatable::<LuaNumber>(None);
    assert_eq!(lua.type_metatable::<LuaNumber>(), None);
    assert!(lua.load("return (2)(21)").exec().is_err());
}

#[derive(Clone, Debug, PartialEq, luna::FromLua)]
struct Money(i64, &'static str);

#[test]
fn derived_from_lua_clones_the_value() {
    let lua = Lua::new();
    lua.register_userdata_type::<Money>(|reg| {
        reg.add_function("cents", |_, m: Money| Ok(m.0 * 100));
    })
    .unwrap();
    lua.globals().set("m", LuaAnyUserdata::wrap(Money(3, "EUR"))).unwrap();
    assert_eq!(eval::<i64>(&lua, "return m:cents()"), 300);
    assert_eq!(eval::<Money>(&lua, "return m"), Money(3, "EUR"));
    let err = lua.load("return 1").eval::<Money>().unwrap_err();
    assert!(matches!(err, LuaError::FromLuaConversionError { from: "integer", .. }), "{err:?}");
}

/// The derive and the methods block in mlua's vocabulary.
#[derive(LuaUserdata, Clone, Default)]
struct Shape {
    #[lua]
    #[lua(get, set)]
    w: u32,
    #[lua(get, name = "height")]
    h: u32,
}

#[luna::methods]
impl Shape {
    pub const SIDES: u32 = 4;

    #[lua(meta, name = "__kind")]
    const KIND: &'static str = "rect";

    #[lua(infallible)]
    fn new(w: u32, h: u32) -> Self {
        Shape { w, h }
    }

    #[lua(getter, name = "area")]
    fn area(&self) -> u32 {
        self.w * self.h
    }

    #[lua(setter, name = "side")]
    fn set_side(&mut self, side: u32) {
        self.w = side;
        self.h = side;
    }

    #[lua(field)]
    fn description() -> &'static str {
        "a shape"
    }

    #[lua(meta)]
    fn __tostring(&self) -> String {
        format!("Shape({}x{})", self.w, self.h)
    }

    #[lua(meta, field, name = "__version")]
    fn version() -> u32 {
        2
    }

    pub fn into_pair(self) -> (u32, u32) {
        (self.w, self.h)
    }

    pub fn label(&self, prefix: Option<&str>, other: Option<&Shape>) -> String {
        let n = other.map_or(0, |o| o.w);
        format!("{}{}", prefix.unwrap_or("-"), self.w + n)
    }

    #[lua(skip)]
    fn not_exposed(&self) {}
}

#[luna::methods]
impl Shape {
    pub fn double(&self) -> u32 {
        self.w * 2
    }
}

#[test]
fn derive_accepts_mlua_vocabulary() {
    let lua = Lua::new();
    lua.register_userdata::<Shape>("Shape").unwrap();
    Shape::default().not_exposed();
    lua.load(
        r##"
        local s = Shape.new(2, 3)
        assert(s.w == 2 and s.height == 3 and s.area == 6)
        s.side = 4
        assert(s.area == 16 and s:double() == 8)
        assert(Shape.SIDES == 4 and s.SIDES == 4)
        assert(s.description == "a shape")
        assert(tostring(s) == "Shape(4x4)")
        local mt = getmetatable(s)
        assert(mt.__version == 2 and mt.__kind == "rect")
        assert(s:label() == "-4" and s:label("#", Shape.new(1, 1)) == "#5")
        assert(s.not_exposed == nil)
        local w, h = s:into_pair()
        assert(w == 4 and h == 4)
        assert(not pcall(s.double, s))
    "##,
    )
    .exec()
    .unwrap();
}

/// A setter's conversion error is worded as a bad argument is (the Lua
/// type expected, not the Rust one).
#[test]
fn setter_errors_name_the_lua_type_expected() {
    struct Named(String);
    impl LuaUserdata for Named {
        fn register(reg: &mut LuaUserdataRegistry<Self>) {
            reg.add_field_method_get("name", |_, this| Ok(this.0.clone()));
            reg.add_field_method_set("name", |_, this, v: String| {
                this.0 = v;
                Ok(())
            });
        }
    }
    let lua = Lua::new();
    lua.globals().set("n", Named("a".into())).unwrap();
    let err = lua.load("n.name = {}").exec().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad value for field 'name' of 'Named' (string expected, got table)"), "{msg}");
    lua.load("n.name = 'b'").exec().unwrap();
    assert_eq!(lua.load("return n.name").eval::<String>().unwrap(), "b");
}
