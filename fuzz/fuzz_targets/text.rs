//! cargo-fuzz target: see `text` in crates/core/tests/fuzz_harness/mod.rs.
#![no_main]

use std::sync::OnceLock;

#[path = "../../crates/core/tests/fuzz_harness/mod.rs"]
mod harness;

static SHIPPED: OnceLock<earshot_core::Vocabulary> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let vocab = SHIPPED.get_or_init(|| {
        harness::shipped_vocab(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.."
        )))
    });
    harness::text(data, vocab)
});
