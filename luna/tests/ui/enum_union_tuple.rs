use luna::LuaUserdata;

// Enums, unions and tuple structs derive, but only struct fields are
// exposed, and a tuple struct's fields under a given name.
#[derive(LuaUserdata)]
enum E {
    #[lua(name = "a")]
    A,
    B(#[lua(get)] i64),
    C {
        #[lua(get)]
        x: f64,
    },
}

#[derive(LuaUserdata)]
union U {
    #[lua(get)]
    a: u32,
    b: f32,
}

// Without keys on its fields, a union derives.
#[derive(LuaUserdata)]
union Bits {
    int: u32,
    float: f32,
}

#[derive(LuaUserdata)]
struct Tuple(#[lua(get)] f64, #[lua(set, name = "second")] f64);

// A valid block on a type whose derive has errors adds no error.
#[luna::methods]
impl Tuple {
    pub fn sum(&self) -> f64 {
        self.0 + self.1
    }
}

fn main() {}
