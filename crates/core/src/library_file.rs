//! The library file: the sounds of a user's library with their embeddings, as the app exports
//! and imports them and as `earshot index --audio DIR --out FILE.json` writes them, so a folder
//! indexed natively imports into the app's library (docs/interfaces.md). JSON:
//! `{"format": "earshot-library", "version": 1, "dim": D, "items": [{name, seconds, label, tags,
//! added, audio, model, embedding, kept?}]}`, each embedding base64 of little-endian f32, made by
//! the model whose [`model_id`] is `model`; an export *with audio* adds the kept file of each sound
//! that has one (`"kept": {"type": "audio/ogg", "data": "<base64>"}`), and an import of it gives
//! back playable sounds.

use serde::{Deserialize, Serialize};

/// Format name and version of an exported library.
pub const EXPORT_FORMAT: &str = "earshot-library";
pub const EXPORT_VERSION: u32 = 1;
/// Longest file name or tag kept.
pub const MAX_TEXT: usize = 200;

/// What is kept about one sound besides its embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoundMeta {
    /// IndexedDB key (0 until stored).
    #[serde(default)]
    pub key: u64,
    pub name: String,
    pub seconds: f64,
    /// The kNN label guess over the bundled index.
    pub label: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub added: f64,
    /// The sound file itself is kept (and can be played); otherwise only its embedding.
    #[serde(default)]
    pub audio: bool,
    /// Which model made the embedding ([`model_id`]; empty for sounds stored before models were
    /// recorded). A sound made by another model than the running one is not searched by its
    /// audio until it is embedded again.
    #[serde(default)]
    pub model: String,
}

impl SoundMeta {
    /// Trims and bounds the user-visible text (names and tags come from files and users).
    pub fn cleaned(mut self) -> Self {
        self.name = bounded(&self.name);
        self.tags = self
            .tags
            .iter()
            .map(|t| bounded(t))
            .filter(|t| !t.is_empty())
            .collect();
        self
    }
}

/// The id of a model: a checksum of its JSON, so any retraining gives another id.
pub fn model_id(model_json: &[u8]) -> String {
    format!(
        "crc32-{:08x}-{}",
        crc32fast::hash(model_json),
        model_json.len()
    )
}

fn bounded(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TEXT)
        .collect()
}

#[derive(Serialize, Deserialize)]
struct ExportDoc {
    format: String,
    version: u32,
    dim: usize,
    items: Vec<ExportItem>,
}

#[derive(Serialize, Deserialize)]
struct ExportItem {
    #[serde(flatten)]
    meta: SoundMeta,
    embedding: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kept: Option<KeptJson>,
}

#[derive(Serialize, Deserialize)]
struct KeptJson {
    #[serde(rename = "type")]
    mime: String,
    data: String,
}

/// A sound's kept file in a library file: its media type and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// A sound read from a library file: its metadata (`audio` is whether `kept` came with it), its
/// embedding, and its kept file if the export had it.
pub type Imported = (SoundMeta, Vec<f32>, Option<Kept>);

/// `v` has `dim` finite values, or a sentence saying why not.
pub fn check_embedding(v: &[f32], dim: usize) -> std::result::Result<(), String> {
    if v.len() != dim {
        return Err(format!(
            "an embedding has {} values, the model's space {dim}",
            v.len()
        ));
    }
    if v.iter().any(|x| !x.is_finite()) {
        return Err("an embedding has non-finite values".into());
    }
    Ok(())
}

/// Parses a library file for the model `model` (its id) whose joint space has `dim`
/// dimensions. All or nothing: any bad item rejects the file, with a sentence saying why. Items
/// made by another model are kept (as stale sounds: found by name and tags until their file is
/// added again).
pub fn parse_library(
    json: &str,
    model: &str,
    dim: usize,
) -> std::result::Result<Vec<(SoundMeta, Vec<f32>)>, String> {
    Ok(parse_library_with_audio(json, model, dim)?
        .into_iter()
        .map(|(mut meta, v, _)| {
            meta.audio = false;
            (meta, v)
        })
        .collect())
}

/// [`parse_library`], with the kept files an export with audio carries.
pub fn parse_library_with_audio(
    json: &str,
    model: &str,
    dim: usize,
) -> std::result::Result<Vec<Imported>, String> {
    use base64::Engine;
    let bad = |why: String| format!("This is not an earshot library export: {why}.");
    let doc: ExportDoc = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if doc.format != EXPORT_FORMAT {
        return Err(bad(format!("its format is {:?}", doc.format)));
    }
    if doc.version > EXPORT_VERSION {
        return Err(format!(
            "This library was exported by a newer earshot (format version {}); update the app to import it.",
            doc.version
        ));
    }
    doc.items
        .into_iter()
        .enumerate()
        .map(|(i, it)| {
            let v = crate::unpack_f32(&it.embedding)
                .map_err(|e| bad(format!("item {} ({e})", i + 1)))?;
            let size = if it.meta.model == model { dim } else { v.len() };
            check_embedding(&v, size).map_err(|e| bad(format!("item {}: {e}", i + 1)))?;
            let kept = it
                .kept
                .map(|k| {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(k.data)
                        .map_err(|e| {
                            bad(format!("item {}: its audio is not base64 ({e})", i + 1))
                        })?;
                    Ok::<_, String>(Kept {
                        mime: bounded(&k.mime),
                        bytes,
                    })
                })
                .transpose()?
                .filter(|k| !k.bytes.is_empty());
            let mut meta = it.meta.cleaned();
            meta.key = 0;
            // Playable only with the file itself.
            meta.audio = kept.is_some();
            Ok((meta, v, kept))
        })
        .collect()
}

/// The library file of `items` (each sound and its embedding) in a joint space of `dim`.
pub fn library_json<'a>(
    dim: usize,
    items: impl Iterator<Item = (&'a SoundMeta, &'a [f32])>,
) -> String {
    library_json_with_audio(dim, items.map(|(m, v)| (m, v, None)))
}

/// [`library_json`] with the kept file of each sound that has one.
pub fn library_json_with_audio<'a>(
    dim: usize,
    items: impl Iterator<Item = (&'a SoundMeta, &'a [f32], Option<&'a Kept>)>,
) -> String {
    use base64::Engine;
    let items: Vec<ExportItem> = items
        .map(|(m, v, kept)| ExportItem {
            meta: m.clone(),
            embedding: crate::pack_f32(v),
            kept: kept.map(|k| KeptJson {
                mime: k.mime.clone(),
                data: base64::engine::general_purpose::STANDARD.encode(&k.bytes),
            }),
        })
        .collect();
    let doc = ExportDoc {
        format: EXPORT_FORMAT.into(),
        version: EXPORT_VERSION,
        dim,
        items,
    };
    serde_json::to_string(&doc).unwrap_or_default()
}

/// Whether `bytes` look like a library file (JSON) rather than a binary index.
pub fn is_library_file(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sound(name: &str, model: &str) -> SoundMeta {
        SoundMeta {
            key: 7,
            name: name.into(),
            seconds: 1.5,
            label: "Bell".into(),
            tags: vec!["  ding ".into(), String::new()],
            added: 1.0,
            audio: true,
            model: model.into(),
        }
    }

    #[test]
    fn a_library_file_round_trips_and_is_told_from_a_binary_index() {
        let (a, b) = (sound("a.wav", "m1"), sound("b\u{7}.wav", "m0"));
        let json = library_json(
            2,
            [(&a, &[1.0f32, -2.0][..]), (&b, &[0.5, 0.25, 4.0][..])].into_iter(),
        );
        assert!(is_library_file(json.as_bytes()));
        assert!(is_library_file(b"  \n{}"));
        assert!(!is_library_file(b"EIDX\x01"));
        let back = parse_library(&json, "m1", 2).unwrap();
        assert_eq!(back[0].1, vec![1.0, -2.0]);
        // Keys are the importer's, audio is not in the file, text is cleaned.
        assert_eq!((back[0].0.key, back[0].0.audio), (0, false));
        assert_eq!(back[0].0.tags, vec!["ding"]);
        assert_eq!(back[1].0.name, "b.wav");
        // Another model's sound keeps its own size; this model's must fit the space.
        assert_eq!(back[1].1.len(), 3);
        assert!(parse_library(&json, "m1", 3).is_err());
        assert_ne!(model_id(b"{}"), model_id(b"{ }"));
    }

    #[test]
    fn an_export_with_audio_brings_the_kept_files_back() {
        let (a, b) = (sound("a.ogg", "m1"), sound("b.wav", "m1"));
        let kept = Kept {
            mime: "audio/ogg".into(),
            bytes: vec![0x4f, 0x67, 0x67, 0x53, 0, 255],
        };
        let json = library_json_with_audio(
            2,
            [
                (&a, &[1.0f32, 0.0][..], Some(&kept)),
                (&b, &[0.0f32, 1.0][..], None),
            ]
            .into_iter(),
        );
        let back = parse_library_with_audio(&json, "m1", 2).unwrap();
        assert_eq!(back[0].2.as_ref(), Some(&kept));
        assert!(back[0].0.audio, "playable");
        assert_eq!((back[1].2.as_ref(), back[1].0.audio), (None, false));
        // Without audio (the plain parse, or a plain export): nothing claims to be playable.
        assert!(parse_library(&json, "m1", 2)
            .unwrap()
            .iter()
            .all(|(m, _)| !m.audio));
        assert!(!library_json(2, [(&a, &[1.0f32, 0.0][..])].into_iter()).contains("kept"));
        let broken = json.replace("T2dnUwD/", "!!!");
        assert!(parse_library_with_audio(&broken, "m1", 2)
            .unwrap_err()
            .contains("base64"));
    }
}
