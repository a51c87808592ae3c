//! Conversion of strings to numbers, with the exact rules of PUC-Rio Lua
//! 5.4 (`luaO_str2num` in `lobject.c`, `tonumber(s, base)` in
//! `lbaselib.c`).
//!
//! These functions are shared by the lexer (numerals in source code) and the
//! runtime (`tonumber`, string coercions in arithmetic, `string.format`
//! arguments...), so that both accept exactly the same texts.
//!
//! The rules, in short:
//! - leading and trailing whitespace (`' '`, `\t`, `\n`, `\v`, `\f`, `\r`)
//!   is allowed, anything else after the numeral is not;
//! - an optional sign (`-` or `+`);
//! - decimal integers that do not fit in an `i64` are read as floats;
//! - hexadecimal integers (`0x...`) wrap around modulo 2^64;
//! - decimal floats (`1.5`, `.5`, `5.`, `1e10`, `1E-3`);
//! - hexadecimal floats (`0x1p4`, `0x.8`, `0xA.8p-1`), rounded exactly as
//!   C's `strtod` does;
//! - no `inf` or `nan` (any text with an `n`/`N` is rejected as a float).

/// A number read from a string: Lua's two number subtypes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Numeral {
    Int(i64),
    Float(f64),
}

/// Whether `c` is a whitespace byte for Lua (C's `isspace` in the "C"
/// locale).
#[inline]
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The value of a hexadecimal digit (the byte must be one).
#[inline]
pub fn hex_value(c: u8) -> u32 {
    if c.is_ascii_digit() {
        (c - b'0') as u32
    } else {
        ((c | 0x20) - b'a') as u32 + 10
    }
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// Reads an optional sign at `*i`; returns whether it was a minus.
fn read_sign(s: &[u8], i: &mut usize) -> bool {
    match s.get(*i) {
        Some(b'-') => {
            *i += 1;
            true
        }
        Some(b'+') => {
            *i += 1;
            false
        }
        _ => false,
    }
}

/// Converts a string to a Lua number, as `luaO_str2num`: first as an
/// integer, then as a float. Returns `None` if the whole string (but for
/// surrounding whitespace) is not a numeral.
pub fn str_to_number(s: &[u8]) -> Option<Numeral> {
    if let Some(i) = str_to_integer(s) {
        Some(Numeral::Int(i))
    } else {
        str_to_float(s).map(Numeral::Float)
    }
}

/// Converts a string holding an integer numeral (decimal or hexadecimal) to
/// an integer, as PUC's `l_str2int`. Decimal numerals that overflow are
/// rejected (they are floats); hexadecimal ones wrap around.
pub fn str_to_integer(s: &[u8]) -> Option<i64> {
    let mut i = skip_spaces(s, 0);
    let neg = read_sign(s, &mut i);
    let mut a: u64 = 0;
    let mut empty = true;
    if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            a = a.wrapping_mul(16).wrapping_add(hex_value(s[i]) as u64);
            empty = false;
            i += 1;
        }
    } else {
        const MAXBY10: u64 = (i64::MAX / 10) as u64;
        const MAXLASTD: u64 = (i64::MAX % 10) as u64;
        while i < s.len() && s[i].is_ascii_digit() {
            let d = (s[i] - b'0') as u64;
            if a >= MAXBY10 && (a > MAXBY10 || d > MAXLASTD + neg as u64) {
                return None; // overflow: not accepted as an integer
            }
            a = a * 10 + d;
            empty = false;
            i += 1;
        }
    }
    i = skip_spaces(s, i);
    if empty || i != s.len() {
        None
    } else if neg {
        Some(0u64.wrapping_sub(a) as i64)
    } else {
        Some(a as i64)
    }
}

/// Converts a string holding a float numeral (decimal or hexadecimal) to a
/// float, as PUC's `l_str2d`. Also accepts integer numerals (giving their
/// float value), but never `inf` or `nan`.
pub fn str_to_float(s: &[u8]) -> Option<f64> {
    // The first of the "special" characters decides the kind of numeral.
    let mode = s.iter().find(|&&c| matches!(c, b'.' | b'x' | b'X' | b'n' | b'N')).map(|c| c | 0x20);
    match mode {
        Some(b'n') => None, // reject 'inf' and 'nan'
        Some(b'x') => str_to_float_hex(s),
        _ => str_to_float_decimal(s),
    }
}

/// Significant decimal digits kept when converting a decimal numeral.
/// Every double, and every midpoint between two adjacent doubles, has at
/// most 767 significant digits, so the digits after the 800th only decide
/// rounding through whether one of them is nonzero.
const MAX_SIG_DIGITS: usize = 800;

/// Converts a decimal float numeral (with optional surrounding whitespace
/// and sign) to the nearest float (ties to even), as `strtod` does for
/// decimal input, whatever the number of digits and the size of the
/// exponent: `('1'):rep(1e6)..'e-999999'` is 1.1111111111111.
pub fn str_to_float_decimal(s: &[u8]) -> Option<f64> {
    let mut i = skip_spaces(s, 0);
    let neg = read_sign(s, &mut i);
    // The significant digits (from the first nonzero one), and the
    // decimal exponent `dexp` that makes the value 0.<digits> * 10^dexp.
    let mut sig = SigDigits::new();
    let mut dexp: i128 = 0;
    let mut ndigits = 0usize;
    while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
        if sig.push(c) {
            dexp += 1;
        }
        ndigits += 1;
        i += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = s.get(i).filter(|c| c.is_ascii_digit()) {
            if !sig.push(c) {
                dexp -= 1; // a leading zero of the fraction
            }
            ndigits += 1;
            i += 1;
        }
    }
    if ndigits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        let eneg = read_sign(s, &mut j);
        let exp_start = j;
        let mut e: i128 = 0;
        while let Some(&c) = s.get(j).filter(|c| c.is_ascii_digit()) {
            // Beyond 2^80 (far more than any string has digits) the result
            // is an infinity or a zero whatever the digits are.
            e = (e * 10 + (c - b'0') as i128).min(1 << 80);
            j += 1;
        }
        if j > exp_start {
            dexp += if eneg { -e } else { e };
            i = j;
        }
        // else the exponent is incomplete; 'strtod' stops before the 'e',
        // which then is trailing garbage
    }
    if skip_spaces(s, i) != s.len() {
        return None;
    }
    let r = sig.into_float(dexp);
    Some(if neg { -r } else { r })
}

/// The significant digits of a decimal numeral, as `strtod` needs them:
/// the first `MAX_SIG_DIGITS`, then one more nonzero digit standing for
/// all the dropped ones if any of them is nonzero (which keeps the value
/// on the same side of every double and of every midpoint).
struct SigDigits {
    /// "0." followed by the digits: the text handed to the exact parser.
    buf: [u8; MAX_SIG_DIGITS + 2 + 1 + 1 + 8],
    /// Number of digits kept.
    n: usize,
    /// Whether a dropped digit is nonzero.
    sticky: bool,
}

impl SigDigits {
    fn new() -> SigDigits {
        let mut buf = [0; MAX_SIG_DIGITS + 2 + 1 + 1 + 8];
        buf[0] = b'0';
        buf[1] = b'.';
        SigDigits { buf, n: 0, sticky: false }
    }

    /// Adds a digit; returns whether it is significant (not a leading
    /// zero).
    fn push(&mut self, c: u8) -> bool {
        if self.n == 0 && c == b'0' {
            return false;
        }
        if self.n < MAX_SIG_DIGITS {
            self.buf[2 + self.n] = c;
            self.n += 1;
        } else {
            self.sticky |= c != b'0';
        }
        true
    }

    /// The float nearest to 0.<digits> * 10^dexp.
    fn into_float(mut self, dexp: i128) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        // The value lies in [10^(dexp-1), 10^dexp).
        if dexp > 310 {
            return f64::INFINITY; // at least 10^310
        }
        if dexp < -330 {
            return 0.0; // below 10^-330, less than half the smallest subnormal
        }
        let mut len = 2 + self.n;
        if self.sticky {
            self.buf[len] = b'1';
            len += 1;
        }
        self.buf[len] = b'e';
        len += 1;
        let mut exp_text = [0u8; 8];
        let exp_len = format_small_int(dexp as i32, &mut exp_text);
        self.buf[len..len + exp_len].copy_from_slice(&exp_text[..exp_len]);
        len += exp_len;
        // The text is "0.<digits>e<exponent>", plain ASCII with at most 801
        // digits and an exponent between -330 and 310: Rust's parser rounds
        // it correctly (it keeps 768 digits and whether the rest is zero).
        match std::str::from_utf8(&self.buf[..len]).ok().and_then(|t| t.parse::<f64>().ok()) {
            Some(f) => f,
            None => unreachable_numeral(),
        }
    }
}

#[cold]
fn unreachable_numeral() -> ! {
    unreachable!("a well-formed decimal numeral")
}

/// Writes a small integer in decimal; returns the number of bytes.
fn format_small_int(v: i32, out: &mut [u8; 8]) -> usize {
    let mut digits = [0u8; 8];
    let mut n = 0;
    let mut m = v.unsigned_abs();
    loop {
        digits[n] = b'0' + (m % 10) as u8;
        n += 1;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    let mut len = 0;
    if v < 0 {
        out[0] = b'-';
        len = 1;
    }
    for k in (0..n).rev() {
        out[len] = digits[k];
        len += 1;
    }
    len
}

/// Converts a hexadecimal numeral (`[ws][sign]0x<hexdigits>[.<hexdigits>]
/// [p[sign]<digits>][ws]`) to a float, correctly rounded (to nearest, ties
/// to even) as C99's `strtod` does, whatever the number of digits and the
/// size of the exponent.
pub fn str_to_float_hex(s: &[u8]) -> Option<f64> {
    let mut i = skip_spaces(s, 0);
    let neg = read_sign(s, &mut i);
    if !(s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X'))) {
        return None;
    }
    i += 2;
    let mut mant: u64 = 0; // significant bits read so far
    let mut sticky = false; // some nonzero digit was dropped
    let mut exp: i128 = 0; // binary exponent correction
    let mut any_digit = false;
    let mut seen_dot = false;
    loop {
        match s.get(i) {
            Some(b'.') if !seen_dot => seen_dot = true,
            Some(&c) if c.is_ascii_hexdigit() => {
                any_digit = true;
                let d = hex_value(c) as u64;
                if mant >> 60 == 0 {
                    // room for 4 more bits
                    mant = (mant << 4) | d;
                    if seen_dot {
                        exp -= 4;
                    }
                } else {
                    // too many digits: keep only whether it is nonzero
                    sticky |= d != 0;
                    if !seen_dot {
                        exp += 4;
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        let mut j = i + 1;
        let eneg = read_sign(s, &mut j);
        let exp_start = j;
        let mut e: i128 = 0;
        while j < s.len() && s[j].is_ascii_digit() {
            // Beyond 2^80 (far more than four times any string's length)
            // the result is an infinity or a zero whatever the digits are.
            e = (e * 10 + (s[j] - b'0') as i128).min(1 << 80);
            j += 1;
        }
        if j > exp_start {
            exp += if eneg { -e } else { e };
            i = j;
        }
    }
    if skip_spaces(s, i) != s.len() {
        return None;
    }
    // 'mant' is below 2^64: with an exponent beyond 2^20 either way the
    // result is an infinity or a zero, so clamping changes nothing.
    let exp = exp.clamp(-(1 << 20), 1 << 20) as i64;
    let r = compose_float(mant, sticky, exp);
    Some(if neg { -r } else { r })
}

/// The float nearest to `(mant + ε) * 2^exp`, where ε is a positive value
/// smaller than 1 if `sticky` is set (and 0 otherwise); ties go to even.
fn compose_float(mant: u64, sticky: bool, exp: i64) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let lz = mant.leading_zeros() as i64;
    let m = mant << lz; // top bit set
    let e = exp - lz; // value = m * 2^e
    let top = e + 63; // exponent of the leading bit
    if top > 1023 {
        return f64::INFINITY;
    }
    // Number of low bits of 'm' that do not fit in the result.
    let shift: i64 = if top >= -1022 {
        11 // normal: keep 53 bits
    } else {
        // subnormal: the unit of the result is 2^-1074
        -1074 - e
    };
    if shift >= 128 {
        return 0.0; // far below half of the smallest subnormal
    }
    let wide = m as u128;
    let shift = shift as u32; // at least 11
    let mut kept = (wide >> shift) as u64;
    let rest = wide & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if rest > half || (rest == half && (sticky || kept & 1 == 1)) {
        kept += 1;
    }
    if top >= -1022 {
        let mut top = top;
        if kept == 1 << 53 {
            kept >>= 1;
            top += 1;
            if top > 1023 {
                return f64::INFINITY;
            }
        }
        f64::from_bits((((top + 1023) as u64) << 52) | (kept & ((1 << 52) - 1)))
    } else {
        // a subnormal (or, after rounding up, the smallest normal)
        f64::from_bits(kept)
    }
}

/// Converts a string to an integer in base `base` (2 to 36), as
/// `tonumber(s, base)`: optional surrounding whitespace, an optional sign,
/// and at least one alphanumeric digit smaller than the base. Overflows
/// wrap around.
pub fn parse_int_base(s: &[u8], base: u32) -> Option<i64> {
    let mut i = skip_spaces(s, 0);
    let neg = read_sign(s, &mut i);
    if !s.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut n: u64 = 0;
    while i < s.len() && s[i].is_ascii_alphanumeric() {
        let c = s[i];
        let digit = if c.is_ascii_digit() { (c - b'0') as u32 } else { (c.to_ascii_uppercase() - b'A') as u32 + 10 };
        if digit >= base {
            return None;
        }
        n = n.wrapping_mul(base as u64).wrapping_add(digit as u64);
        i += 1;
    }
    if skip_spaces(s, i) != s.len() {
        return None;
    }
    Some(if neg { 0u64.wrapping_sub(n) } else { n } as i64)
}

/// Converts a float with an exact integer value to that integer (`None`
/// when the float has a fractional part or is out of the `i64` range), as
/// PUC's `luaV_flttointeger` in mode `F2Ieq`.
pub fn float_to_integer_exact(f: f64) -> Option<i64> {
    if f.floor() != f {
        return None;
    }
    float_to_integer_floor(f)
}

/// Converts a float to the integer `floor(f)`, if that fits in an `i64`
/// (PUC's `luaV_flttointeger` in mode `F2Ifloor`).
pub fn float_to_integer_floor(f: f64) -> Option<i64> {
    let f = f.floor();
    // -2^63 is exactly representable; 2^63 is the first float out of range
    if (-9223372036854775808.0..9223372036854775808.0).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<Numeral> {
        str_to_number(s.as_bytes())
    }
    fn int(i: i64) -> Option<Numeral> {
        Some(Numeral::Int(i))
    }
    fn flt(f: f64) -> Option<Numeral> {
        Some(Numeral::Float(f))
    }

    #[test]
    fn integers() {
        assert_eq!(num("0"), int(0));
        assert_eq!(num("  42  "), int(42));
        assert_eq!(num("\t\n\x0b\x0c\r-7 \n"), int(-7));
        assert_eq!(num("+7"), int(7));
        assert_eq!(num("9223372036854775807"), int(i64::MAX));
        assert_eq!(num("-9223372036854775808"), int(i64::MIN));
        assert_eq!(num("9223372036854775808"), flt(9223372036854775808.0));
        assert_eq!(num("-9223372036854775809"), flt(-9223372036854775809.0));
        assert_eq!(num("0x10"), int(16));
        assert_eq!(num("0XfF"), int(255));
        assert_eq!(num("-0x10"), int(-16));
        assert_eq!(num("0xffffffffffffffff"), int(-1));
        assert_eq!(num("0x10000000000000000"), int(0)); // wraps around
        assert_eq!(num("0x7fffffffffffffff"), int(i64::MAX));
        assert_eq!(num("0x8000000000000000"), int(i64::MIN));
    }

    #[test]
    fn floats() {
        assert_eq!(num("1.5"), flt(1.5));
        assert_eq!(num(".5"), flt(0.5));
        assert_eq!(num("5."), flt(5.0));
        assert_eq!(num("1e2"), flt(100.0));
        assert_eq!(num("1E+2"), flt(100.0));
        assert_eq!(num("1e-2"), flt(0.01));
        assert_eq!(num(" -2.5e1 "), flt(-25.0));
        assert_eq!(num("1e400"), flt(f64::INFINITY));
        assert_eq!(num("1e-400"), flt(0.0));
        assert_eq!(num("0.1"), flt(0.1));
        let big = "1".repeat(10_000);
        assert_eq!(num(&big), flt(f64::INFINITY));
        let small = format!("0.{}1", "0".repeat(400));
        assert_eq!(num(&small), flt(0.0));
    }

    #[test]
    fn long_decimal_numerals() {
        // The digits are read as strtod does, whatever their number, and
        // the exponent combines with their count.
        let ones = "1".repeat(1_000_000);
        assert_eq!(num(&format!("{ones}e-999999")), flt(1.1111111111111111));
        assert_eq!(num(&format!("{ones}e-2147483647")), flt(0.0));
        assert_eq!(num(&format!("{ones}e-9223372036854775808")), flt(0.0));
        assert_eq!(num(&format!("{ones}e-99999999999999999999999999")), flt(0.0));
        assert_eq!(num(&format!("0.{}1e1000000", "0".repeat(999_999))), flt(1.0));
        assert_eq!(num(&format!("-{}1.5", "0".repeat(10_000))), flt(-1.5));
        assert_eq!(num(&format!("1{}e-5000", "0".repeat(5000))), flt(1.0));
        assert_eq!(num(&format!("{}e-1000", "9".repeat(1000))), flt(1.0));
        // 2^53 + 1 is a midpoint: to even, unless a digit far away says
        // it is above.
        assert_eq!(num("9007199254740993"), int(9007199254740993));
        assert_eq!(num("9007199254740993.0"), flt(9007199254740992.0));
        let above = format!("9007199254740993.{}1", "0".repeat(2000));
        assert_eq!(num(&above), flt(9007199254740994.0));
        let below = format!("9007199254740992.{}", "9".repeat(2000));
        assert_eq!(num(&below), flt(9007199254740992.0));
        // exponents at the integer limits
        assert_eq!(num("1e2147483648"), flt(f64::INFINITY));
        assert_eq!(num("1e-9223372036854775809"), flt(0.0));
        assert_eq!(num("1e18446744073709551616"), flt(f64::INFINITY));
        assert_eq!(num("-0e99999999999999999999999999999"), flt(-0.0));
        assert_eq!(num("0.0e-99999999999999999999999999999"), flt(0.0));
        assert_eq!(num("1.7976931348623158e308"), flt(f64::MAX));
        assert_eq!(num("1.7976931348623159e308"), flt(f64::INFINITY));
        assert_eq!(num("2.4703282292062328e-324"), flt(f64::from_bits(1)));
        assert_eq!(num("2.4703282292062327e-324"), flt(0.0));
    }

    #[test]
    fn hex_floats() {
        assert_eq!(num("0x1p4"), flt(16.0));
        assert_eq!(num("0x.8"), flt(0.5));
        assert_eq!(num("0xA.8p-1"), flt(5.25));
        assert_eq!(num("0x1P-2"), flt(0.25));
        assert_eq!(num("0x.1"), flt(0.0625));
        assert_eq!(num("0x1."), flt(1.0));
        assert_eq!(num("-0x1p+1"), flt(-2.0));
        assert_eq!(num("0x1p1024"), flt(f64::INFINITY));
        assert_eq!(num("0x1p1023"), flt(2f64.powi(1023)));
        assert_eq!(num("0x1p-1074"), flt(f64::from_bits(1)));
        assert_eq!(num("0x1p-1075"), flt(0.0)); // tie, to even (zero)
        assert_eq!(num("0x1.0000000000001p-1075"), flt(f64::from_bits(1)));
        assert_eq!(num("0x3p-1076"), flt(f64::from_bits(1))); // 0.75 ulp
        assert_eq!(num("0x1p-1022"), flt(f64::MIN_POSITIVE));
        assert_eq!(num("0x.fffffffffffff8p-1022"), flt(f64::MIN_POSITIVE));
        assert_eq!(num("0x1p99999999999999999999"), flt(f64::INFINITY));
        assert_eq!(num("0x1p-99999999999999999999"), flt(0.0));
        assert_eq!(num("0x0p99999999999999999999"), flt(0.0));
        // rounding at 53 bits: ties to even, sticky bits beyond
        assert_eq!(num("0x1.00000000000008p0"), flt(1.0));
        assert_eq!(num("0x1.00000000000018p0"), flt(1.0 + 2.0 * f64::EPSILON));
        assert_eq!(num("0x1.000000000000080000000000000000001p0"), flt(1.0 + f64::EPSILON));
        assert_eq!(num("0x1.fffffffffffff8p0"), flt(2.0));
        assert_eq!(num("0x1.fffffffffffff7ffffp0"), flt(2.0 - f64::EPSILON));
        // many digits
        let many = format!("0x1{}p-400", "0".repeat(100));
        assert_eq!(num(&many), flt(1.0));
        let frac = format!("0x0.{}1p4000", "0".repeat(995));
        assert_eq!(num(&frac), flt(2f64.powi(4000 - 4 * 996)));
        assert_eq!(num("0xffffffffffffffffff.0"), flt(2f64.powi(72)));
        let zeros = "0".repeat(1_000_000);
        assert_eq!(num(&format!("0x1{zeros}p-4000000")), flt(1.0));
        assert_eq!(num(&format!("0x0.{zeros}1p4000004")), flt(1.0));
        assert_eq!(num(&format!("0x1{zeros}p-9223372036854775808")), flt(0.0));
        assert_eq!(num(&format!("0x0.{zeros}1p9223372036854775807")), flt(f64::INFINITY));
    }

    #[test]
    fn rejects() {
        for s in [
            "", " ", "-", "+", "0x", "0x.", "0xp1", "1e", "1e+", "1.5e", "..5", "1..2", "3..2", "inf", "nan", "-inf",
            "NaN", "INF", "1 2", "1a", "0x1g", "0x1p", "0x1p-", ".", "e5", "- 1", "1\0", "0x1.8.", "1.5x", "1e5x",
            "++1", "--1", "0x-1",
        ] {
            assert_eq!(num(s), None, "{s:?}");
        }
    }

    #[test]
    fn int_base() {
        assert_eq!(parse_int_base(b"ff", 16), Some(255));
        assert_eq!(parse_int_base(b"  -ZZ  ", 36), Some(-1295));
        assert_eq!(parse_int_base(b"+101", 2), Some(5));
        assert_eq!(parse_int_base(b"102", 2), None);
        assert_eq!(parse_int_base(b"", 10), None);
        assert_eq!(parse_int_base(b" ", 10), None);
        assert_eq!(parse_int_base(b"-", 10), None);
        assert_eq!(parse_int_base(b"1 1", 10), None);
        assert_eq!(parse_int_base(b"1.0", 10), None);
        assert_eq!(parse_int_base(b"ffffffffffffffff", 16), Some(-1));
        assert_eq!(parse_int_base(b"10000000000000000", 16), Some(0));
        assert_eq!(parse_int_base(b"zz", 35), None);
        assert_eq!(parse_int_base(b"7fffffffffffffff", 16), Some(i64::MAX));
    }

    #[test]
    fn float_to_int() {
        assert_eq!(float_to_integer_exact(3.0), Some(3));
        assert_eq!(float_to_integer_exact(-0.0), Some(0));
        assert_eq!(float_to_integer_exact(3.5), None);
        assert_eq!(float_to_integer_exact(9223372036854775808.0), None);
        assert_eq!(float_to_integer_exact(-9223372036854775808.0), Some(i64::MIN));
        assert_eq!(float_to_integer_exact(f64::NAN), None);
        assert_eq!(float_to_integer_exact(f64::INFINITY), None);
        assert_eq!(float_to_integer_floor(3.7), Some(3));
        assert_eq!(float_to_integer_floor(-3.2), Some(-4));
    }
}
