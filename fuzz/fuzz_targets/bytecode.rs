//! The `bytecode` fuzz target: see `luna_fuzz::bytecode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| luna_fuzz::bytecode::fuzz(data));
