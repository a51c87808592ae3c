use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods]
impl S {
    #[lua(meta = "plus")]
    pub fn plus(&self, o: &S) -> f64 {
        self.x + o.x
    }

    #[lua(meta = "__gc")]
    pub fn finish(&self) {}

    #[lua(meta = "name")]
    pub fn type_name(&self) -> String {
        "S".into()
    }

    #[lua(meta = "__tostring")]
    pub fn show(&self) -> String {
        self.x.to_string()
    }
}

fn main() {}
