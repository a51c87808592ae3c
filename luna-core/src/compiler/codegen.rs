//! The code generator proper (PUC's `lcode.c`): instruction emission, the
//! register stack, the constant table, jump lists, and the discharge of
//! expression descriptors into registers. The operators (constant folding,
//! arithmetic, comparisons) are in `operators.rs`.

use super::lexer::StrId;
use super::parser::{KValue, PResult, Parser};
use crate::number::float_to_integer_exact;
use crate::vm::opcodes::*;

/// The end of a jump list (and "no jump").
pub(crate) const NO_JUMP: i32 = -1;

/// Maximum number of registers in a function (must fit in 8 bits).
const MAXREGS: u32 = 255;

/// `LUA_MULTRET`: an open number of results.
pub(crate) const MULTRET: i32 = -1;

/// Maximum length of a short string (PUC's `LUAI_MAXSHORTLEN`): only short
/// strings can be constant keys in `GETFIELD` and friends.
const MAX_SHORT_LEN: usize = 40;

/// The kinds of expression descriptors (PUC's `expkind`), with their data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ExpKind {
    /// An empty expression list (no expression).
    Void,
    Nil,
    True,
    False,
    /// A constant in the constant table (its index).
    K(u32),
    KFlt(f64),
    KInt(i64),
    /// A string literal.
    KStr(StrId),
    /// A value in a fixed register.
    NonReloc(u32),
    /// A local variable: its register and compiler index.
    Local {
        ridx: u32,
        vidx: u32,
    },
    /// An upvalue (its index).
    Upval(u32),
    /// A compile-time constant (absolute index in the active variables).
    Const(u32),
    /// `R[t][R[idx]]`
    Indexed {
        t: u32,
        idx: u32,
    },
    /// `U[t][K[idx]]` (a short string key)
    IndexUp {
        t: u32,
        idx: u32,
    },
    /// `R[t][idx]` (an integer key in range)
    IndexI {
        t: u32,
        idx: u32,
    },
    /// `R[t][K[idx]]` (a short string key)
    IndexStr {
        t: u32,
        idx: u32,
    },
    /// A test or comparison; the pc of its jump.
    Jmp(i32),
    /// A value that can go to any register; the pc of its instruction.
    Reloc(i32),
    /// A call; the pc of its instruction.
    Call(i32),
    /// A vararg expression; the pc of its instruction.
    Vararg(i32),
}

/// An expression descriptor: what is known about an expression being
/// compiled, plus its "exit when true" and "exit when false" jump lists.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExpDesc {
    pub(crate) k: ExpKind,
    pub(crate) t: i32,
    pub(crate) f: i32,
}

impl ExpDesc {
    pub(crate) fn new(k: ExpKind) -> ExpDesc {
        ExpDesc { k, t: NO_JUMP, f: NO_JUMP }
    }

    pub(crate) fn has_jumps(&self) -> bool {
        self.t != self.f
    }

    /// The `info` field: the register of a `NonReloc`, the pc of the
    /// instruction of the pc-carrying kinds.
    pub(crate) fn info(&self) -> i32 {
        match self.k {
            ExpKind::NonReloc(r) => r as i32,
            ExpKind::K(k) => k as i32,
            ExpKind::Jmp(pc) | ExpKind::Reloc(pc) | ExpKind::Call(pc) | ExpKind::Vararg(pc) => pc,
            _ => unreachable!("expression kind without info: {:?}", self.k),
        }
    }

    pub(crate) fn is_multret(&self) -> bool {
        matches!(self.k, ExpKind::Call(_) | ExpKind::Vararg(_))
    }

    pub(crate) fn is_var(&self) -> bool {
        matches!(
            self.k,
            ExpKind::Local { .. }
                | ExpKind::Upval(_)
                | ExpKind::Const(_)
                | ExpKind::Indexed { .. }
                | ExpKind::IndexUp { .. }
                | ExpKind::IndexI { .. }
                | ExpKind::IndexStr { .. }
        )
    }

    pub(crate) fn is_indexed(&self) -> bool {
        matches!(
            self.k,
            ExpKind::Indexed { .. } | ExpKind::IndexUp { .. } | ExpKind::IndexI { .. } | ExpKind::IndexStr { .. }
        )
    }
}

/// Key of the constant cache shared by all functions of a chunk (PUC uses
/// the scanner's table): values as Lua table keys, so float keys with
/// integral values collapse with integer keys.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum KKey {
    Nil,
    Bool(bool),
    Int(i64),
    Flt(u64),
    Str(StrId),
}

impl KKey {
    fn from_float(f: f64) -> KKey {
        match float_to_integer_exact(f) {
            Some(i) => KKey::Int(i),
            None => KKey::Flt(f.to_bits()),
        }
    }
}

/// Whether `i` fits an `sC` operand.
pub(crate) fn fits_c(i: i64) -> bool {
    fits_sc(i)
}

fn fits_bx(i: i64) -> bool {
    fits_sbx(i)
}

/// Largest difference between the lines of consecutive instructions a
/// binary chunk records as relative (PUC's `LIMLINEDIFF`).
const LIMIT_LINE_DIFF: i64 = 0x80;

/// Most relative line entries in a row before an absolute one (PUC's
/// `MAXIWTHABS`).
const MAX_WITHOUT_ABS: u32 = 128;

impl<'a> Parser<'a> {
    // ------------------------------------------------------------------
    // Emission

    /// Emits an instruction with the line of the last token read.
    pub(crate) fn code(&mut self, i: Instruction) -> i32 {
        let fs = &mut self.fs;
        fs.code.push(i);
        fs.lines.push(self.lex.lastline);
        self.save_line_info();
        (self.fs.code.len() - 1) as i32
    }

    pub(crate) fn pc(&self) -> i32 {
        self.fs.code.len() as i32
    }

    pub(crate) fn code_abck(&mut self, o: OpCode, a: u32, b: u32, c: u32, k: bool) -> i32 {
        debug_assert!(o.mode() == OpMode::IABC);
        debug_assert!(a <= MAXARG_A && b <= MAXARG_B && c <= MAXARG_C);
        self.code(create_abck(o, a, b, c, k))
    }

    pub(crate) fn code_abc(&mut self, o: OpCode, a: u32, b: u32, c: u32) -> i32 {
        self.code_abck(o, a, b, c, false)
    }

    pub(crate) fn code_abx(&mut self, o: OpCode, a: u32, bx: u32) -> i32 {
        debug_assert!(matches!(o.mode(), OpMode::IABx));
        debug_assert!(a <= MAXARG_A && bx <= MAXARG_BX);
        self.code(create_abx(o, a, bx))
    }

    fn code_asbx(&mut self, o: OpCode, a: u32, sbx: i32) -> i32 {
        debug_assert!(o.mode() == OpMode::IAsBx);
        self.code(create_asbx(o, a, sbx))
    }

    fn code_sj(&mut self, o: OpCode, sj: i32, k: bool) -> i32 {
        self.code(create_sj(o, sj, k))
    }

    fn code_extraarg(&mut self, a: u32) -> i32 {
        debug_assert!(a <= MAXARG_AX);
        self.code(create_ax(OpCode::ExtraArg, a))
    }

    /// Emits a "load constant", with `LOADKX` for large indices.
    fn code_k(&mut self, reg: u32, k: u32) -> i32 {
        if k <= MAXARG_BX {
            self.code_abx(OpCode::LoadK, reg, k)
        } else {
            let p = self.code_abx(OpCode::LoadKX, reg, 0);
            self.code_extraarg(k);
            p
        }
    }

    /// Changes the line of the last instruction (PUC's `luaK_fixline`).
    pub(crate) fn fix_line(&mut self, line: u32) {
        if self.fs.lines.is_empty() {
            return;
        }
        self.remove_last_line_info();
        if let Some(l) = self.fs.lines.last_mut() {
            *l = line;
        }
        self.save_line_info();
    }

    fn remove_last_instruction(&mut self) {
        self.remove_last_line_info();
        self.fs.code.pop();
        self.fs.lines.pop();
    }

    /// Records how a binary chunk encodes the line of the last instruction,
    /// as PUC's `savelineinfo` does: relative to the line before, unless
    /// that differs by `LIMIT_LINE_DIFF` or more or `MAX_WITHOUT_ABS`
    /// relative entries came in a row, when it is an absolute entry. The
    /// lines themselves are kept whole (`lines`); only where the absolute
    /// entries fall must be remembered, because it depends on the order in
    /// which lines were saved and undone (`remove_last_line_info`), not
    /// only on the final lines, and chunks must be PUC's byte for byte.
    fn save_line_info(&mut self) {
        let fs = &mut self.fs;
        let pc = fs.lines.len() - 1;
        let previous = if pc == 0 { fs.linedefined } else { fs.lines[pc - 1] };
        let diff = (fs.lines[pc] as i64 - previous as i64).abs();
        let counted = fs.without_abs;
        fs.without_abs += 1;
        if diff >= LIMIT_LINE_DIFF || counted >= MAX_WITHOUT_ABS {
            fs.abs_line_pcs.push(pc as u32);
            fs.without_abs = 1;
        }
    }

    /// Undoes `save_line_info` for the last instruction (PUC's
    /// `removelastlineinfo`). Removing an absolute entry makes the next
    /// one absolute too, whatever its line.
    fn remove_last_line_info(&mut self) {
        let fs = &mut self.fs;
        let pc = (fs.lines.len() - 1) as u32;
        if fs.abs_line_pcs.last() == Some(&pc) {
            fs.abs_line_pcs.pop();
            fs.without_abs = MAX_WITHOUT_ABS + 1;
        } else {
            fs.without_abs -= 1;
        }
    }

    pub(crate) fn instr(&self, pc: i32) -> Instruction {
        self.fs.code[pc as usize]
    }

    pub(crate) fn instr_mut(&mut self, pc: i32) -> &mut Instruction {
        &mut self.fs.code[pc as usize]
    }

    /// The index of the previous instruction, unless a jump target may be
    /// between it and the current position.
    pub(crate) fn previous_instruction(&self) -> Option<usize> {
        let pc = self.pc();
        if pc > self.fs.lasttarget {
            Some(pc as usize - 1)
        } else {
            None
        }
    }

    /// Sets `n` registers from `from` to nil, merging with a previous
    /// `LOADNIL` when possible.
    pub(crate) fn code_nil(&mut self, mut from: u32, n: u32) {
        let mut l = from + n - 1; // last register to set nil
        if let Some(pi) = self.previous_instruction() {
            let prev = self.fs.code[pi];
            if get_op(prev) == OpCode::LoadNil {
                let pfrom = arg_a(prev);
                let pl = pfrom + arg_b(prev);
                if (pfrom <= from && from <= pl + 1) || (from <= pfrom && pfrom <= l + 1) {
                    from = from.min(pfrom);
                    l = l.max(pl);
                    let i = set_b(set_a(prev, from), l - from);
                    self.fs.code[pi] = i;
                    return;
                }
            }
        }
        self.code_abc(OpCode::LoadNil, from, n - 1, 0);
    }

    // ------------------------------------------------------------------
    // Jumps

    fn get_jump(&self, pc: i32) -> i32 {
        let offset = arg_sj(self.instr(pc));
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc + 1 + offset
        }
    }

    fn fix_jump(&mut self, pc: i32, dest: i32) -> PResult<()> {
        let offset = dest - (pc + 1);
        debug_assert!(dest != NO_JUMP);
        if !(-OFFSET_SJ <= offset && offset <= MAXARG_SJ as i32 - OFFSET_SJ) {
            return Err(self.lex.syntax_error(b"control structure too long"));
        }
        debug_assert!(get_op(self.instr(pc)) == OpCode::Jmp);
        let i = set_sj(self.instr(pc), offset);
        *self.instr_mut(pc) = i;
        Ok(())
    }

    /// Joins jump lists `l1` and `l2` into `l1`. The order of a list does
    /// not matter (every jump in it ends up at the same target), so the
    /// shorter list is linked in front of the longer one: both are walked
    /// in step until one ends. PUC appends `l2` after walking all of `l1`,
    /// which makes a chain of n `or`s (each adding one jump to a growing
    /// list) quadratic to compile; this is linear, with the same final code.
    pub(crate) fn concat(&mut self, l1: &mut i32, l2: i32) -> PResult<()> {
        if l2 == NO_JUMP {
            return Ok(());
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return Ok(());
        }
        let (mut a, mut b) = (*l1, l2);
        loop {
            let next_a = self.get_jump(a);
            if next_a == NO_JUMP {
                return self.fix_jump(a, l2);
            }
            let next_b = self.get_jump(b);
            if next_b == NO_JUMP {
                self.fix_jump(b, *l1)?;
                *l1 = l2;
                return Ok(());
            }
            a = next_a;
            b = next_b;
        }
    }

    /// Emits a jump to be fixed later; returns its position.
    pub(crate) fn jump(&mut self) -> i32 {
        self.code_sj(OpCode::Jmp, NO_JUMP, false)
    }

    /// Emits a return of `nret` values from register `first`.
    pub(crate) fn ret(&mut self, first: u32, nret: i32) {
        let op = match nret {
            0 => OpCode::Return0,
            1 => OpCode::Return1,
            _ => OpCode::Return,
        };
        self.code_abc(op, first, (nret + 1) as u32, 0);
    }

    /// Emits a test or comparison followed by a jump; returns the jump.
    pub(crate) fn cond_jump(&mut self, op: OpCode, a: u32, b: u32, c: u32, k: bool) -> i32 {
        self.code_abck(op, a, b, c, k);
        self.jump()
    }

    /// Marks the current position as a jump target and returns it.
    pub(crate) fn get_label(&mut self) -> i32 {
        self.fs.lasttarget = self.pc();
        self.pc()
    }

    /// The position of the instruction controlling the jump at `pc` (its
    /// test), or the jump itself.
    pub(crate) fn jump_control(&self, pc: i32) -> usize {
        let pc = pc as usize;
        if pc >= 1 && get_op(self.fs.code[pc - 1]).is_test() {
            pc - 1
        } else {
            pc
        }
    }

    /// Sets the destination register of a `TESTSET` controlling the jump
    /// at `node` (or turns it into a `TEST` when there is no register to
    /// set). Returns false if the jump is not controlled by a `TESTSET`.
    fn patch_test_reg(&mut self, node: i32, reg: u32) -> bool {
        let pos = self.jump_control(node);
        let i = self.fs.code[pos];
        if get_op(i) != OpCode::TestSet {
            return false;
        }
        self.fs.code[pos] = if reg != NO_REG && reg != arg_b(i) {
            set_a(i, reg)
        } else {
            create_abck(OpCode::Test, arg_b(i), 0, 0, arg_k(i))
        };
        true
    }

    /// Makes sure no test in `list` produces a value.
    pub(crate) fn remove_values(&mut self, mut list: i32) {
        while list != NO_JUMP {
            self.patch_test_reg(list, NO_REG);
            list = self.get_jump(list);
        }
    }

    fn patch_list_aux(&mut self, mut list: i32, vtarget: i32, reg: u32, dtarget: i32) -> PResult<()> {
        while list != NO_JUMP {
            let next = self.get_jump(list);
            if self.patch_test_reg(list, reg) {
                self.fix_jump(list, vtarget)?;
            } else {
                self.fix_jump(list, dtarget)?;
            }
            list = next;
        }
        Ok(())
    }

    /// Makes all jumps in `list` go to `target`.
    pub(crate) fn patch_list(&mut self, list: i32, target: i32) -> PResult<()> {
        debug_assert!(target <= self.pc());
        self.patch_list_aux(list, target, NO_REG, target)
    }

    pub(crate) fn patch_to_here(&mut self, list: i32) -> PResult<()> {
        let hr = self.get_label();
        self.patch_list(list, hr)
    }

    // ------------------------------------------------------------------
    // Registers

    pub(crate) fn check_stack(&mut self, n: u32) -> PResult<()> {
        let newstack = self.fs.freereg + n;
        if newstack > self.fs.maxstacksize {
            if newstack >= MAXREGS {
                return Err(self.lex.syntax_error(b"function or expression needs too many registers"));
            }
            self.fs.maxstacksize = newstack;
        }
        Ok(())
    }

    pub(crate) fn reserve_regs(&mut self, n: u32) -> PResult<()> {
        self.check_stack(n)?;
        self.fs.freereg += n;
        Ok(())
    }

    fn free_reg(&mut self, reg: u32) {
        if reg >= self.nvarstack() {
            self.fs.freereg -= 1;
            debug_assert_eq!(reg, self.fs.freereg);
        }
    }

    fn free_regs(&mut self, r1: u32, r2: u32) {
        if r1 > r2 {
            self.free_reg(r1);
            self.free_reg(r2);
        } else {
            self.free_reg(r2);
            self.free_reg(r1);
        }
    }

    pub(crate) fn free_exp(&mut self, e: &ExpDesc) {
        if let ExpKind::NonReloc(r) = e.k {
            self.free_reg(r);
        }
    }

    pub(crate) fn free_exps(&mut self, e1: &ExpDesc, e2: &ExpDesc) {
        let r1 = match e1.k {
            ExpKind::NonReloc(r) => r as i32,
            _ => -1,
        };
        let r2 = match e2.k {
            ExpKind::NonReloc(r) => r as i32,
            _ => -1,
        };
        // PUC compares the two as ints, -1 meaning "no register"
        if r1 > r2 {
            if r1 >= 0 {
                self.free_reg(r1 as u32);
            }
            if r2 >= 0 {
                self.free_reg(r2 as u32);
            }
        } else {
            if r2 >= 0 {
                self.free_reg(r2 as u32);
            }
            if r1 >= 0 {
                self.free_reg(r1 as u32);
            }
        }
    }

    // ------------------------------------------------------------------
    // Constants

    /// Adds a constant, reusing an equal one found through the shared
    /// cache (PUC's `addk`).
    fn add_k(&mut self, key: KKey, v: KValue) -> PResult<u32> {
        if let Some(&k) = self.kcache.get(&key) {
            if let Some(old) = self.fs.k.get(k) {
                if old.raw_equal(&v) {
                    return Ok(k as u32);
                }
            }
        }
        let k = self.fs.k.len();
        if k >= MAXARG_AX as usize {
            return Err(self.limit_error("constants", MAXARG_AX));
        }
        self.kcache.insert(key, k);
        self.fs.k.push(v);
        Ok(k as u32)
    }

    pub(crate) fn string_k(&mut self, s: StrId) -> PResult<u32> {
        self.add_k(KKey::Str(s), KValue::Str(s))
    }

    fn int_k(&mut self, i: i64) -> PResult<u32> {
        self.add_k(KKey::Int(i), KValue::Int(i))
    }

    /// Adds a float constant. Floats with integral values use a different
    /// key (the value plus its smallest significant fraction), so that they
    /// do not collide with integers.
    fn number_k(&mut self, r: f64) -> PResult<u32> {
        match float_to_integer_exact(r) {
            None => self.add_k(KKey::from_float(r), KValue::Flt(r)),
            Some(ik) => {
                let q = 2f64.powi(-52);
                let k = if ik == 0 { q } else { r + r * q };
                self.add_k(KKey::from_float(k), KValue::Flt(r))
            }
        }
    }

    fn bool_k(&mut self, b: bool) -> PResult<u32> {
        self.add_k(KKey::Bool(b), KValue::Bool(b))
    }

    fn nil_k(&mut self) -> PResult<u32> {
        self.add_k(KKey::Nil, KValue::Nil)
    }

    pub(crate) fn code_int(&mut self, reg: u32, i: i64) -> PResult<()> {
        if fits_bx(i) {
            self.code_asbx(OpCode::LoadI, reg, i as i32);
        } else {
            let k = self.int_k(i)?;
            self.code_k(reg, k);
        }
        Ok(())
    }

    fn code_float(&mut self, reg: u32, f: f64) -> PResult<()> {
        match float_to_integer_exact(f) {
            Some(fi) if fits_bx(fi) => {
                self.code_asbx(OpCode::LoadF, reg, fi as i32);
            }
            _ => {
                let k = self.number_k(f)?;
                self.code_k(reg, k);
            }
        }
        Ok(())
    }

    /// The value of a compile-time constant expression (PUC's
    /// `luaK_exp2const`).
    pub(crate) fn exp2const(&self, e: &ExpDesc) -> Option<KValue> {
        if e.has_jumps() {
            return None;
        }
        match e.k {
            ExpKind::False => Some(KValue::Bool(false)),
            ExpKind::True => Some(KValue::Bool(true)),
            ExpKind::Nil => Some(KValue::Nil),
            ExpKind::KStr(s) => Some(KValue::Str(s)),
            ExpKind::Const(i) => Some(self.actvar[i as usize].k),
            ExpKind::KInt(i) => Some(KValue::Int(i)),
            ExpKind::KFlt(f) => Some(KValue::Flt(f)),
            _ => None,
        }
    }

    // ------------------------------------------------------------------
    // Discharging expressions

    /// Fixes a multi-result expression to give `nresults` results.
    pub(crate) fn set_returns(&mut self, e: &ExpDesc, nresults: i32) -> PResult<()> {
        match e.k {
            ExpKind::Call(pc) => {
                let i = set_c(self.instr(pc), (nresults + 1) as u32);
                *self.instr_mut(pc) = i;
            }
            ExpKind::Vararg(pc) => {
                let i = set_a(set_c(self.instr(pc), (nresults + 1) as u32), self.fs.freereg);
                *self.instr_mut(pc) = i;
                self.reserve_regs(1)?;
            }
            _ => unreachable!("set_returns on a single-result expression"),
        }
        Ok(())
    }

    pub(crate) fn set_multret(&mut self, e: &ExpDesc) -> PResult<()> {
        self.set_returns(e, MULTRET)
    }

    fn str2k(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if let ExpKind::KStr(s) = e.k {
            e.k = ExpKind::K(self.string_k(s)?);
        }
        Ok(())
    }

    /// Fixes a multi-result expression to give one result.
    pub(crate) fn set_one_ret(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Call(pc) => {
                debug_assert_eq!(arg_c(self.instr(pc)), 2);
                e.k = ExpKind::NonReloc(arg_a(self.instr(pc)));
            }
            ExpKind::Vararg(pc) => {
                let i = set_c(self.instr(pc), 2);
                *self.instr_mut(pc) = i;
                e.k = ExpKind::Reloc(pc);
            }
            _ => {}
        }
    }

    /// Makes sure `e` is not a variable (PUC's `luaK_dischargevars`).
    pub(crate) fn discharge_vars(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Const(i) => {
                e.k = self.actvar[i as usize].k.to_exp();
            }
            ExpKind::Local { ridx, .. } => e.k = ExpKind::NonReloc(ridx),
            ExpKind::Upval(idx) => {
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GetUpval, 0, idx, 0));
            }
            ExpKind::IndexUp { t, idx } => {
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GetTabUp, 0, t, idx));
            }
            ExpKind::IndexI { t, idx } => {
                self.free_reg(t);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GetI, 0, t, idx));
            }
            ExpKind::IndexStr { t, idx } => {
                self.free_reg(t);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GetField, 0, t, idx));
            }
            ExpKind::Indexed { t, idx } => {
                self.free_regs(t, idx);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::GetTable, 0, t, idx));
            }
            ExpKind::Vararg(_) | ExpKind::Call(_) => self.set_one_ret(e),
            _ => {}
        }
    }

    /// Puts the value of `e` in register `reg` (its jump lists stay).
    fn discharge2reg(&mut self, e: &mut ExpDesc, reg: u32) -> PResult<()> {
        self.discharge_vars(e);
        match e.k {
            ExpKind::Nil => self.code_nil(reg, 1),
            ExpKind::False => {
                self.code_abc(OpCode::LoadFalse, reg, 0, 0);
            }
            ExpKind::True => {
                self.code_abc(OpCode::LoadTrue, reg, 0, 0);
            }
            ExpKind::KStr(_) => {
                self.str2k(e)?;
                self.code_k(reg, e.info() as u32);
            }
            ExpKind::K(k) => {
                self.code_k(reg, k);
            }
            ExpKind::KFlt(f) => self.code_float(reg, f)?,
            ExpKind::KInt(i) => self.code_int(reg, i)?,
            ExpKind::Reloc(pc) => {
                let i = set_a(self.instr(pc), reg);
                *self.instr_mut(pc) = i;
            }
            ExpKind::NonReloc(r) => {
                if reg != r {
                    self.code_abc(OpCode::Move, reg, r, 0);
                }
            }
            _ => {
                debug_assert!(matches!(e.k, ExpKind::Jmp(_)));
                return Ok(());
            }
        }
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    pub(crate) fn discharge2anyreg(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if !matches!(e.k, ExpKind::NonReloc(_)) {
            self.reserve_regs(1)?;
            let r = self.fs.freereg - 1;
            self.discharge2reg(e, r)?;
        }
        Ok(())
    }

    fn code_loadbool(&mut self, a: u32, op: OpCode) -> i32 {
        self.get_label(); // those instructions may be jump targets
        self.code_abc(op, a, 0, 0)
    }

    /// Whether some jump in `list` does not produce a value.
    fn need_value(&self, mut list: i32) -> bool {
        while list != NO_JUMP {
            let i = self.fs.code[self.jump_control(list)];
            if get_op(i) != OpCode::TestSet {
                return true;
            }
            list = self.get_jump(list);
        }
        false
    }

    /// Puts the final value of `e` (including its jump lists) in `reg`.
    fn exp2reg(&mut self, e: &mut ExpDesc, reg: u32) -> PResult<()> {
        self.discharge2reg(e, reg)?;
        if let ExpKind::Jmp(pc) = e.k {
            self.concat(&mut e.t, pc)?; // put this jump in 't' list
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP; // position of an eventual LOAD false
            let mut p_t = NO_JUMP; // position of an eventual LOAD true
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if matches!(e.k, ExpKind::Jmp(_)) { NO_JUMP } else { self.jump() };
                p_f = self.code_loadbool(reg, OpCode::LFalseSkip);
                p_t = self.code_loadbool(reg, OpCode::LoadTrue);
                // jump around these booleans if 'e' is not a test
                self.patch_to_here(fj)?;
            }
            let final_ = self.get_label();
            self.patch_list_aux(e.f, final_, reg, p_f)?;
            self.patch_list_aux(e.t, final_, reg, p_t)?;
        }
        e.f = NO_JUMP;
        e.t = NO_JUMP;
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    /// Puts the final value of `e` in the next free register.
    pub(crate) fn exp2nextreg(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        self.free_exp(e);
        self.reserve_regs(1)?;
        let r = self.fs.freereg - 1;
        self.exp2reg(e, r)
    }

    /// Puts the final value of `e` in some register and returns it.
    pub(crate) fn exp2anyreg(&mut self, e: &mut ExpDesc) -> PResult<u32> {
        self.discharge_vars(e);
        if let ExpKind::NonReloc(r) = e.k {
            if !e.has_jumps() {
                return Ok(r);
            }
            if r >= self.nvarstack() {
                // not a local: put the final result in it
                self.exp2reg(e, r)?;
                return Ok(r);
            }
            // else a local with jumps: use the next register
        }
        self.exp2nextreg(e)?;
        Ok(e.info() as u32)
    }

    /// Puts the final value of `e` in a register or an upvalue.
    pub(crate) fn exp2anyregup(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if !matches!(e.k, ExpKind::Upval(_)) || e.has_jumps() {
            self.exp2anyreg(e)?;
        }
        Ok(())
    }

    /// Puts the final value of `e` in a register or keeps it a constant.
    pub(crate) fn exp2val(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if matches!(e.k, ExpKind::Jmp(_)) || e.has_jumps() {
            self.exp2anyreg(e)?;
        } else {
            self.discharge_vars(e);
        }
        Ok(())
    }

    /// Tries to make `e` a `K` expression with an index usable as an RK
    /// operand.
    pub(crate) fn exp2k(&mut self, e: &mut ExpDesc) -> PResult<bool> {
        if !e.has_jumps() {
            let info = match e.k {
                ExpKind::True => self.bool_k(true)?,
                ExpKind::False => self.bool_k(false)?,
                ExpKind::Nil => self.nil_k()?,
                ExpKind::KInt(i) => self.int_k(i)?,
                ExpKind::KFlt(f) => self.number_k(f)?,
                ExpKind::KStr(s) => self.string_k(s)?,
                ExpKind::K(k) => k,
                _ => return Ok(false),
            };
            if info <= MAXINDEXRK {
                e.k = ExpKind::K(info);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Makes `e` a register or an RK constant; true if a constant.
    pub(crate) fn exp2rk(&mut self, e: &mut ExpDesc) -> PResult<bool> {
        if self.exp2k(e)? {
            Ok(true)
        } else {
            self.exp2anyreg(e)?;
            Ok(false)
        }
    }

    fn code_abrk(&mut self, o: OpCode, a: u32, b: u32, ec: &mut ExpDesc) -> PResult<()> {
        let k = self.exp2rk(ec)?;
        let c = ec.info() as u32;
        self.code_abck(o, a, b, c, k);
        Ok(())
    }

    /// Stores the value of `ex` in variable `var`.
    pub(crate) fn store_var(&mut self, var: &ExpDesc, ex: &mut ExpDesc) -> PResult<()> {
        match var.k {
            ExpKind::Local { ridx, .. } => {
                self.free_exp(ex);
                return self.exp2reg(ex, ridx);
            }
            ExpKind::Upval(idx) => {
                let e = self.exp2anyreg(ex)?;
                self.code_abc(OpCode::SetUpval, e, idx, 0);
            }
            ExpKind::IndexUp { t, idx } => self.code_abrk(OpCode::SetTabUp, t, idx, ex)?,
            ExpKind::IndexI { t, idx } => self.code_abrk(OpCode::SetI, t, idx, ex)?,
            ExpKind::IndexStr { t, idx } => self.code_abrk(OpCode::SetField, t, idx, ex)?,
            ExpKind::Indexed { t, idx } => self.code_abrk(OpCode::SetTable, t, idx, ex)?,
            _ => unreachable!("invalid variable kind to store"),
        }
        self.free_exp(ex);
        Ok(())
    }

    /// Emits `SELF`: `e:key` becomes the function and `self` in two
    /// consecutive registers.
    pub(crate) fn code_self(&mut self, e: &mut ExpDesc, key: &mut ExpDesc) -> PResult<()> {
        self.exp2anyreg(e)?;
        let ereg = e.info() as u32;
        self.free_exp(e);
        let base = self.fs.freereg;
        e.k = ExpKind::NonReloc(base);
        self.reserve_regs(2)?;
        self.code_abrk(OpCode::SelfOp, base, ereg, key)?;
        self.free_exp(key);
        Ok(())
    }

    /// Negates the condition of a comparison.
    pub(crate) fn negate_condition(&mut self, e: &ExpDesc) {
        let pos = self.jump_control(e.info());
        let i = self.fs.code[pos];
        debug_assert!(get_op(i).is_test() && !matches!(get_op(i), OpCode::TestSet | OpCode::Test));
        self.fs.code[pos] = set_k(i, !arg_k(i));
    }

    /// Emits a jump taken if `e` is `cond`; a preceding `NOT` is removed by
    /// inverting the condition.
    fn jump_on_cond(&mut self, e: &mut ExpDesc, cond: bool) -> PResult<i32> {
        if let ExpKind::Reloc(pc) = e.k {
            let ie = self.instr(pc);
            if get_op(ie) == OpCode::Not {
                self.remove_last_instruction();
                return Ok(self.cond_jump(OpCode::Test, arg_b(ie), 0, 0, !cond));
            }
        }
        self.discharge2anyreg(e)?;
        self.free_exp(e);
        let r = e.info() as u32;
        Ok(self.cond_jump(OpCode::TestSet, NO_REG, r, 0, cond))
    }

    /// Emits code to go through if `e` is true, jump otherwise.
    pub(crate) fn go_if_true(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        let pc = match e.k {
            ExpKind::Jmp(pc) => {
                self.negate_condition(e);
                pc
            }
            ExpKind::K(_) | ExpKind::KFlt(_) | ExpKind::KInt(_) | ExpKind::KStr(_) | ExpKind::True => {
                NO_JUMP // always true; do nothing
            }
            _ => self.jump_on_cond(e, false)?,
        };
        self.concat(&mut e.f, pc)?;
        self.patch_to_here(e.t)?;
        e.t = NO_JUMP;
        Ok(())
    }

    /// Emits code to go through if `e` is false, jump otherwise.
    pub(crate) fn go_if_false(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.discharge_vars(e);
        let pc = match e.k {
            ExpKind::Jmp(pc) => pc,
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            _ => self.jump_on_cond(e, true)?,
        };
        self.concat(&mut e.t, pc)?;
        self.patch_to_here(e.f)?;
        e.f = NO_JUMP;
        Ok(())
    }

    /// Whether `e` is a constant short string with an index that fits B.
    fn is_kstr(&self, e: &ExpDesc) -> bool {
        match e.k {
            ExpKind::K(k) if !e.has_jumps() && k <= MAXARG_B => {
                matches!(self.fs.k[k as usize], KValue::Str(s)
                    if self.lex.strings.get(s).len() <= MAX_SHORT_LEN)
            }
            _ => false,
        }
    }

    /// Builds the expression `t[k]`.
    pub(crate) fn indexed(&mut self, t: &mut ExpDesc, k: &mut ExpDesc) -> PResult<()> {
        if let ExpKind::KStr(_) = k.k {
            self.str2k(k)?;
        }
        debug_assert!(!t.has_jumps());
        if matches!(t.k, ExpKind::Upval(_)) && !self.is_kstr(k) {
            self.exp2anyreg(t)?; // upvalues are indexed only by short strings
        }
        if let ExpKind::Upval(up) = t.k {
            t.k = ExpKind::IndexUp { t: up, idx: k.info() as u32 };
        } else {
            let treg = match t.k {
                ExpKind::Local { ridx, .. } => ridx,
                ExpKind::NonReloc(r) => r,
                _ => unreachable!("indexing a non-register"),
            };
            t.k = if self.is_kstr(k) {
                ExpKind::IndexStr { t: treg, idx: k.info() as u32 }
            } else if let Some(i) = is_cint(k) {
                ExpKind::IndexI { t: treg, idx: i }
            } else {
                let idx = self.exp2anyreg(k)?;
                ExpKind::Indexed { t: treg, idx }
            };
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Tables

    /// Fills in the `NEWTABLE` (and its `EXTRAARG`) at `pc`.
    pub(crate) fn set_table_size(&mut self, pc: i32, ra: u32, asize: u32, hsize: u32) {
        let rb = if hsize != 0 { ceil_log2(hsize) + 1 } else { 0 };
        let extra = asize / (MAXARG_C + 1);
        let rc = asize % (MAXARG_C + 1);
        let pc = pc as usize;
        self.fs.code[pc] = create_abck(OpCode::NewTable, ra, rb, rc, extra > 0);
        self.fs.code[pc + 1] = create_ax(OpCode::ExtraArg, extra);
    }

    /// Emits a `SETLIST` storing `tostore` values (or up to the top) after
    /// the table in `base`, `nelems` being the index of the last one.
    pub(crate) fn set_list(&mut self, base: u32, nelems: u32, tostore: i32) {
        let tostore = if tostore == MULTRET { 0 } else { tostore as u32 };
        if nelems <= MAXARG_C {
            self.code_abc(OpCode::SetList, base, tostore, nelems);
        } else {
            let extra = nelems / (MAXARG_C + 1);
            self.code_abck(OpCode::SetList, base, tostore, nelems % (MAXARG_C + 1), true);
            self.code_extraarg(extra);
        }
        self.fs.freereg = base + 1;
    }

    // ------------------------------------------------------------------
    // Final pass

    /// The final target of a jump (following jumps to jumps).
    fn final_target(&self, mut i: usize) -> usize {
        for _ in 0..100 {
            let pc = self.fs.code[i];
            if get_op(pc) != OpCode::Jmp {
                break;
            }
            i = (i as i64 + arg_sj(pc) as i64 + 1) as usize;
        }
        i
    }

    /// The final pass over the code of a function (PUC's `luaK_finish`).
    pub(crate) fn finish(&mut self) -> PResult<()> {
        let needclose = self.fs.needclose;
        let is_vararg = self.fs.is_vararg;
        let numparams = self.fs.numparams;
        for i in 0..self.fs.code.len() {
            let mut ins = self.fs.code[i];
            match get_op(ins) {
                OpCode::Return0 | OpCode::Return1 | OpCode::Return | OpCode::TailCall => {
                    if matches!(get_op(ins), OpCode::Return0 | OpCode::Return1) {
                        if !(needclose || is_vararg) {
                            continue;
                        }
                        ins = set_op(ins, OpCode::Return);
                    }
                    if needclose {
                        ins = set_k(ins, true);
                    }
                    if is_vararg {
                        ins = set_c(ins, numparams + 1);
                    }
                    self.fs.code[i] = ins;
                }
                OpCode::Jmp => {
                    let target = self.final_target(i);
                    self.fix_jump(i as i32, target as i32)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Whether `e` is an integer constant that fits a C operand.
pub(crate) fn is_cint(e: &ExpDesc) -> Option<u32> {
    match e.k {
        ExpKind::KInt(i) if !e.has_jumps() && (i as u64) <= MAXARG_C as u64 => Some(i as u32),
        _ => None,
    }
}

/// `ceil(log2(x))` for x >= 1.
fn ceil_log2(x: u32) -> u32 {
    if x <= 1 {
        0
    } else {
        32 - (x - 1).leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2() {
        assert_eq!(ceil_log2(1), 0);
        assert_eq!(ceil_log2(2), 1);
        assert_eq!(ceil_log2(3), 2);
        assert_eq!(ceil_log2(4), 2);
        assert_eq!(ceil_log2(5), 3);
        assert_eq!(ceil_log2(256), 8);
        assert_eq!(ceil_log2(257), 9);
    }
}
