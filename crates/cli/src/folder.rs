//! `earshot index --audio DIR --out FILE [--model PATH]`: every audio file under a folder
//! (recursively) embedded with the model, as the app's library embeds a sound, into an index that
//! `earshot search --index FILE` searches (docs/interfaces.md §2).
//!
//! Files are decoded and featurised one worker thread per core; a file that cannot be decoded
//! (not audio, damaged, too long) is skipped with one line on stderr naming it. Items are the
//! files' paths relative to DIR (`/`-separated), without a class label.
//!
//! With `--out FILE.json` the index is a library file (`earshot_core::library_json`), the
//! format the app exports and imports: each sound with its duration, the kNN label guess over
//! the shipped index (as the app's library makes it) and the model's id, so the folder imports
//! into the app's library as if it had been added there.

use std::path::{Path, PathBuf};

use anyhow::Context;
use earshot_core::{library_json, model_id, validate, Index, Item, SoundMeta, KNN_K};

use crate::corpus::{load_input, per_file};
use crate::files::load_model;
use crate::Failure;

/// Every file under `dir`, recursively, sorted; symbolic links to folders are not followed
/// (no cycles), those to files are.
pub fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries =
            std::fs::read_dir(&d).with_context(|| format!("{}: cannot be listed", d.display()))?;
        for e in entries {
            let path = e
                .with_context(|| format!("{}: cannot be listed", d.display()))?
                .path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                todo.push(path);
            } else if meta.is_file() || path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to `dir`, with `/` between its parts (the item id).
fn relative_id(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Embeds every audio file under `dir` with the model at `model_path` and writes the index to
/// `out`. Skipped files are named on stderr; no audio file at all is an error.
pub fn index_audio(dir: &Path, model_path: &Path, out: &Path) -> Result<(), Failure> {
    let subject = dir.display().to_string();
    if !dir.is_dir() {
        return Err(Failure::new(subject, "not a folder"));
    }
    let paths = files_under(dir).map_err(Failure::from)?;
    if paths.is_empty() {
        return Err(Failure::new(subject, "the folder holds no files"));
    }
    let model = load_model(model_path).map_err(Failure::from)?;
    let input = load_input(&model, model_path).map_err(Failure::from)?;
    let bar = crate::progress_bar(
        paths.len() as u64,
        "index [{bar:30}] {pos}/{len} files, ETA {eta}",
        true,
    );
    let results = per_file(&paths, &bar, |d| {
        validate(&d.channels, d.sample_rate).map_err(|e| e.to_string())?;
        let seconds = d.channels.first().map_or(0, Vec::len) as f64 / f64::from(d.sample_rate);
        input
            .input(&d.channels, d.sample_rate)
            .map(|v| (v, seconds))
            .map_err(|e| e.to_string())
    });
    let mut items = Vec::new();
    let mut inputs = Vec::new();
    let mut seconds = Vec::new();
    let mut skipped = 0;
    for (path, r) in paths.iter().zip(results) {
        match r {
            Ok((v, s)) => {
                inputs.extend(v);
                seconds.push(s);
                items.push(Item::unlabelled(relative_id(dir, path)));
            }
            Err(reason) => {
                eprintln!("earshot: skipped {}: {reason}", path.display());
                skipped += 1;
            }
        }
    }
    if items.is_empty() {
        return Err(Failure::new(
            subject,
            format!(
                "none of its {} files could be indexed as audio",
                paths.len()
            ),
        ));
    }
    let vectors = model
        .embed_audio(&inputs)
        .map_err(|e| Failure::new(model_path.display().to_string(), e))?;
    let mut index = Index::new(items, model.output_dim(), vectors)
        .map_err(|e| Failure::new(subject.clone(), e))?;
    let size = if is_json(out) {
        write_library(&index, &seconds, model_path, out)?
    } else {
        crate::files::write_index(&mut index, &model, out).map_err(Failure::from)?
    };
    eprintln!(
        "wrote {}: {} files indexed, {skipped} skipped ({:.1} MB)",
        out.display(),
        index.len(),
        size as f64 / 1e6
    );
    Ok(())
}

/// Whether `--out` asks for a library file (`.json`) rather than a binary index.
pub fn is_json(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Writes `index` (the folder's sounds, `seconds` long each) as a library file for the model at
/// `model_path`, each sound labelled by kNN over the shipped index beside the model.
fn write_library(
    index: &Index,
    seconds: &[f64],
    model_path: &Path,
    out: &Path,
) -> Result<usize, Failure> {
    let model_bytes = crate::files::read_bytes(model_path).map_err(Failure::from)?;
    let model = model_id(&model_bytes);
    let shipped = crate::search::shipped_index(model_path)?;
    let metas: Vec<SoundMeta> = index
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let label = shipped
                .knn_labels(index.vector(i), KNN_K)
                .ok()
                .and_then(|l| l.into_iter().next())
                .map(|(l, _)| l)
                .unwrap_or_default();
            SoundMeta {
                key: 0,
                name: item.id.clone(),
                seconds: seconds.get(i).copied().unwrap_or(0.0),
                label,
                tags: Vec::new(),
                added: 0.0,
                audio: false,
                model: model.clone(),
            }
            .cleaned()
        })
        .collect();
    let json = library_json(
        index.dim,
        metas.iter().enumerate().map(|(i, m)| (m, index.vector(i))),
    );
    std::fs::write(out, &json)
        .map_err(|e| Failure::new(out.display().to_string(), format!("cannot be written: {e}")))?;
    Ok(json.len())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_are_slash_separated_paths_under_the_folder() {
        let dir = Path::new("/a/b");
        assert_eq!(relative_id(dir, Path::new("/a/b/c/d.wav")), "c/d.wav");
        assert_eq!(relative_id(dir, Path::new("/a/b/e.flac")), "e.flac");
    }

    #[test]
    fn files_are_listed_recursively_and_sorted() {
        let root = std::env::temp_dir().join(format!("earshot-folder-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("z/y")).unwrap();
        for f in ["b.wav", "a.txt", "z/y/c.wav", "z/d.mp3"] {
            std::fs::write(root.join(f), b"x").unwrap();
        }
        let got: Vec<String> = files_under(&root)
            .unwrap()
            .iter()
            .map(|p| relative_id(&root, p))
            .collect();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(got, ["a.txt", "b.wav", "z/d.mp3", "z/y/c.wav"]);
    }
}
