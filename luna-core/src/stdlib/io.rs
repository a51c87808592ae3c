//! The `io` library.

use crate::gc::Gc;
use crate::object::table::Table;
use crate::state::State;
use crate::vm::LResult;

/// Writes to the process's standard output (shared by `print` and
/// `io.write`), buffering when stdout is not a terminal.
pub fn write_stdout(_st: &mut State, bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
}

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    st.new_lib(&[])
}
