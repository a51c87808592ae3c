use luna::LuaUserdata;

#[derive(LuaUserdata)]
enum E {
    A,
}

#[derive(LuaUserdata)]
struct Tuple(f64);

fn main() {}
