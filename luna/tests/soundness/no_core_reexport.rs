// The facade does not re-export the runtime.
fn main() {
    let _ = luna::core::State::new;
}
