//! Errors of the core. Every message is one human-readable line (the CLI prints it after the
//! file name; the app shows it in `[data-testid=error]`).

use thiserror::Error;

use crate::audio::{MAX_AMPLITUDE, MAX_FILE_BYTES, MAX_SAMPLES, MAX_SECONDS};

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    #[error("contains no audio samples")]
    Empty,
    #[error("contains {0} NaN or infinite samples")]
    NonFinite(usize),
    #[error("contains {0} samples beyond ±{MAX_AMPLITUDE} (120 dB above full scale)")]
    Amplitude(usize),
    #[error("unsupported sample rate {0} Hz (supported: 1000 to 768000 Hz)")]
    SampleRate(u32),
    #[error("channels have different lengths")]
    RaggedChannels,
    #[error("resampling failed: {0}")]
    Resample(String),
    /// Longer than [`MAX_SECONDS`]; the length in seconds when known (else it was found while
    /// decoding, before the end).
    #[error("is {len} long; the limit is {max} minutes", len = minutes(*.0), max = MAX_SECONDS / 60)]
    TooLong(Option<f64>),
    /// More than [`MAX_SAMPLES`] samples (all channels together).
    #[error("has more than {MAX_SAMPLES} samples over all channels; the limit is {max} minutes of 48 kHz stereo", max = MAX_SECONDS / 60)]
    TooManySamples,
    /// A file of more than [`MAX_FILE_BYTES`] bytes (its size).
    #[error("is {0} bytes; the limit is {mib} MiB", mib = MAX_FILE_BYTES >> 20)]
    TooLarge(u64),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// "61.5 minutes", or "more than 20 minutes" when the length is not known.
fn minutes(seconds: Option<f64>) -> String {
    match seconds {
        Some(s) => format!("{:.1} minutes", s / 60.0),
        None => format!("more than {} minutes", MAX_SECONDS / 60),
    }
}
