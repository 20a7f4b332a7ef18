//! The CNN against PyTorch in a browser (wasm32), on one real clip: network alone and from the
//! WAV; the student against its native embeddings (`fixtures/cnn/student.json`, written by
//! `tests/cnn.rs`) on every fixture clip. `CHROMEDRIVER=/usr/bin/chromedriver
//!  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!  cargo test -p earshot-core --features cnn --target wasm32-unknown-unknown --test cnn_wasm`
#![cfg(all(feature = "cnn", target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{cosine, f32s, parse_wav16};
use earshot_core::cnn::{block_embeddings, blocks, FrontEnd, Student, Walnet, N_MELS};
use earshot_core::Frames;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const WEIGHTS: &[u8] = include_bytes!("../weights/walnet.safetensors");
const STUDENT: &[u8] = include_bytes!("../weights/student.safetensors");
/// Wasm against native: the same code and weights, only the float arithmetic's order may differ.
const MIN_COSINE_NATIVE: f64 = 0.9999;

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

fn log_mel(data: Vec<f32>) -> Frames {
    Frames {
        n_rows: N_MELS,
        n_frames: data.len() / N_MELS,
        data,
    }
}

#[wasm_bindgen_test]
fn student_matches_native_in_the_browser() {
    let net = Student::from_safetensors(STUDENT).unwrap();
    let fixture: serde_json::Value =
        serde_json::from_slice(include_bytes!("fixtures/cnn/student.json")).unwrap();
    let native = |name: &str, key: &str| -> Vec<Vec<f32>> {
        let clip = fixture
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        serde_json::from_value(clip[key].clone()).unwrap()
    };
    let check = |name: &str, key: &str, got: Vec<Vec<f32>>| {
        let want = native(name, key);
        assert_eq!(got.len(), want.len(), "{name} {key}");
        for (g, w) in got.iter().zip(&want) {
            let cos = cosine(g, w);
            assert!(cos >= MIN_COSINE_NATIVE, "{name} {key}: cosine {cos}");
        }
    };
    macro_rules! network {
        ($name:literal) => {{
            let mel = log_mel(f32s(include_bytes!(concat!(
                "fixtures/cnn/",
                $name,
                ".logmel.f32"
            ))));
            let (n, b) = blocks(&mel).unwrap();
            check($name, "network", net.embed_blocks(n, &b).unwrap());
        }};
    }
    network!("breakbeat44k");
    network!("choir48k");
    network!("guitar_em9");
    network!("drum_loop_amen");
    network!("concat6s");
    let front = FrontEnd::new();
    for (name, wav) in [
        (
            "guitar_em9",
            &include_bytes!("fixtures/parity/guitar_em9.wav")[..],
        ),
        (
            "choir48k",
            &include_bytes!("fixtures/resample/from48000_choir.wav")[..],
        ),
    ] {
        let (sr, x) = parse_wav16(wav);
        check(
            name,
            "end_to_end",
            block_embeddings(&net, &front, &[x], sr).unwrap(),
        );
    }
}
