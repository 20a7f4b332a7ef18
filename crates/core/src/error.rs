//! Errors of the core. Every message is one human-readable line (the CLI prints it after the
//! file name; the app shows it in `[data-testid=error]`).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    #[error("contains no audio samples")]
    Empty,
    #[error("contains {0} NaN or infinite samples")]
    NonFinite(usize),
    #[error("unsupported sample rate {0} Hz (supported: 1000 to 768000 Hz)")]
    SampleRate(u32),
    #[error("channels have different lengths")]
    RaggedChannels,
    #[error("resampling failed: {0}")]
    Resample(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, Error>;
