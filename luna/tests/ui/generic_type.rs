use luna::LuaUserdata;

#[derive(LuaUserdata)]
struct Wrapper<T> {
    #[lua(get)]
    inner: T,
}

#[luna::methods]
impl<T> Wrapper<T> {
    pub fn get(&self) -> i32 {
        1
    }
}

#[derive(LuaUserdata)]
struct Borrowing<'a> {
    text: &'a str,
}

fn main() {}
