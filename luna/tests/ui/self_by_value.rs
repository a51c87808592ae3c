use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct S {
    x: f64,
}

#[luna::methods]
impl S {
    // A plain method may take `self` (it consumes the userdata's value); a
    // metamethod or a getter may not.
    #[lua(meta = "call")]
    pub fn consume(self) -> f64 {
        self.x
    }

    #[lua(get)]
    pub fn consume_mut(mut self) -> f64 {
        self.x += 1.0;
        self.x
    }

    pub fn boxed(self: Box<Self>) -> f64 {
        self.x
    }

    pub fn generic<T: Default>(&self) -> i32 {
        1
    }

    pub fn borrowing<'a>(&'a self, s: &'a str) -> usize {
        s.len()
    }

    pub async fn later(&self) -> i32 {
        1
    }

    pub unsafe fn danger(&self) -> i32 {
        1
    }
}

fn main() {}
