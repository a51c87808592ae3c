//! `string.format` (PUC's `str_format`): walks the format string, copies
//! plain text, and for each conversion specification fetches its argument
//! and formats it with the printf engine of `crate::fmt`. The order in
//! which the argument and the specification are checked differs between
//! conversions exactly as in PUC-Rio 5.4.8, so that the same error wins
//! when both are bad. `%s` uses `tostring` semantics (`__tostring`,
//! `__name`), `%q` writes a literal Lua can read back, and `%p` writes the
//! object's address as glibc's `%p` does, or "(null)" for values that are
//! not objects.

use crate::fmt::{self, FormatSpec, RawSpec, SpecError};
use crate::state::State;
use crate::value::Value;
use crate::vm::{LResult, Throw};

use super::{append, error_bytes, reserve};

/// The room reserved for one formatted item before it is written: enough
/// for every conversion except `%f` of huge numbers and `%s`/`%q`, whose
/// output is reserved by size.
const MAX_ITEM: usize = 512;

/// `string.format(fmt, ...)`.
pub(super) fn str_format(st: &mut State) -> LResult<usize> {
    let top = st.nargs();
    let mut arg = 1;
    let fs = st.check_str(1)?;
    let f = fs.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < f.len() {
        let rest = f.get(i..).unwrap_or(&[]);
        if rest.first() != Some(&b'%') {
            let n = rest.iter().position(|&c| c == b'%').unwrap_or(rest.len());
            append(st, &mut out, rest.get(..n).unwrap_or(&[]))?;
            i += n;
            continue;
        }
        i += 1;
        if f.get(i) == Some(&b'%') {
            append(st, &mut out, b"%")?;
            i += 1;
            continue;
        }
        arg += 1;
        if arg > top {
            return Err(st.arg_error(arg, "no value"));
        }
        let (raw, consumed) = fmt::scan_spec(f.get(i..).unwrap_or(&[])).map_err(|e| spec_error(st, e))?;
        i = (i + consumed).min(f.len());
        reserve(st, &mut out, MAX_ITEM)?;
        format_item(st, &raw, arg, &mut out)?;
    }
    let v = st.str_value(out)?;
    st.push(v);
    Ok(1)
}

/// Formats argument `arg` according to one specification.
fn format_item(st: &mut State, raw: &RawSpec<'_>, arg: usize, out: &mut Vec<u8>) -> LResult<()> {
    match raw.conversion() {
        b'c' => {
            let spec = check(st, raw)?;
            let n = st.check_integer(arg)?;
            fmt::format_int(&spec, n, out);
        }
        b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
            let n = st.check_integer(arg)?;
            let spec = check(st, raw)?;
            fmt::format_int(&spec, n, out);
        }
        b'a' | b'A' => {
            let spec = check(st, raw)?;
            let x = st.check_number(arg)?;
            fmt::format_float(&spec, x, out);
        }
        b'f' | b'e' | b'E' | b'g' | b'G' => {
            let x = st.check_number(arg)?;
            let spec = check(st, raw)?;
            if spec.conversion == b'f' {
                // '%f' of a large number can be long: about one digit per
                // unit of the decimal exponent, plus the precision.
                reserve(st, out, MAX_ITEM + 310)?;
            }
            fmt::format_float(&spec, x, out);
        }
        b'p' => {
            let v = st.arg(arg);
            let spec = check(st, raw)?;
            let text = match v.gc_address() {
                Some(addr) if addr != 0 => format!("{addr:#x}"),
                _ => "(null)".to_string(),
            };
            fmt::format_str(&spec, text.as_bytes(), out);
        }
        b'q' => {
            check(st, raw)?;
            add_literal(st, arg, out)?;
        }
        b's' => {
            let v = st.arg(arg);
            let s = st.to_display_string(v)?;
            let bytes = s.as_bytes();
            if !raw.has_modifiers() {
                append(st, out, bytes)?;
            } else {
                if bytes.contains(&0) {
                    return Err(st.arg_error(arg, "string contains zeros"));
                }
                let spec = check(st, raw)?;
                reserve(st, out, bytes.len())?;
                fmt::format_str(&spec, bytes, out);
            }
        }
        _ => {
            // Fails with "invalid conversion '%...' to 'format'".
            check(st, raw)?;
        }
    }
    Ok(())
}

/// Appends the `%q` literal of argument `arg` (PUC's `addliteral`).
fn add_literal(st: &mut State, arg: usize, out: &mut Vec<u8>) -> LResult<()> {
    match st.arg(arg) {
        Value::Str(s) => {
            let bytes = s.as_bytes();
            // Escapes take at most four bytes per input byte.
            reserve(st, out, bytes.len().saturating_mul(4).saturating_add(2))?;
            fmt::fmt_q_string(bytes, out);
        }
        Value::Int(n) => fmt::fmt_q_int(n, out),
        Value::Float(x) => fmt::fmt_q_float(x, out),
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        _ => return Err(st.arg_error(arg, "value has no literal form")),
    }
    Ok(())
}

/// Validates a specification against its conversion, raising PUC's error.
fn check(st: &mut State, raw: &RawSpec<'_>) -> LResult<FormatSpec> {
    raw.check().map_err(|e| spec_error(st, e))
}

/// Raises a specification error (a `luaL_error` in PUC).
fn spec_error(st: &mut State, e: SpecError) -> Throw {
    error_bytes(st, &e.0)
}
