//! The parity check of `tests/parity.rs` on one real clip, in a browser (wasm32):
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test -p earshot-core --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{compare, f32s, failures, parse_wav16, Expected};
use earshot_core::FeatureExtractor;
use earshot_core::{prepare, TARGET_SR};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! fixture {
    ($name:literal, $ext:literal) => {
        include_bytes!(concat!("fixtures/parity/", $name, $ext))
    };
}

#[wasm_bindgen_test]
fn real_clip_parity_in_the_browser() {
    let (sr, y) = parse_wav16(fixture!("drum_loop_amen", ".wav"));
    assert_eq!(sr, TARGET_SR);
    let exp = Expected {
        mfcc: f32s(fixture!("drum_loop_amen", ".mfcc.f32")),
        d1: f32s(fixture!("drum_loop_amen", ".d1.f32")),
        d2: f32s(fixture!("drum_loop_amen", ".d2.f32")),
        clip: f32s(fixture!("drum_loop_amen", ".clip.f32")),
        mel: Some(f32s(fixture!("drum_loop_amen", ".mel.f32"))),
        n_frames: 176,
    };
    let fx = FeatureExtractor::default();
    let r = compare(&fx, &y, &exp);
    let bad = failures("drum_loop_amen (wasm)", &r);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[wasm_bindgen_test]
fn short_clip_rule_in_the_browser() {
    let (_, y) = parse_wav16(fixture!("edge_few_frames", ".wav"));
    let exp = Expected {
        mfcc: f32s(fixture!("edge_few_frames", ".mfcc.f32")),
        d1: f32s(fixture!("edge_few_frames", ".d1.f32")),
        d2: f32s(fixture!("edge_few_frames", ".d2.f32")),
        clip: f32s(fixture!("edge_few_frames", ".clip.f32")),
        mel: Some(f32s(fixture!("edge_few_frames", ".mel.f32"))),
        n_frames: 7,
    };
    let r = compare(&FeatureExtractor::default(), &y, &exp);
    let bad = failures("edge_few_frames (wasm)", &r);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[wasm_bindgen_test]
fn prepare_resamples_in_the_browser() {
    let (sr, x) = parse_wav16(include_bytes!("fixtures/resample/from44100_breakbeat.wav"));
    let want = f32s(include_bytes!(
        "fixtures/resample/from44100_breakbeat.ref.f32"
    ));
    let got = prepare(&[x.clone(), x], sr).unwrap();
    assert_eq!(got.len(), want.len());
    // Full-band agreement with soxr VHQ, edges skipped (the native test checks the passband).
    let skip = 1100;
    let (mut s, mut e) = (0.0f64, 0.0f64);
    for (g, w) in got[skip..got.len() - skip]
        .iter()
        .zip(&want[skip..want.len() - skip])
    {
        s += f64::from(*w).powi(2);
        e += f64::from(g - w).powi(2);
    }
    let snr = 10.0 * (s / e).log10();
    assert!(snr > 60.0, "SNR {snr:.1} dB");
}

#[path = "model_parity.rs"]
mod model_parity;

#[wasm_bindgen_test]
fn shipped_model_embeddings_match_native_in_the_browser() {
    model_parity::check();
}
