//! The aisfx CNN against PyTorch: fixtures from `scripts/cnn/make` (crates/core/tests/fixtures/cnn:
//! aisfx's own front end and network on real clips). Run with
//! `cargo test -p earshot-core --features cnn --test cnn`.
#![cfg(all(feature = "cnn", not(target_arch = "wasm32")))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{cosine, f32s, parse_wav16};
use earshot_core::cnn::{
    block_embeddings, blocks, clip_embedding, mean_of, n_frames, FrontEnd, Student, Walnet,
    EMBEDDING_DIM, N_MELS, SAMPLE_RATE,
};
use earshot_core::resample;
use earshot_core::Error;
use earshot_core::Frames;
use serde::{Deserialize, Serialize};

/// Per block, network alone (same input as PyTorch; f16 weights): measured ≥ 0.99999.
const MIN_COSINE_NET: f64 = 0.9999;
/// Per block, from the WAV (our front end and resampler; f16 weights).
const MIN_COSINE: f64 = 0.999;
/// Log-mel (normalised units, values 0…~0.9) at 44.1 kHz, where no resampling differs.
const LOGMEL_MAX_ABS_44K: f32 = 1e-4;
/// Log-mel of resampled clips (rubato vs soxr HQ): mean and max absolute difference.
const LOGMEL_MEAN_ABS: f32 = 2e-4;
const LOGMEL_MAX_ABS: f32 = 0.02;

#[derive(Deserialize)]
struct Manifest {
    clips: Vec<Clip>,
}

#[derive(Deserialize)]
struct Clip {
    name: String,
    sources: Vec<String>,
    source_rate: u32,
    n_samples_44k: usize,
    n_frames: usize,
    n_blocks: usize,
    embeddings: Vec<Vec<f32>>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

fn manifest() -> Manifest {
    let s = std::fs::read_to_string(fixtures().join("cnn/walnet.json")).unwrap();
    serde_json::from_str(&s).unwrap()
}

fn weights() -> &'static [u8] {
    static W: OnceLock<Vec<u8>> = OnceLock::new();
    W.get_or_init(|| std::fs::read(root().join("weights/walnet.safetensors")).unwrap())
}

fn net() -> &'static Walnet {
    static N: OnceLock<Walnet> = OnceLock::new();
    N.get_or_init(|| Walnet::from_safetensors(weights()).unwrap())
}

fn student() -> &'static Student {
    static S: OnceLock<Student> = OnceLock::new();
    S.get_or_init(|| {
        Student::from_safetensors(
            &std::fs::read(root().join("weights/student.safetensors")).unwrap(),
        )
        .unwrap()
    })
}

fn reference_log_mel(c: &Clip) -> Frames {
    let data = f32s(&std::fs::read(fixtures().join(format!("cnn/{}.logmel.f32", c.name))).unwrap());
    assert_eq!(data.len(), c.n_frames * N_MELS, "{}", c.name);
    Frames {
        n_rows: N_MELS,
        n_frames: c.n_frames,
        data,
    }
}

/// The clip's source WAVs, concatenated, at their own rate.
fn source(c: &Clip) -> (u32, Vec<f32>) {
    let mut y = Vec::new();
    for s in &c.sources {
        let (sr, x) = parse_wav16(&std::fs::read(fixtures().join(s)).unwrap());
        assert_eq!(sr, c.source_rate, "{s}");
        y.extend(x);
    }
    (c.source_rate, y)
}

#[test]
fn network_matches_pytorch_on_its_own_input() {
    let m = manifest();
    assert_eq!(m.clips.len(), 5);
    for c in &m.clips {
        let (n, b) = blocks(&reference_log_mel(c)).unwrap();
        assert_eq!(n, c.n_blocks, "{}", c.name);
        let got = net().embed_blocks(n, &b).unwrap();
        for (i, (g, want)) in got.iter().zip(&c.embeddings).enumerate() {
            assert_eq!(g.len(), EMBEDDING_DIM);
            let cos = cosine(g, want);
            println!("{} block {i}: network cosine {cos:.8}", c.name);
            assert!(cos >= MIN_COSINE_NET, "{} block {i}: cosine {cos}", c.name);
        }
    }
}

#[test]
fn wav_to_embedding_matches_pytorch() {
    let front = FrontEnd::new();
    for c in &manifest().clips {
        let (sr, x) = source(c);
        let y = resample(&x, sr, SAMPLE_RATE).unwrap();
        assert_eq!(y.len(), c.n_samples_44k, "{}", c.name);
        assert_eq!(n_frames(y.len()), c.n_frames, "{}", c.name);
        let mel = front.log_mel(&y).unwrap();
        let want = reference_log_mel(c);
        let d = common::diff(&mel.data, &want.data);
        println!(
            "{} ({sr} Hz): log-mel max |Δ| {:.2e}, mean |Δ| {:.2e}",
            c.name, d.max_abs, d.mean_abs
        );
        if sr == SAMPLE_RATE {
            assert!(d.max_abs <= LOGMEL_MAX_ABS_44K, "{}: {d:?}", c.name);
        } else {
            assert!(
                d.max_abs <= LOGMEL_MAX_ABS && d.mean_abs <= LOGMEL_MEAN_ABS,
                "{}: {d:?}",
                c.name
            );
        }
        let got = block_embeddings(net(), &front, &[x], sr).unwrap();
        assert_eq!(got.len(), c.n_blocks, "{}", c.name);
        for (i, (g, w)) in got.iter().zip(&c.embeddings).enumerate() {
            let cos = cosine(g, w);
            println!("{} block {i}: end-to-end cosine {cos:.8}", c.name);
            assert!(cos >= MIN_COSINE, "{} block {i}: cosine {cos}", c.name);
        }
        let clip = mean_of(&got);
        let cos = cosine(&clip, &mean_of(&c.embeddings));
        println!("{}: clip (mean of blocks) cosine {cos:.8}", c.name);
        assert!(cos >= MIN_COSINE, "{}", c.name);
    }
}

#[test]
fn short_and_bad_audio() {
    let front = FrontEnd::new();
    // One sample, a tenth of a second: one zero-padded block, a finite embedding.
    for n in [1usize, 2205] {
        let e = clip_embedding(net(), &front, &[vec![0.1; n]], 22_050).unwrap();
        assert_eq!(e.len(), EMBEDDING_DIM);
        assert!(e.iter().all(|v| v.is_finite()));
    }
    // Silence is fine too.
    assert!(clip_embedding(net(), &front, &[vec![0.0; 4410]], 44_100).is_ok());
    assert_eq!(
        clip_embedding(net(), &front, &[vec![]], 44_100),
        Err(Error::Empty)
    );
    assert_eq!(
        clip_embedding(net(), &front, &[], 44_100),
        Err(Error::Empty)
    );
    assert_eq!(
        clip_embedding(net(), &front, &[vec![0.0, f32::NAN]], 44_100),
        Err(Error::NonFinite(1))
    );
    assert!(clip_embedding(net(), &front, &[vec![0.0; 10]], 0).is_err());
    assert_eq!(front.log_mel(&[]), Err(Error::Empty));
    // Wrong block buffers.
    assert!(net().embed_blocks(0, &[]).is_err());
    assert!(net().embed_blocks(1, &[0.0; 10]).is_err());
    assert!(net()
        .embed_blocks(1, &vec![f32::NAN; 100 * N_MELS])
        .is_err());
    let wrong_bands = Frames {
        n_rows: 64,
        n_frames: 3,
        data: vec![0.0; 192],
    };
    assert!(blocks(&wrong_bands).is_err());
}

/// The header of a safetensors file, edited by `f`, in front of the same data.
fn with_header(f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let w = weights();
    let len = u64::from_le_bytes(w[..8].try_into().unwrap()) as usize;
    let mut h: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&w[8..8 + len]).unwrap();
    f(&mut h);
    let mut hb = serde_json::to_vec(&h).unwrap();
    while !hb.len().is_multiple_of(8) {
        hb.push(b' ');
    }
    let mut out = (hb.len() as u64).to_le_bytes().to_vec();
    out.extend(hb);
    out.extend(&w[8 + len..]);
    out
}

#[test]
fn bad_weights_are_errors() {
    assert!(Walnet::from_safetensors(&[]).is_err());
    assert!(Walnet::from_safetensors(b"not a safetensors file at all").is_err());
    assert!(Walnet::from_safetensors(&weights()[..1000]).is_err());
    // A missing tensor.
    let missing = with_header(|h| {
        let v = h.remove("conv_block3.bn2.running_var").unwrap();
        h.insert("renamed".into(), v);
    });
    let e = Walnet::from_safetensors(&missing).unwrap_err();
    assert!(e.to_string().contains("conv_block3.bn2.running_var"), "{e}");
    // Same number of values, wrong shape.
    let reshaped = with_header(|h| {
        h["conv_block1.conv1.weight"]["shape"] = serde_json::json!([64, 1, 9, 1]);
    });
    let e = Walnet::from_safetensors(&reshaped).unwrap_err();
    assert!(e.to_string().contains("shape"), "{e}");
    // Swapped tensors of different shapes.
    let swapped = with_header(|h| {
        let a = h["conv_block2.conv1.weight"].clone();
        h["conv_block2.conv1.weight"] = h["conv_block2.conv2.weight"].clone();
        h["conv_block2.conv2.weight"] = a;
    });
    assert!(Walnet::from_safetensors(&swapped).is_err());
}

/// Time for a 10 s clip at 22.05 kHz (resampling, front end, network):
/// `cargo test --release -p earshot-core --features cnn --test cnn -- --ignored --nocapture`.
#[test]
#[ignore]
fn time_ten_seconds() {
    let m = manifest();
    let c = m.clips.iter().find(|c| c.name == "concat6s").unwrap();
    let (sr, x) = source(c);
    let y: Vec<f32> = x.iter().chain(&x).copied().take(10 * sr as usize).collect();
    let front = FrontEnd::new();
    let _ = clip_embedding(net(), &front, std::slice::from_ref(&y), sr).unwrap();
    let t = std::time::Instant::now();
    let runs = 3;
    for _ in 0..runs {
        let e = block_embeddings(net(), &front, std::slice::from_ref(&y), sr).unwrap();
        assert_eq!(e.len(), 7);
    }
    println!(
        "10 s clip: {:.0} ms per clip (mean of {runs})",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
    );
}

/// The student's block embeddings of the fixture clips, natively: the reference its wasm build
/// must give (`tests/cnn_wasm.rs`). Regenerate after retraining the student with
/// `EARSHOT_WRITE_FIXTURES=1 cargo test -p earshot-core --features cnn --test cnn student`.
#[derive(Serialize, Deserialize)]
struct StudentClip {
    name: String,
    /// From the teacher's reference log-mel (the network alone).
    network: Vec<Vec<f32>>,
    /// From the WAV (resampler, front end, network).
    end_to_end: Vec<Vec<f32>>,
}

const STUDENT_FIXTURE: &str = "cnn/student.json";

fn student_clips() -> Vec<StudentClip> {
    let front = FrontEnd::new();
    manifest()
        .clips
        .iter()
        .map(|c| {
            let (n, b) = blocks(&reference_log_mel(c)).unwrap();
            let (sr, x) = source(c);
            StudentClip {
                name: c.name.clone(),
                network: student().embed_blocks(n, &b).unwrap(),
                end_to_end: block_embeddings(student(), &front, &[x], sr).unwrap(),
            }
        })
        .collect()
}

#[test]
fn student_matches_its_fixture() {
    let got = student_clips();
    let path = fixtures().join(STUDENT_FIXTURE);
    if std::env::var_os("EARSHOT_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, serde_json::to_string(&got).unwrap()).unwrap();
    }
    let want: Vec<StudentClip> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.name, w.name);
        for (a, b) in [(&g.network, &w.network), (&g.end_to_end, &w.end_to_end)] {
            assert_eq!(a.len(), b.len(), "{}", g.name);
            for (x, y) in a.iter().zip(b) {
                let cos = cosine(x, y);
                assert!(
                    cos >= MIN_COSINE_NET,
                    "{}: cosine {cos} to the fixture",
                    g.name
                );
            }
        }
    }
}

/// The student stands in for the teacher: on clips it never trained on, each clip's student
/// embedding (less the mean over the clips) is nearest the same clip's PyTorch teacher embedding.
#[test]
fn student_is_nearest_the_teacher_on_the_same_clip() {
    let m = manifest();
    let got = student_clips();
    let centred = |v: Vec<Vec<f32>>| -> Vec<Vec<f32>> {
        let mean = mean_of(&v);
        v.into_iter()
            .map(|x| x.iter().zip(&mean).map(|(a, b)| a - b).collect())
            .collect()
    };
    let teacher = centred(m.clips.iter().map(|c| mean_of(&c.embeddings)).collect());
    let student = centred(got.iter().map(|c| mean_of(&c.end_to_end)).collect());
    for (i, s) in student.iter().enumerate() {
        let cos: Vec<f64> = teacher.iter().map(|t| cosine(s, t)).collect();
        println!(
            "{}: centred cosine to each teacher clip {cos:.3?}",
            m.clips[i].name
        );
        let best = (0..cos.len())
            .max_by(|&a, &b| cos[a].total_cmp(&cos[b]))
            .unwrap();
        assert_eq!(
            best, i,
            "{}: nearest teacher clip {}",
            m.clips[i].name, m.clips[best].name
        );
    }
}

/// What the app shows of an audio query comes from the student's own front end, in the same
/// pass as its input: the 44.1 kHz signal, one spectrogram frame per log-mel frame, in dB.
#[test]
fn the_student_hears_a_sound_once_for_its_input_and_its_pictures() {
    let bytes = std::fs::read(root().join("weights/student.safetensors")).unwrap();
    let input = earshot_core::AudioInput::new(earshot_core::AudioKind::Student, Some(&bytes), None)
        .unwrap();
    let m = manifest();
    let c = &m.clips[0];
    let (sr, x) = source(c);
    let channels = [x.clone(), x];
    let heard = input.hear(&channels, sr).unwrap();
    assert_eq!(heard.input, input.input(&channels, sr).unwrap());
    assert_eq!(heard.rate, SAMPLE_RATE);
    assert_eq!(
        heard.samples.len(),
        earshot_core::resampled_len(channels[0].len(), sr, SAMPLE_RATE)
    );
    assert_eq!(heard.spectrogram.n_rows, N_MELS);
    assert_eq!(heard.spectrogram.n_frames, n_frames(heard.samples.len()));
    let front = FrontEnd::new();
    let log_mel = front.log_mel(&heard.samples).unwrap();
    let (lo, hi) = heard
        .spectrogram
        .data
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    assert!(lo >= 0.0 && hi > 20.0, "dB of 1e4·mel + 1: {lo} … {hi}");
    let peak = log_mel
        .data
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    assert!((hi - peak * 94.577_99).abs() < 1e-3 * hi, "{hi} vs {peak}");
    assert!(matches!(input.hear(&[], sr), Err(Error::Empty)));
}
