//! The `math` library (PUC's lmathlib.c): the elementary functions,
//! `floor`/`ceil`/`modf`/`fmod` with their integer cases, `min`/`max`,
//! `tointeger`, `type`, `ult`, the constants, and `random`/`randomseed`
//! with PUC's xoshiro256** generator, so a given seed produces the same
//! sequence as PUC Lua.
//!
//! The generator's state belongs to the `State` (`st.ext::<RandomState>()`),
//! created and seeded from the clock when the library is opened.
//!
//! With the dialect's [`Feature::MathCompat`] (PUC's `LUA_COMPAT_MATHLIB`,
//! part of `LUA_COMPAT_5_3`, on by default) the library also has the
//! functions Lua 5.3 deprecated: `atan2`, `cosh`, `sinh`, `tanh`, `pow`,
//! `frexp`, `ldexp` and `log10`.

use crate::dialect::Feature;
use crate::gc::Gc;
use crate::object::table::Table;
use crate::state::State;
use crate::value::Value;
use crate::vm::arith;
use crate::vm::LResult;

/// The constant pi, as PUC defines it.
const PI: f64 = std::f64::consts::PI;

/// The deprecated functions of `LUA_COMPAT_MATHLIB` (and `atan2`, which
/// is `atan` itself).
const COMPAT_FUNCS: [(&str, crate::object::function::NativeFnPtr); 7] = [
    ("cosh", cosh),
    ("sinh", sinh),
    ("tanh", tanh),
    ("pow", pow),
    ("frexp", frexp),
    ("ldexp", ldexp),
    ("log10", log10),
];

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    let compat: &[_] = if st.dialect().has(Feature::MathCompat) { &COMPAT_FUNCS } else { &[] };
    let t = st.new_lib(&[
        ("abs", abs),
        ("acos", acos),
        ("asin", asin),
        ("atan", atan),
        ("ceil", ceil),
        ("cos", cos),
        ("deg", deg),
        ("exp", exp),
        ("tointeger", tointeger),
        ("floor", floor),
        ("fmod", fmod),
        ("ult", ult),
        ("log", log),
        ("max", max),
        ("min", min),
        ("modf", modf),
        ("rad", rad),
        ("sin", sin),
        ("sqrt", sqrt),
        ("tan", tan),
        ("type", type_),
        ("random", random),
        ("randomseed", randomseed),
    ])?;
    if !compat.is_empty() {
        st.set_funcs(t, compat)?;
        // The same function as `atan`, as in PUC (where the two entries
        // hold one C function): `math.atan2 == math.atan`.
        let atan = st.raw_get_field(t, "atan")?;
        st.raw_set_field(t, "atan2", atan)?;
    }
    st.raw_set_field(t, "pi", Value::Float(PI))?;
    st.raw_set_field(t, "huge", Value::Float(f64::INFINITY))?;
    st.raw_set_field(t, "maxinteger", Value::Int(i64::MAX))?;
    st.raw_set_field(t, "mininteger", Value::Int(i64::MIN))?;
    let (n1, n2) = time_seed(st);
    st.set_ext(RandomState::seeded(n1, n2));
    Ok(t)
}

/// The state of the pseudo-random generator (xoshiro256**).
#[derive(Clone, Debug)]
pub struct RandomState {
    s: [u64; 4],
}

impl RandomState {
    /// A generator seeded as PUC's `setseed` does: the two seed words,
    /// a constant to avoid an all-zero state, and 16 discarded values.
    pub fn seeded(n1: u64, n2: u64) -> RandomState {
        let mut r = RandomState { s: [n1, 0xff, n2, 0] };
        for _ in 0..16 {
            r.next_u64();
        }
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let state0 = s[0];
        let state1 = s[1];
        let state2 = s[2] ^ state0;
        let state3 = s[3] ^ state1;
        let res = state1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        s[0] = state0 ^ state3;
        s[1] = state1 ^ state2;
        s[2] = state2 ^ (state1 << 17);
        s[3] = state3.rotate_left(45);
        res
    }

    /// Projects the random value `ran` into `[0, n]` uniformly, drawing new
    /// values while the projection falls outside (PUC's `project`).
    fn project(&mut self, mut ran: u64, n: u64) -> u64 {
        if n & n.wrapping_add(1) == 0 {
            return ran & n;
        }
        // The smallest 2^b - 1 not below n.
        let mut lim = n;
        lim |= lim >> 1;
        lim |= lim >> 2;
        lim |= lim >> 4;
        lim |= lim >> 8;
        lim |= lim >> 16;
        lim |= lim >> 32;
        loop {
            ran &= lim;
            if ran <= n {
                return ran;
            }
            ran = self.next_u64();
        }
    }
}

/// A float in `[0, 1)` from the 53 high bits of `x` (PUC's `I2d`).
fn to_unit_float(x: u64) -> f64 {
    (x >> 11) as f64 * (0.5 / (1u64 << 52) as f64)
}

/// The seed words used without an explicit seed: the current time and an
/// address (PUC uses the address of the `lua_State`).
fn time_seed(st: &State) -> (u64, u64) {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    (secs, st as *const State as usize as u64)
}

/// The generator of the running state, created on first use if the
/// library was opened in an unusual way.
fn rng(st: &mut State) -> &mut RandomState {
    if st.ext::<RandomState>().is_none() {
        let (n1, n2) = time_seed(st);
        st.set_ext(RandomState::seeded(n1, n2));
    }
    match st.ext_mut::<RandomState>() {
        Some(r) => r,
        None => unreachable_rng(),
    }
}

#[cold]
fn unreachable_rng() -> ! {
    unreachable!("random state stored just above")
}

/// `math.random([m [, n]])`.
fn random(st: &mut State) -> LResult<usize> {
    let rv = rng(st).next_u64();
    let (low, up) = match st.nargs() {
        0 => {
            st.push(Value::Float(to_unit_float(rv)));
            return Ok(1);
        }
        1 => {
            let up = st.check_integer(1)?;
            if up == 0 {
                st.push(Value::Int(rv as i64));
                return Ok(1);
            }
            (1, up)
        }
        2 => {
            let low = st.check_integer(1)?;
            let up = st.check_integer(2)?;
            (low, up)
        }
        _ => return Err(st.error_msg("wrong number of arguments")),
    };
    if low > up {
        return Err(st.arg_error(1, "interval is empty"));
    }
    let p = rng(st).project(rv, (up as u64).wrapping_sub(low as u64));
    st.push(Value::Int(p.wrapping_add(low as u64) as i64));
    Ok(1)
}

/// `math.randomseed([n1 [, n2]])`: reseeds and returns the two seed words.
fn randomseed(st: &mut State) -> LResult<usize> {
    let (n1, n2) = if st.nargs() == 0 {
        time_seed(st)
    } else {
        let n1 = st.check_integer(1)?;
        let n2 = st.opt_integer(2, 0)?;
        (n1 as u64, n2 as u64)
    };
    st.set_ext(RandomState::seeded(n1, n2));
    st.push(Value::Int(n1 as i64));
    st.push(Value::Int(n2 as i64));
    Ok(2)
}

/// Pushes a float, as an integer when it has an exact integer value in
/// range (PUC's `pushnumint`).
fn push_num_int(st: &mut State, d: f64) {
    match arith::float_to_int_exact(d) {
        Some(i) => st.push(Value::Int(i)),
        None => st.push(Value::Float(d)),
    }
}

/// Defines a native applying a float function to its number argument.
macro_rules! float_fn {
    ($name:ident, $f:expr) => {
        fn $name(st: &mut State) -> LResult<usize> {
            let x = st.check_number(1)?;
            let f: fn(f64) -> f64 = $f;
            st.push(Value::Float(f(x)));
            Ok(1)
        }
    };
}

float_fn!(sin, f64::sin);
float_fn!(cos, f64::cos);
float_fn!(tan, f64::tan);
float_fn!(asin, f64::asin);
float_fn!(acos, f64::acos);
float_fn!(sqrt, f64::sqrt);
float_fn!(exp, f64::exp);
float_fn!(deg, |x| x * (180.0 / PI));
float_fn!(rad, |x| x * (PI / 180.0));

float_fn!(cosh, f64::cosh);
float_fn!(sinh, f64::sinh);
float_fn!(tanh, f64::tanh);
float_fn!(log10, f64::log10);

/// `math.pow(x, y)` (compatibility): always a float, as C's `pow`.
fn pow(st: &mut State) -> LResult<usize> {
    let x = st.check_number(1)?;
    let y = st.check_number(2)?;
    st.push(Value::Float(x.powf(y)));
    Ok(1)
}

/// `math.frexp(x)` (compatibility): `m, e` with `x == m * 2^e` and
/// `0.5 <= |m| < 1`; zeros, infinities and NaNs come back unchanged with
/// exponent 0, as from C's `frexp`.
fn frexp(st: &mut State) -> LResult<usize> {
    let x = st.check_number(1)?;
    let (m, e) = split_exponent(x);
    st.push(Value::Float(m));
    st.push(Value::Int(e as i64));
    Ok(2)
}

/// `math.ldexp(m, e)` (compatibility): `m * 2^e`, rounded once. The
/// exponent must be an integer and is cut to a C `int` (its low 32 bits,
/// two's complement), as PUC's cast does on the usual machines.
fn ldexp(st: &mut State) -> LResult<usize> {
    let m = st.check_number(1)?;
    let e = st.check_integer(2)? as i32;
    st.push(Value::Float(scale_by_power_of_two(m, e)));
    Ok(1)
}

/// C's `frexp`: splits `x` into a fraction in `[0.5, 1)` (with the sign
/// of `x`) and a power of two.
fn split_exponent(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        // As glibc: the value itself (a NaN quietened) and exponent 0.
        return (x + x, 0);
    }
    // Subnormals are scaled into the normal range first (exactly).
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE { (x * TWO_POW_54, -54) } else { (x, 0) };
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    // Put the exponent field of 0.5 (1022) in place of the one of `x`.
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, biased - 1022 + bias)
}

/// 2^e for `e` in the range of normal floats (-1022 to 1023).
const fn pow2(e: i32) -> f64 {
    f64::from_bits(((1023 + e) as u64) << 52)
}

const TWO_POW_54: f64 = pow2(54);
const TWO_POW_1023: f64 = pow2(1023);
/// 2^-969: a step down that leaves 53 binades above the subnormals.
const TWO_POW_M969: f64 = pow2(-969);

/// C's `ldexp`: `x * 2^e`, correctly rounded (also into the subnormal
/// range), overflowing to an infinity and underflowing to a zero.
fn scale_by_power_of_two(x: f64, e: i32) -> f64 {
    let mut y = x;
    let mut e = e;
    // Bring `e` into the range of a normal power of two in at most two
    // exact steps (beyond that the result is an infinity or a zero
    // whatever `x` is). Downwards each step stops 53 binades above the
    // subnormals, so that only the last multiplication rounds.
    if e > 1023 {
        y *= TWO_POW_1023;
        e -= 1023;
        if e > 1023 {
            y *= TWO_POW_1023;
            e = (e - 1023).min(1023);
        }
    } else if e < -1022 {
        y *= TWO_POW_M969;
        e += 969;
        if e < -1022 {
            y *= TWO_POW_M969;
            e = (e + 969).max(-1022);
        }
    }
    y * pow2(e)
}

/// `math.atan(y [, x])`.
fn atan(st: &mut State) -> LResult<usize> {
    let y = st.check_number(1)?;
    let x = st.opt_number(2, 1.0)?;
    st.push(Value::Float(y.atan2(x)));
    Ok(1)
}

/// `math.abs(x)`: integers stay integers (wrapping for `mininteger`).
fn abs(st: &mut State) -> LResult<usize> {
    if let Value::Int(n) = st.arg(1) {
        st.push(Value::Int(n.wrapping_abs()));
    } else {
        let x = st.check_number(1)?;
        st.push(Value::Float(x.abs()));
    }
    Ok(1)
}

/// `math.tointeger(x)`: the integer value of `x`, or fail.
fn tointeger(st: &mut State) -> LResult<usize> {
    match arith::to_integer(&st.arg(1), arith::F2I::Exact) {
        Some(n) => st.push(Value::Int(n)),
        None => {
            st.check_any(1)?;
            st.push(Value::Nil);
        }
    }
    Ok(1)
}

/// `math.floor(x)`.
fn floor(st: &mut State) -> LResult<usize> {
    if let v @ Value::Int(_) = st.arg(1) {
        st.push(v);
    } else {
        let x = st.check_number(1)?;
        push_num_int(st, x.floor());
    }
    Ok(1)
}

/// `math.ceil(x)`.
fn ceil(st: &mut State) -> LResult<usize> {
    if let v @ Value::Int(_) = st.arg(1) {
        st.push(v);
    } else {
        let x = st.check_number(1)?;
        push_num_int(st, x.ceil());
    }
    Ok(1)
}

/// `math.fmod(a, b)`: the remainder of the division rounding towards
/// zero, in integers when both arguments are integers.
fn fmod(st: &mut State) -> LResult<usize> {
    if let (Value::Int(a), Value::Int(d)) = (st.arg(1), st.arg(2)) {
        if (d as u64).wrapping_add(1) <= 1 {
            if d == 0 {
                return Err(st.arg_error(2, "zero"));
            }
            st.push(Value::Int(0));
        } else {
            st.push(Value::Int(a % d));
        }
    } else {
        // The reference interpreter evaluates its two checks right to
        // left, so a bad second argument is the one reported.
        let b = st.check_number(2)?;
        let a = st.check_number(1)?;
        st.push(Value::Float(a % b));
    }
    Ok(1)
}

/// `math.modf(x)`: the integral part (rounded towards zero) and the
/// fractional part.
fn modf(st: &mut State) -> LResult<usize> {
    if let v @ Value::Int(_) = st.arg(1) {
        st.push(v);
        st.push(Value::Float(0.0));
    } else {
        let n = st.check_number(1)?;
        let ip = if n < 0.0 { n.ceil() } else { n.floor() };
        push_num_int(st, ip);
        st.push(Value::Float(if n == ip { 0.0 } else { n - ip }));
    }
    Ok(2)
}

/// `math.ult(m, n)`: unsigned comparison of two integers.
fn ult(st: &mut State) -> LResult<usize> {
    let a = st.check_integer(1)?;
    let b = st.check_integer(2)?;
    st.push(Value::Bool((a as u64) < (b as u64)));
    Ok(1)
}

/// `math.log(x [, base])`, with exact `log2` and `log10` for those bases.
fn log(st: &mut State) -> LResult<usize> {
    let x = st.check_number(1)?;
    let res = if st.arg(2).is_nil() {
        x.ln()
    } else {
        let base = st.check_number(2)?;
        if base == 2.0 {
            x.log2()
        } else if base == 10.0 {
            x.log10()
        } else {
            x.ln() / base.ln()
        }
    };
    st.push(Value::Float(res));
    Ok(1)
}

/// `math.min(...)`: the smallest argument by `<` (metamethods included).
fn min(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    if n < 1 {
        return Err(st.arg_error(1, "value expected"));
    }
    let mut imin = 1;
    for i in 2..=n {
        if st.less_than(st.arg(i), st.arg(imin))? {
            imin = i;
        }
    }
    st.push(st.arg(imin));
    Ok(1)
}

/// `math.max(...)`: the largest argument by `<` (metamethods included).
fn max(st: &mut State) -> LResult<usize> {
    let n = st.nargs();
    if n < 1 {
        return Err(st.arg_error(1, "value expected"));
    }
    let mut imax = 1;
    for i in 2..=n {
        if st.less_than(st.arg(imax), st.arg(i))? {
            imax = i;
        }
    }
    st.push(st.arg(imax));
    Ok(1)
}

/// `math.type(x)`: "integer", "float", or fail for non-numbers.
fn type_(st: &mut State) -> LResult<usize> {
    match st.arg(1) {
        Value::Int(_) => {
            let s = st.str_value("integer")?;
            st.push(s);
        }
        Value::Float(_) => {
            let s = st.str_value("float")?;
            st.push(s);
        }
        _ => {
            st.check_any(1)?;
            st.push(Value::Nil);
        }
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_matches_puc() {
        // Values printed by PUC Lua 5.4.8 after math.randomseed(42).
        let mut r = RandomState::seeded(42, 0);
        assert_eq!(r.next_u64() as i64, -1276290044721465627);
    }
}
