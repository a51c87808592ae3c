//! Grammar rules for expressions, table constructors and function bodies
//! (PUC's `lparser.c`).

use super::codegen::{ExpDesc, ExpKind, MULTRET};
use super::lexer::{Token, STR_SELF};
use super::operators::{BinOpr, UnOpr, UNARY_PRIORITY};
use super::parser::{PResult, Parser};
use crate::vm::opcodes::*;

/// State of a table constructor being compiled.
struct ConsControl {
    /// The last list item read.
    v: ExpDesc,
    /// The register of the table.
    table: u32,
    /// Number of record elements.
    nh: u32,
    /// Number of array elements already stored.
    na: u32,
    /// Number of array elements pending to be stored.
    tostore: u32,
}

fn unary_op(t: Token) -> Option<UnOpr> {
    match t {
        Token::Not => Some(UnOpr::Not),
        Token::Char(b'-') => Some(UnOpr::Minus),
        Token::Char(b'~') => Some(UnOpr::BNot),
        Token::Char(b'#') => Some(UnOpr::Len),
        _ => None,
    }
}

fn binary_op(t: Token) -> Option<BinOpr> {
    Some(match t {
        Token::Char(b'+') => BinOpr::Add,
        Token::Char(b'-') => BinOpr::Sub,
        Token::Char(b'*') => BinOpr::Mul,
        Token::Char(b'%') => BinOpr::Mod,
        Token::Char(b'^') => BinOpr::Pow,
        Token::Char(b'/') => BinOpr::Div,
        Token::IDiv => BinOpr::IDiv,
        Token::Char(b'&') => BinOpr::BAnd,
        Token::Char(b'|') => BinOpr::BOr,
        Token::Char(b'~') => BinOpr::BXor,
        Token::Shl => BinOpr::Shl,
        Token::Shr => BinOpr::Shr,
        Token::Concat => BinOpr::Concat,
        Token::Ne => BinOpr::Ne,
        Token::Eq => BinOpr::Eq,
        Token::Char(b'<') => BinOpr::Lt,
        Token::Le => BinOpr::Le,
        Token::Char(b'>') => BinOpr::Gt,
        Token::Ge => BinOpr::Ge,
        Token::And => BinOpr::And,
        Token::Or => BinOpr::Or,
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    /// fieldsel -> ['.' | ':'] NAME
    pub(crate) fn fieldsel(&mut self, v: &mut ExpDesc) -> PResult<()> {
        self.exp2anyregup(v)?;
        self.next()?; // skip the dot or colon
        let name = self.str_checkname()?;
        let mut key = ExpDesc::new(ExpKind::KStr(name));
        self.indexed(v, &mut key)
    }

    /// index -> '[' expr ']'
    fn yindex(&mut self) -> PResult<ExpDesc> {
        self.next()?; // skip the '['
        let mut v = self.expr()?;
        self.exp2val(&mut v)?;
        self.check_next(Token::Char(b']'))?;
        Ok(v)
    }

    /// recfield -> (NAME | '['exp']') = exp
    fn recfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        let reg = self.fs.freereg;
        let mut key = if let Token::Name(name) = self.t() {
            self.next()?;
            ExpDesc::new(ExpKind::KStr(name))
        } else {
            self.yindex()?
        };
        cc.nh += 1; // (PUC checks against MAX_INT: cannot overflow here)
        self.check_next(Token::Char(b'='))?;
        let mut tab = ExpDesc::new(ExpKind::NonReloc(cc.table));
        self.indexed(&mut tab, &mut key)?;
        let mut val = self.expr()?;
        self.store_var(&tab, &mut val)?;
        self.fs.freereg = reg; // free registers
        Ok(())
    }

    fn closelistfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        if cc.v.k == ExpKind::Void {
            return Ok(()); // there is no list item
        }
        self.exp2nextreg(&mut cc.v)?;
        cc.v.k = ExpKind::Void;
        if cc.tostore == LFIELDS_PER_FLUSH {
            self.set_list(cc.table, cc.na, cc.tostore as i32); // flush
            cc.na += cc.tostore;
            cc.tostore = 0; // no more items pending
        }
        Ok(())
    }

    fn lastlistfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        if cc.tostore == 0 {
            return Ok(());
        }
        if cc.v.is_multret() {
            self.set_multret(&cc.v)?;
            self.set_list(cc.table, cc.na, MULTRET);
            // do not count last expression (unknown number of elements)
            cc.na += cc.tostore - 1;
        } else {
            if cc.v.k != ExpKind::Void {
                self.exp2nextreg(&mut cc.v)?;
            }
            self.set_list(cc.table, cc.na, cc.tostore as i32);
            cc.na += cc.tostore;
        }
        Ok(())
    }

    /// field -> listfield | recfield
    fn field(&mut self, cc: &mut ConsControl) -> PResult<()> {
        match self.t() {
            Token::Name(_) => {
                // may be 'listfield' or 'recfield'
                if self.lex.look_ahead()? != Token::Char(b'=') {
                    cc.v = self.expr()?;
                    cc.tostore += 1;
                } else {
                    self.recfield(cc)?;
                }
            }
            Token::Char(b'[') => self.recfield(cc)?,
            _ => {
                cc.v = self.expr()?;
                cc.tostore += 1;
            }
        }
        Ok(())
    }

    /// `constructor -> '{' [ field { sep field } [sep] ] '}'`
    fn constructor(&mut self) -> PResult<ExpDesc> {
        let line = self.lex.linenumber;
        let pc = self.code_abc(OpCode::NewTable, 0, 0, 0);
        self.code(0); // space for extra arg.
        let table = self.fs.freereg; // table will be at stack top
        let mut cc = ConsControl { v: ExpDesc::new(ExpKind::Void), table, nh: 0, na: 0, tostore: 0 };
        self.reserve_regs(1)?;
        self.check_next(Token::Char(b'{'))?;
        loop {
            if self.t() == Token::Char(b'}') {
                break;
            }
            self.closelistfield(&mut cc)?;
            self.field(&mut cc)?;
            if !(self.test_next(Token::Char(b','))? || self.test_next(Token::Char(b';'))?) {
                break;
            }
        }
        self.check_match(Token::Char(b'}'), Token::Char(b'{'), line)?;
        self.lastlistfield(&mut cc)?;
        self.set_table_size(pc, table, cc.na, cc.nh);
        Ok(ExpDesc::new(ExpKind::NonReloc(table)))
    }

    /// parlist -> [ {NAME ','} (NAME | '...') ]
    fn parlist(&mut self) -> PResult<()> {
        let mut nparams = 0;
        let mut isvararg = false;
        if self.t() != Token::Char(b')') {
            loop {
                match self.t() {
                    Token::Name(name) => {
                        self.next()?;
                        self.new_localvar(name)?;
                        nparams += 1;
                    }
                    Token::Dots => {
                        self.next()?;
                        isvararg = true;
                    }
                    _ => return Err(self.lex.syntax_error(b"<name> or '...' expected")),
                }
                if isvararg || !self.test_next(Token::Char(b','))? {
                    break;
                }
            }
        }
        self.adjust_localvars(nparams)?;
        self.fs.numparams = self.fs.nactvar;
        if isvararg {
            self.set_vararg(self.fs.numparams);
        }
        self.reserve_regs(self.fs.nactvar)
    }

    /// body -> '(' parlist ')' block END
    pub(crate) fn body(&mut self, ismethod: bool, line: u32) -> PResult<ExpDesc> {
        self.open_function(line)?;
        self.check_next(Token::Char(b'('))?;
        if ismethod {
            self.new_localvar(STR_SELF)?; // create 'self' parameter
            self.adjust_localvars(1)?;
        }
        self.parlist()?;
        self.check_next(Token::Char(b')'))?;
        self.statlist()?;
        self.fs.lastlinedefined = self.lex.linenumber;
        self.check_match(Token::End, Token::Function, line)?;
        // the closure is created in the enclosing function, in its last
        // register
        let e = self.in_parent(|p| {
            let pc = p.code_abx(OpCode::Closure, 0, p.fs.np - 1);
            let mut e = ExpDesc::new(ExpKind::Reloc(pc));
            p.exp2nextreg(&mut e)?;
            Ok(e)
        })?;
        let proto = self.close_function()?;
        self.fs.protos.push(proto);
        Ok(e)
    }

    /// explist -> expr { ',' expr }; returns the number of expressions and
    /// the last one.
    pub(crate) fn explist(&mut self) -> PResult<(u32, ExpDesc)> {
        let mut n = 1;
        let mut v = self.expr()?;
        while self.test_next(Token::Char(b','))? {
            self.exp2nextreg(&mut v)?;
            v = self.expr()?;
            n += 1;
        }
        Ok((n, v))
    }

    fn funcargs(&mut self, f: &mut ExpDesc) -> PResult<()> {
        let line = self.lex.linenumber;
        let mut args = match self.t() {
            Token::Char(b'(') => {
                self.next()?;
                let args = if self.t() == Token::Char(b')') {
                    ExpDesc::new(ExpKind::Void) // arg list is empty
                } else {
                    let (_, args) = self.explist()?;
                    if args.is_multret() {
                        self.set_multret(&args)?;
                    }
                    args
                };
                self.check_match(Token::Char(b')'), Token::Char(b'('), line)?;
                args
            }
            Token::Char(b'{') => self.constructor()?,
            Token::Str(s) => {
                self.next()?;
                ExpDesc::new(ExpKind::KStr(s))
            }
            _ => return Err(self.lex.syntax_error(b"function arguments expected")),
        };
        let ExpKind::NonReloc(base) = f.k else { unreachable!("called function not in a register") };
        let nparams = if args.is_multret() {
            MULTRET // open call
        } else {
            if args.k != ExpKind::Void {
                self.exp2nextreg(&mut args)?; // close last argument
            }
            (self.fs.freereg - (base + 1)) as i32
        };
        f.k = ExpKind::Call(self.code_abc(OpCode::Call, base, (nparams + 1) as u32, 2));
        self.fix_line(line);
        // the call removes the function and arguments and leaves one result
        // (unless changed later)
        self.fs.freereg = base + 1;
        Ok(())
    }

    /// primaryexp -> NAME | '(' expr ')'
    fn primaryexp(&mut self) -> PResult<ExpDesc> {
        match self.t() {
            Token::Char(b'(') => {
                let line = self.lex.linenumber;
                self.next()?;
                let mut v = self.expr()?;
                self.check_match(Token::Char(b')'), Token::Char(b'('), line)?;
                self.discharge_vars(&mut v);
                Ok(v)
            }
            Token::Name(_) => self.single_var(),
            _ => Err(self.lex.syntax_error(b"unexpected symbol")),
        }
    }

    /// suffixedexp -> primaryexp { '.' NAME | '[' exp ']' | ':' NAME
    /// funcargs | funcargs }
    pub(crate) fn suffixedexp(&mut self) -> PResult<ExpDesc> {
        let mut v = self.primaryexp()?;
        loop {
            match self.t() {
                Token::Char(b'.') => self.fieldsel(&mut v)?,
                Token::Char(b'[') => {
                    self.exp2anyregup(&mut v)?;
                    let mut key = self.yindex()?;
                    self.indexed(&mut v, &mut key)?;
                }
                Token::Char(b':') => {
                    self.next()?;
                    let name = self.str_checkname()?;
                    let mut key = ExpDesc::new(ExpKind::KStr(name));
                    self.code_self(&mut v, &mut key)?;
                    self.funcargs(&mut v)?;
                }
                Token::Char(b'(') | Token::Str(_) | Token::Char(b'{') => {
                    self.exp2nextreg(&mut v)?;
                    self.funcargs(&mut v)?;
                }
                _ => return Ok(v),
            }
        }
    }

    /// simpleexp -> FLT | INT | STRING | NIL | TRUE | FALSE | ... |
    /// constructor | FUNCTION body | suffixedexp
    fn simpleexp(&mut self) -> PResult<ExpDesc> {
        let k = match self.t() {
            Token::Flt(f) => ExpKind::KFlt(f),
            Token::Int(i) => ExpKind::KInt(i),
            Token::Str(s) => ExpKind::KStr(s),
            Token::Nil => ExpKind::Nil,
            Token::True => ExpKind::True,
            Token::False => ExpKind::False,
            Token::Dots => {
                if !self.fs.is_vararg {
                    return Err(self.lex.syntax_error(b"cannot use '...' outside a vararg function"));
                }
                ExpKind::Vararg(self.code_abc(OpCode::VarArg, 0, 0, 1))
            }
            Token::Char(b'{') => return self.constructor(),
            Token::Function => {
                self.next()?;
                let line = self.lex.linenumber;
                return self.body(false, line);
            }
            _ => return self.suffixedexp(),
        };
        self.next()?;
        Ok(ExpDesc::new(k))
    }

    /// subexpr -> (simpleexp | unop subexpr) { binop subexpr }, where
    /// `binop` is any binary operator with a priority higher than `limit`.
    /// Returns the expression and the first operator not handled.
    fn subexpr(&mut self, limit: u8) -> PResult<(ExpDesc, Option<BinOpr>)> {
        self.enter_level()?;
        let mut v = if let Some(uop) = unary_op(self.t()) {
            let line = self.lex.linenumber;
            self.next()?; // skip operator
            let (mut v, _) = self.subexpr(UNARY_PRIORITY)?;
            self.prefix(uop, &mut v, line)?;
            v
        } else {
            self.simpleexp()?
        };
        // expand while operators have priorities higher than 'limit'
        let mut op = binary_op(self.t());
        while let Some(o) = op {
            let (left, right) = o.priority();
            if left <= limit {
                break;
            }
            let line = self.lex.linenumber;
            self.next()?; // skip operator
            self.infix(o, &mut v)?;
            // read sub-expression with higher priority
            let (mut v2, nextop) = self.subexpr(right)?;
            self.posfix(o, &mut v, &mut v2, line)?;
            op = nextop;
        }
        self.leave_level();
        Ok((v, op))
    }

    pub(crate) fn expr(&mut self) -> PResult<ExpDesc> {
        Ok(self.subexpr(0)?.0)
    }
}
