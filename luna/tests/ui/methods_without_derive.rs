// A methods block on a type that does not derive `LuaUserdata`: the
// attribute never implements the trait, so the type is not a userdata.
// The error is at the block even for a type that is never registered.
struct Counter {
    n: i64,
}

#[luna::methods]
impl Counter {
    pub fn incr(&mut self) -> i64 {
        self.n += 1;
        self.n
    }
}

struct Registered;

#[luna::methods]
impl Registered {
    pub fn new() -> Registered {
        Registered
    }
}

fn main() {
    let lua = luna::Lua::new();
    let _ = lua.register_userdata::<Registered>("Registered");
}
