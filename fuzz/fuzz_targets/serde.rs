//! The `serde` fuzz target: see `luna_fuzz::serde_values`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| luna_fuzz::serde_values::fuzz(data));
