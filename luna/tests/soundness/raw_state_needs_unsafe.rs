// A table read after the collector freed it: this compiled before the raw
// layer required `unsafe`. Now `State::new` is an `unsafe fn`.
fn main() {
    let mut st = luna_core::State::new();
    let t = st.new_table().unwrap();
    st.full_gc(false);
    let _ = t.length();
}
