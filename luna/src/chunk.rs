//! Loading code: `Lua::load` returns a `LuaChunk` builder that sets the
//! chunk's name, environment and mode, then runs it (`exec`, `eval`,
//! `call`) or turns it into a function.

use std::borrow::Cow;
use std::path::Path;

use luna_core::load::LoadMode;
use luna_core::Value;

use crate::error::{LuaError, LuaResult};
use crate::function::LuaFunction;
use crate::lua::Lua;
use crate::multi::{FromLuaMulti, IntoLuaMulti};
use crate::table::LuaTable;

/// What a chunk may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaChunkMode {
    /// Source text only.
    Text,
    /// Binary chunks (`string.dump` output) only.
    Binary,
}

/// Where chunk source code comes from: text (`&str`, `String`, `Cow<str>`),
/// bytes (`&[u8]`, `Vec<u8>`, which may hold a binary chunk), or a file
/// (`&Path`, `PathBuf`: read when the chunk is loaded, named `@path`, a
/// first `#` line skipped as `lua` does).
pub trait AsChunk<'a> {
    /// The code.
    fn source(self) -> LuaResult<Cow<'a, [u8]>>;
    /// The default chunk name (`None`: `@file:line` of the Rust code that
    /// called `Lua::load`, as mlua names it).
    fn name(&self) -> Option<String> {
        None
    }
    /// The environment (`_ENV`) the chunk runs in (`None`: the globals).
    fn environment(&self, lua: &Lua) -> LuaResult<Option<LuaTable>> {
        let _ = lua;
        Ok(None)
    }
}

/// The chunk `chunk!` makes: its source text, and the environment holding
/// the Rust variables it captured (made when the chunk is loaded).
///
/// ```
/// # use luna::prelude::*;
/// let lua = Lua::new();
/// let name = "luna";
/// let greeting: String = lua.load(luna::chunk! { return "hello " .. $name }).eval()?;
/// assert_eq!(greeting, "hello luna");
/// # Ok::<(), LuaError>(())
/// ```
pub struct LuaInlineChunk<F> {
    source: &'static str,
    make_env: std::cell::Cell<Option<F>>,
}

impl<F: FnOnce(&Lua) -> LuaResult<LuaTable>> LuaInlineChunk<F> {
    /// A chunk of `source`, run in the environment `make_env` makes (or in
    /// the globals). Written by `chunk!`.
    #[doc(hidden)]
    pub fn new(source: &'static str, make_env: Option<F>) -> Self {
        LuaInlineChunk { source, make_env: std::cell::Cell::new(make_env) }
    }
}

/// A new environment for `chunk!`'s captures: its misses and assignments
/// go to the globals (`luna::__private::chunk_environment`).
pub fn inline_chunk_environment(lua: &Lua) -> LuaResult<LuaTable> {
    let globals = lua.globals();
    let env = lua.create_table()?;
    let meta = lua.create_table()?;
    meta.raw_set("__index", &globals)?;
    meta.raw_set("__newindex", &globals)?;
    env.set_metatable(Some(meta))?;
    Ok(env)
}

impl<'a, F: FnOnce(&Lua) -> LuaResult<LuaTable>> AsChunk<'a> for LuaInlineChunk<F> {
    fn source(self) -> LuaResult<Cow<'a, [u8]>> {
        Ok(Cow::Borrowed(self.source.as_bytes()))
    }
    fn environment(&self, lua: &Lua) -> LuaResult<Option<LuaTable>> {
        self.make_env.take().map(|make| make(lua)).transpose()
    }
}

macro_rules! text_chunk {
    ($($ty:ty => |$v:ident| $e:expr;)*) => {$(
        impl<'a> AsChunk<'a> for $ty {
            fn source(self) -> LuaResult<Cow<'a, [u8]>> {
                let $v = self;
                Ok($e)
            }
        }
    )*};
}

text_chunk! {
    &'a str => |s| Cow::Borrowed(s.as_bytes());
    &'a String => |s| Cow::Borrowed(s.as_bytes());
    String => |s| Cow::Owned(s.into_bytes());
    Cow<'a, str> => |s| match s { Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()), Cow::Owned(o) => Cow::Owned(o.into_bytes()) };
    &'a [u8] => |s| Cow::Borrowed(s);
    &'a Vec<u8> => |s| Cow::Borrowed(s.as_slice());
    Vec<u8> => |s| Cow::Owned(s);
}

impl<'a, const N: usize> AsChunk<'a> for &'a [u8; N] {
    fn source(self) -> LuaResult<Cow<'a, [u8]>> {
        Ok(Cow::Borrowed(self.as_slice()))
    }
}

/// Reads a chunk file, skipping a first `#` line (and a BOM).
fn read_chunk_file(path: &Path) -> LuaResult<Cow<'static, [u8]>> {
    let mut data =
        std::fs::read(path).map_err(|e| LuaError::external(e).context(format!("cannot open {}", path.display())))?;
    luna_core::stdlib::base::skip_prefix(&mut data);
    Ok(Cow::Owned(data))
}

impl<'a> AsChunk<'a> for &Path {
    fn source(self) -> LuaResult<Cow<'a, [u8]>> {
        read_chunk_file(self)
    }
    fn name(&self) -> Option<String> {
        Some(format!("@{}", self.display()))
    }
}

impl<'a> AsChunk<'a> for &std::path::PathBuf {
    fn source(self) -> LuaResult<Cow<'a, [u8]>> {
        read_chunk_file(self)
    }
    fn name(&self) -> Option<String> {
        Some(format!("@{}", self.display()))
    }
}

impl<'a> AsChunk<'a> for std::path::PathBuf {
    fn source(self) -> LuaResult<Cow<'a, [u8]>> {
        read_chunk_file(&self)
    }
    fn name(&self) -> Option<String> {
        Some(format!("@{}", self.display()))
    }
}

/// A chunk of code to load and run.
pub struct LuaChunk<'a> {
    lua: &'a Lua,
    source: LuaResult<Cow<'a, [u8]>>,
    name: String,
    env: Option<LuaTable>,
    mode: Option<LuaChunkMode>,
}

impl Lua {
    /// Prepares a chunk of code (source text, bytes, or a file path). A
    /// chunk without a name of its own (text, bytes) is named after the
    /// Rust code that loads it, `@src/main.rs:12`, as mlua names it, so
    /// Lua's messages point there (`set_name` chooses another).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let n: i64 = lua.load("return 40 + 2").set_name("=main.lua").eval()?;
    /// assert_eq!(n, 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    #[track_caller]
    pub fn load<'a>(&'a self, chunk: impl AsChunk<'a>) -> LuaChunk<'a> {
        let caller = std::panic::Location::caller();
        let name = chunk.name().unwrap_or_else(|| caller_name(caller));
        // An environment that cannot be made is reported when the chunk
        // is run, as a source that cannot be read.
        let (source, env) = match chunk.environment(self) {
            Ok(env) => (chunk.source(), env),
            Err(e) => (Err(e), None),
        };
        LuaChunk { lua: self, source, name, env, mode: None }
    }
}

impl<'a> LuaChunk<'a> {
    /// Sets the chunk name used in messages, as `load`'s `chunkname`
    /// (and mlua's `set_name`): `"=main"` shows as `main:1:`, `"@main.lua"`
    /// (a file) as `main.lua:1:`, and a name without prefix as the source
    /// of a string: `[string "main"]:1:`.
    pub fn set_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the environment (`_ENV`) of the chunk: its global names are
    /// looked up in `env`.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let env = lua.create_table_from([("x", 20)])?;
    /// lua.load("y = x + 1").set_environment(env.clone()).exec()?;
    /// assert_eq!(env.get::<i64>("y")?, 21);
    /// assert!(lua.globals().get::<Option<i64>>("y")?.is_none());
    /// # Ok::<(), LuaError>(())
    /// ```
    pub fn set_environment(mut self, env: LuaTable) -> Self {
        self.env = Some(env);
        self
    }

    /// Restricts the chunk to text or binary.
    pub fn set_mode(mut self, mode: LuaChunkMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The chunk name: the one set, else the file's (`@path`), else the
    /// place in the Rust code that loaded it (`@src/main.rs:12`).
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// let chunk = lua.load("return 1").set_name("@main.lua");
    /// assert_eq!(chunk.name(), "@main.lua");
    /// // Here the doctest's own file and line.
    /// let here = lua.load("return 1");
    /// assert!(here.name().starts_with('@') && here.name().contains(".rs:"));
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The environment set with `set_environment`, if any.
    pub fn environment(&self) -> Option<&LuaTable> {
        self.env.as_ref()
    }

    /// The mode set with `set_mode`, else what the source is (binary
    /// chunks start with the escape byte).
    pub fn mode(&self) -> LuaChunkMode {
        match (self.mode, &self.source) {
            (Some(m), _) => m,
            (None, Ok(src)) if src.first() == Some(&0x1b) => LuaChunkMode::Binary,
            _ => LuaChunkMode::Text,
        }
    }

    fn compile(&self, source: &[u8]) -> LuaResult<LuaFunction> {
        let mode = match self.mode {
            Some(LuaChunkMode::Text) => LoadMode::Text,
            Some(LuaChunkMode::Binary) => LoadMode::Binary,
            None => LoadMode::Both,
        };
        let lua = self.lua;
        lua.with(|st| -> LuaResult<LuaFunction> {
            st.relieve_memory_pressure();
            let env = match &self.env {
                Some(e) => Some(lua.value_of(st, &e.0)?),
                None => None,
            };
            match st.load(source, self.name.as_bytes(), mode, env) {
                Ok(f) => Ok(LuaFunction(lua.pin(st, f))),
                Err(t) => {
                    let message = match t.value {
                        Value::Str(s) => s.to_str_lossy().into_owned(),
                        _ => "syntax error".to_string(),
                    };
                    if t.status == luna_core::Status::ErrMem {
                        return Err(LuaError::memory());
                    }
                    let incomplete_input = message.ends_with("<eof>");
                    Err(LuaError::SyntaxError { message, incomplete_input })
                }
            }
        })?
    }

    /// Loads the chunk as a function.
    pub fn into_function(self) -> LuaResult<LuaFunction> {
        match &self.source {
            Ok(s) => self.compile(s),
            Err(e) => Err(e.clone()),
        }
    }

    /// Runs the chunk, discarding its results.
    pub fn exec(self) -> LuaResult<()> {
        self.call(())
    }

    /// Runs the chunk with `args` (its `...`), converting its results.
    pub fn call<R: FromLuaMulti>(self, args: impl IntoLuaMulti) -> LuaResult<R> {
        self.into_function()?.call(args)
    }

    /// Evaluates the chunk as an expression (`return <chunk>`) when it is
    /// one, else runs it as statements, converting the results (REPL-style).
    pub fn eval<R: FromLuaMulti>(self) -> LuaResult<R> {
        let source: &[u8] = match &self.source {
            Ok(s) => s,
            Err(e) => return Err(e.clone()),
        };
        let is_binary = source.first() == Some(&0x1b);
        if !is_binary {
            let mut expr = Vec::with_capacity(7 + source.len());
            expr.extend_from_slice(b"return ");
            expr.extend_from_slice(source);
            // The same chunk (name, environment, mode) with the other text.
            if let Ok(f) = self.compile(&expr) {
                return f.call(());
            }
        }
        self.compile(source)?.call(())
    }
}

/// The name of a chunk loaded at `caller` in the Rust code,
/// `@src/main.rs:12`, written without the formatting machinery (every
/// `load` of a text pays for it).
fn caller_name(caller: &std::panic::Location<'_>) -> String {
    let file = caller.file();
    let mut name = Vec::with_capacity(file.len() + 12);
    name.push(b'@');
    name.extend_from_slice(file.as_bytes());
    name.push(b':');
    luna_core::fmt::fmt_int(i64::from(caller.line()), &mut name);
    // A `&str` and ASCII digits: always UTF-8.
    String::from_utf8(name).unwrap_or_default()
}

/// Source code waiting to become a Lua function (`LuaChunk::wrap`), named
/// after the Rust source location that wrapped it.
struct WrappedChunk {
    source: LuaResult<Vec<u8>>,
    name: String,
}

impl<'a> LuaChunk<'a> {
    /// Source code that converts into a Lua function (the chunk, loaded)
    /// when stored into Lua. The chunk is named after the Rust file and
    /// line of the call (`@src/main.rs:12`), so errors point there.
    ///
    /// ```
    /// # use luna::prelude::*;
    /// let lua = Lua::new();
    /// lua.globals().set("answer", LuaChunk::wrap("return 42"))?;
    /// assert_eq!(lua.load("return answer()").eval::<i64>()?, 42);
    /// # Ok::<(), LuaError>(())
    /// ```
    #[track_caller]
    pub fn wrap(source: impl AsChunk<'static>) -> impl crate::IntoLua + 'static {
        let caller = std::panic::Location::caller();
        let name = source.name().unwrap_or_else(|| caller_name(caller));
        WrappedChunk { source: source.source().map(Cow::into_owned), name }
    }
}

impl crate::IntoLua for WrappedChunk {
    fn into_lua(self, lua: &Lua) -> LuaResult<crate::LuaValue> {
        lua.load(self.source?).set_name(self.name).into_function().map(crate::LuaValue::Function)
    }
}
