//! Parity of the MFCC front end with librosa 0.11 on committed fixtures
//! (`scripts/fixtures/make_core_fixtures.py` made them; see docs/interfaces.md §1).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{compare, f32s, failures, parse_wav16, Expected};
use earshot_core::FeatureExtractor;
use earshot_core::{prepare, TARGET_SR};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn read_f32(path: &Path) -> Vec<f32> {
    f32s(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn expected(dir: &Path, name: &str, n_frames: usize, with_mel: bool) -> Expected {
    Expected {
        mfcc: read_f32(&dir.join(format!("{name}.mfcc.f32"))),
        d1: read_f32(&dir.join(format!("{name}.d1.f32"))),
        d2: read_f32(&dir.join(format!("{name}.d2.f32"))),
        clip: read_f32(&dir.join(format!("{name}.clip.f32"))),
        mel: with_mel.then(|| read_f32(&dir.join(format!("{name}.mel.f32")))),
        n_frames,
    }
}

#[test]
fn parity_with_librosa() {
    let fx = FeatureExtractor::default();
    let dir = fixtures().join("parity");
    let m = manifest();
    let items = m["parity"].as_array().unwrap();
    assert!(items.len() >= 15);
    let mut bad = Vec::new();
    for it in items {
        let name = it["name"].as_str().unwrap();
        let (sr, y) = parse_wav16(&std::fs::read(dir.join(format!("{name}.wav"))).unwrap());
        assert_eq!(sr, TARGET_SR);
        assert_eq!(y.len() as u64, it["n_samples"].as_u64().unwrap());
        let n_frames = it["n_frames"].as_u64().unwrap() as usize;
        let exp = expected(&dir, name, n_frames, it["mel"].as_bool().unwrap());
        assert_eq!(exp.mfcc.len(), n_frames * 100, "{name}");
        let r = compare(&fx, &y, &exp);
        println!("{name:22} {r}");
        bad.extend(failures(name, &r));
    }
    assert!(bad.is_empty(), "parity failures:\n{}", bad.join("\n"));
}

/// Clips that no committed test sees, when `scripts/fixtures/make_core_fixtures.py` has written
/// `.cache/unseen_fixtures/` (skipped otherwise, e.g. in CI). See the numbers with
/// `cargo test -p earshot-core --test parity -- --nocapture unseen`.
/// (a) same 22 050 Hz samples as librosa: the contract's tolerances (asserted);
/// (b) end to end from the file's own rate, the core's resampler (`prepare`) vs librosa's
///     soxr_hq: printed, and the clip vectors must keep a cosine of at least 0.9999.
#[test]
fn unseen_clips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/unseen_fixtures");
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        println!("no {} — skipped", dir.display());
        return;
    };
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fx = FeatureExtractor::default();
    let mut bad = Vec::new();
    for it in m["unseen"].as_array().unwrap() {
        let name = it["name"].as_str().unwrap();
        let n_frames = it["n_frames"].as_u64().unwrap() as usize;
        let exp = expected(&dir, name, n_frames, false);
        let y22 = read_f32(&dir.join(format!("{name}.y22.f32")));
        let r = compare(&fx, &y22, &exp);
        println!("{name:16} same samples: {r}");
        bad.extend(failures(name, &r));

        let native = read_f32(&dir.join(format!("{name}.native.f32")));
        let sr = it["native_sr"].as_u64().unwrap() as u32;
        let ours = prepare(&[native], sr).unwrap();
        let mm = fx.mfcc(&ours).unwrap();
        let clip = earshot_core::clip_vector(&mm);
        let frames = mm.n_frames.min(n_frames);
        let md = common::diff(&mm.data[..frames * 100], &exp.mfcc[..frames * 100]);
        println!(
            "{name:16} end to end ({sr} Hz, core resampler vs soxr_hq): len {} vs {}, frames {} vs {}, mfcc max {:.4} mean {:.5}, clip cos {:.7}",
            ours.len(),
            y22.len(),
            mm.n_frames,
            n_frames,
            md.max_abs,
            md.mean_abs,
            common::cosine(&clip, &exp.clip)
        );
        let cos = common::cosine(&clip, &exp.clip);
        if cos < 0.9999 {
            bad.push(format!("{name}: end-to-end clip cosine {cos}"));
        }
    }
    assert!(bad.is_empty(), "parity failures:\n{}", bad.join("\n"));
}
