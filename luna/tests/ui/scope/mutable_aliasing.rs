// Two userdata of one scope cannot borrow the same data mutably.
use luna::prelude::*;

struct Counter(i32);
impl LuaUserdata for Counter {}

fn main() {
    let mut c = Counter(1);
    let lua = Lua::new();
    let _ = lua.scope(|scope| {
        let _a = scope.create_userdata_ref_mut(&mut c)?;
        let _b = scope.create_userdata_ref_mut(&mut c)?;
        Ok(())
    });
}
