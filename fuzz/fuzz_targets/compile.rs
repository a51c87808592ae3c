//! The `compile` fuzz target: see `luna_fuzz::compile`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| luna_fuzz::compile::fuzz(data));
