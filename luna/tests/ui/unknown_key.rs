use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua(get, sett)]
    x: f64,
}

fn main() {}
