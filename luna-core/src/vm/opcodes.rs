//! The bytecode: instruction encoding and the opcode set.
//!
//! luna's instruction set is the one of PUC-Rio Lua 5.4 (`lopcodes.h`): the
//! same opcodes in the same order, the same 32-bit encodings and the same
//! operand meanings. Keeping it identical means the compiler, the VM and the
//! symbolic execution that names variables in error messages
//! (`vm::debug`) can all be checked against the reference (`luac -l`), and
//! that every subtle rule of the reference (how `top` flows between an
//! open call and the next instruction, which instructions follow a test)
//! holds here too.
//!
//! Encodings (bit 0 is the least significant):
//!
//! ```text
//! iABC   C(8) | B(8) | k(1) | A(8) | Op(7)
//! iABx        Bx(17)        | A(8) | Op(7)
//! iAsBx      sBx(17)        | A(8) | Op(7)
//! iAx              Ax(25)          | Op(7)
//! isJ              sJ(25)          | Op(7)
//! ```
//!
//! Signed operands are stored in excess-K form (the stored unsigned value
//! minus half its range).
//!
//! Operand notation in the opcode docs: `R[x]` a register, `K[x]` a
//! constant, `RK(x)` a constant if `k` is set and a register otherwise,
//! `U[x]` an upvalue.

/// One encoded instruction.
pub type Instruction = u32;

pub const SIZE_OP: u32 = 7;
pub const SIZE_A: u32 = 8;
pub const SIZE_B: u32 = 8;
pub const SIZE_C: u32 = 8;
pub const SIZE_BX: u32 = SIZE_C + SIZE_B + 1;
pub const SIZE_AX: u32 = SIZE_BX + SIZE_A;
pub const SIZE_SJ: u32 = SIZE_BX + SIZE_A;

pub const POS_OP: u32 = 0;
pub const POS_A: u32 = POS_OP + SIZE_OP;
pub const POS_K: u32 = POS_A + SIZE_A;
pub const POS_B: u32 = POS_K + 1;
pub const POS_C: u32 = POS_B + SIZE_B;
pub const POS_BX: u32 = POS_K;
pub const POS_AX: u32 = POS_A;
pub const POS_SJ: u32 = POS_A;

pub const MAXARG_A: u32 = (1 << SIZE_A) - 1;
pub const MAXARG_B: u32 = (1 << SIZE_B) - 1;
pub const MAXARG_C: u32 = (1 << SIZE_C) - 1;
pub const MAXARG_BX: u32 = (1 << SIZE_BX) - 1;
pub const MAXARG_AX: u32 = (1 << SIZE_AX) - 1;
pub const MAXARG_SJ: u32 = (1 << SIZE_SJ) - 1;
pub const OFFSET_SBX: i32 = (MAXARG_BX >> 1) as i32;
pub const OFFSET_SJ: i32 = (MAXARG_SJ >> 1) as i32;
pub const OFFSET_SC: i32 = (MAXARG_C >> 1) as i32;

/// An invalid register that still fits in 8 bits.
pub const NO_REG: u32 = MAXARG_A;

/// Largest index usable as a constant operand in `RK` positions.
pub const MAXINDEXRK: u32 = MAXARG_B;

/// Number of list items accumulated before a `SETLIST` is emitted.
pub const LFIELDS_PER_FLUSH: u32 = 50;

/// The opcodes, in the order (and with the numbering) of PUC Lua 5.4.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpCode {
    /// `A B`: `R[A] := R[B]`
    Move = 0,
    /// `A sBx`: `R[A] := sBx`
    LoadI,
    /// `A sBx`: `R[A] := (float)sBx`
    LoadF,
    /// `A Bx`: `R[A] := K[Bx]`
    LoadK,
    /// `A`: `R[A] := K[extra arg]`
    LoadKX,
    /// `A`: `R[A] := false`
    LoadFalse,
    /// `A`: `R[A] := false; pc++`
    LFalseSkip,
    /// `A`: `R[A] := true`
    LoadTrue,
    /// `A B`: `R[A], R[A+1], ..., R[A+B] := nil`
    LoadNil,
    /// `A B`: `R[A] := U[B]`
    GetUpval,
    /// `A B`: `U[B] := R[A]`
    SetUpval,
    /// `A B C`: `R[A] := U[B][K[C]:shortstring]`
    GetTabUp,
    /// `A B C`: `R[A] := R[B][R[C]]`
    GetTable,
    /// `A B C`: `R[A] := R[B][C]`
    GetI,
    /// `A B C`: `R[A] := R[B][K[C]:shortstring]`
    GetField,
    /// `A B C`: `U[A][K[B]:shortstring] := RK(C)`
    SetTabUp,
    /// `A B C`: `R[A][R[B]] := RK(C)`
    SetTable,
    /// `A B C`: `R[A][B] := RK(C)`
    SetI,
    /// `A B C`: `R[A][K[B]:shortstring] := RK(C)`
    SetField,
    /// `A B C k`: `R[A] := {} (B: log2(hash size)+1 or 0; C: array size,`
    /// extended by the following EXTRAARG when k)
    NewTable,
    /// `A B C`: `R[A+1] := R[B]; R[A] := R[B][RK(C):string]`
    SelfOp,
    /// `A B sC`: `R[A] := R[B] + sC`
    AddI,
    /// `A B C`: `R[A] := R[B] + K[C]:number`
    AddK,
    /// `A B C`: `R[A] := R[B] - K[C]:number`
    SubK,
    /// `A B C`: `R[A] := R[B] * K[C]:number`
    MulK,
    /// `A B C`: `R[A] := R[B] % K[C]:number`
    ModK,
    /// `A B C`: `R[A] := R[B] ^ K[C]:number`
    PowK,
    /// `A B C`: `R[A] := R[B] / K[C]:number`
    DivK,
    /// `A B C`: `R[A] := R[B] // K[C]:number`
    IDivK,
    /// `A B C`: `R[A] := R[B] & K[C]:integer`
    BAndK,
    /// `A B C`: `R[A] := R[B] | K[C]:integer`
    BOrK,
    /// `A B C`: `R[A] := R[B] ~ K[C]:integer`
    BXorK,
    /// `A B sC`: `R[A] := R[B] >> sC`
    ShrI,
    /// `A B sC`: `R[A] := sC << R[B]`
    ShlI,
    /// `A B C`: `R[A] := R[B] + R[C]`
    Add,
    /// `A B C`: `R[A] := R[B] - R[C]`
    Sub,
    /// `A B C`: `R[A] := R[B] * R[C]`
    Mul,
    /// `A B C`: `R[A] := R[B] % R[C]`
    Mod,
    /// `A B C`: `R[A] := R[B] ^ R[C]`
    Pow,
    /// `A B C`: `R[A] := R[B] / R[C]`
    Div,
    /// `A B C`: `R[A] := R[B] // R[C]`
    IDiv,
    /// `A B C`: `R[A] := R[B] & R[C]`
    BAnd,
    /// `A B C`: `R[A] := R[B] | R[C]`
    BOr,
    /// `A B C`: `R[A] := R[B] ~ R[C]`
    BXor,
    /// `A B C`: `R[A] := R[B] << R[C]`
    Shl,
    /// `A B C`: `R[A] := R[B] >> R[C]`
    Shr,
    /// `A B C`: call metamethod C (a `TmKind`) over `R[A]` and `R[B]`; the
    /// result goes to the A of the previous instruction.
    MmBin,
    /// `A sB C k`: call metamethod C over `R[A]` and sB (k: operands
    /// flipped).
    MmBinI,
    /// `A B C k`: call metamethod C over `R[A]` and `K[B]` (k: operands
    /// flipped).
    MmBinK,
    /// `A B`: `R[A] := -R[B]`
    Unm,
    /// `A B`: `R[A] := ~R[B]`
    BNot,
    /// `A B`: `R[A] := not R[B]`
    Not,
    /// `A B`: `R[A] := #R[B]`
    Len,
    /// `A B`: `R[A] := R[A] .. ... .. R[A+B-1]`
    Concat,
    /// `A`: close all upvalues and to-be-closed variables `>= R[A]`
    Close,
    /// `A`: mark `R[A]` as to-be-closed
    Tbc,
    /// `sJ`: pc += sJ
    Jmp,
    /// `A B k`: `if ((R[A] == R[B]) ~= k) then pc++`
    Eq,
    /// `A B k`: `if ((R[A] < R[B]) ~= k) then pc++`
    Lt,
    /// `A B k`: `if ((R[A] <= R[B]) ~= k) then pc++`
    Le,
    /// `A B k`: `if ((R[A] == K[B]) ~= k) then pc++`
    EqK,
    /// `A sB k`: `if ((R[A] == sB) ~= k) then pc++` (C: the operand was a
    /// float)
    EqI,
    /// `A sB k`: `if ((R[A] < sB) ~= k) then pc++`
    LtI,
    /// `A sB k`: `if ((R[A] <= sB) ~= k) then pc++`
    LeI,
    /// `A sB k`: `if ((R[A] > sB) ~= k) then pc++`
    GtI,
    /// `A sB k`: `if ((R[A] >= sB) ~= k) then pc++`
    GeI,
    /// `A k`: `if (not R[A] == k) then pc++`
    Test,
    /// `A B k`: `if (not R[B] == k) then pc++ else R[A] := R[B]`
    TestSet,
    /// `A B C`: `R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1])`
    /// (B == 0: arguments up to top; C == 0: results set top)
    Call,
    /// `A B C k`: `return R[A](R[A+1], ..., R[A+B-1])`
    TailCall,
    /// `A B C k`: `return R[A], ..., R[A+B-2]` (B == 0: up to the top; k:
    /// close upvalues; C > 0: vararg function with C-1 fixed parameters)
    Return,
    /// return
    Return0,
    /// `A`: `return R[A]`
    Return1,
    /// `A Bx`: update counters; if the loop continues then pc -= Bx
    ForLoop,
    /// `A Bx`: check values and prepare counters; if not to run then
    /// pc += Bx + 1
    ForPrep,
    /// `A Bx`: create upvalue for `R[A+3]`; `pc += Bx`
    TForPrep,
    /// `A C`: `R[A+4], ..., R[A+3+C] := R[A](R[A+1], R[A+2])`
    TForCall,
    /// `A Bx`: `if R[A+4] ~= nil then { R[A+2] = R[A+4]; pc -= Bx }`
    TForLoop,
    /// `A B C k`: `R[A][C+i] := R[A+i], 1 <= i <= B (B == 0: up to top;`
    /// k: C extended by the following EXTRAARG)
    SetList,
    /// `A Bx`: `R[A] := closure(KPROTO[Bx])`
    Closure,
    /// `A C`: `R[A], ..., R[A+C-2] = vararg (C == 0: all, setting top)`
    VarArg,
    /// `A`: adjust the vararg parameters (A: number of fixed parameters)
    VarArgPrep,
    /// `Ax`: extra (larger) argument for the previous opcode
    ExtraArg,
}

/// Every 7-bit opcode field value, for the interpreter's dispatch: the
/// opcodes (named as the `op` constants) and the unused values. Having a
/// variant for each of the 128 values lets the dispatch `match` be a plain
/// jump table with no range check.
#[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RawOp {
    MOVE = 0,
    LOAD_I = 1,
    LOAD_F = 2,
    LOAD_K = 3,
    LOAD_KX = 4,
    LOAD_FALSE = 5,
    L_FALSE_SKIP = 6,
    LOAD_TRUE = 7,
    LOAD_NIL = 8,
    GET_UPVAL = 9,
    SET_UPVAL = 10,
    GET_TAB_UP = 11,
    GET_TABLE = 12,
    GET_I = 13,
    GET_FIELD = 14,
    SET_TAB_UP = 15,
    SET_TABLE = 16,
    SET_I = 17,
    SET_FIELD = 18,
    NEW_TABLE = 19,
    SELF_OP = 20,
    ADD_I = 21,
    ADD_K = 22,
    SUB_K = 23,
    MUL_K = 24,
    MOD_K = 25,
    POW_K = 26,
    DIV_K = 27,
    I_DIV_K = 28,
    B_AND_K = 29,
    B_OR_K = 30,
    B_XOR_K = 31,
    SHR_I = 32,
    SHL_I = 33,
    ADD = 34,
    SUB = 35,
    MUL = 36,
    MOD = 37,
    POW = 38,
    DIV = 39,
    I_DIV = 40,
    B_AND = 41,
    B_OR = 42,
    B_XOR = 43,
    SHL = 44,
    SHR = 45,
    MM_BIN = 46,
    MM_BIN_I = 47,
    MM_BIN_K = 48,
    UNM = 49,
    B_NOT = 50,
    NOT = 51,
    LEN = 52,
    CONCAT = 53,
    CLOSE = 54,
    TBC = 55,
    JMP = 56,
    EQ = 57,
    LT = 58,
    LE = 59,
    EQ_K = 60,
    EQ_I = 61,
    LT_I = 62,
    LE_I = 63,
    GT_I = 64,
    GE_I = 65,
    TEST = 66,
    TEST_SET = 67,
    CALL = 68,
    TAIL_CALL = 69,
    RETURN = 70,
    RETURN0 = 71,
    RETURN1 = 72,
    FOR_LOOP = 73,
    FOR_PREP = 74,
    T_FOR_PREP = 75,
    T_FOR_CALL = 76,
    T_FOR_LOOP = 77,
    SET_LIST = 78,
    CLOSURE = 79,
    VAR_ARG = 80,
    VAR_ARG_PREP = 81,
    EXTRA_ARG = 82,
    UNUSED83 = 83,
    UNUSED84 = 84,
    UNUSED85 = 85,
    UNUSED86 = 86,
    UNUSED87 = 87,
    UNUSED88 = 88,
    UNUSED89 = 89,
    UNUSED90 = 90,
    UNUSED91 = 91,
    UNUSED92 = 92,
    UNUSED93 = 93,
    UNUSED94 = 94,
    UNUSED95 = 95,
    UNUSED96 = 96,
    UNUSED97 = 97,
    UNUSED98 = 98,
    UNUSED99 = 99,
    UNUSED100 = 100,
    UNUSED101 = 101,
    UNUSED102 = 102,
    UNUSED103 = 103,
    UNUSED104 = 104,
    UNUSED105 = 105,
    UNUSED106 = 106,
    UNUSED107 = 107,
    UNUSED108 = 108,
    UNUSED109 = 109,
    UNUSED110 = 110,
    UNUSED111 = 111,
    UNUSED112 = 112,
    UNUSED113 = 113,
    UNUSED114 = 114,
    UNUSED115 = 115,
    UNUSED116 = 116,
    UNUSED117 = 117,
    UNUSED118 = 118,
    UNUSED119 = 119,
    UNUSED120 = 120,
    UNUSED121 = 121,
    UNUSED122 = 122,
    UNUSED123 = 123,
    UNUSED124 = 124,
    UNUSED125 = 125,
    UNUSED126 = 126,
    UNUSED127 = 127,
}

impl RawOp {
    /// The opcode field of `i`.
    #[inline(always)]
    pub fn of(i: Instruction) -> RawOp {
        // SAFETY: `RawOp` has a variant for every value 0..=127, and the
        // masked field is in that range.
        unsafe { std::mem::transmute::<u8, RawOp>((i & 0x7f) as u8) }
    }
}

/// The opcodes as `u8` constants, for matching on raw instruction bytes.
pub mod op {
    use super::OpCode;
    pub const MOVE: u8 = OpCode::Move as u8;
    pub const LOAD_I: u8 = OpCode::LoadI as u8;
    pub const LOAD_F: u8 = OpCode::LoadF as u8;
    pub const LOAD_K: u8 = OpCode::LoadK as u8;
    pub const LOAD_KX: u8 = OpCode::LoadKX as u8;
    pub const LOAD_FALSE: u8 = OpCode::LoadFalse as u8;
    pub const L_FALSE_SKIP: u8 = OpCode::LFalseSkip as u8;
    pub const LOAD_TRUE: u8 = OpCode::LoadTrue as u8;
    pub const LOAD_NIL: u8 = OpCode::LoadNil as u8;
    pub const GET_UPVAL: u8 = OpCode::GetUpval as u8;
    pub const SET_UPVAL: u8 = OpCode::SetUpval as u8;
    pub const GET_TAB_UP: u8 = OpCode::GetTabUp as u8;
    pub const GET_TABLE: u8 = OpCode::GetTable as u8;
    pub const GET_I: u8 = OpCode::GetI as u8;
    pub const GET_FIELD: u8 = OpCode::GetField as u8;
    pub const SET_TAB_UP: u8 = OpCode::SetTabUp as u8;
    pub const SET_TABLE: u8 = OpCode::SetTable as u8;
    pub const SET_I: u8 = OpCode::SetI as u8;
    pub const SET_FIELD: u8 = OpCode::SetField as u8;
    pub const NEW_TABLE: u8 = OpCode::NewTable as u8;
    pub const SELF_OP: u8 = OpCode::SelfOp as u8;
    pub const ADD_I: u8 = OpCode::AddI as u8;
    pub const ADD_K: u8 = OpCode::AddK as u8;
    pub const SUB_K: u8 = OpCode::SubK as u8;
    pub const MUL_K: u8 = OpCode::MulK as u8;
    pub const MOD_K: u8 = OpCode::ModK as u8;
    pub const POW_K: u8 = OpCode::PowK as u8;
    pub const DIV_K: u8 = OpCode::DivK as u8;
    pub const I_DIV_K: u8 = OpCode::IDivK as u8;
    pub const B_AND_K: u8 = OpCode::BAndK as u8;
    pub const B_OR_K: u8 = OpCode::BOrK as u8;
    pub const B_XOR_K: u8 = OpCode::BXorK as u8;
    pub const SHR_I: u8 = OpCode::ShrI as u8;
    pub const SHL_I: u8 = OpCode::ShlI as u8;
    pub const ADD: u8 = OpCode::Add as u8;
    pub const SUB: u8 = OpCode::Sub as u8;
    pub const MUL: u8 = OpCode::Mul as u8;
    pub const MOD: u8 = OpCode::Mod as u8;
    pub const POW: u8 = OpCode::Pow as u8;
    pub const DIV: u8 = OpCode::Div as u8;
    pub const I_DIV: u8 = OpCode::IDiv as u8;
    pub const B_AND: u8 = OpCode::BAnd as u8;
    pub const B_OR: u8 = OpCode::BOr as u8;
    pub const B_XOR: u8 = OpCode::BXor as u8;
    pub const SHL: u8 = OpCode::Shl as u8;
    pub const SHR: u8 = OpCode::Shr as u8;
    pub const MM_BIN: u8 = OpCode::MmBin as u8;
    pub const MM_BIN_I: u8 = OpCode::MmBinI as u8;
    pub const MM_BIN_K: u8 = OpCode::MmBinK as u8;
    pub const UNM: u8 = OpCode::Unm as u8;
    pub const B_NOT: u8 = OpCode::BNot as u8;
    pub const NOT: u8 = OpCode::Not as u8;
    pub const LEN: u8 = OpCode::Len as u8;
    pub const CONCAT: u8 = OpCode::Concat as u8;
    pub const CLOSE: u8 = OpCode::Close as u8;
    pub const TBC: u8 = OpCode::Tbc as u8;
    pub const JMP: u8 = OpCode::Jmp as u8;
    pub const EQ: u8 = OpCode::Eq as u8;
    pub const LT: u8 = OpCode::Lt as u8;
    pub const LE: u8 = OpCode::Le as u8;
    pub const EQ_K: u8 = OpCode::EqK as u8;
    pub const EQ_I: u8 = OpCode::EqI as u8;
    pub const LT_I: u8 = OpCode::LtI as u8;
    pub const LE_I: u8 = OpCode::LeI as u8;
    pub const GT_I: u8 = OpCode::GtI as u8;
    pub const GE_I: u8 = OpCode::GeI as u8;
    pub const TEST: u8 = OpCode::Test as u8;
    pub const TEST_SET: u8 = OpCode::TestSet as u8;
    pub const CALL: u8 = OpCode::Call as u8;
    pub const TAIL_CALL: u8 = OpCode::TailCall as u8;
    pub const RETURN: u8 = OpCode::Return as u8;
    pub const RETURN0: u8 = OpCode::Return0 as u8;
    pub const RETURN1: u8 = OpCode::Return1 as u8;
    pub const FOR_LOOP: u8 = OpCode::ForLoop as u8;
    pub const FOR_PREP: u8 = OpCode::ForPrep as u8;
    pub const T_FOR_PREP: u8 = OpCode::TForPrep as u8;
    pub const T_FOR_CALL: u8 = OpCode::TForCall as u8;
    pub const T_FOR_LOOP: u8 = OpCode::TForLoop as u8;
    pub const SET_LIST: u8 = OpCode::SetList as u8;
    pub const CLOSURE: u8 = OpCode::Closure as u8;
    pub const VAR_ARG: u8 = OpCode::VarArg as u8;
    pub const VAR_ARG_PREP: u8 = OpCode::VarArgPrep as u8;
    pub const EXTRA_ARG: u8 = OpCode::ExtraArg as u8;
}

/// Number of opcodes.
pub const NUM_OPCODES: usize = OpCode::ExtraArg as usize + 1;

/// The instruction formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpMode {
    IABC,
    IABx,
    IAsBx,
    IAx,
    IsJ,
}

impl OpCode {
    /// All opcodes, indexed by their number.
    pub const ALL: [OpCode; NUM_OPCODES] = {
        use OpCode::*;
        [
            Move, LoadI, LoadF, LoadK, LoadKX, LoadFalse, LFalseSkip, LoadTrue, LoadNil, GetUpval, SetUpval, GetTabUp,
            GetTable, GetI, GetField, SetTabUp, SetTable, SetI, SetField, NewTable, SelfOp, AddI, AddK, SubK, MulK,
            ModK, PowK, DivK, IDivK, BAndK, BOrK, BXorK, ShrI, ShlI, Add, Sub, Mul, Mod, Pow, Div, IDiv, BAnd, BOr,
            BXor, Shl, Shr, MmBin, MmBinI, MmBinK, Unm, BNot, Not, Len, Concat, Close, Tbc, Jmp, Eq, Lt, Le, EqK, EqI,
            LtI, LeI, GtI, GeI, Test, TestSet, Call, TailCall, Return, Return0, Return1, ForLoop, ForPrep, TForPrep,
            TForCall, TForLoop, SetList, Closure, VarArg, VarArgPrep, ExtraArg,
        ]
    };

    /// The opcode numbered `n`, if there is one.
    #[inline]
    pub fn from_u8(n: u8) -> Option<OpCode> {
        Self::ALL.get(n as usize).copied()
    }

    /// The PUC name of the opcode (as `luac -l` prints it).
    pub fn name(self) -> &'static str {
        OPNAMES[self as usize]
    }

    /// Properties packed as in PUC's `luaP_opmodes`: bits 0-2 the format,
    /// bit 3 "sets register A", bit 4 "is a test", bit 5 "uses top from
    /// the previous instruction (B == 0)", bit 6 "sets top for the next
    /// instruction (C == 0)", bit 7 "calls a metamethod".
    const fn props(self) -> u8 {
        use OpCode::*;
        const fn m(mm: u8, ot: u8, it: u8, t: u8, a: u8, mode: u8) -> u8 {
            (mm << 7) | (ot << 6) | (it << 5) | (t << 4) | (a << 3) | mode
        }
        const ABC: u8 = 0;
        const ABX: u8 = 1;
        const ASBX: u8 = 2;
        const AX: u8 = 3;
        const SJ: u8 = 4;
        match self {
            Move => m(0, 0, 0, 0, 1, ABC),
            LoadI => m(0, 0, 0, 0, 1, ASBX),
            LoadF => m(0, 0, 0, 0, 1, ASBX),
            LoadK => m(0, 0, 0, 0, 1, ABX),
            LoadKX => m(0, 0, 0, 0, 1, ABX),
            LoadFalse => m(0, 0, 0, 0, 1, ABC),
            LFalseSkip => m(0, 0, 0, 0, 1, ABC),
            LoadTrue => m(0, 0, 0, 0, 1, ABC),
            LoadNil => m(0, 0, 0, 0, 1, ABC),
            GetUpval => m(0, 0, 0, 0, 1, ABC),
            SetUpval => m(0, 0, 0, 0, 0, ABC),
            GetTabUp => m(0, 0, 0, 0, 1, ABC),
            GetTable => m(0, 0, 0, 0, 1, ABC),
            GetI => m(0, 0, 0, 0, 1, ABC),
            GetField => m(0, 0, 0, 0, 1, ABC),
            SetTabUp => m(0, 0, 0, 0, 0, ABC),
            SetTable => m(0, 0, 0, 0, 0, ABC),
            SetI => m(0, 0, 0, 0, 0, ABC),
            SetField => m(0, 0, 0, 0, 0, ABC),
            NewTable => m(0, 0, 0, 0, 1, ABC),
            SelfOp => m(0, 0, 0, 0, 1, ABC),
            AddI | AddK | SubK | MulK | ModK | PowK | DivK | IDivK | BAndK | BOrK | BXorK | ShrI | ShlI | Add | Sub
            | Mul | Mod | Pow | Div | IDiv | BAnd | BOr | BXor | Shl | Shr => m(0, 0, 0, 0, 1, ABC),
            MmBin | MmBinI | MmBinK => m(1, 0, 0, 0, 0, ABC),
            Unm | BNot | Not | Len | Concat => m(0, 0, 0, 0, 1, ABC),
            Close | Tbc => m(0, 0, 0, 0, 0, ABC),
            Jmp => m(0, 0, 0, 0, 0, SJ),
            Eq | Lt | Le | EqK | EqI | LtI | LeI | GtI | GeI | Test => m(0, 0, 0, 1, 0, ABC),
            TestSet => m(0, 0, 0, 1, 1, ABC),
            Call => m(0, 1, 1, 0, 1, ABC),
            TailCall => m(0, 1, 1, 0, 1, ABC),
            Return => m(0, 0, 1, 0, 0, ABC),
            Return0 | Return1 => m(0, 0, 0, 0, 0, ABC),
            ForLoop | ForPrep => m(0, 0, 0, 0, 1, ABX),
            TForPrep => m(0, 0, 0, 0, 0, ABX),
            TForCall => m(0, 0, 0, 0, 0, ABC),
            TForLoop => m(0, 0, 0, 0, 1, ABX),
            SetList => m(0, 0, 1, 0, 0, ABC),
            Closure => m(0, 0, 0, 0, 1, ABX),
            VarArg => m(0, 1, 0, 0, 1, ABC),
            VarArgPrep => m(0, 0, 1, 0, 1, ABC),
            ExtraArg => m(0, 0, 0, 0, 0, AX),
        }
    }

    /// The instruction format of the opcode.
    pub const fn mode(self) -> OpMode {
        match self.props() & 7 {
            0 => OpMode::IABC,
            1 => OpMode::IABx,
            2 => OpMode::IAsBx,
            3 => OpMode::IAx,
            _ => OpMode::IsJ,
        }
    }

    /// Whether the instruction writes register A.
    pub const fn sets_a(self) -> bool {
        self.props() & (1 << 3) != 0
    }

    /// Whether the instruction is a test (the next one is a jump).
    pub const fn is_test(self) -> bool {
        self.props() & (1 << 4) != 0
    }

    /// Whether the instruction uses `top` from the previous one (when B == 0).
    pub const fn uses_top(self) -> bool {
        self.props() & (1 << 5) != 0
    }

    /// Whether the instruction sets `top` for the next one (when C == 0).
    pub const fn sets_top(self) -> bool {
        self.props() & (1 << 6) != 0
    }

    /// Whether the instruction calls a metamethod (the MMBIN family).
    pub const fn is_mm(self) -> bool {
        self.props() & (1 << 7) != 0
    }
}

const OPNAMES: [&str; NUM_OPCODES] = [
    "MOVE",
    "LOADI",
    "LOADF",
    "LOADK",
    "LOADKX",
    "LOADFALSE",
    "LFALSESKIP",
    "LOADTRUE",
    "LOADNIL",
    "GETUPVAL",
    "SETUPVAL",
    "GETTABUP",
    "GETTABLE",
    "GETI",
    "GETFIELD",
    "SETTABUP",
    "SETTABLE",
    "SETI",
    "SETFIELD",
    "NEWTABLE",
    "SELF",
    "ADDI",
    "ADDK",
    "SUBK",
    "MULK",
    "MODK",
    "POWK",
    "DIVK",
    "IDIVK",
    "BANDK",
    "BORK",
    "BXORK",
    "SHRI",
    "SHLI",
    "ADD",
    "SUB",
    "MUL",
    "MOD",
    "POW",
    "DIV",
    "IDIV",
    "BAND",
    "BOR",
    "BXOR",
    "SHL",
    "SHR",
    "MMBIN",
    "MMBINI",
    "MMBINK",
    "UNM",
    "BNOT",
    "NOT",
    "LEN",
    "CONCAT",
    "CLOSE",
    "TBC",
    "JMP",
    "EQ",
    "LT",
    "LE",
    "EQK",
    "EQI",
    "LTI",
    "LEI",
    "GTI",
    "GEI",
    "TEST",
    "TESTSET",
    "CALL",
    "TAILCALL",
    "RETURN",
    "RETURN0",
    "RETURN1",
    "FORLOOP",
    "FORPREP",
    "TFORPREP",
    "TFORCALL",
    "TFORLOOP",
    "SETLIST",
    "CLOSURE",
    "VARARG",
    "VARARGPREP",
    "EXTRAARG",
];

// ---------------------------------------------------------------------------
// Field access. These are plain bit operations; they never fail.

/// The opcode of `i`. Instructions are produced only by the compiler and the
/// checked binary-chunk loader, so the opcode field is always valid; an
/// invalid one maps to `ExtraArg`, which the VM treats as an error.
#[inline(always)]
pub fn get_op(i: Instruction) -> OpCode {
    OpCode::from_u8((i & ((1 << SIZE_OP) - 1)) as u8).unwrap_or(OpCode::ExtraArg)
}
#[inline(always)]
pub const fn arg_a(i: Instruction) -> u32 {
    (i >> POS_A) & MAXARG_A
}
#[inline(always)]
pub const fn arg_b(i: Instruction) -> u32 {
    (i >> POS_B) & MAXARG_B
}
#[inline(always)]
pub const fn arg_sb(i: Instruction) -> i32 {
    arg_b(i) as i32 - OFFSET_SC
}
#[inline(always)]
pub const fn arg_c(i: Instruction) -> u32 {
    (i >> POS_C) & MAXARG_C
}
#[inline(always)]
pub const fn arg_sc(i: Instruction) -> i32 {
    arg_c(i) as i32 - OFFSET_SC
}
#[inline(always)]
pub const fn arg_k(i: Instruction) -> bool {
    (i >> POS_K) & 1 != 0
}
#[inline(always)]
pub const fn arg_bx(i: Instruction) -> u32 {
    (i >> POS_BX) & MAXARG_BX
}
#[inline(always)]
pub const fn arg_sbx(i: Instruction) -> i32 {
    arg_bx(i) as i32 - OFFSET_SBX
}
#[inline(always)]
pub const fn arg_ax(i: Instruction) -> u32 {
    (i >> POS_AX) & MAXARG_AX
}
#[inline(always)]
pub const fn arg_sj(i: Instruction) -> i32 {
    ((i >> POS_SJ) & MAXARG_SJ) as i32 - OFFSET_SJ
}

// ---------------------------------------------------------------------------
// Construction and patching.

pub const fn create_abck(o: OpCode, a: u32, b: u32, c: u32, k: bool) -> Instruction {
    ((o as u32) << POS_OP) | (a << POS_A) | (b << POS_B) | (c << POS_C) | ((k as u32) << POS_K)
}
pub const fn create_abx(o: OpCode, a: u32, bx: u32) -> Instruction {
    ((o as u32) << POS_OP) | (a << POS_A) | (bx << POS_BX)
}
pub const fn create_asbx(o: OpCode, a: u32, sbx: i32) -> Instruction {
    create_abx(o, a, (sbx + OFFSET_SBX) as u32)
}
pub const fn create_ax(o: OpCode, ax: u32) -> Instruction {
    ((o as u32) << POS_OP) | (ax << POS_AX)
}
pub const fn create_sj(o: OpCode, sj: i32, k: bool) -> Instruction {
    ((o as u32) << POS_OP) | (((sj + OFFSET_SJ) as u32) << POS_SJ) | ((k as u32) << POS_K)
}

#[inline]
const fn set_field(i: Instruction, v: u32, pos: u32, size: u32) -> Instruction {
    let mask = ((1u32 << size) - 1) << pos;
    (i & !mask) | ((v << pos) & mask)
}
pub const fn set_op(i: Instruction, o: OpCode) -> Instruction {
    set_field(i, o as u32, POS_OP, SIZE_OP)
}
pub const fn set_a(i: Instruction, v: u32) -> Instruction {
    set_field(i, v, POS_A, SIZE_A)
}
pub const fn set_b(i: Instruction, v: u32) -> Instruction {
    set_field(i, v, POS_B, SIZE_B)
}
pub const fn set_c(i: Instruction, v: u32) -> Instruction {
    set_field(i, v, POS_C, SIZE_C)
}
pub const fn set_k(i: Instruction, v: bool) -> Instruction {
    set_field(i, v as u32, POS_K, 1)
}
pub const fn set_bx(i: Instruction, v: u32) -> Instruction {
    set_field(i, v, POS_BX, SIZE_BX)
}
pub const fn set_sbx(i: Instruction, v: i32) -> Instruction {
    set_bx(i, (v + OFFSET_SBX) as u32)
}
pub const fn set_sj(i: Instruction, v: i32) -> Instruction {
    set_field(i, (v + OFFSET_SJ) as u32, POS_SJ, SIZE_SJ)
}

/// Converts a signed value to its excess-K `sC`/`sB` encoding.
pub const fn int_to_sc(i: i32) -> u32 {
    (i + OFFSET_SC) as u32
}

/// Whether `i` fits an `sC`/`sB` operand.
pub const fn fits_sc(i: i64) -> bool {
    let u = (i as u64).wrapping_add(OFFSET_SC as u64);
    u <= MAXARG_C as u64
}

/// Whether `i` fits an `sBx` operand.
pub const fn fits_sbx(i: i64) -> bool {
    -(OFFSET_SBX as i64) <= i && i <= (MAXARG_BX as i64 - OFFSET_SBX as i64)
}

/// Metamethod events in the order of PUC's `TMS` enumeration. `MMBIN`'s C
/// operand names one of the arithmetic/bitwise ones by this numbering.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TmKind {
    Index = 0,
    NewIndex,
    Gc,
    Mode,
    Len,
    Eq,
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
    Lt,
    Le,
    Concat,
    Call,
    Close,
}

/// Number of metamethod events.
pub const TM_N: usize = TmKind::Close as usize + 1;

impl TmKind {
    /// All events, indexed by their number.
    pub const ALL: [TmKind; TM_N] = [
        TmKind::Index,
        TmKind::NewIndex,
        TmKind::Gc,
        TmKind::Mode,
        TmKind::Len,
        TmKind::Eq,
        TmKind::Add,
        TmKind::Sub,
        TmKind::Mul,
        TmKind::Mod,
        TmKind::Pow,
        TmKind::Div,
        TmKind::IDiv,
        TmKind::BAnd,
        TmKind::BOr,
        TmKind::BXor,
        TmKind::Shl,
        TmKind::Shr,
        TmKind::Unm,
        TmKind::BNot,
        TmKind::Lt,
        TmKind::Le,
        TmKind::Concat,
        TmKind::Call,
        TmKind::Close,
    ];

    /// The event numbered `n`, if any.
    pub fn from_u32(n: u32) -> Option<TmKind> {
        Self::ALL.get(n as usize).copied()
    }

    /// The metatable key of the event, e.g. `"__add"`.
    pub const fn name(self) -> &'static str {
        match self {
            TmKind::Index => "__index",
            TmKind::NewIndex => "__newindex",
            TmKind::Gc => "__gc",
            TmKind::Mode => "__mode",
            TmKind::Len => "__len",
            TmKind::Eq => "__eq",
            TmKind::Add => "__add",
            TmKind::Sub => "__sub",
            TmKind::Mul => "__mul",
            TmKind::Mod => "__mod",
            TmKind::Pow => "__pow",
            TmKind::Div => "__div",
            TmKind::IDiv => "__idiv",
            TmKind::BAnd => "__band",
            TmKind::BOr => "__bor",
            TmKind::BXor => "__bxor",
            TmKind::Shl => "__shl",
            TmKind::Shr => "__shr",
            TmKind::Unm => "__unm",
            TmKind::BNot => "__bnot",
            TmKind::Lt => "__lt",
            TmKind::Le => "__le",
            TmKind::Concat => "__concat",
            TmKind::Call => "__call",
            TmKind::Close => "__close",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_matches_puc() {
        assert_eq!(OpCode::Move as u8, 0);
        assert_eq!(OpCode::MmBin as u8, 46);
        assert_eq!(OpCode::Jmp as u8, 56);
        assert_eq!(OpCode::Call as u8, 68);
        assert_eq!(OpCode::ExtraArg as u8, 82);
        assert_eq!(NUM_OPCODES, 83);
        for (n, op) in OpCode::ALL.iter().enumerate() {
            assert_eq!(*op as usize, n);
        }
        assert_eq!(TmKind::Add as u8, 6);
        assert_eq!(TmKind::Close as usize, 24);
    }

    #[test]
    fn encode_decode_roundtrip() {
        let i = create_abck(OpCode::Add, 3, 200, 17, true);
        assert_eq!(get_op(i), OpCode::Add);
        assert_eq!((arg_a(i), arg_b(i), arg_c(i), arg_k(i)), (3, 200, 17, true));
        let i = create_asbx(OpCode::LoadI, 5, -1234);
        assert_eq!(arg_sbx(i), -1234);
        let i = create_sj(OpCode::Jmp, -99999, false);
        assert_eq!(arg_sj(i), -99999);
        let i = set_sj(i, 42);
        assert_eq!(arg_sj(i), 42);
        assert!(fits_sc(127) && fits_sc(-127) && !fits_sc(129) && !fits_sc(-128));
    }
}
