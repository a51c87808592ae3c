//! Loading code with `Lua::load` and the `LuaChunk` builder: sources given
//! by value as `&str`, `String`, `&String`, `Cow<str>`, `&[u8]`, `&[u8; N]`,
//! `Vec<u8>`, `&Vec<u8>`, `&Path`, `PathBuf` and `&PathBuf` (files with a
//! BOM or a `#!` line, missing files), chunk names (`set_name` and
//! PUC's `=name`, `@file` and `[string "..."]` rules), `set_environment`,
//! `set_mode` (text versus binary chunks), running a chunk (`exec`, `eval`,
//! `call`, `into_function`), syntax errors (`LuaError::SyntaxError` with
//! PUC's message text and the `incomplete_input` flag) and huge sources.

use std::path::{Path, PathBuf};

use luna::prelude::*;

/// A temporary file removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, contents: &[u8]) -> TempFile {
        let path = std::env::temp_dir().join(format!("luna-chunk-test-{}-{tag}.lua", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The message of a syntax error (panics on any other result).
fn syntax_error(r: LuaResult<()>) -> (String, bool) {
    match r {
        Err(LuaError::SyntaxError { message, incomplete_input }) => (message, incomplete_input),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Sources.

#[test]
fn load_from_str() {
    let lua = Lua::new();
    let n: i64 = lua.load("return 1 + 1").eval().unwrap();
    assert_eq!(n, 2);
}

#[test]
fn load_from_string() {
    let lua = Lua::new();
    let src = String::from("return 'from String'");
    // By reference (`&String`).
    let s: String = lua.load(&src).eval().unwrap();
    assert_eq!(s, "from String");
    let r = &src;
    let s: String = lua.load(r).eval().unwrap();
    assert_eq!(s, "from String");
    // By value (`String`).
    let s: String = lua.load(src.clone()).eval().unwrap();
    assert_eq!(s, "from String");
    let s: String = lua.load(format!("return '{}'", "formatted")).eval().unwrap();
    assert_eq!(s, "formatted");
    // `Cow<str>`, borrowed and owned.
    let s: String = lua.load(std::borrow::Cow::Borrowed("return 'cow'")).eval().unwrap();
    assert_eq!(s, "cow");
    let s: String = lua.load(std::borrow::Cow::<str>::Owned(src)).eval().unwrap();
    assert_eq!(s, "from String");
}

#[test]
fn load_from_bytes() {
    let lua = Lua::new();
    let bytes: &[u8] = b"return 'bytes'";
    let s: String = lua.load(bytes).eval().unwrap();
    assert_eq!(s, "bytes");
    // A byte string literal (`&[u8; N]`).
    let s: String = lua.load(b"return 'array'").eval().unwrap();
    assert_eq!(s, "array");
    let v: Vec<u8> = b"return #'\xff\xfe'".to_vec();
    let n: i64 = lua.load(&v).eval().unwrap();
    assert_eq!(n, 2);
    let n: i64 = lua.load(v).eval().unwrap();
    assert_eq!(n, 2);
    // Non-UTF-8 bytes in string literals are kept as they are.
    let v: Vec<u8> = b"return '\xff\x00\x01'".to_vec();
    let s: LuaString = lua.load(&v).eval().unwrap();
    assert_eq!(s.as_bytes(), b"\xff\x00\x01");
}

#[test]
fn load_from_path_and_pathbuf() {
    let lua = Lua::new();
    let f = TempFile::new("path", b"local a, b = ...\nreturn (a or 1) + (b or 2)\n");
    let p: &Path = f.0.as_path();
    let n: i64 = lua.load(p).eval().unwrap();
    assert_eq!(n, 3);
    let n: i64 = lua.load(p).call((10, 20)).unwrap();
    assert_eq!(n, 30);
    let pb: PathBuf = f.0.clone();
    let n: i64 = lua.load(&pb).call((5, 5)).unwrap();
    assert_eq!(n, 10);
    let n: i64 = lua.load(pb).call((1, 1)).unwrap();
    assert_eq!(n, 2);
}

#[test]
fn file_chunks_are_named_after_the_file() {
    let lua = Lua::new();
    let f = TempFile::new("named", b"local x = 1\nerror('in file')\n");
    let err = lua.load(&f.0).exec().unwrap_err();
    let expected = format!("runtime error: {}:2: in file", f.0.display());
    assert!(err.to_string().starts_with(&expected), "{err}");
    let frame = &err.traceback()[1];
    assert_eq!(frame.source, f.0.display().to_string());
    assert_eq!(frame.line, Some(2));
    // `set_name` overrides the file name.
    let err = lua.load(&f.0).set_name("=renamed.lua").exec().unwrap_err();
    assert!(err.to_string().starts_with("runtime error: renamed.lua:2: in file"), "{err}");
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let lua = Lua::new();
    let missing = std::env::temp_dir().join(format!("luna-chunk-test-{}-does-not-exist.lua", std::process::id()));
    let err = lua.load(&missing).exec().unwrap_err();
    let io = err.downcast_ref::<std::io::Error>().unwrap_or_else(|| panic!("expected an io error, got {err:?}"));
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    // The error names the file, as `lua` does: "cannot open <path>", with
    // the io::Error as its cause.
    match &err {
        LuaError::WithContext { context, cause } => {
            assert_eq!(context, &format!("cannot open {}", missing.display()));
            assert!(matches!(**cause, LuaError::ExternalError(_)), "{cause:?}");
        }
        other => panic!("expected WithContext, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("cannot open {}: ", missing.display())), "{shown}");
    assert!(err.parent().unwrap().to_string().contains(&io.to_string()), "{err}");
    assert!(lua.load(&missing).into_function().is_err());
    assert!(lua.load(&missing).eval::<LuaValue>().is_err());
    assert!(lua.load(&missing).call::<()>(1).is_err());
    // A directory is not a chunk either.
    let dir = std::env::temp_dir();
    assert!(lua.load(&dir).exec().is_err());
}

#[test]
fn file_with_shebang_line_keeps_line_numbers() {
    let lua = Lua::new();
    let f = TempFile::new("shebang", b"#!/usr/bin/env lua\nlocal x = 1\nerror('line three')\n");
    let err = lua.load(&f.0).exec().unwrap_err();
    let expected = format!("runtime error: {}:3: line three", f.0.display());
    assert!(err.to_string().starts_with(&expected), "{err}");
    let f = TempFile::new("shebang2", b"#!/usr/bin/env lua\nreturn 42");
    assert_eq!(lua.load(&f.0).eval::<i64>().unwrap(), 42);
}

#[test]
fn file_with_bom_and_shebang() {
    let lua = Lua::new();
    let f = TempFile::new("bom", b"\xEF\xBB\xBFreturn 'bom'");
    assert_eq!(lua.load(&f.0).eval::<String>().unwrap(), "bom");
    let f = TempFile::new("bomshebang", b"\xEF\xBB\xBF#!/usr/bin/lua\nlocal a = ...\nerror('at line 3')\n");
    let err = lua.load(&f.0).exec().unwrap_err();
    let expected = format!("runtime error: {}:3: at line 3", f.0.display());
    assert!(err.to_string().starts_with(&expected), "{err}");
    let f = TempFile::new("bomlines", b"\xEF\xBB\xBF\n\nerror('x')");
    let err = lua.load(&f.0).exec().unwrap_err();
    let expected = format!("runtime error: {}:3: x", f.0.display());
    assert!(err.to_string().starts_with(&expected), "{err}");
}

#[test]
fn huge_sources() {
    let lua = Lua::new();
    // 100,000 statements.
    let mut src = String::from("local n = 0\n");
    for _ in 0..100_000 {
        src.push_str("n = n + 1\n");
    }
    src.push_str("return n");
    assert_eq!(lua.load(&src).eval::<i64>().unwrap(), 100_000);
    // A table constructor with 100,000 items.
    let mut src = String::from("return {");
    for i in 0..100_000 {
        src.push_str(&i.to_string());
        src.push(',');
    }
    src.push('}');
    let t: LuaTable = lua.load(&src).eval().unwrap();
    assert_eq!(t.raw_len(), 100_000);
    assert_eq!(t.get::<i64>(100_000).unwrap(), 99_999);
    // A 4 MB long string literal.
    let body = "x".repeat(4 << 20);
    let src = format!("return [[{body}]]");
    let s: LuaString = lua.load(&src).eval().unwrap();
    assert_eq!(s.len().unwrap(), 4 << 20);
    // A syntax error on the last line of a long source reports that line.
    let mut src = "\n".repeat(50_000);
    src.push_str("x = = 1");
    let (msg, _) = syntax_error(lua.load(&src).set_name("=big").exec());
    assert_eq!(msg, "big:50001: unexpected symbol near '='");
}

// ---------------------------------------------------------------------------
// Names.

#[test]
fn default_name_is_the_rust_code_that_loads() {
    let lua = Lua::new();
    // As mlua names it: `@file:line` of the `load` call.
    let (chunk, line) = (lua.load("error('boom')"), line!());
    assert_eq!(chunk.name(), format!("@{}:{line}", file!()));
    let err = chunk.exec().unwrap_err();
    let expected = format!("runtime error: {}:{line}:1: boom", file!());
    assert!(err.to_string().starts_with(&expected), "{err}");
}

#[test]
fn a_chunk_named_by_its_source_shows_as_puc_shows_strings() {
    let lua = Lua::new();
    let load = |src: &str| lua.load(src).set_name(src).exec();
    let err = load("error('boom')").unwrap_err();
    assert!(err.to_string().starts_with("runtime error: [string \"error('boom')\"]:1: boom"), "{err}");
    // Only the first line, followed by "...".
    let err = load("\nerror('boom')").unwrap_err();
    assert!(err.to_string().starts_with("runtime error: [string \"...\"]:2: boom"), "{err}");
    // Long sources are cut as PUC cuts them (LUA_IDSIZE 60).
    let src = format!("x={}", " ".repeat(100));
    let (msg, _) = syntax_error(load(&src));
    assert_eq!(msg, "[string \"x=                                           ...\"]:1: unexpected symbol near <eof>");
}

#[test]
fn set_name_follows_load_chunkname_conventions() {
    let lua = Lua::new();
    // Without a prefix the name is shown as the source of a string (PUC's
    // `load(s, "main")`, mlua's `set_name`).
    let err = lua.load("error('boom')").set_name("main").exec().unwrap_err();
    assert!(err.to_string().starts_with("runtime error: [string \"main\"]:1: boom"), "{err}");
    // `=` gives the name as it is.
    let err = lua.load("error('boom')").set_name("=main.lua").exec().unwrap_err();
    assert!(err.to_string().starts_with("runtime error: main.lua:1: boom"), "{err}");
    assert_eq!(err.traceback().last().unwrap().source, "main.lua");
    let (msg, _) = syntax_error(lua.load("x = = 1").set_name("=cfg").exec());
    assert_eq!(msg, "cfg:1: unexpected symbol near '='");
}

#[test]
fn set_name_honours_puc_prefixes() {
    let lua = Lua::new();
    // "=name": the name as it is.
    let (msg, _) = syntax_error(lua.load("x = = 1").set_name("=custom name").exec());
    assert_eq!(msg, "custom name:1: unexpected symbol near '='");
    // "@file": a file name.
    let (msg, _) = syntax_error(lua.load("x = = 1").set_name("@dir/file.lua").exec());
    assert_eq!(msg, "dir/file.lua:1: unexpected symbol near '='");
    // Long "=" names keep their beginning, long "@" names their end.
    let (msg, _) = syntax_error(lua.load("x=").set_name(format!("={}", "n".repeat(100))).exec());
    assert_eq!(msg, format!("{}:1: unexpected symbol near <eof>", "n".repeat(59)));
    let (msg, _) = syntax_error(lua.load("x=").set_name(format!("@{}", "p".repeat(100))).exec());
    assert_eq!(msg, format!("...{}:1: unexpected symbol near <eof>", "p".repeat(56)));
}

#[test]
fn function_info_reports_the_chunk_name() {
    let lua = Lua::new();
    let f = lua.load("return 1").set_name("@info.lua").into_function().unwrap();
    let info = f.info();
    assert_eq!(info.short_src, "info.lua");
    assert_eq!(info.source.as_deref(), Some("@info.lua"));
    assert_eq!(info.what, "main");
}

// ---------------------------------------------------------------------------
// Environment.

#[test]
fn set_environment_resolves_globals_in_the_table() {
    let lua = Lua::new();
    let env = lua.create_table().unwrap();
    env.set("y", 41).unwrap();
    lua.load("x = y + 1").set_environment(env.clone()).exec().unwrap();
    assert_eq!(env.get::<i64>("x").unwrap(), 42);
    // The real globals are untouched.
    assert!(lua.globals().get::<LuaValue>("x").unwrap().is_nil());
    assert!(lua.globals().get::<LuaValue>("y").unwrap().is_nil());
    // Standard functions are not visible unless put there.
    let err = lua.load("print('x')").set_environment(env.clone()).exec().unwrap_err();
    assert!(err.to_string().contains("attempt to call a nil value (global 'print')"), "{err}");
    // `_ENV` is the table itself.
    let same: LuaTable = lua.load("return _ENV").set_environment(env.clone()).eval().unwrap();
    assert_eq!(same, env);
}

#[test]
fn set_environment_with_eval_and_call() {
    let lua = Lua::new();
    let env = lua.create_table().unwrap();
    env.set("v", 10).unwrap();
    let n: i64 = lua.load("v * 2").set_environment(env.clone()).eval().unwrap();
    assert_eq!(n, 20);
    let n: i64 = lua.load("local a = ... return v + a").set_environment(env.clone()).call(5).unwrap();
    assert_eq!(n, 15);
    let f = lua.load("w = (w or 0) + 1 return w").set_environment(env.clone()).into_function().unwrap();
    assert_eq!(f.call::<i64>(()).unwrap(), 1);
    assert_eq!(f.call::<i64>(()).unwrap(), 2);
    assert_eq!(env.get::<i64>("w").unwrap(), 2);
    assert!(lua.globals().get::<LuaValue>("w").unwrap().is_nil());
}

#[test]
fn set_environment_with_metatable_falls_back_to_globals() {
    let lua = Lua::new();
    let env: LuaTable = lua.load("return setmetatable({}, {__index = _G})").eval().unwrap();
    let s: String = lua.load("z = 1 return type(print)").set_environment(env.clone()).eval().unwrap();
    assert_eq!(s, "function");
    assert_eq!(env.raw_get::<i64>("z").unwrap(), 1);
    assert!(lua.globals().get::<LuaValue>("z").unwrap().is_nil());
}

// ---------------------------------------------------------------------------
// Modes.

#[test]
fn text_mode_rejects_binary_chunks() {
    let lua = unsafe { Lua::unsafe_new() };
    let f = lua.load("return 7").into_function().unwrap();
    let bin = f.dump(false);
    assert_eq!(bin[0], 0x1b);
    // Mode not set: binary chunks load (with unsafe features on).
    assert_eq!(lua.load(&bin).eval::<i64>().unwrap(), 7);
    assert_eq!(lua.load(&bin).set_mode(LuaChunkMode::Binary).eval::<i64>().unwrap(), 7);
    let (msg, incomplete) = syntax_error(lua.load(&bin).set_mode(LuaChunkMode::Text).exec());
    assert_eq!(msg, "attempt to load a binary chunk (mode is 't')");
    assert!(!incomplete);
}

#[test]
fn binary_mode_rejects_text_chunks() {
    let lua = Lua::new();
    assert_eq!(lua.load("return 1").set_mode(LuaChunkMode::Text).eval::<i64>().unwrap(), 1);
    let (msg, incomplete) = syntax_error(lua.load("return 1").set_mode(LuaChunkMode::Binary).exec());
    assert_eq!(msg, "attempt to load a text chunk (mode is 'b')");
    assert!(!incomplete);
    let err = lua.load("1 + 1").set_mode(LuaChunkMode::Binary).eval::<i64>().unwrap_err();
    assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
}

#[test]
fn safe_state_refuses_binary_chunks() {
    let unsafe_lua = unsafe { Lua::unsafe_new() };
    let bin = unsafe_lua.load("return 7").into_function().unwrap().dump(true);
    let lua = Lua::new();
    let err = lua.load(&bin).exec().unwrap_err();
    assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
    let err = lua.load(&bin).eval::<i64>().unwrap_err();
    assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
    // Garbage after the binary signature is an error, not a crash.
    let unsafe_lua = unsafe { Lua::unsafe_new() };
    let mut broken = bin.clone();
    broken.truncate(bin.len() / 2);
    assert!(unsafe_lua.load(&broken).exec().is_err());
    assert!(unsafe_lua.load(&b"\x1bLua garbage"[..]).exec().is_err());
}

// ---------------------------------------------------------------------------
// Running.

#[test]
fn exec_runs_statements() {
    let lua = Lua::new();
    lua.load("a = 1; b = a + 1").exec().unwrap();
    assert_eq!(lua.globals().get::<i64>("b").unwrap(), 2);
    // Results are discarded.
    lua.load("return 1, 2, 3").exec().unwrap();
    // Runtime errors come back as errors.
    let err = lua.load("error('x')").exec().unwrap_err();
    assert!(matches!(err, LuaError::RuntimeError(_)), "{err:?}");
}

#[test]
fn eval_expressions() {
    let lua = Lua::new();
    assert_eq!(lua.load("1 + 2").eval::<i64>().unwrap(), 3);
    assert_eq!(lua.load("'a' .. 'b'").eval::<String>().unwrap(), "ab");
    let (a, b): (i64, String) = lua.load("1, 'two'").eval().unwrap();
    assert_eq!((a, b.as_str()), (1, "two"));
    lua.globals().set("g", 5).unwrap();
    assert_eq!(lua.load("g * g").eval::<i64>().unwrap(), 25);
    let f: LuaFunction = lua.load("function(x) return x + 1 end").eval().unwrap();
    assert_eq!(f.call::<i64>(1).unwrap(), 2);
}

#[test]
fn eval_statements() {
    let lua = Lua::new();
    assert_eq!(lua.load("local x = 1 return x").eval::<i64>().unwrap(), 1);
    assert_eq!(lua.load("local t = {} for i = 1, 10 do t[i] = i end return #t").eval::<i64>().unwrap(), 10);
    // Statements with no result.
    let v: LuaValue = lua.load("x = 5").eval().unwrap();
    assert!(v.is_nil());
    assert_eq!(lua.globals().get::<i64>("x").unwrap(), 5);
    // A call runs once, and its results are the chunk's results.
    lua.load("count = 0 function bump() count = count + 1 return count end").exec().unwrap();
    assert_eq!(lua.load("bump()").eval::<i64>().unwrap(), 1);
    assert_eq!(lua.globals().get::<i64>("count").unwrap(), 1);
}

#[test]
fn eval_syntax_errors_report_the_original_source() {
    let lua = Lua::new();
    let err = lua.load("x = = 1").set_name("x = = 1").eval::<LuaValue>().unwrap_err();
    match err {
        LuaError::SyntaxError { message, incomplete_input } => {
            assert_eq!(message, "[string \"x = = 1\"]:1: unexpected symbol near '='");
            assert!(!incomplete_input);
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let err = lua.load("if x then").set_name("=repl").eval::<LuaValue>().unwrap_err();
    match err {
        LuaError::SyntaxError { message, incomplete_input } => {
            assert_eq!(message, "repl:1: 'end' expected near <eof>");
            assert!(incomplete_input);
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    // Runtime errors of an expression name the original source too.
    let err = lua.load("nil + 1").set_name("nil + 1").eval::<LuaValue>().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("runtime error: [string \"nil + 1\"]:1: attempt to perform arithmetic on a nil value"),
        "{err}"
    );
}

#[test]
fn call_passes_arguments_as_varargs() {
    let lua = Lua::new();
    let n: i64 = lua.load("local a, b = ... return a + b").call((40, 2)).unwrap();
    assert_eq!(n, 42);
    let n: i64 = lua.load("return select('#', ...)").call((1, LuaNil, 3, LuaNil)).unwrap();
    assert_eq!(n, 4);
    let s: String = lua.load("return table.concat({...}, '-')").call(("a", "b", "c")).unwrap();
    assert_eq!(s, "a-b-c");
    let n: i64 = lua.load("return select('#', ...)").call(()).unwrap();
    assert_eq!(n, 0);
    let err = lua.load("local a = ... return a.x").call::<()>(1).unwrap_err();
    assert!(err.to_string().contains("attempt to index a number value (local 'a')"), "{err}");
}

#[test]
fn into_function_can_be_called_repeatedly() {
    let lua = Lua::new();
    let f = lua.load("n = (n or 0) + ... return n").into_function().unwrap();
    assert_eq!(f.call::<i64>(1).unwrap(), 1);
    assert_eq!(f.call::<i64>(2).unwrap(), 3);
    assert_eq!(f.call::<i64>(3).unwrap(), 6);
    // A syntax error surfaces at `into_function`, not later.
    let err = lua.load("return +").into_function().unwrap_err();
    assert!(matches!(err, LuaError::SyntaxError { .. }), "{err:?}");
    // The function can be stored in Lua and called from there.
    lua.globals().set("f", f).unwrap();
    assert_eq!(lua.load("return f(4)").eval::<i64>().unwrap(), 10);
}

// ---------------------------------------------------------------------------
// Syntax errors.

#[test]
fn syntax_error_messages_match_puc() {
    let lua = Lua::new();
    let cases: &[(&str, &str, bool)] = &[
        ("x = ", "[string \"x = \"]:1: unexpected symbol near <eof>", true),
        ("if x then", "[string \"if x then\"]:1: 'end' expected near <eof>", true),
        ("x = [[abc", "[string \"x = [[abc\"]:1: unfinished long string (starting at line 1) near <eof>", true),
        ("x = \"abc", "[string \"x = \"abc\"]:1: unfinished string near <eof>", true),
        ("--[[ abc", "[string \"--[[ abc\"]:1: unfinished long comment (starting at line 1) near <eof>", true),
        ("f(", "[string \"f(\"]:1: unexpected symbol near <eof>", true),
        ("local t = {", "[string \"local t = {\"]:1: unexpected symbol near <eof>", true),
        ("x = = 1", "[string \"x = = 1\"]:1: unexpected symbol near '='", false),
        ("x = 1 1", "[string \"x = 1 1\"]:1: unexpected symbol near '1'", false),
        ("for i = 1 do end", "[string \"for i = 1 do end\"]:1: ',' expected near 'do'", false),
        ("goto nowhere", "[string \"goto nowhere\"]:1: no visible label 'nowhere' for <goto> at line 1", false),
        ("local x <foo> = 1", "[string \"local x <foo> = 1\"]:1: unknown attribute 'foo'", false),
        ("return 1\nend", "[string \"return 1...\"]:2: <eof> expected near 'end'", false),
    ];
    for (src, expected, incomplete) in cases {
        // Named by its source, as `load(s)` names a string.
        let (msg, inc) = syntax_error(lua.load(*src).set_name(*src).exec());
        assert_eq!(&msg, expected, "source {src:?}");
        assert_eq!(inc, *incomplete, "incomplete_input of {src:?}");
    }
}

#[test]
fn syntax_error_display() {
    let lua = Lua::new();
    let err = lua.load("x = = 1").set_name("=input").exec().unwrap_err();
    assert_eq!(err.to_string(), "syntax error: input:1: unexpected symbol near '='");
}

#[test]
fn deeply_nested_source_is_a_syntax_error_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let lua = Lua::new();
            let n = 100_000;
            let sources = [
                format!("return {}1{}", "(".repeat(n), ")".repeat(n)),
                format!("return {}{}", "{".repeat(n), "}".repeat(n)),
                format!("return {}1", "- ".repeat(n)),
                format!("return {}1", "not ".repeat(n)),
                format!("return {}1", "a .. ".repeat(n)),
                format!("{}{}", "do ".repeat(n), " end".repeat(n)),
                format!("return {}1{}", "function() return ".repeat(n), " end".repeat(n)),
            ];
            let mut messages = Vec::new();
            for src in &sources {
                match lua.load(src).exec() {
                    Err(LuaError::SyntaxError { message, incomplete_input }) => {
                        assert!(!incomplete_input, "{message}");
                        messages.push(message);
                    }
                    other => panic!("expected a syntax error, got {other:?}"),
                }
            }
            // The state is still usable.
            assert_eq!(lua.load("1 + 1").eval::<i64>().unwrap(), 2);
            messages
        })
        .unwrap();
    let messages = handle.join().expect("the loading thread must not overflow its stack");
    for m in messages {
        assert_eq!(m, "C stack overflow");
    }
}

// ---------------------------------------------------------------------------
// chunk!

#[test]
fn chunk_macro_captures_rust_variables_and_keeps_lines() {
    let lua = Lua::new();
    let name = "luna";
    let list = vec![10, 20];
    let scale = 2.5;
    lua.globals().set("base", 1).unwrap();
    // Captures are variables of the chunk's environment; other names are
    // the globals, and assignments go to the globals.
    let out: String = lua
        .load(luna::chunk! {
            -- a comment runs to the end of its line
            local parts = { $name, #$list, $list[2] * $scale, base }
            joined = table.concat(parts, ",")
            return joined .. "!"
        })
        .eval()
        .unwrap();
    assert_eq!(out, "luna,2,50.0,1!");
    assert_eq!(lua.globals().get::<String>("joined").unwrap(), "luna,2,50.0,1");
    // Lines within the chunk are kept for messages.
    let err = lua
        .load(luna::chunk! {
            local x = 1
            -- comment
            error("boom " .. x)
        })
        .exec()
        .unwrap_err();
    assert!(err.to_string().contains(":3: boom 1"), "{err}");
    // Operators written without spaces stay joined; with spaces, apart.
    let ok: bool =
        lua.load(luna::chunk! { return 1 ~= 2 and 2 <= 3 and ("a".."b") == "ab" and 5 - -1 == 6 }).eval().unwrap();
    assert!(ok);
    // Without captures the chunk runs in the globals.
    lua.load(luna::chunk! { plain = 7 }).exec().unwrap();
    assert_eq!(lua.globals().get::<i64>("plain").unwrap(), 7);
}
