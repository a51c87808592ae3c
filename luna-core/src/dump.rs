//! Binary chunks: `string.dump` (`dump`) and loading them back (`undump`),
//! with a verifier that makes loading untrusted bytes memory-safe.
//!
//! The header is PUC Lua 5.4's (signature, version 0x54, format 0,
//! `LUAC_DATA`, the sizes of instructions, integers and floats, and the
//! check values `0x5678` and `370.5`), so tools that inspect headers see a
//! Lua 5.4 chunk. The body is luna's own layout, close to PUC's: sizes as
//! variable-length integers, strings as size+1 (0 for "none"), and line
//! information as zigzag-encoded differences between consecutive lines.
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
        // Debug information.
        if self.strip {
            self.size(0);
            self.size(0);
            self.size(0);
            return;
        }
        self.size(p.line_info.len());
        let mut prev = p.line_defined as i64;
        for &l in p.line_info.iter() {
            let d = l as i64 - prev;
            prev = l as i64;
            self.size(((d << 1) ^ (d >> 63)) as usize);
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

    fn size(&mut self) -> Result<usize, BadFormat> {
        let mut x: usize = 0;
        loop {
            let b = self.byte()?;
            if x >= (usize::MAX >> 7) {
                return Err(BadFormat("integer overflow"));
            }
            x = (x << 7) | (b & 0x7f) as usize;
            if b & 0x80 != 0 {
                return Ok(x);
            }
        }
    }

    /// A size used as an element count: it cannot exceed the bytes left
    /// (each element takes at least `min_bytes`), which bounds allocations.
    fn count(&mut self, min_bytes: usize) -> Result<usize, BadFormat> {
        let n = self.size()?;
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
        let line_defined = r.size()?.min(u32::MAX as usize) as u32;
        let last_line_defined = r.size()?.min(u32::MAX as usize) as u32;
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
        let mut line_info = Vec::with_capacity(nlines);
        let mut prev = line_defined as i64;
        for _ in 0..nlines {
            let z = r.size()? as i64;
            let d = (z >> 1) ^ -(z & 1);
            prev = prev.wrapping_add(d);
            line_info.push(prev.clamp(0, u32::MAX as i64) as u32);
        }
        let nloc = r.count(3)?;
        let mut loc_vars = Vec::with_capacity(nloc);
        for _ in 0..nloc {
            let name = match r.string()? {
                Some(s) => tryl!(self.new_str(s)),
                None => return Err(BadFormat("bad local variable name")),
            };
            let start_pc = r.size()?.min(u32::MAX as usize) as u32;
            let end_pc = r.size()?.min(u32::MAX as usize) as u32;
            loc_vars.push(LocVar { name, start_pc, end_pc });
        }
        let nupn = r.count(1)?;
        if nupn != 0 && nupn != nup {
            return Err(BadFormat("bad upvalue names"));
        }
        for u in upvalues.iter_mut().take(nupn) {
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
/// constants, upvalues or code (see the module docs).
fn verify(p: &Proto) -> Result<(), BadFormat> {
    const BAD: BadFormat = BadFormat("invalid bytecode");
    let n = p.code.len();
    let ms = p.max_stack_size as u32;
    let nk = p.constants.len() as u32;
    let nup = p.upvalues.len() as u32;
    if n == 0 || (p.num_params as u32) > ms {
        return Err(BAD);
    }
    for q in p.protos.iter() {
        for u in q.upvalues.iter() {
            let ok = if u.in_stack { (u.index as u32) < ms } else { (u.index as u32) < nup };
            if !ok {
                return Err(BAD);
            }
        }
    }
    let reg = |r: u32| if r < ms { Ok(()) } else { Err(BAD) };
    // Registers `a..=a+len` inside the frame (len may be -1 for empty).
    let regs = |a: u32, len: i64| if (a as i64 + len) < ms as i64 { Ok(()) } else { Err(BAD) };
    let kidx = |k: u32| if k < nk { Ok(()) } else { Err(BAD) };
    let uidx = |u: u32| if u < nup { Ok(()) } else { Err(BAD) };
    let target = |t: i64| if t >= 0 && (t as usize) < n { Ok(()) } else { Err(BAD) };
    let is_jmp = |pc: usize| pc < n && OpCode::from_u8((p.code[pc] & 0x7f) as u8) == Some(OpCode::Jmp);
    for pc in 0..n {
        let i = p.code[pc];
        let op = OpCode::from_u8((i & 0x7f) as u8).ok_or(BAD)?;
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
                if pc + 1 >= n || get_op(p.code[pc + 1]) != OpCode::ExtraArg {
                    return Err(BAD);
                }
                kidx(arg_ax(p.code[pc + 1]))?;
            }
            OpCode::LFalseSkip => {
                reg(a)?;
                target(next + 1)?;
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
                if k {
                    kidx(c)?
                } else {
                    reg(c)?
                }
            }
            OpCode::SetTable => {
                reg(a)?;
                reg(b)?;
                if k {
                    kidx(c)?
                } else {
                    reg(c)?
                }
            }
            OpCode::SetI => {
                reg(a)?;
                if k {
                    kidx(c)?
                } else {
                    reg(c)?
                }
            }
            OpCode::SetField => {
                reg(a)?;
                kidx(b)?;
                if k {
                    kidx(c)?
                } else {
                    reg(c)?
                }
            }
            OpCode::NewTable => {
                reg(a)?;
                if pc + 1 >= n || get_op(p.code[pc + 1]) != OpCode::ExtraArg {
                    return Err(BAD);
                }
            }
            OpCode::SelfOp => {
                regs(a, 1)?;
                reg(b)?;
                if k {
                    kidx(c)?
                } else {
                    reg(c)?
                }
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
                if TmKind::from_u32(c).is_none() || pc == 0 {
                    return Err(BAD);
                }
                let prev = get_op(p.code[pc - 1]);
                let is_arith = (OpCode::AddI as u8..=OpCode::Shr as u8).contains(&(prev as u8));
                if !is_arith {
                    return Err(BAD);
                }
            }
            OpCode::Unm | OpCode::BNot | OpCode::Not | OpCode::Len => {
                reg(a)?;
                reg(b)?;
            }
            OpCode::Concat => {
                if b == 0 {
                    return Err(BAD);
                }
                regs(a, b as i64 - 1)?;
            }
            OpCode::Close | OpCode::Tbc => reg(a)?,
            OpCode::Jmp => {
                target(next + arg_sj(i) as i64)?;
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
                if c != 0 && (!p.is_vararg || c != p.num_params as u32 + 1) {
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
                if !c_ok {
                    return Err(BAD);
                }
                falls_through = false;
            }
            OpCode::Return0 | OpCode::Return1 => {
                if p.is_vararg {
                    return Err(BAD);
                }
                if op == OpCode::Return1 {
                    reg(a)?;
                }
                falls_through = false;
            }
            OpCode::ForLoop => {
                regs(a, 3)?;
                target(next - arg_bx(i) as i64)?;
            }
            OpCode::ForPrep => {
                regs(a, 3)?;
                target(next + arg_bx(i) as i64 + 1)?;
                // The loop's FORLOOP jumps back to the instruction after
                // this one; the skip lands after the FORLOOP.
            }
            OpCode::TForPrep => {
                regs(a, 3)?;
                let t = next + arg_bx(i) as i64;
                target(t)?;
                // TFORPREP jumps to its TFORCALL, which the interpreter
                // expects there.
                if get_op(p.code[t as usize]) != OpCode::TForCall || arg_a(p.code[t as usize]) != a {
                    return Err(BAD);
                }
                falls_through = false;
            }
            OpCode::TForCall => {
                regs(a, 6)?;
                regs(a, 3 + c as i64)?;
                if pc + 1 >= n || get_op(p.code[pc + 1]) != OpCode::TForLoop || arg_a(p.code[pc + 1]) != a {
                    return Err(BAD);
                }
            }
            OpCode::TForLoop => {
                regs(a, 4)?;
                target(next - arg_bx(i) as i64)?;
            }
            OpCode::SetList => {
                reg(a)?;
                regs(a, b as i64)?;
                if k && (pc + 1 >= n || get_op(p.code[pc + 1]) != OpCode::ExtraArg) {
                    return Err(BAD);
                }
            }
            OpCode::Closure => {
                reg(a)?;
                if arg_bx(i) as usize >= p.protos.len() {
                    return Err(BAD);
                }
            }
            OpCode::VarArg => {
                reg(a)?;
                if c > 0 {
                    regs(a, c as i64 - 2)?;
                }
            }
            OpCode::VarArgPrep => {
                if pc != 0 || !p.is_vararg || a != p.num_params as u32 {
                    return Err(BAD);
                }
            }
            OpCode::ExtraArg => {
                // Only valid as the operand of the previous instruction,
                // which skips over it.
                let prev_ok =
                    pc > 0 && matches!(get_op(p.code[pc - 1]), OpCode::LoadKX | OpCode::NewTable | OpCode::SetList);
                if !prev_ok {
                    return Err(BAD);
                }
            }
        }
        if op.is_test() {
            // A test is always followed by the jump it skips or takes.
            if !is_jmp(pc + 1) {
                return Err(BAD);
            }
        }
        if p.is_vararg && pc == 0 && op != OpCode::VarArgPrep {
            return Err(BAD);
        }
        if falls_through {
            target(next)?;
        }
    }
    Ok(())
}
