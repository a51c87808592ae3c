//! The front end: lexer, parser and bytecode compiler.
//!
//! A one-pass compiler in the design of PUC-Rio Lua 5.4 (`llex.c`,
//! `lparser.c`, `lcode.c`): the parser drives the code generator directly,
//! without an AST, and the output is the same bytecode as the reference
//! compiler's (same instructions, registers, constant tables and line
//! information), which `listing::listing` can print in the format of `luac
//! -l -l`.
//!
//! Module map:
//! - `lexer`: tokens and the token buffer quoted by error messages;
//! - `parser`: function states, variables, scopes, labels;
//! - `statements`, `expressions`: the grammar;
//! - `codegen`, `operators`: code generation (PUC's `lcode.c`);
//! - `listing`: the disassembler;
//! - `proto`: the output;
//! - `tests`, `listing_tests`: error messages, limits and listings checked
//!   against the reference implementation.
//!
//! Error messages are PUC's, byte for byte (`chunkid:line: message near
//! 'token'`), including the limits (registers, locals, upvalues, jumps,
//! constants...). One difference: PUC's parser counts its recursion in the
//! C-call counter and fails with "C stack overflow"; here the recursion of
//! nested structures (blocks, parentheses, constructors, operators,
//! functions, assignment lists) goes through one counter limited to 200
//! levels, and going over it is the syntax error "chunk has too many syntax
//! levels". Together with small parser frames, this keeps any input within
//! a few hundred KiB of Rust stack.

pub mod proto;

mod codegen;
mod expressions;
mod lexer;
pub mod listing;
mod operators;
mod parser;
mod statements;

#[cfg(test)]
mod listing_tests;
#[cfg(test)]
mod tests;

use std::rc::Rc;

pub use lexer::ChunkReader;
pub use listing::listing;
pub use proto::{Constant, FunctionProto, LocVarInfo, SyntaxError, UpvalDesc, VarKind};

/// Maximum size of a chunk id in messages (PUC's `LUA_IDSIZE`, counting
/// the final NUL of the C string).
const LUA_IDSIZE: usize = 60;

/// Compiles a chunk of Lua source code into the prototype of its main
/// function. `chunkname` is the name given to `load` (`"=stdin"`,
/// `"@file.lua"`, or the source text itself); it becomes the `source` of
/// every function of the chunk and, through `chunk_id`, the prefix of error
/// messages.
///
/// The source must be text: a binary chunk (starting with `"\x1bLua"`) is
/// for the loader, not the compiler; a first line starting with `#` must
/// also be skipped by the caller, as `luaL_loadfile` does.
///
/// As in PUC, where chunk names are C strings, the name ends at its first
/// NUL byte, if any.
pub fn compile(source: &[u8], chunkname: &[u8]) -> Result<FunctionProto, SyntaxError> {
    compile_at_level(source, chunkname, 0)
}

/// Like `compile`, with the nesting counter of the parser starting at
/// `level` instead of 0: a caller that is itself `level` native calls deep
/// can make the parser's recursion count towards the same limit of 200
/// levels (PUC's parser counts in `nCcalls`, the C-call counter). Going
/// over the limit is the error "C stack overflow", as in PUC 5.4.
pub fn compile_at_level(source: &[u8], chunkname: &[u8], level: u32) -> Result<FunctionProto, SyntaxError> {
    let chunkname = until_nul(chunkname);
    let mut p = parser::Parser::new(source, Rc::from(chunkname), chunk_id(chunkname), level);
    p.main_function().map_err(|e| *e)
}

/// Like `compile_at_level`, for a chunk read piece by piece: `first`, then
/// what `reader` gives until it gives `None` or an empty piece (PUC's
/// `lua_load` with a `lua_Reader`). The pieces are lexed as they come, so
/// the chunk is never held whole.
pub fn compile_stream_at_level(
    first: Vec<u8>,
    reader: &mut ChunkReader<'_>,
    chunkname: &[u8],
    level: u32,
) -> Result<FunctionProto, SyntaxError> {
    let chunkname = until_nul(chunkname);
    let lex = lexer::Lexer::with_reader(first, reader, chunk_id(chunkname));
    let mut p = parser::Parser::with_lexer(lex, Rc::from(chunkname), level);
    let r = p.main_function().map_err(|e| *e);
    if p.lex.token_too_long {
        return Err(*p.lex.error(b"lexical element too long", lexer::NO_TOKEN));
    }
    if p.lex.out_of_memory {
        return Err(SyntaxError { message: b"not enough memory".to_vec(), incomplete: false, out_of_memory: true });
    }
    r
}

/// The name of a chunk as shown in messages (PUC's `luaO_chunkid`):
/// `=name` gives `name` (truncated), `@file` gives `file` (with a leading
/// `...` if too long), anything else gives `[string "first line..."]`.
pub fn chunk_id(chunkname: &[u8]) -> Vec<u8> {
    let chunkname = until_nul(chunkname);
    const RETS: &[u8] = b"...";
    const PRE: &[u8] = b"[string \"";
    const POS: &[u8] = b"\"]";
    let srclen = chunkname.len();
    // PUC works on the C string: the name followed by a NUL
    let mut out: Vec<u8> = Vec::with_capacity(LUA_IDSIZE);
    match chunkname.first() {
        Some(b'=') => {
            if srclen <= LUA_IDSIZE {
                out.extend_from_slice(&chunkname[1..]);
            } else {
                out.extend_from_slice(&chunkname[1..LUA_IDSIZE]);
            }
        }
        Some(b'@') => {
            if srclen <= LUA_IDSIZE {
                out.extend_from_slice(&chunkname[1..]);
            } else {
                let keep = LUA_IDSIZE - RETS.len() - 1; // room left, less the NUL
                out.extend_from_slice(RETS);
                out.extend_from_slice(&chunkname[srclen - keep..]);
            }
        }
        _ => {
            let nl = chunkname.iter().position(|&c| c == b'\n');
            let bufflen = LUA_IDSIZE - (PRE.len() + RETS.len() + POS.len()) - 1;
            out.extend_from_slice(PRE);
            if srclen < bufflen && nl.is_none() {
                out.extend_from_slice(chunkname);
            } else {
                let mut len = nl.unwrap_or(srclen);
                if len > bufflen {
                    len = bufflen;
                }
                out.extend_from_slice(&chunkname[..len]);
                out.extend_from_slice(RETS);
            }
            out.extend_from_slice(POS);
        }
    }
    out
}

/// The bytes of a C string: up to the first NUL.
fn until_nul(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}
