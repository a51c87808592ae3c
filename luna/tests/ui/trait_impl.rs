use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods]
impl std::fmt::Display for S {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.x)
    }
}

fn main() {}
