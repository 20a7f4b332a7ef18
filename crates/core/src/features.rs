//! librosa-exact MFCC front end per CONTRACT §1. STUB: signatures fixed, bodies being written.

use crate::Result;

/// A feature matrix stored frame-major: `data[frame * n_rows + row]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frames {
    pub n_rows: usize,
    pub n_frames: usize,
    pub data: Vec<f32>,
}

impl Frames {
    pub fn frame(&self, i: usize) -> &[f32] {
        &self.data[i * self.n_rows..(i + 1) * self.n_rows]
    }
}

/// Parameters of CONTRACT §1 (`Default` is exactly the contract).
#[derive(Debug, Clone, PartialEq)]
pub struct MfccConfig {
    pub sample_rate: u32,
    pub n_mfcc: usize,
    pub n_fft: usize,
    pub win_length: usize,
    pub hop_length: usize,
    pub n_mels: usize,
    pub top_db: f32,
}

impl Default for MfccConfig {
    fn default() -> Self {
        Self {
            sample_rate: 22_050,
            n_mfcc: 100,
            n_fft: 1024,
            win_length: 551,
            hop_length: 220,
            n_mels: 128,
            top_db: 80.0,
        }
    }
}

/// Precomputed window, FFT plan, mel basis and DCT; reuse it across clips.
pub struct FeatureExtractor {
    pub config: MfccConfig,
}

impl FeatureExtractor {
    pub fn new(config: MfccConfig) -> Self {
        Self { config }
    }
    /// Log-mel spectrogram in dB (`n_mels` rows), after `power_to_db(ref=1, amin=1e-10, top_db)`.
    pub fn mel_db(&self, _y: &[f32]) -> Result<Frames> {
        Err(crate::Error::Invalid("not implemented yet".into()))
    }
    /// MFCC (`n_mfcc` rows).
    pub fn mfcc(&self, _y: &[f32]) -> Result<Frames> {
        Err(crate::Error::Invalid("not implemented yet".into()))
    }
}

/// librosa.feature.delta(width=9, order, mode="interp").
pub fn delta(m: &Frames, _order: usize) -> Frames {
    m.clone()
}

/// The 300-d clip vector: mean over frames of [MFCC; Δ; ΔΔ].
pub fn clip_vector(mfcc: &Frames) -> Vec<f32> {
    vec![0.0; mfcc.n_rows * 3]
}
