use luna::LuaUserdata;

#[derive(LuaUserdata)]
#[lua(rename = "T")]
struct S {
    #[lua(get, sett)]
    x: f64,
}

#[luna::methods]
impl S {
    #[lua(metamethod = "add")]
    pub fn plus(&self, o: &S) -> f64 {
        self.x + o.x
    }

    #[lua(getter)]
    pub fn double(&self) -> f64 {
        self.x * 2.0
    }
}

fn main() {}
