//! earshot core: pure Rust, no web types. Compiled natively (CLI) and to wasm (app),
//! so both give the same numbers.
//!
//! Data flows one way: audio → features → embedding → index → ranked results.

pub mod audio;
#[cfg(feature = "cnn")]
pub mod cnn;
mod codes;
#[cfg(feature = "decode")]
pub mod decode;
pub mod error;
pub mod eval;
pub mod features;
pub mod index;
pub mod input;
pub mod map;
pub mod model;
pub mod pca;
pub mod quant;
pub mod rank;
pub mod search;
pub mod sniff;
pub mod text;

pub use error::{Error, Result};
pub use input::AudioInput;
