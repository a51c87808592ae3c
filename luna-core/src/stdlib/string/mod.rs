//! The `string` library (PUC's lstrlib.c): the library table, the shared
//! string metatable (`__index` and the arithmetic metamethods that coerce
//! numeric strings), and the simple functions `byte`, `char`, `dump`, `len`,
//! `lower`, `rep`, `reverse`, `sub` and `upper`. `string.format` lives in
//! `format`, the pattern functions (`find`, `match`, `gmatch`, `gsub`) in
//! `matching`, and `pack`, `packsize` and `unpack` in `packing`; the
//! engines they drive are `crate::fmt`, `stdlib::pattern` and
//! `stdlib::pack`. This module also holds the helpers the submodules share:
//! position translation, output-buffer reservation under the memory limit,
//! stack checks with PUC's messages and errors with byte-string messages.

mod format;
mod matching;
mod packing;

use crate::gc::Gc;
use crate::object::table::Table;
use crate::object::thread::{EXTRA_STACK, MAX_STACK};
use crate::state::State;
use crate::value::{Type, Value};
use crate::vm::arith::{self, ArithOp};
use crate::vm::{LResult, Throw};

/// The largest result `string.rep` and `string.byte` accept (PUC's
/// `MAXSIZE`, a C `int`).
const MAXSIZE: usize = i32::MAX as usize;

/// Creates the library table and installs the string metatable.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    let lib = st.new_lib(&[
        ("byte", str_byte),
        ("char", str_char),
        ("dump", str_dump),
        ("find", matching::str_find),
        ("format", format::str_format),
        ("gmatch", matching::gmatch),
        ("gsub", matching::str_gsub),
        ("len", str_len),
        ("lower", str_lower),
        ("match", matching::str_match),
        ("rep", str_rep),
        ("reverse", str_reverse),
        ("sub", str_sub),
        ("upper", str_upper),
        ("pack", packing::str_pack),
        ("packsize", packing::str_packsize),
        ("unpack", packing::str_unpack),
    ])?;
    let mt = st.new_lib(&[
        ("__add", arith_add),
        ("__sub", arith_sub),
        ("__mul", arith_mul),
        ("__mod", arith_mod),
        ("__pow", arith_pow),
        ("__div", arith_div),
        ("__idiv", arith_idiv),
        ("__unm", arith_unm),
    ])?;
    st.raw_set_field(mt, "__index", Value::Table(lib))?;
    // Any string value sets the metatable shared by all strings.
    let dummy = st.str_value(b"")?;
    st.set_metatable(dummy, Some(mt));
    Ok(lib)
}

/// Produces a function's binary chunk for `string.dump`; native functions
/// cannot be dumped.
fn dump_function(st: &mut State, f: Value, strip: bool) -> LResult<Vec<u8>> {
    match st.dump_function(f, strip) {
        Some(chunk) => Ok(chunk),
        None => Err(st.error_msg("unable to dump given function")),
    }
}

// ----------------------------------------------------------------------
// Helpers shared by the submodules.

/// Translates a relative initial position (negative counts from the end)
/// to a 1-based position clipped to `[1, inf)` (PUC's `posrelatI`).
pub(super) fn posrelat_start(pos: i64, len: usize) -> usize {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    if pos > 0 {
        usize::try_from(pos).unwrap_or(usize::MAX)
    } else if pos == 0 || pos < -len_i {
        1
    } else {
        // -len <= pos < 0, so the sum is in [1, len].
        len - pos.unsigned_abs() as usize + 1
    }
}

/// Reads the optional end position of argument `n` (default `def`),
/// translated and clipped to `[0, len]` (PUC's `getendpos`).
fn end_position(st: &mut State, n: usize, def: i64, len: usize) -> LResult<usize> {
    let pos = st.opt_integer(n, def)?;
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    Ok(if pos > len_i {
        len
    } else if pos >= 0 {
        pos as usize
    } else if pos < -len_i {
        0
    } else {
        len - pos.unsigned_abs() as usize + 1
    })
}

pub(super) use crate::stdlib::{append, reserve};

/// Ensures room for `n` more values on the stack, raising "stack overflow
/// (msg)" as PUC's `luaL_checkstack` does when the stack limit forbids it.
pub(super) fn check_stack_msg(st: &mut State, n: usize, msg: &str) -> LResult<()> {
    let top = st.th().top;
    let fits = top.checked_add(n).and_then(|t| t.checked_add(EXTRA_STACK)).is_some_and(|t| t <= MAX_STACK);
    if !fits {
        return Err(st.error_msg(&format!("stack overflow ({msg})")));
    }
    st.check_stack(n)
}

/// `luaL_error` with a message that may hold any bytes.
pub(super) fn error_bytes(st: &mut State, msg: &[u8]) -> Throw {
    let mut m = st.where_(1);
    m.extend_from_slice(msg);
    match st.new_str(&m) {
        Ok(s) => st.throw_value(Value::Str(s)),
        Err(t) => t,
    }
}

// ----------------------------------------------------------------------
// Simple functions.

fn str_len(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    st.push(Value::Int(s.len() as i64));
    Ok(1)
}

fn str_sub(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let l = s.len();
    let start = posrelat_start(st.check_integer(2)?, l);
    let end = end_position(st, 3, -1, l)?;
    let r = if start <= end { s.as_bytes().get(start - 1..end).unwrap_or(&[]) } else { &[] };
    let v = st.str_value(r)?;
    st.push(v);
    Ok(1)
}

fn str_reverse(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let r: Vec<u8> = s.as_bytes().iter().rev().copied().collect();
    let v = st.str_value(r)?;
    st.push(v);
    Ok(1)
}

fn str_lower(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let r = s.as_bytes().to_ascii_lowercase();
    let v = st.str_value(r)?;
    st.push(v);
    Ok(1)
}

fn str_upper(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let r = s.as_bytes().to_ascii_uppercase();
    let v = st.str_value(r)?;
    st.push(v);
    Ok(1)
}

fn str_rep(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let n = st.check_integer(2)?;
    let sep = st.opt_str(3)?;
    let sb = s.as_bytes();
    let sepb = sep.as_ref().map_or(&[][..], |p| p.as_bytes());
    let (l, lsep) = (sb.len(), sepb.len());
    if n <= 0 {
        let v = st.str_value(b"")?;
        st.push(v);
        return Ok(1);
    }
    let count = usize::try_from(n).unwrap_or(usize::MAX);
    let unit = l.saturating_add(lsep);
    if unit > MAXSIZE / count {
        return Err(st.error_msg("resulting string too large"));
    }
    // Both products are below MAXSIZE after the check above.
    let total = count * l + (count - 1) * lsep;
    // Copying is work a script chooses the size of: a unit of fuel per
    // 256 bytes, so a budget stops `rep` where no memory limit does.
    st.charge_fuel((total / 256) as i64)?;
    let mut out = Vec::new();
    if total > 0 {
        reserve(st, &mut out, total)?;
        out.extend_from_slice(sb);
        if count > 1 {
            // Append one separator-and-copy unit, then double the units.
            let first = out.len();
            out.extend_from_slice(sepb);
            out.extend_from_slice(sb);
            let mut have = 1;
            while have < count - 1 {
                let take = have.min(count - 1 - have);
                out.extend_from_within(first..first + take * unit);
                have += take;
            }
        }
    }
    let v = st.str_value(out)?;
    st.push(v);
    Ok(1)
}

fn str_byte(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let l = s.len();
    let pi = st.opt_integer(2, 1)?;
    let posi = posrelat_start(pi, l);
    let pose = end_position(st, 3, pi, l)?;
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= MAXSIZE {
        return Err(st.error_msg("string slice too long"));
    }
    let n = pose - posi + 1;
    check_stack_msg(st, n, "string slice too long")?;
    for &c in s.as_bytes().get(posi - 1..pose).unwrap_or(&[]) {
        st.push(Value::Int(i64::from(c)));
    }
    Ok(n)
}

fn str_char(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    let mut out = Vec::new();
    reserve(st, &mut out, n)?;
    for i in 1..=n {
        let c = st.check_integer(i)?;
        match u8::try_from(c) {
            Ok(b) => out.push(b),
            Err(_) => return Err(st.arg_error(i, "value out of range")),
        }
    }
    let v = st.str_value(out)?;
    st.push(v);
    Ok(1)
}

fn str_dump(st: &mut State) -> LResult<usize> {
    let strip = !st.arg(2).is_falsy();
    let f = st.check_type(1, Type::Function)?;
    let chunk = dump_function(st, f, strip)?;
    let v = st.str_value(chunk)?;
    st.push(v);
    Ok(1)
}

// ----------------------------------------------------------------------
// String metamethods: arithmetic on strings converts them to numbers.

/// Argument `n` as a number when it is one or is a string holding a
/// numeral (PUC's `tonum`).
fn to_num(st: &State, n: usize) -> Option<Value> {
    match st.arg(n) {
        v @ (Value::Int(_) | Value::Float(_)) => Some(v),
        Value::Str(s) => arith::str_to_num(s.as_bytes()),
        _ => None,
    }
}

/// The body of every string arithmetic metamethod (PUC's `arith` and
/// `trymt`): arithmetic on the converted operands, or else the second
/// operand's own metamethod, or else an error naming both types.
fn arith_mm(st: &mut State, op: ArithOp, mtname: &str) -> LResult<usize> {
    if let (Some(a), Some(b)) = (to_num(st, 1), to_num(st, 2)) {
        let r = st.arith(op, a, b)?;
        st.push(r);
        return Ok(1);
    }
    let (a, b) = (st.arg(1), st.arg(2));
    let tm = if matches!(b, Value::Str(_)) { Value::Nil } else { st.meta_field(b, mtname)? };
    if tm.is_nil() {
        let msg = format!(
            "attempt to {} a '{}' with a '{}'",
            mtname.get(2..).unwrap_or(mtname),
            a.type_name(),
            b.type_name()
        );
        return Err(st.error_msg(&msg));
    }
    let func = st.top();
    st.push(tm);
    st.push(a);
    st.push(b);
    st.call_noyield(func, 1)?;
    Ok(1)
}

fn arith_add(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Add, "__add")
}

fn arith_sub(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Sub, "__sub")
}

fn arith_mul(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Mul, "__mul")
}

fn arith_mod(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Mod, "__mod")
}

fn arith_pow(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Pow, "__pow")
}

fn arith_div(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Div, "__div")
}

fn arith_idiv(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::IDiv, "__idiv")
}

fn arith_unm(st: &mut State) -> LResult<usize> {
    arith_mm(st, ArithOp::Unm, "__unm")
}

#[cfg(test)]
mod tests {
    use crate::load::LoadMode;
    use crate::stdlib::Libs;
    use crate::value::Value;
    use crate::vm::Status;
    use crate::State;

    /// Runs `code` in a fresh state with a memory limit of `limit` bytes
    /// above what the libraries use, returning the status and the string
    /// form of the first result or error.
    fn run_limited(code: &str, limit: usize) -> (Status, String) {
        let mut st = State::new_trusted();
        st.open_libs(Libs::ALL).expect("open libs");
        let used = st.used_memory();
        st.set_memory_limit(used + limit);
        let f = st.load(code.as_bytes(), b"=test", LoadMode::Text, None).expect("load");
        let base = st.top();
        st.push(f);
        let status = st.pcall_raw(base, 1, 0);
        let text = match st.stack_get(st.top() - 1) {
            Value::Str(s) => s.to_str_lossy().into_owned(),
            other => format!("{other:?}"),
        };
        (status, text)
    }

    #[test]
    fn large_results_fail_with_memory_errors_under_a_limit() {
        let cases = [
            "return string.rep('x', 100000000)",
            "return string.rep('abc', 10000000, ',')",
            "return (string.rep('x', 100000):gsub('x', string.rep('y', 1000)))",
            "return string.format('%s%s', string.rep('x', 600000), string.rep('y', 600000))",
            "return string.pack('c1000000c1000000', '', '')",
        ];
        for code in cases {
            let (status, msg) = run_limited(code, 1 << 20);
            assert_eq!(status, Status::ErrMem, "{code}: {msg}");
            assert_eq!(msg, "not enough memory", "{code}");
        }
    }

    #[test]
    fn results_within_the_limit_succeed() {
        let (status, msg) = run_limited("return #string.rep('ab', 1000, ',')", 1 << 20);
        assert_eq!(status, Status::Ok, "{msg}");
    }

    #[test]
    fn fuel_bounds_pattern_matching() {
        let mut st = State::new_trusted();
        st.open_libs(Libs::ALL).expect("open libs");
        st.set_fuel(Some(100_000));
        let code = "return string.find(string.rep('a', 5000), '.-.-.-b')";
        let f = st.load(code.as_bytes(), b"=test", LoadMode::Text, None).expect("load");
        let base = st.top();
        st.push(f);
        let status = st.pcall_raw(base, 1, 0);
        assert_eq!(status, Status::ErrRun);
        match st.stack_get(st.top() - 1) {
            Value::Str(s) => assert!(s.to_str_lossy().contains("instruction limit reached"), "{}", s.to_str_lossy()),
            other => panic!("unexpected error value {other:?}"),
        }
    }

    #[test]
    fn positions_are_translated_as_in_puc() {
        use super::posrelat_start;
        assert_eq!(posrelat_start(3, 5), 3);
        assert_eq!(posrelat_start(0, 5), 1);
        assert_eq!(posrelat_start(-1, 5), 5);
        assert_eq!(posrelat_start(-5, 5), 1);
        assert_eq!(posrelat_start(-6, 5), 1);
        assert_eq!(posrelat_start(i64::MIN, 5), 1);
        assert_eq!(posrelat_start(i64::MAX, 5), i64::MAX as usize);
    }
}
