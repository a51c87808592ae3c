//! Number semantics of Lua 5.4: integer/float conversions, the arithmetic
//! and bitwise operators, and the exact comparisons between integers and
//! floats (PUC's lvm.c and lobject.c number parts).
//!
//! Integer arithmetic wraps around. Floor division and modulo round
//! towards minus infinity; the integer forms raise an error on a zero
//! divisor, the float forms follow IEEE. A float converts to an integer
//! only when it has an exact integer value (or, where the operation asks,
//! after flooring or ceiling), and only within the 64-bit range.

use crate::number::{str_to_number, Numeral};
use crate::value::Value;

/// How a float is converted to an integer (PUC's `F2Imod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F2I {
    /// Only exact integral values.
    Exact,
    /// Take the floor.
    Floor,
    /// Take the ceiling.
    Ceil,
}

/// `2^63` as a float: the first float above the integer range.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// Converts a float with an exact integer value in range.
#[inline]
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    if (-TWO_63..TWO_63).contains(&f) {
        let i = f as i64;
        if i as f64 == f {
            return Some(i);
        }
    }
    None
}

/// Converts a float to an integer with the given rounding, if in range.
#[inline]
pub fn float_to_int(f: f64, mode: F2I) -> Option<i64> {
    let g = match mode {
        F2I::Exact => return float_to_int_exact(f),
        F2I::Floor => f.floor(),
        F2I::Ceil => f.ceil(),
    };
    if (-TWO_63..TWO_63).contains(&g) {
        Some(g as i64)
    } else {
        None
    }
}

/// Whether integer `i` and float `f` are equal mathematically.
#[inline]
pub fn int_eq_float(i: i64, f: f64) -> bool {
    float_to_int_exact(f) == Some(i)
}

/// A value as an integer without string coercion (PUC's
/// `luaV_tointegerns`).
#[inline]
pub fn to_integer_ns(v: &Value, mode: F2I) -> Option<i64> {
    match *v {
        Value::Int(i) => Some(i),
        Value::Float(f) => float_to_int(f, mode),
        _ => None,
    }
}

/// A value as a float without string coercion.
#[inline]
pub fn to_number_ns(v: &Value) -> Option<f64> {
    match *v {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// The number a string converts to, if it is a numeral.
#[inline]
pub fn str_to_num(s: &[u8]) -> Option<Value> {
    match str_to_number(s)? {
        Numeral::Int(i) => Some(Value::Int(i)),
        Numeral::Float(f) => Some(Value::Float(f)),
    }
}

/// A value as a number, converting strings (PUC's `luaV_tonumber_`).
#[inline]
pub fn to_number(v: &Value) -> Option<f64> {
    match *v {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        Value::Str(s) => str_to_num(s.as_bytes()).and_then(|n| to_number_ns(&n)),
        _ => None,
    }
}

/// A value as an integer, converting strings (PUC's `luaV_tointeger`).
#[inline]
pub fn to_integer(v: &Value, mode: F2I) -> Option<i64> {
    match *v {
        Value::Str(s) => str_to_num(s.as_bytes()).and_then(|n| to_integer_ns(&n, mode)),
        _ => to_integer_ns(v, mode),
    }
}

/// A value converted to a number value (int or float), with strings
/// converted (used by the string coercion metamethods and `tonumber`).
#[inline]
pub fn to_numeric(v: &Value) -> Option<Value> {
    match *v {
        Value::Int(_) | Value::Float(_) => Some(*v),
        Value::Str(s) => str_to_num(s.as_bytes()),
        _ => None,
    }
}

/// Integer floor division; `None` for a zero divisor.
#[inline]
pub fn idiv(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        // Avoids the overflow of MIN / -1.
        return Some(a.wrapping_neg());
    }
    let q = a / b;
    if (a ^ b) < 0 && a % b != 0 {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Integer modulo with the sign of the divisor; `None` for zero.
#[inline]
pub fn imod(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(0);
    }
    let m = a % b;
    if m != 0 && (m ^ b) < 0 {
        Some(m + b)
    } else {
        Some(m)
    }
}

/// Float modulo with the sign of the divisor (PUC's `luai_nummod`).
#[inline]
pub fn fmod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if if m > 0.0 { b < 0.0 } else { m < 0.0 && b > 0.0 } {
        m + b
    } else {
        m
    }
}

/// Float floor division.
#[inline]
pub fn fidiv(a: f64, b: f64) -> f64 {
    (a / b).floor()
}

/// Exponentiation (C's `pow`; squaring fast path as PUC's `luai_numpow`).
#[inline]
pub fn fpow(a: f64, b: f64) -> f64 {
    if b == 2.0 {
        a * a
    } else {
        a.powf(b)
    }
}

/// Left shift; a negative count shifts right. Logical shifts; counts of
/// 64 or more give 0.
#[inline]
pub fn shift_left(x: i64, y: i64) -> i64 {
    if y < 0 {
        if y <= -64 {
            0
        } else {
            ((x as u64) >> (-y) as u32) as i64
        }
    } else if y >= 64 {
        0
    } else {
        ((x as u64) << y as u32) as i64
    }
}

/// Right shift (`x >> y` = `x << -y`).
#[inline]
pub fn shift_right(x: i64, y: i64) -> i64 {
    shift_left(x, y.wrapping_neg())
}

/// `i < f` exactly (PUC's `LTintfloat`).
#[inline]
pub fn lt_int_float(i: i64, f: f64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        (i as f64) < f
    } else {
        // f <= i  iff  floor(f) <= i ; so i < f iff !(f <= i)
        match float_to_int(f, F2I::Ceil) {
            Some(fi) => i < fi,
            None => f > 0.0,
        }
    }
}

/// `i <= f` exactly (PUC's `LEintfloat`).
#[inline]
pub fn le_int_float(i: i64, f: f64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        (i as f64) <= f
    } else {
        match float_to_int(f, F2I::Floor) {
            Some(fi) => i <= fi,
            None => f > 0.0,
        }
    }
}

/// `f < i` exactly (PUC's `LTfloatint`).
#[inline]
pub fn lt_float_int(f: f64, i: i64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        f < (i as f64)
    } else {
        match float_to_int(f, F2I::Floor) {
            Some(fi) => fi < i,
            None => f < 0.0,
        }
    }
}

/// `f <= i` exactly (PUC's `LEfloatint`).
#[inline]
pub fn le_float_int(f: f64, i: i64) -> bool {
    if (-(1i64 << 53)..=(1i64 << 53)).contains(&i) {
        f <= (i as f64)
    } else {
        match float_to_int(f, F2I::Ceil) {
            Some(fi) => fi <= i,
            None => f < 0.0,
        }
    }
}

/// `a < b` for two numbers.
#[inline]
pub fn num_lt(a: &Value, b: &Value) -> bool {
    match (*a, *b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Int(x), Value::Float(y)) => lt_int_float(x, y),
        (Value::Float(x), Value::Int(y)) => lt_float_int(x, y),
        _ => false,
    }
}

/// `a <= b` for two numbers.
#[inline]
pub fn num_le(a: &Value, b: &Value) -> bool {
    match (*a, *b) {
        (Value::Int(x), Value::Int(y)) => x <= y,
        (Value::Float(x), Value::Float(y)) => x <= y,
        (Value::Int(x), Value::Float(y)) => le_int_float(x, y),
        (Value::Float(x), Value::Int(y)) => le_float_int(x, y),
        _ => false,
    }
}

/// The arithmetic and bitwise operators, in `TmKind` order from `Add`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
}

impl ArithOp {
    /// Whether the operator works on integers only.
    pub fn is_bitwise(self) -> bool {
        matches!(self, ArithOp::BAnd | ArithOp::BOr | ArithOp::BXor | ArithOp::Shl | ArithOp::Shr | ArithOp::BNot)
    }

    /// The operator of a metamethod event, if it is an arithmetic one.
    pub fn from_tm(tm: crate::vm::opcodes::TmKind) -> Option<ArithOp> {
        use crate::vm::opcodes::TmKind as T;
        Some(match tm {
            T::Add => ArithOp::Add,
            T::Sub => ArithOp::Sub,
            T::Mul => ArithOp::Mul,
            T::Mod => ArithOp::Mod,
            T::Pow => ArithOp::Pow,
            T::Div => ArithOp::Div,
            T::IDiv => ArithOp::IDiv,
            T::BAnd => ArithOp::BAnd,
            T::BOr => ArithOp::BOr,
            T::BXor => ArithOp::BXor,
            T::Shl => ArithOp::Shl,
            T::Shr => ArithOp::Shr,
            T::Unm => ArithOp::Unm,
            T::BNot => ArithOp::BNot,
            _ => return None,
        })
    }
}

/// Why a raw arithmetic operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithError {
    /// An operand is not a number.
    NotNumber,
    /// A bitwise operand has no integer representation.
    NoInteger,
    /// Integer division by zero.
    DivByZero,
    /// Integer modulo by zero.
    ModByZero,
}

/// Raw arithmetic on numbers (no strings, no metamethods), as PUC's
/// `luaO_rawarith`.
pub fn arith_raw(op: ArithOp, a: &Value, b: &Value) -> Result<Value, ArithError> {
    use ArithOp::*;
    if op.is_bitwise() {
        let x = match to_integer_ns(a, F2I::Exact) {
            Some(x) => x,
            None => {
                return Err(if a.is_number() && b.is_number() { ArithError::NoInteger } else { ArithError::NotNumber })
            }
        };
        let y = match to_integer_ns(b, F2I::Exact) {
            Some(y) => y,
            None => {
                return Err(if b.is_number() && a.is_number() { ArithError::NoInteger } else { ArithError::NotNumber })
            }
        };
        return Ok(Value::Int(match op {
            BAnd => x & y,
            BOr => x | y,
            BXor => x ^ y,
            Shl => shift_left(x, y),
            Shr => shift_right(x, y),
            BNot => !x,
            _ => unreachable_op(),
        }));
    }
    if let (Value::Int(x), Value::Int(y)) = (*a, *b) {
        match op {
            Add => return Ok(Value::Int(x.wrapping_add(y))),
            Sub => return Ok(Value::Int(x.wrapping_sub(y))),
            Mul => return Ok(Value::Int(x.wrapping_mul(y))),
            Mod => return imod(x, y).map(Value::Int).ok_or(ArithError::ModByZero),
            IDiv => return idiv(x, y).map(Value::Int).ok_or(ArithError::DivByZero),
            Unm => return Ok(Value::Int(x.wrapping_neg())),
            _ => {}
        }
    }
    let (x, y) = match (to_number_ns(a), to_number_ns(b)) {
        (Some(x), Some(y)) => (x, y),
        _ => return Err(ArithError::NotNumber),
    };
    Ok(Value::Float(match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Mod => fmod(x, y),
        Pow => fpow(x, y),
        Div => x / y,
        IDiv => fidiv(x, y),
        Unm => -x,
        _ => unreachable_op(),
    }))
}

#[cold]
fn unreachable_op() -> ! {
    // The bitwise and arithmetic branches above cover every operator.
    unreachable!("operator handled by the other branch")
}
