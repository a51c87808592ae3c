// Two borrowing userdata of one scope cannot hold the same data mutably.
use luna::prelude::*;

struct MyUserData<'a>(&'a mut i32);
impl LuaUserdata for MyUserData<'_> {}

fn main() {
    let mut i = 1;
    let lua = Lua::new();
    let _ = lua.scope(|scope| {
        let _a = scope.create_userdata(MyUserData(&mut i))?;
        let _b = scope.create_userdata(MyUserData(&mut i))?;
        Ok(())
    });
}
