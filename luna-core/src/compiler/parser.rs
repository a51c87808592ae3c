//! The parser state and its infrastructure (the first part of PUC's
//! `lparser.c`): function states, local variables and upvalues, blocks,
//! labels and gotos, and the entry point. The grammar rules are in
//! `statements.rs` and `expressions.rs`; the code generation they drive is
//! in `codegen.rs` and `operators.rs`.

use std::collections::HashMap;
use std::rc::Rc;

use super::codegen::{ExpDesc, ExpKind, KKey};
use super::lexer::{Lexer, StrId, Token, NO_TOKEN, STR_BREAK, STR_ENV, TK_NAME};
use super::proto::{Constant, FunctionProto, LocVarInfo, SyntaxError, UpvalDesc, VarKind};
use crate::vm::opcodes::*;

/// Results of the parser: errors are boxed to keep the (recursive) frames
/// small.
pub(crate) type PResult<T> = Result<T, Box<SyntaxError>>;

/// Maximum number of local variables per function.
const MAXVARS: usize = 200;

/// Maximum number of upvalues per function.
const MAXUPVAL: usize = 255;

/// Maximum nesting of syntactic structures (PUC's `LUAI_MAXCCALLS`).
const MAX_LEVELS: u32 = 200;

/// Maximum size of the debug-information arrays (PUC's `SHRT_MAX`).
const SHRT_MAX: usize = i16::MAX as usize;

/// A constant value known at compile time (constant-table entries and the
/// values of compile-time constant locals).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum KValue {
    Nil,
    Bool(bool),
    Int(i64),
    Flt(f64),
    Str(StrId),
}

impl KValue {
    /// Raw equality of two constants of the same type (floats and integers
    /// never compare equal here, as in PUC's `addk`).
    pub(crate) fn raw_equal(&self, o: &KValue) -> bool {
        match (self, o) {
            (KValue::Nil, KValue::Nil) => true,
            (KValue::Bool(a), KValue::Bool(b)) => a == b,
            (KValue::Int(a), KValue::Int(b)) => a == b,
            (KValue::Flt(a), KValue::Flt(b)) => a == b,
            (KValue::Str(a), KValue::Str(b)) => a == b,
            _ => false,
        }
    }

    /// The expression of a constant value.
    pub(crate) fn to_exp(self) -> ExpKind {
        match self {
            KValue::Nil => ExpKind::Nil,
            KValue::Bool(true) => ExpKind::True,
            KValue::Bool(false) => ExpKind::False,
            KValue::Int(i) => ExpKind::KInt(i),
            KValue::Flt(f) => ExpKind::KFlt(f),
            KValue::Str(s) => ExpKind::KStr(s),
        }
    }
}

/// Description of an active local variable.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VarDesc {
    pub(crate) kind: VarKind,
    /// The register holding the variable.
    pub(crate) ridx: u32,
    /// Index of the variable in the function's debug information.
    pub(crate) pidx: u32,
    pub(crate) name: StrId,
    /// The value of a compile-time constant.
    pub(crate) k: KValue,
}

/// A label or a pending goto.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LabelDesc {
    pub(crate) name: StrId,
    pub(crate) pc: i32,
    pub(crate) line: u32,
    /// Number of active variables at that position.
    pub(crate) nactvar: u32,
    /// Whether a goto escapes upvalues (needs a `CLOSE`).
    pub(crate) close: bool,
}

/// An active block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockCnt {
    firstlabel: usize,
    firstgoto: usize,
    /// Number of active locals outside the block.
    pub(crate) nactvar: u32,
    /// Some variable of the block is an upvalue (or to be closed).
    pub(crate) upval: bool,
    pub(crate) isloop: bool,
    /// Inside the scope of a to-be-closed variable.
    pub(crate) insidetbc: bool,
}

/// An upvalue of the function being compiled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UpvalInfo {
    pub(crate) name: StrId,
    pub(crate) instack: bool,
    pub(crate) idx: u32,
    pub(crate) kind: VarKind,
}

/// Debug information of a local variable being compiled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocVar {
    name: StrId,
    pub(crate) startpc: u32,
    endpc: u32,
}

/// State of a function being compiled (PUC's `FuncState` with its
/// `Proto`).
#[derive(Default)]
pub(crate) struct FuncState {
    pub(crate) code: Vec<Instruction>,
    pub(crate) lines: Vec<u32>,
    /// The instructions whose line PUC's code generator records as an
    /// absolute entry, and how many relative ones precede the next (its
    /// `abslineinfo` and `iwthabs`; see `Parser::save_line_info`).
    pub(crate) abs_line_pcs: Vec<u32>,
    pub(crate) without_abs: u32,
    pub(crate) k: Vec<KValue>,
    pub(crate) protos: Vec<FunctionProto>,
    /// Number of nested functions started (some may still be open).
    pub(crate) np: u32,
    pub(crate) upvals: Vec<UpvalInfo>,
    pub(crate) locvars: Vec<LocVar>,
    pub(crate) linedefined: u32,
    pub(crate) lastlinedefined: u32,
    pub(crate) numparams: u32,
    pub(crate) is_vararg: bool,
    pub(crate) maxstacksize: u32,
    /// The last jump target.
    pub(crate) lasttarget: i32,
    /// The first free register.
    pub(crate) freereg: u32,
    /// Number of active local variables.
    pub(crate) nactvar: u32,
    /// Index of the first local of the function in the active variables.
    pub(crate) firstlocal: usize,
    /// Index of the first label of the function.
    firstlabel: usize,
    /// The function must close upvalues when returning.
    pub(crate) needclose: bool,
    pub(crate) blocks: Vec<BlockCnt>,
}

/// The parser: lexer, function states and the data shared by all the
/// functions of a chunk (PUC's `LexState` with its `Dyndata`).
pub(crate) struct Parser<'a> {
    pub(crate) lex: Lexer<'a>,
    /// The function being compiled.
    pub(crate) fs: FuncState,
    /// The enclosing functions, outermost first.
    prev_fs: Vec<FuncState>,
    /// The active local variables of all open functions. Entries past
    /// `nactive` are stale but still readable, as in PUC.
    pub(crate) actvar: Vec<VarDesc>,
    nactive: usize,
    /// Pending gotos.
    pub(crate) gt: Vec<LabelDesc>,
    /// Active labels.
    pub(crate) labels: Vec<LabelDesc>,
    /// Constant cache shared by all functions (PUC's scanner table).
    pub(crate) kcache: HashMap<KKey, usize>,
    /// Current nesting level of syntactic structures.
    depth: u32,
    source: Rc<[u8]>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a [u8], source: Rc<[u8]>, chunkid: Vec<u8>, depth: u32) -> Parser<'a> {
        Parser::with_lexer(Lexer::new(src, chunkid), source, depth)
    }

    /// A parser over a lexer (a chunk given whole, or read piece by piece).
    pub(crate) fn with_lexer(lex: Lexer<'a>, source: Rc<[u8]>, depth: u32) -> Parser<'a> {
        Parser {
            lex,
            fs: FuncState::default(),
            prev_fs: Vec::new(),
            actvar: Vec::new(),
            nactive: 0,
            gt: Vec::new(),
            labels: Vec::new(),
            kcache: HashMap::new(),
            depth,
            source,
        }
    }

    // ------------------------------------------------------------------
    // Errors and token helpers

    /// An error without "near" part (PUC's `luaK_semerror`).
    pub(crate) fn sem_error(&self, msg: &[u8]) -> Box<SyntaxError> {
        self.lex.error(msg, NO_TOKEN)
    }

    /// A "too many" error raised by PUC's memory manager: a plain message
    /// without position.
    pub(crate) fn limit_error(&self, what: &str, limit: u32) -> Box<SyntaxError> {
        Box::new(SyntaxError {
            message: format!("too many {what} (limit is {limit})").into_bytes(),
            incomplete: false,
            out_of_memory: false,
        })
    }

    pub(crate) fn error_expected(&self, token: Token) -> Box<SyntaxError> {
        let mut msg = self.lex.token2str(token);
        msg.extend_from_slice(b" expected");
        self.lex.syntax_error(&msg)
    }

    /// The error for a function going over a limit.
    fn error_limit(&self, linedefined: u32, limit: usize, what: &str) -> Box<SyntaxError> {
        let place =
            if linedefined == 0 { "main function".to_string() } else { format!("function at line {linedefined}") };
        let msg = format!("too many {what} (limit is {limit}) in {place}");
        self.lex.syntax_error(msg.as_bytes())
    }

    pub(crate) fn t(&self) -> Token {
        self.lex.t
    }

    pub(crate) fn next(&mut self) -> PResult<()> {
        self.lex.next()
    }

    pub(crate) fn test_next(&mut self, c: Token) -> PResult<bool> {
        if self.lex.t == c {
            self.lex.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    pub(crate) fn check(&self, c: Token) -> PResult<()> {
        if self.lex.t != c {
            return Err(self.error_expected(c));
        }
        Ok(())
    }

    pub(crate) fn check_next(&mut self, c: Token) -> PResult<()> {
        self.check(c)?;
        self.lex.next()
    }

    /// Checks that the current token is `what` and skips it; the error
    /// mentions the opening `who` at line `where_` if on another line.
    pub(crate) fn check_match(&mut self, what: Token, who: Token, where_: u32) -> PResult<()> {
        if !self.test_next(what)? {
            if where_ == self.lex.linenumber {
                return Err(self.error_expected(what));
            }
            let mut msg = self.lex.token2str(what);
            msg.extend_from_slice(b" expected (to close ");
            msg.extend_from_slice(&self.lex.token2str(who));
            msg.extend_from_slice(format!(" at line {where_})").as_bytes());
            return Err(self.lex.syntax_error(&msg));
        }
        Ok(())
    }

    pub(crate) fn str_checkname(&mut self) -> PResult<StrId> {
        match self.lex.t {
            Token::Name(s) => {
                self.lex.next()?;
                Ok(s)
            }
            _ => Err(self.error_expected(TK_NAME)),
        }
    }

    /// Enters a nested syntactic structure, checking the nesting limit.
    /// The parser's recursion counts as native calls (PUC 5.4's
    /// `enterlevel` is `luaE_incCstack`), so going over it is PUC's "C stack
    /// overflow", without a position.
    pub(crate) fn enter_level(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_LEVELS {
            return Err(Box::new(SyntaxError {
                message: b"C stack overflow".to_vec(),
                incomplete: false,
                out_of_memory: false,
            }));
        }
        Ok(())
    }

    pub(crate) fn leave_level(&mut self) {
        self.depth -= 1;
    }

    pub(crate) fn name_bytes(&self, s: StrId) -> &[u8] {
        self.lex.strings.get(s)
    }

    // ------------------------------------------------------------------
    // Local variables

    fn register_local_var(&mut self, name: StrId) -> PResult<u32> {
        if self.fs.locvars.len() >= SHRT_MAX {
            return Err(self.limit_error("local variables", SHRT_MAX as u32));
        }
        let pc = self.fs.code.len() as u32;
        self.fs.locvars.push(LocVar { name, startpc: pc, endpc: 0 });
        Ok(self.fs.locvars.len() as u32 - 1)
    }

    /// Creates a new local variable (not active yet); returns its index in
    /// the function.
    pub(crate) fn new_localvar(&mut self, name: StrId) -> PResult<u32> {
        if self.nactive + 1 - self.fs.firstlocal > MAXVARS {
            return Err(self.error_limit(self.fs.linedefined, MAXVARS, "local variables"));
        }
        let vd = VarDesc { kind: VarKind::Regular, ridx: 0, pidx: 0, name, k: KValue::Nil };
        if self.nactive < self.actvar.len() {
            self.actvar[self.nactive] = vd;
        } else {
            self.actvar.push(vd);
        }
        self.nactive += 1;
        Ok((self.nactive - 1 - self.fs.firstlocal) as u32)
    }

    /// The description of variable `vidx` of the current function.
    pub(crate) fn var(&self, vidx: u32) -> &VarDesc {
        &self.actvar[self.fs.firstlocal + vidx as usize]
    }

    pub(crate) fn var_mut(&mut self, vidx: u32) -> &mut VarDesc {
        &mut self.actvar[self.fs.firstlocal + vidx as usize]
    }

    /// The register level of the variables below compiler index `nvar`.
    pub(crate) fn reglevel(&self, mut nvar: u32) -> u32 {
        while nvar > 0 {
            nvar -= 1;
            let vd = self.var(nvar);
            if vd.kind != VarKind::CompileTimeConst {
                return vd.ridx + 1;
            }
        }
        0
    }

    /// Number of registers used by active local variables.
    pub(crate) fn nvarstack(&self) -> u32 {
        self.reglevel(self.fs.nactvar)
    }

    /// The debug-information entry of variable `vidx`, if it has one.
    pub(crate) fn local_debug_info(&self, vidx: u32) -> Option<usize> {
        let vd = self.var(vidx);
        if vd.kind == VarKind::CompileTimeConst {
            None
        } else {
            Some(vd.pidx as usize)
        }
    }

    /// Raises an error if `e` is a read-only variable.
    pub(crate) fn check_readonly(&self, e: &ExpDesc) -> PResult<()> {
        let name = match e.k {
            ExpKind::Const(i) => Some(self.actvar[i as usize].name),
            ExpKind::Local { vidx, .. } => {
                let vd = self.var(vidx);
                (vd.kind != VarKind::Regular).then_some(vd.name)
            }
            ExpKind::Upval(i) => {
                let up = &self.fs.upvals[i as usize];
                (up.kind != VarKind::Regular).then_some(up.name)
            }
            _ => None,
        };
        if let Some(name) = name {
            let mut msg = b"attempt to assign to const variable '".to_vec();
            msg.extend_from_slice(self.name_bytes(name));
            msg.push(b'\'');
            return Err(self.sem_error(&msg));
        }
        Ok(())
    }

    /// Starts the scope of the last `nvars` variables created.
    pub(crate) fn adjust_localvars(&mut self, nvars: u32) -> PResult<()> {
        let reglevel = self.nvarstack();
        for i in 0..nvars {
            let vidx = self.fs.nactvar;
            self.fs.nactvar += 1;
            let name = self.var(vidx).name;
            let pidx = self.register_local_var(name)?;
            let vd = self.var_mut(vidx);
            vd.ridx = reglevel + i;
            vd.pidx = pidx;
        }
        Ok(())
    }

    /// Ends the scope of the variables above `tolevel`.
    fn remove_vars(&mut self, tolevel: u32) {
        self.nactive -= (self.fs.nactvar - tolevel) as usize;
        while self.fs.nactvar > tolevel {
            self.fs.nactvar -= 1;
            if let Some(i) = self.local_debug_info(self.fs.nactvar) {
                self.fs.locvars[i].endpc = self.fs.code.len() as u32;
            }
        }
    }

    /// Activates the next variable, a compile-time constant: it counts as
    /// an active variable but gets no register nor debug information.
    pub(crate) fn count_ctc_var(&mut self) {
        self.fs.nactvar += 1;
    }

    // ------------------------------------------------------------------
    // Upvalues and variable lookup

    /// The function state `level` functions out (0 is the current one).
    fn level_fs(&self, level: usize) -> &FuncState {
        if level == 0 {
            &self.fs
        } else {
            &self.prev_fs[self.prev_fs.len() - level]
        }
    }

    fn level_fs_mut(&mut self, level: usize) -> &mut FuncState {
        if level == 0 {
            &mut self.fs
        } else {
            let n = self.prev_fs.len();
            &mut self.prev_fs[n - level]
        }
    }

    fn search_upvalue(&self, level: usize, name: StrId) -> Option<u32> {
        self.level_fs(level).upvals.iter().position(|u| u.name == name).map(|i| i as u32)
    }

    /// Adds an upvalue to the function at `level`.
    pub(crate) fn alloc_upvalue(&mut self, level: usize, up: UpvalInfo) -> PResult<u32> {
        let fs = self.level_fs(level);
        if fs.upvals.len() + 1 > MAXUPVAL {
            return Err(self.error_limit(fs.linedefined, MAXUPVAL, "upvalues"));
        }
        let fs = self.level_fs_mut(level);
        fs.upvals.push(up);
        Ok(fs.upvals.len() as u32 - 1)
    }

    /// Creates an upvalue in the function at `level` for `v`, a variable
    /// of the function at `level + 1`.
    fn new_upvalue(&mut self, level: usize, name: StrId, v: ExpKind) -> PResult<u32> {
        let prev = self.level_fs(level + 1);
        let up = match v {
            ExpKind::Local { ridx, vidx } => {
                UpvalInfo { name, instack: true, idx: ridx, kind: self.actvar[prev.firstlocal + vidx as usize].kind }
            }
            ExpKind::Upval(i) => UpvalInfo { name, instack: false, idx: i, kind: prev.upvals[i as usize].kind },
            _ => unreachable!("upvalue of a non-variable"),
        };
        self.alloc_upvalue(level, up)
    }

    /// Looks for an active local variable `n` in the function at `level`.
    fn search_var(&self, level: usize, n: StrId) -> Option<ExpKind> {
        let fs = self.level_fs(level);
        for i in (0..fs.nactvar).rev() {
            let vd = &self.actvar[fs.firstlocal + i as usize];
            if vd.name == n {
                return Some(if vd.kind == VarKind::CompileTimeConst {
                    ExpKind::Const((fs.firstlocal + i as usize) as u32)
                } else {
                    ExpKind::Local { ridx: vd.ridx, vidx: i }
                });
            }
        }
        None
    }

    /// Marks the block where the variable at `vlevel` was defined as
    /// having an upvalue.
    fn mark_upval(&mut self, level: usize, vlevel: u32) {
        let fs = self.level_fs_mut(level);
        if let Some(bl) = fs.blocks.iter_mut().rev().find(|bl| bl.nactvar <= vlevel) {
            bl.upval = true;
        }
        fs.needclose = true;
    }

    /// Marks the current block as having a to-be-closed variable.
    pub(crate) fn mark_to_be_closed(&mut self) {
        let bl = self.fs.blocks.last_mut().expect("a block");
        bl.upval = true;
        bl.insidetbc = true;
        self.fs.needclose = true;
    }

    /// Finds variable `n` from the function at `level` outwards, creating
    /// upvalues as needed. Gives `Void` for a global.
    fn single_var_aux(&mut self, level: usize, n: StrId, base: bool) -> PResult<ExpKind> {
        if level > self.prev_fs.len() {
            return Ok(ExpKind::Void); // global
        }
        if let Some(v) = self.search_var(level, n) {
            if let ExpKind::Local { vidx, .. } = v {
                if !base {
                    self.mark_upval(level, vidx);
                }
            }
            return Ok(v);
        }
        let idx = match self.search_upvalue(level, n) {
            Some(i) => i,
            None => {
                let v = self.single_var_aux(level + 1, n, false)?;
                match v {
                    ExpKind::Local { .. } | ExpKind::Upval(_) => self.new_upvalue(level, n, v)?,
                    _ => return Ok(v), // a global or a constant
                }
            }
        };
        Ok(ExpKind::Upval(idx))
    }

    /// Parses a variable name and finds it (globals become `_ENV.name`).
    pub(crate) fn single_var(&mut self) -> PResult<ExpDesc> {
        let varname = self.str_checkname()?;
        let mut var = ExpDesc::new(self.single_var_aux(0, varname, true)?);
        if var.k == ExpKind::Void {
            var.k = self.single_var_aux(0, STR_ENV, true)?;
            debug_assert!(var.k != ExpKind::Void);
            self.exp2anyregup(&mut var)?;
            let mut key = ExpDesc::new(ExpKind::KStr(varname));
            self.indexed(&mut var, &mut key)?;
        }
        Ok(var)
    }

    /// Adjusts the values of an expression list of `nexps` expressions
    /// (the last one `e`) to `nvars` values.
    pub(crate) fn adjust_assign(&mut self, nvars: u32, nexps: u32, e: &mut ExpDesc) -> PResult<()> {
        let needed = nvars as i32 - nexps as i32;
        if e.is_multret() {
            let extra = (needed + 1).max(0);
            self.set_returns(e, extra)?;
        } else {
            if e.k != ExpKind::Void {
                self.exp2nextreg(e)?;
            }
            if needed > 0 {
                let r = self.fs.freereg;
                self.code_nil(r, needed as u32);
            }
        }
        if needed > 0 {
            self.reserve_regs(needed as u32)?;
        } else {
            self.fs.freereg = (self.fs.freereg as i32 + needed) as u32;
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Labels and gotos

    fn jump_scope_error(&self, gt: &LabelDesc) -> Box<SyntaxError> {
        let varname = self.var(gt.nactvar).name;
        let mut msg = b"<goto ".to_vec();
        msg.extend_from_slice(self.name_bytes(gt.name));
        msg.extend_from_slice(format!("> at line {} jumps into the scope of local '", gt.line).as_bytes());
        msg.extend_from_slice(self.name_bytes(varname));
        msg.push(b'\'');
        self.sem_error(&msg)
    }

    /// Solves pending goto `g` to `label`, removing it from the list.
    fn solve_goto(&mut self, g: usize, label: &LabelDesc) -> PResult<()> {
        let gt = self.gt[g];
        if gt.nactvar < label.nactvar {
            return Err(self.jump_scope_error(&gt));
        }
        self.patch_list(gt.pc, label.pc)?;
        self.gt.remove(g);
        Ok(())
    }

    /// Finds an active label of the current function.
    pub(crate) fn find_label(&self, name: StrId) -> Option<LabelDesc> {
        self.labels[self.fs.firstlabel..].iter().find(|lb| lb.name == name).copied()
    }

    fn new_label_entry(&mut self, is_goto: bool, name: StrId, line: u32, pc: i32) -> PResult<usize> {
        let n = if is_goto { self.gt.len() } else { self.labels.len() };
        if n >= SHRT_MAX {
            return Err(self.limit_error("labels/gotos", SHRT_MAX as u32));
        }
        let entry = LabelDesc { name, pc, line, nactvar: self.fs.nactvar, close: false };
        if is_goto {
            self.gt.push(entry);
        } else {
            self.labels.push(entry);
        }
        Ok(n)
    }

    pub(crate) fn new_goto_entry(&mut self, name: StrId, line: u32, pc: i32) -> PResult<usize> {
        self.new_label_entry(true, name, line, pc)
    }

    /// Solves the pending gotos of the current block to the new label `lb`;
    /// returns whether some of them need to close upvalues.
    fn solve_gotos(&mut self, lb: &LabelDesc) -> PResult<bool> {
        let mut i = self.fs.blocks.last().expect("a block").firstgoto;
        let mut needsclose = false;
        while i < self.gt.len() {
            if self.gt[i].name == lb.name {
                needsclose |= self.gt[i].close;
                self.solve_goto(i, lb)?;
            } else {
                i += 1;
            }
        }
        Ok(needsclose)
    }

    /// Creates a label at the current position and solves the pending
    /// gotos to it; `last` tells whether the label is the last statement of
    /// its block. Returns whether a `CLOSE` was emitted.
    pub(crate) fn create_label(&mut self, name: StrId, line: u32, last: bool) -> PResult<bool> {
        let pc = self.get_label();
        let l = self.new_label_entry(false, name, line, pc)?;
        if last {
            // assume that locals are already out of scope
            self.labels[l].nactvar = self.fs.blocks.last().expect("a block").nactvar;
        }
        let lb = self.labels[l];
        if self.solve_gotos(&lb)? {
            let r = self.nvarstack();
            self.code_abc(OpCode::Close, r, 0, 0);
            return Ok(true);
        }
        Ok(false)
    }

    /// Moves the pending gotos of a block being closed to the outer level.
    fn move_gotos_out(&mut self, bl: &BlockCnt) {
        for i in bl.firstgoto..self.gt.len() {
            let gt = self.gt[i];
            if self.reglevel(gt.nactvar) > self.reglevel(bl.nactvar) {
                self.gt[i].close |= bl.upval; // jump may need a close
            }
            self.gt[i].nactvar = bl.nactvar;
        }
    }

    pub(crate) fn enter_block(&mut self, isloop: bool) {
        let insidetbc = self.fs.blocks.last().is_some_and(|b| b.insidetbc);
        self.fs.blocks.push(BlockCnt {
            firstlabel: self.labels.len(),
            firstgoto: self.gt.len(),
            nactvar: self.fs.nactvar,
            upval: false,
            isloop,
            insidetbc,
        });
        debug_assert_eq!(self.fs.freereg, self.nvarstack());
    }

    fn undef_goto(&self, gt: &LabelDesc) -> Box<SyntaxError> {
        let msg = if gt.name == STR_BREAK {
            format!("break outside loop at line {}", gt.line).into_bytes()
        } else {
            let mut m = b"no visible label '".to_vec();
            m.extend_from_slice(self.name_bytes(gt.name));
            m.extend_from_slice(format!("' for <goto> at line {}", gt.line).as_bytes());
            m
        };
        self.sem_error(&msg)
    }

    pub(crate) fn leave_block(&mut self) -> PResult<()> {
        let bl = *self.fs.blocks.last().expect("a block");
        let stklevel = self.reglevel(bl.nactvar); // level outside the block
        self.remove_vars(bl.nactvar);
        let mut hasclose = false;
        if bl.isloop {
            hasclose = self.create_label(STR_BREAK, 0, false)?;
        }
        let has_previous = self.fs.blocks.len() > 1;
        if !hasclose && has_previous && bl.upval {
            self.code_abc(OpCode::Close, stklevel, 0, 0);
        }
        self.fs.freereg = stklevel;
        self.labels.truncate(bl.firstlabel);
        self.fs.blocks.pop();
        if has_previous {
            self.move_gotos_out(&bl);
        } else if bl.firstgoto < self.gt.len() {
            return Err(self.undef_goto(&self.gt[bl.firstgoto]));
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Functions

    /// Starts a nested function (PUC's `addprototype` and `open_func`).
    pub(crate) fn open_function(&mut self, linedefined: u32) -> PResult<()> {
        if self.fs.np >= MAXARG_BX {
            return Err(self.limit_error("functions", MAXARG_BX));
        }
        self.fs.np += 1;
        let fs = self.new_func_state(linedefined);
        let parent = std::mem::replace(&mut self.fs, fs);
        self.prev_fs.push(parent);
        self.enter_block(false);
        Ok(())
    }

    fn new_func_state(&self, linedefined: u32) -> FuncState {
        FuncState {
            linedefined,
            maxstacksize: 2, // registers 0/1 are always valid
            firstlocal: self.nactive,
            firstlabel: self.labels.len(),
            ..FuncState::default()
        }
    }

    /// Runs `f` with the enclosing function as the current one.
    pub(crate) fn in_parent<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let parent = self.prev_fs.pop().expect("an enclosing function");
        let child = std::mem::replace(&mut self.fs, parent);
        let r = f(self);
        let parent = std::mem::replace(&mut self.fs, child);
        self.prev_fs.push(parent);
        r
    }

    /// Finishes the current function and gives its prototype; the
    /// enclosing function (if any) becomes current.
    pub(crate) fn close_function(&mut self) -> PResult<FunctionProto> {
        let first = self.nvarstack();
        self.ret(first, 0); // final return
        self.leave_block()?;
        debug_assert!(self.fs.blocks.is_empty());
        self.finish()?;
        let parent = self.prev_fs.pop().unwrap_or_default();
        let fs = std::mem::replace(&mut self.fs, parent);
        Ok(self.build_proto(fs))
    }

    fn build_proto(&self, fs: FuncState) -> FunctionProto {
        let strings = &self.lex.strings;
        let bytes = |s: StrId| -> Box<[u8]> { Box::from(strings.get(s)) };
        FunctionProto {
            source: self.source.clone(),
            line_defined: fs.linedefined,
            last_line_defined: fs.lastlinedefined,
            num_params: fs.numparams as u8,
            is_vararg: fs.is_vararg,
            max_stack_size: fs.maxstacksize as u8,
            code: fs.code,
            line_info: fs.lines,
            abs_line_pcs: fs.abs_line_pcs,
            constants: fs
                .k
                .iter()
                .map(|k| match *k {
                    KValue::Nil => Constant::Nil,
                    KValue::Bool(b) => Constant::Bool(b),
                    KValue::Int(i) => Constant::Int(i),
                    KValue::Flt(f) => Constant::Float(f),
                    KValue::Str(s) => Constant::Str(bytes(s)),
                })
                .collect(),
            upvalues: fs
                .upvals
                .iter()
                .map(|u| UpvalDesc { name: Some(bytes(u.name)), in_stack: u.instack, index: u.idx as u8, kind: u.kind })
                .collect(),
            protos: fs.protos,
            loc_vars: fs
                .locvars
                .iter()
                .map(|v| LocVarInfo { name: bytes(v.name), start_pc: v.startpc, end_pc: v.endpc })
                .collect(),
        }
    }

    /// Marks the current function as vararg.
    pub(crate) fn set_vararg(&mut self, nparams: u32) {
        self.fs.is_vararg = true;
        self.code_abc(OpCode::VarArgPrep, nparams, 0, 0);
    }

    /// Compiles the main function of a chunk: a vararg function with an
    /// upvalue `_ENV`.
    pub(crate) fn main_function(&mut self) -> PResult<FunctionProto> {
        self.fs = self.new_func_state(0);
        self.enter_block(false);
        self.set_vararg(0);
        self.alloc_upvalue(0, UpvalInfo { name: STR_ENV, instack: true, idx: 0, kind: VarKind::Regular })?;
        self.next()?; // read first token
        self.statlist()?;
        self.check(Token::Eos)?;
        self.close_function()
    }
}
