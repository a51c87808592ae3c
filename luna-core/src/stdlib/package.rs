//! The `package` library.

use crate::gc::Gc;
use crate::object::table::Table;
use crate::state::State;
use crate::vm::LResult;

/// Creates the library table.
pub fn open(st: &mut State) -> LResult<Gc<Table>> {
    st.new_lib(&[])
}
