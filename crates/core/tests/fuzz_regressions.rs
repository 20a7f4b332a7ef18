//! Replays every input the fuzzers (fuzz/, cargo-fuzz) found interesting: crashes, hangs and
//! out-of-memory inputs that were fixed, kept in tests/fuzz_regressions/<target>/. Runs in CI
//! without cargo-fuzz or a nightly toolchain; see docs/hardening.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fuzz_harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&bytes)));
        assert!(result.is_ok(), "{} panics", path.display());
        eprintln!("{}: ok in {:?}", path.display(), started.elapsed());
    }
}

#[test]
fn features() {
    replay("features", fuzz_harness::features);
}

#[test]
fn model_json() {
    replay("model_json", fuzz_harness::model_json);
}

#[test]
fn index() {
    replay("index", fuzz_harness::index);
}

#[test]
fn text() {
    let vocab = fuzz_harness::shipped_vocab(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    replay("text", |b| fuzz_harness::text(b, &vocab));
}

#[test]
fn decode() {
    replay("decode", fuzz_harness::decode);
}
