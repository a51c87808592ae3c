// A scoped callback may not borrow a local of a block inside the scope
// closure (the scope's lifetimes are invariant: they cannot shrink to
// that block).
use luna::prelude::*;

struct Test {
    field: i32,
}

fn main() {
    let lua = Lua::new();
    let _ = lua.scope(|scope| {
        let f = {
            let mut test = Test { field: 0 };
            scope.create_function_mut(|_, ()| {
                test.field = 42;
                Ok(())
            })?
        };
        f.call::<()>(())
    });
}
