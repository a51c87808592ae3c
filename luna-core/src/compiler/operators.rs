//! Code generation for operators (the second half of PUC's `lcode.c`):
//! constant folding, unary operators, arithmetic and bitwise operators with
//! their immediate and constant forms, comparisons, `and`/`or`, `not` and
//! concatenation.

use super::codegen::{fits_c, ExpDesc, ExpKind};
use super::parser::{PResult, Parser};
use crate::number::float_to_integer_exact;
use crate::vm::opcodes::*;

/// Binary operators, in PUC's `BinOpr` order (which follows the order of
/// the arithmetic opcodes and of the metamethod events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOpr {
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
    Concat,
    Eq,
    Lt,
    Le,
    Ne,
    Gt,
    Ge,
    And,
    Or,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOpr {
    Minus,
    BNot,
    Not,
    Len,
}

impl BinOpr {
    /// Left and right priorities (PUC's `priority` table).
    pub(crate) fn priority(self) -> (u8, u8) {
        use BinOpr::*;
        match self {
            Add | Sub => (10, 10),
            Mul | Mod => (11, 11),
            Pow => (14, 13), // right associative
            Div | IDiv => (11, 11),
            BAnd => (6, 6),
            BOr => (4, 4),
            BXor => (5, 5),
            Shl | Shr => (7, 7),
            Concat => (9, 8), // right associative
            Eq | Lt | Le | Ne | Gt | Ge => (3, 3),
            And => (2, 2),
            Or => (1, 1),
        }
    }

    /// Whether the operator can be constant-folded (arithmetic/bitwise).
    fn is_foldable(self) -> bool {
        (self as u8) <= BinOpr::Shr as u8
    }

    /// The metamethod event of an arithmetic/bitwise operator.
    fn tm(self) -> TmKind {
        TmKind::from_u32(self as u32 + TmKind::Add as u32).expect("arithmetic operator")
    }

    /// The register-register opcode of an arithmetic/bitwise operator.
    fn op(self) -> OpCode {
        OpCode::from_u8(self as u8 + OpCode::Add as u8).expect("arithmetic operator")
    }

    /// The register-constant opcode of an arithmetic/bitwise operator.
    fn op_k(self) -> OpCode {
        OpCode::from_u8(self as u8 + OpCode::AddK as u8).expect("arithmetic operator")
    }
}

/// Priority of unary operators.
pub(crate) const UNARY_PRIORITY: u8 = 12;

/// A numeric constant operand of a folding.
#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Flt(f64),
}

impl Num {
    fn to_float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Flt(f) => f,
        }
    }

    /// Conversion to integer for bitwise operations (exact floats only).
    fn to_int(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Flt(f) => float_to_integer_exact(f),
        }
    }
}

/// The operations that can be folded, in PUC's `LUA_OP*` order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ArithOp {
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
    fn from_bin(op: BinOpr) -> ArithOp {
        use ArithOp::*;
        match op {
            BinOpr::Add => Add,
            BinOpr::Sub => Sub,
            BinOpr::Mul => Mul,
            BinOpr::Mod => Mod,
            BinOpr::Pow => Pow,
            BinOpr::Div => Div,
            BinOpr::IDiv => IDiv,
            BinOpr::BAnd => BAnd,
            BinOpr::BOr => BOr,
            BinOpr::BXor => BXor,
            BinOpr::Shl => Shl,
            BinOpr::Shr => Shr,
            _ => unreachable!("not a foldable operator"),
        }
    }
}

fn tonumeral(e: &ExpDesc) -> Option<Num> {
    if e.has_jumps() {
        return None;
    }
    match e.k {
        ExpKind::KInt(i) => Some(Num::Int(i)),
        ExpKind::KFlt(f) => Some(Num::Flt(f)),
        _ => None,
    }
}

/// Integer shift left (negative counts shift right), as `luaV_shiftl`.
fn shift_left(x: i64, y: i64) -> i64 {
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

fn int_arith(op: ArithOp, a: i64, b: i64) -> i64 {
    use ArithOp::*;
    match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        Mod => {
            if b == -1 {
                0
            } else {
                let r = a % b;
                if r != 0 && (r ^ b) < 0 {
                    r + b
                } else {
                    r
                }
            }
        }
        IDiv => {
            if b == -1 {
                0i64.wrapping_sub(a)
            } else {
                let q = a / b;
                if (a ^ b) < 0 && a % b != 0 {
                    q - 1
                } else {
                    q
                }
            }
        }
        BAnd => a & b,
        BOr => a | b,
        BXor => a ^ b,
        Shl => shift_left(a, b),
        Shr => shift_left(a, 0i64.wrapping_sub(b)),
        Unm => 0i64.wrapping_sub(a),
        BNot => !a,
        Pow | Div => unreachable!("float-only operation"),
    }
}

fn float_arith(op: ArithOp, a: f64, b: f64) -> f64 {
    use ArithOp::*;
    match op {
        Add => a + b,
        Sub => a - b,
        Mul => a * b,
        Div => a / b,
        Pow => {
            if b == 2.0 {
                a * a
            } else {
                a.powf(b)
            }
        }
        IDiv => (a / b).floor(),
        Unm => -a,
        Mod => {
            let m = a % b;
            if if m > 0.0 { b < 0.0 } else { m < 0.0 && b > 0.0 } {
                m + b
            } else {
                m
            }
        }
        _ => unreachable!("integer-only operation"),
    }
}

/// Whether folding `op` over the operands cannot raise an error.
fn valid_op(op: ArithOp, v1: Num, v2: Num) -> bool {
    use ArithOp::*;
    match op {
        BAnd | BOr | BXor | Shl | Shr | BNot => v1.to_int().is_some() && v2.to_int().is_some(),
        Div | IDiv | Mod => v2.to_float() != 0.0,
        _ => true,
    }
}

/// The result of a raw arithmetic operation (PUC's `luaO_rawarith`).
fn raw_arith(op: ArithOp, v1: Num, v2: Num) -> Num {
    use ArithOp::*;
    match op {
        BAnd | BOr | BXor | Shl | Shr | BNot => {
            let (a, b) = (v1.to_int().unwrap_or(0), v2.to_int().unwrap_or(0));
            Num::Int(int_arith(op, a, b))
        }
        Div | Pow => Num::Flt(float_arith(op, v1.to_float(), v2.to_float())),
        _ => match (v1, v2) {
            (Num::Int(a), Num::Int(b)) => Num::Int(int_arith(op, a, b)),
            _ => Num::Flt(float_arith(op, v1.to_float(), v2.to_float())),
        },
    }
}

/// Tries to fold an operation over two numeric constants; on success `e1`
/// holds the result.
fn const_folding(op: ArithOp, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
    let (Some(v1), Some(v2)) = (tonumeral(e1), tonumeral(e2)) else {
        return false;
    };
    if !valid_op(op, v1, v2) {
        return false;
    }
    match raw_arith(op, v1, v2) {
        Num::Int(i) => e1.k = ExpKind::KInt(i),
        Num::Flt(n) => {
            // folds neither NaN nor 0.0 (to avoid problems with -0.0)
            if n.is_nan() || n == 0.0 {
                return false;
            }
            e1.k = ExpKind::KFlt(n);
        }
    }
    true
}

fn is_kint(e: &ExpDesc) -> bool {
    matches!(e.k, ExpKind::KInt(_)) && !e.has_jumps()
}

fn is_scint(e: &ExpDesc) -> bool {
    matches!(e.k, ExpKind::KInt(i) if fits_c(i)) && !e.has_jumps()
}

/// Whether `e` is a number (integer or integral float) fitting an sB/sC
/// operand; gives its encoded value. Sets `isfloat` for a float, even
/// when it does not fit (as PUC does).
fn is_scnumber(e: &ExpDesc, isfloat: &mut bool) -> Option<u32> {
    let i = match e.k {
        ExpKind::KInt(i) => i,
        ExpKind::KFlt(f) => match float_to_integer_exact(f) {
            Some(i) => {
                *isfloat = true;
                i
            }
            None => return None,
        },
        _ => return None,
    };
    if !e.has_jumps() && fits_c(i) {
        Some(int_to_sc(i as i32))
    } else {
        None
    }
}

impl<'a> Parser<'a> {
    /// Code `not e`, folding constants.
    fn code_not(&mut self, e: &mut ExpDesc) -> PResult<()> {
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K(_) | ExpKind::KFlt(_) | ExpKind::KInt(_) | ExpKind::KStr(_) | ExpKind::True => {
                e.k = ExpKind::False
            }
            ExpKind::Jmp(_) => self.negate_condition(e),
            ExpKind::Reloc(_) | ExpKind::NonReloc(_) => {
                self.discharge2anyreg(e)?;
                self.free_exp(e);
                let r = e.info() as u32;
                e.k = ExpKind::Reloc(self.code_abc(OpCode::Not, 0, r, 0));
            }
            _ => unreachable!("'not' of a variable"),
        }
        std::mem::swap(&mut e.f, &mut e.t);
        self.remove_values(e.f);
        self.remove_values(e.t);
        Ok(())
    }

    /// Emits a unary operator producing a value in a register.
    fn code_unexpval(&mut self, op: OpCode, e: &mut ExpDesc, line: u32) -> PResult<()> {
        let r = self.exp2anyreg(e)?;
        self.free_exp(e);
        e.k = ExpKind::Reloc(self.code_abc(op, 0, r, 0));
        self.fix_line(line);
        Ok(())
    }

    /// Applies the prefix operator `op` to `e`.
    pub(crate) fn prefix(&mut self, op: UnOpr, e: &mut ExpDesc, line: u32) -> PResult<()> {
        let ef = ExpDesc::new(ExpKind::KInt(0));
        self.discharge_vars(e);
        match op {
            UnOpr::Minus => {
                if !const_folding(ArithOp::Unm, e, &ef) {
                    self.code_unexpval(OpCode::Unm, e, line)?;
                }
            }
            UnOpr::BNot => {
                if !const_folding(ArithOp::BNot, e, &ef) {
                    self.code_unexpval(OpCode::BNot, e, line)?;
                }
            }
            UnOpr::Len => self.code_unexpval(OpCode::Len, e, line)?,
            UnOpr::Not => self.code_not(e)?,
        }
        Ok(())
    }

    /// Processes the first operand of a binary operator before reading the
    /// second one.
    pub(crate) fn infix(&mut self, op: BinOpr, v: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(v);
        match op {
            BinOpr::And => self.go_if_true(v)?,
            BinOpr::Or => self.go_if_false(v)?,
            BinOpr::Concat => self.exp2nextreg(v)?,
            BinOpr::Eq | BinOpr::Ne => {
                if tonumeral(v).is_none() {
                    self.exp2rk(v)?;
                }
            }
            BinOpr::Lt | BinOpr::Le | BinOpr::Gt | BinOpr::Ge => {
                if is_scnumber(v, &mut false).is_none() {
                    self.exp2anyreg(v)?;
                }
            }
            _ => {
                // arithmetic and bitwise: keep numerals, which may be folded
                // or used as immediate operands
                if tonumeral(v).is_none() {
                    self.exp2anyreg(v)?;
                }
            }
        }
        Ok(())
    }

    /// Emits a binary operation producing a value, followed by its
    /// metamethod fallback instruction.
    #[allow(clippy::too_many_arguments)]
    fn finish_binexpval(
        &mut self,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        op: OpCode,
        v2: u32,
        flip: bool,
        line: u32,
        mmop: OpCode,
        event: TmKind,
    ) -> PResult<()> {
        let v1 = self.exp2anyreg(e1)?;
        let pc = self.code_abck(op, 0, v1, v2, false);
        self.free_exps(e1, e2);
        e1.k = ExpKind::Reloc(pc);
        self.fix_line(line);
        self.code_abck(mmop, v1, v2, event as u32, flip);
        self.fix_line(line);
        Ok(())
    }

    /// Binary operation over two registers.
    fn code_binexpval(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, line: u32) -> PResult<()> {
        let v2 = self.exp2anyreg(e2)?;
        self.finish_binexpval(e1, e2, opr.op(), v2, false, line, OpCode::MmBin, opr.tm())
    }

    /// Binary operation with an immediate second operand.
    #[allow(clippy::too_many_arguments)]
    fn code_bini(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        flip: bool,
        line: u32,
        event: TmKind,
    ) -> PResult<()> {
        let ExpKind::KInt(i) = e2.k else { unreachable!("immediate operand") };
        let v2 = int_to_sc(i as i32);
        self.finish_binexpval(e1, e2, op, v2, flip, line, OpCode::MmBinI, event)
    }

    /// Binary operation with a constant (K) second operand.
    fn code_bink(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &ExpDesc, flip: bool, line: u32) -> PResult<()> {
        let v2 = e2.info() as u32;
        self.finish_binexpval(e1, e2, opr.op_k(), v2, flip, line, OpCode::MmBinK, opr.tm())
    }

    /// Tries to code `e1 op e2` as `e1 op' -e2` with an immediate operand.
    fn finish_binexpneg(
        &mut self,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        op: OpCode,
        line: u32,
        event: TmKind,
    ) -> PResult<bool> {
        if !is_kint(e2) {
            return Ok(false);
        }
        let ExpKind::KInt(i2) = e2.k else { unreachable!() };
        if !(fits_c(i2) && fits_c(i2.wrapping_neg())) {
            return Ok(false);
        }
        let v2 = i2 as i32;
        self.finish_binexpval(e1, e2, op, int_to_sc(-v2), false, line, OpCode::MmBinI, event)?;
        // the metamethod must see the original operand
        let last = self.fs.code.len() - 1;
        self.fs.code[last] = set_b(self.fs.code[last], int_to_sc(v2));
        Ok(true)
    }

    fn code_bin_nok(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, flip: bool, line: u32) -> PResult<()> {
        if flip {
            std::mem::swap(e1, e2); // back to original order
        }
        self.code_binexpval(opr, e1, e2, line)
    }

    /// Arithmetic operators, with a K form when the second operand is a
    /// numeric constant.
    fn code_arith(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, flip: bool, line: u32) -> PResult<()> {
        if tonumeral(e2).is_some() && self.exp2k(e2)? {
            self.code_bink(opr, e1, e2, flip, line)
        } else {
            self.code_bin_nok(opr, e1, e2, flip, line)
        }
    }

    /// Commutative operators (`+`, `*`): a numeric constant first operand
    /// is swapped to the second place.
    fn code_commutative(&mut self, op: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, line: u32) -> PResult<()> {
        let mut flip = false;
        if tonumeral(e1).is_some() {
            std::mem::swap(e1, e2);
            flip = true;
        }
        if op == BinOpr::Add && is_scint(e2) {
            self.code_bini(OpCode::AddI, e1, e2, flip, line, TmKind::Add)
        } else {
            self.code_arith(op, e1, e2, flip, line)
        }
    }

    /// Bitwise operators: an integer constant operand goes second.
    fn code_bitwise(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, line: u32) -> PResult<()> {
        let mut flip = false;
        if matches!(e1.k, ExpKind::KInt(_)) {
            std::mem::swap(e1, e2);
            flip = true;
        }
        if matches!(e2.k, ExpKind::KInt(_)) && self.exp2k(e2)? {
            self.code_bink(opr, e1, e2, flip, line)
        } else {
            self.code_bin_nok(opr, e1, e2, flip, line)
        }
    }

    /// Order comparisons (`<`, `<=`; `>`/`>=` arrive swapped).
    fn code_order(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> PResult<()> {
        let mut isfloat = false;
        let (r1, r2, op);
        if let Some(im) = is_scnumber(e2, &mut isfloat) {
            r1 = self.exp2anyreg(e1)?;
            r2 = im;
            op = if opr == BinOpr::Lt { OpCode::LtI } else { OpCode::LeI };
        } else if let Some(im) = is_scnumber(e1, &mut isfloat) {
            // (A < B) becomes (B > A), (A <= B) becomes (B >= A)
            r1 = self.exp2anyreg(e2)?;
            r2 = im;
            op = if opr == BinOpr::Lt { OpCode::GtI } else { OpCode::GeI };
        } else {
            r1 = self.exp2anyreg(e1)?;
            r2 = self.exp2anyreg(e2)?;
            op = if opr == BinOpr::Lt { OpCode::Lt } else { OpCode::Le };
        }
        self.free_exps(e1, e2);
        e1.k = ExpKind::Jmp(self.cond_jump(op, r1, r2, isfloat as u32, true));
        Ok(())
    }

    /// Equality comparisons; `e1` was already made a register or RK by
    /// `infix`.
    fn code_eq(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> PResult<()> {
        let mut isfloat = false;
        if !matches!(e1.k, ExpKind::NonReloc(_)) {
            debug_assert!(matches!(e1.k, ExpKind::K(_) | ExpKind::KInt(_) | ExpKind::KFlt(_)));
            std::mem::swap(e1, e2);
        }
        let r1 = self.exp2anyreg(e1)?;
        let (op, r2);
        if let Some(im) = is_scnumber(e2, &mut isfloat) {
            op = OpCode::EqI;
            r2 = im;
        } else if self.exp2rk(e2)? {
            op = OpCode::EqK;
            r2 = e2.info() as u32;
        } else {
            op = OpCode::Eq;
            r2 = self.exp2anyreg(e2)?;
        }
        self.free_exps(e1, e2);
        e1.k = ExpKind::Jmp(self.cond_jump(op, r1, r2, isfloat as u32, opr == BinOpr::Eq));
        Ok(())
    }

    /// `e1 .. e2`, merging with a concatenation in `e2`.
    fn code_concat(&mut self, e1: &ExpDesc, e2: &ExpDesc, line: u32) {
        let prev = self.previous_instruction();
        let e1reg = e1.info() as u32;
        if let Some(pi) = prev.filter(|&pi| get_op(self.fs.code[pi]) == OpCode::Concat) {
            let ie2 = self.fs.code[pi];
            let n = arg_b(ie2); // number of elements concatenated in 'e2'
            debug_assert_eq!(e1reg + 1, arg_a(ie2));
            self.free_exp(e2);
            self.fs.code[pi] = set_b(set_a(ie2, e1reg), n + 1);
        } else {
            self.code_abc(OpCode::Concat, e1reg, 2, 0);
            self.free_exp(e2);
            self.fix_line(line);
        }
    }

    /// Finishes a binary operation after reading its second operand.
    pub(crate) fn posfix(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, line: u32) -> PResult<()> {
        self.discharge_vars(e2);
        if opr.is_foldable() && const_folding(ArithOp::from_bin(opr), e1, e2) {
            return Ok(());
        }
        match opr {
            BinOpr::And => {
                debug_assert!(e1.t == super::codegen::NO_JUMP);
                self.concat(&mut e2.f, e1.f)?;
                *e1 = *e2;
            }
            BinOpr::Or => {
                debug_assert!(e1.f == super::codegen::NO_JUMP);
                self.concat(&mut e2.t, e1.t)?;
                *e1 = *e2;
            }
            BinOpr::Concat => {
                self.exp2nextreg(e2)?;
                self.code_concat(e1, e2, line);
            }
            BinOpr::Add | BinOpr::Mul => self.code_commutative(opr, e1, e2, line)?,
            BinOpr::Sub => {
                if !self.finish_binexpneg(e1, e2, OpCode::AddI, line, TmKind::Sub)? {
                    self.code_arith(opr, e1, e2, false, line)?;
                }
            }
            BinOpr::Div | BinOpr::IDiv | BinOpr::Mod | BinOpr::Pow => self.code_arith(opr, e1, e2, false, line)?,
            BinOpr::BAnd | BinOpr::BOr | BinOpr::BXor => self.code_bitwise(opr, e1, e2, line)?,
            BinOpr::Shl => {
                if is_scint(e1) {
                    std::mem::swap(e1, e2);
                    self.code_bini(OpCode::ShlI, e1, e2, true, line, TmKind::Shl)?;
                // I << r2
                } else if !self.finish_binexpneg(e1, e2, OpCode::ShrI, line, TmKind::Shl)? {
                    self.code_binexpval(opr, e1, e2, line)?;
                }
            }
            BinOpr::Shr => {
                if is_scint(e2) {
                    self.code_bini(OpCode::ShrI, e1, e2, false, line, TmKind::Shr)?;
                // r1 >> I
                } else {
                    self.code_binexpval(opr, e1, e2, line)?;
                }
            }
            BinOpr::Eq | BinOpr::Ne => self.code_eq(opr, e1, e2)?,
            BinOpr::Gt | BinOpr::Ge => {
                // (a > b) is (b < a); (a >= b) is (b <= a)
                std::mem::swap(e1, e2);
                let opr = if opr == BinOpr::Gt { BinOpr::Lt } else { BinOpr::Le };
                self.code_order(opr, e1, e2)?;
            }
            BinOpr::Lt | BinOpr::Le => self.code_order(opr, e1, e2)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(op: ArithOp, a: Num, b: Num) -> Option<ExpKind> {
        let mut e1 = ExpDesc::new(match a {
            Num::Int(i) => ExpKind::KInt(i),
            Num::Flt(f) => ExpKind::KFlt(f),
        });
        let e2 = ExpDesc::new(match b {
            Num::Int(i) => ExpKind::KInt(i),
            Num::Flt(f) => ExpKind::KFlt(f),
        });
        const_folding(op, &mut e1, &e2).then_some(e1.k)
    }

    #[test]
    fn folding() {
        use ArithOp::*;
        use Num::{Flt as F, Int as I};
        assert_eq!(fold(Add, I(1), I(2)), Some(ExpKind::KInt(3)));
        assert_eq!(fold(Add, I(i64::MAX), I(1)), Some(ExpKind::KInt(i64::MIN)));
        assert_eq!(fold(Div, I(1), I(2)), Some(ExpKind::KFlt(0.5)));
        assert_eq!(fold(Div, I(1), I(0)), None);
        assert_eq!(fold(Mod, I(1), F(0.0)), None);
        assert_eq!(fold(IDiv, I(7), I(-2)), Some(ExpKind::KInt(-4)));
        assert_eq!(fold(IDiv, I(i64::MIN), I(-1)), Some(ExpKind::KInt(i64::MIN)));
        assert_eq!(fold(Mod, I(i64::MIN), I(-1)), Some(ExpKind::KInt(0)));
        assert_eq!(fold(Mod, I(-7), I(3)), Some(ExpKind::KInt(2)));
        assert_eq!(fold(Mod, F(-7.5), F(2.0)), Some(ExpKind::KFlt(0.5)));
        assert_eq!(fold(Mod, F(5.5), F(-2.0)), Some(ExpKind::KFlt(-0.5)));
        assert_eq!(fold(Mod, I(-4), F(-5.0)), Some(ExpKind::KFlt(-4.0)));
        assert_eq!(fold(Pow, I(2), I(10)), Some(ExpKind::KFlt(1024.0)));
        assert_eq!(fold(Sub, F(1.0), F(1.0)), None); // zero is not folded
        assert_eq!(fold(Unm, I(0), I(0)), Some(ExpKind::KInt(0)));
        assert_eq!(fold(Unm, F(0.0), I(0)), None);
        assert_eq!(fold(BAnd, F(3.0), I(1)), Some(ExpKind::KInt(1)));
        assert_eq!(fold(BAnd, F(3.5), I(1)), None);
        assert_eq!(fold(Shl, I(1), I(64)), Some(ExpKind::KInt(0)));
        assert_eq!(fold(Shl, I(1), I(63)), Some(ExpKind::KInt(i64::MIN)));
        assert_eq!(fold(Shr, I(-1), I(60)), Some(ExpKind::KInt(15)));
        assert_eq!(fold(Shr, I(1), I(-2)), Some(ExpKind::KInt(4)));
        assert_eq!(fold(BNot, I(0), I(0)), Some(ExpKind::KInt(-1)));
        assert_eq!(fold(Div, F(f64::INFINITY), F(f64::INFINITY)), None); // NaN
        assert_eq!(fold(IDiv, F(7.0), F(2.0)), Some(ExpKind::KFlt(3.0)));
    }
}
