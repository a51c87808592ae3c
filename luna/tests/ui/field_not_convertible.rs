// The derive's getters clone the field and convert it with `IntoLua`, its
// setters with `FromLua`: a type without them is reported at the field.
use luna::LuaUserdata;

struct Opaque;

#[derive(LuaUserdata)]
struct S {
    #[lua(get, set)]
    o: Opaque,
}

fn main() {}
