//! The `pattern` fuzz target: see `luna_fuzz::pattern`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| luna_fuzz::pattern::fuzz(data));
