//! Loading the interpreter's chunks from a file or from standard input, as
//! PUC's `luaL_loadfilex` does: chunk name "@file" or "=stdin", an optional
//! UTF-8 byte-order mark and a first line starting with '#' skipped (its
//! newline kept so line numbers stay right, and dropped before a binary
//! chunk), and "cannot open/read NAME: reason" messages.

use std::io::Read;

use luna_core::load::LoadMode;
use luna_core::stdlib::{bytes_to_path, os_error_text};
use luna_core::{LResult, State, Status};

/// The first byte of binary chunks (PUC's `LUA_SIGNATURE[0]`).
const BINARY_MARK: u8 = 0x1b;

/// Loads the file `fname`, or standard input when `None`, and pushes the
/// main function or the error message. Returns the load status.
pub fn load_file(st: &mut State, fname: Option<&[u8]>) -> LResult<Status> {
    let (chunkname, display) = match fname {
        None => (b"=stdin".to_vec(), b"stdin".to_vec()),
        Some(name) => {
            let mut cn = b"@".to_vec();
            cn.extend_from_slice(name);
            (cn, name.to_vec())
        }
    };
    let data = match read_source(fname) {
        Ok(d) => d,
        Err((what, err)) => {
            let mut msg = format!("cannot {what} ").into_bytes();
            msg.extend_from_slice(&display);
            msg.extend_from_slice(b": ");
            msg.extend_from_slice(os_error_text(&err).as_bytes());
            let v = st.str_value(msg)?;
            st.push(v);
            return Ok(Status::ErrRun);
        }
    };
    let chunk = skip_prefix(&data);
    Ok(match st.load(&chunk, &chunkname, LoadMode::Both, None) {
        Ok(f) => {
            st.push(f);
            Status::Ok
        }
        Err(t) => {
            st.push(t.value);
            t.status
        }
    })
}

/// Reads the whole file or standard input; on failure says whether the
/// open or the read failed.
fn read_source(fname: Option<&[u8]>) -> Result<Vec<u8>, (&'static str, std::io::Error)> {
    let mut data = Vec::new();
    match fname {
        None => {
            std::io::stdin().lock().read_to_end(&mut data).map_err(|e| ("read", e))?;
        }
        Some(name) => {
            let mut f = std::fs::File::open(bytes_to_path(name)).map_err(|e| ("open", e))?;
            f.read_to_end(&mut data).map_err(|e| ("read", e))?;
        }
    }
    Ok(data)
}

/// The text given to the loader: the source after an optional byte-order
/// mark and an optional '#' first line (PUC's `skipBOM` and
/// `skipcomment`, byte for byte: an incomplete mark loses the bytes read
/// after its first one).
fn skip_prefix(data: &[u8]) -> Vec<u8> {
    let mut pos = 0;
    let mut getc = || {
        let c = data.get(pos).copied();
        if c.is_some() {
            pos += 1;
        }
        c
    };
    let mut c = getc();
    if c == Some(0xEF) && getc() == Some(0xBB) && getc() == Some(0xBF) {
        c = getc();
    }
    let mut out = Vec::with_capacity(data.len() + 1);
    if c == Some(b'#') {
        loop {
            match getc() {
                None | Some(b'\n') => break,
                Some(_) => {}
            }
        }
        c = getc();
        out.push(b'\n');
    }
    if c == Some(BINARY_MARK) {
        out.clear();
    }
    if let Some(ch) = c {
        out.push(ch);
    }
    out.extend_from_slice(data.get(pos..).unwrap_or(&[]));
    out
}

#[cfg(test)]
mod tests {
    use super::skip_prefix;

    #[test]
    fn prefixes() {
        assert_eq!(skip_prefix(b""), b"");
        assert_eq!(skip_prefix(b"print(1)"), b"print(1)");
        assert_eq!(skip_prefix(b"\xEF\xBB\xBFprint(1)"), b"print(1)");
        assert_eq!(skip_prefix(b"\xEF\xBB\xBF"), b"");
        assert_eq!(skip_prefix(b"\xEF\xBBprint(1)"), b"\xEFrint(1)");
        assert_eq!(skip_prefix(b"\xEFprint(1)"), b"\xEFrint(1)");
        assert_eq!(skip_prefix(b"#!/bin/luna\nprint(1)"), b"\nprint(1)");
        assert_eq!(skip_prefix(b"\xEF\xBB\xBF# c\nx"), b"\nx");
        assert_eq!(skip_prefix(b"# no newline"), b"\n");
        assert_eq!(skip_prefix(b"#c\n\x1bLua"), b"\x1bLua");
    }
}
