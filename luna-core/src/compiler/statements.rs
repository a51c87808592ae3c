//! Grammar rules for statements (PUC's `lparser.c`).

use super::codegen::{ExpDesc, ExpKind, MULTRET, NO_JUMP};
use super::lexer::{StrId, Token, STR_BREAK, STR_FOR_STATE};
use super::parser::{PResult, Parser};
use super::proto::VarKind;
use crate::vm::opcodes::*;

impl<'a> Parser<'a> {
    /// Whether the current token ends a block (`until` only if
    /// `withuntil`).
    pub(crate) fn block_follow(&self, withuntil: bool) -> bool {
        match self.t() {
            Token::Else | Token::Elseif | Token::End | Token::Eos => true,
            Token::Until => withuntil,
            _ => false,
        }
    }

    /// statlist -> { stat [';'] }
    pub(crate) fn statlist(&mut self) -> PResult<()> {
        while !self.block_follow(true) {
            if self.t() == Token::Return {
                self.statement()?;
                return Ok(()); // 'return' must be last statement
            }
            self.statement()?;
        }
        Ok(())
    }

    /// block -> statlist
    pub(crate) fn block(&mut self) -> PResult<()> {
        self.enter_block(false);
        self.statlist()?;
        self.leave_block()
    }

    pub(crate) fn statement(&mut self) -> PResult<()> {
        let line = self.lex.linenumber; // may be needed for error messages
        self.enter_level()?;
        match self.t() {
            Token::Char(b';') => self.next()?, // empty statement
            Token::If => self.ifstat(line)?,
            Token::While => self.whilestat(line)?,
            Token::Do => {
                self.next()?;
                self.block()?;
                self.check_match(Token::End, Token::Do, line)?;
            }
            Token::For => self.forstat(line)?,
            Token::Repeat => self.repeatstat(line)?,
            Token::Function => self.funcstat(line)?,
            Token::Local => {
                self.next()?;
                if self.test_next(Token::Function)? {
                    self.localfunc()?;
                } else {
                    self.localstat()?;
                }
            }
            Token::DbColon => {
                self.next()?;
                let name = self.str_checkname()?;
                self.labelstat(name, line)?;
            }
            Token::Return => {
                self.next()?;
                self.retstat()?;
            }
            Token::Break => self.breakstat()?,
            Token::Goto => {
                self.next()?;
                self.gotostat()?;
            }
            _ => self.exprstat()?,
        }
        debug_assert!(self.fs.maxstacksize >= self.fs.freereg && self.fs.freereg >= self.nvarstack());
        self.fs.freereg = self.nvarstack(); // free registers
        self.leave_level();
        Ok(())
    }

    /// cond -> exp; returns the false-exit list.
    fn cond(&mut self) -> PResult<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False; // 'falses' are all equal here
        }
        self.go_if_true(&mut v)?;
        Ok(v.f)
    }

    fn gotostat(&mut self) -> PResult<()> {
        let line = self.lex.linenumber;
        let name = self.str_checkname()?;
        match self.find_label(name) {
            None => {
                // forward jump; will be resolved when the label is declared
                let pc = self.jump();
                self.new_goto_entry(name, line, pc)?;
            }
            Some(lb) => {
                // backward jump; will be resolved here
                let lblevel = self.reglevel(lb.nactvar);
                if self.nvarstack() > lblevel {
                    self.code_abc(OpCode::Close, lblevel, 0, 0);
                }
                let pc = self.jump();
                self.patch_list(pc, lb.pc)?;
            }
        }
        Ok(())
    }

    /// break -> 'goto break'
    fn breakstat(&mut self) -> PResult<()> {
        let line = self.lex.linenumber;
        self.next()?;
        let pc = self.jump();
        self.new_goto_entry(STR_BREAK, line, pc)?;
        Ok(())
    }

    fn check_repeated(&self, name: StrId) -> PResult<()> {
        if let Some(lb) = self.find_label(name) {
            let mut msg = b"label '".to_vec();
            msg.extend_from_slice(self.name_bytes(name));
            msg.extend_from_slice(format!("' already defined on line {}", lb.line).as_bytes());
            return Err(self.sem_error(&msg));
        }
        Ok(())
    }

    /// label -> '::' NAME '::'
    fn labelstat(&mut self, name: StrId, line: u32) -> PResult<()> {
        self.check_next(Token::DbColon)?;
        while matches!(self.t(), Token::Char(b';') | Token::DbColon) {
            self.statement()?; // skip other no-op statements
        }
        self.check_repeated(name)?;
        let last = self.block_follow(false);
        self.create_label(name, line, last)?;
        Ok(())
    }

    /// whilestat -> WHILE cond DO block END
    fn whilestat(&mut self, line: u32) -> PResult<()> {
        self.next()?;
        let whileinit = self.get_label();
        let condexit = self.cond()?;
        self.enter_block(true);
        self.check_next(Token::Do)?;
        self.block()?;
        let j = self.jump();
        self.patch_list(j, whileinit)?;
        self.check_match(Token::End, Token::While, line)?;
        self.leave_block()?;
        self.patch_to_here(condexit) // false conditions finish the loop
    }

    /// repeatstat -> REPEAT block UNTIL cond
    fn repeatstat(&mut self, line: u32) -> PResult<()> {
        let repeat_init = self.get_label();
        self.enter_block(true); // loop block
        self.enter_block(false); // scope block
        self.next()?;
        self.statlist()?;
        self.check_match(Token::Until, Token::Repeat, line)?;
        let mut condexit = self.cond()?; // read condition (inside scope block)
        let bl2 = *self.fs.blocks.last().expect("a block");
        self.leave_block()?; // finish scope
        if bl2.upval {
            // upvalues: the repetition must close them
            let exit = self.jump(); // normal exit must jump over fix
            self.patch_to_here(condexit)?;
            let r = self.reglevel(bl2.nactvar);
            self.code_abc(OpCode::Close, r, 0, 0);
            condexit = self.jump(); // repeat after closing upvalues
            self.patch_to_here(exit)?; // normal exit comes to here
        }
        self.patch_list(condexit, repeat_init)?; // close the loop
        self.leave_block() // finish loop
    }

    /// Reads an expression and puts its value in the next register.
    fn exp1(&mut self) -> PResult<()> {
        let mut e = self.expr()?;
        self.exp2nextreg(&mut e)
    }

    /// Fixes the `for` jump at `pc` to go to `dest`.
    fn fix_for_jump(&mut self, pc: i32, dest: i32, back: bool) -> PResult<()> {
        let mut offset = dest - (pc + 1);
        if back {
            offset = -offset;
        }
        if offset > MAXARG_BX as i32 {
            return Err(self.lex.syntax_error(b"control structure too long"));
        }
        let i = set_bx(self.instr(pc), offset as u32);
        *self.instr_mut(pc) = i;
        Ok(())
    }

    /// forbody -> DO block
    fn forbody(&mut self, base: u32, line: u32, nvars: u32, isgen: bool) -> PResult<()> {
        self.check_next(Token::Do)?;
        let prep =
            if isgen { self.code_abx(OpCode::TForPrep, base, 0) } else { self.code_abx(OpCode::ForPrep, base, 0) };
        self.enter_block(false); // scope for declared variables
        self.adjust_localvars(nvars)?;
        self.reserve_regs(nvars)?;
        self.block()?;
        self.leave_block()?; // end of scope for declared variables
        let here = self.get_label();
        self.fix_for_jump(prep, here, false)?;
        if isgen {
            self.code_abc(OpCode::TForCall, base, 0, nvars);
            self.fix_line(line);
        }
        let endfor =
            if isgen { self.code_abx(OpCode::TForLoop, base, 0) } else { self.code_abx(OpCode::ForLoop, base, 0) };
        self.fix_for_jump(endfor, prep + 1, true)?;
        self.fix_line(line);
        Ok(())
    }

    /// `fornum -> NAME = exp,exp[,exp] forbody`
    fn fornum(&mut self, varname: StrId, line: u32) -> PResult<()> {
        let base = self.fs.freereg;
        self.new_localvar(STR_FOR_STATE)?;
        self.new_localvar(STR_FOR_STATE)?;
        self.new_localvar(STR_FOR_STATE)?;
        self.new_localvar(varname)?;
        self.check_next(Token::Char(b'='))?;
        self.exp1()?; // initial value
        self.check_next(Token::Char(b','))?;
        self.exp1()?; // limit
        if self.test_next(Token::Char(b','))? {
            self.exp1()?; // optional step
        } else {
            // default step = 1
            let r = self.fs.freereg;
            self.code_int(r, 1)?;
            self.reserve_regs(1)?;
        }
        self.adjust_localvars(3)?; // control variables
        self.forbody(base, line, 1, false)
    }

    /// forlist -> NAME {,NAME} IN explist forbody
    fn forlist(&mut self, indexname: StrId) -> PResult<()> {
        let mut nvars = 5; // gen, state, control, toclose, 'indexname'
        let base = self.fs.freereg;
        // create control variables
        for _ in 0..4 {
            self.new_localvar(STR_FOR_STATE)?;
        }
        // create declared variables
        self.new_localvar(indexname)?;
        while self.test_next(Token::Char(b','))? {
            let name = self.str_checkname()?;
            self.new_localvar(name)?;
            nvars += 1;
        }
        self.check_next(Token::In)?;
        let line = self.lex.linenumber;
        let (nexps, mut e) = self.explist()?;
        self.adjust_assign(4, nexps, &mut e)?;
        self.adjust_localvars(4)?; // control variables
        self.mark_to_be_closed(); // last control var. must be closed
        self.check_stack(3)?; // extra space to call generator
        self.forbody(base, line, nvars - 4, true)
    }

    /// forstat -> FOR (fornum | forlist) END
    fn forstat(&mut self, line: u32) -> PResult<()> {
        self.enter_block(true); // scope for loop and control variables
        self.next()?; // skip 'for'
        let varname = self.str_checkname()?;
        match self.t() {
            Token::Char(b'=') => self.fornum(varname, line)?,
            Token::Char(b',') | Token::In => self.forlist(varname)?,
            _ => return Err(self.lex.syntax_error(b"'=' or 'in' expected")),
        }
        self.check_match(Token::End, Token::For, line)?;
        self.leave_block() // loop scope ('break' jumps to this point)
    }

    /// test_then_block -> [IF | ELSEIF] cond THEN block
    fn test_then_block(&mut self, escapelist: &mut i32) -> PResult<()> {
        self.next()?; // skip IF or ELSEIF
        let mut v = self.expr()?;
        self.check_next(Token::Then)?;
        // 'jf': instruction to skip 'then' code (if condition is false)
        let jf = if self.t() == Token::Break {
            // 'if x then break'
            let line = self.lex.linenumber;
            self.go_if_false(&mut v)?; // will jump if condition is true
            self.next()?; // skip 'break'
            self.enter_block(false); // must enter block before 'goto'
            self.new_goto_entry(STR_BREAK, line, v.t)?;
            while self.test_next(Token::Char(b';'))? {}
            if self.block_follow(false) {
                // jump is the entire block
                return self.leave_block();
            }
            self.jump() // must skip over 'then' part if condition is false
        } else {
            self.go_if_true(&mut v)?; // skip over block if condition is false
            self.enter_block(false);
            v.f
        };
        self.statlist()?; // 'then' part
        self.leave_block()?;
        if matches!(self.t(), Token::Else | Token::Elseif) {
            let j = self.jump(); // must jump over it
            self.concat(escapelist, j)?;
        }
        self.patch_to_here(jf)
    }

    /// ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END
    fn ifstat(&mut self, line: u32) -> PResult<()> {
        let mut escapelist = NO_JUMP;
        self.test_then_block(&mut escapelist)?;
        while self.t() == Token::Elseif {
            self.test_then_block(&mut escapelist)?;
        }
        if self.test_next(Token::Else)? {
            self.block()?;
        }
        self.check_match(Token::End, Token::If, line)?;
        self.patch_to_here(escapelist)
    }

    fn localfunc(&mut self) -> PResult<()> {
        let fvar = self.fs.nactvar; // function's variable index
        let name = self.str_checkname()?;
        self.new_localvar(name)?;
        self.adjust_localvars(1)?; // enter its scope
        let line = self.lex.linenumber;
        self.body(false, line)?; // function created in next register
                                 // debug information will only see the variable after this point!
        let pc = self.pc() as u32;
        if let Some(i) = self.local_debug_info(fvar) {
            self.fs.locvars[i].startpc = pc;
        }
        Ok(())
    }

    /// ATTRIB -> ['<' Name '>']
    fn getlocalattribute(&mut self) -> PResult<VarKind> {
        if self.test_next(Token::Char(b'<'))? {
            let attr = self.str_checkname()?;
            self.check_next(Token::Char(b'>'))?;
            return match self.name_bytes(attr) {
                b"const" => Ok(VarKind::Const),
                b"close" => Ok(VarKind::ToClose),
                other => {
                    let mut msg = b"unknown attribute '".to_vec();
                    msg.extend_from_slice(other);
                    msg.push(b'\'');
                    Err(self.sem_error(&msg))
                }
            };
        }
        Ok(VarKind::Regular)
    }

    fn checktoclose(&mut self, level: Option<u32>) -> PResult<()> {
        if let Some(level) = level {
            self.mark_to_be_closed();
            let r = self.reglevel(level);
            self.code_abc(OpCode::Tbc, r, 0, 0);
        }
        Ok(())
    }

    /// stat -> LOCAL NAME ATTRIB { ',' NAME ATTRIB } ['=' explist]
    fn localstat(&mut self) -> PResult<()> {
        let mut toclose = None; // index of to-be-closed variable (if any)
        let mut nvars = 0;
        let mut vidx;
        loop {
            let name = self.str_checkname()?;
            vidx = self.new_localvar(name)?;
            let kind = self.getlocalattribute()?;
            self.var_mut(vidx).kind = kind;
            if kind == VarKind::ToClose {
                if toclose.is_some() {
                    return Err(self.sem_error(b"multiple to-be-closed variables in local list"));
                }
                toclose = Some(self.fs.nactvar + nvars);
            }
            nvars += 1;
            if !self.test_next(Token::Char(b','))? {
                break;
            }
        }
        let (nexps, mut e) =
            if self.test_next(Token::Char(b'='))? { self.explist()? } else { (0, ExpDesc::new(ExpKind::Void)) };
        let last_const = self.var(vidx).kind == VarKind::Const;
        let ctc = if nvars == nexps && last_const { self.exp2const(&e) } else { None };
        if let Some(k) = ctc {
            // the last variable is a compile-time constant
            let var = self.var_mut(vidx);
            var.kind = VarKind::CompileTimeConst;
            var.k = k;
            self.adjust_localvars(nvars - 1)?; // exclude last variable
            self.count_ctc_var(); // but count it
        } else {
            self.adjust_assign(nvars, nexps, &mut e)?;
            self.adjust_localvars(nvars)?;
        }
        self.checktoclose(toclose)
    }

    /// funcname -> NAME {fieldsel} [':' NAME]; returns whether a method.
    fn funcname(&mut self) -> PResult<(ExpDesc, bool)> {
        let mut v = self.single_var()?;
        while self.t() == Token::Char(b'.') {
            self.fieldsel(&mut v)?;
        }
        let mut ismethod = false;
        if self.t() == Token::Char(b':') {
            ismethod = true;
            self.fieldsel(&mut v)?;
        }
        Ok((v, ismethod))
    }

    /// funcstat -> FUNCTION funcname body
    fn funcstat(&mut self, line: u32) -> PResult<()> {
        self.next()?; // skip FUNCTION
        let (v, ismethod) = self.funcname()?;
        let mut b = self.body(ismethod, line)?;
        self.check_readonly(&v)?;
        self.store_var(&v, &mut b)?;
        self.fix_line(line); // definition "happens" in the first line
        Ok(())
    }

    /// stat -> func | assignment
    fn exprstat(&mut self) -> PResult<()> {
        let v = self.suffixedexp()?;
        if matches!(self.t(), Token::Char(b'=') | Token::Char(b',')) {
            self.restassign(v)
        } else {
            let ExpKind::Call(pc) = v.k else {
                return Err(self.lex.syntax_error(b"syntax error"));
            };
            let i = set_c(self.instr(pc), 1); // call statement uses no results
            *self.instr_mut(pc) = i;
            Ok(())
        }
    }

    /// If the local or upvalue `v` being assigned is used as table or index
    /// by a previous assignment in the list, copies it to a safe register
    /// and makes those assignments use the copy.
    fn check_conflict(&mut self, lhs: &mut [ExpDesc], v: &ExpDesc) -> PResult<()> {
        let extra = self.fs.freereg; // eventual position to save local variable
        let mut conflict = false;
        for lh in lhs.iter_mut() {
            match lh.k {
                ExpKind::IndexUp { t, idx } if v.k == ExpKind::Upval(t) => {
                    conflict = true; // table is the upvalue being assigned now
                    lh.k = ExpKind::IndexStr { t: extra, idx };
                }
                ExpKind::Indexed { t, idx } => {
                    if let ExpKind::Local { ridx, .. } = v.k {
                        let mut t = t;
                        let mut idx = idx;
                        if t == ridx {
                            conflict = true; // table is the local being assigned now
                            t = extra;
                        }
                        if idx == ridx {
                            conflict = true; // index is the local being assigned
                            idx = extra;
                        }
                        lh.k = ExpKind::Indexed { t, idx };
                    }
                }
                ExpKind::IndexI { t, idx } => {
                    if matches!(v.k, ExpKind::Local { ridx, .. } if ridx == t) {
                        conflict = true;
                        lh.k = ExpKind::IndexI { t: extra, idx };
                    }
                }
                ExpKind::IndexStr { t, idx } => {
                    if matches!(v.k, ExpKind::Local { ridx, .. } if ridx == t) {
                        conflict = true;
                        lh.k = ExpKind::IndexStr { t: extra, idx };
                    }
                }
                _ => {}
            }
        }
        if conflict {
            // copy upvalue/local value to a temporary (in position 'extra')
            match v.k {
                ExpKind::Local { ridx, .. } => {
                    self.code_abc(OpCode::Move, extra, ridx, 0);
                }
                ExpKind::Upval(i) => {
                    self.code_abc(OpCode::GetUpval, extra, i, 0);
                }
                _ => unreachable!("conflict with a non-variable"),
            }
            self.reserve_regs(1)?;
        }
        Ok(())
    }

    /// assignment -> suffixedexp { ',' suffixedexp } '=' explist
    ///
    /// PUC parses the list recursively; this does the same work in a loop,
    /// counting the nesting levels as PUC does.
    fn restassign(&mut self, first: ExpDesc) -> PResult<()> {
        let mut lhs = vec![first];
        let mut levels = 0;
        loop {
            let last = *lhs.last().expect("a variable");
            if !last.is_var() {
                return Err(self.lex.syntax_error(b"syntax error"));
            }
            self.check_readonly(&last)?;
            if !self.test_next(Token::Char(b','))? {
                break;
            }
            let nv = self.suffixedexp()?;
            if !nv.is_indexed() {
                self.check_conflict(&mut lhs, &nv)?;
            }
            self.enter_level()?; // control recursion depth
            levels += 1;
            lhs.push(nv);
        }
        self.check_next(Token::Char(b'='))?;
        let nvars = lhs.len() as u32;
        let (nexps, mut e) = self.explist()?;
        let mut pending = lhs.len();
        if nexps != nvars {
            self.adjust_assign(nvars, nexps, &mut e)?;
        } else {
            self.set_one_ret(&mut e);
            let var = lhs[pending - 1];
            self.store_var(&var, &mut e)?;
            pending -= 1;
        }
        // default assignments, from the last variable to the first
        for var in lhs[..pending].iter().rev() {
            let mut e = ExpDesc::new(ExpKind::NonReloc(self.fs.freereg - 1));
            self.store_var(var, &mut e)?;
        }
        for _ in 0..levels {
            self.leave_level();
        }
        Ok(())
    }

    /// `stat -> RETURN [explist] [';']`
    fn retstat(&mut self) -> PResult<()> {
        let mut first = self.nvarstack(); // first slot to be returned
        let nret;
        if self.block_follow(true) || self.t() == Token::Char(b';') {
            nret = 0; // return no values
        } else {
            let (n, mut e) = self.explist()?;
            if e.is_multret() {
                self.set_multret(&e)?;
                if let ExpKind::Call(pc) = e.k {
                    let insidetbc = self.fs.blocks.last().is_some_and(|b| b.insidetbc);
                    if n == 1 && !insidetbc {
                        // tail call
                        let i = set_op(self.instr(pc), OpCode::TailCall);
                        *self.instr_mut(pc) = i;
                        debug_assert_eq!(arg_a(i), self.nvarstack());
                    }
                }
                nret = MULTRET;
            } else if n == 1 {
                first = self.exp2anyreg(&mut e)?; // can use original slot
                nret = 1;
            } else {
                // values must go to the top of the stack
                self.exp2nextreg(&mut e)?;
                debug_assert_eq!(n, self.fs.freereg - first);
                nret = n as i32;
            }
        }
        self.ret(first, nret);
        self.test_next(Token::Char(b';'))?; // skip optional semicolon
        Ok(())
    }
}
