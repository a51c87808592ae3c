use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct Wrapper<T> {
    #[lua(get)]
    inner: T,
}

struct Plain;

#[luna::methods]
impl<T> Wrapper<T> {
    pub fn get(&self) -> i32 {
        1
    }
}

fn main() {}
