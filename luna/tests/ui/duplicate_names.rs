use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua(get)]
    x: f64,
    #[lua(get, set, name = "x")]
    y: f64,
}

#[luna::methods]
impl S {
    pub fn len(&self) -> f64 {
        self.x
    }

    #[lua(name = "len")]
    pub fn length(&self) -> f64 {
        self.x
    }

    #[lua(meta = "add")]
    pub fn plus(&self, o: &S) -> f64 {
        self.x + o.x
    }

    #[lua(meta = "__add")]
    pub fn plus_again(&self, o: &S) -> f64 {
        self.x + o.x
    }

    #[lua(get)]
    pub fn size(&self) -> f64 {
        self.y
    }

    #[lua(get, name = "size")]
    pub fn size_again(&self) -> f64 {
        self.y
    }
}

fn main() {}
