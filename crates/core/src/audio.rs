//! Audio preparation per CONTRACT §1: validate, mix down to mono (mean of channels), resample to
//! 22 050 Hz with a band-limited resampler (untouched when already at 22 050 Hz).
//! STUB: signatures fixed, bodies being written.

use crate::{Error, Result};

/// The sample rate every feature is computed at.
pub const TARGET_SR: u32 = 22_050;

/// Mean of the channels (planar input: one `Vec` per channel, equal lengths).
pub fn mix_to_mono(channels: &[Vec<f32>]) -> Result<Vec<f32>> {
    let first = channels.first().ok_or(Error::Empty)?;
    if channels.iter().any(|c| c.len() != first.len()) {
        return Err(Error::RaggedChannels);
    }
    let n = channels.len() as f32;
    Ok((0..first.len())
        .map(|i| channels.iter().map(|c| c[i]).sum::<f32>() / n)
        .collect())
}

/// Band-limited resampling of a mono signal from `from` Hz to `to` Hz.
pub fn resample(x: &[f32], from: u32, to: u32) -> Result<Vec<f32>> {
    if from == to {
        return Ok(x.to_vec());
    }
    Err(Error::Resample(format!("not implemented yet ({from} -> {to})")))
}

/// Validate (non-empty, finite, sane rate), mix down and resample to [`TARGET_SR`].
pub fn prepare(channels: &[Vec<f32>], sample_rate: u32) -> Result<Vec<f32>> {
    let mono = mix_to_mono(channels)?;
    resample(&mono, sample_rate, TARGET_SR)
}
