use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods]
impl S {
    pub fn consume(self) -> f64 {
        self.x
    }

    pub fn generic<T: Default>(&self) -> i32 {
        1
    }

    #[lua(meta = "add", get)]
    pub fn both(&self) -> i32 {
        1
    }
}

fn main() {}
