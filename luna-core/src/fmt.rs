//! Number formatting without libc. This module owns the conversion of Lua
//! numbers to text: `tostring` for floats (C's `%.14g` plus the ".0"
//! suffix for integral values) and integers, the printf-style engine behind
//! `string.format` (specification parsing with PUC-Rio Lua 5.4.8's
//! validation rules and messages, and glibc-compatible output for the
//! integer, character, string and floating-point conversions, including
//! `%a` hexadecimal floats), and the number forms printed by `%q`. Every
//! function is pure: it appends bytes to a caller-provided buffer and never
//! panics, whatever the input.

/// Maximum length (in bytes) of the flags, width, precision and conversion
/// character of one specification, as PUC-Rio's `MAX_FORMAT - 10`.
const MAX_SPEC_LEN: usize = 22;

/// The flag characters accepted by the floating-point conversions.
const FLAGS_FLOAT: &[u8] = b"-+#0 ";
/// The flag characters accepted by `%o`, `%x` and `%X`.
const FLAGS_HEX: &[u8] = b"-#0";
/// The flag characters accepted by `%d` and `%i`.
const FLAGS_INT: &[u8] = b"-+0 ";
/// The flag characters accepted by `%u`.
const FLAGS_UNSIGNED: &[u8] = b"-0";
/// The flag characters accepted by `%c`, `%p` and `%s`.
const FLAGS_CHAR: &[u8] = b"-";

/// Appends the decimal representation of `i` (C's `%lld`) to `out`.
pub fn fmt_int(i: i64, out: &mut Vec<u8>) {
    if i < 0 {
        out.push(b'-');
    }
    push_decimal(i.unsigned_abs(), out);
}

/// Appends the decimal digits of the unsigned value `v` to `out`.
fn push_decimal(mut v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    loop {
        pos -= 1;
        // The remainder is below ten, so the narrowing cast is exact.
        buf[pos] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[pos..]);
}

/// Appends Lua's `tostring` form of the float `x`: C's `%.14g`, followed
/// by ".0" when the result looks like an integer. Infinities print as
/// "inf"/"-inf" and NaNs as "nan", or "-nan" when their sign bit is set.
pub fn fmt_float(x: f64, out: &mut Vec<u8>) {
    let start = out.len();
    let spec = FormatSpec { flags: Flags::default(), width: 0, precision: Some(14), conversion: b'g' };
    format_float(&spec, x, out);
    let looks_int = out[start..].iter().all(|&c| c == b'-' || c.is_ascii_digit());
    if looks_int {
        out.extend_from_slice(b".0");
    }
}

/// Appends what `string.format("%q", i)` prints for the integer `i`: its
/// decimal form, except for the minimum integer, which is written in
/// hexadecimal so that it reads back as an integer.
pub fn fmt_q_int(i: i64, out: &mut Vec<u8>) {
    if i == i64::MIN {
        out.extend_from_slice(b"0x8000000000000000");
    } else {
        fmt_int(i, out);
    }
}

/// Appends what `string.format("%q", x)` prints for the float `x`:
/// "1e9999", "-1e9999" and "(0/0)" for the non-finite values, and C's `%a`
/// hexadecimal form otherwise, which reads back exactly.
pub fn fmt_q_float(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        out.extend_from_slice(b"(0/0)");
    } else if x == f64::INFINITY {
        out.extend_from_slice(b"1e9999");
    } else if x == f64::NEG_INFINITY {
        out.extend_from_slice(b"-1e9999");
    } else {
        let spec = FormatSpec { flags: Flags::default(), width: 0, precision: None, conversion: b'a' };
        format_float(&spec, x, out);
    }
}

/// Appends what `string.format("%q", s)` prints for the string `s`
/// (PUC-Rio's `addquoted`): the bytes between double quotes, with '"',
/// '\\' and newline escaped by a backslash, other control characters
/// written as decimal escapes (three digits when a digit follows), and all
/// other bytes unchanged.
pub fn fmt_q_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        if c == b'"' || c == b'\\' || c == b'\n' {
            out.push(b'\\');
            out.push(c);
        } else if c.is_ascii_control() {
            out.push(b'\\');
            if s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                out.push(b'0' + c / 100);
                out.push(b'0' + c / 10 % 10);
                out.push(b'0' + c % 10);
            } else {
                push_decimal(u64::from(c), out);
            }
        } else {
            out.push(c);
        }
    }
    out.push(b'"');
}

/// The flags of a conversion specification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// The `-` flag: left-justify within the field width.
    pub minus: bool,
    /// The `+` flag: always print a sign for signed conversions.
    pub plus: bool,
    /// The space flag: print a space where a `+` sign would go.
    pub space: bool,
    /// The `#` flag: the alternate form (`0x` prefixes, kept decimal points).
    pub hash: bool,
    /// The `0` flag: pad numbers with leading zeros instead of spaces.
    pub zero: bool,
}

/// A validated conversion specification such as `%-08.3f`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    /// The flags given before the width.
    pub flags: Flags,
    /// The minimum field width (0 when none was given; at most 99).
    pub width: usize,
    /// The precision, when a '.' was given (at most 99; "." alone is 0).
    pub precision: Option<usize>,
    /// The conversion character, such as `b'd'` or `b'g'`.
    pub conversion: u8,
}

/// An error raised while reading a conversion specification. The message
/// is a byte string because it quotes the specification, whose conversion
/// character may be any byte; PUC-Rio raises it with `luaL_error`, so the
/// driver reports it as a plain error (with position information).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(pub Vec<u8>);

impl SpecError {
    /// Builds the error for an unknown conversion character.
    fn invalid_conversion(form: &[u8]) -> SpecError {
        let mut msg = b"invalid conversion '%".to_vec();
        msg.extend_from_slice(form);
        msg.extend_from_slice(b"' to 'format'");
        SpecError(msg)
    }

    /// Builds the error for flags, width or precision not allowed by the
    /// conversion.
    fn invalid_spec(form: &[u8]) -> SpecError {
        let mut msg = b"invalid conversion specification: '%".to_vec();
        msg.extend_from_slice(form);
        msg.push(b'\'');
        SpecError(msg)
    }
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl std::error::Error for SpecError {}

/// A conversion specification that has been delimited (PUC-Rio's
/// `getformat`) but not yet validated against its conversion
/// (`checkformat`). PUC-Rio fetches the argument between the two steps for
/// some conversions, which decides which error wins when both the argument
/// and the specification are bad; see [`scan_spec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawSpec<'a> {
    /// The specification bytes after the '%', up to and including the
    /// conversion character, cut at the first NUL byte as C sees them.
    form: &'a [u8],
    /// The conversion character, or 0 when the format ended or held a NUL.
    conversion: u8,
}

/// Delimits the conversion specification that starts right after a '%' in
/// `fmt` (PUC-Rio's `getformat`). It spans the flag, digit and '.'
/// characters and then takes one more byte as the conversion character.
/// Returns the raw specification and the number of bytes it consumed after
/// the '%' (which may run one byte past the end of `fmt` when the format
/// ends right after the '%'; the driver must clamp its position). The only
/// error is "invalid format (too long)".
///
/// PUC-Rio 5.4.8 orders its checks as follows, which the driver should
/// reproduce: first "bad argument #n to 'format' (no value)" when the
/// argument is missing, then [`scan_spec`], then per conversion:
/// `c`: [`RawSpec::check`] then fetch the integer; `d i u o x X`: fetch the
/// integer then check; `a A`: check then fetch the number; `e E f g G`:
/// fetch the number then check; `p`: check; `q`: check (which only fails
/// when modifiers are present) then write the literal; `s`: convert the
/// value with `tostring`, and only when the specification has modifiers
/// ([`RawSpec::has_modifiers`]) raise "string contains zeros" (an argument
/// error) for strings with NUL bytes, then check; any other conversion:
/// check (which fails with "invalid conversion ... to 'format'").
pub fn scan_spec(fmt: &[u8]) -> Result<(RawSpec<'_>, usize), SpecError> {
    let span = fmt.iter().take_while(|c| b"-+#0 123456789.".contains(c)).count();
    let consumed = span + 1;
    if consumed >= MAX_SPEC_LEN {
        return Err(SpecError(b"invalid format (too long)".to_vec()));
    }
    let conversion = fmt.get(span).copied().unwrap_or(0);
    let form = if conversion == 0 { &fmt[..span] } else { &fmt[..consumed] };
    Ok((RawSpec { form, conversion }, consumed))
}

impl<'a> RawSpec<'a> {
    /// Returns the conversion character (0 when the format ended early).
    pub fn conversion(&self) -> u8 {
        self.conversion
    }

    /// Returns the specification bytes after the '%', including the
    /// conversion character.
    pub fn form(&self) -> &'a [u8] {
        self.form
    }

    /// Tells whether anything (flags, width or precision) stands between
    /// the '%' and the conversion character.
    pub fn has_modifiers(&self) -> bool {
        self.form.len() > 1
    }

    /// Validates the specification against its conversion (PUC-Rio's
    /// `checkformat` with the flag set of each conversion) and decodes it.
    /// Accepted conversions are `c d i u o x X a A e E f g G p q s`.
    pub fn check(&self) -> Result<FormatSpec, SpecError> {
        let (flags, precision) = match self.conversion {
            b'c' | b'p' => (FLAGS_CHAR, false),
            b'd' | b'i' => (FLAGS_INT, true),
            b'u' => (FLAGS_UNSIGNED, true),
            b'o' | b'x' | b'X' => (FLAGS_HEX, true),
            b'a' | b'A' | b'e' | b'E' | b'f' | b'g' | b'G' => (FLAGS_FLOAT, true),
            b's' => (FLAGS_CHAR, true),
            b'q' => {
                if self.has_modifiers() {
                    return Err(SpecError(b"specifier '%q' cannot have modifiers".to_vec()));
                }
                (FLAGS_CHAR, false)
            }
            _ => return Err(SpecError::invalid_conversion(self.form)),
        };
        self.decode(flags, precision)
    }

    /// Checks the layout `flags* [width] [.precision] conversion` with
    /// widths and precisions of at most two digits, then decodes it.
    fn decode(&self, allowed: &[u8], allow_precision: bool) -> Result<FormatSpec, SpecError> {
        let form = self.form;
        let mut spec = FormatSpec { flags: Flags::default(), width: 0, precision: None, conversion: self.conversion };
        let mut i = 0;
        while let Some(&c) = form.get(i) {
            if !allowed.contains(&c) {
                break;
            }
            match c {
                b'-' => spec.flags.minus = true,
                b'+' => spec.flags.plus = true,
                b' ' => spec.flags.space = true,
                b'#' => spec.flags.hash = true,
                _ => spec.flags.zero = true,
            }
            i += 1;
        }
        if form.get(i) != Some(&b'0') {
            let (width, next) = two_digits(form, i);
            spec.width = width;
            i = next;
            if form.get(i) == Some(&b'.') && allow_precision {
                let (prec, next) = two_digits(form, i + 1);
                spec.precision = Some(prec);
                i = next;
            }
        }
        match form.get(i) {
            Some(c) if c.is_ascii_alphabetic() && i + 1 == form.len() => Ok(spec),
            _ => Err(SpecError::invalid_spec(form)),
        }
    }
}

/// Reads at most two decimal digits of `form` from index `i`, returning
/// their value and the index after them.
fn two_digits(form: &[u8], mut i: usize) -> (usize, usize) {
    let mut value = 0;
    for _ in 0..2 {
        match form.get(i) {
            Some(&c) if c.is_ascii_digit() => {
                value = value * 10 + usize::from(c - b'0');
                i += 1;
            }
            _ => break,
        }
    }
    (value, i)
}

/// Delimits and validates the specification after a '%' in one step
/// ([`scan_spec`] followed by [`RawSpec::check`]), returning it with the
/// number of bytes consumed after the '%'.
pub fn parse_spec(fmt: &[u8]) -> Result<(FormatSpec, usize), SpecError> {
    let (raw, consumed) = scan_spec(fmt)?;
    Ok((raw.check()?, consumed))
}

/// Appends `body` to `out` justified in the spec's field width, with the
/// `prefix` (sign and radix prefix) in front. When `zero_pad` is set and
/// the field is right-justified, the padding is zeros placed between the
/// prefix and the body; otherwise it is spaces.
fn pad_field(spec: &FormatSpec, prefix: &[u8], body: &[u8], zero_pad: bool, out: &mut Vec<u8>) {
    let len = prefix.len() + body.len();
    let fill = spec.width.saturating_sub(len);
    if spec.flags.minus {
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if zero_pad {
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(out.len() + fill, b' ');
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

/// Formats the integer `v` as glibc's printf does for the conversions
/// `d i` (signed), `u o x X` (the unsigned 64-bit view of `v`) and `c`
/// (the low byte of `v`). Any other conversion formats as `d`.
pub fn format_int(spec: &FormatSpec, v: i64, out: &mut Vec<u8>) {
    if spec.conversion == b'c' {
        // C converts the argument to int and then to unsigned char, which
        // keeps the low byte.
        let byte = [v.to_le_bytes()[0]];
        pad_field(spec, b"", &byte, false, out);
        return;
    }
    let mut prefix: Vec<u8> = Vec::new();
    let mut digits: Vec<u8> = Vec::new();
    let bits = u64::from_ne_bytes(v.to_ne_bytes());
    match spec.conversion {
        b'u' => push_decimal(bits, &mut digits),
        b'o' => push_radix(bits, 8, false, &mut digits),
        b'x' => push_radix(bits, 16, false, &mut digits),
        b'X' => push_radix(bits, 16, true, &mut digits),
        _ => {
            if v < 0 {
                prefix.push(b'-');
            } else if spec.flags.plus {
                prefix.push(b'+');
            } else if spec.flags.space {
                prefix.push(b' ');
            }
            push_decimal(v.unsigned_abs(), &mut digits);
        }
    }
    if let Some(prec) = spec.precision {
        if prec == 0 && bits == 0 {
            digits.clear();
        } else if digits.len() < prec {
            let mut padded = vec![b'0'; prec - digits.len()];
            padded.extend_from_slice(&digits);
            digits = padded;
        }
    }
    if spec.flags.hash {
        match spec.conversion {
            b'o' if digits.first() != Some(&b'0') => digits.insert(0, b'0'),
            b'x' if bits != 0 => prefix.extend_from_slice(b"0x"),
            b'X' if bits != 0 => prefix.extend_from_slice(b"0X"),
            _ => {}
        }
    }
    let zero_pad = spec.flags.zero && spec.precision.is_none();
    pad_field(spec, &prefix, &digits, zero_pad, out);
}

/// Appends the digits of `v` in base 8 or 16.
fn push_radix(mut v: u64, radix: u64, upper: bool, out: &mut Vec<u8>) {
    let table: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let mut buf = [0u8; 24];
    let mut pos = buf.len();
    loop {
        pos -= 1;
        // The remainder is below the radix (at most 16), so it indexes the
        // table and the cast is exact.
        buf[pos] = table[(v % radix) as usize];
        v /= radix;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[pos..]);
}

/// Formats the byte string `s` as `%s` (and `%p`, `%q` for their already
/// rendered text) do: the precision, when given, keeps at most that many
/// bytes, and the width pads with spaces on the left (or on the right with
/// the `-` flag).
pub fn format_str(spec: &FormatSpec, s: &[u8], out: &mut Vec<u8>) {
    let body = match spec.precision {
        Some(p) if p < s.len() => &s[..p],
        _ => s,
    };
    pad_field(spec, b"", body, false, out);
}

/// Formats the float `v` as glibc's printf does for the conversions
/// `e E f F g G a A` (any other conversion formats as `g`), honouring the
/// flags, width and precision. Digits are exactly rounded (ties to even,
/// as glibc in the default rounding mode). Infinities and NaNs print as
/// "inf" and "nan" (upper-case for the upper-case conversions), signed by
/// their sign bit, and are never zero-padded.
pub fn format_float(spec: &FormatSpec, v: f64, out: &mut Vec<u8>) {
    let conv = spec.conversion;
    let upper = conv.is_ascii_uppercase();
    let mut prefix: Vec<u8> = Vec::new();
    if v.is_sign_negative() {
        prefix.push(b'-');
    } else if spec.flags.plus {
        prefix.push(b'+');
    } else if spec.flags.space {
        prefix.push(b' ');
    }
    if !v.is_finite() {
        let text: &[u8] = match (v.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        pad_field(spec, &prefix, text, false, out);
        return;
    }
    let a = v.abs();
    let hash = spec.flags.hash;
    let mut body: Vec<u8> = Vec::new();
    match conv.to_ascii_lowercase() {
        b'e' => fixed_exp(a, spec.precision.unwrap_or(6), hash, upper, &mut body),
        b'f' => fixed_point(a, spec.precision.unwrap_or(6), hash, &mut body),
        b'a' => {
            prefix.extend_from_slice(if upper { b"0X" } else { b"0x" });
            hex_float(a, spec.precision, hash, upper, &mut body);
        }
        _ => general(a, spec.precision.unwrap_or(6), hash, upper, &mut body),
    }
    pad_field(spec, &prefix, &body, spec.flags.zero, out);
}

/// Splits Rust's exactly rounded scientific rendering of the non-negative
/// finite `a` with `prec` fractional digits into its digit string (without
/// the point) and decimal exponent.
fn sci_digits(a: f64, prec: usize) -> (Vec<u8>, i32) {
    let text = format!("{:.*e}", prec, a);
    let bytes = text.as_bytes();
    let epos = bytes.iter().position(|&c| c == b'e').unwrap_or(bytes.len());
    let digits: Vec<u8> = bytes[..epos].iter().copied().filter(u8::is_ascii_digit).collect();
    let exp = text.get(epos + 1..).and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
    (digits, exp)
}

/// Appends the `%e` body of the non-negative finite `a`: one digit, the
/// point and `prec` digits, then `e`, the exponent's sign and at least two
/// exponent digits.
fn fixed_exp(a: f64, prec: usize, hash: bool, upper: bool, out: &mut Vec<u8>) {
    let (digits, exp) = sci_digits(a, prec);
    push_mantissa(&digits, hash, out);
    push_exponent(exp, upper, out);
}

/// Appends a mantissa digit string as `d.ddd`, omitting the point when
/// there are no fractional digits unless `hash` is set.
fn push_mantissa(digits: &[u8], hash: bool, out: &mut Vec<u8>) {
    let (first, rest) = match digits.split_first() {
        Some((f, r)) => (*f, r),
        None => (b'0', &[][..]),
    };
    out.push(first);
    if !rest.is_empty() || hash {
        out.push(b'.');
    }
    out.extend_from_slice(rest);
}

/// Appends a decimal exponent as C prints it: `e`, the sign and at least
/// two digits.
fn push_exponent(exp: i32, upper: bool, out: &mut Vec<u8>) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    let mag = exp.unsigned_abs();
    if mag < 10 {
        out.push(b'0');
    }
    push_decimal(u64::from(mag), out);
}

/// Appends the `%f` body of the non-negative finite `a` with `prec`
/// fractional digits (and a trailing point for `%#.0f`).
fn fixed_point(a: f64, prec: usize, hash: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("{:.*}", prec, a).as_bytes());
    if prec == 0 && hash {
        out.push(b'.');
    }
}

/// Appends the `%g` body of the non-negative finite `a`: the `%e` or `%f`
/// style chosen by the exponent, with `prec` significant digits, and
/// trailing fractional zeros removed unless `hash` is set.
fn general(a: f64, prec: usize, hash: bool, upper: bool, out: &mut Vec<u8>) {
    let p = prec.max(1);
    let (digits, exp) = sci_digits(a, p - 1);
    // The precision is at most a few hundred in practice, but the
    // comparison is done in i64 so that no size can overflow it.
    let p_i = i64::try_from(p).unwrap_or(i64::MAX);
    let x = i64::from(exp);
    if x < p_i && x >= -4 {
        // The fixed style with P - 1 - X fractional digits has exactly the
        // same significant digits as the scientific rendering, so the digit
        // string is reused rather than rounded a second time.
        let frac = usize::try_from(p_i - 1 - x).unwrap_or(0);
        let mut text: Vec<u8> = Vec::new();
        if x < 0 {
            text.push(b'0');
            text.push(b'.');
            let zeros = usize::try_from(-x - 1).unwrap_or(0);
            text.resize(text.len() + zeros, b'0');
            text.extend_from_slice(&digits);
        } else {
            let int_len = usize::try_from(x + 1).unwrap_or(1).min(digits.len());
            text.extend_from_slice(&digits[..int_len]);
            if frac > 0 || hash {
                text.push(b'.');
            }
            text.extend_from_slice(&digits[int_len..]);
        }
        if !hash {
            strip_fraction_zeros(&mut text);
        }
        out.extend_from_slice(&text);
    } else {
        let mut mant: Vec<u8> = Vec::new();
        push_mantissa(&digits, hash, &mut mant);
        if !hash {
            strip_fraction_zeros(&mut mant);
        }
        out.extend_from_slice(&mant);
        push_exponent(exp, upper, out);
    }
}

/// Removes trailing zeros after a decimal point, and the point itself when
/// no fractional digit remains.
fn strip_fraction_zeros(text: &mut Vec<u8>) {
    if !text.contains(&b'.') {
        return;
    }
    while text.last() == Some(&b'0') {
        text.pop();
    }
    if text.last() == Some(&b'.') {
        text.pop();
    }
}

/// Appends the `%a` body (after the `0x` prefix) of the non-negative finite
/// `a` as glibc prints doubles: a leading digit of 1 for normal numbers and
/// 0 for zero and subnormals (whose exponent is then -1022), the 13 hex
/// digits of the fraction with trailing zeros removed when no precision is
/// given, or rounded (ties to even) to the precision, in which case a carry
/// may turn the leading digit into 2, then `p` and the binary exponent.
fn hex_float(a: f64, precision: Option<usize>, hash: bool, upper: bool, out: &mut Vec<u8>) {
    let bits = a.to_bits();
    let biased = (bits >> 52) & 0x7ff;
    let mut frac = bits & ((1u64 << 52) - 1);
    let (mut lead, exp): (u64, i64) = if biased == 0 {
        (0, if frac == 0 { 0 } else { -1022 })
    } else {
        // The biased exponent has 11 bits, so it converts losslessly.
        (1, i64::try_from(biased).unwrap_or(0) - 1023)
    };
    let table: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    // The number of fraction digits to print.
    let ndigits = match precision {
        None => {
            let mut n = 13;
            while n > 0 && (frac >> (4 * (13 - n))) & 0xf == 0 {
                n -= 1;
            }
            n
        }
        Some(p) => {
            if p < 13 {
                let drop = 4 * (13 - p);
                let kept = frac >> drop;
                let rest = frac & ((1u64 << drop) - 1);
                let half = 1u64 << (drop - 1);
                // Ties go to even; with no fraction digit kept, glibc looks
                // at the parity of the leading digit instead.
                let odd = if p == 0 { lead & 1 == 1 } else { kept & 1 == 1 };
                let round_up = rest > half || (rest == half && odd);
                let mut kept = kept + u64::from(round_up);
                if kept >> (4 * p) != 0 {
                    // The carry propagated into the leading digit.
                    kept &= (1u64 << (4 * p)) - 1;
                    lead += 1;
                }
                frac = kept << drop;
            }
            p
        }
    };
    out.push(table[usize::from(lead > 1) + usize::from(lead > 0)]);
    if ndigits > 0 || hash {
        out.push(b'.');
    }
    for i in 0..ndigits.min(13) {
        // Each nibble is below 16, so the cast indexes the table exactly.
        let nibble = (frac >> (4 * (12 - i))) & 0xf;
        out.push(table[nibble as usize]);
    }
    if ndigits > 13 {
        out.resize(out.len() + (ndigits - 13), b'0');
    }
    out.push(if upper { b'P' } else { b'p' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    push_decimal(exp.unsigned_abs(), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats one float with a full specification string such as "%.3g".
    fn ff(spec: &[u8], x: f64) -> Vec<u8> {
        let (parsed, _) = parse_spec(&spec[1..]).expect("valid spec");
        let mut out = Vec::new();
        format_float(&parsed, x, &mut out);
        out
    }

    /// Formats one integer with a full specification string.
    fn fi(spec: &[u8], v: i64) -> Vec<u8> {
        let (parsed, _) = parse_spec(&spec[1..]).expect("valid spec");
        let mut out = Vec::new();
        format_int(&parsed, v, &mut out);
        out
    }

    /// Strips the trailing '|' marker used by the tables to show padding.
    fn strip_bar(s: &[u8]) -> &[u8] {
        s.strip_suffix(b"|").unwrap_or(s)
    }

    #[test]
    fn float_table_matches_reference() {
        // The expected strings were printed by PUC-Rio Lua 5.4.8 on glibc;
        // the values are given by their IEEE-754 bit patterns.
        let cases: &[(&[u8], u64, &[u8])] = &[
        (b"%.14g", 0x0000000000000000, b"0"),
        (b"%.14g", 0xbff0000000000000, b"-1"),
        (b"%.14g", 0x4004000000000000, b"2.5"),
        (b"%.14g", 0x3fe5555555555555, b"0.66666666666667"),
        (b"%.14g", 0x430c6bf526340000, b"1e+15"),
        (b"%.14g", 0xffe1ccf385ebc8a0, b"-1e+308"),
        (b"%.14g", 0x3f202c9dedbc309d, b"0.0001234"),
        (b"%.14g", 0x0000000000000001, b"4.9406564584125e-324"),
        (b"%.14g", 0x400921fb54442d11, b"3.1415926535898"),
        (b"%.14g", 0x7ff0000000000000, b"inf"),
        (b"%.14g", 0x7ff8000000000000, b"nan"),
        (b"%.14g", 0x4023000000000000, b"9.5"),
        (b"%.14g", 0x0000000000000001, b"4.9406564584125e-324"),
        (b"%e", 0x0000000000000000, b"0.000000e+00"),
        (b"%e", 0xbff0000000000000, b"-1.000000e+00"),
        (b"%e", 0x4004000000000000, b"2.500000e+00"),
        (b"%e", 0x3fe5555555555555, b"6.666667e-01"),
        (b"%e", 0x430c6bf526340000, b"1.000000e+15"),
        (b"%e", 0xffe1ccf385ebc8a0, b"-1.000000e+308"),
        (b"%e", 0x3f202c9dedbc309d, b"1.234000e-04"),
        (b"%e", 0x0000000000000001, b"4.940656e-324"),
        (b"%e", 0x400921fb54442d11, b"3.141593e+00"),
        (b"%e", 0x7ff0000000000000, b"inf"),
        (b"%e", 0x7ff8000000000000, b"nan"),
        (b"%e", 0x4023000000000000, b"9.500000e+00"),
        (b"%e", 0x0000000000000001, b"4.940656e-324"),
        (b"%.0e", 0x0000000000000000, b"0e+00"),
        (b"%.0e", 0xbff0000000000000, b"-1e+00"),
        (b"%.0e", 0x4004000000000000, b"2e+00"),
        (b"%.0e", 0x3fe5555555555555, b"7e-01"),
        (b"%.0e", 0x430c6bf526340000, b"1e+15"),
        (b"%.0e", 0xffe1ccf385ebc8a0, b"-1e+308"),
        (b"%.0e", 0x3f202c9dedbc309d, b"1e-04"),
        (b"%.0e", 0x0000000000000001, b"5e-324"),
        (b"%.0e", 0x400921fb54442d11, b"3e+00"),
        (b"%.0e", 0x7ff0000000000000, b"inf"),
        (b"%.0e", 0x7ff8000000000000, b"nan"),
        (b"%.0e", 0x4023000000000000, b"1e+01"),
        (b"%.0e", 0x0000000000000001, b"5e-324"),
        (b"%#.0f", 0x0000000000000000, b"0."),
        (b"%#.0f", 0xbff0000000000000, b"-1."),
        (b"%#.0f", 0x4004000000000000, b"2."),
        (b"%#.0f", 0x3fe5555555555555, b"1."),
        (b"%#.0f", 0x430c6bf526340000, b"1000000000000000."),
        (b"%#.0f", 0xffe1ccf385ebc8a0, b"-100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336."),
        (b"%#.0f", 0x3f202c9dedbc309d, b"0."),
        (b"%#.0f", 0x0000000000000001, b"0."),
        (b"%#.0f", 0x400921fb54442d11, b"3."),
        (b"%#.0f", 0x7ff0000000000000, b"inf"),
        (b"%#.0f", 0x7ff8000000000000, b"nan"),
        (b"%#.0f", 0x4023000000000000, b"10."),
        (b"%#.0f", 0x0000000000000001, b"0."),
        (b"%.3g", 0x0000000000000000, b"0"),
        (b"%.3g", 0xbff0000000000000, b"-1"),
        (b"%.3g", 0x4004000000000000, b"2.5"),
        (b"%.3g", 0x3fe5555555555555, b"0.667"),
        (b"%.3g", 0x430c6bf526340000, b"1e+15"),
        (b"%.3g", 0xffe1ccf385ebc8a0, b"-1e+308"),
        (b"%.3g", 0x3f202c9dedbc309d, b"0.000123"),
        (b"%.3g", 0x0000000000000001, b"4.94e-324"),
        (b"%.3g", 0x400921fb54442d11, b"3.14"),
        (b"%.3g", 0x7ff0000000000000, b"inf"),
        (b"%.3g", 0x7ff8000000000000, b"nan"),
        (b"%.3g", 0x4023000000000000, b"9.5"),
        (b"%.3g", 0x0000000000000001, b"4.94e-324"),
        (b"%#g", 0x0000000000000000, b"0.00000"),
        (b"%#g", 0xbff0000000000000, b"-1.00000"),
        (b"%#g", 0x4004000000000000, b"2.50000"),
        (b"%#g", 0x3fe5555555555555, b"0.666667"),
        (b"%#g", 0x430c6bf526340000, b"1.00000e+15"),
        (b"%#g", 0xffe1ccf385ebc8a0, b"-1.00000e+308"),
        (b"%#g", 0x3f202c9dedbc309d, b"0.000123400"),
        (b"%#g", 0x0000000000000001, b"4.94066e-324"),
        (b"%#g", 0x400921fb54442d11, b"3.14159"),
        (b"%#g", 0x7ff0000000000000, b"inf"),
        (b"%#g", 0x7ff8000000000000, b"nan"),
        (b"%#g", 0x4023000000000000, b"9.50000"),
        (b"%#g", 0x0000000000000001, b"4.94066e-324"),
        (b"%.0g", 0x0000000000000000, b"0"),
        (b"%.0g", 0xbff0000000000000, b"-1"),
        (b"%.0g", 0x4004000000000000, b"2"),
        (b"%.0g", 0x3fe5555555555555, b"0.7"),
        (b"%.0g", 0x430c6bf526340000, b"1e+15"),
        (b"%.0g", 0xffe1ccf385ebc8a0, b"-1e+308"),
        (b"%.0g", 0x3f202c9dedbc309d, b"0.0001"),
        (b"%.0g", 0x0000000000000001, b"5e-324"),
        (b"%.0g", 0x400921fb54442d11, b"3"),
        (b"%.0g", 0x7ff0000000000000, b"inf"),
        (b"%.0g", 0x7ff8000000000000, b"nan"),
        (b"%.0g", 0x4023000000000000, b"1e+01"),
        (b"%.0g", 0x0000000000000001, b"5e-324"),
        (b"%#.0g", 0x0000000000000000, b"0."),
        (b"%#.0g", 0xbff0000000000000, b"-1."),
        (b"%#.0g", 0x4004000000000000, b"2."),
        (b"%#.0g", 0x3fe5555555555555, b"0.7"),
        (b"%#.0g", 0x430c6bf526340000, b"1.e+15"),
        (b"%#.0g", 0xffe1ccf385ebc8a0, b"-1.e+308"),
        (b"%#.0g", 0x3f202c9dedbc309d, b"0.0001"),
        (b"%#.0g", 0x0000000000000001, b"5.e-324"),
        (b"%#.0g", 0x400921fb54442d11, b"3."),
        (b"%#.0g", 0x7ff0000000000000, b"inf"),
        (b"%#.0g", 0x7ff8000000000000, b"nan"),
        (b"%#.0g", 0x4023000000000000, b"1.e+01"),
        (b"%#.0g", 0x0000000000000001, b"5.e-324"),
        (b"%G", 0x0000000000000000, b"0"),
        (b"%G", 0xbff0000000000000, b"-1"),
        (b"%G", 0x4004000000000000, b"2.5"),
        (b"%G", 0x3fe5555555555555, b"0.666667"),
        (b"%G", 0x430c6bf526340000, b"1E+15"),
        (b"%G", 0xffe1ccf385ebc8a0, b"-1E+308"),
        (b"%G", 0x3f202c9dedbc309d, b"0.0001234"),
        (b"%G", 0x0000000000000001, b"4.94066E-324"),
        (b"%G", 0x400921fb54442d11, b"3.14159"),
        (b"%G", 0x7ff0000000000000, b"INF"),
        (b"%G", 0x7ff8000000000000, b"NAN"),
        (b"%G", 0x4023000000000000, b"9.5"),
        (b"%G", 0x0000000000000001, b"4.94066E-324"),
        (b"%-10.2e|", 0x0000000000000000, b"0.00e+00  |"),
        (b"%-10.2e|", 0xbff0000000000000, b"-1.00e+00 |"),
        (b"%-10.2e|", 0x4004000000000000, b"2.50e+00  |"),
        (b"%-10.2e|", 0x3fe5555555555555, b"6.67e-01  |"),
        (b"%-10.2e|", 0x430c6bf526340000, b"1.00e+15  |"),
        (b"%-10.2e|", 0xffe1ccf385ebc8a0, b"-1.00e+308|"),
        (b"%-10.2e|", 0x3f202c9dedbc309d, b"1.23e-04  |"),
        (b"%-10.2e|", 0x0000000000000001, b"4.94e-324 |"),
        (b"%-10.2e|", 0x400921fb54442d11, b"3.14e+00  |"),
        (b"%-10.2e|", 0x7ff0000000000000, b"inf       |"),
        (b"%-10.2e|", 0x7ff8000000000000, b"nan       |"),
        (b"%-10.2e|", 0x4023000000000000, b"9.50e+00  |"),
        (b"%-10.2e|", 0x0000000000000001, b"4.94e-324 |"),
        (b"%+.2f", 0x0000000000000000, b"+0.00"),
        (b"%+.2f", 0xbff0000000000000, b"-1.00"),
        (b"%+.2f", 0x4004000000000000, b"+2.50"),
        (b"%+.2f", 0x3fe5555555555555, b"+0.67"),
        (b"%+.2f", 0x430c6bf526340000, b"+1000000000000000.00"),
        (b"%+.2f", 0xffe1ccf385ebc8a0, b"-100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336.00"),
        (b"%+.2f", 0x3f202c9dedbc309d, b"+0.00"),
        (b"%+.2f", 0x0000000000000001, b"+0.00"),
        (b"%+.2f", 0x400921fb54442d11, b"+3.14"),
        (b"%+.2f", 0x7ff0000000000000, b"+inf"),
        (b"%+.2f", 0x7ff8000000000000, b"+nan"),
        (b"%+.2f", 0x4023000000000000, b"+9.50"),
        (b"%+.2f", 0x0000000000000001, b"+0.00"),
        (b"% .3e", 0x0000000000000000, b" 0.000e+00"),
        (b"% .3e", 0xbff0000000000000, b"-1.000e+00"),
        (b"% .3e", 0x4004000000000000, b" 2.500e+00"),
        (b"% .3e", 0x3fe5555555555555, b" 6.667e-01"),
        (b"% .3e", 0x430c6bf526340000, b" 1.000e+15"),
        (b"% .3e", 0xffe1ccf385ebc8a0, b"-1.000e+308"),
        (b"% .3e", 0x3f202c9dedbc309d, b" 1.234e-04"),
        (b"% .3e", 0x0000000000000001, b" 4.941e-324"),
        (b"% .3e", 0x400921fb54442d11, b" 3.142e+00"),
        (b"% .3e", 0x7ff0000000000000, b" inf"),
        (b"% .3e", 0x7ff8000000000000, b" nan"),
        (b"% .3e", 0x4023000000000000, b" 9.500e+00"),
        (b"% .3e", 0x0000000000000001, b" 4.941e-324"),
        (b"%010.2f", 0x0000000000000000, b"0000000.00"),
        (b"%010.2f", 0xbff0000000000000, b"-000001.00"),
        (b"%010.2f", 0x4004000000000000, b"0000002.50"),
        (b"%010.2f", 0x3fe5555555555555, b"0000000.67"),
        (b"%010.2f", 0x430c6bf526340000, b"1000000000000000.00"),
        (b"%010.2f", 0xffe1ccf385ebc8a0, b"-100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336.00"),
        (b"%010.2f", 0x3f202c9dedbc309d, b"0000000.00"),
        (b"%010.2f", 0x0000000000000001, b"0000000.00"),
        (b"%010.2f", 0x400921fb54442d11, b"0000003.14"),
        (b"%010.2f", 0x7ff0000000000000, b"       inf"),
        (b"%010.2f", 0x7ff8000000000000, b"       nan"),
        (b"%010.2f", 0x4023000000000000, b"0000009.50"),
        (b"%010.2f", 0x0000000000000001, b"0000000.00"),
        (b"%.17g", 0x0000000000000000, b"0"),
        (b"%.17g", 0xbff0000000000000, b"-1"),
        (b"%.17g", 0x4004000000000000, b"2.5"),
        (b"%.17g", 0x3fe5555555555555, b"0.66666666666666663"),
        (b"%.17g", 0x430c6bf526340000, b"1000000000000000"),
        (b"%.17g", 0xffe1ccf385ebc8a0, b"-1e+308"),
        (b"%.17g", 0x3f202c9dedbc309d, b"0.00012339999999999999"),
        (b"%.17g", 0x0000000000000001, b"4.9406564584124654e-324"),
        (b"%.17g", 0x400921fb54442d11, b"3.14159265358979"),
        (b"%.17g", 0x7ff0000000000000, b"inf"),
        (b"%.17g", 0x7ff8000000000000, b"nan"),
        (b"%.17g", 0x4023000000000000, b"9.5"),
        (b"%.17g", 0x0000000000000001, b"4.9406564584124654e-324"),
        (b"%.99f", 0x3fb999999999999a, b"0.100000000000000005551115123125782702118158340454101562500000000000000000000000000000000000000000000"),
        (b"%.99f", 0x3fd5555555555555, b"0.333333333333333314829616256247390992939472198486328125000000000000000000000000000000000000000000000"),
        (b"%.99f", 0xffe1ccf385ebc8a0, b"-100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        (b"%.99f", 0x0000000000000001, b"0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        (b"%.99f", 0x0000000000000001, b"0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        (b"%a", 0x0000000000000000, b"0x0p+0"),
        (b"%a", 0x8000000000000000, b"-0x0p+0"),
        (b"%a", 0x3ff0000000000000, b"0x1p+0"),
        (b"%a", 0xbff0000000000000, b"-0x1p+0"),
        (b"%a", 0x3fe0000000000000, b"0x1p-1"),
        (b"%a", 0x3ff8000000000000, b"0x1.8p+0"),
        (b"%a", 0x4004000000000000, b"0x1.4p+1"),
        (b"%a", 0x3fb999999999999a, b"0x1.999999999999ap-4"),
        (b"%a", 0x3fd5555555555555, b"0x1.5555555555555p-2"),
        (b"%a", 0x3fe5555555555555, b"0x1.5555555555555p-1"),
        (b"%a", 0x4059000000000000, b"0x1.9p+6"),
        (b"%a", 0x419d6f3454000000, b"0x1.d6f3454p+26"),
        (b"%a", 0x430c6bf526340000, b"0x1.c6bf52634p+49"),
        (b"%a", 0x4341c37937e08000, b"0x1.1c37937e08p+53"),
        (b"%a", 0x54b249ad2594c37d, b"0x1.249ad2594c37dp+332"),
        (b"%a", 0xffe1ccf385ebc8a0, b"-0x1.1ccf385ebc8ap+1023"),
        (b"%a", 0x3ee4f8b588e368f1, b"0x1.4f8b588e368f1p-17"),
        (b"%a", 0x3f1a36e2eb1c432d, b"0x1.a36e2eb1c432dp-14"),
        (b"%a", 0x3f202c9dedbc309d, b"0x1.02c9dedbc309dp-13"),
        (b"%a", 0x4340000000000000, b"0x1p+53"),
        (b"%a", 0x43e0000000000000, b"0x1p+63"),
        (b"%a", 0x0000000000000001, b"0x0.0000000000001p-1022"),
        (b"%a", 0x0010000000000000, b"0x1p-1022"),
        (b"%a", 0x7fefffffffffffff, b"0x1.fffffffffffffp+1023"),
        (b"%a", 0x400921fb54442d11, b"0x1.921fb54442d11p+1"),
        (b"%a", 0x444b1ae4d6e2ef50, b"0x1.b1ae4d6e2ef5p+69"),
        (b"%a", 0x40c81cd6c8b43958, b"0x1.81cd6c8b43958p+13"),
        (b"%a", 0x7ff0000000000000, b"inf"),
        (b"%a", 0xfff0000000000000, b"-inf"),
        (b"%a", 0xfff8000000000000, b"-nan"),
        (b"%a", 0x7ff8000000000000, b"nan"),
        (b"%a", 0x406ff00000000000, b"0x1.ffp+7"),
        (b"%a", 0x3fee666666666666, b"0x1.e666666666666p-1"),
        (b"%a", 0x4023000000000000, b"0x1.3p+3"),
        (b"%a", 0x4058e00000000000, b"0x1.8ep+6"),
        (b"%a", 0x000012688b70e62b, b"0x0.012688b70e62bp-1022"),
        (b"%a", 0x0000000000000001, b"0x0.0000000000001p-1022"),
        (b"%a", 0x3fc0000000000000, b"0x1p-3"),
        (b"%a", 0x3fff800000000000, b"0x1.f8p+0"),
        (b"%A", 0x0000000000000000, b"0X0P+0"),
        (b"%A", 0xbff0000000000000, b"-0X1P+0"),
        (b"%A", 0x4004000000000000, b"0X1.4P+1"),
        (b"%A", 0x3fe5555555555555, b"0X1.5555555555555P-1"),
        (b"%A", 0x430c6bf526340000, b"0X1.C6BF52634P+49"),
        (b"%A", 0xffe1ccf385ebc8a0, b"-0X1.1CCF385EBC8AP+1023"),
        (b"%A", 0x3f202c9dedbc309d, b"0X1.02C9DEDBC309DP-13"),
        (b"%A", 0x0000000000000001, b"0X0.0000000000001P-1022"),
        (b"%A", 0x400921fb54442d11, b"0X1.921FB54442D11P+1"),
        (b"%A", 0x7ff0000000000000, b"INF"),
        (b"%A", 0x7ff8000000000000, b"NAN"),
        (b"%A", 0x4023000000000000, b"0X1.3P+3"),
        (b"%A", 0x0000000000000001, b"0X0.0000000000001P-1022"),
        (b"%.2a", 0x0000000000000000, b"0x0.00p+0"),
        (b"%.2a", 0xbff0000000000000, b"-0x1.00p+0"),
        (b"%.2a", 0x4004000000000000, b"0x1.40p+1"),
        (b"%.2a", 0x3fe5555555555555, b"0x1.55p-1"),
        (b"%.2a", 0x430c6bf526340000, b"0x1.c7p+49"),
        (b"%.2a", 0xffe1ccf385ebc8a0, b"-0x1.1dp+1023"),
        (b"%.2a", 0x3f202c9dedbc309d, b"0x1.03p-13"),
        (b"%.2a", 0x0000000000000001, b"0x0.00p-1022"),
        (b"%.2a", 0x400921fb54442d11, b"0x1.92p+1"),
        (b"%.2a", 0x7ff0000000000000, b"inf"),
        (b"%.2a", 0x7ff8000000000000, b"nan"),
        (b"%.2a", 0x4023000000000000, b"0x1.30p+3"),
        (b"%.2a", 0x0000000000000001, b"0x0.00p-1022"),
        (b"%.0a", 0x0000000000000000, b"0x0p+0"),
        (b"%.0a", 0xbff0000000000000, b"-0x1p+0"),
        (b"%.0a", 0x4004000000000000, b"0x1p+1"),
        (b"%.0a", 0x3fe5555555555555, b"0x1p-1"),
        (b"%.0a", 0x430c6bf526340000, b"0x2p+49"),
        (b"%.0a", 0xffe1ccf385ebc8a0, b"-0x1p+1023"),
        (b"%.0a", 0x3f202c9dedbc309d, b"0x1p-13"),
        (b"%.0a", 0x0000000000000001, b"0x0p-1022"),
        (b"%.0a", 0x400921fb54442d11, b"0x2p+1"),
        (b"%.0a", 0x7ff0000000000000, b"inf"),
        (b"%.0a", 0x7ff8000000000000, b"nan"),
        (b"%.0a", 0x4023000000000000, b"0x1p+3"),
        (b"%.0a", 0x0000000000000001, b"0x0p-1022"),
        (b"%015a", 0x0000000000000000, b"0x0000000000p+0"),
        (b"%015a", 0xbff0000000000000, b"-0x000000001p+0"),
        (b"%015a", 0x4004000000000000, b"0x00000001.4p+1"),
        (b"%015a", 0x3fe5555555555555, b"0x1.5555555555555p-1"),
        (b"%015a", 0x430c6bf526340000, b"0x1.c6bf52634p+49"),
        (b"%015a", 0xffe1ccf385ebc8a0, b"-0x1.1ccf385ebc8ap+1023"),
        (b"%015a", 0x3f202c9dedbc309d, b"0x1.02c9dedbc309dp-13"),
        (b"%015a", 0x0000000000000001, b"0x0.0000000000001p-1022"),
        (b"%015a", 0x400921fb54442d11, b"0x1.921fb54442d11p+1"),
        (b"%015a", 0x7ff0000000000000, b"            inf"),
        (b"%015a", 0x7ff8000000000000, b"            nan"),
        (b"%015a", 0x4023000000000000, b"0x00000001.3p+3"),
        (b"%015a", 0x0000000000000001, b"0x0.0000000000001p-1022"),
        ];
        for &(spec, bits, expect) in cases {
            let got = ff(strip_bar(spec), f64::from_bits(bits));
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(strip_bar(expect)),
                "{} of {:#x}",
                String::from_utf8_lossy(spec),
                bits
            );
        }
    }

    #[test]
    fn int_table_matches_reference() {
        let cases: &[(&[u8], i64, &[u8])] = &[
            (b"%d", 0, b"0"),
            (b"%d", 42, b"42"),
            (b"%d", 65, b"65"),
            (b"%d", 2147483647, b"2147483647"),
            (b"%i", 0, b"0"),
            (b"%i", 42, b"42"),
            (b"%i", 65, b"65"),
            (b"%i", 2147483647, b"2147483647"),
            (b"%5d", 0, b"    0"),
            (b"%5d", 42, b"   42"),
            (b"%5d", 65, b"   65"),
            (b"%5d", 2147483647, b"2147483647"),
            (b"%-5d|", 0, b"0    |"),
            (b"%-5d|", 42, b"42   |"),
            (b"%-5d|", 65, b"65   |"),
            (b"%-5d|", 2147483647, b"2147483647|"),
            (b"%05d", 0, b"00000"),
            (b"%05d", 42, b"00042"),
            (b"%05d", 65, b"00065"),
            (b"%05d", 2147483647, b"2147483647"),
            (b"%+d", 0, b"+0"),
            (b"%+d", 42, b"+42"),
            (b"%+d", 65, b"+65"),
            (b"%+d", 2147483647, b"+2147483647"),
            (b"% d", 0, b" 0"),
            (b"% d", 42, b" 42"),
            (b"% d", 65, b" 65"),
            (b"% d", 2147483647, b" 2147483647"),
            (b"%.3d", 0, b"000"),
            (b"%.3d", 42, b"042"),
            (b"%.3d", 65, b"065"),
            (b"%.3d", 2147483647, b"2147483647"),
            (b"%.0d", 0, b""),
            (b"%.0d", 42, b"42"),
            (b"%.0d", 65, b"65"),
            (b"%.0d", 2147483647, b"2147483647"),
            (b"%8.3d", 0, b"     000"),
            (b"%8.3d", 42, b"     042"),
            (b"%8.3d", 65, b"     065"),
            (b"%8.3d", 2147483647, b"2147483647"),
            (b"%-8.3d|", 0, b"000     |"),
            (b"%-8.3d|", 42, b"042     |"),
            (b"%-8.3d|", 65, b"065     |"),
            (b"%-8.3d|", 2147483647, b"2147483647|"),
            (b"%+05d", 0, b"+0000"),
            (b"%+05d", 42, b"+0042"),
            (b"%+05d", 65, b"+0065"),
            (b"%+05d", 2147483647, b"+2147483647"),
            (b"% 05d", 0, b" 0000"),
            (b"% 05d", 42, b" 0042"),
            (b"% 05d", 65, b" 0065"),
            (b"% 05d", 2147483647, b" 2147483647"),
            (b"%u", 0, b"0"),
            (b"%u", 42, b"42"),
            (b"%u", 65, b"65"),
            (b"%u", 2147483647, b"2147483647"),
            (b"%5u", 0, b"    0"),
            (b"%5u", 42, b"   42"),
            (b"%5u", 65, b"   65"),
            (b"%5u", 2147483647, b"2147483647"),
            (b"%x", 0, b"0"),
            (b"%x", 42, b"2a"),
            (b"%x", 65, b"41"),
            (b"%x", 2147483647, b"7fffffff"),
            (b"%X", 0, b"0"),
            (b"%X", 42, b"2A"),
            (b"%X", 65, b"41"),
            (b"%X", 2147483647, b"7FFFFFFF"),
            (b"%#x", 0, b"0"),
            (b"%#x", 42, b"0x2a"),
            (b"%#x", 65, b"0x41"),
            (b"%#x", 2147483647, b"0x7fffffff"),
            (b"%#X", 0, b"0"),
            (b"%#X", 42, b"0X2A"),
            (b"%#X", 65, b"0X41"),
            (b"%#X", 2147483647, b"0X7FFFFFFF"),
            (b"%o", 0, b"0"),
            (b"%o", 42, b"52"),
            (b"%o", 65, b"101"),
            (b"%o", 2147483647, b"17777777777"),
            (b"%#o", 0, b"0"),
            (b"%#o", 42, b"052"),
            (b"%#o", 65, b"0101"),
            (b"%#o", 2147483647, b"017777777777"),
            (b"%#.0o", 0, b"0"),
            (b"%#.0o", 42, b"052"),
            (b"%#.0o", 65, b"0101"),
            (b"%#.0o", 2147483647, b"017777777777"),
            (b"%.0x", 0, b""),
            (b"%.0x", 42, b"2a"),
            (b"%.0x", 65, b"41"),
            (b"%.0x", 2147483647, b"7fffffff"),
            (b"%#.0x", 0, b""),
            (b"%#.0x", 42, b"0x2a"),
            (b"%#.0x", 65, b"0x41"),
            (b"%#.0x", 2147483647, b"0x7fffffff"),
            (b"%08x", 0, b"00000000"),
            (b"%08x", 42, b"0000002a"),
            (b"%08x", 65, b"00000041"),
            (b"%08x", 2147483647, b"7fffffff"),
            (b"%#08x", 0, b"00000000"),
            (b"%#08x", 42, b"0x00002a"),
            (b"%#08x", 65, b"0x000041"),
            (b"%#08x", 2147483647, b"0x7fffffff"),
            (b"%-#8x|", 0, b"0       |"),
            (b"%-#8x|", 42, b"0x2a    |"),
            (b"%-#8x|", 65, b"0x41    |"),
            (b"%-#8x|", 2147483647, b"0x7fffffff|"),
            (b"%.10o", 0, b"0000000000"),
            (b"%.10o", 42, b"0000000052"),
            (b"%.10o", 65, b"0000000101"),
            (b"%.10o", 2147483647, b"17777777777"),
            (b"%c", 0, b"\x00"),
            (b"%c", 42, b"*"),
            (b"%c", 65, b"A"),
            (b"%c", 2147483647, b"\xff"),
            (b"%3c", 0, b"  \x00"),
            (b"%3c", 42, b"  *"),
            (b"%3c", 65, b"  A"),
            (b"%3c", 2147483647, b"  \xff"),
            (b"%-3c|", 0, b"\x00  |"),
            (b"%-3c|", 42, b"*  |"),
            (b"%-3c|", 65, b"A  |"),
            (b"%-3c|", 2147483647, b"\xff  |"),
            (
                b"%99d",
                0,
                b"                                                                                                  0",
            ),
            (
                b"%99d",
                42,
                b"                                                                                                 42",
            ),
            (
                b"%99d",
                65,
                b"                                                                                                 65",
            ),
            (
                b"%99d",
                2147483647,
                b"                                                                                         2147483647",
            ),
            (
                b"%.99d",
                0,
                b"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            ),
            (
                b"%.99d",
                42,
                b"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000042",
            ),
            (
                b"%.99d",
                65,
                b"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000065",
            ),
            (
                b"%.99d",
                2147483647,
                b"000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002147483647",
            ),
            (b"%-0+ 5d|", 0, b"+0   |"),
            (b"%-0+ 5d|", 42, b"+42  |"),
            (b"%-0+ 5d|", 65, b"+65  |"),
            (b"%-0+ 5d|", 2147483647, b"+2147483647|"),
        ];
        for &(spec, v, expect) in cases {
            let got = fi(strip_bar(spec), v);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(strip_bar(expect)),
                "{} of {}",
                String::from_utf8_lossy(spec),
                v
            );
        }
    }

    #[test]
    fn spec_validation_matches_reference() {
        // Each entry is a format string and either the formatted value of
        // the integer 1 (for accepted specifications) or PUC's error.
        type Case<'a> = (&'a [u8], Result<&'a [u8], &'a [u8]>);
        let cases: &[Case] = &[
            (b"%5d", Ok(b"    1")),
            (b"%#d", Err(b"invalid conversion specification: '%#d'")),
            (b"%99d", Ok(b"                                                                                                  1")),
            (b"%100d", Err(b"invalid conversion specification: '%100d'")),
            (b"%.100d", Err(b"invalid conversion specification: '%.100d'")),
            (b"%5.d", Ok(b"    1")),
            (b"%-+ 0#5d", Err(b"invalid conversion specification: '%-+ 0#5d'")),
            (b"%0-5d", Ok(b"1    ")),
            (b"%00005d", Ok(b"00001")),
            (b"%05.3d", Ok(b"  001")),
            (b"%+u", Err(b"invalid conversion specification: '%+u'")),
            (b"%#u", Err(b"invalid conversion specification: '%#u'")),
            (b"%+x", Err(b"invalid conversion specification: '%+x'")),
            (b"% x", Err(b"invalid conversion specification: '% x'")),
            (b"%#o", Ok(b"01")),
            (b"%-5c", Ok(b"\x01    ")),
            (b"%05c", Err(b"invalid conversion specification: '%05c'")),
            (b"%.1c", Err(b"invalid conversion specification: '%.1c'")),
            (b"%05s", Err(b"invalid conversion specification: '%05s'")),
            (b"%#s", Err(b"invalid conversion specification: '%#s'")),
            (b"% s", Err(b"invalid conversion specification: '% s'")),
            (b"%.3p", Err(b"invalid conversion specification: '%.3p'")),
            (b"%5q", Err(b"specifier '%q' cannot have modifiers")),
            (b"%-q", Err(b"specifier '%q' cannot have modifiers")),
            (b"%F", Err(b"invalid conversion '%F' to 'format'")),
            (b"%b", Err(b"invalid conversion '%b' to 'format'")),
            (b"%ld", Err(b"invalid conversion '%l' to 'format'")),
            (b"%", Err(b"invalid conversion '%' to 'format'")),
            (b"%5", Err(b"invalid conversion '%5' to 'format'")),
            (b"%.", Err(b"invalid conversion '%.' to 'format'")),
            (b"%5\0d", Err(b"invalid conversion '%5' to 'format'")),
            (b"%1.2.3d", Err(b"invalid conversion specification: '%1.2.3d'")),
            (b"%123456789012345678901d", Err(b"invalid format (too long)")),
            (
                b"%12345678901234567890d",
                Err(b"invalid conversion specification: '%12345678901234567890d'"),
            ),
            (b"%-------------------d", Ok(b"1")),
            (b"%.x", Ok(b"1")),
        ];
        for &(fmt, expect) in cases {
            let got = parse_spec(&fmt[1..]).map(|(spec, _)| {
                let mut out = Vec::new();
                format_int(&spec, 1, &mut out);
                out
            });
            let got = got.as_ref().map(Vec::as_slice).map_err(|e| e.0.as_slice());
            assert_eq!(got, expect, "{}", String::from_utf8_lossy(fmt));
        }
    }

    #[test]
    fn scan_reports_consumed_bytes_and_modifiers() {
        let (raw, used) = scan_spec(b"-5.2fxyz").unwrap();
        assert_eq!((raw.conversion(), used, raw.form()), (b'f', 5, &b"-5.2f"[..]));
        assert!(raw.has_modifiers());
        let (raw, used) = scan_spec(b"s").unwrap();
        assert_eq!((raw.conversion(), used, raw.has_modifiers()), (b's', 1, false));
        let (raw, used) = scan_spec(b"").unwrap();
        assert_eq!((raw.conversion(), used), (0, 1));
        let spec = raw.check().unwrap_err();
        assert_eq!(spec.to_string(), "invalid conversion '%' to 'format'");
        let (spec, _) = parse_spec(b"#-+ 010.3a").unwrap();
        let mut out = Vec::new();
        format_float(&spec, 1.0, &mut out);
        assert_eq!(out, b"+0x1.000p+0");
    }

    #[test]
    fn strings_are_padded_and_truncated() {
        let mut out = Vec::new();
        let (spec, _) = parse_spec(b"5.2s").unwrap();
        format_str(&spec, b"abc", &mut out);
        let (spec, _) = parse_spec(b"-4s").unwrap();
        format_str(&spec, b"x", &mut out);
        let (spec, _) = parse_spec(b"2s").unwrap();
        format_str(&spec, b"long", &mut out);
        assert_eq!(out, b"   abx   long");
    }

    #[test]
    fn tostring_and_quoted_forms_match_reference() {
        let floats: &[(f64, &[u8], &[u8])] = &[
            (1.0, b"1.0", b"0x1p+0"),
            (-0.0, b"-0.0", b"-0x0p+0"),
            (0.1, b"0.1", b"0x1.999999999999ap-4"),
            (1e15, b"1e+15", b"0x1.c6bf52634p+49"),
            (1e14, b"1e+14", b"0x1.6bcc41e9p+46"),
            (123456789012345.0, b"1.2345678901234e+14", b"0x1.c12218377de4p+46"),
            (1e100, b"1e+100", b"0x1.249ad2594c37dp+332"),
            (9007199254740992.0, b"9.007199254741e+15", b"0x1p+53"),
            (-3.5, b"-3.5", b"-0x1.cp+1"),
            (1e-300, b"1e-300", b"0x1.56e1fc2f8f359p-997"),
            (f64::INFINITY, b"inf", b"1e9999"),
            (f64::NEG_INFINITY, b"-inf", b"-1e9999"),
            (-f64::NAN, b"-nan", b"(0/0)"),
            (f64::NAN, b"nan", b"(0/0)"),
            (100.0, b"100.0", b"0x1.9p+6"),
            (-2.0f64.powi(63), b"-9.2233720368548e+18", b"-0x1p+63"),
        ];
        for &(x, ts, q) in floats {
            let mut out = Vec::new();
            fmt_float(x, &mut out);
            assert_eq!(out, ts, "tostring {x}");
            out.clear();
            fmt_q_float(x, &mut out);
            assert_eq!(out, q, "%q {x}");
        }
        let mut out = Vec::new();
        fmt_q_string(b"a\0b\n\"\\\r1\x019\x80\x7fx\x7f9\0", &mut out);
        assert_eq!(out, b"\"a\\0b\\\n\\\"\\\\\\0131\\0019\x80\\127x\\1279\\0\"");
        let ints: &[(i64, &[u8], &[u8])] = &[
            (0, b"0", b"0"),
            (-1, b"-1", b"-1"),
            (i64::MAX, b"9223372036854775807", b"9223372036854775807"),
            (i64::MIN, b"-9223372036854775808", b"0x8000000000000000"),
        ];
        for &(i, ts, q) in ints {
            let mut out = Vec::new();
            fmt_int(i, &mut out);
            assert_eq!(out, ts);
            out.clear();
            fmt_q_int(i, &mut out);
            assert_eq!(out, q);
        }
    }

    #[test]
    fn arbitrary_specifications_never_panic() {
        // A small linear congruential generator drives random byte strings
        // through the parser and every formatter.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let alphabet = b"-+#0 123456789.aAeEfFgGdiuoxXcspq%lz\0";
        for _ in 0..20_000 {
            let mut fmt = Vec::new();
            for _ in 0..(state % 12) {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                fmt.push(alphabet[usize::try_from(state >> 59).unwrap() % alphabet.len()]);
            }
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            if let Ok((spec, used)) = parse_spec(&fmt) {
                assert!(used <= fmt.len() + 1);
                let mut out = Vec::new();
                format_int(&spec, i64::from_ne_bytes(state.to_ne_bytes()), &mut out);
                format_float(&spec, f64::from_bits(state), &mut out);
                format_str(&spec, &fmt, &mut out);
            }
        }
    }
}
