//! The `run` fuzz target: see `luna_fuzz::run`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| luna_fuzz::run::fuzz(data));
