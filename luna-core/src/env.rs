//! The environment of a Lua function: its `_ENV` upvalue, read and
//! replaced from the host (mlua's `Function::environment` and
//! `set_environment`).

use crate::gc::Gc;
use crate::object::function::LuaClosure;
use crate::state::State;
use crate::value::Value;
use crate::LResult;

/// The index of the `_ENV` upvalue of a Lua function.
fn env_index(cl: Gc<LuaClosure>) -> Option<usize> {
    cl.proto.upvalues.iter().position(|u| u.name.is_some_and(|n| n.as_bytes() == b"_ENV"))
}

impl State {
    /// The value of the `_ENV` upvalue of a Lua function (`None` for
    /// native functions and functions that use no global).
    pub fn function_env(&self, f: Value) -> Option<Value> {
        let Value::LuaFn(cl) = f else { return None };
        let i = env_index(cl)?;
        Some(cl.upvals[i].get().get())
    }

    /// Gives a Lua function a new environment: its `_ENV` upvalue is
    /// replaced by a new one holding `env` (as `debug.upvaluejoin` with a
    /// fresh upvalue would), so closures that shared the old one keep it.
    /// Returns false for native functions and functions without `_ENV`.
    pub fn set_function_env(&mut self, f: Value, env: Value) -> LResult<bool> {
        let Value::LuaFn(cl) = f else { return Ok(false) };
        let Some(i) = env_index(cl) else { return Ok(false) };
        let uv = self.new_closed_upval(env)?;
        cl.upvals[i].set(uv);
        // The same barriers as `debug.upvaluejoin`: a black closure must
        // not point to a white upvalue.
        self.heap.barrier(cl.erase(), Value::Nil);
        if cl.header().is_black() && uv.header().is_white() {
            self.heap.mark_object(uv.erase());
        }
        Ok(true)
    }
}
