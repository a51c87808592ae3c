// A scope cannot be taken out of its closure.
use luna::prelude::*;

fn main() {
    let lua = Lua::new();
    let mut outside = None;
    let _ = lua.scope(|scope| {
        outside = Some(scope);
        Ok(())
    });
}
