//! Tests of the whole front end: syntax-error messages (checked against
//! the reference `lua` 5.4.8), limits, nesting depth and huge inputs.

use super::{chunk_id, compile, FunctionProto, SyntaxError};

/// Runs `f` on a thread with a 2 MiB stack (the product requirement: no
/// input may overflow the stack of such a thread).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).expect("thread").join().expect("no stack overflow")
}

/// Compiles on a 2 MiB stack (the prototype itself stays on that thread).
fn compile_small_stack(src: Vec<u8>) -> Result<(), SyntaxError> {
    on_small_stack(move || compile(&src, b"=t").map(|_: FunctionProto| ()))
}

fn err_of(src: &[u8], name: &[u8]) -> String {
    match compile(src, name) {
        Ok(_) => String::new(),
        Err(e) => String::from_utf8_lossy(&e.message).into_owned(),
    }
}

/// (chunk name, source, message of the reference `load`; empty if it
/// compiles)
const ERROR_CASES: &[(&[u8], &[u8], &[u8])] = &[
    (b"=t", b"x = 3..2", b"t:1: malformed number near '3..2'"),
    (b"=t", b"x = 0x", b"t:1: malformed number near '0x'"),
    (b"=t", b"x = 1e", b"t:1: malformed number near '1e'"),
    (b"=t", b"x = 1e+", b"t:1: malformed number near '1e+'"),
    (b"=t", b"x = 08", b""),
    (b"=t", b"x = 3x", b"t:1: malformed number near '3x'"),
    (b"=t", b"x = 0xep+1z", b"t:1: malformed number near '0xep+1z'"),
    (b"=t", b"x = .5.5", b"t:1: malformed number near '.5.5'"),
    (b"=t", b"x = \"abc", b"t:1: unfinished string near <eof>"),
    (b"=t", b"x = \"abc\ndef\"", b"t:1: unfinished string near '\"abc'"),
    (b"=t", b"x = 'abc\\q'", b"t:1: invalid escape sequence near ''abc\\q'"),
    (b"=t", b"x = '\\300'", b"t:1: decimal escape too large near ''\\300''"),
    (b"=t", b"x = '\\256", b"t:1: decimal escape too large near ''\\256'"),
    (b"=t", b"x = '\\x5g'", b"t:1: hexadecimal digit expected near ''\\x5g'"),
    (b"=t", b"x = '\\x", b"t:1: hexadecimal digit expected near ''\\x'"),
    (b"=t", b"x = '\\u12'", b"t:1: missing '{' near ''\\u1'"),
    (b"=t", b"x = '\\u{12'", b"t:1: missing '}' near ''\\u{12''"),
    (b"=t", b"x = '\\u{}'", b"t:1: hexadecimal digit expected near ''\\u{}'"),
    (b"=t", b"x = '\\u{80000000}'", b"t:1: UTF-8 value too large near ''\\u{80000000'"),
    (b"=t", b"x = '\\u{7FFFFFFF}' .. ", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = [==[ abc", b"t:1: unfinished long string (starting at line 1) near <eof>"),
    (b"=t", b"--[==[ abc\n\n", b"t:3: unfinished long comment (starting at line 1) near <eof>"),
    (b"=t", b"x = [=x", b"t:1: invalid long string delimiter near '[='"),
    (b"=t", b"x = [==", b"t:1: invalid long string delimiter near '[=='"),
    (b"=t", b"x = '\\z  \n\n  abc", b"t:3: unfinished string near <eof>"),
    (b"=t", b"x = \x00", b"t:1: unexpected symbol"),
    (b"=t", b"x = \x01", b"t:1: unexpected symbol near '<\\1>'"),
    (b"=t", b"x = \xc8", b"t:1: unexpected symbol near '<\\200>'"),
    (b"=t", b"x = '\\", b"t:1: unfinished string near <eof>"),
    (b"=t", b"x = 'a\x00b", b"t:1: unfinished string near <eof>"),
    (b"=t", b"x = 'a\x00b' + ", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = [[a\x00b]] +", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = 12345678901234567890 +", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = 0x1p4 +", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"a.b:c = 1", b"t:1: function arguments expected near '='"),
    (b"=t", b"x = @", b"t:1: unexpected symbol near '@'"),
    (b"=t", b"x = $", b"t:1: unexpected symbol near '$'"),
    (b"=t", b"x = `", b"t:1: unexpected symbol near '`'"),
    (b"=t", b"x = ! 1", b"t:1: unexpected symbol near '!'"),
    (b"=t", b"x = 1 !", b"t:1: unexpected symbol near '!'"),
    (b"=t", b"x = ?", b"t:1: unexpected symbol near '?'"),
    (b"=t", b"--[[", b"t:1: unfinished long comment (starting at line 1) near <eof>"),
    (
        b"=t",
        b"x = '\\u{110000}\\u{7FFFFFFF}\\u{FFFFFFFF}'",
        b"t:1: UTF-8 value too large near ''\xf4\x90\x80\x80\xfd\xbf\xbf\xbf\xbf\xbf\\u{FFFFFFFF'",
    ),
    (b"=t", b"x = '\\u{FFFFFFFFF}'", b"t:1: UTF-8 value too large near ''\\u{FFFFFFFF'"),
    (b"=t", b"x = '\\9999'", b"t:1: decimal escape too large near ''\\9999'"),
    (b"=t", b"x = '\\xg'", b"t:1: hexadecimal digit expected near ''\\xg'"),
    (b"=t", b"\"\\u{", b"t:1: hexadecimal digit expected near '\"\\u{'"),
    (b"=t", b"x = '\\x1", b"t:1: hexadecimal digit expected near ''\\x1'"),
    (b"=t", b"x = '\\u{1", b"t:1: missing '}' near ''\\u{1'"),
    (b"=t", b"x = '\\u", b"t:1: missing '{' near ''\\u'"),
    (b"=t", b"x = 1.5e", b"t:1: malformed number near '1.5e'"),
    (b"=t", b"return 0x.p1", b"t:1: malformed number near '0x.p1'"),
    (b"=t", b"return 0xp1", b"t:1: malformed number near '0xp1'"),
    (b"=t", b"return 1 .. 2", b""),
    (b"=t", b"return 1..2", b"t:1: malformed number near '1..2'"),
    (b"=t", b"return 1 ..2", b""),
    (b"=t", b"return a.b.c..d", b""),
    (b"=t", b"x = 'abc\r'", b"t:1: unfinished string near ''abc'"),
    (b"=t", b"x = '\\\r\n'", b""),
    (b"=t", b"x = 1 +* 2", b"t:1: unexpected symbol near '*'"),
    (b"=t", b"x =", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = 1 +", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"local", b"t:1: <name> expected near <eof>"),
    (b"=t", b"local 1", b"t:1: <name> expected near '1'"),
    (b"=t", b"local function", b"t:1: <name> expected near <eof>"),
    (b"=t", b"local function 1", b"t:1: <name> expected near '1'"),
    (b"=t", b"function", b"t:1: <name> expected near <eof>"),
    (b"=t", b"function f", b"t:1: '(' expected near <eof>"),
    (b"=t", b"function f(", b"t:1: <name> or '...' expected near <eof>"),
    (b"=t", b"function f(a,", b"t:1: <name> or '...' expected near <eof>"),
    (b"=t", b"function f(a, 1)", b"t:1: <name> or '...' expected near '1'"),
    (b"=t", b"function f(...,a) end", b"t:1: ')' expected near ','"),
    (b"=t", b"function f() return 1 2 end", b"t:1: 'end' expected near '2'"),
    (b"=t", b"if", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"if x", b"t:1: 'then' expected near <eof>"),
    (b"=t", b"if x then", b"t:1: 'end' expected near <eof>"),
    (b"=t", b"if x then else", b"t:1: 'end' expected near <eof>"),
    (b"=t", b"if x then elseif", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"while", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"while x", b"t:1: 'do' expected near <eof>"),
    (b"=t", b"while x do", b"t:1: 'end' expected near <eof>"),
    (b"=t", b"repeat", b"t:1: 'until' expected near <eof>"),
    (b"=t", b"repeat until", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"for", b"t:1: <name> expected near <eof>"),
    (b"=t", b"for i", b"t:1: '=' or 'in' expected near <eof>"),
    (b"=t", b"for i =", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"for i = 1", b"t:1: ',' expected near <eof>"),
    (b"=t", b"for i = 1,", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"for i = 1, 2", b"t:1: 'do' expected near <eof>"),
    (b"=t", b"for i = 1, 2 do", b"t:1: 'end' expected near <eof>"),
    (b"=t", b"for a, b", b"t:1: 'in' expected near <eof>"),
    (b"=t", b"for a, b in", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"for a, b in x", b"t:1: 'do' expected near <eof>"),
    (b"=t", b"for a.b = 1, 2 do end", b"t:1: '=' or 'in' expected near '.'"),
    (b"=t", b"do", b"t:1: 'end' expected near <eof>"),
    (b"=t", b"do end end", b"t:1: <eof> expected near 'end'"),
    (b"=t", b"end", b"t:1: <eof> expected near 'end'"),
    (b"=t", b"return return", b"t:1: unexpected symbol near 'return'"),
    (b"=t", b"return 1,", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x", b"t:1: syntax error near <eof>"),
    (b"=t", b"x.y", b"t:1: syntax error near <eof>"),
    (b"=t", b"x[1]", b"t:1: syntax error near <eof>"),
    (b"=t", b"x:y", b"t:1: function arguments expected near <eof>"),
    (b"=t", b"x:y 1", b"t:1: function arguments expected near '1'"),
    (b"=t", b"x = {", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = {1,", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = {1 2}", b"t:1: '}' expected near '2'"),
    (b"=t", b"x = {[1] 2}", b"t:1: '=' expected near '2'"),
    (b"=t", b"x = {a = }", b"t:1: unexpected symbol near '}'"),
    (b"=t", b"x = (1", b"t:1: ')' expected near <eof>"),
    (b"=t", b"x = f(1", b"t:1: ')' expected near <eof>"),
    (b"=t", b"f(", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"(f)", b"t:1: syntax error near <eof>"),
    (b"=t", b"a, b", b"t:1: '=' expected near <eof>"),
    (b"=t", b"a, b =", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"a, b.c = ", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"a, 1 = 2", b"t:1: unexpected symbol near '1'"),
    (b"=t", b"1 = 2", b"t:1: unexpected symbol near '1'"),
    (b"=t", b"a + b = 1", b"t:1: syntax error near '+'"),
    (b"=t", b"f() = 1", b"t:1: syntax error near '='"),
    (b"=t", b"x = ...", b""),
    (b"=t", b"function f() x = ... end", b"t:1: cannot use '...' outside a vararg function near '...'"),
    (b"=t", b"local function f() return ... end", b"t:1: cannot use '...' outside a vararg function near '...'"),
    (b"=t", b"goto", b"t:1: <name> expected near <eof>"),
    (b"=t", b"goto 1", b"t:1: <name> expected near '1'"),
    (b"=t", b"::a", b"t:1: '::' expected near <eof>"),
    (b"=t", b"::a:", b"t:1: '::' expected near ':'"),
    (b"=t", b"::a:: ::a::", b"t:1: label 'a' already defined on line 1"),
    (b"=t", b"::a:: do ::a:: end", b"t:1: label 'a' already defined on line 1"),
    (b"=t", b"goto a", b"t:1: no visible label 'a' for <goto> at line 1"),
    (b"=t", b"do goto a end", b"t:1: no visible label 'a' for <goto> at line 1"),
    (b"=t", b"break", b"t:1: break outside loop at line 1"),
    (b"=t", b"if x then break end", b"t:1: break outside loop at line 1"),
    (
        b"=t",
        b"do local x; goto l1; local y; ::l1:: print(y) end",
        b"t:1: <goto l1> at line 1 jumps into the scope of local 'y'",
    ),
    (b"=t", b"goto l1; local x; ::l1:: ; ;", b""),
    (b"=t", b"repeat goto l1; local x; ::l1:: until x", b"t:1: <goto l1> at line 1 jumps into the scope of local 'x'"),
    (b"=t", b"local x <foo>", b"t:1: unknown attribute 'foo'"),
    (b"=t", b"local x <const> = 1; x = 2", b"t:1: attempt to assign to const variable 'x'"),
    (b"=t", b"local x <close>, y <close>", b"t:1: multiple to-be-closed variables in local list"),
    (b"=t", b"local x <const>; function f() x = 1 end", b"t:1: attempt to assign to const variable 'x'"),
    (b"=t", b"local x <const> = {}; x.y = 1; x = 2", b"t:1: attempt to assign to const variable 'x'"),
    (b"=t", b"local a <const> = 1; local function f() a = 2 end", b"t:1: attempt to assign to const variable 'a'"),
    (b"=t", b"local a <close> = 1; a = 2", b"t:1: attempt to assign to const variable 'a'"),
    (b"=t", b"local a <", b"t:1: <name> expected near <eof>"),
    (b"=t", b"local a <const", b"t:1: '>' expected near <eof>"),
    (b"=t", b"local a <const> <const>", b"t:1: unexpected symbol near '<'"),
    (b"=t", b"x = function() end end", b"t:1: <eof> expected near 'end'"),
    (b"=t", b"x = #", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = not", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = - ", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = 1 == == 2", b"t:1: unexpected symbol near '=='"),
    (b"=t", b"x = 1 < < 2", b"t:1: unexpected symbol near '<'"),
    (b"=t", b"x = a.1", b"t:1: unexpected symbol near '.1'"),
    (b"=t", b"x = a:1()", b"t:1: <name> expected near '1'"),
    (b"=t", b"x = a:b", b"t:1: function arguments expected near <eof>"),
    (b"=t", b"x = a:b.c", b"t:1: function arguments expected near '.'"),
    (b"=t", b"x = {...}", b""),
    (b"=t", b"f{", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"f'", b"t:1: unfinished string near <eof>"),
    (b"=t", b"f[[", b"t:1: unfinished long string (starting at line 1) near <eof>"),
    (b"=t", b"x = a..", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"local t = {} t.x.y.z", b"t:1: syntax error near <eof>"),
    (b"=t", b"return (", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"return (1))", b"t:1: <eof> expected near ')'"),
    (b"=t", b"x = 1; ; ; y = 2 z", b"t:1: syntax error near <eof>"),
    (b"=t", b"x = y z = w", b""),
    (b"=t", b"for i = 1, 2, 3, 4 do end", b"t:1: 'do' expected near ','"),
    (b"=t", b"for k, v in pairs(t) do", b"t:1: 'end' expected near <eof>"),
    (b"=t", b"if a then elseif b then else end end", b"t:1: <eof> expected near 'end'"),
    (b"=t", b"function a.b:c.d() end", b"t:1: '(' expected near '.'"),
    (b"=t", b"function a:b:c() end", b"t:1: '(' expected near ':'"),
    (b"=t", b"local function a.b() end", b"t:1: '(' expected near '.'"),
    (b"=t", b"return\n\n(\n", b"t:4: unexpected symbol near <eof>"),
    (b"=t", b"f(\n\n", b"t:3: unexpected symbol near <eof>"),
    (b"=t", b"x = {\n\n1,\n", b"t:4: unexpected symbol near <eof>"),
    (b"=t", b"while x do\n\n\n", b"t:4: 'end' expected (to close 'while' at line 1) near <eof>"),
    (b"=t", b"repeat\n\n\n", b"t:4: 'until' expected (to close 'repeat' at line 1) near <eof>"),
    (b"=t", b"for i=1,2 do\n\nend\nend", b"t:4: <eof> expected near 'end'"),
    (b"=t", b"if x then\n\n else\n", b"t:4: 'end' expected (to close 'if' at line 1) near <eof>"),
    (b"=t", b"local function f()\n\n", b"t:3: 'end' expected (to close 'function' at line 1) near <eof>"),
    (b"=t", b"x = function()\n\n", b"t:3: 'end' expected (to close 'function' at line 1) near <eof>"),
    (b"=t", b"do\n\n", b"t:3: 'end' expected (to close 'do' at line 1) near <eof>"),
    (b"=t", b"goto continue", b"t:1: no visible label 'continue' for <goto> at line 1"),
    (b"=t", b"do goto continue end ::continue::", b""),
    (b"=t", b"while x do goto continue end ::continue::", b""),
    (b"=t", b"local x = 1 local x <const> = 2 x = 3", b"t:1: attempt to assign to const variable 'x'"),
    (
        b"=t",
        b"local function f() local g <const> = 1; return function() g = 2 end end",
        b"t:1: attempt to assign to const variable 'g'",
    ),
    (b"=t", b"x = 1 .. 2 ..", b"t:1: unexpected symbol near <eof>"),
    (b"=t", b"x = '", b"t:1: unfinished string near <eof>"),
    (b"=t", b"::a:: ::b:: goto c", b"t:1: no visible label 'c' for <goto> at line 1"),
    (b"=t", b"a.b.c.d = 1 2", b"t:1: unexpected symbol near '2'"),
    (b"=", b"x = = 1", b":1: unexpected symbol near '='"),
    (b"@", b"x = = 1", b":1: unexpected symbol near '='"),
    (b"", b"x = = 1", b"[string \"\"]:1: unexpected symbol near '='"),
    (b"=x", b"x = = 1", b"x:1: unexpected symbol near '='"),
    (b"@x.lua", b"x = = 1", b"x.lua:1: unexpected symbol near '='"),
    (
        b"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
        b"x = = 1",
        b"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn:1: unexpected symbol near '='",
    ),
    (
        b"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
        b"x = = 1",
        b"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn:1: unexpected symbol near '='",
    ),
    (
        b"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
        b"x = = 1",
        b"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn:1: unexpected symbol near '='",
    ),
    (
        b"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
        b"x = = 1",
        b"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn:1: unexpected symbol near '='",
    ),
    (
        b"@ffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        b"x = = 1",
        b"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffff:1: unexpected symbol near '='",
    ),
    (
        b"@fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        b"x = = 1",
        b"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff:1: unexpected symbol near '='",
    ),
    (
        b"@ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        b"x = = 1",
        b"...ffffffffffffffffffffffffffffffffffffffffffffffffffffffff:1: unexpected symbol near '='",
    ),
    (
        b"@ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        b"x = = 1",
        b"...ffffffffffffffffffffffffffffffffffffffffffffffffffffffff:1: unexpected symbol near '='",
    ),
    (
        b"sssssssssssssssssssssssssssssssssssssssssss",
        b"x = = 1",
        b"[string \"sssssssssssssssssssssssssssssssssssssssssss\"]:1: unexpected symbol near '='",
    ),
    (
        b"ssssssssssssssssssssssssssssssssssssssssssss",
        b"x = = 1",
        b"[string \"ssssssssssssssssssssssssssssssssssssssssssss\"]:1: unexpected symbol near '='",
    ),
    (
        b"sssssssssssssssssssssssssssssssssssssssssssss",
        b"x = = 1",
        b"[string \"sssssssssssssssssssssssssssssssssssssssssssss...\"]:1: unexpected symbol near '='",
    ),
    (
        b"ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss",
        b"x = = 1",
        b"[string \"sssssssssssssssssssssssssssssssssssssssssssss...\"]:1: unexpected symbol near '='",
    ),
    (b"abc\ndef", b"x = = 1", b"[string \"abc...\"]:1: unexpected symbol near '='"),
    (b"\nabc", b"x = = 1", b"[string \"...\"]:1: unexpected symbol near '='"),
    (b"a\x00b", b"x = = 1", b"[string \"a\"]:1: unexpected symbol near '='"),
    (b"=a\x00b", b"x = = 1", b"a:1: unexpected symbol near '='"),
    (b"@a\x00b", b"x = = 1", b"a:1: unexpected symbol near '='"),
    (
        b"ssssssssssssssssssssssssssssss\x00tttttttttttttttttttttttttttttt",
        b"x = = 1",
        b"[string \"ssssssssssssssssssssssssssssss\"]:1: unexpected symbol near '='",
    ),
    (b"x = \n", b"x = = 1", b"[string \"x = ...\"]:1: unexpected symbol near '='"),
    (b"\x1bLua", b"x = = 1", b"[string \"\x1bLua\"]:1: unexpected symbol near '='"),
    (b"x = = 1", b"x = = 1", b"[string \"x = = 1\"]:1: unexpected symbol near '='"),
    (b"x = = 1\nsecond line", b"x = = 1\nsecond line", b"[string \"x = = 1...\"]:1: unexpected symbol near '='"),
];

#[test]
fn error_messages_match_reference() {
    let mut failures = Vec::new();
    for (name, src, expected) in ERROR_CASES {
        let (name, src) = (name.to_vec(), src.to_vec());
        let got = on_small_stack(move || compile(&src, &name).err());
        let msg = got.as_ref().map(|e| e.message.clone()).unwrap_or_default();
        if msg != *expected {
            failures.push(format!(
                "expected {:?}\n     got {:?}",
                String::from_utf8_lossy(expected),
                String::from_utf8_lossy(&msg)
            ));
        }
        if let Some(e) = got {
            assert_eq!(e.incomplete, e.message.ends_with(b"near <eof>"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn incomplete_flag_and_display() {
    let e = compile(b"x = ", b"=stdin").unwrap_err();
    assert!(e.incomplete);
    assert_eq!(e.to_string(), "stdin:1: unexpected symbol near <eof>");
    let e = compile(b"if x then", b"=stdin").unwrap_err();
    assert!(e.incomplete);
    let e = compile(b"x = 'abc", b"=stdin").unwrap_err();
    assert!(e.incomplete);
    let e = compile(b"--[[ abc", b"=stdin").unwrap_err();
    assert!(e.incomplete);
    let e = compile(b"x = = 1", b"=stdin").unwrap_err();
    assert!(!e.incomplete);
    let e = compile(b"goto l", b"=stdin").unwrap_err();
    assert!(!e.incomplete);
    assert_eq!(e.to_string(), "stdin:1: no visible label 'l' for <goto> at line 1");
}

#[test]
fn chunk_ids() {
    assert_eq!(chunk_id(b"=stdin"), b"stdin");
    assert_eq!(chunk_id(b"="), b"");
    assert_eq!(chunk_id(b"@f.lua"), b"f.lua");
    assert_eq!(chunk_id(b"x = 1"), b"[string \"x = 1\"]");
    assert_eq!(chunk_id(b"x = 1\ny = 2"), b"[string \"x = 1...\"]");
    assert_eq!(chunk_id(b"\nx"), b"[string \"...\"]");
    assert_eq!(chunk_id(b"a\0b"), b"[string \"a\"]");
    let long_eq = [b"=".to_vec(), vec![b'n'; 70]].concat();
    assert_eq!(chunk_id(&long_eq), vec![b'n'; 59]);
    let exact_eq = [b"=".to_vec(), vec![b'n'; 59]].concat();
    assert_eq!(chunk_id(&exact_eq), vec![b'n'; 59]);
    let long_at = [b"@".to_vec(), vec![b'a'; 10], vec![b'f'; 90]].concat();
    assert_eq!(chunk_id(&long_at), [b"...".to_vec(), vec![b'f'; 56]].concat());
    let s44 = vec![b's'; 44];
    assert_eq!(chunk_id(&s44), [b"[string \"".to_vec(), s44.clone(), b"\"]".to_vec()].concat());
    let s45 = vec![b's'; 45];
    assert_eq!(chunk_id(&s45), [b"[string \"".to_vec(), s45.clone(), b"...\"]".to_vec()].concat());
    let s100 = vec![b's'; 100];
    assert_eq!(chunk_id(&s100), [b"[string \"".to_vec(), s45, b"...\"]".to_vec()].concat());
}

#[test]
fn source_is_shared_and_truncated_at_nul() {
    let p = compile(b"local function f() return function() end end", b"@a.lua\0junk").unwrap();
    assert_eq!(&*p.source, b"@a.lua");
    let f = &p.protos[0];
    assert!(std::rc::Rc::ptr_eq(&p.source, &f.source));
    assert!(std::rc::Rc::ptr_eq(&p.source, &f.protos[0].source));
}

#[test]
fn debug_info() {
    let p = compile(b"local a = 1\nlocal function f(x, ...)\n  return x + a\nend\nreturn f", b"=t").unwrap();
    assert_eq!(p.line_defined, 0);
    assert_eq!(p.last_line_defined, 0);
    assert!(p.is_vararg);
    assert_eq!(p.code.len(), p.line_info.len());
    let f = &p.protos[0];
    assert_eq!((f.line_defined, f.last_line_defined), (2, 4));
    assert_eq!(f.num_params, 1);
    assert!(f.is_vararg);
    assert_eq!(f.upvalues.len(), 1);
    assert_eq!(f.upvalues[0].name.as_deref(), Some(&b"a"[..]));
    assert!(f.upvalues[0].in_stack);
    assert_eq!(p.loc_vars.len(), 2);
    assert_eq!(&*p.loc_vars[1].name, b"f");
    assert_eq!(p.upvalues[0].name.as_deref(), Some(&b"_ENV"[..]));
}

/// The official suite's `testrep` (errors.lua): 100 levels of each
/// construct compile; 500 levels give a "too many" error.
#[test]
fn nesting_as_in_errors_lua() {
    let reps: &[(&str, &str, &str, &str)] = &[
        ("local a; a", ",a", "= 1", ",1"),
        ("local a; a=", "{", "0", "}"),
        ("return ", "(", "2", ")"),
        ("local function a (x) return x end; return ", "a(", "2.2", ")"),
        ("", "do ", "", " end"),
        ("", "while a do ", "", " end"),
        ("local a; ", "if a then else ", "", " end"),
        ("", "function foo () ", "", " end"),
        ("local a = ''; return ", "a..", "'a'", ""),
        ("local a = 1; return ", "a^", "a", ""),
    ];
    for &(init, rep, close, repc) in reps {
        let s = format!("{init}{}{close}{}", rep.repeat(100), repc.repeat(100));
        assert!(compile_small_stack(s.into_bytes()).is_ok(), "100 levels of {rep:?}");
        let s = format!("{init}{}", rep.repeat(500));
        let e = compile_small_stack(s.into_bytes()).unwrap_err();
        let msg = String::from_utf8_lossy(&e.message).into_owned();
        assert!(msg.contains("too many") || msg == "C stack overflow", "{msg}");
        assert!(!e.incomplete);
    }
    let e = compile_small_stack(b"x = ".iter().chain(b"(".repeat(300).iter()).copied().collect()).unwrap_err();
    assert_eq!(e.to_string(), "C stack overflow");
    // the counter can start above 0 (for callers already deep in calls)
    let src = format!("x = {}1{}", "(".repeat(150), ")".repeat(150));
    assert!(super::compile_at_level(src.as_bytes(), b"=t", 40).is_ok());
    let e = super::compile_at_level(src.as_bytes(), b"=t", 60).unwrap_err();
    assert_eq!(e.to_string(), "C stack overflow");
    let e = super::compile_at_level(b"x = 1", b"=t", 200).unwrap_err();
    assert_eq!(e.to_string(), "C stack overflow");
}

/// 100,000 levels of each recursive construct give an error, and never a
/// stack overflow, on a 2 MiB stack.
#[test]
fn deep_nesting_never_overflows() {
    const N: usize = 100_000;
    let deep: Vec<(String, bool)> = vec![
        (format!("x = {}1{}", "(".repeat(N), ")".repeat(N)), false),
        (format!("x = {}{}", "{".repeat(N), "}".repeat(N)), false),
        (format!("{}{}", "do ".repeat(N), "end ".repeat(N)), false),
        (format!("{}{}", "while x do ".repeat(N), "end ".repeat(N)), false),
        (format!("{}{}", "if x then ".repeat(N), "end ".repeat(N)), false),
        (format!("{}{}", "repeat ".repeat(N), "until x ".repeat(N)), false),
        (format!("{}{}", "for i = 1, 2 do ".repeat(N), "end ".repeat(N)), false),
        (format!("x = {}x", "- ".repeat(N)), false),
        (format!("x = {}x", "not ".repeat(N)), false),
        (format!("x = {}x", "~ ".repeat(N)), false),
        (format!("x = {}x", "#".repeat(N)), false),
        (format!("x = {}a", "a..".repeat(N)), false),
        (format!("x = {}a", "a^".repeat(N)), false),
        (format!("x = {}1{}", "f(".repeat(N), ")".repeat(N)), false),
        (format!("x = {}1{}", "f{".repeat(N), "}".repeat(N)), false),
        (format!("x = {}1{}", "t[".repeat(N), "]".repeat(N)), false),
        (format!("x = {}", "function() return ".repeat(N)), false),
        (format!("{}x = 1", "local function f() ".repeat(N)), false),
        (format!("a{} = 1", ", a".repeat(N)), false),
        (format!("x = a{}", ".b".repeat(N)), true),
        (format!("x = a{}", ":b()".repeat(N)), true),
        (format!("x = a{}", "[1]".repeat(N)), true),
        (format!("x = {}", "1 + ".repeat(N) + "1"), true),
        // (jump lists make long 'or' chains quadratic, as in PUC)
        (format!("x = {}", "a or ".repeat(N / 10) + "b"), true),
        (format!("x = {}", "a < ".repeat(N) + "b"), true),
        (format!("x = {{{}}}", "1, ".repeat(N)), true),
        (format!("local x; {}", "x = x + 1; ".repeat(N)), true),
    ];
    for (src, compiles) in deep {
        let head: String = src.chars().take(30).collect();
        match compile_small_stack(src.into_bytes()) {
            Ok(_) => assert!(compiles, "{head}... compiled"),
            Err(e) => {
                let msg = String::from_utf8_lossy(&e.message).into_owned();
                assert!(!compiles, "{head}...: {msg}");
                assert!(msg.contains("too many") || msg == "C stack overflow", "{head}...: {msg}");
            }
        }
    }
}

#[test]
fn huge_literals() {
    let n = 50 << 20;
    let mut src = b"return '".to_vec();
    src.extend(std::iter::repeat_n(b'x', n));
    src.extend_from_slice(b"', [[");
    src.extend(std::iter::repeat_n(b'y', 1000));
    src.extend_from_slice(b"]]");
    let len = on_small_stack(move || {
        let p = compile(&src, b"=t").unwrap();
        match &p.constants[0] {
            super::Constant::Str(s) => s.len(),
            k => panic!("unexpected constant {k:?}"),
        }
    });
    assert_eq!(len, n);
    let digits = "9".repeat(10_000);
    let p = compile(format!("return {digits}, 0x{digits}, 0.{digits}").as_bytes(), b"=t").unwrap();
    assert_eq!(p.constants[0], super::Constant::Float(f64::INFINITY));
    assert!(matches!(p.constants[1], super::Constant::Int(_))); // wraps around
    assert_eq!(p.constants.len(), 2); // 0.999... is 1.0, loaded with LOADF
    assert!(super::listing(&p).contains("LOADF    \t2 1\n"));
}

#[test]
fn limits() {
    let regs = format!("a = f(x{})", ",x".repeat(260));
    assert_eq!(err_of(regs.as_bytes(), b"=t"), "t:1: function or expression needs too many registers near 'x'");
    let locals = format!("local a{}", ",a".repeat(200));
    assert_eq!(
        err_of(locals.as_bytes(), b"=t"),
        "t:1: too many local variables (limit is 200) in main function near <eof>"
    );
    let locals = format!("\nfunction f()\n local a{} end", ",a".repeat(200));
    assert_eq!(
        err_of(locals.as_bytes(), b"=t"),
        "t:3: too many local variables (limit is 200) in function at line 2 near 'end'"
    );
    // 150 + 105 upvalues, plus _ENV: one too many
    let us: Vec<String> = (0..150).map(|i| format!("u{i}")).collect();
    let ws: Vec<String> = (0..105).map(|i| format!("w{i}")).collect();
    let src = format!(
        "local {}\nfunction outer()\n local {}\n function f() return {} + {} end end",
        us.join(","),
        ws.join(","),
        us.join("+"),
        ws.join("+")
    );
    assert!(compile(src.as_bytes(), b"=t").is_ok());
    let src = src.replace(" end end", " + y end end");
    assert_eq!(err_of(src.as_bytes(), b"=t"), "t:4: too many upvalues (limit is 255) in function at line 4 near 'end'");
    // debug information of locals (PUC's memory-manager limit)
    let src = "do local x end ".repeat(32768);
    assert_eq!(err_of(src.as_bytes(), b"=t"), "too many local variables (limit is 32767)");
    // many constants: LOADKX beyond 2^17
    let mut src = String::from("local t = {");
    for i in 0..140_000 {
        src.push_str(&format!("{i}.5,"));
    }
    src.push_str("} local a = 139999.5");
    let p = compile(src.as_bytes(), b"=t").unwrap();
    assert_eq!(p.constants.len(), 140_000);
    let listing = super::listing(&p);
    assert!(listing.contains("LOADKX   \t1\t; 139999.5"), "LOADKX");
    // long table constructors: SETLIST and NEWTABLE with extra arguments
    let src = format!("local t = {{{}}}", "1,".repeat(70_000));
    let listing = super::listing(&compile(src.as_bytes(), b"=t").unwrap());
    assert!(listing.contains("NEWTABLE \t0 0 112\t; 70000"), "NEWTABLE");
    assert!(listing.contains("SETLIST  \t0 50 62\t; 69950"), "SETLIST");
}

#[test]
fn labels_and_gotos() {
    let ok = [
        "do goto l; local x; ::l:: end",
        "goto l; do ::l:: end ::l::",
        "while x do goto continue; local y = 1; ::continue:: end",
        "repeat local x; goto l; ::l:: until x",
        "::l1:: ::l2:: goto l1",
        "for i = 1, 2 do if i then break end end",
    ];
    for s in ok {
        assert!(compile(s.as_bytes(), b"=t").is_ok(), "{s}");
    }
    let bad = [
        ("goto l; local x; ::l:: print(x)", "t:1: <goto l> at line 1 jumps into the scope of local 'x'"),
        ("::l:: do ::l:: end", "t:1: label 'l' already defined on line 1"),
        ("break", "t:1: break outside loop at line 1"),
        ("do goto l end", "t:1: no visible label 'l' for <goto> at line 1"),
        ("repeat goto l; local x; ::l:: until x", "t:1: <goto l> at line 1 jumps into the scope of local 'x'"),
    ];
    for (s, m) in bad {
        assert_eq!(err_of(s.as_bytes(), b"=t"), m);
    }
}
