use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua(name)]
    a: f64,
    #[lua(get = "yes")]
    b: f64,
    #[lua(skip, get)]
    c: f64,
}

#[luna::methods(extra)]
impl S {
    #[lua(meta)]
    pub fn m(&self) {}
}

fn main() {}
