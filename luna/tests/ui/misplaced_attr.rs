use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    #[lua]
    x: f64,
}

#[luna::methods]
#[lua(name = "Other")]
impl S {
    #[lua(name = "ANSWER")]
    pub const ANSWER: i32 = 42;

    #[lua(name = "helper")]
    fn helper(&self) -> f64 {
        self.x
    }

    pub fn scaled(&self, #[lua(name = "k")] k: f64) -> f64 {
        self.x * k
    }
}

#[luna::methods]
fn not_a_block() {}

#[luna::methods]
struct NotABlockEither;

fn main() {}
