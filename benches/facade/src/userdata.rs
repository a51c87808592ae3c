//! The userdata types of the benchmark and the scenarios whose code differs
//! between the runtimes. `Vec3` is registered the everyday way in each
//! crate (luna: its derive and `#[luna::methods]`; mlua: `UserData` with
//! `UserDataRef`), so the two Lua-loop scenarios have one copy per
//! runtime. `Counter` implements each crate's trait by hand, with the same
//! body, for `create_userdata` in the shared scenarios.

/// A vector with field getters and setters and a `dot` method.
#[derive(luna::LuaUserdata, Clone, Copy)]
pub struct Vec3 {
    #[lua(get, set)]
    x: f64,
    #[lua(get, set)]
    y: f64,
    #[lua(get, set)]
    z: f64,
}

#[luna::methods]
impl Vec3 {
    pub fn dot(&self, o: &Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
}

impl mlua::UserData for Vec3 {
    fn add_fields<F: mlua::UserDataFields<Self>>(fields: &mut F) {
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
        fields.add_field_method_set("z", |_, this, v: f64| {
            this.z = v;
            Ok(())
        });
    }

    fn add_methods<M: mlua::UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("dot", |_, this, o: mlua::UserDataRef<Vec3>| Ok(this.x * o.x + this.y * o.y + this.z * o.z));
    }
}

/// A small struct made into a userdata by `create_userdata`: one field and
/// one method, so that the type has a real metatable to attach.
pub struct Counter {
    pub n: i64,
}

impl luna::LuaUserdata for Counter {
    fn add_methods<M: luna::LuaUserdataMethods<Self>>(methods: &mut M) {
        methods.add_method("get", |_, this, ()| Ok(this.n));
    }
}

impl mlua::UserData for Counter {
    fn add_methods<M: mlua::UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("get", |_, this, ()| Ok(this.n));
    }
}

/// Runs `body` (a Lua loop body over `a`, `b` and the sum `s`) n times.
macro_rules! userdata_scenario {
    ($name:ident, $Lua:ty, $Function:ty, $body:literal) => {
        pub fn $name(n: u64) -> crate::Run {
            let lua = <$Lua>::new();
            let v = super::Vec3 { x: 1.0, y: 2.0, z: 3.0 };
            lua.globals().set("a", lua.create_userdata(v).expect("userdata")).expect("set a");
            lua.globals().set("b", lua.create_userdata(v).expect("userdata")).expect("set b");
            let runner: $Function = lua
                .load(concat!(
                    "return function(n) local a, b, s = a, b, 0 for i = 1, n do ",
                    $body,
                    " end return s end"
                ))
                .eval()
                .expect("load");
            let t0 = std::time::Instant::now();
            let s = runner.call::<f64>(n as i64).expect("call");
            std::hint::black_box(s);
            (t0.elapsed(), n)
        }
    };
}

pub mod luna_userdata {
    userdata_scenario!(userdata_method, luna::Lua, luna::LuaFunction, "s = s + a:dot(b)");
    userdata_scenario!(userdata_field, luna::Lua, luna::LuaFunction, "s = s + a.x");
}

pub mod mlua_userdata {
    userdata_scenario!(userdata_method, mlua::Lua, mlua::Function, "s = s + a:dot(b)");
    userdata_scenario!(userdata_field, mlua::Lua, mlua::Function, "s = s + a.x");
}
