use luna::LuaUserdata;

#[derive(LuaUserdata)]
#[lua(name = "A", name = "B")]
struct S {
    #[lua(get, get)]
    x: f64,
}

fn main() {}
