// One `#[luna::methods]` block per type: a second one defines the
// registration hooks again.
use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods]
impl S {
    pub fn x(&self) -> f64 {
        self.x
    }
}

#[luna::methods]
impl S {
    pub fn double(&self) -> f64 {
        self.x * 2.0
    }
}

fn main() {}
