use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua(get)]
    f: fn(i32) -> i32,
    #[lua(get)]
    p: *const u8,
    #[lua(set)]
    r: &'static str,
    // Not exposed: any type is fine.
    q: *const u8,
}

fn main() {}
