// A scoped callback may not borrow a local of the scope closure: the
// local dies before the scope ends.
use luna::prelude::*;

fn main() {
    let lua = Lua::new();
    let _ = lua.scope(|scope| {
        let mut kept: Option<LuaTable> = None;
        let f = scope.create_function_mut(|_, t: LuaTable| {
            kept = Some(t);
            Ok(())
        })?;
        f.call::<()>(lua.create_table()?)?;
        Ok(())
    });
}
