//! The `utf8` library (PUC's lutf8lib.c): `char`, `charpattern`,
//! `codes`, `codepoint`, `len` and `offset`.
//!
//! Decoding follows PUC: sequences of up to six bytes encode values up
//! to 2^31 - 1; in strict mode (the default) values above U+10FFFF and
//! surrogates are invalid, while the `lax` argument accepts them.
//! Overlong encodings are always invalid. PUC strings end with a hidden
//! NUL byte, which some scans rely on; `byte_at` returns 0 past the end to
//! give the same results.

use crate::gc::Gc;
use crate::object::function::NativeFn;
use crate::object::table::Table;
use crate::state::State;
use crate::value::Value;
use crate::vm::LResult;

/// The largest Unicode code point.
const MAX_UNICODE: u32 = 0x10FFFF;
/// The largest value the encoding can hold.
const MAX_UTF: u32 = 0x7FFF_FFFF;
/// The error for invalid sequences.
const MSG_INVALID: &str = "invalid UTF-8 code";
/// A pattern matching exactly one UTF-8 sequence.
const CHAR_PATTERN: &[u8] = b"[\0-\x7F\xC2-\xFD][\x80-\xBF]*";

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    let t = st.new_lib(&[("offset", offset), ("codepoint", codepoint), ("char", char), ("len", len)])?;
    // The iterators are created once, so every call of `codes` returns
    // the same function (as PUC's C functions compare equal).
    let strict = st.new_native(iter_strict)?;
    let lax = st.new_native(iter_lax)?;
    let codes_fn = st.new_native_closure(NativeFn::Ptr(codes), &[strict, lax])?;
    st.raw_set_field(t, "codes", codes_fn)?;
    let p = st.str_value(CHAR_PATTERN)?;
    st.raw_set_field(t, "charpattern", p)?;
    Ok(t)
}

/// Appends the UTF-8 encoding of `x` (at most `0x7FFFFFFF`, up to six
/// bytes) to `out` (PUC's `luaO_utf8esc`).
pub fn encode_utf8(x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut buf = [0u8; 8];
    let mut n = 0;
    let mut x = x;
    let mut mfb: u32 = 0x3f;
    loop {
        buf[7 - n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    buf[7 - n] = ((!mfb << 1) | x) as u8;
    n += 1;
    out.extend_from_slice(&buf[8 - n..]);
}

/// Decodes the sequence starting at byte `i` of `s`, returning the value
/// and the index after the sequence, or `None` if it is invalid.
pub fn decode_utf8(s: &[u8], i: usize, strict: bool) -> Option<(u32, usize)> {
    const LIMITS: [u32; 6] = [!0, 0x80, 0x800, 0x10000, 0x20_0000, 0x400_0000];
    let mut c = byte_at(s, i) as u32;
    let mut res: u32;
    let mut next = i + 1;
    if c < 0x80 {
        res = c;
    } else {
        let mut count = 0usize;
        res = 0;
        while c & 0x40 != 0 {
            count += 1;
            let cc = byte_at(s, i + count) as u32;
            if !is_cont(cc as u8) {
                return None;
            }
            res = (res << 6) | (cc & 0x3f);
            c <<= 1;
        }
        if count > 5 {
            return None;
        }
        res |= (c & 0x7f) << (count * 5);
        if res > MAX_UTF || res < LIMITS[count] {
            return None;
        }
        next += count;
    }
    if strict && (res > MAX_UNICODE || (0xD800..=0xDFFF).contains(&res)) {
        return None;
    }
    Some((res, next))
}

/// Byte `i` of `s`, or 0 past the end (PUC strings end with a NUL).
fn byte_at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// Whether `c` is a continuation byte.
fn is_cont(c: u8) -> bool {
    c & 0xC0 == 0x80
}

/// Translates a relative string position: negative counts from the end
/// (PUC's `u_posrelat`).
fn posrelat(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

/// `utf8.len(s [, i [, j [, lax]]])`: the number of characters starting
/// in `[i, j]`, or fail and the position of the first invalid byte.
fn len(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let bytes = s.as_bytes();
    let n_len = bytes.len();
    let a2 = st.opt_integer(2, 1)?;
    let mut posi = posrelat(a2, n_len);
    let a3 = st.opt_integer(3, -1)?;
    let mut posj = posrelat(a3, n_len);
    let lax = !st.arg(4).is_falsy();
    if posi < 1 || posi - 1 > n_len as i64 {
        return Err(st.arg_error(2, "initial position out of bounds"));
    }
    posi -= 1;
    posj -= 1;
    if posj >= n_len as i64 {
        return Err(st.arg_error(3, "final position out of bounds"));
    }
    let mut n: i64 = 0;
    while posi <= posj {
        match decode_utf8(bytes, posi as usize, !lax) {
            Some((_, next)) => {
                posi = next as i64;
                n += 1;
            }
            None => {
                st.push(Value::Nil);
                st.push(Value::Int(posi + 1));
                return Ok(2);
            }
        }
    }
    st.push(Value::Int(n));
    Ok(1)
}

/// `utf8.codepoint(s [, i [, j [, lax]]])`: the code points of the
/// characters starting in `[i, j]`.
fn codepoint(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let n_len = s.len();
    let a2 = st.opt_integer(2, 1)?;
    let posi = posrelat(a2, n_len);
    let a3 = st.opt_integer(3, posi)?;
    let pose = posrelat(a3, n_len);
    let lax = !st.arg(4).is_falsy();
    if posi < 1 {
        return Err(st.arg_error(2, "out of bounds"));
    }
    if pose > n_len as i64 {
        return Err(st.arg_error(3, "out of bounds"));
    }
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as i64 {
        return Err(st.error_msg("string slice too long"));
    }
    let upper = (pose - posi) as usize + 1;
    if !crate::stdlib::table::stack_has_room(st, upper) {
        return Err(st.error_msg("stack overflow (string slice too long)"));
    }
    st.check_stack(upper)?;
    let bytes = s.as_bytes();
    let end = pose as usize;
    let mut i = (posi - 1) as usize;
    let mut n = 0;
    while i < end {
        match decode_utf8(bytes, i, !lax) {
            Some((code, next)) => {
                st.push(Value::Int(code as i64));
                n += 1;
                i = next;
            }
            None => return Err(st.error_msg(MSG_INVALID)),
        }
    }
    Ok(n)
}

/// Checks argument `arg` as a value to encode.
fn check_code(st: &mut State, arg: usize) -> LResult<u32> {
    let code = st.check_integer(arg)? as u64;
    if code > MAX_UTF as u64 {
        return Err(st.arg_error(arg, "value out of range"));
    }
    Ok(code as u32)
}

/// `utf8.char(...)`: the string with the given code points.
fn char(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    let mut out = Vec::new();
    for i in 1..=n {
        let code = check_code(st, i)?;
        encode_utf8(code, &mut out);
    }
    let s = st.str_value(out)?;
    st.push(s);
    Ok(1)
}

/// `utf8.offset(s, n [, i])`: the byte position where the `n`-th
/// character counting from position `i` starts.
fn offset(st: &mut State) -> LResult<usize> {
    let s = st.check_str(1)?;
    let n_len = s.len() as i64;
    let mut n = st.check_integer(2)?;
    let default = if n >= 0 { 1 } else { n_len + 1 };
    let a3 = st.opt_integer(3, default)?;
    let mut posi = posrelat(a3, n_len as usize);
    if posi < 1 || posi - 1 > n_len {
        return Err(st.arg_error(3, "position out of bounds"));
    }
    posi -= 1;
    let bytes = s.as_bytes();
    let cont = |p: i64| is_cont(byte_at(bytes, p as usize));
    if n == 0 {
        while posi > 0 && cont(posi) {
            posi -= 1;
        }
    } else {
        if cont(posi) {
            return Err(st.error_msg("initial position is a continuation byte"));
        }
        if n < 0 {
            while n < 0 && posi > 0 {
                loop {
                    posi -= 1;
                    if !(posi > 0 && cont(posi)) {
                        break;
                    }
                }
                n += 1;
            }
        } else {
            n -= 1;
            while n > 0 && posi < n_len {
                loop {
                    posi += 1;
                    if !cont(posi) {
                        break;
                    }
                }
                n -= 1;
            }
        }
    }
    if n == 0 {
        st.push(Value::Int(posi + 1));
    } else {
        st.push(Value::Nil);
    }
    Ok(1)
}

/// The iteration step of `utf8.codes`.
fn iter_aux(st: &mut State, strict: bool) -> LResult<usize> {
    let s = st.check_str(1)?;
    let bytes = s.as_bytes();
    let len = bytes.len() as u64;
    let mut n = crate::vm::arith::to_integer(&st.arg(2), crate::vm::arith::F2I::Exact).unwrap_or(0) as u64;
    if n < len {
        while is_cont(byte_at(bytes, n as usize)) {
            n += 1;
        }
    }
    if n >= len {
        return Ok(0);
    }
    match decode_utf8(bytes, n as usize, strict) {
        Some((code, next)) if !is_cont(byte_at(bytes, next)) => {
            st.push(Value::Int(n as i64 + 1));
            st.push(Value::Int(code as i64));
            Ok(2)
        }
        _ => Err(st.error_msg(MSG_INVALID)),
    }
}

fn iter_strict(st: &mut State) -> LResult<usize> {
    iter_aux(st, true)
}

fn iter_lax(st: &mut State) -> LResult<usize> {
    iter_aux(st, false)
}

/// `utf8.codes(s [, lax])`: an iterator over the characters of `s`.
fn codes(st: &mut State) -> LResult<usize> {
    let lax = !st.arg(2).is_falsy();
    let s = st.check_str(1)?;
    if is_cont(byte_at(s.as_bytes(), 0)) {
        return Err(st.arg_error(1, MSG_INVALID));
    }
    let f = st.upvalue(if lax { 2 } else { 1 });
    st.push(f);
    st.push(Value::Str(s));
    st.push(Value::Int(0));
    Ok(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        for &c in &[
            0u32, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff, 0x1fffff, 0x200000, 0x3ffffff, 0x4000000,
            MAX_UTF,
        ] {
            let mut b = Vec::new();
            encode_utf8(c, &mut b);
            assert_eq!(decode_utf8(&b, 0, false), Some((c, b.len())), "code {c:#x}");
        }
    }
}
