//! `chunk!`: Lua code written inline in Rust, as mlua's macro. The tokens
//! are turned back into Lua source text, each on the line (relative to the
//! first) where it was written, so Lua's messages give the right line;
//! `$name` captures the Rust variable `name`, which the chunk sees as a
//! variable of its environment (a table whose misses and assignments go
//! to the globals).
//!
//! Rust's tokenizer reads the code first, which sets the limits: `--`
//! comments run to the end of their line (a `--[[ ]]` block comment is
//! not one), strings are double-quoted (a single-quoted string longer than
//! one character is not a Rust token), and `//` starts a Rust comment, so
//! Lua's floor division must be written `math.floor(a / b)` or `a//b`
//! inside a string given to `load`.

use proc_macro::{Delimiter, Span, TokenStream, TokenTree};
use quote::quote;

/// The expansion of `chunk! { ... }`.
pub fn expand(input: TokenStream) -> proc_macro2::TokenStream {
    let mut w = Writer::default();
    w.stream(input);
    let source = w.out;
    let names = w.captures.iter().map(|c| c.as_str());
    let idents = w.captures.iter().map(|c| proc_macro2::Ident::new(c, proc_macro2::Span::call_site()));
    if w.captures.is_empty() {
        return quote! { ::luna::LuaInlineChunk::new(#source, None::<fn(&::luna::Lua) -> ::luna::LuaResult<::luna::LuaTable>>) };
    }
    quote! {
        ::luna::LuaInlineChunk::new(#source, Some(move |lua: &::luna::Lua| -> ::luna::LuaResult<::luna::LuaTable> {
            let env = ::luna::__private::chunk_environment(lua)?;
            #( env.raw_set(#names, #idents)?; )*
            Ok(env)
        }))
    }
}

/// Writes tokens back as Lua text.
#[derive(Default)]
struct Writer {
    out: String,
    /// The source line of the first token (output line 1).
    first_line: Option<usize>,
    /// The output line being written, counted from 0.
    line: usize,
    /// Where the last written token ended (line, column), to join tokens
    /// that touched in the source (`..`, `~=`, `a.b`).
    last_end: Option<(usize, usize)>,
    /// The line of a `--` comment being skipped.
    comment_line: Option<usize>,
    /// A `$` waiting for the name it captures.
    dollar: bool,
    /// The captured names, each once, in order of first use.
    captures: Vec<String>,
}

impl Writer {
    fn stream(&mut self, input: TokenStream) {
        let tokens: Vec<TokenTree> = input.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if self.comment_line == Some(t.span().line()) {
                i += 1;
                continue;
            }
            self.comment_line = None;
            match t {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => ("", ""),
                    };
                    self.token(open, g.span_open());
                    self.stream(g.stream());
                    self.token(close, g.span_close());
                }
                TokenTree::Punct(p) => {
                    let next_touches = matches!(tokens.get(i + 1), Some(TokenTree::Punct(q))
                        if q.as_char() == '-' && touches(p.span(), q.span()));
                    if p.as_char() == '-' && next_touches {
                        // A comment: the rest of the line is not code.
                        self.comment_line = Some(p.span().line());
                    } else if p.as_char() == '$' {
                        self.dollar = true;
                    } else {
                        self.token(&p.as_char().to_string(), p.span());
                    }
                }
                TokenTree::Ident(id) => {
                    let name = id.to_string();
                    if std::mem::take(&mut self.dollar) && !self.captures.contains(&name) {
                        self.captures.push(name.clone());
                    }
                    self.token(&name, id.span());
                }
                TokenTree::Literal(l) => self.token(&l.to_string(), l.span()),
            }
            i += 1;
        }
    }

    /// Writes `text`, which starts at `span`'s start, on its line.
    fn token(&mut self, text: &str, span: Span) {
        if text.is_empty() {
            return;
        }
        let (line, column) = (span.line(), span.column());
        let first = *self.first_line.get_or_insert(line);
        let target = line.saturating_sub(first);
        if target > self.line {
            for _ in self.line..target {
                self.out.push('\n');
            }
            self.line = target;
        } else if !self.out.is_empty() && self.last_end != Some((line, column)) {
            self.out.push(' ');
        }
        self.out.push_str(text);
        let end = span.end();
        self.last_end = Some((end.line(), end.column()));
    }
}

/// Whether token `b` starts where token `a` ends.
fn touches(a: Span, b: Span) -> bool {
    let end = a.end();
    (end.line(), end.column()) == (b.line(), b.column())
}
