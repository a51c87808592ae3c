//! The macros' error messages: each case in `tests/ui` must fail to
//! compile with the message recorded next to it (all errors at once,
//! each pointing at the offending attribute or item).

#[test]
fn macro_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
