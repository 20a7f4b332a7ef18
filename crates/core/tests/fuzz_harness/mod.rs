//! What each fuzz target does with one input; shared by the cargo-fuzz targets in fuzz/ (which
//! include this file) and by the regression test `fuzz_regressions.rs`, which replays every
//! input the fuzzers found. Each function must return, not panic, for any input: errors are
//! fine, panics, hangs and unbounded allocations are bugs.

#![allow(dead_code)]

use earshot_core::Model;
use earshot_core::Vocabulary;
use earshot_core::{Index, Metric};

/// Arbitrary samples through the CLI's audio path: validate, mix down, resample to 22 050 Hz,
/// MFCC clip vector. Input: sample rate (u32 LE), channel count byte (`% 8 + 1`), then
/// interleaved f32 LE samples.
pub fn features(data: &[u8]) {
    let Some((head, body)) = data.split_first_chunk::<5>() else {
        return;
    };
    let rate = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let n_ch = usize::from(head[4] % 8) + 1;
    let samples: Vec<f32> = body
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let frames = samples.len() / n_ch;
    let channels: Vec<Vec<f32>> = (0..n_ch)
        .map(|c| (0..frames).map(|i| samples[i * n_ch + c]).collect())
        .collect();
    let Ok(y) = earshot_core::prepare(&channels, rate) else {
        return;
    };
    static EXTRACTOR: std::sync::OnceLock<earshot_core::FeatureExtractor> =
        std::sync::OnceLock::new();
    let extractor = EXTRACTOR.get_or_init(Default::default);
    if let Ok(v) = extractor.clip_vector_of(&y) {
        assert_eq!(v.len(), 300);
        assert!(v.iter().all(|x| x.is_finite()), "non-finite clip vector");
    }
}

/// Arbitrary bytes as model JSON; a model that loads must embed a clip vector and a text vector.
pub fn model_json(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = Model::from_json(json) else {
        return;
    };
    let clip = vec![0.5f32; model.audio_dim()];
    if let Ok(e) = model.embed_audio(&clip) {
        assert_eq!(e.len(), model.output_dim());
    }
    let text = vec![0.1f32; model.text_dim];
    if let Ok(e) = model.embed_text(&text) {
        assert_eq!(e.len(), model.output_dim());
    }
}

/// Arbitrary bytes as an index file; an index that loads must answer top-k and kNN queries.
pub fn index(data: &[u8]) {
    let Ok(index) = Index::from_bytes(data) else {
        return;
    };
    let query = vec![0.25f32; index.dim];
    for metric in [Metric::ExpL2, Metric::Cosine] {
        let hits = index.top_k(&query, 5, metric);
        assert!(hits.is_ok_and(|h| h.len() == 5.min(index.len())));
    }
    let _ = index.knn_labels(&query, 3);
    assert!(index
        .top_k(&query[..query.len() / 2], 5, Metric::ExpL2)
        .is_err());
}

/// First byte even: the rest as a vocabulary file. Odd: the rest (lossy UTF-8) as a query
/// against `shipped` (pkg/vocab.bin): tokenize and embed give words or an error.
pub fn text(data: &[u8], shipped: &Vocabulary) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        if let Ok(v) = Vocabulary::from_bytes(rest) {
            if let Some(w) = v.words().first().cloned() {
                let _ = v.embed(&w);
                let _ = v.nearest(v.row(0), 3);
            }
        }
        return;
    }
    let text = String::from_utf8_lossy(rest);
    let tokens = shipped.tokenize(&text);
    assert!(tokens.iter().all(|t| !t.is_empty()));
    if let Ok(v) = shipped.embed(&text) {
        assert_eq!(v.vector.len(), shipped.dim());
        assert!(v.vector.iter().all(|x| x.is_finite()));
        assert!(!v.known.is_empty());
    }
}

/// The vocabulary the app ships, for [`text`].
pub fn shipped_vocab(repo_root: &std::path::Path) -> Vocabulary {
    let bytes = std::fs::read(repo_root.join("pkg/vocab.bin")).unwrap_or_default();
    match Vocabulary::from_bytes(&bytes) {
        Ok(v) => v,
        Err(e) => panic!("pkg/vocab.bin: {e}"),
    }
}

/// First byte picks a file name (extension hint); the rest goes through header sniffing and the
/// symphonia decoder the CLI and the app's worker use, then the audio path if it decoded.
pub fn decode(data: &[u8]) {
    const NAMES: [&str; 5] = ["a.wav", "a.flac", "a.ogg", "a.mp3", "noext"];
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let _ = earshot_core::probe(bytes);
    let name = NAMES[usize::from(pick) % NAMES.len()];
    if let Ok(d) = earshot_core::decode_bytes(bytes.to_vec(), name) {
        assert!(d.n_samples() > 0);
        let _ = earshot_core::prepare(&d.channels, d.sample_rate);
    }
}
