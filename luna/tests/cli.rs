//! Tests of the `luna` command-line interpreter: options, the `arg` table,
//! `LUA_INIT`, error reports and exit statuses, scripts from standard
//! input and the interactive loop with piped input. Each test runs the
//! built binary with `argv[0]` set to "luna" (so messages read
//! "luna: ...") and compares its output with what PUC-Rio Lua 5.4.8's
//! `lua` prints in the same situation.
#![cfg(unix)]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a run of the interpreter produced.
struct Run {
    out: String,
    err: String,
    code: i32,
}

/// A scratch directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("luna-cli-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file in the directory.
    fn file(&self, name: &str, contents: &[u8]) -> &TempDir {
        std::fs::write(self.0.join(name), contents).expect("write temp file");
        self
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The usage text printed after a bad option.
const USAGE: &str = "usage: luna [options] [script [args]]
Available options are:
  -e stat   execute string 'stat'
  -i        enter interactive mode after executing 'script'
  -l mod    require library 'mod' into global 'mod'
  -l g=mod  require library 'mod' into global 'g'
  -v        show version information
  -E        ignore environment variables
  -W        turn warnings on
  --        stop handling options
  -         stop handling options and execute stdin
";

/// The interpreter under test: the built `luna`, or `LUNA_CLI_BIN`, which
/// runs the same tests against another interpreter (such as PUC's `lua`)
/// to check the expected outputs.
fn interpreter() -> std::ffi::OsString {
    std::env::var_os("LUNA_CLI_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_luna").into())
}

/// Runs the interpreter with `args`, `stdin` as standard input, the extra
/// environment `env` (the `LUA_INIT` variables are otherwise removed) and
/// `dir` as working directory.
fn run_in(dir: Option<&Path>, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Run {
    let mut cmd = Command::new(interpreter());
    cmd.arg0("luna").args(args);
    for v in ["LUA_INIT", "LUA_INIT_5_4", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH", "LUA_CPATH_5_4"] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn luna");
    {
        let mut input = child.stdin.take().expect("stdin");
        // The interpreter may exit without reading everything.
        let _ = input.write_all(stdin.as_bytes());
    }
    let o = child.wait_with_output().expect("wait for luna");
    Run {
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

fn run(args: &[&str], stdin: &str) -> Run {
    run_in(None, &[], args, stdin)
}

/// Checks stdout, stderr and the exit status of a run.
fn check(r: &Run, out: &str, err: &str, code: i32) {
    assert_eq!(r.out, out, "stdout (stderr was {:?})", r.err);
    assert_eq!(r.err, err, "stderr (stdout was {:?})", r.out);
    assert_eq!(r.code, code, "exit status");
}

/// The version line printed by `-v` and before an interactive session.
fn version_line(out: &str) -> &str {
    out.lines().next().unwrap_or("")
}

#[test]
fn version_option() {
    let r = run(&["-v"], "");
    assert_eq!(r.code, 0);
    assert_eq!(r.err, "");
    let line = version_line(&r.out);
    assert!(line.starts_with("Lua 5.4"), "{line}");
    assert!(line.ends_with("PUC-Rio"), "{line}");
    assert_eq!(r.out, format!("{line}\n"));
    // The version comes first, then the options run; no REPL, no stdin.
    let r = run(&["-v", "-e", "print'hello'"], "print'not run'");
    check(&r, &format!("{line}\nhello\n"), "", 0);
}

#[test]
fn execute_option() {
    check(&run(&["-e", "print(1)", "-e", "print(2)"], ""), "1\n2\n", "", 0);
    check(&run(&["-eprint(1)", "-ea=3", "-e", "print(a)"], ""), "1\n3\n", "", 0);
    // An empty statement, and options given with -e do not read stdin.
    check(&run(&["-e", ""], "print('stdin')"), "", "", 0);
    // Without a script, arg[0] is the program and the options follow.
    check(
        &run(&["-e", "print(arg[0], arg[1], arg[2], #arg)"], ""),
        "luna\t-e\tprint(arg[0], arg[1], arg[2], #arg)\t2\n",
        "",
        0,
    );
}

#[test]
fn bad_options() {
    for (args, msg) in [
        (&["-h"][..], "unrecognized option '-h'"),
        (&["---"][..], "unrecognized option '---'"),
        (&["--x"][..], "unrecognized option '--x'"),
        (&["-Ex"][..], "unrecognized option '-Ex'"),
        (&["-vv"][..], "unrecognized option '-vv'"),
        (&["-iv"][..], "unrecognized option '-iv'"),
        (&["-Wx"][..], "unrecognized option '-Wx'"),
        (&["-e"][..], "'-e' needs argument"),
        (&["-l"][..], "'-l' needs argument"),
        (&["-e", "-v"][..], "'-e' needs argument"),
        (&["-i", "-e"][..], "'-e' needs argument"),
        (&["-v", "-x", "-e", "print(1)"][..], "unrecognized option '-x'"),
    ] {
        let r = run(args, "");
        check(&r, "", &format!("luna: {msg}\n{USAGE}"), 1);
    }
    // Options after the script name belong to the script.
    let d = TempDir::new();
    d.file("s.lua", b"print(...)");
    check(&run_in(Some(d.path()), &[], &["s.lua", "-h", "-x"], ""), "-h\t-x\n", "", 0);
}

#[test]
fn arg_table_and_script_arguments() {
    let d = TempDir::new();
    d.file("args.lua", b"print(...)\nprint(#arg, arg[0], arg[-1], arg[-2], arg[-3], arg[-4])\n");
    let r = run_in(Some(d.path()), &[], &["args.lua", "a", "b"], "");
    check(&r, "a\tb\n2\targs.lua\tluna\tnil\tnil\tnil\n", "", 0);
    let r = run_in(Some(d.path()), &[], &["-e", "x=1", "--", "args.lua", "a"], "");
    check(&r, "a\n1\targs.lua\t--\tx=1\t-e\tluna\n", "", 0);
    // "-e " (with a space) runs an empty command.
    let r = run_in(Some(d.path()), &[], &["-e ", "--", "args.lua", "a", "b", "c"], "");
    check(&r, "a\tb\tc\n3\targs.lua\t--\t-e \tluna\tnil\n", "", 0);
    // Many arguments.
    let many: Vec<String> = (1..=40).map(|i| i.to_string()).collect();
    d.file("count.lua", b"print(select('#', ...), (select(30, ...)))");
    let mut a: Vec<&str> = vec!["count.lua"];
    a.extend(many.iter().map(|s| s.as_str()));
    check(&run_in(Some(d.path()), &[], &a, ""), "40\t30\n", "", 0);
    // The script receives the current contents of 'arg'.
    check(&run(&["-e", "arg[1] = 100", "-"], "print(...)"), "100\n", "", 0);
    check(
        &run(&["-e", "arg = setmetatable({}, {__len = function() return 2 end})", "-"], "print(select('#', ...))"),
        "2\n",
        "",
        0,
    );
    check(&run(&["-e", "arg = 1", "-"], ""), "", "luna: 'arg' is not a table\n", 1);
}

#[test]
fn script_from_stdin() {
    // No arguments and a non-terminal stdin: stdin is the script.
    check(&run(&[], "print(10)\nprint(2)\n"), "10\n2\n", "", 0);
    check(&run(&[], ""), "", "", 0);
    check(&run(&["-"], "  print(\n1, a\n)\n"), "1\tnil\n", "", 0);
    check(&run(&["-", "-h", "x"], "print(...) print(arg[0])"), "-h\tx\n-\n", "", 0);
    check(
        &run(&["-"], "error('in')"),
        "",
        "luna: stdin:1: in\nstack traceback:\n\t[C]: in function 'error'\n\tstdin:1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    // As in lua.c, an error in standard input run as the implicit script
    // (no arguments) is reported but the exit status stays 0.
    check(&run(&[], "x ="), "", "luna: stdin:1: unexpected symbol near <eof>\n", 0);
    check(
        &run(&[], "error('x')"),
        "",
        "luna: stdin:1: x\nstack traceback:\n\t[C]: in function 'error'\n\tstdin:1: in main chunk\n\t[C]: in ?\n",
        0,
    );
    // After "--", "-" is a file name.
    check(&run(&["--", "-"], ""), "", "luna: cannot open -: No such file or directory\n", 1);
    // "--" alone: no script, so standard input is run (as Lua 5.4.4 does;
    // 5.4.8 fails there with "not enough memory").
    check(&run(&["--"], "print('from stdin')"), "from stdin\n", "", 0);
    // -W alone is not an active option either.
    check(&run(&["-W"], "print('from stdin')"), "from stdin\n", "", 0);
}

#[test]
fn error_reports() {
    let d = TempDir::new();
    d.file("err.lua", b"local function f()\n  error(\"boom\")\nend\nf()\n");
    d.file("syn.lua", b"x = = 1\n");
    d.file("tbl.lua", b"error({})");
    let dir = Some(d.path());
    check(
        &run_in(dir, &[], &["err.lua"], ""),
        "",
        "luna: err.lua:2: boom\nstack traceback:\n\t[C]: in function 'error'\n\terr.lua:2: in local 'f'\n\terr.lua:4: in main chunk\n\t[C]: in ?\n",
        1,
    );
    check(&run_in(dir, &[], &["syn.lua"], ""), "", "luna: syn.lua:1: unexpected symbol near '='\n", 1);
    check(
        &run_in(dir, &[], &["tbl.lua"], ""),
        "",
        "luna: (error object is a table value)\nstack traceback:\n\t[C]: in function 'error'\n\ttbl.lua:1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    check(&run(&["-e", "x = = 1"], ""), "", "luna: (command line):1: unexpected symbol near '='\n", 1);
    check(&run(&["-e", "a"], ""), "", "luna: (command line):1: syntax error near <eof>\n", 1);
    check(
        &run(&["-e", "error(12)"], ""),
        "",
        "luna: 12\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    check(
        &run(&["-e", "error()"], ""),
        "",
        "luna: (error object is a nil value)\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    // __tostring gives the whole message (no traceback); a non-string
    // result is ignored.
    check(
        &run(&["-e", "error(setmetatable({}, {__tostring = function() return 'custom' end}))"], ""),
        "",
        "luna: custom\n",
        1,
    );
    check(
        &run(&["-e", "error(setmetatable({}, {__tostring = function() return 42 end}))"], ""),
        "",
        "luna: (error object is a table value)\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    check(&run(&["missing.lua"], ""), "", "luna: cannot open missing.lua: No such file or directory\n", 1);
    check(&run_in(dir, &[], &["."], ""), "", "luna: cannot read .: Is a directory\n", 1);
    // An error in -e stops everything after it.
    check(
        &run(&["-e", "print(1)", "-e", "error('x', 0)", "-e", "print(3)"], ""),
        "1\n",
        "luna: x\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    // Output written before an error is kept.
    check(
        &run(&["-e", "print('before') error('after', 0)"], ""),
        "before\n",
        "luna: after\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n",
        1,
    );
}

#[test]
fn bom_and_first_line_comment() {
    let d = TempDir::new();
    d.file("b1.lua", b"\xEF\xBB\xBF")
        .file("b2.lua", b"\xEF\xBB\xBFprint(3)")
        .file("b3.lua", b"\xEF\xBB\xBF# comment!!\nprint(3)")
        .file("b4.lua", b"\xEF\xBBprint(3)")
        .file("c1.lua", b"#!/usr/bin/env luna\nerror('line two')")
        .file("c2.lua", b"# comment without newline");
    let dir = Some(d.path());
    check(&run_in(dir, &[], &["b1.lua"], ""), "", "", 0);
    check(&run_in(dir, &[], &["b2.lua"], ""), "3\n", "", 0);
    check(&run_in(dir, &[], &["b3.lua"], ""), "3\n", "", 0);
    check(&run_in(dir, &[], &["b4.lua"], ""), "", "luna: b4.lua:1: unexpected symbol near '<\\239>'\n", 1);
    let r = run_in(dir, &[], &["c1.lua"], "");
    assert!(r.err.starts_with("luna: c1.lua:2: line two\n"), "{}", r.err);
    check(&run_in(dir, &[], &["c2.lua"], ""), "", "", 0);
}

#[test]
fn lua_init() {
    let d = TempDir::new();
    d.file("x.lua", b"print(X)").file("init.lua", b"x = (x or 10) print(x) x = x + 1");
    let dir = Some(d.path());
    check(&run_in(dir, &[("LUA_INIT", "X=tonumber(arg[1])")], &["x.lua", "3.2"], ""), "3.2\n", "", 0);
    check(&run_in(dir, &[("LUA_INIT_5_4", "X=10"), ("LUA_INIT", "X=3")], &["x.lua"], ""), "10\n", "", 0);
    check(&run_in(dir, &[("LUA_INIT", "@init.lua")], &["init.lua"], ""), "10\n11\n", "", 0);
    check(&run_in(dir, &[("LUA_INIT", "")], &["-e", "print(1)"], ""), "1\n", "", 0);
    check(
        &run_in(dir, &[("LUA_INIT", "error('msg')")], &["-e", "print(1)"], ""),
        "",
        "luna: LUA_INIT:1: msg\nstack traceback:\n\t[C]: in function 'error'\n\tLUA_INIT:1: in main chunk\n\t[C]: in ?\n",
        1,
    );
    check(
        &run_in(dir, &[("LUA_INIT_5_4", "x =")], &[], ""),
        "",
        "luna: LUA_INIT_5_4:1: unexpected symbol near <eof>\n",
        1,
    );
    check(
        &run_in(dir, &[("LUA_INIT", "@nofile.lua")], &["-e", "print(1)"], ""),
        "",
        "luna: cannot open nofile.lua: No such file or directory\n",
        1,
    );
    // -E ignores the environment.
    check(&run_in(dir, &[("LUA_INIT", "error(10)")], &["-E", "x.lua"], ""), "nil\n", "", 0);
    check(&run_in(dir, &[("LUA_INIT", "error(10)")], &["-E", "-e", "print(1)"], ""), "1\n", "", 0);
}

#[test]
fn library_option() {
    // A 'require' defined by LUA_INIT (which runs before the options)
    // shows how -l names the global.
    let init = "function require(m) print('require', m) return {name = m} end";
    let env = [("LUA_INIT", init)];
    check(&run_in(None, &env, &["-l", "mod", "-e", "print(mod.name)"], ""), "require\tmod\nmod\n", "", 0);
    check(
        &run_in(None, &env, &["-lg=mod", "-l", "h=x.y", "-e", "print(g.name, h.name)"], ""),
        "require\tmod\nrequire\tx.y\nmod\tx.y\n",
        "",
        0,
    );
    // Without '=', a suffix after '-' is cut from the global name.
    check(&run_in(None, &env, &["-l", "lib2-v2", "-e", "print(lib2.name)"], ""), "require\tlib2-v2\nlib2-v2\n", "", 0);
    check(
        &run_in(None, &[], &["-e", "require = nil", "-l", "foo"], ""),
        "",
        "luna: attempt to call a nil value\nstack traceback:\n\t[C]: in ?\n",
        1,
    );
    check(
        &run_in(None, &[("LUA_INIT", "function require(m) error('no ' .. m) end")], &["-l", "foo", "-e", "print(1)"], ""),
        "",
        "luna: LUA_INIT:1: no foo\nstack traceback:\n\t[C]: in function 'error'\n\tLUA_INIT:1: in function 'require'\n\t[C]: in ?\n",
        1,
    );
}

#[test]
fn warnings_option() {
    let d = TempDir::new();
    d.file(
        "w.lua",
        b"warn('@allow')
warn('@off', 'XXX', '@off')
warn('@off')
warn('@on', 'YYY', '@on')
warn('@off')
warn('@on')
warn('', '@on')
warn('@on')
warn('Z', 'Z', 'Z')
",
    );
    let dir = Some(d.path());
    check(
        &run_in(dir, &[], &["-W", "w.lua"], ""),
        "",
        "Lua warning: @offXXX@off\nLua warning: @on\nLua warning: ZZZ\n",
        0,
    );
    // Warnings are off by default.
    check(&run(&["-e", "warn('XXX')"], ""), "", "", 0);
    // -W takes effect in order with -e.
    check(&run(&["-e", "warn('a')", "-W", "-e", "warn('b')"], ""), "", "Lua warning: b\n", 0);
    // Errors in finalizers run when the state closes become warnings.
    d.file("gc.lua", b"u1 = setmetatable({}, {__gc = function () error('XYZ') end})\n");
    let r = run_in(dir, &[], &["-W", "gc.lua"], "");
    assert_eq!(r.code, 0);
    assert!(r.err.starts_with("Lua warning: error in __gc"), "{}", r.err);
    assert!(r.err.ends_with("XYZ)\n"), "{}", r.err);
}

#[test]
fn state_is_closed_at_exit() {
    let d = TempDir::new();
    d.file(
        "fin.lua",
        b"print('creating 1')
setmetatable({}, {__gc = function () print(1) end})
print('creating 2')
setmetatable({}, {__gc = function () print(2) end})
",
    );
    check(&run_in(Some(d.path()), &[], &["fin.lua"], ""), "creating 1\ncreating 2\n2\n1\n", "", 0);
    // Also after an error.
    check(
        &run(&["-e", "setmetatable({}, {__gc = function () print('fin') end}) error('e', 0)"], ""),
        "fin\n",
        "luna: e\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n",
        1,
    );
}

/// Runs the REPL (forced with -i) on `input` and returns the run, with
/// the version line removed from stdout.
fn repl(args: &[&str], input: &str) -> Run {
    let mut all = args.to_vec();
    all.push("-i");
    let mut r = run(&all, input);
    strip_version(&mut r);
    r
}

/// Removes the version line an interactive session starts with.
fn strip_version(r: &mut Run) {
    let line = version_line(&r.out).to_string();
    assert!(line.starts_with("Lua 5.4"), "{}", r.out);
    r.out = r.out[line.len() + 1..].to_string();
}

#[test]
fn repl_expressions_statements_and_errors() {
    let input = "1+1\n=2*3\nx = 10\nx\nfor i = 1, 2 do\nprint(i)\nend\nerror('oops')\nerror({})\n1, nil, 's'\n";
    let r = repl(&[], input);
    check(
        &r,
        "> 1+1\n2\n> =2*3\n6\n> x = 10\n> x\n10\n> for i = 1, 2 do\n>> print(i)\n>> end\n1\n2\n> error('oops')\n> error({})\n> 1, nil, 's'\n1\tnil\ts\n> \n",
        "stdin:1: oops\nstack traceback:\n\t[C]: in function 'error'\n\tstdin:1: in main chunk\n\t[C]: in ?\n\
         (error object is a table value)\nstack traceback:\n\t[C]: in function 'error'\n\tstdin:1: in main chunk\n\t[C]: in ?\n",
        0,
    );
    // Syntax errors are reported without the program name; the loop goes on.
    let r = repl(&[], "x = = 1\nprint('next')\n");
    check(&r, "> x = = 1\n> print('next')\nnext\n> \n", "stdin:1: unexpected symbol near '='\n", 0);
    // Input ending inside a statement.
    let r = repl(&[], "local t = {\n");
    check(&r, "> local t = {\n>> > \n", "stdin:1: unexpected symbol near <eof>\n", 0);
    let r = repl(&[], "a.\n");
    check(&r, "> a.\n>> > \n", "stdin:1: <name> expected near <eof>\n", 0);
    // A multi-line string and '=' for return.
    let r = repl(&["-e", "_PROMPT='' _PROMPT2=''"], "a = [[b\nc\nd\ne]]\n=a\n");
    check(&r, "a = [[b\nc\nd\ne]]\n=a\nb\nc\nd\ne\n\n", "", 0);
    // Empty input.
    check(&repl(&[], ""), "> \n", "", 0);
}

#[test]
fn repl_prompts() {
    let r = repl(&["-e", "_PROMPT='lua$ ' _PROMPT2='...$ '"], "if true then\nend\n");
    check(&r, "lua$ if true then\n...$ end\nlua$ \n", "", 0);
    // Prompts go through tostring.
    let r = repl(
        &["-e", "local C = 0; _PROMPT = setmetatable({}, {__tostring = function () C = C + 1; return C end})"],
        " --\na = 2\n",
    );
    check(&r, "1 --\n2a = 2\n3\n", "", 0);
    check(&repl(&["-e", "_PROMPT = 42"], "1\n"), "421\n1\n42\n", "", 0);
    // An error while computing the prompt ends the interpreter.
    let r = repl(&["-e", "_PROMPT = setmetatable({}, {__tostring = function () error('bad prompt', 0) end})"], "1\n");
    check(&r, "", "bad prompt\n", 1);
}

#[test]
fn repl_print_errors_and_script() {
    let r = repl(&["-e", "print = nil"], "10\n");
    check(&r, "> 10\n> \n", "error calling 'print' (attempt to call a nil value)\n", 0);
    let r = repl(&["-e", "print = function() error('np') end"], "1\n");
    check(&r, "> 1\n> \n", "error calling 'print' ((command line):1: np)\n", 0);
    // -i after a script runs the REPL with the script's globals.
    let d = TempDir::new();
    d.file("s.lua", b"x = ... print('script')");
    let mut r = run_in(Some(d.path()), &[], &["-i", "s.lua", "arg1"], "x\n");
    strip_version(&mut r);
    check(&r, "script\n> x\narg1\n> \n", "", 0);
    // A failing script does not start the REPL.
    d.file("bad.lua", b"error('stop', 0)");
    let mut r = run_in(Some(d.path()), &[], &["-i", "bad.lua"], "print('never')\n");
    strip_version(&mut r);
    check(
        &r,
        "",
        "luna: stop\nstack traceback:\n\t[C]: in function 'error'\n\tbad.lua:1: in main chunk\n\t[C]: in ?\n",
        1,
    );
}

/// A running interpreter whose standard output is read line by line, to
/// send it signals at known points of its script.
struct Background {
    child: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
}

impl Background {
    fn start(args: &[&str]) -> Background {
        let mut child = Command::new(interpreter())
            .arg0("luna")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn luna");
        let out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        Background { child, out }
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.out, &mut line).expect("read a line");
        line
    }

    /// Sends SIGINT (what Ctrl-C sends), with the shell's `kill` builtin
    /// (a `kill` program may not be installed).
    fn interrupt(&self) {
        let cmd = format!("kill -INT {}", self.child.id());
        let ok = Command::new("sh").args(["-c", &cmd]).status().expect("sh");
        assert!(ok.success(), "kill -INT failed");
    }

    fn finish(mut self) -> (std::process::ExitStatus, String, String) {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.out, &mut rest).expect("read stdout");
        let status = self.child.wait().expect("wait");
        let mut err = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().expect("stderr"), &mut err).expect("stderr");
        (status, rest, err)
    }
}

/// Ctrl-C raises "interrupted!" in the running Lua code, as lua.c's hook
/// does: `pcall` catches it and the script goes on; uncaught, it is
/// reported with the position of the interrupted function's caller and a
/// traceback, exit status 1.
#[test]
fn ctrl_c_interrupts_lua_code() {
    let mut p = Background::start(&[
        "-e",
        "print(pcall(function () print(12); io.stdout:flush(); while true do end end)) print(42)",
    ]);
    assert_eq!(p.line(), "12\n");
    p.interrupt();
    let (status, out, err) = p.finish();
    assert_eq!((out.as_str(), err.as_str(), status.code()), ("false\tinterrupted!\n42\n", "", Some(0)));

    let mut p = Background::start(&[
        "-e",
        "local function f() print(13); io.stdout:flush(); while true do end end
         f()",
    ]);
    assert_eq!(p.line(), "13\n");
    p.interrupt();
    let (status, out, err) = p.finish();
    assert_eq!(out, "");
    assert_eq!(
        err,
        "luna: (command line):2: interrupted!\nstack traceback:\n\t(command line):1: in local 'f'\n\
         \t(command line):2: in main chunk\n\t[C]: in ?\n"
    );
    assert_eq!(status.code(), Some(1));
}

/// A native busy in a long computation is not interrupted (as in lua.c);
/// the first Ctrl-C restored the default action, so the second ends the
/// process.
#[test]
fn second_ctrl_c_ends_a_busy_native() {
    use std::os::unix::process::ExitStatusExt;
    let mut p = Background::start(&[
        "-e",
        "print(15); io.stdout:flush(); string.find(string.rep('a', 100000), '.*b'); print('finished')",
    ]);
    assert_eq!(p.line(), "15\n");
    std::thread::sleep(std::time::Duration::from_millis(200));
    p.interrupt();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(p.child.try_wait().expect("try_wait").is_none(), "the first Ctrl-C stopped the native");
    p.interrupt();
    let (status, out, _) = p.finish();
    assert_eq!(out, "");
    assert_eq!(status.signal(), Some(2));
}
