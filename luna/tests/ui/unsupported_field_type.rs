use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua(get)]
    f: fn(i32) -> i32,
    #[lua(get)]
    p: *const u8,
    #[lua(set)]
    r: &'static str,
    // Skipped: any type is fine.
    #[lua(skip)]
    q: *const u8,
    // Without keys: exposed, so its type must be supported.
    implicit: *const u8,
}

// A tuple field without keys is not exposed (it has no name).
#[derive(LuaUserdata)]
struct Tuple(*const u8);

fn main() {}
