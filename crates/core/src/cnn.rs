//! The aisfx CNN ("Walnet", Ma & Lerch, ISMIR 2022; PyPI `aisfx` 0.1.2, weights CC-BY-4.0) as an
//! audio feature: its log-mel front end and its embedding network, matching PyTorch (the
//! reference and the fixtures come from `scripts/cnn/`, which also documents what aisfx does).
//!
//! Audio → mono, 44.1 kHz ([`audio::resample`]) → [`FrontEnd::log_mel`] (96-band log-mel, one
//! frame every 1024 samples) → [`blocks`] of 100 frames every 50 → [`Walnet::embed_blocks`]
//! (one 512-d vector per block) → [`clip_embedding`] (their mean).
//!
//! The network runs on candle (CPU; it compiles to wasm32). Weights are the safetensors file
//! `crates/core/weights/walnet.safetensors` (float16 or float32; the batch norms are folded into the
//! convolutions when it is loaded).

use std::collections::HashMap;
use std::sync::Arc;

use candle_core::{DType, Device, Tensor};
use realfft::{RealFftPlanner, RealToComplex};

use crate::audio;
use crate::features::Frames;
use crate::{Error, Result};

mod student;
pub use student::Student;
/// The student network's definition, for training it (`earshot distill`).
pub mod student_net {
    pub use super::student::{forward, macs_per_block, shapes, CONVS, WIDTH};
}

/// The rate the network was trained at.
pub const SAMPLE_RATE: u32 = 44_100;
/// Frame length of the front end (samples).
pub const FRAME: usize = 2048;
/// Hop of the front end (samples).
pub const HOP: usize = 1024;
/// Mel bands.
pub const N_MELS: usize = 96;
/// Frames per network input block (≈ 2.3 s).
pub const BLOCK_FRAMES: usize = 100;
/// Hop between blocks (frames).
pub const BLOCK_HOP: usize = 50;
/// Size of an embedding.
pub const EMBEDDING_DIM: usize = crate::input::WALNET_DIM;
/// aisfx's 'original' normalisation: the largest log-mel value of the paper's datasets.
pub const LOG_MEL_MAX: f64 = 9.457_798_957_824_707;
/// PyTorch's BatchNorm2d epsilon.
const BN_EPS: f64 = 1e-5;
/// Channels of the four conv blocks.
const CHANNELS: [usize; 5] = [1, 64, 128, 256, 512];

fn err(e: candle_core::Error) -> Error {
    Error::Invalid(format!("CNN: {e}"))
}

/// Number of frames [`FrontEnd::log_mel`] gives for `n` samples at 44.1 kHz: `ceil(n / 1024) + 1`
/// (Essentia's `FrameCutter` with frames centred on `k · 1024`, the last one starting before the
/// end), 0 for no samples.
pub fn n_frames(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        n.div_ceil(HOP) + 1
    }
}

/// Number of blocks of `n_frames` frames: aisfx's `blocking(…, 100, 50, drop_partial_block=True)`:
/// `ceil((n − 100) / 50 + 1)`, minus one when the last block would be partial, at least 1.
pub fn n_blocks(n_frames: usize) -> usize {
    if n_frames <= BLOCK_FRAMES {
        return 1;
    }
    let over = n_frames - BLOCK_FRAMES;
    // ceil(over / hop + 1) with a partial last block dropped is floor(over / hop) + 1.
    over / BLOCK_HOP + 1
}

/// The log-mel front end of aisfx (its Essentia pipeline), in `f64`.
pub struct FrontEnd {
    window: Vec<f64>,
    fft: Arc<dyn RealToComplex<f64>>,
    /// (first bin, weights) per band.
    mel: Vec<(usize, Vec<f64>)>,
}

impl std::fmt::Debug for FrontEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrontEnd").finish_non_exhaustive()
    }
}

impl Default for FrontEnd {
    fn default() -> Self {
        Self::new()
    }
}

/// HTK mel scale (Essentia's `htkMel`).
fn hz_to_mel(f: f64) -> f64 {
    1_127.010_48 * (1.0 + f / 700.0).ln()
}

fn mel_to_hz(m: f64) -> f64 {
    700.0 * ((m / 1_127.010_48).exp() - 1.0)
}

/// Essentia `MelBands(inputSize=1025, numberBands=96, sampleRate=44100, lowFrequencyBound=0,
/// highFrequencyBound=22050, warpingFormula="htkMel", weighting="warping", normalize="unit_sum")`:
/// triangles linear in mel between band edges equally spaced in mel, each row summing to 1.
fn mel_filters() -> Vec<(usize, Vec<f64>)> {
    let n_bins = FRAME / 2 + 1;
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(f64::from(SAMPLE_RATE) / 2.0));
    let step = (hi - lo) / (N_MELS + 1) as f64;
    let edges: Vec<f64> = (0..N_MELS + 2)
        .map(|i| mel_to_hz(lo + i as f64 * step))
        .collect();
    let bin_hz = (f64::from(SAMPLE_RATE) / 2.0) / (n_bins - 1) as f64;
    (0..N_MELS)
        .map(|i| {
            let (f0, f1, f2) = (edges[i], edges[i + 1], edges[i + 2]);
            let (m0, m1, m2) = (hz_to_mel(f0), hz_to_mel(f1), hz_to_mel(f2));
            // Essentia rounds the edges to bins (+0.5, truncated) and includes the last one.
            let first = (f0 / bin_hz + 0.5) as usize;
            let last = ((f2 / bin_hz + 0.5) as usize).min(n_bins - 1);
            let mut w: Vec<f64> = (first..=last)
                .map(|j| {
                    let f = j as f64 * bin_hz;
                    let m = hz_to_mel(f);
                    if f >= f0 && f < f1 {
                        (m - m0) / (m1 - m0)
                    } else if f >= f1 && f < f2 {
                        (m2 - m) / (m2 - m1)
                    } else {
                        0.0
                    }
                })
                .collect();
            let sum: f64 = w.iter().sum();
            if sum > 0.0 {
                w.iter_mut().for_each(|v| *v /= sum);
            }
            (first, w)
        })
        .collect()
}

impl FrontEnd {
    pub fn new() -> Self {
        // Essentia's Hann is symmetric: 0.5 − 0.5 cos(2πi / (N − 1)).
        let window = (0..FRAME)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (FRAME - 1) as f64).cos())
            .collect();
        Self {
            window,
            fft: RealFftPlanner::<f64>::new().plan_fft_forward(FRAME),
            mel: mel_filters(),
        }
    }

    /// The network's input: `log10(1e4 · mel + 1) / 9.4578` of mono 44.1 kHz audio, frame-major
    /// ([`N_MELS`] rows, [`n_frames`] frames). Empty or non-finite audio is an error.
    pub fn log_mel(&self, y: &[f32]) -> Result<Frames> {
        if y.is_empty() {
            return Err(Error::Empty);
        }
        let bad = y.iter().filter(|s| !s.is_finite()).count();
        if bad > 0 {
            return Err(Error::NonFinite(bad));
        }
        let n = n_frames(y.len());
        // Frame k covers samples k·HOP − FRAME/2 .. k·HOP + FRAME/2, zeros outside the clip.
        let pad = FRAME / 2;
        let mut padded = vec![0.0f64; pad + n * HOP + FRAME];
        for (p, &s) in padded[pad..].iter_mut().zip(y) {
            *p = f64::from(s);
        }
        let mut input = self.fft.make_input_vec();
        let mut spec = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut power = vec![0.0f64; spec.len()];
        let mut out = vec![0.0f32; n * N_MELS];
        for (k, dst) in out.chunks_exact_mut(N_MELS).enumerate() {
            let seg = &padded[k * HOP..k * HOP + FRAME];
            for ((i, &s), &w) in input.iter_mut().zip(seg).zip(&self.window) {
                *i = s * w;
            }
            self.fft
                .process_with_scratch(&mut input, &mut spec, &mut scratch)
                .map_err(|e| Error::Invalid(format!("FFT failed: {e}")))?;
            for (p, c) in power.iter_mut().zip(&spec) {
                *p = c.re * c.re + c.im * c.im;
            }
            for (d, (first, w)) in dst.iter_mut().zip(&self.mel) {
                let e: f64 = power[*first..first + w.len()]
                    .iter()
                    .zip(w)
                    .map(|(p, w)| p * w)
                    .sum();
                *d = ((1e4 * e + 1.0).log10() / LOG_MEL_MAX) as f32;
            }
        }
        Ok(Frames {
            n_rows: N_MELS,
            n_frames: n,
            data: out,
        })
    }
}

/// Cuts a log-mel ([`N_MELS`] rows) into the network's blocks: [`n_blocks`] blocks of
/// [`BLOCK_FRAMES`] × [`N_MELS`] values, block-major then frame-major, zero-padded at the end.
pub fn blocks(log_mel: &Frames) -> Result<(usize, Vec<f32>)> {
    if log_mel.n_rows != N_MELS {
        return Err(Error::Invalid(format!(
            "CNN: the log-mel has {} bands, the network takes {N_MELS}",
            log_mel.n_rows
        )));
    }
    if log_mel.n_frames == 0 || log_mel.data.len() != log_mel.n_frames * N_MELS {
        return Err(Error::Empty);
    }
    let nb = n_blocks(log_mel.n_frames);
    let size = BLOCK_FRAMES * N_MELS;
    let mut out = vec![0.0f32; nb * size];
    for (b, dst) in out.chunks_exact_mut(size).enumerate() {
        let start = b * BLOCK_HOP * N_MELS;
        let end = (start + size).min(log_mel.data.len());
        dst[..end - start].copy_from_slice(&log_mel.data[start..end]);
    }
    Ok((nb, out))
}

/// One conv → BN → ReLU layer with the batch norm folded in: `relu(conv(x, w) + b)`.
#[derive(Debug)]
struct Conv {
    weight: Tensor,
    bias: Tensor,
}

impl Conv {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.conv2d(&self.weight, 1, 1, 1, 1)?
            .broadcast_add(&self.bias)?
            .relu()
    }
}

/// The embedding network of aisfx (`EmbeddingNet('max', 3, 1, 64)`, PANNs `Cnn_9layers`).
#[derive(Debug)]
pub struct Walnet {
    /// conv1, conv2 of each of the four blocks.
    layers: Vec<(Conv, Conv)>,
    device: Device,
}

impl Walnet {
    /// Loads `crates/core/weights/walnet.safetensors` (tensors under their PyTorch names, f16 or f32). Missing
    /// tensors and wrong shapes are errors.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let device = Device::Cpu;
        let tensors = candle_core::safetensors::load_buffer(bytes, &device).map_err(err)?;
        let mut layers = Vec::with_capacity(4);
        for b in 0..4 {
            let (c_in, c_out) = (CHANNELS[b], CHANNELS[b + 1]);
            let p = format!("conv_block{}", b + 1);
            let conv1 = folded(&tensors, &p, 1, c_in, c_out)?;
            let conv2 = folded(&tensors, &p, 2, c_out, c_out)?;
            layers.push((conv1, conv2));
        }
        Ok(Self { layers, device })
    }

    /// Embeds `n` blocks (as [`blocks`] returns them): `n` × [`EMBEDDING_DIM`] values.
    pub fn embed_blocks(&self, n: usize, blocks: &[f32]) -> Result<Vec<Vec<f32>>> {
        check_blocks("CNN", n, blocks)?;
        let size = BLOCK_FRAMES * N_MELS;
        // One block at a time: the im2col buffers of a block are ~22 MB already.
        blocks
            .chunks_exact(size)
            .map(|b| self.embed_one(b).map_err(err))
            .collect()
    }

    fn embed_one(&self, block: &[f32]) -> candle_core::Result<Vec<f32>> {
        // (batch, channel, time, frequency)
        let mut x = Tensor::from_slice(block, (1, 1, BLOCK_FRAMES, N_MELS), &self.device)?;
        for (i, (c1, c2)) in self.layers.iter().enumerate() {
            x = c2.forward(&c1.forward(&x)?)?;
            if i < 3 {
                x = x.max_pool2d(2)?;
            }
        }
        // Mean over frequency, then max over time.
        x.mean(3)?.max(2)?.flatten_all()?.to_vec1::<f32>()
    }
}

impl BlockNet for Walnet {
    fn embed_blocks(&self, n: usize, blocks: &[f32]) -> Result<Vec<Vec<f32>>> {
        Walnet::embed_blocks(self, n, blocks)
    }
}

impl BlockNet for Student {
    fn embed_blocks(&self, n: usize, blocks: &[f32]) -> Result<Vec<Vec<f32>>> {
        Student::embed_blocks(self, n, blocks)
    }
}

/// A network from log-mel [`blocks`] to one [`EMBEDDING_DIM`] vector per block: the aisfx
/// network ([`Walnet`]) or its distilled [`Student`].
pub trait BlockNet: Send + Sync {
    fn embed_blocks(&self, n: usize, blocks: &[f32]) -> Result<Vec<Vec<f32>>>;
}

/// Embeddings of every block of a mono 44.1 kHz clip.
pub fn embed_audio(net: &dyn BlockNet, front: &FrontEnd, y44: &[f32]) -> Result<Vec<Vec<f32>>> {
    let mel = front.log_mel(y44)?;
    let (n, b) = blocks(&mel)?;
    net.embed_blocks(n, &b)
}

/// Reads `{prefix}.conv{i}.weight` and `{prefix}.bn{i}.*` and folds the batch norm (eval mode)
/// into the convolution: `w' = w · γ / √(var + ε)`, `b' = β − mean · γ / √(var + ε)`.
fn folded(
    t: &HashMap<String, Tensor>,
    prefix: &str,
    i: usize,
    c_in: usize,
    c_out: usize,
) -> Result<Conv> {
    let get = |name: String, shape: &[usize]| -> Result<Tensor> {
        let v = t
            .get(&name)
            .ok_or_else(|| Error::Invalid(format!("CNN weights: no tensor {name}")))?;
        if v.dims() != shape {
            return Err(Error::Invalid(format!(
                "CNN weights: {name} has shape {:?}, expected {shape:?}",
                v.dims()
            )));
        }
        v.to_dtype(DType::F32).map_err(err)
    };
    let w = get(format!("{prefix}.conv{i}.weight"), &[c_out, c_in, 3, 3])?;
    let bn = |k: &str| get(format!("{prefix}.bn{i}.{k}"), &[c_out]);
    let (gamma, beta, mean, var) = (
        bn("weight")?,
        bn("bias")?,
        bn("running_mean")?,
        bn("running_var")?,
    );
    let fold = || -> candle_core::Result<Conv> {
        let scale = gamma.div(&var.affine(1.0, BN_EPS)?.sqrt()?)?;
        let weight = w.broadcast_mul(&scale.reshape((c_out, 1, 1, 1))?)?;
        let bias = beta.sub(&mean.mul(&scale)?)?.reshape((1, c_out, 1, 1))?;
        Ok(Conv { weight, bias })
    };
    let conv = fold().map_err(err)?;
    if !all_finite(&conv.weight).map_err(err)? || !all_finite(&conv.bias).map_err(err)? {
        return Err(Error::Invalid(format!(
            "CNN weights: {prefix} layer {i} is not finite"
        )));
    }
    Ok(conv)
}

/// Whether every value of an f32 tensor is finite.
fn all_finite(x: &Tensor) -> candle_core::Result<bool> {
    Ok(x.flatten_all()?
        .to_vec1::<f32>()?
        .iter()
        .all(|v| v.is_finite()))
}

/// `blocks` must be `n` ≥ 1 finite blocks of [`BLOCK_FRAMES`] × [`N_MELS`]; `what` names the
/// network in the error.
fn check_blocks(what: &str, n: usize, blocks: &[f32]) -> Result<()> {
    if n == 0 || blocks.len() != n * BLOCK_FRAMES * N_MELS {
        return Err(Error::Invalid(format!(
            "{what}: {} values are not {n} blocks of {BLOCK_FRAMES} × {N_MELS}",
            blocks.len()
        )));
    }
    if blocks.iter().any(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!("{what}: the input is not finite")));
    }
    Ok(())
}

/// Validates a decoded clip, mixes it down, resamples it to 44.1 kHz and returns its per-block
/// embeddings.
pub fn block_embeddings(
    net: &dyn BlockNet,
    front: &FrontEnd,
    channels: &[Vec<f32>],
    sample_rate: u32,
) -> Result<Vec<Vec<f32>>> {
    let h = prepared(front, channels, sample_rate)?;
    net.embed_blocks(h.n_blocks, &h.blocks)
}

/// A decoded clip as the network's front end prepares it ([`prepared`]).
pub(crate) struct Prepared {
    /// Mono, 44.1 kHz.
    pub samples: Vec<f32>,
    pub log_mel: Frames,
    /// The network's [`blocks`] of the log-mel: how many, and their values.
    pub n_blocks: usize,
    pub blocks: Vec<f32>,
}

/// A decoded clip validated, mixed down and resampled to 44.1 kHz, with its log-mel and the
/// network's blocks of it: everything before the network.
pub(crate) fn prepared(
    front: &FrontEnd,
    channels: &[Vec<f32>],
    sample_rate: u32,
) -> Result<Prepared> {
    audio::validate(channels, sample_rate)?;
    let mono = audio::mix_to_mono(channels)?;
    let samples = audio::resample(&mono, sample_rate, SAMPLE_RATE)?;
    let log_mel = front.log_mel(&samples)?;
    let (n_blocks, blocks) = blocks(&log_mel)?;
    Ok(Prepared {
        samples,
        log_mel,
        n_blocks,
        blocks,
    })
}

/// [`FrontEnd::log_mel`] in dB (`10 · log10(1e4 · mel + 1)`), for drawing it as the MFCC's mel
/// spectrogram is drawn.
pub fn log_mel_db(mut log_mel: Frames) -> Frames {
    let scale = (10.0 * LOG_MEL_MAX) as f32;
    for v in &mut log_mel.data {
        *v *= scale;
    }
    log_mel
}

/// The clip's CNN feature: the mean of its block embeddings ([`EMBEDDING_DIM`] values).
pub fn clip_embedding(
    net: &dyn BlockNet,
    front: &FrontEnd,
    channels: &[Vec<f32>],
    sample_rate: u32,
) -> Result<Vec<f32>> {
    let e = block_embeddings(net, front, channels, sample_rate)?;
    Ok(mean_of(&e))
}

/// Mean of equally long vectors (empty for none).
pub fn mean_of(v: &[Vec<f32>]) -> Vec<f32> {
    let Some(first) = v.first() else {
        return Vec::new();
    };
    let mut acc = vec![0.0f64; first.len()];
    for e in v {
        for (a, &x) in acc.iter_mut().zip(e) {
            *a += f64::from(x);
        }
    }
    let n = v.len() as f64;
    acc.into_iter().map(|a| (a / n) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_and_block_counts() {
        // Measured with Essentia's streaming FrameCutter(2048, 1024).
        for (n, f) in [
            (1, 2),
            (1024, 2),
            (1025, 3),
            (2048, 3),
            (2049, 4),
            (88200, 88),
        ] {
            assert_eq!(n_frames(n), f, "{n}");
        }
        assert_eq!(n_frames(0), 0);
        // aisfx blocking(…, 100, 50, True)
        for (f, b) in [
            (1, 1),
            (34, 1),
            (100, 1),
            (101, 1),
            (149, 1),
            (150, 2),
            (260, 4),
        ] {
            assert_eq!(n_blocks(f), b, "{f}");
        }
    }

    #[test]
    fn mel_rows_sum_to_one() {
        for (i, (_, w)) in mel_filters().iter().enumerate() {
            let s: f64 = w.iter().sum();
            assert!((s - 1.0).abs() < 1e-12, "band {i}: {s}");
        }
    }
}
