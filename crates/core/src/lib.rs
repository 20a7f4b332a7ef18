//! earshot core: pure Rust, no web types. Compiled natively (CLI) and to wasm (app),
//! so both give the same numbers.
//!
//! Data flows one way: audio → features → embedding → index → ranked results. The modules are
//! private; what the CLI, the app and the tests use is exported here, grouped by that flow. The
//! optional CNN (cargo feature `cnn`) keeps its own namespace, [`cnn`].

mod audio;
#[cfg(feature = "cnn")]
pub mod cnn;
mod codes;
#[cfg(feature = "decode")]
mod decode;
mod error;
mod eval;
mod features;
mod index;
mod input;
mod library_file;
mod map;
mod model;
mod pca;
mod quant;
mod rank;
mod search;
mod sniff;
mod text;

pub use error::{Error, Result};

// Audio in: sniffing, decoding, checking, mixing down and resampling to 22 050 Hz.
pub use audio::{
    mix_to_mono, prepare, resample, resampled_len, validate, MAX_FILE_BYTES, MAX_SECONDS, TARGET_SR,
};
#[cfg(feature = "decode")]
pub use decode::{decode_bytes, decode_source, Decoded};
pub use sniff::{probe, Format};

// Features: the model's audio front end, MFCCs (docs/interfaces.md §1), text vectors.
pub use features::{clip_vector, delta, FeatureExtractor, Frames, MfccConfig};
pub use input::{AudioInput, AudioKind, Heard, STUDENT_WEIGHTS, WALNET_WEIGHTS};
pub use library_file::{
    check_embedding, is_library_file, library_json, library_json_with_audio, model_id,
    parse_library, parse_library_with_audio, Imported, Kept, SoundMeta, EXPORT_FORMAT,
    EXPORT_VERSION, MAX_TEXT,
};
pub use text::Vocabulary;

// The joint space: the model, its JSON form, PCA.
pub use model::{
    l2, pack_f32, pack_tensor, similarity, unpack_f32, AudioJson, DenseJson, Model, ModelJson,
    PcaJson, TextInput, TextJson, FORMAT as MODEL_FORMAT, VERSION as MODEL_VERSION,
};
pub use pca::Pca;

// The index and search: storage, top-k, int8 scan, ranking and calibration, the 2-D map.
pub use index::{top_k, Index, Item, Metric, Storage, KNN_K};
pub use map::Projection;
pub use quant::{top_k_rescored, Quantised};
pub use rank::{floor_between, stem, Affinity, Calibration, Logistic, TextPrior};
pub use search::{split_exclusions, Answer, Engine, Ranked, ResultItem};

// Evaluation: MAP@k as the paper computes it, and the ranking measures.
pub use eval::{
    average_precision, average_precision_at_k, ceiling_map_at, chance, knn_ranking, map_at,
    precision_at_k, weighted_mean,
};
