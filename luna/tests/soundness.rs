//! What safe code cannot do: reach luna-core's raw layer. Each case in
//! `tests/soundness` must fail to compile with the errors recorded next to
//! it: creating a raw state needs `unsafe` (so a collected table cannot be
//! read from safe code), the facade no longer re-exports the runtime, and
//! the facade's in-place conversions, which receive the raw state, cannot
//! be implemented outside the crate.

#[test]
fn safe_code_cannot_reach_the_raw_layer() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/soundness/*.rs");
}
