//! The lexer: turns source bytes into tokens, as PUC-Rio Lua 5.4's `llex.c`.
//!
//! Besides the tokens, the lexer keeps PUC's token buffer: the raw text of
//! the last token read (or of the token being read when an error happens),
//! which syntax-error messages quote after `near`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use super::proto::SyntaxError;
use crate::number::{hex_value, str_to_number, Numeral};

/// An interned string (names and string literals), an index in the
/// lexer's `Interner`.
pub(crate) type StrId = u32;

/// The set of strings seen by the compiler. Equal strings get the same id,
/// so names and constants compare by id.
pub(crate) struct Interner {
    map: HashMap<Rc<[u8]>, StrId, NameHashState>,
    strs: Vec<Rc<[u8]>>,
}

impl Default for Interner {
    fn default() -> Interner {
        // Room for a small chunk's names without growing.
        Interner { map: HashMap::with_capacity_and_hasher(8, NameHashState::new()), strs: Vec::with_capacity(8) }
    }
}

/// The hasher of the interner's names: eight bytes per step, seeded per
/// process. SipHash (the standard map's) cost more than the rest of
/// compiling a one-line chunk. The seed keeps the hashes unpredictable to
/// a script, as the runtime's string table is (PUC's own protection for
/// its interned strings); the hash is not meant to be cryptographic.
#[derive(Clone, Copy)]
pub(crate) struct NameHashState(u64);

impl NameHashState {
    fn new() -> NameHashState {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        NameHashState(*SEED.get_or_init(|| {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(0x6c75_6e61u32)
        }))
    }
}

impl std::hash::BuildHasher for NameHashState {
    type Hasher = NameHasher;
    #[inline]
    fn build_hasher(&self) -> NameHasher {
        NameHasher(self.0)
    }
}

/// See `NameHashState`.
pub(crate) struct NameHasher(u64);

impl NameHasher {
    #[inline]
    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl std::hash::Hasher for NameHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut w = 0u64;
        for (i, &b) in chunks.remainder().iter().enumerate() {
            w |= u64::from(b) << (8 * i);
        }
        self.mix(w);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29) ^ (self.0 >> 47)
    }
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &[u8]) -> StrId {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let rc: Rc<[u8]> = Rc::from(s);
        let id = self.strs.len() as StrId;
        self.strs.push(rc.clone());
        self.map.insert(rc, id);
        id
    }

    pub(crate) fn get(&self, id: StrId) -> &[u8] {
        &self.strs[id as usize]
    }
}

/// Ids of the strings that the compiler itself uses, interned first.
pub(crate) const STR_ENV: StrId = 0;
pub(crate) const STR_BREAK: StrId = 1;
pub(crate) const STR_SELF: StrId = 2;
pub(crate) const STR_FOR_STATE: StrId = 3;

/// A token. Single-byte tokens are `Char`; the others are as PUC's
/// `RESERVED` enumeration (reserved words, multi-byte symbols, end of
/// stream, and the tokens with a value).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Token {
    Char(u8),
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    Goto,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    IDiv,
    Concat,
    Dots,
    Eq,
    Ge,
    Le,
    Ne,
    Shl,
    Shr,
    DbColon,
    Eos,
    Flt(f64),
    Int(i64),
    Name(StrId),
    Str(StrId),
}

/// The token PUC uses (as token 0) to mean "no token": an error raised
/// with it has no "near" part.
pub(crate) const NO_TOKEN: Token = Token::Char(0);

/// Tokens standing for their kind in error messages: for these kinds the
/// message quotes the token buffer (or names the kind, as `<name>`), so
/// the value does not matter.
pub(crate) const TK_STRING: Token = Token::Str(0);
pub(crate) const TK_NUMBER: Token = Token::Flt(0.0);
pub(crate) const TK_NAME: Token = Token::Name(0);

const EOZ: i32 = -1;

/// Maximum number of lines (PUC's MAX_INT).
const MAX_LINES: u32 = i32::MAX as u32;

/// Longest token (a name, numeral or string literal) the lexer builds.
/// PUC stops at half its largest size ("lexical element too long") and
/// otherwise when the buffer's allocation fails; luna's limit is lower, so
/// that the copies a token takes (the buffer, the interned name, the
/// string constant) stay within an address space of a gigabyte: a reader
/// that streams one endless token gets an error, never an abort.
const MAX_TOKEN_LEN: usize = 1 << 28;

fn reserved_word(s: &[u8]) -> Option<Token> {
    use Token::*;
    Some(match s {
        b"and" => And,
        b"break" => Break,
        b"do" => Do,
        b"else" => Else,
        b"elseif" => Elseif,
        b"end" => End,
        b"false" => False,
        b"for" => For,
        b"function" => Function,
        b"goto" => Goto,
        b"if" => If,
        b"in" => In,
        b"local" => Local,
        b"nil" => Nil,
        b"not" => Not,
        b"or" => Or,
        b"repeat" => Repeat,
        b"return" => Return,
        b"then" => Then,
        b"true" => True,
        b"until" => Until,
        b"while" => While,
        _ => return None,
    })
}

/// The fixed text of a token without a value (PUC's `luaX_tokens`).
fn token_text(t: Token) -> &'static str {
    use Token::*;
    match t {
        And => "and",
        Break => "break",
        Do => "do",
        Else => "else",
        Elseif => "elseif",
        End => "end",
        False => "false",
        For => "for",
        Function => "function",
        Goto => "goto",
        If => "if",
        In => "in",
        Local => "local",
        Nil => "nil",
        Not => "not",
        Or => "or",
        Repeat => "repeat",
        Return => "return",
        Then => "then",
        True => "true",
        Until => "until",
        While => "while",
        IDiv => "//",
        Concat => "..",
        Dots => "...",
        Eq => "==",
        Ge => ">=",
        Le => "<=",
        Ne => "~=",
        Shl => "<<",
        Shr => ">>",
        DbColon => "::",
        Eos => "<eof>",
        Flt(_) => "<number>",
        Int(_) => "<integer>",
        Name(_) => "<name>",
        Str(_) => "<string>",
        Char(_) => "",
    }
}

/// Whether `c` can start a name (Lua's `lislalpha`: ASCII letters and `_`).
fn is_alpha(c: i32) -> bool {
    c >= 0 && ((c as u8).is_ascii_alphabetic() || c == b'_' as i32)
}

fn is_alnum(c: i32) -> bool {
    is_alpha(c) || is_digit(c)
}

fn is_digit(c: i32) -> bool {
    c >= 0 && (c as u8).is_ascii_digit()
}

fn is_xdigit(c: i32) -> bool {
    c >= 0 && (c as u8).is_ascii_hexdigit()
}

fn is_space(c: i32) -> bool {
    c >= 0 && crate::number::is_space(c as u8)
}

fn is_newline(c: i32) -> bool {
    c == b'\n' as i32 || c == b'\r' as i32
}

/// Appends the UTF-8 encoding (PUC's extended form, up to 6 bytes for
/// values up to 2^31) of `x` to `out`, as `luaO_utf8esc`.
pub(crate) fn utf8_escape(out: &mut Vec<u8>, mut x: u32) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut tail = [0u8; 6];
    let mut n = 0;
    let mut mfb: u32 = 0x3f; // maximum that fits in the first byte
    loop {
        tail[n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    out.push(((!mfb << 1) | x) as u8);
    out.extend(tail[..n].iter().rev());
}

/// A source read piece by piece (PUC's `lua_Reader`): each call gives the
/// next piece, `None` at the end. The lexer asks for a piece only when it
/// has used up the previous one, so a chunk is never held whole.
pub type ChunkReader<'a> = dyn FnMut() -> Option<Vec<u8>> + 'a;

/// The lexer state (the lexical part of PUC's `LexState`).
pub(crate) struct Lexer<'a> {
    /// The piece of source being read: the whole chunk for a chunk given
    /// as bytes, the reader's latest piece otherwise (PUC's `ZIO`).
    src: Cow<'a, [u8]>,
    /// Where the next pieces come from, if anywhere.
    reader: Option<&'a mut ChunkReader<'a>>,
    /// Index in `src` of the byte after `current`.
    pos: usize,
    /// The current byte, or `EOZ`.
    current: i32,
    /// The line of the current position.
    pub(crate) linenumber: u32,
    /// The line of the last token consumed.
    pub(crate) lastline: u32,
    /// The current token.
    pub(crate) t: Token,
    /// The look-ahead token (`Eos` when there is none).
    lookahead: Token,
    /// The token buffer.
    buf: Vec<u8>,
    /// Set when the token buffer could not grow: the input was cut short
    /// there, and the compilation fails with "not enough memory".
    pub(crate) out_of_memory: bool,
    /// Set when a token reached `MAX_TOKEN_LEN` (the input was cut short
    /// there too).
    pub(crate) token_too_long: bool,
    pub(crate) strings: Interner,
    /// The chunk name as shown in messages (`luaO_chunkid`).
    chunkid: Vec<u8>,
}

type LexResult<T> = Result<T, Box<SyntaxError>>;

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a [u8], chunkid: Vec<u8>) -> Lexer<'a> {
        Lexer::with_input(Cow::Borrowed(src), None, chunkid)
    }

    /// A lexer reading `first`, then the pieces `reader` gives.
    pub(crate) fn with_reader(first: Vec<u8>, reader: &'a mut ChunkReader<'a>, chunkid: Vec<u8>) -> Lexer<'a> {
        Lexer::with_input(Cow::Owned(first), Some(reader), chunkid)
    }

    fn with_input(src: Cow<'a, [u8]>, reader: Option<&'a mut ChunkReader<'a>>, chunkid: Vec<u8>) -> Lexer<'a> {
        let mut strings = Interner::default();
        for (name, id) in
            [(&b"_ENV"[..], STR_ENV), (b"break", STR_BREAK), (b"self", STR_SELF), (b"(for state)", STR_FOR_STATE)]
        {
            let got = strings.intern(name);
            debug_assert_eq!(got, id);
        }
        let mut lx = Lexer {
            src,
            reader,
            pos: 0,
            current: EOZ,
            linenumber: 1,
            lastline: 1,
            t: NO_TOKEN,
            lookahead: Token::Eos,
            buf: Vec::with_capacity(32),
            out_of_memory: false,
            token_too_long: false,
            strings,
            chunkid,
        };
        lx.next_char();
        lx
    }

    #[inline]
    fn next_char(&mut self) {
        self.current = match self.src.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                c as i32
            }
            None => self.next_piece(),
        };
    }

    /// Moves to the reader's next piece (PUC's `luaZ_fill`), returning its
    /// first byte, or `EOZ` at the end of the chunk (no piece, or an empty
    /// one, as PUC's readers signal it).
    #[cold]
    fn next_piece(&mut self) -> i32 {
        let Some(reader) = self.reader.as_mut() else { return EOZ };
        match reader() {
            Some(piece) if !piece.is_empty() => {
                let c = piece[0] as i32;
                self.src = Cow::Owned(piece);
                self.pos = 1;
                c
            }
            _ => {
                self.reader = None;
                self.src = Cow::Borrowed(&[]);
                self.pos = 0;
                EOZ
            }
        }
    }

    #[inline]
    fn save(&mut self, c: i32) {
        if self.buf.len() == self.buf.capacity() && !self.grow_buffer() {
            return;
        }
        self.buf.push(c as u8);
    }

    /// Makes room in the token buffer. At `MAX_TOKEN_LEN`, or when the
    /// allocator refuses, the input is cut short there (the lexer sees its
    /// end at once, so an endless reader is not read on) and the failure
    /// recorded; the compilation then fails with "lexical element too
    /// long" or "not enough memory".
    #[cold]
    fn grow_buffer(&mut self) -> bool {
        let len = self.buf.len();
        if len < MAX_TOKEN_LEN && self.buf.try_reserve(len.max(32).min(MAX_TOKEN_LEN - len)).is_ok() {
            return true;
        }
        if len >= MAX_TOKEN_LEN {
            self.token_too_long = true;
        } else {
            self.out_of_memory = true;
        }
        self.reader = None;
        self.src = Cow::Borrowed(&[]);
        self.pos = 0;
        self.current = EOZ;
        false
    }

    #[inline]
    fn save_and_next(&mut self) {
        self.save(self.current);
        self.next_char();
    }

    /// The text of a token for error messages (PUC's `luaX_token2str`).
    pub(crate) fn token2str(&self, t: Token) -> Vec<u8> {
        match t {
            Token::Char(c) => {
                if (0x20..0x7f).contains(&c) {
                    vec![b'\'', c, b'\'']
                } else {
                    format!("'<\\{c}>'").into_bytes()
                }
            }
            Token::Eos | Token::Flt(_) | Token::Int(_) | Token::Name(_) | Token::Str(_) => {
                token_text(t).as_bytes().to_vec()
            }
            _ => format!("'{}'", token_text(t)).into_bytes(),
        }
    }

    /// The text of a token after "near" (PUC's `txtToken`): tokens with a
    /// value show the raw text in the token buffer.
    fn txt_token(&self, t: Token) -> Vec<u8> {
        match t {
            Token::Name(_) | Token::Str(_) | Token::Flt(_) | Token::Int(_) => {
                let raw = match self.buf.iter().position(|&c| c == 0) {
                    Some(n) => &self.buf[..n],
                    None => &self.buf[..],
                };
                let mut v = Vec::with_capacity(raw.len() + 2);
                v.push(b'\'');
                v.extend_from_slice(raw);
                v.push(b'\'');
                v
            }
            _ => self.token2str(t),
        }
    }

    /// Builds an error with position, as PUC's `lexerror`: `token` is the
    /// token quoted after "near" (`NO_TOKEN` for none).
    pub(crate) fn error(&self, msg: &[u8], token: Token) -> Box<SyntaxError> {
        let mut m = self.chunkid.clone();
        m.push(b':');
        m.extend_from_slice(self.linenumber.to_string().as_bytes());
        m.extend_from_slice(b": ");
        m.extend_from_slice(msg);
        if token != NO_TOKEN {
            m.extend_from_slice(b" near ");
            m.extend_from_slice(&self.txt_token(token));
        }
        Box::new(SyntaxError { message: m, incomplete: token == Token::Eos, out_of_memory: false })
    }

    /// A syntax error near the current token (PUC's `luaX_syntaxerror`).
    pub(crate) fn syntax_error(&self, msg: &[u8]) -> Box<SyntaxError> {
        self.error(msg, self.t)
    }

    /// Skips a newline sequence (`\n`, `\r`, `\n\r` or `\r\n`) and counts
    /// the line.
    fn inclinenumber(&mut self) -> LexResult<()> {
        let old = self.current;
        self.next_char();
        if is_newline(self.current) && self.current != old {
            self.next_char();
        }
        self.linenumber += 1;
        if self.linenumber >= MAX_LINES {
            return Err(self.error(b"chunk has too many lines", NO_TOKEN));
        }
        Ok(())
    }

    fn check_next1(&mut self, c: u8) -> bool {
        if self.current == c as i32 {
            self.next_char();
            true
        } else {
            false
        }
    }

    fn check_next2(&mut self, set: &[u8; 2]) -> bool {
        if self.current == set[0] as i32 || self.current == set[1] as i32 {
            self.save_and_next();
            true
        } else {
            false
        }
    }

    /// Reads a numeral (liberally, as PUC; the conversion rejects the
    /// malformed ones).
    fn read_numeral(&mut self) -> LexResult<Token> {
        let mut expo = b"Ee";
        let first = self.current;
        self.save_and_next();
        if first == b'0' as i32 && self.check_next2(b"xX") {
            expo = b"Pp";
        }
        loop {
            if self.check_next2(expo) {
                self.check_next2(b"-+");
            } else if is_xdigit(self.current) || self.current == b'.' as i32 {
                self.save_and_next();
            } else {
                break;
            }
        }
        if is_alpha(self.current) {
            self.save_and_next(); // numeral touching a letter: force an error
        }
        match str_to_number(&self.buf) {
            Some(Numeral::Int(i)) => Ok(Token::Int(i)),
            Some(Numeral::Float(f)) => Ok(Token::Flt(f)),
            None => Err(self.error(b"malformed number", TK_NUMBER)),
        }
    }

    /// Reads `[=*[` or `]=*]`, leaving the last bracket. Returns the number
    /// of `=` plus 2 if well formed, 1 for a single bracket, 0 for an
    /// unfinished `[==...`.
    fn skip_sep(&mut self) -> usize {
        let mut count = 0;
        let s = self.current;
        self.save_and_next();
        while self.current == b'=' as i32 {
            self.save_and_next();
            count += 1;
        }
        if self.current == s {
            count + 2
        } else if count == 0 {
            1
        } else {
            0
        }
    }

    /// Reads a long string (`is_string`) or a long comment.
    fn read_long_string(&mut self, is_string: bool, sep: usize) -> LexResult<Option<StrId>> {
        let line = self.linenumber;
        self.save_and_next(); // skip 2nd '['
        if is_newline(self.current) {
            self.inclinenumber()?;
        }
        loop {
            match self.current {
                EOZ => {
                    let what = if is_string { "string" } else { "comment" };
                    let msg = format!("unfinished long {what} (starting at line {line})");
                    return Err(self.error(msg.as_bytes(), Token::Eos));
                }
                0x5d => {
                    // ']'
                    if self.skip_sep() == sep {
                        self.save_and_next(); // skip 2nd ']'
                        break;
                    }
                }
                0x0a | 0x0d => {
                    self.save(b'\n' as i32);
                    self.inclinenumber()?;
                    if !is_string {
                        self.buf.clear(); // avoid wasting space
                    }
                }
                _ => {
                    if is_string {
                        self.save_and_next();
                    } else {
                        self.next_char();
                    }
                }
            }
        }
        if is_string {
            let n = self.buf.len();
            let id = self.strings.intern(&self.buf[sep..n - sep]);
            Ok(Some(id))
        } else {
            Ok(None)
        }
    }

    /// Raises an escape error unless `ok`, with the offending character
    /// added to the buffer.
    fn esc_check(&mut self, ok: bool, msg: &str) -> LexResult<()> {
        if ok {
            return Ok(());
        }
        if self.current != EOZ {
            self.save_and_next(); // add current to buffer for error message
        }
        Err(self.error(msg.as_bytes(), TK_STRING))
    }

    fn get_hexa(&mut self) -> LexResult<u32> {
        self.save_and_next();
        self.esc_check(is_xdigit(self.current), "hexadecimal digit expected")?;
        Ok(hex_value(self.current as u8))
    }

    fn read_hexa_esc(&mut self) -> LexResult<u32> {
        let mut r = self.get_hexa()?;
        r = (r << 4) + self.get_hexa()?;
        self.buf.truncate(self.buf.len() - 2); // remove saved chars
        Ok(r)
    }

    fn read_utf8_esc(&mut self) -> LexResult<u32> {
        let mut i = 4; // chars to be removed: '\', 'u', '{', and first digit
        self.save_and_next(); // skip 'u'
        self.esc_check(self.current == b'{' as i32, "missing '{'")?;
        let mut r = self.get_hexa()?; // must have at least one digit
        loop {
            self.save_and_next();
            if !is_xdigit(self.current) {
                break;
            }
            i += 1;
            self.esc_check(r <= (0x7FFF_FFFF >> 4), "UTF-8 value too large")?;
            r = (r << 4) + hex_value(self.current as u8);
        }
        self.esc_check(self.current == b'}' as i32, "missing '}'")?;
        self.next_char(); // skip '}'
        self.buf.truncate(self.buf.len() - i);
        Ok(r)
    }

    fn read_dec_esc(&mut self) -> LexResult<u8> {
        let mut r: u32 = 0;
        let mut i = 0;
        while i < 3 && is_digit(self.current) {
            r = 10 * r + (self.current - b'0' as i32) as u32;
            self.save_and_next();
            i += 1;
        }
        self.esc_check(r <= 255, "decimal escape too large")?;
        self.buf.truncate(self.buf.len() - i);
        Ok(r as u8)
    }

    fn read_string(&mut self, del: i32) -> LexResult<StrId> {
        self.save_and_next(); // keep delimiter (for error messages)
        while self.current != del {
            match self.current {
                EOZ => return Err(self.error(b"unfinished string", Token::Eos)),
                0x0a | 0x0d => return Err(self.error(b"unfinished string", TK_STRING)),
                0x5c => self.read_escape()?,
                _ => self.save_and_next(),
            }
        }
        self.save_and_next(); // skip delimiter
        let n = self.buf.len();
        Ok(self.strings.intern(&self.buf[1..n - 1]))
    }

    /// Reads an escape sequence in a short string (`current` is the `\`).
    fn read_escape(&mut self) -> LexResult<()> {
        self.save_and_next(); // keep '\\' for error messages
        let c = match self.current {
            EOZ => return Ok(()), // will raise an error next loop
            0x61 => 0x07,         // \a
            0x62 => 0x08,         // \b
            0x66 => 0x0c,         // \f
            0x6e => b'\n',
            0x72 => b'\r',
            0x74 => b'\t',
            0x76 => 0x0b, // \v
            0x78 => self.read_hexa_esc()? as u8,
            0x75 => {
                // \u{XXX}
                let v = self.read_utf8_esc()?;
                let mut bytes = Vec::with_capacity(6);
                utf8_escape(&mut bytes, v);
                self.buf.extend_from_slice(&bytes);
                return Ok(());
            }
            0x0a | 0x0d => {
                self.inclinenumber()?;
                self.buf.pop(); // remove '\\'
                self.save(b'\n' as i32);
                return Ok(());
            }
            0x5c | 0x22 | 0x27 => self.current as u8,
            0x7a => {
                // \z: zap following span of spaces
                self.buf.pop(); // remove '\\'
                self.next_char(); // skip the 'z'
                while is_space(self.current) {
                    if is_newline(self.current) {
                        self.inclinenumber()?;
                    } else {
                        self.next_char();
                    }
                }
                return Ok(());
            }
            _ => {
                self.esc_check(is_digit(self.current), "invalid escape sequence")?;
                let c = self.read_dec_esc()?;
                self.buf.pop(); // remove '\\'
                self.save(c as i32);
                return Ok(());
            }
        };
        self.next_char();
        self.buf.pop(); // remove '\\'
        self.save(c as i32);
        Ok(())
    }

    /// Reads the next token.
    fn llex(&mut self) -> LexResult<Token> {
        self.buf.clear();
        loop {
            let c = self.current;
            if c == EOZ {
                return Ok(Token::Eos);
            }
            let token = match c as u8 {
                b'\n' | b'\r' => {
                    self.inclinenumber()?;
                    continue;
                }
                b' ' | 0x0c | b'\t' | 0x0b => {
                    self.next_char();
                    continue;
                }
                b'-' => {
                    self.next_char();
                    if self.current != b'-' as i32 {
                        return Ok(Token::Char(b'-'));
                    }
                    self.skip_comment()?;
                    continue;
                }
                b'[' => {
                    let sep = self.skip_sep();
                    if sep >= 2 {
                        let id = self.read_long_string(true, sep)?;
                        return Ok(Token::Str(id.unwrap_or(0)));
                    } else if sep == 0 {
                        return Err(self.error(b"invalid long string delimiter", TK_STRING));
                    }
                    Token::Char(b'[')
                }
                b'=' => {
                    self.next_char();
                    if self.check_next1(b'=') {
                        Token::Eq
                    } else {
                        Token::Char(b'=')
                    }
                }
                b'<' => {
                    self.next_char();
                    if self.check_next1(b'=') {
                        Token::Le
                    } else if self.check_next1(b'<') {
                        Token::Shl
                    } else {
                        Token::Char(b'<')
                    }
                }
                b'>' => {
                    self.next_char();
                    if self.check_next1(b'=') {
                        Token::Ge
                    } else if self.check_next1(b'>') {
                        Token::Shr
                    } else {
                        Token::Char(b'>')
                    }
                }
                b'/' => {
                    self.next_char();
                    if self.check_next1(b'/') {
                        Token::IDiv
                    } else {
                        Token::Char(b'/')
                    }
                }
                b'~' => {
                    self.next_char();
                    if self.check_next1(b'=') {
                        Token::Ne
                    } else {
                        Token::Char(b'~')
                    }
                }
                b':' => {
                    self.next_char();
                    if self.check_next1(b':') {
                        Token::DbColon
                    } else {
                        Token::Char(b':')
                    }
                }
                b'"' | b'\'' => Token::Str(self.read_string(c)?),
                b'.' => {
                    self.save_and_next();
                    if self.check_next1(b'.') {
                        if self.check_next1(b'.') {
                            Token::Dots
                        } else {
                            Token::Concat
                        }
                    } else if !is_digit(self.current) {
                        Token::Char(b'.')
                    } else {
                        self.read_numeral()?
                    }
                }
                b'0'..=b'9' => self.read_numeral()?,
                _ => {
                    if is_alpha(c) {
                        loop {
                            self.save_and_next();
                            if !is_alnum(self.current) {
                                break;
                            }
                        }
                        match reserved_word(&self.buf) {
                            Some(t) => t,
                            None => Token::Name(self.strings.intern(&self.buf)),
                        }
                    } else {
                        self.next_char();
                        Token::Char(c as u8)
                    }
                }
            };
            return Ok(token);
        }
    }

    /// Skips a comment (the first `-` was read, `current` is the second).
    fn skip_comment(&mut self) -> LexResult<()> {
        self.next_char();
        if self.current == b'[' as i32 {
            let sep = self.skip_sep();
            self.buf.clear(); // 'skip_sep' may dirty the buffer
            if sep >= 2 {
                self.read_long_string(false, sep)?;
                self.buf.clear();
                return Ok(());
            }
        }
        // short comment
        while !is_newline(self.current) && self.current != EOZ {
            self.next_char();
        }
        Ok(())
    }

    /// Advances to the next token (PUC's `luaX_next`).
    pub(crate) fn next(&mut self) -> LexResult<()> {
        self.lastline = self.linenumber;
        if self.lookahead != Token::Eos {
            self.t = self.lookahead;
            self.lookahead = Token::Eos;
        } else {
            self.t = self.llex()?;
        }
        Ok(())
    }

    /// Reads the token after the current one without consuming it.
    pub(crate) fn look_ahead(&mut self) -> LexResult<Token> {
        debug_assert!(self.lookahead == Token::Eos);
        self.lookahead = self.llex()?;
        Ok(self.lookahead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lexes `src` to a list of tokens, with string values resolved.
    fn lex(src: &str) -> Result<Vec<String>, String> {
        lex_bytes(src.as_bytes())
    }

    fn lex_bytes(src: &[u8]) -> Result<Vec<String>, String> {
        let mut lx = Lexer::new(src, b"t".to_vec());
        let mut out = Vec::new();
        loop {
            lx.next().map_err(|e| String::from_utf8_lossy(&e.message).into_owned())?;
            let s = match lx.t {
                Token::Eos => break,
                Token::Name(id) => format!("N:{}", String::from_utf8_lossy(lx.strings.get(id))),
                Token::Str(id) => format!("S:{:?}", lx.strings.get(id)),
                Token::Int(i) => format!("I:{i}"),
                Token::Flt(f) => format!("F:{f:?}"),
                t => String::from_utf8_lossy(&lx.token2str(t)).into_owned(),
            };
            out.push(s);
        }
        Ok(out)
    }

    fn str_value(src: &str) -> Vec<u8> {
        let mut lx = Lexer::new(src.as_bytes(), b"t".to_vec());
        lx.next().unwrap();
        match lx.t {
            Token::Str(id) => lx.strings.get(id).to_vec(),
            t => panic!("not a string: {t:?}"),
        }
    }

    fn err(src: &str) -> String {
        lex(src).unwrap_err()
    }

    #[test]
    fn symbols_and_words() {
        let toks = lex("and break do else elseif end false for function goto if in local nil not or repeat return then true until while").unwrap();
        assert_eq!(toks.len(), 22);
        assert_eq!(toks[0], "'and'");
        assert_eq!(toks[21], "'while'");
        assert_eq!(
            lex("// .. ... == >= <= ~= << >> :: + - * / % ^ # & ~ | < > = ( ) { } [ ] ; : , .").unwrap().join(" "),
            "'//' '..' '...' '==' '>=' '<=' '~=' '<<' '>>' '::' '+' '-' '*' '/' '%' '^' '#' \
             '&' '~' '|' '<' '>' '=' '(' ')' '{' '}' '[' ']' ';' ':' ',' '.'"
        );
        assert_eq!(lex("a_1 _x Andy").unwrap().join(" "), "N:a_1 N:_x N:Andy");
        assert_eq!(lex("a--comment\nb").unwrap().join(" "), "N:a N:b");
        assert_eq!(lex("a--[==[ long\n]] ]==]b").unwrap().join(" "), "N:a N:b");
        assert_eq!(lex("a--[==x\nb").unwrap().join(" "), "N:a N:b");
        assert_eq!(lex("\u{1}").unwrap().join(" "), "'<\\1>'");
    }

    #[test]
    fn escapes() {
        assert_eq!(str_value(r#""\a\b\f\n\r\t\v\\\"\'""#), b"\x07\x08\x0c\n\r\t\x0b\\\"'");
        assert_eq!(str_value("'a\\\nb'"), b"a\nb");
        assert_eq!(str_value("'a\\\r\nb'"), b"a\nb");
        assert_eq!(str_value(r#""\x41\x7a\xFF""#), b"Az\xff");
        assert_eq!(str_value(r#""\65\066\0067\255\0""#), b"AB\x067\xff\0");
        assert_eq!(str_value("\"a\\z  \n\t \r\n  b\""), b"ab");
        assert_eq!(str_value(r#""\u{41}\u{E9}\u{20AC}\u{10FFFF}""#), "Aé€\u{10FFFF}".as_bytes());
        assert_eq!(str_value(r#""\u{7FFFFFFF}""#), b"\xfd\xbf\xbf\xbf\xbf\xbf");
        assert_eq!(str_value(r#""\u{200000}""#), b"\xf8\x88\x80\x80\x80");
        assert_eq!(str_value(r#""\u{000000041}""#), b"A");
        assert_eq!(str_value("[[\nabc]]"), b"abc");
        assert_eq!(str_value("[==[a]]b]=]c]==]"), b"a]]b]=]c");
        assert_eq!(str_value("[[a\r\nb\n\rc\rd]]"), b"a\nb\nc\nd");
        assert_eq!(str_value("''"), b"");
    }

    #[test]
    fn numerals() {
        assert_eq!(
            lex("3 345 0xff 0xBEBADA 3.0 3.1416 314.16e-2 0.31416E1 34e1 0x0.1E 0xA23p-4 0X1.921FB54442D18P+1 .5 5. 0x.8")
                .unwrap()
                .join(" "),
            "I:3 I:345 I:255 I:12499674 F:3.0 F:3.1416 F:3.1416 F:3.1416 F:340.0 F:0.1171875 \
             F:162.1875 F:3.141592653589793 F:0.5 F:5.0 F:0.5"
        );
        assert_eq!(lex("9223372036854775807").unwrap(), ["I:9223372036854775807"]);
        assert_eq!(lex("9223372036854775808").unwrap(), ["F:9.223372036854776e18"]);
        assert_eq!(lex("0xffffffffffffffff").unwrap(), ["I:-1"]);
        assert_eq!(lex("1e+5-2").unwrap().join(" "), "F:100000.0 '-' I:2");
        assert_eq!(lex("0xe+1").unwrap().join(" "), "I:14 '+' I:1");
        assert_eq!(lex("a..b").unwrap().join(" "), "N:a '..' N:b");
    }

    #[test]
    fn errors() {
        assert_eq!(err("x = 3..2"), "t:1: malformed number near '3..2'");
        assert_eq!(err("0x"), "t:1: malformed number near '0x'");
        assert_eq!(err("1e"), "t:1: malformed number near '1e'");
        assert_eq!(err("3x"), "t:1: malformed number near '3x'");
        assert_eq!(err("0xep+1z"), "t:1: malformed number near '0xep+1z'");
        assert_eq!(err("\"abc"), "t:1: unfinished string near <eof>");
        assert_eq!(err("\"abc\nx\""), "t:1: unfinished string near '\"abc'");
        assert_eq!(err("\"a\0bc"), "t:1: unfinished string near <eof>");
        assert_eq!(err("\"a\0bc\n"), "t:1: unfinished string near '\"a'");
        assert_eq!(err("[==[ abc"), "t:1: unfinished long string (starting at line 1) near <eof>");
        assert_eq!(err("--[[ abc\n\n"), "t:3: unfinished long comment (starting at line 1) near <eof>");
        assert_eq!(err("[=x"), "t:1: invalid long string delimiter near '[='");
        assert_eq!(err(r#""abc\q""#), r#"t:1: invalid escape sequence near '"abc\q'"#);
        assert_eq!(err(r#""\300""#), r#"t:1: decimal escape too large near '"\300"'"#);
        assert_eq!(err(r#""\256"#), r#"t:1: decimal escape too large near '"\256'"#);
        assert_eq!(err(r#""\x5g""#), r#"t:1: hexadecimal digit expected near '"\x5g'"#);
        assert_eq!(err(r#""\x"#), r#"t:1: hexadecimal digit expected near '"\x'"#);
        assert_eq!(err(r#""\u12""#), r#"t:1: missing '{' near '"\u1'"#);
        assert_eq!(err(r#""\u{12""#), r#"t:1: missing '}' near '"\u{12"'"#);
        assert_eq!(err(r#""\u{}""#), r#"t:1: hexadecimal digit expected near '"\u{}'"#);
        assert_eq!(err(r#""\u{80000000}""#), r#"t:1: UTF-8 value too large near '"\u{80000000'"#);
        assert_eq!(err("\"\\z  \n\n  abc"), "t:3: unfinished string near <eof>");
        assert_eq!(err("\"\\"), "t:1: unfinished string near <eof>");
    }

    #[test]
    fn line_counting() {
        let mut lx = Lexer::new(b"a\nb\r\nc\n\rd\r\re\n\nf", b"t".to_vec());
        let mut lines = Vec::new();
        loop {
            lx.next().unwrap();
            if lx.t == Token::Eos {
                break;
            }
            lines.push(lx.linenumber);
        }
        assert_eq!(lines, [1, 2, 3, 4, 6, 8]);
    }

    #[test]
    fn huge_tokens() {
        let big = format!("'{}'", "x".repeat(50 << 20));
        let v = str_value(&big);
        assert_eq!(v.len(), 50 << 20);
        let digits = "7".repeat(10_000);
        assert_eq!(lex(&digits).unwrap(), ["F:inf"]);
    }

    #[test]
    fn utf8_encoding() {
        for (x, s) in [
            (0x7fu32, "\u{7f}"),
            (0x80, "\u{80}"),
            (0x7ff, "\u{7ff}"),
            (0x800, "\u{800}"),
            (0xffff, "\u{ffff}"),
            (0x10000, "\u{10000}"),
        ] {
            let mut v = Vec::new();
            utf8_escape(&mut v, x);
            assert_eq!(v, s.as_bytes());
        }
    }
}
