//! Shared helpers of the parity tests (native and wasm): fixture decoding and comparisons.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use earshot_core::{clip_vector, delta, FeatureExtractor, Frames};

/// Tolerances of the parity contract (per value, in the units of the feature).
pub const MAX_ABS: f32 = 0.05;
pub const MEAN_ABS: f32 = 0.005;
pub const MIN_COSINE: f64 = 0.9999;
/// mel_db (per band, dB): tighter than the MFCC (measured ~1e-5 dB).
pub const MEL_MAX_ABS: f32 = 0.01;
pub const MEL_MEAN_ABS: f32 = 0.001;

/// Decodes a mono 16-bit PCM WAV (as written by soundfile) to (sample_rate, samples / 32768).
pub fn parse_wav16(b: &[u8]) -> (u32, Vec<f32>) {
    assert!(
        b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WAVE",
        "not a WAV file"
    );
    let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut pos = 12;
    let mut rate = 0;
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32_at(pos + 4) as usize;
        let body = pos + 8;
        if id == b"fmt " {
            assert_eq!(u16_at(body), 1, "PCM");
            assert_eq!(u16_at(body + 2), 1, "mono");
            assert_eq!(u16_at(body + 14), 16, "16-bit");
            rate = u32_at(body + 4);
        } else if id == b"data" {
            let data = &b[body..body + len];
            let x = data
                .chunks_exact(2)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                .collect();
            return (rate, x);
        }
        pos = body + len + (len & 1);
    }
    panic!("no data chunk");
}

/// Raw little-endian f32.
pub fn f32s(b: &[u8]) -> Vec<f32> {
    assert_eq!(b.len() % 4, 0);
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[derive(Debug, Clone, Copy)]
pub struct Diff {
    pub max_abs: f32,
    pub mean_abs: f32,
}

pub fn diff(a: &[f32], b: &[f32]) -> Diff {
    assert_eq!(a.len(), b.len(), "lengths differ");
    let mut max = 0.0f32;
    let mut sum = 0.0f64;
    for (x, y) in a.iter().zip(b) {
        let d = (x - y).abs();
        max = max.max(d);
        sum += f64::from(d);
    }
    Diff {
        max_abs: max,
        mean_abs: (sum / a.len().max(1) as f64) as f32,
    }
}

pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 && bb == 0.0 {
        return 1.0;
    }
    ab / (aa.sqrt() * bb.sqrt())
}

/// librosa's answers for one signal (frame-major, as stored).
pub struct Expected {
    pub mfcc: Vec<f32>,
    pub d1: Vec<f32>,
    pub d2: Vec<f32>,
    pub clip: Vec<f32>,
    pub mel: Option<Vec<f32>>,
    pub n_frames: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub n_frames: usize,
    pub mfcc: Diff,
    pub d1: Diff,
    pub d2: Diff,
    pub clip: Diff,
    pub cosine: f64,
    pub mel: Option<Diff>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "frames {:4}  mfcc max {:.5} mean {:.6} | d1 max {:.5} mean {:.6} | d2 max {:.5} mean {:.6} | clip max {:.5} cos {:.9}",
            self.n_frames,
            self.mfcc.max_abs,
            self.mfcc.mean_abs,
            self.d1.max_abs,
            self.d1.mean_abs,
            self.d2.max_abs,
            self.d2.mean_abs,
            self.clip.max_abs,
            self.cosine
        )?;
        if let Some(m) = self.mel {
            write!(f, " | mel max {:.5} mean {:.6}", m.max_abs, m.mean_abs)?;
        }
        Ok(())
    }
}

/// Runs the core on `y` and compares everything with `exp`.
pub fn compare(fx: &FeatureExtractor, y: &[f32], exp: &Expected) -> Report {
    let mel = fx.mel_db(y).expect("mel_db");
    let m = fx.mfcc_from_mel_db(&mel).expect("mfcc");
    assert_eq!(m.n_frames, exp.n_frames, "n_frames");
    assert_eq!(m.n_rows, 100);
    let direct: Frames = fx.mfcc(y).expect("mfcc");
    assert_eq!(direct, m, "mfcc() and mfcc_from_mel_db() agree");
    let d1 = delta(&m, 1);
    let d2 = delta(&m, 2);
    let clip = clip_vector(&m);
    assert_eq!(clip.len(), 300);
    Report {
        n_frames: m.n_frames,
        mfcc: diff(&m.data, &exp.mfcc),
        d1: diff(&d1.data, &exp.d1),
        d2: diff(&d2.data, &exp.d2),
        clip: diff(&clip, &exp.clip),
        cosine: cosine(&clip, &exp.clip),
        mel: exp.mel.as_ref().map(|e| diff(&mel.data, e)),
    }
}

/// The contract's tolerances; returns the failures (empty when all hold).
pub fn failures(name: &str, r: &Report) -> Vec<String> {
    let mut bad = Vec::new();
    for (what, d) in [("mfcc", r.mfcc), ("delta", r.d1), ("delta2", r.d2)] {
        if d.max_abs > MAX_ABS || d.mean_abs > MEAN_ABS {
            bad.push(format!(
                "{name}: {what} max {} mean {}",
                d.max_abs, d.mean_abs
            ));
        }
    }
    if r.cosine < MIN_COSINE {
        bad.push(format!("{name}: clip cosine {}", r.cosine));
    }
    if let Some(d) = r.mel {
        if d.max_abs > MEL_MAX_ABS || d.mean_abs > MEL_MEAN_ABS {
            bad.push(format!(
                "{name}: mel_db max {} mean {}",
                d.max_abs, d.mean_abs
            ));
        }
    }
    bad
}
