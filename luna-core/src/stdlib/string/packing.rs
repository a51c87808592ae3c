//! `string.pack`, `string.packsize` and `string.unpack`: the drivers of
//! the binary format engine `stdlib::pack`. They fetch the Lua arguments
//! for the engine (with the errors of `luaL_checkinteger`,
//! `luaL_checknumber` and `luaL_checklstring`), turn its errors into
//! argument errors or plain errors as PUC does, and push the unpacked
//! values while checking the stack ("too many results").

use crate::gc::Gc;
use crate::object::string::{LuaStr, MAX_STRING_LEN};
use crate::state::State;
use crate::stdlib::pack::{self, PackArgs, PackError, Unpacked, Unpacker};
use crate::value::Value;
use crate::vm::{LResult, Throw};

use super::{check_stack_msg, error_bytes, posrelat_start};

/// `string.pack(fmt, v1, v2, ...)`.
pub(super) fn str_pack(st: &mut State) -> LResult<usize> {
    let fmt = st.check_str(1)?;
    // The engine's size guard stands for the memory limit.
    let max_len = MAX_STRING_LEN.min(st.memory_limit().saturating_sub(st.used_memory()));
    // PUC pushes a nil before packing, so a missing first value reads as
    // nil ("got nil") and later ones as absent.
    st.push(Value::Nil);
    let mut out = Vec::new();
    let mut args = LuaArgs { st, last: None };
    let r = pack::pack(fmt.as_bytes(), &mut args, max_len, &mut out);
    match r {
        Ok(()) => {
            let v = st.str_value(out)?;
            st.push(v);
            Ok(1)
        }
        Err(Failure::Lua(t)) => Err(t),
        Err(Failure::Pack(PackError::Plain(msg))) if msg == b"resulting string too large" => Err(st.mem_throw()),
        Err(Failure::Pack(e)) => Err(pack_error(st, e)),
    }
}

/// `string.packsize(fmt)`.
pub(super) fn str_packsize(st: &mut State) -> LResult<usize> {
    let fmt = st.check_str(1)?;
    match pack::packsize(fmt.as_bytes()) {
        Ok(n) => {
            st.push(Value::Int(n as i64));
            Ok(1)
        }
        Err(e) => Err(pack_error(st, e)),
    }
}

/// `string.unpack(fmt, s [, pos])`.
pub(super) fn str_unpack(st: &mut State) -> LResult<usize> {
    let fmt = st.check_str(1)?;
    let data = st.check_str(2)?;
    let db = data.as_bytes();
    let pos = posrelat_start(st.opt_integer(3, 1)?, db.len()) - 1;
    let mut u = Unpacker::new(fmt.as_bytes(), db, pos).map_err(|e| pack_error(st, e))?;
    let mut n = 0;
    loop {
        let v = match u.next_value() {
            Ok(Some(v)) => v,
            Ok(None) => break,
            Err(e) => return Err(pack_error(st, e)),
        };
        // Room for this value and the final position.
        check_stack_msg(st, 2, "too many results")?;
        let v = match v {
            Unpacked::Int(i) => Value::Int(i),
            Unpacked::Float(x) => Value::Float(x),
            Unpacked::Str(a, b) => st.str_value(db.get(a..b).unwrap_or(&[]))?,
        };
        st.push(v);
        n += 1;
    }
    st.push(Value::Int(u.position() as i64 + 1));
    Ok(n + 1)
}

/// The argument source of `pack`: the running function's arguments.
struct LuaArgs<'a> {
    st: &'a mut State,
    /// The last string fetched, which the engine borrows.
    last: Option<Gc<LuaStr>>,
}

/// Why `pack` failed: a Lua error raised while fetching an argument, or
/// an engine error still to be raised.
enum Failure {
    Lua(Throw),
    Pack(PackError),
}

impl From<PackError> for Failure {
    fn from(e: PackError) -> Failure {
        Failure::Pack(e)
    }
}

impl PackArgs for LuaArgs<'_> {
    type Error = Failure;

    fn integer(&mut self, arg: usize) -> Result<i64, Failure> {
        self.st.check_integer(arg).map_err(Failure::Lua)
    }

    fn number(&mut self, arg: usize) -> Result<f64, Failure> {
        self.st.check_number(arg).map_err(Failure::Lua)
    }

    fn string(&mut self, arg: usize) -> Result<&[u8], Failure> {
        let s = self.st.check_str(arg).map_err(Failure::Lua)?;
        Ok(self.last.insert(s).as_bytes())
    }
}

/// Raises an engine error: an argument error or a plain error.
fn pack_error(st: &mut State, e: PackError) -> Throw {
    match e {
        PackError::Arg { arg, msg } => st.arg_error(arg, msg),
        PackError::Plain(msg) => error_bytes(st, &msg),
    }
}
