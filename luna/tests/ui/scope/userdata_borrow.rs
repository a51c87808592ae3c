// Data lent to a scope's userdata must outlive the `Lua::scope` call, not
// just a block inside the scope closure.
use luna::prelude::*;

struct Value(i32);
impl LuaUserdata for Value {}

fn main() {
    let good = Value(1);
    let lua = Lua::new();
    let _ = lua.scope(|scope| {
        let _good = scope.create_userdata_ref(&good)?;
        {
            let bad = Value(42);
            scope.create_userdata_ref(&bad)?;
        }
        Ok(())
    });
}
