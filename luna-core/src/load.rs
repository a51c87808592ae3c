//! Loading chunks: source text through the compiler, binary chunks through
//! `dump`, and the conversion of the compiler's output into
//! garbage-collected prototypes and the main closure (PUC's `lua_load`).

use crate::compiler::{self, Constant, FunctionProto};
use crate::gc::Gc;
use crate::object::function::{LocVar, Proto, UpvalInfo};
use crate::object::string::LuaStr;
use crate::state::State;
use crate::value::Value;
use crate::vm::{LResult, Status, Throw};

/// The signature that starts binary chunks (`"\x1bLua"`).
pub const BINARY_SIGNATURE: &[u8] = b"\x1bLua";

/// Which kinds of chunks `load` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadMode {
    Text,
    Binary,
    Both,
}

impl LoadMode {
    /// Parses a mode string ("t", "b", "bt").
    pub fn parse(s: &[u8]) -> LoadMode {
        let t = s.contains(&b't');
        let b = s.contains(&b'b');
        match (t, b) {
            (true, false) => LoadMode::Text,
            (false, true) => LoadMode::Binary,
            _ => LoadMode::Both,
        }
    }

    fn name(self) -> &'static str {
        match self {
            LoadMode::Text => "t",
            LoadMode::Binary => "b",
            LoadMode::Both => "bt",
        }
    }
}

impl State {
    /// Loads a chunk and returns its main function. `env` becomes its first
    /// upvalue (`_ENV`); `None` uses the globals table. Syntax errors come
    /// back as `Err` with status `ErrSyntax` and the message as value.
    ///
    /// Hosts loading near the memory limit may call
    /// `relieve_memory_pressure` first (natives need not: the native call
    /// itself did).
    pub fn load(&mut self, chunk: &[u8], chunkname: &[u8], mode: LoadMode, env: Option<Value>) -> LResult<Value> {
        self.note_host_entry();
        // As PUC, the first byte alone (ESC) marks a binary chunk.
        let is_binary = chunk.first() == Some(&BINARY_SIGNATURE[0]);
        if is_binary && mode == LoadMode::Text {
            return Err(self.syntax_error_value(format!("attempt to load a binary chunk (mode is '{}')", mode.name())));
        }
        if is_binary && !self.binary_allowed {
            return Err(
                self.syntax_error_value("attempt to load a binary chunk (binary chunks are disabled)".to_string())
            );
        }
        if chunk.len() > self.max_source {
            return Err(self.syntax_error_value("chunk too large".to_string()));
        }
        if !is_binary && mode == LoadMode::Binary {
            return Err(self.syntax_error_value(format!("attempt to load a text chunk (mode is '{}')", mode.name())));
        }
        let proto = if is_binary {
            self.undump(chunk, chunkname)?
        } else {
            // What the compiler builds is proportional to the source, and
            // is memory too.
            if !self.heap.fits(chunk.len()) {
                return Err(self.mem_throw());
            }
            // The parser's recursion counts as native levels (PUC's
            // `luaE_incCstack` in the parser), so a deeply nested `load`
            // chain cannot overflow the Rust stack.
            self.inc_cstack()?;
            let level = self.th().c_calls();
            let r = compiler::compile_at_level(chunk, chunkname, level);
            self.th().n_ccalls -= 1;
            self.proto_from_compiled(r)?
        };
        self.main_closure(proto, env)
    }

    /// The heap prototype of a compilation's result, or its syntax error.
    fn proto_from_compiled(&mut self, r: Result<FunctionProto, compiler::SyntaxError>) -> LResult<Gc<Proto>> {
        match r {
            Ok(fp) => {
                let src = self.new_str(&fp.source)?;
                let mut long_strings = std::collections::HashMap::new();
                self.proto_from(&fp, Some(src), &mut long_strings)
            }
            Err(e) if e.out_of_memory => Err(self.mem_throw()),
            Err(e) => {
                let v = self.str_value(&e.message)?;
                Err(Throw { status: Status::ErrSyntax, value: v })
            }
        }
    }

    /// The main closure of a loaded chunk: `env` (or the globals) as its
    /// first upvalue.
    fn main_closure(&mut self, proto: Gc<Proto>, env: Option<Value>) -> LResult<Value> {
        let mut upvals = Vec::with_capacity(proto.upvalues.len());
        for i in 0..proto.upvalues.len() {
            let v = if i == 0 { env.unwrap_or(Value::Table(self.globals)) } else { Value::Nil };
            upvals.push(self.new_closed_upval(v)?);
        }
        let cl = self.new_lua_closure(proto, upvals)?;
        Ok(Value::LuaFn(cl))
    }

    /// Loads a chunk read piece by piece by calling `reader` (a Lua
    /// function returning strings; nil or an empty string ends the chunk),
    /// as `load` does with a function (PUC's `lua_load` with
    /// `generic_reader`). Text is lexed as it arrives, never held whole;
    /// the bytes read count against the memory limit while the chunk is
    /// compiled (what the compiler builds is proportional to them), so an
    /// endless reader ends with "not enough memory", the parser's nesting
    /// limit or the instruction budget, whichever comes first. A binary
    /// chunk is gathered (under the same accounting) and undumped. An error
    /// in the reader is the error of the load.
    pub fn load_from_reader(
        &mut self,
        reader: Value,
        chunkname: &[u8],
        mode: LoadMode,
        env: Option<Value>,
    ) -> LResult<Value> {
        self.note_host_entry();
        let first = self.read_piece(reader)?;
        // Once the reader has said the chunk ended, it is not called again
        // (a reader that loads itself would otherwise run twice per level).
        let mut ended = first.is_none();
        let first = first.unwrap_or_default();
        let mut consumed = first.len();
        if first.first() == Some(&BINARY_SIGNATURE[0]) {
            let mut chunk = first;
            while let Some(piece) = self.read_piece(reader)? {
                consumed += piece.len();
                self.check_source_size(consumed)?;
                if chunk.try_reserve(piece.len()).is_err() {
                    return Err(self.mem_throw());
                }
                chunk.extend_from_slice(&piece);
            }
            return self.load(&chunk, chunkname, mode, env);
        }
        if mode == LoadMode::Binary {
            return Err(self.syntax_error_value(format!("attempt to load a text chunk (mode is '{}')", mode.name())));
        }
        self.check_source_size(consumed)?;
        self.inc_cstack()?;
        let level = self.th().c_calls();
        let mut failure: Option<Throw> = None;
        let r = {
            let mut next = || -> Option<Vec<u8>> {
                if ended {
                    return None;
                }
                let piece = match self.read_piece(reader) {
                    Ok(Some(p)) => p,
                    Ok(None) => {
                        ended = true;
                        return None;
                    }
                    Err(t) => {
                        ended = true;
                        failure = Some(t);
                        return None;
                    }
                };
                consumed += piece.len();
                if let Err(t) = self.check_source_size(consumed) {
                    failure = Some(t);
                    return None;
                }
                Some(piece)
            };
            compiler::compile_stream_at_level(first, &mut next, chunkname, level)
        };
        self.th().n_ccalls -= 1;
        // A failed read ends the chunk early; its error, not the syntax
        // error that follows, is the load's.
        if let Some(t) = failure {
            return Err(t);
        }
        let proto = self.proto_from_compiled(r)?;
        self.main_closure(proto, env)
    }

    /// One piece from a reader function, called protected with the current
    /// message handler (an error in it is the load's error, as PUC's
    /// protected parser makes it). `None` ends the chunk.
    fn read_piece(&mut self, reader: Value) -> LResult<Option<Vec<u8>>> {
        self.check_stack(2)?;
        let func = self.top();
        self.push(reader);
        let errfunc = self.th_ref().errfunc;
        let status = self.pcall_raw(func, 1, errfunc);
        let piece = self.stack_get(func);
        self.set_top(func);
        if status != Status::Ok {
            return Err(Throw { status, value: piece });
        }
        let s = match piece {
            Value::Nil => return Ok(None),
            Value::Str(s) => s,
            Value::Int(_) | Value::Float(_) => match self.tostring_number(piece)? {
                Value::Str(s) => s,
                _ => return Ok(None),
            },
            _ => return Err(self.error_msg("reader function must return a string")),
        };
        let mut bytes = Vec::new();
        if bytes.try_reserve_exact(s.len()).is_err() {
            return Err(self.mem_throw());
        }
        bytes.extend_from_slice(s.as_bytes());
        Ok(if bytes.is_empty() { None } else { Some(bytes) })
    }

    /// Checks that `n` bytes of source may be held while compiling: under
    /// the largest chunk `load` accepts, and (as memory the compilation
    /// takes) under the memory limit.
    fn check_source_size(&mut self, n: usize) -> LResult<()> {
        if n > self.max_source {
            Err(self.error_msg("chunk too large"))
        } else if !self.heap.fits(n) {
            Err(self.mem_throw())
        } else {
            Ok(())
        }
    }

    pub(crate) fn syntax_error_value(&mut self, msg: String) -> Throw {
        match self.str_value(msg.as_bytes()) {
            Ok(v) => Throw { status: Status::ErrSyntax, value: v },
            Err(t) => t,
        }
    }

    /// Converts a compiled prototype tree into heap prototypes.
    ///
    /// Long string constants with equal contents become one string object
    /// per chunk (`long_strings`), as PUC's scanner anchors them: short
    /// strings are unique anyway.
    pub(crate) fn proto_from(
        &mut self,
        fp: &FunctionProto,
        source: Option<Gc<LuaStr>>,
        long_strings: &mut std::collections::HashMap<Box<[u8]>, Gc<LuaStr>>,
    ) -> LResult<Gc<Proto>> {
        let mut constants = Vec::with_capacity(fp.constants.len());
        for c in &fp.constants {
            constants.push(match c {
                Constant::Nil => Value::Nil,
                Constant::Bool(b) => Value::Bool(*b),
                Constant::Int(i) => Value::Int(*i),
                Constant::Float(f) => Value::Float(*f),
                Constant::Str(s) => match long_strings.get(s) {
                    Some(&g) => Value::Str(g),
                    None => {
                        let g = self.new_str(s)?;
                        if !g.is_short() {
                            long_strings.insert(s.clone(), g);
                        }
                        Value::Str(g)
                    }
                },
            });
        }
        let mut protos = Vec::with_capacity(fp.protos.len());
        for p in &fp.protos {
            protos.push(self.proto_from(p, source, long_strings)?);
        }
        let mut upvalues = Vec::with_capacity(fp.upvalues.len());
        for u in &fp.upvalues {
            let name = match &u.name {
                Some(n) => Some(self.new_str(n)?),
                None => None,
            };
            upvalues.push(UpvalInfo { name, in_stack: u.in_stack, index: u.index, kind: u.kind });
        }
        let mut loc_vars = Vec::with_capacity(fp.loc_vars.len());
        for l in &fp.loc_vars {
            loc_vars.push(LocVar { name: self.new_str(&l.name)?, start_pc: l.start_pc, end_pc: l.end_pc });
        }
        let p = Proto {
            code: fp.code.clone().into_boxed_slice(),
            constants: constants.into_boxed_slice(),
            protos: protos.into_boxed_slice(),
            upvalues: upvalues.into_boxed_slice(),
            line_info: fp.line_info.clone().into_boxed_slice(),
            abs_line_pcs: fp.abs_line_pcs.clone().into_boxed_slice(),
            loc_vars: loc_vars.into_boxed_slice(),
            source,
            line_defined: fp.line_defined,
            last_line_defined: fp.last_line_defined,
            num_params: fp.num_params,
            is_vararg: fp.is_vararg,
            max_stack_size: fp.max_stack_size,
        };
        self.heap.alloc(p).map_err(|_| self.mem_throw())
    }
}
