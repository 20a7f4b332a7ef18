//! Audio preparation per docs/interfaces.md §1: validate, mix down to mono (mean of channels), resample to
//! 22 050 Hz with a band-limited resampler (untouched when already at 22 050 Hz).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

use crate::{Error, Result};

/// The sample rate every feature is computed at.
pub const TARGET_SR: u32 = 22_050;

/// Lowest input sample rate [`prepare`] accepts.
pub const MIN_SR: u32 = 1_000;
/// Highest input sample rate [`prepare`] accepts.
pub const MAX_SR: u32 = 768_000;

/// Longest audio accepted, in seconds (CLI and app): 20 minutes. Longer input is refused with
/// [`Error::TooLong`], while decoding as soon as it passes the limit, so memory stays bounded.
pub const MAX_SECONDS: u32 = 20 * 60;
/// Most decoded samples, all channels together, held at once: 20 minutes of 48 kHz stereo
/// (460 MB of `f32`). High rates and many channels reach it before [`MAX_SECONDS`]
/// ([`Error::TooManySamples`]).
pub const MAX_SAMPLES: u64 = MAX_SECONDS as u64 * 48_000 * 2;
/// Largest sample magnitude accepted: 10⁶, 120 dB above full scale. Float files can hold any
/// value; far larger ones overflow the resampler's `f32` FFT ([`Error::Amplitude`]).
pub const MAX_AMPLITUDE: f32 = 1.0e6;
/// Largest encoded file accepted, in bytes: 1 GiB ([`Error::TooLarge`]), refused before reading.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Checks `frames` frames of `channels` channels at `sample_rate` against [`MAX_SECONDS`] and
/// [`MAX_SAMPLES`]. `exact` says whether `frames` is the whole length (else it is a prefix, and
/// the error does not state a length).
pub fn check_length(frames: u64, sample_rate: u32, channels: usize, exact: bool) -> Result<()> {
    if sample_rate > 0 && frames > u64::from(MAX_SECONDS) * u64::from(sample_rate) {
        let seconds = frames as f64 / f64::from(sample_rate);
        return Err(Error::TooLong(exact.then_some(seconds)));
    }
    if frames.saturating_mul(channels as u64) > MAX_SAMPLES {
        return Err(Error::TooManySamples);
    }
    Ok(())
}

/// Target FFT block, in samples at the lower of the two rates, of the resampler. The
/// anti-aliasing filter (windowed sinc, BlackmanHarris² window) is one block long, so this sets
/// its transition band. 310 reproduces the response of soxr "HQ", which `librosa.load(sr=22050)`
/// uses: flat (< 0.005 dB) to 0.925 × Nyquist, −0.9 dB at 0.943, −10.5 dB at 0.96, −42 dB at
/// 0.98, −123 dB at Nyquist (soxr HQ: < 0.02, −1.2, −9.1, −32, −99 dB). Longer blocks keep more
/// of the top band than librosa does and shift the top mel bands by several dB; shorter ones cut
/// into the passband. The block is a multiple of the rates' minimum block (147 at 48 and 96 kHz,
/// so those get 294) and even on both sides, which keeps the delay a whole number of samples.
const RESAMPLER_BLOCK: usize = 310;

/// Mean of the channels (planar input: one `Vec` per channel, equal lengths).
///
/// One channel is returned unchanged; otherwise the sum is accumulated in `f64`.
pub fn mix_to_mono(channels: &[Vec<f32>]) -> Result<Vec<f32>> {
    let first = channels.first().ok_or(Error::Empty)?;
    if channels.iter().any(|c| c.len() != first.len()) {
        return Err(Error::RaggedChannels);
    }
    if channels.len() == 1 {
        return Ok(first.clone());
    }
    let mut acc = vec![0.0f64; first.len()];
    for ch in channels {
        for (a, &s) in acc.iter_mut().zip(ch) {
            *a += f64::from(s);
        }
    }
    let n = channels.len() as f64;
    Ok(acc.into_iter().map(|a| (a / n) as f32).collect())
}

/// Number of samples [`resample`] returns for `n` input samples: `round(n * to / from)`
/// (halves away from zero), but at least 1 for non-empty input so that no audio vanishes.
pub fn resampled_len(n: usize, from: u32, to: u32) -> usize {
    if n == 0 || from == 0 {
        return 0;
    }
    let num = n as u128 * u128::from(to);
    let den = u128::from(from);
    let rounded = (2 * num + den) / (2 * den);
    (rounded as usize).max(1)
}

/// Band-limited resampling of a mono signal from `from` Hz to `to` Hz.
///
/// Uses rubato's synchronous FFT resampler (a windowed-sinc anti-aliasing filter applied in the
/// frequency domain; fixed ratio `to / from`), with a filter chosen to match librosa's default
/// (soxr HQ) frequency response (see `RESAMPLER_BLOCK` in the source).
/// The resampler's delay is removed, so output sample `k` is at time `k / to` like input sample
/// `i` is at `i / from`, and the output has exactly [`resampled_len`] samples. `from == to`
/// returns a copy; empty input gives empty output. Rates that share only a small common divisor
/// with `to` need long FFT blocks (44 101 Hz → 22 050 Hz: 88 202 samples): still exact, slower.
pub fn resample(x: &[f32], from: u32, to: u32) -> Result<Vec<f32>> {
    resample_with_block(x, from, to, RESAMPLER_BLOCK)
}

/// [`resample`] with another target FFT block (in samples at the lower rate); for experiments.
#[doc(hidden)]
pub fn resample_with_block(x: &[f32], from: u32, to: u32, block: usize) -> Result<Vec<f32>> {
    if from == 0 {
        return Err(Error::SampleRate(from));
    }
    if to == 0 {
        return Err(Error::SampleRate(to));
    }
    if from == to || x.is_empty() {
        return Ok(x.to_vec());
    }
    // The FFT resampler panics on the NaN that overflowing samples would produce.
    if x.iter().any(|s| !s.is_finite()) {
        return Err(Error::NonFinite(
            x.iter().filter(|s| !s.is_finite()).count(),
        ));
    }
    if count_too_loud(x) > 0 {
        return Err(Error::Amplitude(count_too_loud(x)));
    }
    let (from_u, to_u) = (from as usize, to as usize);
    let g = gcd(from_u, to_u);
    let (min_in, min_out) = (from_u / g, to_u / g);
    // The anti-aliasing filter acts at the lower of the two rates; its length is the FFT block
    // on that side.
    let min_low = if to < from { min_out } else { min_in };
    let mut blocks = ((block + min_low / 2) / min_low).max(1);
    if (blocks * min_in) % 2 == 1 || (blocks * min_out) % 2 == 1 {
        // An odd block would put the filter's centre, and so the delay, half a sample off.
        blocks += 1;
    }
    let err = |e: &dyn std::fmt::Display| Error::Resample(e.to_string());
    let mut resampler = Fft::<f32>::new_custom(
        from_u,
        to_u,
        blocks * min_in,
        1,
        1,
        WindowFunction::BlackmanHarris2,
        FixedSync::Both,
    )
    .map_err(|e| err(&e))?;
    let input = InterleavedSlice::new(x, 1, x.len()).map_err(|e| err(&e))?;
    let out = resampler
        .process_all(&input, x.len(), None)
        .map_err(|e| err(&e))?;
    let mut y = out.take_data();
    y.resize(resampled_len(x.len(), from, to), 0.0);
    Ok(y)
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Checks a decoded clip without changing it: at least one channel and one sample
/// ([`Error::Empty`]), channels of equal length ([`Error::RaggedChannels`]), a sample rate in
/// [`MIN_SR`]`..=`[`MAX_SR`] ([`Error::SampleRate`]), the length limits ([`check_length`]),
/// only finite samples ([`Error::NonFinite`] with the number of bad samples) and none beyond
/// [`MAX_AMPLITUDE`] ([`Error::Amplitude`]).
pub fn validate(channels: &[Vec<f32>], sample_rate: u32) -> Result<()> {
    let first = channels.first().ok_or(Error::Empty)?;
    if channels.iter().any(|c| c.len() != first.len()) {
        return Err(Error::RaggedChannels);
    }
    if first.is_empty() {
        return Err(Error::Empty);
    }
    if !(MIN_SR..=MAX_SR).contains(&sample_rate) {
        return Err(Error::SampleRate(sample_rate));
    }
    check_length(first.len() as u64, sample_rate, channels.len(), true)?;
    let bad: usize = channels
        .iter()
        .map(|c| c.iter().filter(|s| !s.is_finite()).count())
        .sum();
    if bad > 0 {
        return Err(Error::NonFinite(bad));
    }
    let loud: usize = channels.iter().map(|c| count_too_loud(c)).sum();
    if loud > 0 {
        return Err(Error::Amplitude(loud));
    }
    Ok(())
}

fn count_too_loud(x: &[f32]) -> usize {
    x.iter().filter(|s| s.abs() > MAX_AMPLITUDE).count()
}

/// Validate (non-empty, finite, sane rate), mix down and resample to [`TARGET_SR`].
pub fn prepare(channels: &[Vec<f32>], sample_rate: u32) -> Result<Vec<f32>> {
    validate(channels, sample_rate)?;
    let mono = mix_to_mono(channels)?;
    resample(&mono, sample_rate, TARGET_SR)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_half_up() {
        assert_eq!(resampled_len(6000, 8000, 22050), 16538);
        assert_eq!(resampled_len(33075, 44100, 22050), 16538);
        assert_eq!(resampled_len(1, 96000, 22050), 1);
        assert_eq!(resampled_len(0, 44100, 22050), 0);
        assert_eq!(resampled_len(10, 44100, 22050), 5);
    }

    #[test]
    fn identity_and_one_sample() {
        assert_eq!(
            resample(&[0.25, 0.5], 22050, 22050).unwrap(),
            vec![0.25, 0.5]
        );
        assert_eq!(resample(&[0.5], 44100, 22050).unwrap().len(), 1);
        assert_eq!(resample(&[0.5], 8000, 22050).unwrap().len(), 3);
        assert_eq!(resample(&[0.5], 96000, 22050).unwrap().len(), 1);
        assert!(resample(&[], 44100, 22050).unwrap().is_empty());
    }

    #[test]
    fn limits_are_errors_that_state_them() {
        let limit = u64::from(MAX_SECONDS) * 8000;
        assert!(check_length(limit, 8000, 1, true).is_ok());
        let e = check_length(limit + 1, 8000, 1, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "is more than 20 minutes long; the limit is 20 minutes"
        );
        let e = check_length(limit * 3, 8000, 1, true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "is 60.0 minutes long; the limit is 20 minutes"
        );
        let e = check_length(MAX_SAMPLES / 8 + 1, 192_000, 8, false).unwrap_err();
        assert_eq!(e, Error::TooManySamples);
        assert!(e.to_string().contains("115200000 samples"));
        let loud = [vec![0.5, 2e6, -3e38, 0.0]];
        assert_eq!(validate(&loud, 22_050), Err(Error::Amplitude(2)));
        assert_eq!(resample(&loud[0], 44_100, 22_050), Err(Error::Amplitude(2)));
        assert!(prepare(&[vec![1e6; 100]], 44_100).is_ok());
    }

    #[test]
    fn odd_rates_work() {
        for from in [1000u32, 7919, 11025, 32000, 88200, 192000, 768000] {
            let x: Vec<f32> = (0..3000).map(|i| (i as f32 * 0.01).sin()).collect();
            let y = resample(&x, from, TARGET_SR).unwrap();
            assert_eq!(y.len(), resampled_len(3000, from, TARGET_SR), "{from}");
            assert!(y.iter().all(|v| v.is_finite()));
        }
    }
}
