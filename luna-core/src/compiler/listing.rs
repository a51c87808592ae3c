//! A disassembler producing the listing format of the reference `luac -l
//! -l` (PUC's `luac.c`), so that listings can be compared textually with
//! the reference compiler's (addresses aside).

use std::fmt::Write;

use super::proto::{Constant, FunctionProto};
use crate::vm::opcodes::*;

/// The full listing (`luac -l -l`) of a function and its nested functions.
pub fn listing(f: &FunctionProto) -> String {
    let mut out = String::new();
    print_function(&mut out, f);
    out
}

fn print_function(out: &mut String, f: &FunctionProto) {
    print_header(out, f);
    print_code(out, f);
    print_debug(out, f);
    for p in &f.protos {
        print_function(out, p);
    }
}

/// Bytes of a C string: up to the first NUL.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn print_header(out: &mut String, f: &FunctionProto) {
    let src = c_str(&f.source);
    let s = match src.first() {
        Some(b'@' | b'=') => String::from_utf8_lossy(&src[1..]).into_owned(),
        Some(0x1b) => "(bstring)".to_string(),
        _ => "(string)".to_string(),
    };
    let kind = if f.line_defined == 0 { "main" } else { "function" };
    let n = f.code.len();
    let _ = writeln!(
        out,
        "\n{kind} <{s}:{},{}> ({n} instruction{} at {:p})",
        f.line_defined,
        f.last_line_defined,
        plural(n),
        f
    );
    let np = f.num_params as usize;
    let _ = write!(
        out,
        "{np}{} param{}, {} slot{}, {} upvalue{}, ",
        if f.is_vararg { "+" } else { "" },
        plural(np),
        f.max_stack_size,
        plural(f.max_stack_size as usize),
        f.upvalues.len(),
        plural(f.upvalues.len())
    );
    let _ = writeln!(
        out,
        "{} local{}, {} constant{}, {} function{}",
        f.loc_vars.len(),
        plural(f.loc_vars.len()),
        f.constants.len(),
        plural(f.constants.len()),
        f.protos.len(),
        plural(f.protos.len())
    );
}

/// Formats a float as C's `printf("%.14g")`.
pub(crate) fn fmt_g14(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    const P: i32 = 14;
    let sci = format!("{:.*e}", (P - 1) as usize, f);
    let epos = sci.find('e').unwrap_or(sci.len());
    let x: i32 = sci[epos + 1..].parse().unwrap_or(0);
    if !(-4..P).contains(&x) {
        let mut m = sci[..epos].to_string();
        strip_zeros(&mut m);
        let sign = if x < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", x.abs())
    } else {
        let mut s = format!("{:.*}", (P - 1 - x) as usize, f);
        strip_zeros(&mut s);
        s
    }
}

/// Removes trailing zeros of a fraction (and a trailing dot).
fn strip_zeros(s: &mut String) {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
}

fn print_string(out: &mut String, s: &[u8]) {
    out.push('"');
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x0b => out.push_str("\\v"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\{c:03}");
            }
        }
    }
    out.push('"');
}

fn print_constant(out: &mut String, f: &FunctionProto, i: usize) {
    match f.constants.get(i) {
        Some(Constant::Nil) => out.push_str("nil"),
        Some(Constant::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(Constant::Float(x)) => {
            let s = fmt_g14(*x);
            let looks_int = s.bytes().all(|c| c == b'-' || c.is_ascii_digit());
            out.push_str(&s);
            if looks_int {
                out.push_str(".0");
            }
        }
        Some(Constant::Int(n)) => {
            let _ = write!(out, "{n}");
        }
        Some(Constant::Str(s)) => print_string(out, s),
        None => {
            let _ = write!(out, "?{i}");
        }
    }
}

fn upval_name(f: &FunctionProto, i: usize) -> String {
    match f.upvalues.get(i).and_then(|u| u.name.as_ref()) {
        Some(n) => String::from_utf8_lossy(c_str(n)).into_owned(),
        None => "-".to_string(),
    }
}

fn print_code(out: &mut String, f: &FunctionProto) {
    let code = &f.code;
    for (pc, &i) in code.iter().enumerate() {
        let o = get_op(i);
        let a = arg_a(i);
        let b = arg_b(i);
        let c = arg_c(i);
        let ax = arg_ax(i);
        let bx = arg_bx(i);
        let sb = arg_sb(i);
        let sc = arg_sc(i);
        let sbx = arg_sbx(i);
        let isk = arg_k(i) as u32;
        let ks = if isk != 0 { "k" } else { "" };
        let extra = || code.get(pc + 1).map_or(0, |&e| arg_ax(e));
        let line = f.line_info.get(pc).copied().unwrap_or(0);
        let _ = write!(out, "\t{}\t", pc + 1);
        if line > 0 {
            let _ = write!(out, "[{line}]\t");
        } else {
            out.push_str("[-]\t");
        }
        let _ = write!(out, "{:<9}\t", o.name());
        use OpCode::*;
        match o {
            Move => {
                let _ = write!(out, "{a} {b}");
            }
            LoadI | LoadF => {
                let _ = write!(out, "{a} {sbx}");
            }
            LoadK => {
                let _ = write!(out, "{a} {bx}\t; ");
                print_constant(out, f, bx as usize);
            }
            LoadKX => {
                let _ = write!(out, "{a}\t; ");
                print_constant(out, f, extra() as usize);
            }
            LoadFalse | LFalseSkip | LoadTrue | Close | Tbc | Return1 | VarArgPrep => {
                let _ = write!(out, "{a}");
            }
            LoadNil => {
                let _ = write!(out, "{a} {b}\t; {} out", b + 1);
            }
            GetUpval | SetUpval => {
                let _ = write!(out, "{a} {b}\t; {}", upval_name(f, b as usize));
            }
            GetTabUp => {
                let _ = write!(out, "{a} {b} {c}\t; {} ", upval_name(f, b as usize));
                print_constant(out, f, c as usize);
            }
            GetTable | GetI | Add | Sub | Mul | Mod | Pow | Div | IDiv | BAnd | BOr | BXor | Shl | Shr => {
                let _ = write!(out, "{a} {b} {c}");
            }
            GetField | AddK | SubK | MulK | ModK | PowK | DivK | IDivK | BAndK | BOrK | BXorK => {
                let _ = write!(out, "{a} {b} {c}\t; ");
                print_constant(out, f, c as usize);
            }
            SetTabUp => {
                let _ = write!(out, "{a} {b} {c}{ks}\t; {} ", upval_name(f, a as usize));
                print_constant(out, f, b as usize);
                if isk != 0 {
                    out.push(' ');
                    print_constant(out, f, c as usize);
                }
            }
            SetTable | SetI | SelfOp => {
                let _ = write!(out, "{a} {b} {c}{ks}");
                if isk != 0 {
                    out.push_str("\t; ");
                    print_constant(out, f, c as usize);
                }
            }
            SetField => {
                let _ = write!(out, "{a} {b} {c}{ks}\t; ");
                print_constant(out, f, b as usize);
                if isk != 0 {
                    out.push(' ');
                    print_constant(out, f, c as usize);
                }
            }
            NewTable => {
                let _ = write!(out, "{a} {b} {c}\t; {}", c + extra() * (MAXARG_C + 1));
            }
            AddI | ShrI | ShlI => {
                let _ = write!(out, "{a} {b} {sc}");
            }
            MmBin => {
                let _ = write!(out, "{a} {b} {c}\t; {}", tm_name(c));
            }
            MmBinI => {
                let _ = write!(out, "{a} {sb} {c} {isk}\t; {}", tm_name(c));
                if isk != 0 {
                    out.push_str(" flip");
                }
            }
            MmBinK => {
                let _ = write!(out, "{a} {b} {c} {isk}\t; {} ", tm_name(c));
                print_constant(out, f, b as usize);
                if isk != 0 {
                    out.push_str(" flip");
                }
            }
            Unm | BNot | Not | Len | Concat => {
                let _ = write!(out, "{a} {b}");
            }
            Jmp => {
                let sj = arg_sj(i);
                let _ = write!(out, "{sj}\t; to {}", sj + pc as i32 + 2);
            }
            Eq | Lt | Le => {
                let _ = write!(out, "{a} {b} {isk}");
            }
            EqK => {
                let _ = write!(out, "{a} {b} {isk}\t; ");
                print_constant(out, f, b as usize);
            }
            EqI | LtI | LeI | GtI | GeI => {
                let _ = write!(out, "{a} {sb} {isk}");
            }
            Test => {
                let _ = write!(out, "{a} {isk}");
            }
            TestSet => {
                let _ = write!(out, "{a} {b} {isk}");
            }
            Call => {
                let _ = write!(out, "{a} {b} {c}\t; ");
                if b == 0 {
                    out.push_str("all in ");
                } else {
                    let _ = write!(out, "{} in ", b as i32 - 1);
                }
                if c == 0 {
                    out.push_str("all out");
                } else {
                    let _ = write!(out, "{} out", c as i32 - 1);
                }
            }
            TailCall => {
                let _ = write!(out, "{a} {b} {c}\t; {} in", b as i32 - 1);
            }
            Return => {
                let _ = write!(out, "{a} {b} {c}\t; ");
                if b == 0 {
                    out.push_str("all out");
                } else {
                    let _ = write!(out, "{} out", b as i32 - 1);
                }
            }
            Return0 => {}
            ForLoop | TForLoop => {
                let _ = write!(out, "{a} {bx}\t; to {}", pc as i64 - bx as i64 + 2);
            }
            ForPrep | TForPrep => {
                let _ = write!(out, "{a} {bx}\t; to {}", pc as i64 + bx as i64 + 2);
            }
            TForCall => {
                let _ = write!(out, "{a} {c}");
            }
            SetList => {
                let _ = write!(out, "{a} {b} {c}");
                if isk != 0 {
                    let _ = write!(out, "\t; {}", c + extra() * (MAXARG_C + 1));
                }
            }
            Closure => {
                let p = f.protos.get(bx as usize);
                let _ = write!(out, "{a} {bx}\t; {:p}", p.map_or(std::ptr::null(), |p| p as *const _));
            }
            VarArg => {
                let _ = write!(out, "{a} {c}\t; ");
                if c == 0 {
                    out.push_str("all out");
                } else {
                    let _ = write!(out, "{} out", c as i32 - 1);
                }
            }
            ExtraArg => {
                let _ = write!(out, "{ax}");
            }
        }
        out.push('\n');
    }
}

fn tm_name(c: u32) -> &'static str {
    TmKind::from_u32(c).map_or("?", |t| t.name())
}

fn print_debug(out: &mut String, f: &FunctionProto) {
    let _ = writeln!(out, "constants ({}) for {:p}:", f.constants.len(), f);
    for (i, k) in f.constants.iter().enumerate() {
        let t = match k {
            Constant::Nil => "N",
            Constant::Bool(_) => "B",
            Constant::Float(_) => "F",
            Constant::Int(_) => "I",
            Constant::Str(_) => "S",
        };
        let _ = write!(out, "\t{i}\t{t}\t");
        print_constant(out, f, i);
        out.push('\n');
    }
    let _ = writeln!(out, "locals ({}) for {:p}:", f.loc_vars.len(), f);
    for (i, v) in f.loc_vars.iter().enumerate() {
        let _ =
            writeln!(out, "\t{i}\t{}\t{}\t{}", String::from_utf8_lossy(c_str(&v.name)), v.start_pc + 1, v.end_pc + 1);
    }
    let _ = writeln!(out, "upvalues ({}) for {:p}:", f.upvalues.len(), f);
    for (i, u) in f.upvalues.iter().enumerate() {
        let _ = writeln!(out, "\t{i}\t{}\t{}\t{}", upval_name(f, i), u.in_stack as u8, u.index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g14() {
        assert_eq!(fmt_g14(1.0), "1");
        assert_eq!(fmt_g14(0.1), "0.1");
        assert_eq!(fmt_g14(1e100), "1e+100");
        assert_eq!(fmt_g14(1e14), "1e+14");
        assert_eq!(fmt_g14(1e13), "10000000000000");
        assert_eq!(fmt_g14(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(fmt_g14(0.0001), "0.0001");
        assert_eq!(fmt_g14(0.00001), "1e-05");
        assert_eq!(fmt_g14(-2.5), "-2.5");
        assert_eq!(fmt_g14(1.234_567_890_123_45), "1.2345678901235");
        assert_eq!(fmt_g14(2f64.powi(63)), "9.2233720368548e+18");
        assert_eq!(fmt_g14(f64::INFINITY), "inf");
        assert_eq!(fmt_g14(-f64::INFINITY), "-inf");
        assert_eq!(fmt_g14(-0.0), "-0");
        assert_eq!(fmt_g14(5e-324), "4.9406564584125e-324");
        assert_eq!(fmt_g14(99999999999999.5), "1e+14");
    }
}
