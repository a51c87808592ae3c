//! Userdata through the `LuaUserdata` trait: fields, methods, functions,
//! metamethods, the class table, typed borrows from Rust and from
//! callbacks, and every error path (wrong types, borrow conflicts, taken
//! values, setter type errors, `__gc`).

use std::cell::Cell;
use std::rc::Rc;

use luna::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Vec3 {
    x: f64,
    y: f64,
    z: f64,
}

impl LuaUserdata for Vec3 {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_field_method_get("x", |_, this| Ok(this.x));
        fields.add_field_method_set("x", |_, this, v: f64| {
            this.x = v;
            Ok(())
        });
        fields.add_field_method_get("y", |_, this| Ok(this.y));
        fields.add_field_method_set("y", |_, this, v: f64| {
            this.y = v;
            Ok(())
        });
        fields.add_field_method_get("z", |_, this| Ok(this.z));
        fields.add_field("dimensions", 3);
        fields.add_meta_field(LuaMetaMethod::Name, "Vec3");
    }

    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_function("new", |_, (x, y, z): (f64, f64, f64)| Ok(Vec3 { x, y, z }));
        methods.add_method("dot", |_, this, o: LuaUserdataRef<Vec3>| Ok(this.x * o.x + this.y * o.y + this.z * o.z));
        methods.add_method_mut("scale", |_, this, k: f64| {
            this.x *= k;
            this.y *= k;
            this.z *= k;
            Ok(())
        });
        methods.add_method_mut("combine", |_, this, o: LuaUserdataRef<Vec3>| {
            this.x += o.x;
            Ok(())
        });
        methods.add_method("call_back", |_, _this, f: LuaFunction| f.call::<LuaValue>(()));
        methods.add_method("boom", |_, _this, ()| -> LuaResult<()> { panic!("kaboom") });
        methods.add_meta_method(LuaMetaMethod::Add, |_, this, o: LuaUserdataRef<Vec3>| {
            Ok(Vec3 { x: this.x + o.x, y: this.y + o.y, z: this.z + o.z })
        });
        methods.add_meta_function(LuaMetaMethod::Mul, |_, (a, b): (LuaValue, LuaValue)| {
            let (v, k) = match (a, b) {
                (LuaValue::UserData(u), LuaValue::Number(k)) | (LuaValue::Number(k), LuaValue::UserData(u)) => {
                    (*u.borrow::<Vec3>()?, k)
                }
                (LuaValue::UserData(u), LuaValue::Integer(k)) | (LuaValue::Integer(k), LuaValue::UserData(u)) => {
                    (*u.borrow::<Vec3>()?, k as f64)
                }
                _ => return Err(LuaError::runtime("cannot multiply")),
            };
            Ok(Vec3 { x: v.x * k, y: v.y * k, z: v.z * k })
        });
        methods.add_meta_method(LuaMetaMethod::Unm, |_, this, ()| Ok(Vec3 { x: -this.x, y: -this.y, z: -this.z }));
        methods.add_meta_method(LuaMetaMethod::Eq, |_, this, o: LuaUserdataRef<Vec3>| Ok(*this == *o));
        methods.add_meta_method(LuaMetaMethod::Lt, |_, this, o: LuaUserdataRef<Vec3>| Ok(this.x < o.x));
        methods.add_meta_method(LuaMetaMethod::Le, |_, this, o: LuaUserdataRef<Vec3>| Ok(this.x <= o.x));
        methods.add_meta_method(LuaMetaMethod::Len, |_, this, ()| {
            Ok((this.x * this.x + this.y * this.y + this.z * this.z).sqrt())
        });
        methods.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| {
            Ok(format!("({}, {}, {})", this.x, this.y, this.z))
        });
        methods.add_meta_function(LuaMetaMethod::Concat, |_, (a, b): (LuaValue, LuaValue)| {
            let show = |v: &LuaValue| -> LuaResult<String> {
                Ok(match v {
                    LuaValue::UserData(u) => {
                        let v = u.borrow::<Vec3>()?;
                        format!("<{},{},{}>", v.x, v.y, v.z)
                    }
                    other => other.to_string_lossy().unwrap_or_default(),
                })
            };
            Ok(format!("{}{}", show(&a)?, show(&b)?))
        });
        methods.add_meta_method(LuaMetaMethod::Call, |_, this, k: f64| Ok(this.x * k));
        methods.add_meta_method(LuaMetaMethod::Index, |_, _this, key: String| Ok(format!("no field {key}")));
    }
}

fn lua_with_vec3() -> Lua {
    let lua = Lua::new();
    lua.register_userdata::<Vec3>("Vec3").unwrap();
    lua
}

/// The message a script sees of the error `code` raises (`tostring` of
/// what `pcall` caught), worded as PUC Lua words it.
fn error_of(lua: &Lua, code: &str) -> String {
    let caught = format!("local ok, e = pcall(function() {code}\nend) assert(not ok) return tostring(e)");
    lua.load(caught).eval::<String>().unwrap()
}

#[test]
fn constructor_fields_and_methods() {
    let lua = lua_with_vec3();
    let (x, y, z, dot, dims): (f64, f64, f64, f64, i64) = lua
        .load("local v = Vec3.new(1, 2, 3); local w = Vec3.new(4, 5, 6); return v.x, v.y, v.z, v:dot(w), v.dimensions")
        .eval()
        .unwrap();
    assert_eq!((x, y, z, dot, dims), (1.0, 2.0, 3.0, 32.0, 3));
    let v: LuaAnyUserdata = lua.load("local v = Vec3.new(1, 2, 3); v:scale(2); v.x = 10; return v").eval().unwrap();
    assert_eq!(*v.borrow::<Vec3>().unwrap(), Vec3 { x: 10.0, y: 4.0, z: 6.0 });
    assert_eq!(lua.load("return Vec3.dimensions").eval::<i64>().unwrap(), 3);
}

#[test]
fn metamethods() {
    let lua = lua_with_vec3();
    let script = r#"
        local a, b = Vec3.new(1, 2, 3), Vec3.new(1, 1, 1)
        local c = a + b
        assert(c.x == 2 and c.y == 3 and c.z == 4)
        local d = a * 2
        assert(d.z == 6)
        local e = 3 * a
        assert(e.y == 6)
        assert((-a).x == -1)
        assert(a == Vec3.new(1, 2, 3) and a ~= b)
        assert(b < a == false and b <= a and not (a < b))
        assert(#Vec3.new(3, 4, 0) == 5)
        assert(tostring(a) == "(1, 2, 3)")
        assert(a .. "!" == "<1,2,3>!" and "v=" .. b == "v=<1,1,1>")
        assert(a(10) == 10)
        assert(a.missing == "no field missing")
        return true
    "#;
    assert!(lua.load(script).eval::<bool>().unwrap());
}

#[test]
fn name_and_type_queries() {
    let lua = lua_with_vec3();
    let v = lua.create_userdata(Vec3 { x: 1.0, y: 0.0, z: 0.0 }).unwrap();
    assert!(v.is::<Vec3>());
    assert!(!v.is::<String>());
    assert_eq!(v.type_name().unwrap(), "Vec3");
    let mt = v.metatable().unwrap();
    assert_eq!(mt.get::<String>("__name").unwrap(), "Vec3");
    lua.globals().set("v", v).unwrap();
    // Scripts without __tostring would see the name; ours has one.
    assert_eq!(lua.load("return type(v)").eval::<String>().unwrap(), "userdata");
}

#[test]
fn wrong_argument_types_name_the_type() {
    let lua = lua_with_vec3();
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:dot({})");
    assert!(msg.contains("bad argument #1 to 'dot' (Vec3 expected, got table)"), "{msg}");
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:dot()");
    assert!(msg.contains("bad argument #1 to 'dot' (Vec3 expected, got no value)"), "{msg}");
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a.dot(5, a)");
    assert!(msg.contains("bad argument #1 to 'dot' (Vec3 expected, got number)"), "{msg}");
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:scale('big')");
    assert!(msg.contains("bad argument #1 to 'scale' (number expected, got string)"), "{msg}");
    // Another userdata type.
    struct Other;
    impl LuaUserdata for Other {}
    lua.globals().set("o", lua.create_userdata(Other).unwrap()).unwrap();
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:dot(o)");
    assert!(msg.contains("bad argument #1 to 'dot' (Vec3 expected, got userdata)"), "{msg}");
    // Calling a method on something else (bad self).
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); local t = {dot = a.dot}; t:dot(a)");
    assert!(msg.contains("calling 'dot' on bad self"), "{msg}");
}

#[test]
fn setter_type_errors() {
    let lua = lua_with_vec3();
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3)\na.x = 'wide'");
    assert!(msg.contains("bad value for field 'x' of 'Vec3' (number expected, got string)"), "{msg}");
    assert!(msg.contains(":2:"), "position of the assignment: {msg}");
    // A field with a getter only, and an unknown field.
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a.z = 1");
    assert!(msg.contains("cannot assign field 'z' of 'Vec3'"), "{msg}");
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a.w = 1");
    assert!(msg.contains("cannot assign field 'w' of 'Vec3'"), "{msg}");
    // The value is unchanged after a failed assignment.
    let x: f64 = lua.load("local a = Vec3.new(1, 2, 3); pcall(function() a.x = {} end); return a.x").eval().unwrap();
    assert_eq!(x, 1.0);
}

#[test]
fn borrow_conflicts_are_clean_errors() {
    let lua = lua_with_vec3();
    // `combine` takes &mut self and &Vec3: the same value twice.
    let msg = error_of(&lua, "local a = Vec3.new(1, 2, 3); a:combine(a)");
    assert!(msg.contains("borrowing userdata"), "{msg}");
    // Caught by pcall, and the value stays usable.
    let ok: bool = lua
        .load("local a = Vec3.new(1, 2, 3); local ok = pcall(a.combine, a, a); a:combine(Vec3.new(1, 0, 0)); return not ok and a.x == 2")
        .eval()
        .unwrap();
    assert!(ok);
    // A shared borrow held by the host blocks mutation from Lua.
    let v = lua.create_userdata(Vec3 { x: 1.0, y: 1.0, z: 1.0 }).unwrap();
    lua.globals().set("v", v.clone()).unwrap();
    let guard = v.borrow::<Vec3>().unwrap();
    let msg = error_of(&lua, "v:scale(2)");
    assert!(msg.contains("error mutably borrowing userdata"), "{msg}");
    // Reading is fine meanwhile.
    assert_eq!(lua.load("return v.x").eval::<f64>().unwrap(), 1.0);
    drop(guard);
    lua.load("v:scale(2)").exec().unwrap();
    assert_eq!(v.borrow::<Vec3>().unwrap().x, 2.0);
    // A mutable borrow held by the host blocks everything else.
    let guard = v.borrow_mut::<Vec3>().unwrap();
    assert!(matches!(v.borrow::<Vec3>(), Err(LuaError::UserDataBorrowError)));
    assert!(matches!(v.borrow_mut::<Vec3>(), Err(LuaError::UserDataBorrowMutError)));
    assert!(v.take::<Vec3>().is_err());
    let msg = error_of(&lua, "return v.x");
    assert!(msg.contains("error borrowing userdata"), "{msg}");
    drop(guard);
    assert_eq!(v.take::<Vec3>().unwrap().x, 2.0);
}

#[test]
fn taken_values_are_destructed() {
    let lua = lua_with_vec3();
    let v = lua.create_userdata(Vec3 { x: 1.0, y: 2.0, z: 3.0 }).unwrap();
    lua.globals().set("v", v.clone()).unwrap();
    let taken = v.take::<Vec3>().unwrap();
    assert_eq!(taken.y, 2.0);
    assert!(!v.is::<Vec3>());
    assert!(matches!(v.borrow::<Vec3>(), Err(LuaError::UserDataDestructed)));
    assert!(matches!(v.take::<Vec3>(), Err(LuaError::UserDataDestructed)));
    let msg = error_of(&lua, "return v.x");
    assert!(msg.contains("userdata has been destructed"), "{msg}");
    let msg = error_of(&lua, "return v:dot(v)");
    assert!(msg.contains("userdata has been destructed"), "{msg}");
    // Taking as the wrong type leaves the value in place.
    let w = lua.create_userdata(Vec3 { x: 1.0, y: 2.0, z: 3.0 }).unwrap();
    assert!(w.take::<String>().is_err());
    assert!(w.is::<Vec3>());
}

#[test]
fn methods_can_call_back_into_lua() {
    let lua = lua_with_vec3();
    // A shared borrow of the receiver while Lua reads it again.
    let x: f64 = lua
        .load("local v = Vec3.new(7, 0, 0); return v:call_back(function() return v.x + v:dot(v) end)")
        .eval()
        .unwrap();
    assert_eq!(x, 56.0);
    // ... but mutating it meanwhile is a conflict.
    let msg = error_of(&lua, "local v = Vec3.new(7, 0, 0); return v:call_back(function() v:scale(2) end)");
    assert!(msg.contains("error mutably borrowing userdata"), "{msg}");
}

#[test]
fn panics_in_methods_reach_the_host() {
    let lua = lua_with_vec3();
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lua.load("Vec3.new(1, 2, 3):boom()").exec()))
            .unwrap_err();
    let msg = payload.downcast_ref::<String>().cloned().or(payload.downcast_ref::<&str>().map(|s| s.to_string()));
    assert!(msg.unwrap_or_default().contains("kaboom"));
    // The receiver's borrow was released.
    lua.load("local v = Vec3.new(1, 2, 3); pcall(v.boom, v); v:scale(2); assert(v.x == 2)").exec().unwrap();
}

#[test]
fn userdata_refs_as_host_arguments() {
    let lua = lua_with_vec3();
    let norm =
        lua.create_function(|_, v: LuaUserdataRef<Vec3>| Ok((v.x * v.x + v.y * v.y + v.z * v.z).sqrt())).unwrap();
    let double = lua
        .create_function(|_, mut v: LuaUserdataRefMut<Vec3>| {
            v.x *= 2.0;
            Ok(())
        })
        .unwrap();
    lua.globals().set("norm", norm).unwrap();
    lua.globals().set("double", double).unwrap();
    let n: f64 = lua.load("local v = Vec3.new(3, 0, 8); double(v); return norm(v)").eval().unwrap();
    assert_eq!(n, 10.0);
    let msg = error_of(&lua, "norm(42)");
    assert!(msg.contains("bad argument #1 to 'norm' (Vec3 expected, got number)"), "{msg}");
    // From a LuaValue.
    let v: LuaValue = lua.load("return Vec3.new(1, 2, 3)").eval().unwrap();
    let r = LuaUserdataRef::<Vec3>::from_lua(v, &lua).unwrap();
    assert_eq!(r.z, 3.0);
    assert!(LuaUserdataRef::<Vec3>::from_lua(LuaValue::Integer(1), &lua).is_err());
}

#[test]
fn rust_values_convert_into_userdata() {
    let lua = lua_with_vec3();
    lua.globals().set("v", Vec3 { x: 1.0, y: 2.0, z: 3.0 }).unwrap();
    assert_eq!(lua.load("return v:dot(v)").eval::<f64>().unwrap(), 14.0);
    let f = lua.create_function(|_, k: f64| Ok(Vec3 { x: k, y: k, z: k })).unwrap();
    lua.globals().set("splat", f).unwrap();
    assert_eq!(lua.load("return splat(2).z").eval::<f64>().unwrap(), 2.0);
}

#[test]
fn user_values() {
    let lua = lua_with_vec3();
    let v = lua.create_userdata(Vec3 { x: 0.0, y: 0.0, z: 0.0 }).unwrap();
    assert_eq!(v.user_value::<LuaValue>().unwrap(), LuaValue::Nil);
    v.set_user_value("tag").unwrap();
    v.set_nth_user_value(2, 42).unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(v.user_value::<String>().unwrap(), "tag");
    assert_eq!(v.nth_user_value::<i64>(2).unwrap(), 42);
    assert!(v.set_nth_user_value(65536, 1).is_err());
    assert!(v.nth_user_value::<LuaValue>(0).is_err());
}

struct Tracked(Rc<Cell<u32>>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

impl LuaUserdata for Tracked {}

#[test]
fn collection_drops_the_value() {
    let drops = Rc::new(Cell::new(0));
    let lua = Lua::new();
    for _ in 0..10 {
        lua.globals().set("t", Tracked(drops.clone())).unwrap();
    }
    lua.globals().set("t", LuaNil).unwrap();
    lua.gc_collect().unwrap();
    lua.gc_collect().unwrap();
    assert_eq!(drops.get(), 10);
    // Values still referenced at the end are dropped with the state.
    lua.globals().set("t", Tracked(drops.clone())).unwrap();
    drop(lua);
    assert_eq!(drops.get(), 11);
}

#[test]
fn borrows_keep_the_state_alive() {
    let drops = Rc::new(Cell::new(0));
    let lua = Lua::new();
    let ud = lua.create_userdata(Tracked(drops.clone())).unwrap();
    let guard = ud.borrow::<Tracked>().unwrap();
    drop(ud);
    drop(lua);
    // The value is still readable through the guard.
    assert_eq!(guard.0.get(), 0);
    drop(guard);
    assert_eq!(drops.get(), 1);
}

#[test]
fn handles_after_the_state_is_gone() {
    let lua = lua_with_vec3();
    let v = lua.create_userdata(Vec3 { x: 0.0, y: 0.0, z: 0.0 }).unwrap();
    drop(lua);
    assert!(matches!(v.borrow::<Vec3>(), Err(LuaError::StateDropped)));
    assert!(matches!(v.take::<Vec3>(), Err(LuaError::StateDropped)));
    assert!(!v.is::<Vec3>());
}

struct WithGc;

impl LuaUserdata for WithGc {
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method("__gc", |_, _, ()| Ok(()));
    }
}

#[test]
fn gc_cannot_be_overridden() {
    let lua = Lua::new();
    let err = lua.create_userdata(WithGc).unwrap_err();
    assert!(err.to_string().contains("__gc cannot be overridden"), "{err}");
}

struct Closable(Rc<Cell<bool>>);

impl LuaUserdata for Closable {
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_meta_method(LuaMetaMethod::Close, |_, this, _err: LuaValue| {
            this.0.set(true);
            Ok(())
        });
    }
}

#[test]
fn close_metamethod_runs_for_to_be_closed_variables() {
    let closed = Rc::new(Cell::new(false));
    let lua = Lua::new();
    lua.globals().set("res", Closable(closed.clone())).unwrap();
    lua.load("do local r <close> = res end").exec().unwrap();
    assert!(closed.get());
}

/// A type with methods only: `__index` is the class table.
struct Counter(i64);

impl LuaUserdata for Counter {
    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_method_mut("incr", |_, this, ()| {
            this.0 += 1;
            Ok(this.0)
        });
        methods.add_meta_method(LuaMetaMethod::NewIndex, |_, _, (k, _v): (String, LuaValue)| -> LuaResult<()> {
            Err(LuaError::runtime(format!("read-only counter ({k})")))
        });
    }
}

#[test]
fn class_tables_extend_every_value() {
    let lua = Lua::new();
    let class = lua.register_userdata::<Counter>("Counter").unwrap();
    lua.globals().set("c", Counter(0)).unwrap();
    // Methods added from Lua reach existing values.
    lua.load("function Counter.twice(self) self:incr(); return self:incr() end").exec().unwrap();
    assert_eq!(lua.load("return c:twice()").eval::<i64>().unwrap(), 2);
    assert!(class.contains_key("twice").unwrap());
    let msg = error_of(&lua, "c.value = 1");
    assert!(msg.contains("read-only counter (value)"), "{msg}");
    // Registering again returns the same class.
    let again = lua.userdata_class::<Counter>().unwrap();
    assert_eq!(again, class);
}

#[test]
fn meta_method_names() {
    assert_eq!(LuaMetaMethod::from("add"), LuaMetaMethod::Add);
    assert_eq!(LuaMetaMethod::from("__index"), LuaMetaMethod::Index);
    assert_eq!(LuaMetaMethod::from("custom").name(), "__custom");
    assert_eq!(LuaMetaMethod::IDiv.name(), "__idiv");
}

/// A getter and a method of the same name: the method wins, whether the
/// lookup comes from the VM (`u.size`) or from a direct call of `__index`;
/// other getters and the `__index` fallback still answer.
struct Sized3(i64);

impl LuaUserdata for Sized3 {
    fn add_fields<F: LuaUserdataFields<Self>>(fields: &mut F) {
        fields.add_field_method_get("size", |_, this| Ok(this.0));
        fields.add_field_method_get("half", |_, this| Ok(this.0 / 2));
    }

    fn add_methods<M: LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_method("size", |_, this, ()| Ok(this.0 * 10));
        methods
            .add_meta_function(LuaMetaMethod::Index, |_, (_, key): (LuaAnyUserdata, String)| Ok(format!("no {key}")));
    }
}

#[test]
fn methods_shadow_getters_of_the_same_name() {
    let lua = Lua::new();
    lua.globals().set("u", Sized3(8)).unwrap();
    let (call, direct, half, other): (i64, bool, i64, String) = lua
        .load(
            "local mt = getmetatable(u)
             return u:size(), mt.__index(u, 'size') == u.size, u.half, u.other",
        )
        .eval()
        .unwrap();
    assert_eq!((call, direct, half, other.as_str()), (80, true, 4, "no other"));
}
