use luna::LuaUserdata;

#[derive(LuaUserdata)]
#[lua(name = "")]
struct S {
    #[lua(name)]
    a: f64,
    #[lua(get = "yes")]
    b: f64,
    #[lua(get, name = 5)]
    c: f64,
    #[lua(get, name = "")]
    d: f64,
}

#[luna::methods]
impl S {
    #[lua(meta)]
    pub fn m(&self) {}

    #[lua(meta = add)]
    pub fn n(&self) {}

    #[lua(skip = true)]
    pub fn o(&self) {}

    #[lua(name = "")]
    pub fn p(&self) {}
}

fn main() {}
