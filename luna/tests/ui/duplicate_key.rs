use luna::LuaUserdata;

#[derive(LuaUserdata)]
#[lua(name = "A", name = "B")]
struct S {
    #[lua(get, get)]
    x: f64,
    #[lua(get)]
    #[lua(set, get)]
    y: f64,
}

#[luna::methods]
impl S {
    #[lua(meta = "add", meta = "sub")]
    pub fn op(&self, o: &S) -> f64 {
        self.x + o.x
    }

    #[lua(skip)]
    #[lua(skip)]
    pub fn hidden(&self) {}
}

fn main() {}
