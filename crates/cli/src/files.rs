//! Reading the files the commands are given: whole files within the core's size limit, with
//! errors that name the file and say why in a few words.

use earshot_core::Model;
use earshot_core::Vocabulary;
use earshot_core::MAX_FILE_BYTES;
use std::path::Path;

/// A file-system error as a short reason ("no such file", ...).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot be read ({e})"),
    }
}

/// Read a whole file; one of more than [`MAX_FILE_BYTES`] is refused before reading.
pub fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    let fail = |e: std::io::Error| anyhow::anyhow!("{}: {}", path.display(), io_reason(&e));
    let len = std::fs::metadata(path).map_err(fail)?.len();
    if len > MAX_FILE_BYTES {
        anyhow::bail!("{}: {}", path.display(), earshot_core::Error::TooLarge(len));
    }
    std::fs::read(path).map_err(fail)
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))
}

/// The vocabulary file at `path`.
pub fn load_vocab(path: &Path) -> anyhow::Result<Vocabulary> {
    use anyhow::Context;
    let bytes = read_bytes(path)?;
    Vocabulary::from_bytes(&bytes).with_context(|| path.display().to_string())
}

/// The model JSON at `path`.
pub fn load_model(path: &Path) -> anyhow::Result<Model> {
    use anyhow::Context;
    Model::from_json(&read_text(path)?).with_context(|| path.display().to_string())
}

/// Writes a search index the model made (int8, the model's training config in its header) to
/// `out`; returns its size in bytes.
pub fn write_index(
    index: &mut earshot_core::Index,
    model: &Model,
    out: &Path,
) -> anyhow::Result<usize> {
    use anyhow::Context;
    index.extra = serde_json::json!({"model_training": model.training.get("config")});
    let bytes = index.to_bytes(earshot_core::Storage::I8)?;
    std::fs::write(out, &bytes).with_context(|| format!("{}: cannot be written", out.display()))?;
    Ok(bytes.len())
}
