//! Listing tests: the listings of a set of snippets, compared with the
//! ones of the reference compiler (`luac -l -l -p` of PUC-Rio Lua 5.4.8 on
//! a file named `t`), addresses normalised to `ADDR`.

use super::{compile, listing};

/// Replaces the addresses (`0x...`) of a listing by `ADDR`.
pub(super) fn normalize(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0' && b.get(i + 1) == Some(&b'x') && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit()) {
            out.push_str("ADDR");
            i += 2;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                i += 1;
            }
        } else {
            let c = s[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// (source, expected listing)
const CASES: &[(&str, &str)] = &[
    (
        r##"local a, b = 1, 2.5; local c = a + 1; c = a - 1; c = 1 + a; c = a * 2; c = 2 ^ a; c = a // 0; c = a % 3.0; c = a / b; c = -a; c = ~a; c = #b; c = not a
"##,
        r##"
main <t:0,0> (25 instructions at ADDR)
0+ params, 4 slots, 1 upvalue, 3 locals, 4 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	LOADI    	0 1
	3	[1]	LOADK    	1 0	; 2.5
	4	[1]	ADDI     	2 0 1
	5	[1]	MMBINI   	0 1 6 0	; __add
	6	[1]	ADDI     	2 0 -1
	7	[1]	MMBINI   	0 1 7 0	; __sub
	8	[1]	ADDI     	2 0 1
	9	[1]	MMBINI   	0 1 6 1	; __add flip
	10	[1]	MULK     	2 0 1	; 2
	11	[1]	MMBINK   	0 1 8 0	; __mul 2
	12	[1]	LOADI    	3 2
	13	[1]	POW      	2 3 0
	14	[1]	MMBIN    	3 0 10	; __pow
	15	[1]	IDIVK    	2 0 2	; 0
	16	[1]	MMBINK   	0 2 12 0	; __idiv 0
	17	[1]	MODK     	2 0 3	; 3.0
	18	[1]	MMBINK   	0 3 9 0	; __mod 3.0
	19	[1]	DIV      	2 0 1
	20	[1]	MMBIN    	0 1 11	; __div
	21	[1]	UNM      	2 0
	22	[1]	BNOT     	2 0
	23	[1]	LEN      	2 1
	24	[1]	NOT      	2 0
	25	[1]	RETURN   	3 1 1	; 0 out
constants (4) for ADDR:
	0	F	2.5
	1	I	2
	2	I	0
	3	F	3.0
locals (3) for ADDR:
	0	a	4	26
	1	b	4	26
	2	c	6	26
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local x = ...; local y = x >> 3; y = x << 2; y = 1 << x; y = x >> x; y = x & 0xff; y = 7 | x; y = x ~ 1.0; y = x & 1.5
"##,
        r##"
main <t:0,0> (21 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 2 locals, 3 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 2	; 1 out
	3	[1]	SHRI     	1 0 3
	4	[1]	MMBINI   	0 3 17 0	; __shr
	5	[1]	SHRI     	1 0 -2
	6	[1]	MMBINI   	0 2 16 0	; __shl
	7	[1]	SHLI     	1 0 1
	8	[1]	MMBINI   	0 1 16 1	; __shl flip
	9	[1]	SHR      	1 0 0
	10	[1]	MMBIN    	0 0 17	; __shr
	11	[1]	BANDK    	1 0 0	; 255
	12	[1]	MMBINK   	0 0 13 0	; __band 255
	13	[1]	BORK     	1 0 1	; 7
	14	[1]	MMBINK   	0 1 14 1	; __bor 7 flip
	15	[1]	LOADF    	2 1
	16	[1]	BXOR     	1 0 2
	17	[1]	MMBIN    	0 2 15	; __bxor
	18	[1]	LOADK    	2 2	; 1.5
	19	[1]	BAND     	1 0 2
	20	[1]	MMBIN    	0 2 13	; __band
	21	[1]	RETURN   	2 1 1	; 0 out
constants (3) for ADDR:
	0	I	255
	1	I	7
	2	F	1.5
locals (2) for ADDR:
	0	x	3	22
	1	y	5	22
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local x = ...; return x == 1, x ~= "s", x == nil, 3 < x, x <= 2.0, x > 200, 1.5 >= x, x == x, x ~= 300
"##,
        r##"
main <t:0,0> (42 instructions at ADDR)
0+ params, 10 slots, 1 upvalue, 1 local, 4 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 2	; 1 out
	3	[1]	EQI      	0 1 1
	4	[1]	JMP      	1	; to 6
	5	[1]	LFALSESKIP	1
	6	[1]	LOADTRUE 	1
	7	[1]	EQK      	0 0 0	; "s"
	8	[1]	JMP      	1	; to 10
	9	[1]	LFALSESKIP	2
	10	[1]	LOADTRUE 	2
	11	[1]	EQK      	0 1 1	; nil
	12	[1]	JMP      	1	; to 14
	13	[1]	LFALSESKIP	3
	14	[1]	LOADTRUE 	3
	15	[1]	GTI      	0 3 1
	16	[1]	JMP      	1	; to 18
	17	[1]	LFALSESKIP	4
	18	[1]	LOADTRUE 	4
	19	[1]	LEI      	0 2 1
	20	[1]	JMP      	1	; to 22
	21	[1]	LFALSESKIP	5
	22	[1]	LOADTRUE 	5
	23	[1]	LOADI    	6 200
	24	[1]	LT       	6 0 1
	25	[1]	JMP      	1	; to 27
	26	[1]	LFALSESKIP	6
	27	[1]	LOADTRUE 	6
	28	[1]	LOADK    	7 2	; 1.5
	29	[1]	LE       	0 7 1
	30	[1]	JMP      	1	; to 32
	31	[1]	LFALSESKIP	7
	32	[1]	LOADTRUE 	7
	33	[1]	EQ       	0 0 1
	34	[1]	JMP      	1	; to 36
	35	[1]	LFALSESKIP	8
	36	[1]	LOADTRUE 	8
	37	[1]	EQK      	0 3 0	; 300
	38	[1]	JMP      	1	; to 40
	39	[1]	LFALSESKIP	9
	40	[1]	LOADTRUE 	9
	41	[1]	RETURN   	1 10 1	; 9 out
	42	[1]	RETURN   	1 1 1	; 0 out
constants (4) for ADDR:
	0	S	"s"
	1	N	nil
	2	F	1.5
	3	I	300
locals (1) for ADDR:
	0	x	3	43
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local k <const> = 10; local s <const> = "str"; local f <const> = 2^53; return k * 2, s .. s, f, k // 0, -k, k / 0, 0/0, -0.0, 3 % -2, 3.0 % -2
"##,
        r##"
main <t:0,0> (22 instructions at ADDR)
0+ params, 10 slots, 1 upvalue, 0 locals, 3 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	LOADI    	0 20
	3	[1]	LOADK    	1 0	; "str"
	4	[1]	LOADK    	2 0	; "str"
	5	[1]	CONCAT   	1 2
	6	[1]	LOADK    	2 1	; 9.007199254741e+15
	7	[1]	LOADI    	3 10
	8	[1]	IDIVK    	3 3 2	; 0
	9	[1]	MMBINK   	3 2 12 0	; __idiv 0
	10	[1]	LOADI    	4 -10
	11	[1]	LOADI    	5 10
	12	[1]	DIVK     	5 5 2	; 0
	13	[1]	MMBINK   	5 2 11 0	; __div 0
	14	[1]	LOADI    	6 0
	15	[1]	DIVK     	6 6 2	; 0
	16	[1]	MMBINK   	6 2 11 0	; __div 0
	17	[1]	LOADF    	7 0
	18	[1]	UNM      	7 7
	19	[1]	LOADI    	8 -1
	20	[1]	LOADF    	9 -1
	21	[1]	RETURN   	0 11 1	; 10 out
	22	[1]	RETURN   	0 1 1	; 0 out
constants (3) for ADDR:
	0	S	"str"
	1	F	9.007199254741e+15
	2	I	0
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local a, b, c = ...; local x = a and b or c; local y = not (a and b); if a or b and not c then x = 1 elseif c then x = 2 else x = 3 end; return x, y, a == b and c
"##,
        r##"
main <t:0,0> (36 instructions at ADDR)
0+ params, 8 slots, 1 upvalue, 5 locals, 0 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 4	; 3 out
	3	[1]	TEST     	0 0
	4	[1]	JMP      	2	; to 7
	5	[1]	TESTSET  	3 1 1
	6	[1]	JMP      	1	; to 8
	7	[1]	MOVE     	3 2
	8	[1]	TEST     	0 0
	9	[1]	JMP      	3	; to 13
	10	[1]	NOT      	4 1
	11	[1]	JMP      	2	; to 14
	12	[1]	LFALSESKIP	4
	13	[1]	LOADTRUE 	4
	14	[1]	TEST     	0 1
	15	[1]	JMP      	4	; to 20
	16	[1]	TEST     	1 0
	17	[1]	JMP      	4	; to 22
	18	[1]	TEST     	2 1
	19	[1]	JMP      	2	; to 22
	20	[1]	LOADI    	3 1
	21	[1]	JMP      	5	; to 27
	22	[1]	TEST     	2 0
	23	[1]	JMP      	2	; to 26
	24	[1]	LOADI    	3 2
	25	[1]	JMP      	1	; to 27
	26	[1]	LOADI    	3 3
	27	[1]	MOVE     	5 3
	28	[1]	MOVE     	6 4
	29	[1]	EQ       	0 1 0
	30	[1]	JMP      	2	; to 33
	31	[1]	MOVE     	7 2
	32	[1]	JMP      	2	; to 35
	33	[1]	LFALSESKIP	7
	34	[1]	LOADTRUE 	7
	35	[1]	RETURN   	5 4 1	; 3 out
	36	[1]	RETURN   	5 1 1	; 0 out
constants (0) for ADDR:
locals (5) for ADDR:
	0	a	3	37
	1	b	3	37
	2	c	3	37
	3	x	8	37
	4	y	14	37
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local a, b = ...; local s = a .. b .. "x" .. 1 .. 2.5; s = (a .. b) .. (a .. b); return s
"##,
        r##"
main <t:0,0> (17 instructions at ADDR)
0+ params, 7 slots, 1 upvalue, 3 locals, 2 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 3	; 2 out
	3	[1]	MOVE     	2 0
	4	[1]	MOVE     	3 1
	5	[1]	LOADK    	4 0	; "x"
	6	[1]	LOADI    	5 1
	7	[1]	LOADK    	6 1	; 2.5
	8	[1]	CONCAT   	2 5
	9	[1]	MOVE     	3 0
	10	[1]	MOVE     	4 1
	11	[1]	CONCAT   	3 2
	12	[1]	MOVE     	4 0
	13	[1]	MOVE     	5 1
	14	[1]	CONCAT   	3 3
	15	[1]	MOVE     	2 3
	16	[1]	RETURN   	2 2 1	; 1 out
	17	[1]	RETURN   	3 1 1	; 0 out
constants (2) for ADDR:
	0	S	"x"
	1	F	2.5
locals (3) for ADDR:
	0	a	3	18
	1	b	3	18
	2	s	9	18
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local t = {1, 2, 3, x = 1, ["y"] = 2, [3] = 4, f(), ...}; local u = {f()}; local v = {...}; local w = {x = 1, y = 2, z = 3, w = 4, 5}
"##,
        r##"
main <t:0,0> (31 instructions at ADDR)
0+ params, 6 slots, 1 upvalue, 4 locals, 9 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	NEWTABLE 	0 3 4	; 4
	3	[1]	EXTRAARG 	0
	4	[1]	LOADI    	1 1
	5	[1]	LOADI    	2 2
	6	[1]	LOADI    	3 3
	7	[1]	SETFIELD 	0 0 1k	; "x" 1
	8	[1]	SETFIELD 	0 2 3k	; "y" 2
	9	[1]	SETI     	0 3 4k	; 4
	10	[1]	GETTABUP 	4 0 5	; _ENV "f"
	11	[1]	CALL     	4 1 2	; 0 in 1 out
	12	[1]	VARARG   	5 0	; all out
	13	[1]	SETLIST  	0 0 0
	14	[1]	NEWTABLE 	1 0 0	; 0
	15	[1]	EXTRAARG 	0
	16	[1]	GETTABUP 	2 0 5	; _ENV "f"
	17	[1]	CALL     	2 1 0	; 0 in all out
	18	[1]	SETLIST  	1 0 0
	19	[1]	NEWTABLE 	2 0 0	; 0
	20	[1]	EXTRAARG 	0
	21	[1]	VARARG   	3 0	; all out
	22	[1]	SETLIST  	2 0 0
	23	[1]	NEWTABLE 	3 3 1	; 1
	24	[1]	EXTRAARG 	0
	25	[1]	SETFIELD 	3 0 1k	; "x" 1
	26	[1]	SETFIELD 	3 2 3k	; "y" 2
	27	[1]	SETFIELD 	3 6 7k	; "z" 3
	28	[1]	SETFIELD 	3 8 4k	; "w" 4
	29	[1]	LOADI    	4 5
	30	[1]	SETLIST  	3 1 0
	31	[1]	RETURN   	4 1 1	; 0 out
constants (9) for ADDR:
	0	S	"x"
	1	I	1
	2	S	"y"
	3	I	2
	4	I	4
	5	S	"f"
	6	S	"z"
	7	I	3
	8	S	"w"
locals (4) for ADDR:
	0	t	14	32
	1	u	19	32
	2	v	23	32
	3	w	31	32
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local t = {} t.x = 1; t[1] = 2; t[300] = 3; t["kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"] = 4; t[1.5] = 5; t[t] = t.y; g = t[2]; g = t[-1]
"##,
        r##"
main <t:0,0> (19 instructions at ADDR)
0+ params, 2 slots, 1 upvalue, 1 local, 10 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	NEWTABLE 	0 0 0	; 0
	3	[1]	EXTRAARG 	0
	4	[1]	SETFIELD 	0 0 1k	; "x" 1
	5	[1]	SETI     	0 1 2k	; 2
	6	[1]	LOADI    	1 300
	7	[1]	SETTABLE 	0 1 3k	; 3
	8	[1]	LOADK    	1 4	; "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	9	[1]	SETTABLE 	0 1 5k	; 4
	10	[1]	LOADK    	1 6	; 1.5
	11	[1]	SETTABLE 	0 1 7k	; 5
	12	[1]	GETFIELD 	1 0 8	; "y"
	13	[1]	SETTABLE 	0 0 1
	14	[1]	GETI     	1 0 2
	15	[1]	SETTABUP 	0 9 1	; _ENV "g"
	16	[1]	LOADI    	1 -1
	17	[1]	GETTABLE 	1 0 1
	18	[1]	SETTABUP 	0 9 1	; _ENV "g"
	19	[1]	RETURN   	1 1 1	; 0 out
constants (10) for ADDR:
	0	S	"x"
	1	I	1
	2	I	2
	3	I	3
	4	S	"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	5	I	4
	6	F	1.5
	7	I	5
	8	S	"y"
	9	S	"g"
locals (1) for ADDR:
	0	t	4	20
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local obj = ...; obj:method(1, 2); obj.field:m "str"; obj:n {1, 2}; obj:o(...); return obj:p()
"##,
        r##"
main <t:0,0> (24 instructions at ADDR)
0+ params, 6 slots, 1 upvalue, 1 local, 7 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 2	; 1 out
	3	[1]	SELF     	1 0 0k	; "method"
	4	[1]	LOADI    	3 1
	5	[1]	LOADI    	4 2
	6	[1]	CALL     	1 4 1	; 3 in 0 out
	7	[1]	GETFIELD 	1 0 1	; "field"
	8	[1]	SELF     	1 1 2k	; "m"
	9	[1]	LOADK    	3 3	; "str"
	10	[1]	CALL     	1 3 1	; 2 in 0 out
	11	[1]	SELF     	1 0 4k	; "n"
	12	[1]	NEWTABLE 	3 0 2	; 2
	13	[1]	EXTRAARG 	0
	14	[1]	LOADI    	4 1
	15	[1]	LOADI    	5 2
	16	[1]	SETLIST  	3 2 0
	17	[1]	CALL     	1 3 1	; 2 in 0 out
	18	[1]	SELF     	1 0 5k	; "o"
	19	[1]	VARARG   	3 0	; all out
	20	[1]	CALL     	1 0 1	; all in 0 out
	21	[1]	SELF     	1 0 6k	; "p"
	22	[1]	TAILCALL 	1 2 1	; 1 in
	23	[1]	RETURN   	1 0 1	; all out
	24	[1]	RETURN   	1 1 1	; 0 out
constants (7) for ADDR:
	0	S	"method"
	1	S	"field"
	2	S	"m"
	3	S	"str"
	4	S	"n"
	5	S	"o"
	6	S	"p"
locals (1) for ADDR:
	0	obj	3	25
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local function f(...) local a, b = ...; local t = {...}; local n = select('#', ...); return ... end; return f(1, 2, 3)
"##,
        r##"
main <t:0,0> (9 instructions at ADDR)
0+ params, 5 slots, 1 upvalue, 1 local, 0 constants, 1 function
	1	[1]	VARARGPREP	0
	2	[1]	CLOSURE  	0 0	; ADDR
	3	[1]	MOVE     	1 0
	4	[1]	LOADI    	2 1
	5	[1]	LOADI    	3 2
	6	[1]	LOADI    	4 3
	7	[1]	TAILCALL 	1 4 1	; 3 in
	8	[1]	RETURN   	1 0 1	; all out
	9	[1]	RETURN   	1 1 1	; 0 out
constants (0) for ADDR:
locals (1) for ADDR:
	0	f	3	10
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (13 instructions at ADDR)
0+ params, 6 slots, 1 upvalue, 4 locals, 2 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 3	; 2 out
	3	[1]	NEWTABLE 	2 0 0	; 0
	4	[1]	EXTRAARG 	0
	5	[1]	VARARG   	3 0	; all out
	6	[1]	SETLIST  	2 0 0
	7	[1]	GETTABUP 	3 0 0	; _ENV "select"
	8	[1]	LOADK    	4 1	; "#"
	9	[1]	VARARG   	5 0	; all out
	10	[1]	CALL     	3 0 2	; all in 1 out
	11	[1]	VARARG   	4 0	; all out
	12	[1]	RETURN   	4 0 1	; all out
	13	[1]	RETURN   	4 1 1	; 0 out
constants (2) for ADDR:
	0	S	"select"
	1	S	"#"
locals (4) for ADDR:
	0	a	3	14
	1	b	3	14
	2	t	7	14
	3	n	11	14
upvalues (1) for ADDR:
	0	_ENV	0	0
"##,
    ),
    (
        r##"local a, b, c = ...; a, b = b, a; a.x, a = 1, 2; a[b], b = b, a; local t = {}; t[a], t[b], a, b = 1, 2, 3, 4
"##,
        r##"
main <t:0,0> (25 instructions at ADDR)
0+ params, 9 slots, 1 upvalue, 4 locals, 1 constant, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 4	; 3 out
	3	[1]	MOVE     	3 1
	4	[1]	MOVE     	1 0
	5	[1]	MOVE     	0 3
	6	[1]	MOVE     	3 0
	7	[1]	LOADI    	4 1
	8	[1]	LOADI    	0 2
	9	[1]	SETFIELD 	3 0 4	; "x"
	10	[1]	MOVE     	3 1
	11	[1]	MOVE     	4 1
	12	[1]	MOVE     	1 0
	13	[1]	SETTABLE 	0 3 4
	14	[1]	NEWTABLE 	3 0 0	; 0
	15	[1]	EXTRAARG 	0
	16	[1]	MOVE     	4 0
	17	[1]	MOVE     	5 1
	18	[1]	LOADI    	6 1
	19	[1]	LOADI    	7 2
	20	[1]	LOADI    	8 3
	21	[1]	LOADI    	1 4
	22	[1]	MOVE     	0 8
	23	[1]	SETTABLE 	3 5 7
	24	[1]	SETTABLE 	3 4 6
	25	[1]	RETURN   	4 1 1	; 0 out
constants (1) for ADDR:
	0	S	"x"
locals (4) for ADDR:
	0	a	3	26
	1	b	3	26
	2	c	3	26
	3	t	16	26
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local x <close> = ...; local y <close> = nil; do local z <close> = x end; return 1
"##,
        r##"
main <t:0,0> (11 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 3 locals, 0 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 2	; 1 out
	3	[1]	TBC      	0
	4	[1]	LOADNIL  	1 0	; 1 out
	5	[1]	TBC      	1
	6	[1]	MOVE     	2 0
	7	[1]	TBC      	2
	8	[1]	CLOSE    	2
	9	[1]	LOADI    	2 1
	10	[1]	RETURN   	2 2 1	; 1 out
	11	[1]	RETURN   	2 1 1	; 0 out
constants (0) for ADDR:
locals (3) for ADDR:
	0	x	3	12
	1	y	5	12
	2	z	7	8
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"for i = 1, 10 do print(i) end; for i = 10, 1, -1 do local function f() return i end end; for i = 1.0, 2 do end
"##,
        r##"
main <t:0,0> (22 instructions at ADDR)
0+ params, 6 slots, 1 upvalue, 13 locals, 1 constant, 1 function
	1	[1]	VARARGPREP	0
	2	[1]	LOADI    	0 1
	3	[1]	LOADI    	1 10
	4	[1]	LOADI    	2 1
	5	[1]	FORPREP  	0 3	; to 9
	6	[1]	GETTABUP 	4 0 0	; _ENV "print"
	7	[1]	MOVE     	5 3
	8	[1]	CALL     	4 2 1	; 1 in 0 out
	9	[1]	FORLOOP  	0 4	; to 6
	10	[1]	LOADI    	0 10
	11	[1]	LOADI    	1 1
	12	[1]	LOADI    	2 -1
	13	[1]	FORPREP  	0 2	; to 16
	14	[1]	CLOSURE  	4 0	; ADDR
	15	[1]	CLOSE    	3
	16	[1]	FORLOOP  	0 3	; to 14
	17	[1]	LOADF    	0 1
	18	[1]	LOADI    	1 2
	19	[1]	LOADI    	2 1
	20	[1]	FORPREP  	0 0	; to 21
	21	[1]	FORLOOP  	0 1	; to 21
	22	[1]	RETURN   	0 1 1	; 0 out
constants (1) for ADDR:
	0	S	"print"
locals (13) for ADDR:
	0	(for state)	5	10
	1	(for state)	5	10
	2	(for state)	5	10
	3	i	6	9
	4	(for state)	13	17
	5	(for state)	13	17
	6	(for state)	13	17
	7	i	14	15
	8	f	15	15
	9	(for state)	20	22
	10	(for state)	20	22
	11	(for state)	20	22
	12	i	21	21
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (3 instructions at ADDR)
0 params, 2 slots, 1 upvalue, 0 locals, 0 constants, 0 functions
	1	[1]	GETUPVAL 	0 0	; i
	2	[1]	RETURN1  	0
	3	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	i	1	3
"##,
    ),
    (
        r##"for k, v in pairs(t) do print(k, v) end; for a, b, c, d in next, t do local function g() return a end end
"##,
        r##"
main <t:0,0> (22 instructions at ADDR)
0+ params, 9 slots, 1 upvalue, 15 locals, 4 constants, 1 function
	1	[1]	VARARGPREP	0
	2	[1]	GETTABUP 	0 0 0	; _ENV "pairs"
	3	[1]	GETTABUP 	1 0 1	; _ENV "t"
	4	[1]	CALL     	0 2 5	; 1 in 4 out
	5	[1]	TFORPREP 	0 4	; to 10
	6	[1]	GETTABUP 	6 0 2	; _ENV "print"
	7	[1]	MOVE     	7 4
	8	[1]	MOVE     	8 5
	9	[1]	CALL     	6 3 1	; 2 in 0 out
	10	[1]	TFORCALL 	0 2
	11	[1]	TFORLOOP 	0 6	; to 6
	12	[1]	CLOSE    	0
	13	[1]	GETTABUP 	0 0 3	; _ENV "next"
	14	[1]	GETTABUP 	1 0 1	; _ENV "t"
	15	[1]	LOADNIL  	2 1	; 2 out
	16	[1]	TFORPREP 	0 2	; to 19
	17	[1]	CLOSURE  	8 0	; ADDR
	18	[1]	CLOSE    	4
	19	[1]	TFORCALL 	0 4
	20	[1]	TFORLOOP 	0 4	; to 17
	21	[1]	CLOSE    	0
	22	[1]	RETURN   	0 1 1	; 0 out
constants (4) for ADDR:
	0	S	"pairs"
	1	S	"t"
	2	S	"print"
	3	S	"next"
locals (15) for ADDR:
	0	(for state)	5	12
	1	(for state)	5	12
	2	(for state)	5	12
	3	(for state)	5	12
	4	k	6	10
	5	v	6	10
	6	(for state)	16	21
	7	(for state)	16	21
	8	(for state)	16	21
	9	(for state)	16	21
	10	a	17	18
	11	b	17	18
	12	c	17	18
	13	d	17	18
	14	g	18	18
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (3 instructions at ADDR)
0 params, 2 slots, 1 upvalue, 0 locals, 0 constants, 0 functions
	1	[1]	GETUPVAL 	0 0	; a
	2	[1]	RETURN1  	0
	3	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	a	1	4
"##,
    ),
    (
        r##"local i = 0; while i < 10 do i = i + 1; local function f() return i end; if i == 5 then break end end; repeat local x = i; local f = function() return x end; i = i - 1 until x > 0
"##,
        r##"
main <t:0,0> (21 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 4 locals, 0 constants, 2 functions
	1	[1]	VARARGPREP	0
	2	[1]	LOADI    	0 0
	3	[1]	LTI      	0 10 0
	4	[1]	JMP      	6	; to 11
	5	[1]	ADDI     	0 0 1
	6	[1]	MMBINI   	0 1 6 0	; __add
	7	[1]	CLOSURE  	1 0	; ADDR
	8	[1]	EQI      	0 5 1
	9	[1]	JMP      	1	; to 11
	10	[1]	JMP      	-8	; to 3
	11	[1]	MOVE     	1 0
	12	[1]	CLOSURE  	2 1	; ADDR
	13	[1]	ADDI     	0 0 -1
	14	[1]	MMBINI   	0 1 7 0	; __sub
	15	[1]	GTI      	1 0 0
	16	[1]	JMP      	2	; to 19
	17	[1]	CLOSE    	1
	18	[1]	JMP      	2	; to 21
	19	[1]	CLOSE    	1
	20	[1]	JMP      	-10	; to 11
	21	[1]	RETURN   	1 1 1	; 0 out
constants (0) for ADDR:
locals (4) for ADDR:
	0	i	3	22
	1	f	8	10
	2	x	12	17
	3	f	13	17
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (3 instructions at ADDR)
0 params, 2 slots, 1 upvalue, 0 locals, 0 constants, 0 functions
	1	[1]	GETUPVAL 	0 0	; i
	2	[1]	RETURN1  	0
	3	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	i	1	0

function <t:1,1> (3 instructions at ADDR)
0 params, 2 slots, 1 upvalue, 0 locals, 0 constants, 0 functions
	1	[1]	GETUPVAL 	0 0	; x
	2	[1]	RETURN1  	0
	3	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	x	1	1
"##,
    ),
    (
        r##"do goto l1; local x; ::l1:: end; for i = 1, 3 do local y; local f = function() return y end; if i then goto continue end; print(y); ::continue:: end
"##,
        r##"
main <t:0,0> (18 instructions at ADDR)
0+ params, 8 slots, 1 upvalue, 7 locals, 1 constant, 1 function
	1	[1]	VARARGPREP	0
	2	[1]	JMP      	1	; to 4
	3	[1]	LOADNIL  	0 0	; 1 out
	4	[1]	LOADI    	0 1
	5	[1]	LOADI    	1 3
	6	[1]	LOADI    	2 1
	7	[1]	FORPREP  	0 9	; to 17
	8	[1]	LOADNIL  	4 0	; 1 out
	9	[1]	CLOSURE  	5 0	; ADDR
	10	[1]	TEST     	3 0
	11	[1]	JMP      	1	; to 13
	12	[1]	JMP      	3	; to 16
	13	[1]	GETTABUP 	6 0 0	; _ENV "print"
	14	[1]	MOVE     	7 4
	15	[1]	CALL     	6 2 1	; 1 in 0 out
	16	[1]	CLOSE    	4
	17	[1]	FORLOOP  	0 10	; to 8
	18	[1]	RETURN   	0 1 1	; 0 out
constants (1) for ADDR:
	0	S	"print"
locals (7) for ADDR:
	0	x	4	4
	1	(for state)	7	18
	2	(for state)	7	18
	3	(for state)	7	18
	4	i	8	17
	5	y	9	16
	6	f	10	16
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (3 instructions at ADDR)
0 params, 2 slots, 1 upvalue, 0 locals, 0 constants, 0 functions
	1	[1]	GETUPVAL 	0 0	; y
	2	[1]	RETURN1  	0
	3	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	y	1	4
"##,
    ),
    (
        r##"local function f() return end; local function g(a) return a end; local function h(a, b) return a, b end; local function tc(a) return a(1) end; local function v(...) return ... end
"##,
        r##"
main <t:0,0> (7 instructions at ADDR)
0+ params, 5 slots, 1 upvalue, 5 locals, 0 constants, 5 functions
	1	[1]	VARARGPREP	0
	2	[1]	CLOSURE  	0 0	; ADDR
	3	[1]	CLOSURE  	1 1	; ADDR
	4	[1]	CLOSURE  	2 2	; ADDR
	5	[1]	CLOSURE  	3 3	; ADDR
	6	[1]	CLOSURE  	4 4	; ADDR
	7	[1]	RETURN   	5 1 1	; 0 out
constants (0) for ADDR:
locals (5) for ADDR:
	0	f	3	8
	1	g	4	8
	2	h	5	8
	3	tc	6	8
	4	v	7	8
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (2 instructions at ADDR)
0 params, 2 slots, 0 upvalues, 0 locals, 0 constants, 0 functions
	1	[1]	RETURN0  	
	2	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (0) for ADDR:

function <t:1,1> (2 instructions at ADDR)
1 param, 2 slots, 0 upvalues, 1 local, 0 constants, 0 functions
	1	[1]	RETURN1  	0
	2	[1]	RETURN0  	
constants (0) for ADDR:
locals (1) for ADDR:
	0	a	1	3
upvalues (0) for ADDR:

function <t:1,1> (4 instructions at ADDR)
2 params, 4 slots, 0 upvalues, 2 locals, 0 constants, 0 functions
	1	[1]	MOVE     	2 0
	2	[1]	MOVE     	3 1
	3	[1]	RETURN   	2 3 0	; 2 out
	4	[1]	RETURN0  	
constants (0) for ADDR:
locals (2) for ADDR:
	0	a	1	5
	1	b	1	5
upvalues (0) for ADDR:

function <t:1,1> (5 instructions at ADDR)
1 param, 3 slots, 0 upvalues, 1 local, 0 constants, 0 functions
	1	[1]	MOVE     	1 0
	2	[1]	LOADI    	2 1
	3	[1]	TAILCALL 	1 2 0	; 1 in
	4	[1]	RETURN   	1 0 0	; all out
	5	[1]	RETURN0  	
constants (0) for ADDR:
locals (1) for ADDR:
	0	a	1	6
upvalues (0) for ADDR:

function <t:1,1> (4 instructions at ADDR)
0+ params, 2 slots, 0 upvalues, 0 locals, 0 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 0	; all out
	3	[1]	RETURN   	0 0 1	; all out
	4	[1]	RETURN   	0 1 1	; 0 out
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (0) for ADDR:
"##,
    ),
    (
        r##"local up = 1; local function f() up = up + 1; local function g() return up, f end; return g end; return f
"##,
        r##"
main <t:0,0> (5 instructions at ADDR)
0+ params, 2 slots, 1 upvalue, 2 locals, 0 constants, 1 function
	1	[1]	VARARGPREP	0
	2	[1]	LOADI    	0 1
	3	[1]	CLOSURE  	1 0	; ADDR
	4	[1]	RETURN   	1 2 1	; 1 out
	5	[1]	RETURN   	2 1 1	; 0 out
constants (0) for ADDR:
locals (2) for ADDR:
	0	up	3	6
	1	f	4	6
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (7 instructions at ADDR)
0 params, 2 slots, 2 upvalues, 1 local, 0 constants, 1 function
	1	[1]	GETUPVAL 	0 0	; up
	2	[1]	ADDI     	0 0 1
	3	[1]	MMBINI   	0 1 6 0	; __add
	4	[1]	SETUPVAL 	0 0	; up
	5	[1]	CLOSURE  	0 0	; ADDR
	6	[1]	RETURN1  	0
	7	[1]	RETURN0  	
constants (0) for ADDR:
locals (1) for ADDR:
	0	g	6	8
upvalues (2) for ADDR:
	0	up	1	0
	1	f	1	1

function <t:1,1> (4 instructions at ADDR)
0 params, 2 slots, 2 upvalues, 0 locals, 0 constants, 0 functions
	1	[1]	GETUPVAL 	0 0	; up
	2	[1]	GETUPVAL 	1 1	; f
	3	[1]	RETURN   	0 3 0	; 2 out
	4	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (2) for ADDR:
	0	up	0	0
	1	f	0	1
"##,
    ),
    (
        r##"g1 = 1; g2 = "x"; g3 = g1 + g2; _ENV.g4 = 2; local _ENV = {}; g5 = 3; return g5
"##,
        r##"
main <t:0,0> (15 instructions at ADDR)
0+ params, 2 slots, 1 upvalue, 1 local, 9 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	SETTABUP 	0 0 1k	; _ENV "g1" 1
	3	[1]	SETTABUP 	0 2 3k	; _ENV "g2" "x"
	4	[1]	GETTABUP 	0 0 0	; _ENV "g1"
	5	[1]	GETTABUP 	1 0 2	; _ENV "g2"
	6	[1]	ADD      	0 0 1
	7	[1]	MMBIN    	0 1 6	; __add
	8	[1]	SETTABUP 	0 4 0	; _ENV "g3"
	9	[1]	SETTABUP 	0 5 6k	; _ENV "g4" 2
	10	[1]	NEWTABLE 	0 0 0	; 0
	11	[1]	EXTRAARG 	0
	12	[1]	SETFIELD 	0 7 8k	; "g5" 3
	13	[1]	GETFIELD 	1 0 7	; "g5"
	14	[1]	RETURN   	1 2 1	; 1 out
	15	[1]	RETURN   	1 1 1	; 0 out
constants (9) for ADDR:
	0	S	"g1"
	1	I	1
	2	S	"g2"
	3	S	"x"
	4	S	"g3"
	5	S	"g4"
	6	I	2
	7	S	"g5"
	8	I	3
locals (1) for ADDR:
	0	_ENV	12	16
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local a = 100000; local b = -100000; local c = 1e10; local d = 65535.0; local e = 131072; local f = -131071; local g = "a\0b\200\n\"\\"; local h = 0.1; local i = 1e300 * 10; local j = true; local k = false; local l = nil
"##,
        r##"
main <t:0,0> (14 instructions at ADDR)
0+ params, 12 slots, 1 upvalue, 12 locals, 8 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	LOADK    	0 0	; 100000
	3	[1]	LOADK    	1 1	; -100000
	4	[1]	LOADK    	2 2	; 10000000000.0
	5	[1]	LOADF    	3 65535
	6	[1]	LOADK    	4 3	; 131072
	7	[1]	LOADK    	5 4	; -131071
	8	[1]	LOADK    	6 5	; "a\000b\200\n\"\\"
	9	[1]	LOADK    	7 6	; 0.1
	10	[1]	LOADK    	8 7	; 1e+301
	11	[1]	LOADTRUE 	9
	12	[1]	LOADFALSE	10
	13	[1]	LOADNIL  	11 0	; 1 out
	14	[1]	RETURN   	12 1 1	; 0 out
constants (8) for ADDR:
	0	I	100000
	1	I	-100000
	2	F	10000000000.0
	3	I	131072
	4	I	-131071
	5	S	"a\000b\200\n\"\\"
	6	F	0.1
	7	F	1e+301
locals (12) for ADDR:
	0	a	3	15
	1	b	4	15
	2	c	5	15
	3	d	6	15
	4	e	7	15
	5	f	8	15
	6	g	9	15
	7	h	10	15
	8	i	11	15
	9	j	12	15
	10	k	13	15
	11	l	14	15
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local t = {} for i = 1, 60 do t[i] = i end; local u = {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54}
"##,
        r##"
main <t:0,0> (68 instructions at ADDR)
0+ params, 52 slots, 1 upvalue, 6 locals, 0 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	NEWTABLE 	0 0 0	; 0
	3	[1]	EXTRAARG 	0
	4	[1]	LOADI    	1 1
	5	[1]	LOADI    	2 60
	6	[1]	LOADI    	3 1
	7	[1]	FORPREP  	1 1	; to 9
	8	[1]	SETTABLE 	0 4 4
	9	[1]	FORLOOP  	1 2	; to 8
	10	[1]	NEWTABLE 	1 0 54	; 54
	11	[1]	EXTRAARG 	0
	12	[1]	LOADI    	2 1
	13	[1]	LOADI    	3 2
	14	[1]	LOADI    	4 3
	15	[1]	LOADI    	5 4
	16	[1]	LOADI    	6 5
	17	[1]	LOADI    	7 6
	18	[1]	LOADI    	8 7
	19	[1]	LOADI    	9 8
	20	[1]	LOADI    	10 9
	21	[1]	LOADI    	11 10
	22	[1]	LOADI    	12 11
	23	[1]	LOADI    	13 12
	24	[1]	LOADI    	14 13
	25	[1]	LOADI    	15 14
	26	[1]	LOADI    	16 15
	27	[1]	LOADI    	17 16
	28	[1]	LOADI    	18 17
	29	[1]	LOADI    	19 18
	30	[1]	LOADI    	20 19
	31	[1]	LOADI    	21 20
	32	[1]	LOADI    	22 21
	33	[1]	LOADI    	23 22
	34	[1]	LOADI    	24 23
	35	[1]	LOADI    	25 24
	36	[1]	LOADI    	26 25
	37	[1]	LOADI    	27 26
	38	[1]	LOADI    	28 27
	39	[1]	LOADI    	29 28
	40	[1]	LOADI    	30 29
	41	[1]	LOADI    	31 30
	42	[1]	LOADI    	32 31
	43	[1]	LOADI    	33 32
	44	[1]	LOADI    	34 33
	45	[1]	LOADI    	35 34
	46	[1]	LOADI    	36 35
	47	[1]	LOADI    	37 36
	48	[1]	LOADI    	38 37
	49	[1]	LOADI    	39 38
	50	[1]	LOADI    	40 39
	51	[1]	LOADI    	41 40
	52	[1]	LOADI    	42 41
	53	[1]	LOADI    	43 42
	54	[1]	LOADI    	44 43
	55	[1]	LOADI    	45 44
	56	[1]	LOADI    	46 45
	57	[1]	LOADI    	47 46
	58	[1]	LOADI    	48 47
	59	[1]	LOADI    	49 48
	60	[1]	LOADI    	50 49
	61	[1]	LOADI    	51 50
	62	[1]	SETLIST  	1 50 0
	63	[1]	LOADI    	2 51
	64	[1]	LOADI    	3 52
	65	[1]	LOADI    	4 53
	66	[1]	LOADI    	5 54
	67	[1]	SETLIST  	1 4 50
	68	[1]	RETURN   	2 1 1	; 0 out
constants (0) for ADDR:
locals (6) for ADDR:
	0	t	4	69
	1	(for state)	7	10
	2	(for state)	7	10
	3	(for state)	7	10
	4	i	8	9
	5	u	68	69
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local a = {} a.b = {} function a.b.c(x) return x end function a.b:m(y) return self, y end local function l() end function g() end
"##,
        r##"
main <t:0,0> (16 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 2 locals, 4 constants, 4 functions
	1	[1]	VARARGPREP	0
	2	[1]	NEWTABLE 	0 0 0	; 0
	3	[1]	EXTRAARG 	0
	4	[1]	NEWTABLE 	1 0 0	; 0
	5	[1]	EXTRAARG 	0
	6	[1]	SETFIELD 	0 0 1	; "b"
	7	[1]	GETFIELD 	1 0 0	; "b"
	8	[1]	CLOSURE  	2 0	; ADDR
	9	[1]	SETFIELD 	1 1 2	; "c"
	10	[1]	GETFIELD 	1 0 0	; "b"
	11	[1]	CLOSURE  	2 1	; ADDR
	12	[1]	SETFIELD 	1 2 2	; "m"
	13	[1]	CLOSURE  	1 2	; ADDR
	14	[1]	CLOSURE  	2 3	; ADDR
	15	[1]	SETTABUP 	0 3 2	; _ENV "g"
	16	[1]	RETURN   	2 1 1	; 0 out
constants (4) for ADDR:
	0	S	"b"
	1	S	"c"
	2	S	"m"
	3	S	"g"
locals (2) for ADDR:
	0	a	4	17
	1	l	14	17
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (2 instructions at ADDR)
1 param, 2 slots, 0 upvalues, 1 local, 0 constants, 0 functions
	1	[1]	RETURN1  	0
	2	[1]	RETURN0  	
constants (0) for ADDR:
locals (1) for ADDR:
	0	x	1	3
upvalues (0) for ADDR:

function <t:1,1> (4 instructions at ADDR)
2 params, 4 slots, 0 upvalues, 2 locals, 0 constants, 0 functions
	1	[1]	MOVE     	2 0
	2	[1]	MOVE     	3 1
	3	[1]	RETURN   	2 3 0	; 2 out
	4	[1]	RETURN0  	
constants (0) for ADDR:
locals (2) for ADDR:
	0	self	1	5
	1	y	1	5
upvalues (0) for ADDR:

function <t:1,1> (1 instruction at ADDR)
0 params, 2 slots, 0 upvalues, 0 locals, 0 constants, 0 functions
	1	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (0) for ADDR:

function <t:1,1> (1 instruction at ADDR)
0 params, 2 slots, 0 upvalues, 0 locals, 0 constants, 0 functions
	1	[1]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (0) for ADDR:
"##,
    ),
    (
        r##"local a, b = ...; if a then return 1 end; if a < b then return 2 end; if not a then return 3 end; if a == nil then return 4 end; if a ~= 1 then print() end; while a do end
"##,
        r##"
main <t:0,0> (26 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 2 locals, 2 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 3	; 2 out
	3	[1]	TEST     	0 0
	4	[1]	JMP      	2	; to 7
	5	[1]	LOADI    	2 1
	6	[1]	RETURN   	2 2 1	; 1 out
	7	[1]	LT       	0 1 0
	8	[1]	JMP      	2	; to 11
	9	[1]	LOADI    	2 2
	10	[1]	RETURN   	2 2 1	; 1 out
	11	[1]	TEST     	0 1
	12	[1]	JMP      	2	; to 15
	13	[1]	LOADI    	2 3
	14	[1]	RETURN   	2 2 1	; 1 out
	15	[1]	EQK      	0 0 0	; nil
	16	[1]	JMP      	2	; to 19
	17	[1]	LOADI    	2 4
	18	[1]	RETURN   	2 2 1	; 1 out
	19	[1]	EQI      	0 1 1
	20	[1]	JMP      	2	; to 23
	21	[1]	GETTABUP 	2 0 1	; _ENV "print"
	22	[1]	CALL     	2 1 1	; 0 in 0 out
	23	[1]	TEST     	0 0
	24	[1]	JMP      	1	; to 26
	25	[1]	JMP      	-3	; to 23
	26	[1]	RETURN   	2 1 1	; 0 out
constants (2) for ADDR:
	0	N	nil
	1	S	"print"
locals (2) for ADDR:
	0	a	3	27
	1	b	3	27
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"return function(a, b) return a + b end, function(...) return select(2, ...) end
"##,
        r##"
main <t:0,0> (5 instructions at ADDR)
0+ params, 2 slots, 1 upvalue, 0 locals, 0 constants, 2 functions
	1	[1]	VARARGPREP	0
	2	[1]	CLOSURE  	0 0	; ADDR
	3	[1]	CLOSURE  	1 1	; ADDR
	4	[1]	RETURN   	0 3 1	; 2 out
	5	[1]	RETURN   	0 1 1	; 0 out
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:1,1> (4 instructions at ADDR)
2 params, 3 slots, 0 upvalues, 2 locals, 0 constants, 0 functions
	1	[1]	ADD      	2 0 1
	2	[1]	MMBIN    	0 1 6	; __add
	3	[1]	RETURN1  	2
	4	[1]	RETURN0  	
constants (0) for ADDR:
locals (2) for ADDR:
	0	a	1	5
	1	b	1	5
upvalues (0) for ADDR:

function <t:1,1> (7 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 0 locals, 1 constant, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	GETTABUP 	0 0 0	; _ENV "select"
	3	[1]	LOADI    	1 2
	4	[1]	VARARG   	2 0	; all out
	5	[1]	TAILCALL 	0 0 1	; -1 in
	6	[1]	RETURN   	0 0 1	; all out
	7	[1]	RETURN   	0 1 1	; 0 out
constants (1) for ADDR:
	0	S	"select"
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	_ENV	0	0
"##,
    ),
    (
        r##"local x = ...; x = x + 0.5; x = x - 128; x = x + 127; x = x - (-127); x = x * -1; x = x // 1e300; x = x .. 1
"##,
        r##"
main <t:0,0> (19 instructions at ADDR)
0+ params, 3 slots, 1 upvalue, 1 local, 4 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	VARARG   	0 2	; 1 out
	3	[1]	ADDK     	0 0 0	; 0.5
	4	[1]	MMBINK   	0 0 6 0	; __add 0.5
	5	[1]	SUBK     	0 0 1	; 128
	6	[1]	MMBINK   	0 1 7 0	; __sub 128
	7	[1]	ADDI     	0 0 127
	8	[1]	MMBINI   	0 127 6 0	; __add
	9	[1]	ADDI     	0 0 127
	10	[1]	MMBINI   	0 -127 7 0	; __sub
	11	[1]	MULK     	0 0 2	; -1
	12	[1]	MMBINK   	0 2 8 0	; __mul -1
	13	[1]	IDIVK    	0 0 3	; 1e+300
	14	[1]	MMBINK   	0 3 12 0	; __idiv 1e+300
	15	[1]	MOVE     	1 0
	16	[1]	LOADI    	2 1
	17	[1]	CONCAT   	1 2
	18	[1]	MOVE     	0 1
	19	[1]	RETURN   	1 1 1	; 0 out
constants (4) for ADDR:
	0	F	0.5
	1	I	128
	2	I	-1
	3	F	1e+300
locals (1) for ADDR:
	0	x	3	20
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"print("line1",
  "line2",
  f(
  3)
)
"##,
        r##"
main <t:0,0> (9 instructions at ADDR)
0+ params, 5 slots, 1 upvalue, 0 locals, 4 constants, 0 functions
	1	[1]	VARARGPREP	0
	2	[1]	GETTABUP 	0 0 0	; _ENV "print"
	3	[1]	LOADK    	1 1	; "line1"
	4	[2]	LOADK    	2 2	; "line2"
	5	[3]	GETTABUP 	3 0 3	; _ENV "f"
	6	[4]	LOADI    	4 3
	7	[3]	CALL     	3 2 0	; 1 in all out
	8	[1]	CALL     	0 0 1	; all in 0 out
	9	[5]	RETURN   	0 1 1	; 0 out
constants (4) for ADDR:
	0	S	"print"
	1	S	"line1"
	2	S	"line2"
	3	S	"f"
locals (0) for ADDR:
upvalues (1) for ADDR:
	0	_ENV	1	0
"##,
    ),
    (
        r##"local t = {
  a = 1,
  b = function()
    return 2
  end,
}
"##,
        r##"
main <t:0,0> (7 instructions at ADDR)
0+ params, 2 slots, 1 upvalue, 1 local, 3 constants, 1 function
	1	[1]	VARARGPREP	0
	2	[1]	NEWTABLE 	0 2 0	; 0
	3	[1]	EXTRAARG 	0
	4	[2]	SETFIELD 	0 0 1k	; "a" 1
	5	[5]	CLOSURE  	1 0	; ADDR
	6	[5]	SETFIELD 	0 2 1	; "b"
	7	[6]	RETURN   	1 1 1	; 0 out
constants (3) for ADDR:
	0	S	"a"
	1	I	1
	2	S	"b"
locals (1) for ADDR:
	0	t	7	8
upvalues (1) for ADDR:
	0	_ENV	1	0

function <t:3,5> (3 instructions at ADDR)
0 params, 2 slots, 0 upvalues, 0 locals, 0 constants, 0 functions
	1	[4]	LOADI    	0 2
	2	[4]	RETURN1  	0
	3	[5]	RETURN0  	
constants (0) for ADDR:
locals (0) for ADDR:
upvalues (0) for ADDR:
"##,
    ),
];

#[test]
fn listings_match_reference() {
    for (src, expected) in CASES {
        let p = compile(src.as_bytes(), b"@t").expect("compiles");
        let got = normalize(&listing(&p));
        if got != *expected {
            panic!("listing mismatch for:\n{src}\n--- expected:\n{expected}\n--- got:\n{got}");
        }
    }
}
