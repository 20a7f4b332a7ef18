//! The CNN against PyTorch in a browser (wasm32), on one real clip: network alone and from the
//! WAV. `CHROMEDRIVER=/usr/bin/chromedriver
//!  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test -p earshot-core --features cnn --target wasm32-unknown-unknown --test cnn_wasm`
#![cfg(all(feature = "cnn", target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{cosine, f32s, parse_wav16};
use earshot_core::cnn::{block_embeddings, blocks, FrontEnd, Walnet, N_MELS};
use earshot_core::Frames;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const WEIGHTS: &[u8] = include_bytes!("../weights/walnet.safetensors");

/// The PyTorch embedding of guitar_em9's single block (from fixtures/cnn/walnet.json).
fn reference() -> Vec<f32> {
    let m: serde_json::Value =
        serde_json::from_slice(include_bytes!("fixtures/cnn/walnet.json")).unwrap();
    let clip = m["clips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "guitar_em9")
        .unwrap();
    clip["embeddings"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect()
}

#[wasm_bindgen_test]
fn cnn_matches_pytorch_in_the_browser() {
    let net = Walnet::from_safetensors(WEIGHTS).unwrap();
    let want = reference();
    // The network on PyTorch's own input.
    let data = f32s(include_bytes!("fixtures/cnn/guitar_em9.logmel.f32"));
    let mel = Frames {
        n_rows: N_MELS,
        n_frames: data.len() / N_MELS,
        data,
    };
    let (n, b) = blocks(&mel).unwrap();
    let got = net.embed_blocks(n, &b).unwrap();
    let cos = cosine(&got[0], &want);
    assert!(cos >= 0.9999, "network cosine {cos}");
    // From the WAV (22.05 kHz, resampled to 44.1 kHz).
    let (sr, x) = parse_wav16(include_bytes!("fixtures/parity/guitar_em9.wav"));
    let got = block_embeddings(&net, &FrontEnd::new(), &[x], sr).unwrap();
    let cos = cosine(&got[0], &want);
    assert!(cos >= 0.999, "end-to-end cosine {cos}");
}
