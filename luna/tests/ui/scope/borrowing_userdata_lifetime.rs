// What a borrowing userdata borrows must outlive the `Lua::scope` call,
// not just a block inside the scope closure.
use luna::prelude::*;

struct MyUserData<'a>(&'a i32);
impl LuaUserdata for MyUserData<'_> {}

fn main() {
    let good = 1;
    let lua = Lua::new();
    let _ = lua.scope(|scope| {
        let _good = scope.create_userdata(MyUserData(&good))?;
        {
            let bad = 42;
            scope.create_userdata(MyUserData(&bad))?;
        }
        Ok(())
    });
}
