//! The read-eval-print loop (lua.c's `doREPL`): prompts from `_PROMPT` and
//! `_PROMPT2` written to standard output, lines read from standard input,
//! each line tried first as `return <line>;` so expressions print their
//! values (through the global `print`), then as a statement, reading more
//! lines while the syntax error is at `<eof>`. A first line starting with
//! '=' means `return`. Errors are printed without the program name and the
//! loop goes on; end of input ends it. When standard input is not a
//! terminal, each line read is echoed after its prompt, as the readline
//! library used by PUC's build does, so transcripts look the same.

use std::io::{BufRead, IsTerminal};

use luna_core::load::LoadMode;
use luna_core::vm::MULTRET;
use luna_core::{LResult, State, Status, Value};

use crate::{docall, flush_stdout, get_global, l_message, progname, report, set_progname, value_text, write_stdout};

/// The default prompts.
const PROMPT: &[u8] = b"> ";
const PROMPT2: &[u8] = b">> ";

/// The chunk name of interactive input.
const CHUNKNAME: &[u8] = b"=stdin";

/// The end of the syntax errors of incomplete statements.
const EOF_MARK: &[u8] = b"<eof>";

/// Stack slots a native function may use without asking (LUA_MINSTACK).
const MIN_STACK: usize = 20;

/// Runs the loop until the end of standard input.
pub fn run(st: &mut State) -> LResult<()> {
    let old = progname(st);
    set_progname(st, None);
    let echo = !std::io::stdin().is_terminal();
    let base = st.frame_base() + 1;
    loop {
        st.set_top(base);
        let mut status = match load_line(st, echo)? {
            Some(s) => s,
            None => break,
        };
        if status == Status::Ok {
            status = docall(st, 0, MULTRET)?;
        }
        if status == Status::Ok {
            print_results(st, base)?;
        } else {
            report(st, status);
        }
    }
    st.set_top(base);
    write_stdout(st, b"\n");
    flush_stdout(st);
    set_progname(st, old);
    Ok(())
}

/// Reads a line and compiles it, as an expression first, then as a
/// statement with continuation lines (lua.c's `loadline`). Pushes the
/// function or the error message; `None` at end of input.
fn load_line(st: &mut State, echo: bool) -> LResult<Option<Status>> {
    let line = match read_line(st, true, echo)? {
        Some(l) => l,
        None => return Ok(None),
    };
    let mut retline = b"return ".to_vec();
    retline.extend_from_slice(&line);
    retline.push(b';');
    if let Ok(f) = st.load(&retline, CHUNKNAME, LoadMode::Both, None) {
        st.push(f);
        return Ok(Some(Status::Ok));
    }
    multiline(st, line, echo).map(Some)
}

/// Compiles `buf` as a statement, adding lines while it is incomplete
/// (lua.c's `multiline`). Pushes the function or the error message.
fn multiline(st: &mut State, mut buf: Vec<u8>, echo: bool) -> LResult<Status> {
    loop {
        let t = match st.load(&buf, CHUNKNAME, LoadMode::Both, None) {
            Ok(f) => {
                st.push(f);
                return Ok(Status::Ok);
            }
            Err(t) => t,
        };
        st.push(t.value);
        if !incomplete(t.status, t.value) {
            return Ok(t.status);
        }
        match read_line(st, false, echo)? {
            Some(more) => {
                st.pop(1);
                buf.push(b'\n');
                buf.extend_from_slice(&more);
            }
            None => return Ok(t.status),
        }
    }
}

/// Whether a load failure is a syntax error at the end of the input, i.e.
/// the statement may go on in the next line (lua.c's `incomplete`).
fn incomplete(status: Status, msg: Value) -> bool {
    match msg {
        Value::Str(s) => status == Status::ErrSyntax && s.as_bytes().ends_with(EOF_MARK),
        _ => false,
    }
}

/// Shows the prompt and reads a line without its newline (lua.c's
/// `pushline`); `None` at end of input. A first line "=exp" becomes
/// "return exp".
fn read_line(st: &mut State, first: bool, echo: bool) -> LResult<Option<Vec<u8>>> {
    let prompt = get_prompt(st, first)?;
    write_stdout(st, until_nul(&prompt));
    flush_stdout(st);
    let mut line = Vec::new();
    match std::io::stdin().lock().read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => return Ok(None),
        Ok(_) => {}
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if echo {
        let mut shown = line.clone();
        shown.push(b'\n');
        write_stdout(st, &shown);
        flush_stdout(st);
    }
    let mut line = until_nul(&line).to_vec();
    if first && line.first() == Some(&b'=') {
        let mut r = b"return ".to_vec();
        r.extend_from_slice(&line[1..]);
        line = r;
    }
    Ok(Some(line))
}

/// The prompt: `_PROMPT` (first line) or `_PROMPT2` converted with
/// `tostring` semantics, or the default when the global is nil (lua.c's
/// `get_prompt`).
fn get_prompt(st: &mut State, first: bool) -> LResult<Vec<u8>> {
    let v = get_global(st, if first { "_PROMPT" } else { "_PROMPT2" })?;
    if v.is_nil() {
        return Ok(if first { PROMPT } else { PROMPT2 }.to_vec());
    }
    st.push(v);
    let s = st.to_display_string(v)?;
    let p = s.as_bytes().to_vec();
    st.pop(1);
    Ok(p)
}

/// Prints the values from `base` to the top with the global `print`
/// (lua.c's `l_print`).
fn print_results(st: &mut State, base: usize) -> LResult<()> {
    let n = st.top() - base;
    if n == 0 {
        return Ok(());
    }
    if st.check_stack(MIN_STACK).is_err() {
        return Err(st.error_msg("stack overflow (too many results to print)"));
    }
    let print = get_global(st, "print")?;
    st.insert_at(base, print);
    if st.pcall_raw(base, 0, 0) != Status::Ok {
        let v = st.stack_get(st.top() - 1);
        let text = value_text(st, v)?.unwrap_or_else(|| b"(null)".to_vec());
        let mut msg = b"error calling 'print' (".to_vec();
        msg.extend_from_slice(&text);
        msg.push(b')');
        l_message(st, &msg);
    }
    Ok(())
}

/// The bytes before the first NUL (C strings end there).
fn until_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}
