//! cargo-fuzz target: see `model_json` in crates/core/tests/fuzz_harness/mod.rs.
#![no_main]

#[path = "../../crates/core/tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::model_json(data));
