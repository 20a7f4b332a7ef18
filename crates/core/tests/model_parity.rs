//! The shipped model gives the same joint embeddings natively and in wasm (within 1e-5).
//!
//! Natively this checks `pkg/model.json` against the committed reference embeddings of the first
//! clips of `pkg/eval/features.bin` (regenerate after retraining with
//! `EARSHOT_WRITE_FIXTURES=1 cargo test -p earshot-core --test model_parity`); in the browser the
//! same check runs in wasm (`tests/wasm.rs` includes this file's `check`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use earshot_core::Index;
use earshot_core::Model;
use earshot_core::Vocabulary;

pub const MODEL: &str = include_str!("../../../pkg/model.json");
pub const FEATURES: &[u8] = include_bytes!("../../../pkg/eval/features.bin");
pub const VOCAB: &[u8] = include_bytes!("../../../pkg/vocab.bin");
/// 8 audio embeddings then 4 text embeddings (f32 little-endian).
pub const REFERENCE: &[u8] = include_bytes!("fixtures/model_embeddings.f32");
pub const TEXTS: [&str; 4] = [
    "dog barking",
    "Snare_drum",
    "thunderstorm rain",
    "church organ",
];

pub fn embeddings() -> Vec<f32> {
    let model = Model::from_json(MODEL).unwrap();
    let features = Index::from_bytes(FEATURES).unwrap();
    let vocab = Vocabulary::from_bytes(VOCAB).unwrap();
    let mut out = model
        .embed_audio(&features.vectors()[..8 * features.dim])
        .unwrap();
    for t in TEXTS {
        out.extend(model.embed_text(&vocab.embed(t).unwrap().vector).unwrap());
    }
    out
}

pub fn check() {
    let got = embeddings();
    let want: Vec<f32> = REFERENCE
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(
        got.len(),
        want.len(),
        "reference embeddings are stale: regenerate them"
    );
    let worst = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-5,
        "embeddings differ from the reference by up to {worst}"
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn shipped_model_matches_the_reference_embeddings() {
    if std::env::var_os("EARSHOT_WRITE_FIXTURES").is_some() {
        let bytes: Vec<u8> = embeddings().iter().flat_map(|v| v.to_le_bytes()).collect();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/model_embeddings.f32"
        );
        std::fs::write(path, bytes).unwrap();
    }
    check();
}
