// The in-place conversions receive the raw state; other crates cannot
// implement them (their token type cannot be named).
use luna::prelude::*;

struct Mine;

impl IntoLua for Mine {
    fn into_lua(self, _: &Lua) -> LuaResult<LuaValue> {
        Ok(LuaValue::Nil)
    }

    const DIRECT: bool = true;

    fn lower_direct(
        self,
        _: &Lua,
        _: &mut luna_core::State,
        _: luna::multi::Sealed,
    ) -> LuaResult<luna_core::Value> {
        Ok(luna_core::Value::Nil)
    }
}

fn main() {}
