use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods(derived)]
impl S {
    pub fn x(&self) -> f64 {
        self.x
    }
}

#[derive(LuaUserdata)]
struct T;

#[luna::methods(name = "T")]
impl T {}

fn main() {}
