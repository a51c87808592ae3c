//! Debug information for messages and tracebacks (PUC's ldebug.c and the
//! traceback of lauxlib.c): current lines, names of variables found by
//! symbolic execution of the bytecode ("global 'x'", "field 'y'",
//! "method 'm'"), function names from the calling instruction, error
//! positions and `luaL_traceback`-style tracebacks.

use crate::gc::Gc;
use crate::object::function::Proto;
use crate::object::thread::{CIST_FIN, CIST_HOOKED, CIST_TAIL};
use crate::state::State;
use crate::value::Value;
use crate::vm::opcodes::*;
use crate::vm::Throw;

/// Where an operand of a failing operation came from, so the message can
/// name the variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValLoc {
    /// A register of the running Lua function.
    Register(u32),
    /// An upvalue of the running Lua function.
    Upvalue(u32),
    /// Anything else (no name is given).
    Other,
}

/// What a name refers to, with the name, as PUC's `getobjname` returns.
pub type NameInfo = (&'static str, String);

/// Traceback levels shown before and after the elision (PUC's `LEVELS1`,
/// `LEVELS2`).
const LEVELS1: usize = 10;
const LEVELS2: usize = 11;

/// A name for messages: the string up to its first zero byte (PUC uses it
/// as a C string), as text (invalid UTF-8 replaced).
fn lossy(s: Gc<crate::object::string::LuaStr>) -> String {
    let b = s.as_bytes();
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn upval_name(p: &Proto, uv: usize) -> String {
    match p.upvalues.get(uv).and_then(|u| u.name) {
        Some(s) => lossy(s),
        None => "?".to_string(),
    }
}

/// The last instruction before `lastpc` that set register `reg`, or
/// `None` when it cannot be known (PUC's `findsetreg`).
fn find_set_reg(p: &Proto, mut lastpc: usize, reg: u32) -> Option<usize> {
    if lastpc < p.code.len() && get_op(p.code[lastpc]).is_mm() {
        // The previous instruction was not actually executed.
        lastpc = lastpc.saturating_sub(1);
    }
    let mut setreg = None;
    let mut jmptarget = 0usize;
    for pc in 0..lastpc.min(p.code.len()) {
        let i = p.code[pc];
        let op = get_op(i);
        let a = arg_a(i);
        let change = match op {
            OpCode::LoadNil => a <= reg && reg <= a + arg_b(i),
            OpCode::TForCall => reg >= a + 2,
            OpCode::Call | OpCode::TailCall => reg >= a,
            OpCode::Jmp => {
                let dest = pc as i64 + 1 + arg_sj(i) as i64;
                if dest <= lastpc as i64 && dest > jmptarget as i64 {
                    jmptarget = dest as usize;
                }
                false
            }
            _ => op.sets_a() && reg == a,
        };
        if change {
            setreg = if pc < jmptarget { None } else { Some(pc) };
        }
    }
    setreg
}

fn kname(p: &Proto, index: usize) -> (Option<&'static str>, String) {
    match p.constants.get(index) {
        Some(Value::Str(s)) => (Some("constant"), lossy(*s)),
        _ => (None, "?".to_string()),
    }
}

/// PUC's `basicgetobjname`: locals, upvalues, constants and moves.
fn basic_get_obj_name(p: &Proto, ppc: &mut Option<usize>, reg: u32) -> Option<NameInfo> {
    let pc = (*ppc)?;
    if let Some(name) = p.local_name(reg as usize + 1, pc) {
        return Some(("local", lossy(name)));
    }
    *ppc = find_set_reg(p, pc, reg);
    let pc = (*ppc)?;
    let i = p.code[pc];
    match get_op(i) {
        OpCode::Move => {
            let b = arg_b(i);
            if b < arg_a(i) {
                return basic_get_obj_name(p, ppc, b);
            }
        }
        OpCode::GetUpval => return Some(("upvalue", upval_name(p, arg_b(i) as usize))),
        OpCode::LoadK => {
            let (k, n) = kname(p, arg_bx(i) as usize);
            return k.map(|k| (k, n));
        }
        OpCode::LoadKX => {
            let ax = p.code.get(pc + 1).map_or(0, |&n| arg_ax(n));
            let (k, n) = kname(p, ax as usize);
            return k.map(|k| (k, n));
        }
        _ => {}
    }
    None
}

fn rname(p: &Proto, pc: usize, c: u32) -> String {
    match basic_get_obj_name(p, &mut Some(pc), c) {
        Some(("constant", n)) => n,
        _ => "?".to_string(),
    }
}

fn rkname(p: &Proto, pc: usize, i: Instruction) -> String {
    let c = arg_c(i);
    if arg_k(i) {
        kname(p, c as usize).1
    } else {
        rname(p, pc, c)
    }
}

/// "global" when the indexed table is the variable `_ENV`, else "field".
fn is_env(p: &Proto, pc: usize, i: Instruction, isup: bool) -> &'static str {
    let t = arg_b(i);
    let name = if isup {
        Some(upval_name(p, t as usize))
    } else {
        match basic_get_obj_name(p, &mut Some(pc), t) {
            Some(("local", n)) | Some(("upvalue", n)) => Some(n),
            _ => None,
        }
    };
    if name.as_deref() == Some("_ENV") {
        "global"
    } else {
        "field"
    }
}

/// A name for register `reg` at instruction `lastpc` (PUC's
/// `getobjname`).
pub fn get_obj_name(p: &Proto, lastpc: usize, reg: u32) -> Option<NameInfo> {
    let mut pc = Some(lastpc);
    if let Some(r) = basic_get_obj_name(p, &mut pc, reg) {
        return Some(r);
    }
    let pc = pc?;
    let i = p.code[pc];
    match get_op(i) {
        OpCode::GetTabUp => Some((is_env(p, pc, i, true), kname(p, arg_c(i) as usize).1)),
        OpCode::GetTable => Some((is_env(p, pc, i, false), rname(p, pc, arg_c(i)))),
        OpCode::GetI => Some(("field", "integer index".to_string())),
        OpCode::GetField => Some((is_env(p, pc, i, false), kname(p, arg_c(i) as usize).1)),
        OpCode::SelfOp => Some(("method", rkname(p, pc, i))),
        _ => None,
    }
}

/// A name for the function called by instruction `pc` (PUC's
/// `funcnamefromcode`).
pub fn func_name_from_code(state: &State, p: &Proto, pc: usize) -> Option<NameInfo> {
    let i = *p.code.get(pc)?;
    let tm = match get_op(i) {
        OpCode::Call | OpCode::TailCall => return get_obj_name(p, pc, arg_a(i)),
        OpCode::TForCall => return Some(("for iterator", "for iterator".to_string())),
        OpCode::SelfOp | OpCode::GetTabUp | OpCode::GetTable | OpCode::GetI | OpCode::GetField => TmKind::Index,
        OpCode::SetTabUp | OpCode::SetTable | OpCode::SetI | OpCode::SetField => TmKind::NewIndex,
        OpCode::MmBin | OpCode::MmBinI | OpCode::MmBinK => TmKind::from_u32(arg_c(i))?,
        OpCode::Unm => TmKind::Unm,
        OpCode::BNot => TmKind::BNot,
        OpCode::Len => TmKind::Len,
        OpCode::Concat => TmKind::Concat,
        OpCode::Eq => TmKind::Eq,
        OpCode::Lt | OpCode::LtI | OpCode::GtI => TmKind::Lt,
        OpCode::Le | OpCode::LeI | OpCode::GeI => TmKind::Le,
        OpCode::Close | OpCode::Return => TmKind::Close,
        _ => return None,
    };
    let _ = state;
    Some(("metamethod", tm.name()[2..].to_string()))
}

impl State {
    /// The prototype of the Lua function running in frame `ci_idx`.
    pub(crate) fn ci_proto(&self, ci_idx: usize) -> Option<Gc<Proto>> {
        let th = self.th_ref();
        let ci = th.ci.get(ci_idx)?;
        if !ci.is_lua() {
            return None;
        }
        match th.stack[ci.func] {
            Value::LuaFn(cl) => Some(cl.proto),
            _ => None,
        }
    }

    /// The instruction index being executed by Lua frame `ci_idx`.
    pub(crate) fn current_pc(&self, ci_idx: usize) -> usize {
        self.th_ref().ci[ci_idx].savedpc.saturating_sub(1)
    }

    /// The current line of frame `ci_idx` (-1 for natives or no info).
    pub(crate) fn current_line(&self, ci_idx: usize) -> i64 {
        match self.ci_proto(ci_idx) {
            Some(p) => p.line_at(self.current_pc(ci_idx)).map_or(-1, |l| l as i64),
            None => -1,
        }
    }

    /// A name for the function running in frame `ci_idx` from its
    /// caller's point of view (PUC's `funcnamefromcall` of the previous
    /// frame, as `getfuncname`).
    pub(crate) fn func_name_for_frame(&self, ci_idx: usize) -> Option<NameInfo> {
        let th = self.th_ref();
        let ci = th.ci.get(ci_idx)?;
        if ci.status & CIST_TAIL != 0 || ci_idx == 0 {
            return None;
        }
        self.func_name_from_call(ci_idx - 1)
    }

    /// How the function running in frame `ci_idx` was named by its caller
    /// (the name a native's argument errors use).
    pub fn callback_name(&self, ci_idx: usize) -> Option<NameInfo> {
        self.func_name_for_frame(ci_idx)
    }

    /// Structured traceback frames of another thread (a coroutine), from
    /// its innermost frame.
    pub fn thread_traceback_frames(&mut self, th: crate::gc::Gc<crate::object::thread::Thread>) -> Vec<FrameInfo> {
        let prev = self.current;
        self.current = th;
        let frames = self.traceback_frames(0);
        self.current = prev;
        frames
    }

    /// PUC's `funcnamefromcall` for the calling frame `ci_idx`.
    pub(crate) fn func_name_from_call(&self, ci_idx: usize) -> Option<NameInfo> {
        let ci = self.th_ref().ci.get(ci_idx)?;
        if ci.status & CIST_HOOKED != 0 {
            return Some(("hook", "?".to_string()));
        }
        if ci.status & CIST_FIN != 0 {
            return Some(("metamethod", "__gc".to_string()));
        }
        let p = self.ci_proto(ci_idx)?;
        func_name_from_code(self, &p, self.current_pc(ci_idx))
    }

    /// " (kind 'name')" for a located operand of the running function, or
    /// "" (PUC's `varinfo`).
    pub(crate) fn varinfo(&self, loc: ValLoc) -> String {
        let ci_idx = self.th_ref().ci.len() - 1;
        let p = match self.ci_proto(ci_idx) {
            Some(p) => p,
            None => return String::new(),
        };
        let info = match loc {
            ValLoc::Upvalue(u) => Some(("upvalue", upval_name(&p, u as usize))),
            ValLoc::Register(r) => get_obj_name(&p, self.current_pc(ci_idx), r),
            ValLoc::Other => None,
        };
        match info {
            Some((kind, name)) => format!(" ({kind} '{name}')"),
            None => String::new(),
        }
    }

    /// "attempt to {op} a {type} value{varinfo}" (PUC's `luaG_typeerror`).
    pub(crate) fn type_error(&mut self, v: Value, loc: ValLoc, op: &str) -> Throw {
        let t = self.obj_type_name(v);
        let info = self.varinfo(loc);
        self.rt_error(&format!("attempt to {op} a {t} value{info}"))
    }

    /// The error for calling a non-callable value (PUC's `luaG_callerror`).
    pub(crate) fn call_error(&mut self, v: Value) -> Throw {
        let ci_idx = self.th().ci.len() - 1;
        let t = self.obj_type_name(v);
        let info = match self.func_name_from_call(ci_idx) {
            Some((kind, name)) => format!(" ({kind} '{name}')"),
            None => String::new(),
        };
        self.rt_error(&format!("attempt to call a {t} value{info}"))
    }

    /// The error for a bad `for` value (PUC's `luaG_forerror`).
    pub(crate) fn for_error(&mut self, v: Value, what: &str) -> Throw {
        let t = self.obj_type_name(v);
        self.rt_error(&format!("bad 'for' {what} (number expected, got {t})"))
    }

    /// The chunk id (short source) of frame `ci_idx`.
    pub(crate) fn short_src(&self, ci_idx: usize) -> Vec<u8> {
        match self.ci_proto(ci_idx) {
            Some(p) => match p.source {
                Some(s) => crate::compiler::chunk_id(s.as_bytes()),
                None => b"?".to_vec(),
            },
            None => b"[C]".to_vec(),
        }
    }

    /// Prefixes `msg` with "chunk:line: " when the running function is Lua.
    pub(crate) fn add_position_if_lua(&self, msg: &[u8]) -> Vec<u8> {
        let ci_idx = self.th_ref().ci.len() - 1;
        if self.th_ref().ci[ci_idx].is_lua() {
            let mut out = self.short_src(ci_idx);
            let line = self.current_line(ci_idx);
            out.extend_from_slice(format!(":{line}: ").as_bytes());
            out.extend_from_slice(msg);
            out
        } else {
            msg.to_vec()
        }
    }

    /// The frame index at `level` (0: the running function), if any
    /// (PUC's `lua_getstack`; the base frame is not a level).
    pub fn frame_at_level(&self, level: usize) -> Option<usize> {
        let n = self.th_ref().ci.len();
        if level + 1 < n {
            Some(n - 1 - level)
        } else {
            None
        }
    }

    /// The function running in frame `ci_idx` of the running thread, if
    /// there is such a frame.
    pub fn frame_function(&self, ci_idx: usize) -> Option<Value> {
        let th = self.th_ref();
        th.ci.get(ci_idx).map(|ci| th.stack[ci.func])
    }

    /// The current line of frame `ci_idx` of the running thread (`None`
    /// for natives, code without line information, or no such frame).
    pub fn frame_current_line(&self, ci_idx: usize) -> Option<u32> {
        if ci_idx >= self.th_ref().ci.len() {
            return None;
        }
        u32::try_from(self.current_line(ci_idx)).ok().filter(|&l| l > 0)
    }

    /// Whether frame `ci_idx` of the running thread was entered by a tail
    /// call.
    pub fn frame_is_tail_call(&self, ci_idx: usize) -> bool {
        self.th_ref().ci.get(ci_idx).is_some_and(|ci| ci.status & CIST_TAIL != 0)
    }

    /// "chunk:line: " of the function at `level`, or "" (PUC's
    /// `luaL_where`).
    pub fn where_(&self, level: usize) -> Vec<u8> {
        if let Some(ci_idx) = self.frame_at_level(level) {
            let line = self.current_line(ci_idx);
            if line > 0 {
                let mut out = self.short_src(ci_idx);
                out.extend_from_slice(format!(":{line}: ").as_bytes());
                return out;
            }
        }
        Vec::new()
    }

    /// The name of local `n` (1-based) of frame `ci_idx`, as PUC's
    /// `luaG_findlocal` names it.
    pub(crate) fn find_local_name(&self, ci_idx: usize, n: usize) -> Option<String> {
        if let Some(p) = self.ci_proto(ci_idx) {
            if let Some(name) = p.local_name(n, self.current_pc(ci_idx)) {
                return Some(lossy(name));
            }
        }
        None
    }

    /// Looks for `f` in the loaded modules (`package.loaded`), giving names
    /// such as "print" or "string.format" (PUC's `pushglobalfuncname`).
    pub fn global_func_name(&self, f: Value) -> Option<String> {
        let loaded_key = self.find_interned(b"_LOADED")?;
        let loaded = match self.registry.get_str(loaded_key) {
            Value::Table(t) => t,
            _ => return None,
        };
        let mut key = Value::Nil;
        while let Ok(Some((k, v))) = loaded.next(key) {
            key = k;
            if let (Value::Str(modname), Value::Table(m)) = (k, v) {
                let mut k2 = Value::Nil;
                while let Ok(Some((kk, vv))) = m.next(k2) {
                    k2 = kk;
                    if let Value::Str(fname) = kk {
                        if vv.raw_eq(&f) {
                            let modname = lossy(modname);
                            let fname = lossy(fname);
                            return Some(if modname == "_G" { fname } else { format!("{modname}.{fname}") });
                        }
                    }
                }
            }
        }
        None
    }

    /// The description of the function of frame `ci_idx` in a traceback
    /// (PUC's `pushfuncname`).
    fn traceback_func_name(&self, ci_idx: usize) -> String {
        let f = self.th_ref().stack[self.th_ref().ci[ci_idx].func];
        if let Some(n) = self.global_func_name(f) {
            return format!("function '{n}'");
        }
        if let Some((kind, name)) = self.func_name_for_frame(ci_idx) {
            return format!("{kind} '{name}'");
        }
        match self.ci_proto(ci_idx) {
            Some(p) if p.line_defined == 0 => "main chunk".to_string(),
            Some(p) => {
                let src = String::from_utf8_lossy(&self.short_src(ci_idx)).into_owned();
                format!("function <{src}:{}>", p.line_defined)
            }
            None => "?".to_string(),
        }
    }

    /// A traceback of the running thread from `level` (PUC's
    /// `luaL_traceback`), after `msg` if given.
    pub fn traceback(&self, msg: Option<&[u8]>, level: usize) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(m) = msg {
            out.extend_from_slice(m);
            out.push(b'\n');
        }
        out.extend_from_slice(b"stack traceback:");
        let nlevels = self.th_ref().ci.len().saturating_sub(1);
        let last = nlevels.saturating_sub(1);
        let mut limit2show: isize = if last.saturating_sub(level) > LEVELS1 + LEVELS2 { LEVELS1 as isize } else { -1 };
        let mut lv = level;
        while let Some(ci_idx) = self.frame_at_level(lv) {
            lv += 1;
            if limit2show == 0 {
                let n = last - lv - LEVELS2 + 1;
                out.extend_from_slice(format!("\n\t...\t(skipping {n} levels)").as_bytes());
                lv += n;
                limit2show -= 1;
                continue;
            }
            limit2show -= 1;
            out.extend_from_slice(b"\n\t");
            out.extend_from_slice(&self.short_src(ci_idx));
            let line = self.current_line(ci_idx);
            if line > 0 {
                out.extend_from_slice(format!(":{line}").as_bytes());
            }
            out.extend_from_slice(b": in ");
            out.extend_from_slice(self.traceback_func_name(ci_idx).as_bytes());
            if self.th_ref().ci[ci_idx].status & CIST_TAIL != 0 {
                out.extend_from_slice(b"\n\t(...tail calls...)");
            }
        }
        out
    }

    /// Structured traceback frames of the running thread from `level`.
    ///
    /// As PUC's `luaL_traceback`, a deep stack keeps its first 10 and last
    /// 11 frames, with one `FrameInfo::skipped` entry between them.
    pub fn traceback_frames(&self, level: usize) -> Vec<FrameInfo> {
        const FIRST: usize = 10;
        const LAST: usize = 11;
        let total = self.th_ref().ci.len().saturating_sub(level + 1);
        let mut frames = Vec::with_capacity(total.min(FIRST + LAST + 1));
        let mut lv = level;
        while let Some(ci_idx) = self.frame_at_level(lv) {
            if lv - level == FIRST && total > FIRST + LAST {
                let skipped = total - FIRST - LAST;
                frames.push(FrameInfo::skipped(skipped));
                lv += skipped;
                continue;
            }
            lv += 1;
            let line = self.current_line(ci_idx);
            frames.push(FrameInfo {
                source: String::from_utf8_lossy(&self.short_src(ci_idx)).into_owned(),
                line: if line > 0 { Some(line as u32) } else { None },
                name: self.traceback_func_name(ci_idx),
                tail_call: self.th_ref().ci[ci_idx].status & CIST_TAIL != 0,
            });
        }
        frames
    }
}

impl FrameInfo {
    /// The entry standing for `n` frames left out of a deep traceback:
    /// source `...`, no line, name `(skipping n levels)`.
    pub fn skipped(n: usize) -> FrameInfo {
        FrameInfo { source: "...".to_string(), line: None, name: format!("(skipping {n} levels)"), tail_call: false }
    }

    /// Whether this is the entry of left-out frames.
    pub fn is_skipped(&self) -> bool {
        self.source == "..." && self.line.is_none() && self.name.starts_with("(skipping ")
    }
}

/// One frame of a structured traceback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// The short source (`input`, `[C]`, `[string "..."]`).
    pub source: String,
    /// The current line, if known.
    pub line: Option<u32>,
    /// How the traceback names the function ("function 'f'", "main chunk").
    pub name: String,
    /// Whether the frame was entered by a tail call.
    pub tail_call: bool,
}
