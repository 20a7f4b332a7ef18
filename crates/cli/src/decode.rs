//! Files to planar f32 through the core's symphonia decoder (`earshot_core::decode_bytes`), so the CLI
//! and the app decode identically.

use std::fs::File;
use std::path::Path;

use crate::files::io_reason;

pub use earshot_core::Decoded;

/// Decode `path`. Errors are one human sentence (the caller adds the file name).
pub fn decode(path: &Path) -> Result<Decoded, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a directory, not an audio file".into());
    }
    if meta.len() == 0 {
        return Err("is empty (0 bytes)".into());
    }
    let file = File::open(path).map_err(|e| io_reason(&e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    earshot_core::decode_source(Box::new(file), ext)
}
