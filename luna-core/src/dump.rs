//! Binary chunks: `string.dump` (`dump`) and loading them back (`undump`),
//! with a verifier that makes loading untrusted bytes memory-safe.
//!
//! The format is PUC Lua 5.4's (ldump.c, lundump.c), byte for byte, so
//! chunks go both ways between luna and `luac`/`lua5.4`. The header holds
//! the signature, version 0x54, format 0, `LUAC_DATA`, the sizes of
//! instructions (4), integers (8) and floats (8), the check values
//! `0x5678` and `370.5`, and the number of upvalues of the main function.
//! Each function follows: its source (omitted when stripped or equal to
//! its parent's), lines, parameters, code, constants (tagged as PUC's
//! type variants), upvalues (in-stack flag, index, kind), nested
//! functions, and debug information. Counts and sizes are variable-length
//! integers (groups of 7 bits, big-endian, the last byte marked with
//! 0x80), strings are size + 1 then the bytes (0 for "none"), integers
//! and floats 8 little-endian bytes. Luna keeps the absolute line of
//! every instruction; the chunk has PUC's form of it, one signed byte per
//! instruction relative to the one before plus a list of absolute (pc,
//! line) pairs (`encode_lines`, `decode_lines`).
//!
//! The interpreter trusts bytecode: it addresses registers, constants and
//! upvalues without bounds checks. The compiler only emits valid code;
//! `verify` checks a loaded prototype against the same rules (every
//! operand in range, every jump and fall-through inside the code, the
//! instruction pairs the interpreter relies on), so a corrupt or hostile
//! chunk is rejected with "bad binary format" instead of being run.

use crate::compiler::proto::VarKind;
use crate::gc::Gc;
use crate::object::function::{LocVar, Proto, UpvalInfo};
use crate::object::string::LuaStr;
use crate::state::State;
use crate::value::Value;
use crate::vm::opcodes::*;
use crate::vm::LResult;

const LUAC_VERSION: u8 = 0x54;
const LUAC_FORMAT: u8 = 0;
const LUAC_DATA: &[u8] = b"\x19\x93\r\n\x1a\n";
const LUAC_INT: i64 = 0x5678;
const LUAC_NUM: f64 = 370.5;

const TAG_NIL: u8 = 0x00;
const TAG_FALSE: u8 = 0x01;
const TAG_TRUE: u8 = 0x11;
const TAG_INT: u8 = 0x03;
const TAG_FLOAT: u8 = 0x13;
const TAG_SHORT_STR: u8 = 0x04;
const TAG_LONG_STR: u8 = 0x14;

/// Largest nesting of function prototypes accepted when loading (the
/// loader recurses once per level).
const MAX_PROTO_DEPTH: usize = 200;

struct Writer {
    out: Vec<u8>,
    strip: bool,
}

impl Writer {
    fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    fn size(&mut self, mut x: usize) {
        // Big-endian groups of 7 bits, the last byte marked with 0x80.
        let mut buf = [0u8; 10];
        let mut n = 0;
        loop {
            buf[9 - n] = (x & 0x7f) as u8;
            n += 1;
            x >>= 7;
            if x == 0 {
                break;
            }
        }
        buf[9] |= 0x80;
        self.out.extend_from_slice(&buf[10 - n..]);
    }

    fn string(&mut self, s: Option<&[u8]>) {
        match s {
            None => self.size(0),
            Some(b) => {
                self.size(b.len() + 1);
                self.out.extend_from_slice(b);
            }
        }
    }

    fn function(&mut self, p: &Proto, parent_source: Option<Gc<LuaStr>>) {
        let same = match (p.source, parent_source) {
            (Some(a), Some(b)) => LuaStr::equal(a, b),
            (None, None) => true,
            _ => false,
        };
        if self.strip || same {
            self.string(None);
        } else {
            self.string(p.source.as_ref().map(|s| s.as_bytes()));
        }
        self.size(p.line_defined as usize);
        self.size(p.last_line_defined as usize);
        self.byte(p.num_params);
        self.byte(p.is_vararg as u8);
        self.byte(p.max_stack_size);
        self.size(p.code.len());
        for i in p.code.iter() {
            self.out.extend_from_slice(&i.to_le_bytes());
        }
        self.size(p.constants.len());
        for k in p.constants.iter() {
            match *k {
                Value::Nil => self.byte(TAG_NIL),
                Value::Bool(false) => self.byte(TAG_FALSE),
                Value::Bool(true) => self.byte(TAG_TRUE),
                Value::Int(i) => {
                    self.byte(TAG_INT);
                    self.out.extend_from_slice(&i.to_le_bytes());
                }
                Value::Float(f) => {
                    self.byte(TAG_FLOAT);
                    self.out.extend_from_slice(&f.to_le_bytes());
                }
                Value::Str(s) => {
                    self.byte(if s.is_short() { TAG_SHORT_STR } else { TAG_LONG_STR });
                    self.string(Some(s.as_bytes()));
                }
                _ => self.byte(TAG_NIL),
            }
        }
        self.size(p.upvalues.len());
        for u in p.upvalues.iter() {
            self.byte(u.in_stack as u8);
            self.byte(u.index);
            self.byte(match u.kind {
                VarKind::Regular => 0,
                VarKind::Const => 1,
                VarKind::ToClose => 2,
                VarKind::CompileTimeConst => 3,
            });
        }
        self.size(p.protos.len());
        for q in p.protos.iter() {
            self.function(q, p.source);
        }
        // Debug information: lines, absolute lines, local variables and
        // upvalue names, four empty lists when stripped.
        if self.strip {
            for _ in 0..4 {
                self.size(0);
            }
            return;
        }
        let lines = encode_lines(p.line_defined, &p.line_info, &p.abs_line_pcs);
        self.size(lines.deltas.len());
        self.out.extend(lines.deltas.iter().map(|&d| d as u8));
        self.size(lines.absolute.len());
        for &(pc, line) in lines.absolute.iter() {
            self.size(pc as usize);
            self.size(line as usize);
        }
        self.size(p.loc_vars.len());
        for v in p.loc_vars.iter() {
            self.string(Some(v.name.as_bytes()));
            self.size(v.start_pc as usize);
            self.size(v.end_pc as usize);
        }
        self.size(p.upvalues.len());
        for u in p.upvalues.iter() {
            self.string(u.name.as_ref().map(|s| s.as_bytes()));
        }
    }
}

/// Why loading failed.
struct BadFormat(&'static str);

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], BadFormat> {
        if self.data.len() - self.pos < n {
            return Err(BadFormat("truncated chunk"));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, BadFormat> {
        Ok(self.bytes(1)?[0])
    }

    /// A variable-length integer of at most `limit` (PUC's `loadUnsigned`):
    /// big-endian groups of 7 bits, the last byte marked with 0x80.
    fn unsigned(&mut self, limit: usize) -> Result<usize, BadFormat> {
        let limit = limit >> 7;
        let mut x: usize = 0;
        loop {
            let b = self.byte()?;
            if x >= limit {
                return Err(BadFormat("integer overflow"));
            }
            x = (x << 7) | (b & 0x7f) as usize;
            if b & 0x80 != 0 {
                return Ok(x);
            }
        }
    }

    /// A string size (PUC's `loadSize`).
    fn size(&mut self) -> Result<usize, BadFormat> {
        self.unsigned(usize::MAX)
    }

    /// A C `int`: counts, lines and pcs (PUC's `loadInt`).
    fn int(&mut self) -> Result<u32, BadFormat> {
        Ok(self.unsigned(i32::MAX as usize)? as u32)
    }

    /// An `int` used as an element count: it cannot exceed the bytes left
    /// (each element takes at least `min_bytes`), which bounds allocations.
    fn count(&mut self, min_bytes: usize) -> Result<usize, BadFormat> {
        let n = self.int()? as usize;
        let left = self.data.len() - self.pos;
        if n.saturating_mul(min_bytes.max(1)) > left {
            return Err(BadFormat("truncated chunk"));
        }
        Ok(n)
    }

    fn u32(&mut self) -> Result<u32, BadFormat> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self) -> Result<i64, BadFormat> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }

    fn f64(&mut self) -> Result<f64, BadFormat> {
        Ok(f64::from_bits(self.i64()? as u64))
    }

    fn string(&mut self) -> Result<Option<&'a [u8]>, BadFormat> {
        let n = self.size()?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(self.bytes(n - 1)?))
    }
}

impl State {
    /// Serializes a Lua function as a binary chunk (`string.dump`).
    /// Returns `None` for native functions.
    pub fn dump_function(&self, f: Value, strip: bool) -> Option<Vec<u8>> {
        let Value::LuaFn(cl) = f else { return None };
        let mut w = Writer { out: Vec::new(), strip };
        w.out.extend_from_slice(crate::load::BINARY_SIGNATURE);
        w.byte(LUAC_VERSION);
        w.byte(LUAC_FORMAT);
        w.out.extend_from_slice(LUAC_DATA);
        w.byte(4);
        w.byte(8);
        w.byte(8);
        w.out.extend_from_slice(&LUAC_INT.to_le_bytes());
        w.out.extend_from_slice(&LUAC_NUM.to_le_bytes());
        w.byte(cl.upvals.len().min(255) as u8);
        w.function(&cl.proto, None);
        Some(w.out)
    }

    /// Loads a binary chunk into a verified prototype (PUC's
    /// `luaU_undump`). Errors are "NAME: bad binary format (why)".
    pub(crate) fn undump(&mut self, chunk: &[u8], chunkname: &[u8]) -> LResult<Gc<Proto>> {
        let mut r = Reader { data: chunk, pos: 0 };
        let result = (|| -> Result<Result<Gc<Proto>, crate::vm::Throw>, BadFormat> {
            check_header(&mut r)?;
            let _nupvals = r.byte()?;
            self.load_function(&mut r, None, 0)
        })();
        match result {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(t)) => Err(t),
            Err(BadFormat(why)) => {
                let name: &[u8] = match chunkname.first() {
                    Some(b'@') | Some(b'=') => &chunkname[1..],
                    Some(0x1b) => b"binary string",
                    _ => chunkname,
                };
                let msg = format!("{}: bad binary format ({why})", String::from_utf8_lossy(name));
                Err(self.syntax_error_value(msg))
            }
        }
    }

    /// Loads one function. The outer `Result` is a format error; the inner
    /// one a memory error from creating strings or the prototype.
    fn load_function(
        &mut self,
        r: &mut Reader,
        parent_source: Option<Gc<LuaStr>>,
        depth: usize,
    ) -> Result<Result<Gc<Proto>, crate::vm::Throw>, BadFormat> {
        macro_rules! tryl {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(t) => return Ok(Err(t)),
                }
            };
        }
        if depth > MAX_PROTO_DEPTH {
            return Err(BadFormat("too many nested functions"));
        }
        let source = match r.string()? {
            Some(s) => Some(tryl!(self.new_str(s))),
            None => parent_source,
        };
        let line_defined = r.int()?;
        let last_line_defined = r.int()?;
        let num_params = r.byte()?;
        let is_vararg = r.byte()? != 0;
        let max_stack_size = r.byte()?;
        let ncode = r.count(4)?;
        let mut code = Vec::with_capacity(ncode);
        for _ in 0..ncode {
            code.push(r.u32()?);
        }
        let nk = r.count(1)?;
        let mut constants = Vec::with_capacity(nk);
        for _ in 0..nk {
            let v = match r.byte()? {
                TAG_NIL => Value::Nil,
                TAG_FALSE => Value::Bool(false),
                TAG_TRUE => Value::Bool(true),
                TAG_INT => Value::Int(r.i64()?),
                TAG_FLOAT => Value::Float(r.f64()?),
                TAG_SHORT_STR | TAG_LONG_STR => match r.string()? {
                    Some(s) => Value::Str(tryl!(self.new_str(s))),
                    None => return Err(BadFormat("bad format for constant string")),
                },
                _ => return Err(BadFormat("bad format for constant")),
            };
            constants.push(v);
        }
        let nup = r.count(3)?;
        let mut upvalues = Vec::with_capacity(nup);
        for _ in 0..nup {
            let in_stack = r.byte()? != 0;
            let index = r.byte()?;
            let kind = match r.byte()? {
                0 => VarKind::Regular,
                1 => VarKind::Const,
                2 => VarKind::ToClose,
                3 => VarKind::CompileTimeConst,
                _ => return Err(BadFormat("bad upvalue kind")),
            };
            upvalues.push(UpvalInfo { name: None, in_stack, index, kind });
        }
        let np = r.count(1)?;
        let mut protos = Vec::with_capacity(np);
        for _ in 0..np {
            match self.load_function(r, source, depth + 1)? {
                Ok(p) => protos.push(p),
                Err(t) => return Ok(Err(t)),
            }
        }
        let nlines = r.count(1)?;
        if nlines != 0 && nlines != ncode {
            return Err(BadFormat("bad line information"));
        }
        let deltas = r.bytes(nlines)?;
        let nabs = r.count(2)?;
        let mut absolute = Vec::with_capacity(nabs);
        for _ in 0..nabs {
            let pc = r.int()?;
            let line = r.int()?;
            absolute.push((pc, line));
        }
        let line_info = decode_lines(line_defined, deltas, &absolute);
        // Where the chunk has absolute entries, the dump puts them again.
        let mut abs_line_pcs: Vec<u32> = Vec::with_capacity(absolute.len());
        for &(pc, _) in absolute.iter() {
            if (pc as usize) < nlines && abs_line_pcs.last().is_none_or(|&last| last < pc) {
                abs_line_pcs.push(pc);
            }
        }
        let nloc = r.count(3)?;
        let mut loc_vars = Vec::with_capacity(nloc);
        for _ in 0..nloc {
            let name = match r.string()? {
                Some(s) => tryl!(self.new_str(s)),
                None => return Err(BadFormat("bad local variable name")),
            };
            let start_pc = r.int()?;
            let end_pc = r.int()?;
            loc_vars.push(LocVar { name, start_pc, end_pc });
        }
        // Any other count than 0 says that the names are there, one per
        // upvalue (as PUC's `loadDebug` reads them).
        let has_names = r.int()? != 0;
        for u in upvalues.iter_mut().filter(|_| has_names) {
            u.name = match r.string()? {
                Some(s) => Some(tryl!(self.new_str(s))),
                None => None,
            };
        }
        let p = Proto {
            code: code.into_boxed_slice(),
            constants: constants.into_boxed_slice(),
            protos: protos.into_boxed_slice(),
            upvalues: upvalues.into_boxed_slice(),
            line_info: line_info.into_boxed_slice(),
            abs_line_pcs: abs_line_pcs.into_boxed_slice(),
            loc_vars: loc_vars.into_boxed_slice(),
            source,
            line_defined,
            last_line_defined,
            num_params,
            is_vararg,
            max_stack_size,
        };
        verify(&p)?;
        Ok(self.heap.alloc(p).map_err(|_| self.mem_throw()))
    }
}

/// Largest difference between the lines of consecutive instructions kept
/// as a relative delta (PUC's `LIMLINEDIFF`).
const LIMIT_LINE_DIFF: i64 = 0x80;

/// The marker of a delta whose line is in the absolute list (PUC's
/// `ABSLINEINFO`).
const ABS_LINE_INFO: i8 = -0x80;

/// Line information in PUC's dumped form: one signed delta per
/// instruction, from the line of the instruction before (the first from
/// the line the function is defined on), and the (pc, line) pairs of the
/// instructions whose delta is `ABS_LINE_INFO`.
struct EncodedLines {
    deltas: Vec<i8>,
    absolute: Vec<(u32, u32)>,
}

/// Encodes the lines of a function's instructions as PUC's code generator
/// records them (`savelineinfo` in lcode.c): absolute entries at
/// `abs_pcs`, where the compiler placed them as PUC's would (or where the
/// loaded chunk had them), and wherever else the line moves by
/// `LIMIT_LINE_DIFF` or more (which a relative byte cannot hold; only a
/// chunk not made by PUC has such a move without an entry).
fn encode_lines(line_defined: u32, lines: &[u32], abs_pcs: &[u32]) -> EncodedLines {
    let mut out = EncodedLines { deltas: Vec::with_capacity(lines.len()), absolute: Vec::new() };
    let mut previous = line_defined as i64;
    let mut next_abs = abs_pcs.iter().peekable();
    for (pc, &line) in lines.iter().enumerate() {
        let diff = line as i64 - previous;
        let marked = next_abs.next_if(|&&p| p as usize == pc).is_some();
        if marked || diff.abs() >= LIMIT_LINE_DIFF {
            out.absolute.push((pc as u32, line));
            out.deltas.push(ABS_LINE_INFO);
        } else {
            out.deltas.push(diff as i8);
        }
        previous = line as i64;
    }
    out
}

/// The line of every instruction from PUC's dumped form (what
/// `luaG_getfuncline` computes for each pc): the line of the last
/// absolute entry at or before the instruction, moved by the deltas
/// after it. Lines that a corrupt chunk would drive below 0 or past
/// `i32::MAX` (PUC's largest) are clamped: they are debug information
/// only, and so every loaded function dumps to a chunk that loads back.
fn decode_lines(line_defined: u32, deltas: &[u8], absolute: &[(u32, u32)]) -> Vec<u32> {
    let mut lines = Vec::with_capacity(deltas.len());
    let mut line = line_defined as i64;
    let mut next_abs = 0;
    for (pc, &delta) in deltas.iter().enumerate() {
        let mut based = false;
        while next_abs < absolute.len() && absolute[next_abs].0 as usize <= pc {
            line = absolute[next_abs].1 as i64;
            based = true;
            next_abs += 1;
        }
        if !based {
            line = (line + delta as i8 as i64).clamp(0, i32::MAX as i64);
        }
        lines.push(line as u32);
    }
    lines
}

fn check_header(r: &mut Reader) -> Result<(), BadFormat> {
    if r.bytes(4)? != crate::load::BINARY_SIGNATURE {
        return Err(BadFormat("not a binary chunk"));
    }
    if r.byte()? != LUAC_VERSION {
        return Err(BadFormat("version mismatch"));
    }
    if r.byte()? != LUAC_FORMAT {
        return Err(BadFormat("format mismatch"));
    }
    if r.bytes(LUAC_DATA.len())? != LUAC_DATA {
        return Err(BadFormat("corrupted chunk"));
    }
    if r.byte()? != 4 {
        return Err(BadFormat("Instruction size mismatch"));
    }
    if r.byte()? != 8 {
        return Err(BadFormat("lua_Integer size mismatch"));
    }
    if r.byte()? != 8 {
        return Err(BadFormat("lua_Number size mismatch"));
    }
    if r.i64()? != LUAC_INT {
        return Err(BadFormat("integer format mismatch"));
    }
    if r.f64()? != LUAC_NUM {
        return Err(BadFormat("float format mismatch"));
    }
    Ok(())
}

/// Checks that the interpreter can run `p` without leaving its frame,
/// constants, upvalues or code, without reading a `top` that no
/// instruction set, and without returning over open upvalues or
/// to-be-closed variables (see the module docs). The rules are those the
/// compiler's code follows (PUC's code generator):
///
/// - every register, constant, upvalue and prototype operand is in range;
///   every jump, skip and fall-through lands inside the code, and in a
///   vararg function nothing jumps back to VARARGPREP at pc 0;
/// - an instruction taking its operands up to the top (CALL, TAILCALL,
///   RETURN or SETLIST with B = 0) comes right after one leaving an open
///   top (CALL or VARARG with C = 0, or TAILCALL), whose values start at
///   or above the ones it takes, and is reached no other way (no jump or
///   skip lands on it); an open top is always used by the next
///   instruction (PUC's `isOT(pc - 1) == isIT(pc)`);
/// - an arithmetic instruction is followed by the MMBIN, MMBINI or MMBINK
///   of its kind (its fast path skips it), and that is the only way to
///   reach an MMBIN; EXTRAARG is reached only as the operand of the
///   LOADKX, NEWTABLE or SETLIST (with k) before it;
/// - a test is followed by its jump and by an instruction to skip to;
/// - a function that can leave open upvalues or to-be-closed variables in
///   its frame (a closure of it captures one of its registers, or it has
///   TBC or TFORPREP) returns only with a closing (k) RETURN or TAILCALL,
///   never with RETURN0 or RETURN1, which are also excluded from vararg
///   functions (whose frame must be restored);
/// - VARARG appears only in vararg functions, whose first instruction,
///   and only that, is VARARGPREP.
fn verify(p: &Proto) -> Result<(), BadFormat> {
    const BAD: BadFormat = BadFormat("invalid bytecode");
    let code = &p.code[..];
    let n = code.len();
    let ms = p.max_stack_size as u32;
    let nk = p.constants.len() as u32;
    let nup = p.upvalues.len() as u32;
    if n == 0 || (p.num_params as u32) > ms {
        return Err(BAD);
    }
    let mut ops = Vec::with_capacity(n);
    for &i in code {
        ops.push(OpCode::from_u8((i & 0x7f) as u8).ok_or(BAD)?);
    }
    // Can the frame hold open upvalues or to-be-closed variables?
    let mut needs_close = ops.iter().any(|&op| matches!(op, OpCode::Tbc | OpCode::TForPrep));
    for q in p.protos.iter() {
        for u in q.upvalues.iter() {
            let ok = if u.in_stack { (u.index as u32) < ms } else { (u.index as u32) < nup };
            if !ok {
                return Err(BAD);
            }
            needs_close |= u.in_stack;
        }
    }
    let reg = |r: u32| if r < ms { Ok(()) } else { Err(BAD) };
    // Registers `a..=a+len` inside the frame (len may be -1 for empty).
    let regs = |a: u32, len: i64| if (a as i64 + len) < ms as i64 { Ok(()) } else { Err(BAD) };
    let kidx = |k: u32| if k < nk { Ok(()) } else { Err(BAD) };
    let uidx = |u: u32| if u < nup { Ok(()) } else { Err(BAD) };
    let rk = |k: bool, c: u32| if k { kidx(c) } else { reg(c) };
    // `entry[pc]`: instruction `pc` may be reached other than by falling
    // through from `pc - 1` (function entry, jumps, skips).
    let mut entry = vec![false; n];
    entry[0] = true;
    // A jump or skip to `t`.
    let land = |entry: &mut [bool], t: i64| {
        if t < 0 || t as usize >= n || (t == 0 && p.is_vararg) {
            return Err(BAD);
        }
        entry[t as usize] = true;
        Ok(())
    };
    let next_is = |pc: usize, want: OpCode| pc + 1 < n && ops[pc + 1] == want;
    for pc in 0..n {
        let i = code[pc];
        let op = ops[pc];
        let (a, b, c, k) = (arg_a(i), arg_b(i), arg_c(i), arg_k(i));
        let next = pc as i64 + 1;
        // Does execution continue with the next instruction?
        let mut falls_through = true;
        match op {
            OpCode::Move => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::LoadI | OpCode::LoadF | OpCode::LoadFalse | OpCode::LoadTrue => reg(a)?,
            OpCode::LoadK => {
                reg(a)?;
                kidx(arg_bx(i))?;
            }
            OpCode::LoadKX => {
                reg(a)?;
                if !next_is(pc, OpCode::ExtraArg) {
                    return Err(BAD);
                }
                kidx(arg_ax(code[pc + 1]))?;
                land(&mut entry, next + 1)?;
            }
            OpCode::LFalseSkip => {
                reg(a)?;
                land(&mut entry, next + 1)?;
            }
            OpCode::LoadNil => regs(a, b as i64)?,
            OpCode::GetUpval | OpCode::SetUpval => {
                reg(a)?;
                uidx(b)?;
            }
            OpCode::GetTabUp => {
                reg(a)?;
                uidx(b)?;
                kidx(c)?;
            }
            OpCode::GetTable => {
                reg(a)?;
                reg(b)?;
                reg(c)?;
            }
            OpCode::GetI => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::GetField => {
                reg(a)?;
                reg(b)?;
                kidx(c)?;
            }
            OpCode::SetTabUp => {
                uidx(a)?;
                kidx(b)?;
                rk(k, c)?;
            }
            OpCode::SetTable => {
                reg(a)?;
                reg(b)?;
                rk(k, c)?;
            }
            OpCode::SetI => {
                reg(a)?;
                rk(k, c)?;
            }
            OpCode::SetField => {
                reg(a)?;
                kidx(b)?;
                rk(k, c)?;
            }
            OpCode::NewTable => {
                reg(a)?;
                if !next_is(pc, OpCode::ExtraArg) {
                    return Err(BAD);
                }
                land(&mut entry, next + 1)?;
            }
            OpCode::SelfOp => {
                regs(a, 1)?;
                reg(b)?;
                rk(k, c)?;
            }
            OpCode::AddI | OpCode::ShrI | OpCode::ShlI => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::AddK
            | OpCode::SubK
            | OpCode::MulK
            | OpCode::ModK
            | OpCode::PowK
            | OpCode::DivK
            | OpCode::IDivK
            | OpCode::BAndK
            | OpCode::BOrK
            | OpCode::BXorK => {
                reg(a)?;
                reg(b)?;
                kidx(c)?;
            }
            OpCode::Add
            | OpCode::Sub
            | OpCode::Mul
            | OpCode::Mod
            | OpCode::Pow
            | OpCode::Div
            | OpCode::IDiv
            | OpCode::BAnd
            | OpCode::BOr
            | OpCode::BXor
            | OpCode::Shl
            | OpCode::Shr => {
                reg(a)?;
                reg(b)?;
                reg(c)?;
            }
            OpCode::MmBin | OpCode::MmBinI | OpCode::MmBinK => {
                reg(a)?;
                match op {
                    OpCode::MmBin => reg(b)?,
                    OpCode::MmBinK => kidx(b)?,
                    _ => {}
                }
                if TmKind::from_u32(c).is_none() {
                    return Err(BAD);
                }
            }
            OpCode::Unm | OpCode::BNot | OpCode::Not | OpCode::Len => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::Concat => {
                if b < 2 {
                    return Err(BAD);
                }
                regs(a, b as i64 - 1)?;
            }
            OpCode::Close | OpCode::Tbc => reg(a)?,
            OpCode::Jmp => {
                land(&mut entry, next + arg_sj(i) as i64)?;
                falls_through = false;
            }
            OpCode::Eq | OpCode::Lt | OpCode::Le => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::EqK => {
                reg(a)?;
                kidx(b)?;
            }
            OpCode::EqI | OpCode::LtI | OpCode::LeI | OpCode::GtI | OpCode::GeI | OpCode::Test => reg(a)?,
            OpCode::TestSet => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::Call => {
                reg(a)?;
                if b > 0 {
                    regs(a, b as i64 - 1)?;
                }
                if c > 0 {
                    regs(a, c as i64 - 2)?;
                }
            }
            OpCode::TailCall => {
                reg(a)?;
                if b > 0 {
                    regs(a, b as i64 - 1)?;
                }
                let c_ok = if p.is_vararg { c == p.num_params as u32 + 1 } else { c == 0 };
                if !c_ok || k != needs_close {
                    return Err(BAD);
                }
            }
            OpCode::Return => {
                if b > 0 {
                    regs(a, b as i64 - 2)?;
                } else {
                    reg(a)?;
                }
                let c_ok = if p.is_vararg { c == p.num_params as u32 + 1 } else { c == 0 };
                if !c_ok || k != needs_close {
                    return Err(BAD);
                }
                falls_through = false;
            }
            OpCode::Return0 | OpCode::Return1 => {
                if p.is_vararg || needs_close {
                    return Err(BAD);
                }
                // RETURN0 names the (empty) range of results starting at A.
                if op == OpCode::Return1 {
                    reg(a)?;
                } else {
                    regs(a, -1)?;
                }
                falls_through = false;
            }
            OpCode::ForLoop => {
                regs(a, 3)?;
                land(&mut entry, next - arg_bx(i) as i64)?;
            }
            OpCode::ForPrep => {
                regs(a, 3)?;
                // The skip lands after the loop's FORLOOP.
                land(&mut entry, next + arg_bx(i) as i64 + 1)?;
            }
            OpCode::TForPrep => {
                regs(a, 3)?;
                let t = next + arg_bx(i) as i64;
                land(&mut entry, t)?;
                // TFORPREP jumps to its TFORCALL, which the interpreter
                // expects there.
                if ops[t as usize] != OpCode::TForCall || arg_a(code[t as usize]) != a {
                    return Err(BAD);
                }
                falls_through = false;
            }
            OpCode::TForCall => {
                regs(a, 6)?;
                regs(a, 3 + c as i64)?;
                if !next_is(pc, OpCode::TForLoop) || arg_a(code[pc + 1]) != a {
                    return Err(BAD);
                }
            }
            OpCode::TForLoop => {
                regs(a, 4)?;
                land(&mut entry, next - arg_bx(i) as i64)?;
            }
            OpCode::SetList => {
                reg(a)?;
                regs(a, b as i64)?;
                if k {
                    if !next_is(pc, OpCode::ExtraArg) {
                        return Err(BAD);
                    }
                    land(&mut entry, next + 1)?;
                }
            }
            OpCode::Closure => {
                reg(a)?;
                if arg_bx(i) as usize >= p.protos.len() {
                    return Err(BAD);
                }
            }
            OpCode::VarArg => {
                if !p.is_vararg {
                    return Err(BAD);
                }
                reg(a)?;
                if c > 0 {
                    regs(a, c as i64 - 2)?;
                }
            }
            OpCode::VarArgPrep => {
                // B = 0 also tells hooks that it takes the top of the call.
                if pc != 0 || !p.is_vararg || a != p.num_params as u32 || b != 0 || c != 0 || k {
                    return Err(BAD);
                }
            }
            OpCode::ExtraArg => {}
        }
        if let Some(mm) = mm_of(op) {
            // The fast path skips the MMBIN that must follow.
            if !next_is(pc, mm) {
                return Err(BAD);
            }
            land(&mut entry, next + 1)?;
        }
        if op.is_test() {
            // A test is followed by the jump it takes or skips.
            if !next_is(pc, OpCode::Jmp) {
                return Err(BAD);
            }
            land(&mut entry, next + 1)?;
        }
        if p.is_vararg && pc == 0 && op != OpCode::VarArgPrep {
            return Err(BAD);
        }
        if falls_through && next as usize >= n {
            return Err(BAD);
        }
    }
    verify_locals(p)?;
    // Rules about how an instruction is reached, now that every entry
    // point is known.
    for pc in 0..n {
        let (op, i) = (ops[pc], code[pc]);
        let prev = if pc > 0 { Some((ops[pc - 1], code[pc - 1])) } else { None };
        let takes_top = takes_open_top(op, i);
        match prev {
            Some((pop, pi)) if leaves_open_top(pop, pi) => {
                if !takes_top || entry[pc] {
                    return Err(BAD);
                }
                // The values run from the producer's A to the top: the
                // consumer's own slots below them must come first (RETURN
                // takes all of them; the others keep A for the function
                // or the table).
                let (from, first) = (arg_a(pi), arg_a(i));
                let ok = if op == OpCode::Return { from >= first } else { from > first };
                if !ok {
                    return Err(BAD);
                }
            }
            _ => {
                if takes_top {
                    return Err(BAD);
                }
            }
        }
        match op {
            OpCode::MmBin | OpCode::MmBinI | OpCode::MmBinK
                if entry[pc] || prev.and_then(|(pop, _)| mm_of(pop)) != Some(op) =>
            {
                return Err(BAD);
            }
            OpCode::ExtraArg => {
                let operand_of = match prev {
                    Some((OpCode::LoadKX | OpCode::NewTable, _)) => true,
                    Some((OpCode::SetList, pi)) => arg_k(pi),
                    _ => false,
                };
                if entry[pc] || !operand_of {
                    return Err(BAD);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks the debug information of local variables: the `n`-th variable
/// active at an instruction lives in register `n - 1` (the debug library
/// reads and writes it there), so no more variables than registers may be
/// active at once.
fn verify_locals(p: &Proto) -> Result<(), BadFormat> {
    let n = p.code.len();
    // Changes of the number of active variables, by instruction.
    let mut delta = vec![0i64; n + 1];
    for v in p.loc_vars.iter() {
        let (start, end) = (v.start_pc as usize, (v.end_pc as usize).min(n));
        if start < end {
            delta[start] += 1;
            delta[end] -= 1;
        }
    }
    let mut active = 0;
    for d in delta {
        active += d;
        if active > p.max_stack_size as i64 {
            return Err(BadFormat("invalid local variable information"));
        }
    }
    Ok(())
}

/// The metamethod instruction that must follow arithmetic instruction
/// `op` (`None` for other instructions).
fn mm_of(op: OpCode) -> Option<OpCode> {
    match op {
        OpCode::AddI | OpCode::ShrI | OpCode::ShlI => Some(OpCode::MmBinI),
        OpCode::AddK
        | OpCode::SubK
        | OpCode::MulK
        | OpCode::ModK
        | OpCode::PowK
        | OpCode::DivK
        | OpCode::IDivK
        | OpCode::BAndK
        | OpCode::BOrK
        | OpCode::BXorK => Some(OpCode::MmBinK),
        OpCode::Add
        | OpCode::Sub
        | OpCode::Mul
        | OpCode::Mod
        | OpCode::Pow
        | OpCode::Div
        | OpCode::IDiv
        | OpCode::BAnd
        | OpCode::BOr
        | OpCode::BXor
        | OpCode::Shl
        | OpCode::Shr => Some(OpCode::MmBin),
        _ => None,
    }
}

/// Whether instruction `i` leaves an open top for the next one (PUC's
/// `isOT`): a call or vararg with all results, or a tail call.
fn leaves_open_top(op: OpCode, i: Instruction) -> bool {
    op.sets_top() && (arg_c(i) == 0 || op == OpCode::TailCall)
}

/// Whether instruction `i` takes its operands up to the top (PUC's
/// `isIT`, VARARGPREP aside: it runs at pc 0 with the top of the call).
fn takes_open_top(op: OpCode, i: Instruction) -> bool {
    op.uses_top() && arg_b(i) == 0 && op != OpCode::VarArgPrep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::LoadMode;

    const MS: u8 = 10;

    fn abc(op: OpCode, a: u32, b: u32, c: u32) -> Instruction {
        create_abck(op, a, b, c, false)
    }

    fn abck(op: OpCode, a: u32, b: u32, c: u32) -> Instruction {
        create_abck(op, a, b, c, true)
    }

    fn jmp(sj: i32) -> Instruction {
        create_sj(OpCode::Jmp, sj, false)
    }

    /// A prototype with `MS` registers, two integer constants and one
    /// upvalue (not from the stack).
    fn proto(code: &[Instruction]) -> Proto {
        Proto {
            code: code.to_vec().into_boxed_slice(),
            constants: vec![Value::Int(1), Value::Int(2)].into_boxed_slice(),
            protos: Box::new([]),
            upvalues: vec![UpvalInfo { name: None, in_stack: false, index: 0, kind: VarKind::Regular }]
                .into_boxed_slice(),
            line_info: Box::new([]),
            abs_line_pcs: Box::new([]),
            loc_vars: Box::new([]),
            source: None,
            line_defined: 0,
            last_line_defined: 0,
            num_params: 0,
            is_vararg: false,
            max_stack_size: MS,
        }
    }

    fn vararg(code: &[Instruction]) -> Proto {
        Proto { is_vararg: true, ..proto(code) }
    }

    /// `code` in a function with a nested prototype capturing register 0.
    fn capturing(st: &mut State, code: &[Instruction]) -> Proto {
        let mut child = proto(&[abc(OpCode::Return0, 0, 0, 0)]);
        child.upvalues =
            vec![UpvalInfo { name: None, in_stack: true, index: 0, kind: VarKind::Regular }].into_boxed_slice();
        let Ok(child) = st.heap.alloc(child) else { panic!("allocation") };
        Proto { protos: vec![child].into_boxed_slice(), ..proto(code) }
    }

    fn accepted(p: &Proto) -> bool {
        verify(p).is_ok()
    }

    const RET0: Instruction = create_abck(OpCode::Return0, 0, 0, 0, false);

    /// The source of the PUC fixtures: a gap of 200 lines (an absolute
    /// line entry), a nested function, an upvalue, and constants.
    fn fixture_source() -> String {
        format!(
            "local a = ...\n{}local function f(x)\n  return x + a, 'str', 2.5\nend\nreturn f(1)\n",
            "\n".repeat(200)
        )
    }

    /// `string.dump` of `fixture_source()` loaded as "=t" by PUC Lua 5.4.8.
    const PUC_FULL: &[u8] =
        b"\x1b\x4c\x75\x61\x54\x00\x19\x93\x0d\x0a\x1a\x0a\x04\x08\x08\x78\x56\x00\x00\x00\x00\x00\x00\x00\
          \x00\x00\x00\x00\x28\x77\x40\x01\x83\x3d\x74\x80\x80\x00\x01\x04\x88\x51\x00\x00\x00\x50\x00\x00\
          \x02\xcf\x00\x00\x00\x00\x01\x01\x00\x81\x01\x00\x80\x45\x81\x02\x01\x46\x81\x00\x01\x46\x81\x01\
          \x01\x80\x81\x01\x00\x00\x81\x80\x01\xca\x01\xcc\x01\x00\x04\x87\x89\x00\x00\x00\xa2\x00\x00\x01\
          \x2e\x00\x01\x06\x03\x01\x00\x00\x83\x81\x00\x00\xc6\x00\x04\x00\xc7\x00\x01\x00\x82\x04\x84\x73\
          \x74\x72\x13\x00\x00\x00\x00\x00\x00\x04\x40\x81\x01\x00\x00\x80\x87\x01\x00\x00\x00\x00\x00\x01\
          \x80\x81\x82\x78\x80\x87\x81\x82\x61\x88\x01\x00\x80\x01\x00\x00\x00\x00\x81\x82\x01\xcc\x82\x82\
          \x61\x82\x88\x82\x66\x83\x88\x81\x85\x5f\x45\x4e\x56";

    /// The same, stripped.
    const PUC_STRIPPED: &[u8] =
        b"\x1b\x4c\x75\x61\x54\x00\x19\x93\x0d\x0a\x1a\x0a\x04\x08\x08\x78\x56\x00\x00\x00\x00\x00\x00\x00\
          \x00\x00\x00\x00\x28\x77\x40\x01\x80\x80\x80\x00\x01\x04\x88\x51\x00\x00\x00\x50\x00\x00\x02\xcf\
          \x00\x00\x00\x00\x01\x01\x00\x81\x01\x00\x80\x45\x81\x02\x01\x46\x81\x00\x01\x46\x81\x01\x01\x80\
          \x81\x01\x00\x00\x81\x80\x01\xca\x01\xcc\x01\x00\x04\x87\x89\x00\x00\x00\xa2\x00\x00\x01\x2e\x00\
          \x01\x06\x03\x01\x00\x00\x83\x81\x00\x00\xc6\x00\x04\x00\xc7\x00\x01\x00\x82\x04\x84\x73\x74\x72\
          \x13\x00\x00\x00\x00\x00\x00\x04\x40\x81\x01\x00\x00\x80\x80\x80\x80\x80\x80\x80\x80\x80";

    /// The line of every instruction of `p` and its nested functions.
    fn all_lines(p: &Proto) -> Vec<Vec<u32>> {
        let mut out = vec![p.line_info.to_vec()];
        for q in p.protos.iter() {
            out.extend(all_lines(q));
        }
        out
    }

    fn proto_of(f: Value) -> Gc<Proto> {
        let Value::LuaFn(cl) = f else { panic!("a Lua function") };
        cl.proto
    }

    #[test]
    fn dumps_are_puc_chunks_byte_for_byte() {
        let mut st = State::new_trusted();
        let src = fixture_source();
        let Ok(f) = st.load(src.as_bytes(), b"=t", LoadMode::Text, None) else { panic!("compiles") };
        assert_eq!(st.dump_function(f, false).expect("dump"), PUC_FULL);
        assert_eq!(st.dump_function(f, true).expect("dump"), PUC_STRIPPED);
        // PUC's chunks load with the lines of the source, and dump back.
        let Ok(g) = st.load(PUC_FULL, b"=t", LoadMode::Binary, None) else { panic!("PUC's chunk loads") };
        assert_eq!(all_lines(&proto_of(g)), all_lines(&proto_of(f)));
        assert_eq!(proto_of(g).line_at(2), Some(204));
        assert_eq!(st.dump_function(g, false).expect("dump"), PUC_FULL);
        let Ok(g) = st.load(PUC_STRIPPED, b"=t", LoadMode::Binary, None) else { panic!("PUC's chunk loads") };
        let p = proto_of(g);
        assert!(p.source.is_none() && p.line_info.is_empty() && p.loc_vars.is_empty());
        assert_eq!(st.dump_function(g, true).expect("dump"), PUC_STRIPPED);
        // The header's count of upvalues of the main function.
        assert_eq!(PUC_FULL[31], 1);
    }

    #[test]
    fn lines_encode_as_puc_code_generator_saves_them() {
        // One instruction per line: the compiler places an absolute entry
        // after 128 relative ones, then after every 127 more (PUC's
        // counter restarts at 1).
        let src: String = (0..300).map(|i| format!("x = {i}\n")).collect();
        let mut st = State::new_trusted();
        let Ok(f) = st.load(src.as_bytes(), b"=t", LoadMode::Text, None) else { panic!("compiles") };
        let p = proto_of(f);
        let enc = encode_lines(p.line_defined, &p.line_info, &p.abs_line_pcs);
        let bytes: Vec<u8> = enc.deltas.iter().map(|&d| d as u8).collect();
        assert_eq!(decode_lines(p.line_defined, &bytes, &enc.absolute), p.line_info.to_vec());
        assert_eq!(enc.absolute.iter().map(|a| a.0).collect::<Vec<_>>(), vec![128, 256]);
        // Differences of 128 or more either way are absolute; 127 is not.
        let enc = encode_lines(10, &[10, 137, 265, 137, 10, 9], &[]);
        assert_eq!(enc.deltas, vec![0, 127, ABS_LINE_INFO, ABS_LINE_INFO, -127, -1]);
        assert_eq!(enc.absolute, vec![(2, 265), (3, 137)]);
        // Entries the compiler placed stay where they are.
        let enc = encode_lines(10, &[10, 11, 12], &[1]);
        assert_eq!(enc.deltas, vec![0, ABS_LINE_INFO, 1]);
        assert_eq!(enc.absolute, vec![(1, 11)]);
        // Decoding gives the lines back.
        let cases: [(u32, Vec<u32>); 3] = [
            (10, vec![10, 137, 265, 137, 10, 9]),
            (5, vec![]),
            (1, (0..1000).map(|i| (i * 37 % 301) as u32).collect()),
        ];
        for (defined, lines) in cases {
            let enc = encode_lines(defined, &lines, &[]);
            let bytes: Vec<u8> = enc.deltas.iter().map(|&d| d as u8).collect();
            assert_eq!(decode_lines(defined, &bytes, &enc.absolute), lines);
        }
    }

    #[test]
    fn corrupt_lines_are_clamped() {
        // Below the first line, above PUC's largest, and an absolute
        // marker with no entry (PUC adds -128, as a delta).
        assert_eq!(decode_lines(0, &[0x80, 0x01], &[]), vec![0, 1]);
        let top = i32::MAX as u32;
        assert_eq!(decode_lines(0, &[0x80, 0x7f], &[(0, top)]), vec![top, top]);
        // An entry out of order applies with the one before it; entries
        // past the code are ignored.
        assert_eq!(decode_lines(3, &[1, 1, 1], &[(1, 50), (0, 7), (9, 9)]), vec![4, 7, 8]);
    }

    #[test]
    fn compiled_code_round_trips() {
        let src = r#"
            local t = {...}
            local function f(...) return select('#', ...), ... end
            local a, b = f(table.unpack(t)), {f(1, 2, 3)}
            local s = 0
            for i = 1, 10 do s = s + i * 2 - (i // 3) ^ 2 % 7 end
            for k, v in pairs({x = 1, y = 2}) do s = s + v end
            do local c <close> = nil; s = s + #tostring(s) end
            local function g() return s end
            local x = a and b or s == 1
            local big = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
              24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
              48, 49, 50, 51, 52, 53, 54, f()}
            while s > 1000 do s = s >> 1 end
            return g(), ..., x, big
        "#;
        let mut st = State::new_trusted();
        let Ok(f) = st.load(src.as_bytes(), b"=test", LoadMode::Text, None) else { panic!("compiles") };
        for strip in [false, true] {
            let bin = st.dump_function(f, strip).expect("dump");
            assert!(st.load(&bin, b"=test", LoadMode::Binary, None).is_ok(), "strip = {strip}");
        }
    }

    #[test]
    fn open_top_needs_the_instruction_before() {
        // f(g()): the inner call leaves its results open for the outer one.
        let call_call = [abc(OpCode::Call, 1, 1, 0), abc(OpCode::Call, 0, 0, 1), RET0];
        assert!(accepted(&proto(&call_call)));
        // return ... / {...}
        let ret_vararg = [abc(OpCode::VarArgPrep, 0, 0, 0), abc(OpCode::VarArg, 0, 0, 0), abc(OpCode::Return, 0, 0, 1)];
        assert!(accepted(&vararg(&ret_vararg)));
        // The consumer without a producer, or first.
        assert!(!accepted(&proto(&[abc(OpCode::LoadNil, 0, 3, 0), abc(OpCode::Call, 0, 0, 1), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::Return, 0, 0, 0)])));
        assert!(!accepted(&proto(&[
            abc(OpCode::Move, 5, 0, 0),
            abc(OpCode::TailCall, 5, 0, 0),
            abc(OpCode::Return, 5, 0, 0)
        ])));
        let setlist =
            [abc(OpCode::NewTable, 5, 0, 0), create_ax(OpCode::ExtraArg, 0), abc(OpCode::SetList, 5, 0, 0), RET0];
        assert!(!accepted(&proto(&setlist)));
        // A producer whose results are not used by the next instruction.
        assert!(!accepted(&proto(&[abc(OpCode::Call, 1, 1, 0), RET0])));
        assert!(!accepted(&vararg(&[
            abc(OpCode::VarArgPrep, 0, 0, 0),
            abc(OpCode::VarArg, 0, 0, 0),
            abc(OpCode::Return, 0, 1, 1)
        ])));
        // A consumer reached by a jump or a skip, where the top is stale.
        let jumped = [jmp(1), abc(OpCode::Call, 1, 1, 0), abc(OpCode::Call, 0, 0, 1), RET0];
        assert!(!accepted(&proto(&jumped)));
        let skipped = [abc(OpCode::LFalseSkip, 5, 0, 0), abc(OpCode::Call, 1, 1, 0), abc(OpCode::Call, 0, 0, 1), RET0];
        assert!(!accepted(&proto(&skipped)));
    }

    #[test]
    fn open_values_start_above_the_consumer() {
        // The values must not start below the consumer's function (or
        // table) slot: the count would be negative.
        assert!(!accepted(&proto(&[abc(OpCode::Call, 0, 1, 0), abc(OpCode::Call, 0, 0, 1), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::Call, 1, 1, 0), abc(OpCode::Call, 5, 0, 1), RET0])));
        let setlist = |from| {
            [
                abc(OpCode::NewTable, 1, 0, 0),
                create_ax(OpCode::ExtraArg, 0),
                abc(OpCode::Call, from, 1, 0),
                abc(OpCode::SetList, 1, 0, 0),
                RET0,
            ]
        };
        assert!(accepted(&proto(&setlist(2))));
        assert!(!accepted(&proto(&setlist(1))));
        let ret =
            |from| [abc(OpCode::VarArgPrep, 0, 0, 0), abc(OpCode::VarArg, from, 0, 0), abc(OpCode::Return, 2, 0, 1)];
        assert!(accepted(&vararg(&ret(2))));
        assert!(!accepted(&vararg(&ret(1))));
        let tail = |from| [abc(OpCode::Call, from, 1, 0), abc(OpCode::TailCall, 1, 0, 0), abc(OpCode::Return, 1, 0, 0)];
        assert!(accepted(&proto(&tail(2))));
        assert!(!accepted(&proto(&tail(1))));
    }

    #[test]
    fn frames_that_need_closing_return_with_k() {
        let mut st = State::new_trusted();
        let closure = create_abx(OpCode::Closure, 0, 0);
        assert!(accepted(&capturing(&mut st, &[closure, abck(OpCode::Return, 0, 2, 0)])));
        assert!(!accepted(&capturing(&mut st, &[closure, abc(OpCode::Return, 0, 2, 0)])));
        assert!(!accepted(&capturing(&mut st, &[closure, abc(OpCode::Return1, 0, 0, 0)])));
        assert!(!accepted(&capturing(&mut st, &[closure, RET0])));
        let tail = [closure, abc(OpCode::Move, 1, 0, 0), abc(OpCode::TailCall, 1, 1, 0), abc(OpCode::Return, 1, 0, 0)];
        assert!(!accepted(&capturing(&mut st, &tail)));
        let tail_k =
            [closure, abc(OpCode::Move, 1, 0, 0), abck(OpCode::TailCall, 1, 1, 0), abck(OpCode::Return, 1, 0, 0)];
        assert!(accepted(&capturing(&mut st, &tail_k)));
        // A to-be-closed variable.
        assert!(accepted(&proto(&[abc(OpCode::Tbc, 0, 0, 0), abck(OpCode::Return, 0, 1, 0)])));
        assert!(!accepted(&proto(&[abc(OpCode::Tbc, 0, 0, 0), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::Tbc, 0, 0, 0), abc(OpCode::Return, 0, 1, 0)])));
        // A generic for registers its closing value.
        let tfor = [
            create_abx(OpCode::TForPrep, 0, 0),
            abc(OpCode::TForCall, 0, 0, 1),
            create_abx(OpCode::TForLoop, 0, 2),
            RET0,
        ];
        assert!(!accepted(&proto(&tfor)));
        let mut tfor_k = tfor;
        tfor_k[3] = abck(OpCode::Return, 0, 1, 0);
        assert!(accepted(&proto(&tfor_k)));
        // Nothing to close: no k (as the compiler emits).
        assert!(!accepted(&proto(&[abck(OpCode::Return, 0, 1, 0)])));
    }

    #[test]
    fn arithmetic_and_mmbin_come_in_pairs() {
        let add = abc(OpCode::Add, 0, 0, 1);
        let mmbin = abc(OpCode::MmBin, 0, 1, TmKind::Add as u32);
        assert!(accepted(&proto(&[add, mmbin, RET0])));
        // Without its MMBIN the fast path skips the next instruction.
        assert!(!accepted(&proto(&[add, RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::LoadI, 0, 0, 0), add])));
        // The MMBIN of another kind of operand.
        assert!(!accepted(&proto(&[add, abc(OpCode::MmBinK, 0, 1, TmKind::Add as u32), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::AddK, 0, 0, 1), mmbin, RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::AddI, 0, 0, 1), mmbin, RET0])));
        // An MMBIN after something else, or reached by a jump.
        assert!(!accepted(&proto(&[abc(OpCode::Move, 0, 1, 0), mmbin, RET0])));
        assert!(!accepted(&proto(&[jmp(1), add, mmbin, RET0])));
    }

    #[test]
    fn return_registers_are_in_the_frame() {
        assert!(accepted(&proto(&[abc(OpCode::Return0, MS as u32, 0, 0)])));
        assert!(!accepted(&proto(&[abc(OpCode::Return0, MS as u32 + 1, 0, 0)])));
        assert!(!accepted(&proto(&[abc(OpCode::Return0, 253, 0, 0)])));
        assert!(accepted(&proto(&[abc(OpCode::Return1, MS as u32 - 1, 0, 0)])));
        assert!(!accepted(&proto(&[abc(OpCode::Return1, MS as u32, 0, 0)])));
    }

    #[test]
    fn varargs_only_in_vararg_functions() {
        let prep = abc(OpCode::VarArgPrep, 0, 0, 0);
        let ret = abc(OpCode::Return, 0, 1, 1);
        assert!(accepted(&vararg(&[prep, abc(OpCode::VarArg, 0, 0, 2), ret])));
        assert!(!accepted(&proto(&[abc(OpCode::VarArg, 0, 0, 2), RET0])));
        // VARARGPREP first, once, and never jumped to.
        assert!(!accepted(&vararg(&[abc(OpCode::Return, 0, 1, 1)])));
        assert!(!accepted(&vararg(&[prep, prep, ret])));
        assert!(!accepted(&proto(&[prep, RET0])));
        assert!(!accepted(&vararg(&[abc(OpCode::VarArgPrep, 0, 1, 0), ret])));
        assert!(!accepted(&vararg(&[prep, jmp(-2)])));
        assert!(!accepted(&vararg(&[prep, create_abx(OpCode::ForLoop, 0, 2), ret])));
        // Jumping back to the first instruction is fine elsewhere.
        assert!(accepted(&proto(&[abc(OpCode::LoadNil, 0, 0, 0), jmp(-2)])));
    }

    #[test]
    fn tests_have_a_jump_and_a_skip_target() {
        let eq = abc(OpCode::Eq, 0, 1, 0);
        assert!(accepted(&proto(&[eq, jmp(0), RET0])));
        assert!(!accepted(&proto(&[eq, RET0, RET0])));
        // Nothing after the jump to skip to.
        assert!(!accepted(&proto(&[eq, jmp(-2)])));
        assert!(!accepted(&proto(&[abc(OpCode::Test, 0, 0, 0), jmp(-2)])));
    }

    #[test]
    fn extra_arguments_belong_to_the_instruction_before() {
        let newtable = abc(OpCode::NewTable, 0, 0, 0);
        let extra = create_ax(OpCode::ExtraArg, 0);
        assert!(accepted(&proto(&[newtable, extra, RET0])));
        assert!(!accepted(&proto(&[newtable, RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::Move, 0, 1, 0), extra, RET0])));
        // SETLIST takes one only with k.
        assert!(accepted(&proto(&[newtable, extra, abck(OpCode::SetList, 0, 1, 0), extra, RET0])));
        assert!(!accepted(&proto(&[newtable, extra, abc(OpCode::SetList, 0, 1, 0), extra, RET0])));
        // Never reached by a jump.
        assert!(!accepted(&proto(&[jmp(1), newtable, extra, RET0])));
    }

    #[test]
    fn no_more_active_locals_than_registers() {
        let mut st = State::new_trusted();
        let Ok(name) = st.new_str(b"x") else { panic!("string") };
        let with_locals = |ranges: &[(u32, u32)]| {
            let locals: Vec<LocVar> = ranges.iter().map(|&(s, e)| LocVar { name, start_pc: s, end_pc: e }).collect();
            Proto { loc_vars: locals.into_boxed_slice(), max_stack_size: 2, ..proto(&[RET0, RET0, RET0]) }
        };
        assert!(accepted(&with_locals(&[(0, 3), (1, 3)])));
        // Registers reused by later variables.
        assert!(accepted(&with_locals(&[(0, 3), (0, 1), (1, 2), (2, 3), (3, 9)])));
        assert!(!accepted(&with_locals(&[(0, 3), (1, 3), (2, 3)])));
        assert!(!accepted(&with_locals(&[(0, 1), (0, 1), (0, 1)])));
    }

    #[test]
    fn operand_ranges() {
        assert!(!accepted(&proto(&[abc(OpCode::Concat, 0, 1, 0), RET0])));
        assert!(accepted(&proto(&[abc(OpCode::Concat, 0, 2, 0), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::Concat, MS as u32 - 1, 2, 0), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::Move, MS as u32, 0, 0), RET0])));
        assert!(!accepted(&proto(&[create_abx(OpCode::LoadK, 0, 2), RET0])));
        assert!(!accepted(&proto(&[abc(OpCode::GetUpval, 0, 1, 0), RET0])));
        assert!(!accepted(&proto(&[create_abx(OpCode::Closure, 0, 0), RET0])));
        // A tail call's C says whether the frame holds varargs.
        let tail = |c| [abc(OpCode::Move, 1, 0, 0), abc(OpCode::TailCall, 1, 1, c), abc(OpCode::Return, 1, 0, 0)];
        assert!(accepted(&proto(&tail(0))));
        assert!(!accepted(&proto(&tail(1))));
        // Unknown opcodes, and falling off the end of the code.
        assert!(!accepted(&proto(&[0x7f])));
        assert!(!accepted(&proto(&[abc(OpCode::Move, 0, 1, 0)])));
    }
}
