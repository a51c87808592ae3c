//! The mlua-shaped object vocabulary: `LuaObjectLike` on tables and
//! userdata (`call`, `call_method`, `call_function`, `get_path`), the
//! table extras (`raw_push`/`raw_pop`, `for_each_value`, comparisons with
//! slices), the function extras (environments, `bind` limits, the `wrap`
//! family) and the chunk getters.

use luna::prelude::*;

fn object(lua: &Lua) -> LuaTable {
    lua.load(
        r#"
        local t = setmetatable({n = 3, nested = {list = {"a", {deep = true}}, ["odd key"] = 1}},
            {__call = function(self, x) return self.n + x end})
        function t.plain(x) return "plain " .. x end
        function t:method(x) return self.n * x end
        t.not_callable = 5
        return t
    "#,
    )
    .eval()
    .unwrap()
}

#[test]
fn calls_through_the_object() {
    let lua = Lua::new();
    let t = object(&lua);
    assert_eq!(LuaObjectLike::call::<i64>(&t, 4).unwrap(), 7, "__call receives the table first");
    assert_eq!(t.call_method::<i64>("method", 5).unwrap(), 15);
    assert_eq!(t.call_function::<String>("plain", "x").unwrap(), "plain x");
    let e = t.call_method::<()>("missing", ()).unwrap_err().to_string();
    assert!(e.contains("attempt to call a nil value (function 'missing')"), "{e}");
    let e = t.call_function::<()>("not_callable", ()).unwrap_err().to_string();
    assert!(e.contains("attempt to call a number value (function 'not_callable')"), "{e}");
    let plain = lua.create_table().unwrap();
    assert!(LuaObjectLike::call::<()>(&plain, ()).is_err(), "a table without __call is not callable");
    assert_eq!(LuaObjectLike::to_string(&t).unwrap()[..7].to_string(), "table: ");
}

#[test]
fn get_path_walks_nested_values() {
    let lua = Lua::new();
    let t = object(&lua);
    assert_eq!(t.get_path::<i64>("n").unwrap(), 3);
    assert_eq!(t.get_path::<String>("nested.list[1]").unwrap(), "a");
    assert!(t.get_path::<bool>(" nested.list [2] .deep ").unwrap(), "white space between keys is allowed");
    assert_eq!(t.get_path::<i64>(r#"nested["odd key"]"#).unwrap(), 1);
    assert_eq!(t.get_path::<i64>(r#"nested['odd key']"#).unwrap(), 1);
    assert_eq!(t.get_path::<LuaTable>("").unwrap(), t, "the empty path is the object");
    assert_eq!(t.get_path::<Option<i64>>("nothing?.deeper.still").unwrap(), None, "`?` stops at nil");
    let e = t.get_path::<i64>("nothing.deeper").unwrap_err().to_string();
    assert!(e.contains("attempt to index a nil value with key 'deeper'"), "{e}");
    let e = t.get_path::<i64>("n.x").unwrap_err().to_string();
    assert!(e.contains("attempt to index a integer value with key 'x'"), "{e}");
    for bad in ["a[", "a[]", "a[x]", "a['open", "a..b", r"a['\q']"] {
        assert!(t.get_path::<LuaValue>(bad).is_err(), "{bad:?} is not a path");
    }
}

#[test]
fn object_like_on_userdata() {
    let lua = Lua::new();
    let ud = lua.create_userdata(Marker { f: std::cell::RefCell::new(None) }).unwrap();
    assert_eq!(LuaObjectLike::get::<String>(&ud, "x").unwrap(), "field x");
    let f: LuaFunction = lua.load("function(self, n) return self ~= nil, n end").eval().unwrap();
    LuaObjectLike::set(&ud, "f", f).unwrap();
    assert_eq!(ud.call_method::<(bool, i64)>("f", 9).unwrap(), (true, 9));
    assert_eq!(ud.call_function::<(bool, i64)>("f", (LuaNil, 4)).unwrap(), (false, 4));
    assert_eq!(LuaObjectLike::call::<i64>(&ud, 21).unwrap(), 42);
    assert_eq!(ud.get_path::<String>("y").unwrap(), "field y");
    assert!(LuaObjectLike::set(&ud, "other", 1).is_err(), "errors of __newindex come back");
}

/// A userdata with `__index`, `__newindex` (for the key `f` only) and
/// `__call`.
struct Marker {
    f: std::cell::RefCell<Option<LuaFunction>>,
}

impl LuaUserdata for Marker {
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method("__index", |lua, this, k: String| match (k.as_str(), this.f.borrow().clone()) {
            ("f", Some(f)) => Ok(LuaValue::Function(f)),
            _ => Ok(LuaValue::String(lua.create_string(format!("field {k}"))?)),
        });
        methods.add_meta_method("__newindex", |_, this, (k, f): (String, LuaFunction)| {
            if k != "f" {
                return Err(LuaError::runtime("read-only"));
            }
            *this.f.borrow_mut() = Some(f);
            Ok(())
        });
        methods.add_meta_method("__call", |_, _, n: i64| Ok(n * 2));
    }
}

#[test]
fn raw_push_pop_and_sequences() {
    let lua = Lua::new();
    let t: LuaTable = lua.load("setmetatable({}, {__newindex = function() error('no') end})").eval().unwrap();
    t.raw_push("a").unwrap();
    t.raw_push("b").unwrap();
    assert!(t.push("c").is_err(), "push honours __newindex; raw_push does not");
    assert_eq!(t, ["a", "b"]);
    assert_eq!(t.raw_pop::<String>().unwrap(), "b");
    assert_eq!(t.raw_pop::<String>().unwrap(), "a");
    assert_eq!(t.raw_pop::<LuaValue>().unwrap(), LuaValue::Nil);
    assert!(t.is_empty());
    let s: LuaTable = lua.load("{1, 2, 3, nil, 5}").eval().unwrap();
    let mut seen = Vec::new();
    s.for_each_value(|v: i64| {
        seen.push(v);
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, [1, 2, 3]);
    assert_eq!(s, [1, 2, 3].as_slice());
    assert!(s != [1, 2], "the whole sequence must match");
    let stop = s.for_each_value(|v: i64| if v == 2 { Err(LuaError::runtime("stop")) } else { Ok(()) });
    assert!(stop.is_err());
}

#[test]
fn function_environments() {
    let lua = Lua::new();
    lua.globals().set("who", "global").unwrap();
    let (f, g): (LuaFunction, LuaFunction) =
        lua.load("local function f() return who end local function g() return who end return f, g").eval().unwrap();
    assert_eq!(f.environment(), Some(lua.globals()));
    let env = lua.create_table_from([("who", "sandbox")]).unwrap();
    assert!(f.set_environment(env.clone()).unwrap());
    assert_eq!(f.call::<String>(()).unwrap(), "sandbox");
    assert_eq!(g.call::<String>(()).unwrap(), "global", "the sibling keeps the shared environment");
    assert_eq!(f.environment(), Some(env));
    let no_globals: LuaFunction = lua.load("function(a) return a end").eval().unwrap();
    assert_eq!(no_globals.environment(), None);
    assert!(!no_globals.set_environment(lua.globals()).unwrap());
    let rust = lua.create_function(|_, ()| Ok(())).unwrap();
    assert_eq!(rust.environment(), None);
    assert!(!rust.set_environment(lua.globals()).unwrap());
    lua.gc_collect().unwrap();
    assert_eq!(f.call::<String>(()).unwrap(), "sandbox", "the new environment survives collections");
}

#[test]
fn bind_limit_and_pointers() {
    let lua = Lua::new();
    let f: LuaFunction = lua.load("function(...) return select('#', ...) end").eval().unwrap();
    assert_eq!(f.bind(LuaVariadic((0..254).collect::<Vec<i64>>())).unwrap().call::<i64>(1).unwrap(), 255);
    let too_many = f.bind(LuaVariadic((0..255).collect::<Vec<i64>>()));
    assert!(matches!(too_many, Err(LuaError::BindError)));
    assert_eq!(f.to_pointer(), f.clone().to_pointer());
    assert!(format!("{f:?}").starts_with("Function(Ref(0x"));
}

#[test]
fn wrap_family() {
    let lua = Lua::new();
    let g = lua.globals();
    g.set("parse", LuaFunction::wrap(|s: String| s.parse::<i64>())).unwrap();
    assert_eq!(lua.load("return parse('12')").eval::<i64>().unwrap(), 12);
    let e = lua.load("return parse('x')").exec().unwrap_err().to_string();
    assert!(e.contains("invalid digit"), "{e}");
    let mut n = 0;
    g.set(
        "tick",
        LuaFunction::wrap_raw_mut(move || {
            n += 1;
            n
        }),
    )
    .unwrap();
    assert_eq!(lua.load("tick() return tick()").eval::<i64>().unwrap(), 2);
    g.set("maybe", LuaFunction::wrap_raw(|ok: bool| if ok { Ok(1) } else { Err("nope") })).unwrap();
    let (v, e): (Option<i64>, Option<String>) = lua.load("return maybe(false)").eval().unwrap();
    assert_eq!((v, e.as_deref()), (None, Some("nope")));
    let re = LuaFunction::wrap_mut(|f: LuaFunction| f.call::<()>(&f).map(|_| 0));
    let re: LuaFunction = lua.convert(re).unwrap();
    let e = re.call::<i64>(&re).unwrap_err();
    assert!(e.to_string().contains("mutable callback called recursively"), "{e}");
}

#[test]
fn chunk_getters_and_wrap() {
    let lua = Lua::new();
    let env = lua.create_table_from([("v", 5)]).unwrap();
    let chunk = lua.load("return v").set_name("@cfg.lua").set_environment(env.clone());
    assert_eq!(chunk.name(), "@cfg.lua");
    assert_eq!(chunk.environment(), Some(&env));
    assert_eq!(chunk.mode(), LuaChunkMode::Text);
    assert_eq!(chunk.eval::<i64>().unwrap(), 5);
    let (chunk, line) = (lua.load("return 1"), line!());
    assert_eq!(chunk.name(), format!("@{}:{line}", file!()), "a string chunk is named after its loader");
    assert_eq!(lua.load("return 1").environment(), None);
    lua.globals().set("later", LuaChunk::wrap("return nil + 1")).unwrap();
    let e = lua.load("later()").exec().unwrap_err().to_string();
    assert!(e.contains("objects_api.rs:"), "a wrapped chunk is named after the Rust line: {e}");
}
