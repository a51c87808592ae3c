use luna::{Lua, LuaUserdata};

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods]
impl S {
    pub fn forever(&self, s: &'static str) -> usize {
        s.len()
    }

    pub fn numbers(&self, v: &[i64]) -> usize {
        v.len()
    }

    pub fn edit(&self, s: &mut str) {
        s.make_ascii_uppercase()
    }

    pub fn shown(&self, v: impl std::fmt::Display) -> String {
        v.to_string()
    }

    pub fn state_last(&self, k: f64, lua: &Lua) -> f64 {
        let _ = lua;
        self.x * k
    }

    pub fn state_mut(&self, lua: &mut Lua) {
        let _ = lua;
    }

    pub fn lend(&self) -> &f64 {
        &self.x
    }

    pub fn opaque(&self) -> impl std::fmt::Display {
        self.x
    }
}

fn main() {}
