use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua(skip, get)]
    a: f64,
    #[lua(name = "bee")]
    b: f64,
}

#[luna::methods]
impl S {
    #[lua(meta = "add", get)]
    pub fn both(&self) -> i32 {
        1
    }

    #[lua(meta = "sub", name = "minus")]
    pub fn minus(&self, o: &S) -> f64 {
        self.a - o.a
    }

    #[lua(get, set)]
    pub fn either(&self) -> f64 {
        self.a
    }

    #[lua(skip, name = "hidden")]
    pub fn hidden(&self) {}

    #[lua(get)]
    pub fn with_arg(&self, k: f64) -> f64 {
        self.a * k
    }

    #[lua(get)]
    pub fn no_self() -> f64 {
        1.0
    }

    #[lua(set)]
    pub fn set_b(&self, v: f64) -> f64 {
        v
    }

    #[lua(set)]
    pub fn set_two(&mut self, a: f64, b: f64) {
        self.a = a;
        self.b = b;
    }
}

fn main() {}
