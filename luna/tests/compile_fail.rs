//! The macros' error messages: each case in `tests/ui` must fail to
//! compile with the messages recorded next to it. There is a case for
//! every misuse the macros reject (all errors of an input at once, each
//! pointing at the offending tokens), and for the compiler's own errors
//! on generated code that a user can meet: a methods block on a type
//! without the derive, two blocks for one type, a field type that does
//! not convert.

/// The messages are recorded for the default features: with
/// `userdata-wrappers`, the compiler also lists the wrapper impls
/// (`Rc<T>`, `Arc<Mutex<T>>`, ...) among the types implementing
/// `LuaUserdata` in them.
#[cfg(not(feature = "userdata-wrappers"))]
#[test]
fn macro_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

/// `Lua::scope`'s lifetimes, checked by the compiler as mlua's are: a
/// scoped callback cannot borrow what dies before the scope ends, data
/// lent to scoped userdata must outlive the `Lua::scope` call and cannot be
/// lent mutably twice, and the scope cannot leave its closure.
#[test]
fn scope_lifetimes() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/scope/*.rs");
}
