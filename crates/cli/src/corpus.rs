//! The corpus as the CLI sees it: the manifest written by `scripts/corpus/build.py`, and the
//! clip-vector file (`earshot features`) that training, indexing and evaluation read.
//!
//! The clip-vector file uses the index format of `earshot_core::index` with `dim` = 300 and one
//! item (id, label, source, licence, preview, split) per clip.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use earshot_core::audio::prepare;
use earshot_core::features::{FeatureExtractor, MfccConfig};
use earshot_core::index::{Index, Item, Storage};

use crate::decode;

/// One row of the corpus manifest.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ManifestRow {
    pub id: String,
    pub path: String,
    pub label: String,
    pub source_package: String,
    #[serde(default)]
    pub licence: String,
    pub split: String,
}

pub fn read_manifest(path: &Path) -> anyhow::Result<Vec<ManifestRow>> {
    let mut r = csv::Reader::from_path(path)
        .with_context(|| format!("{}: cannot be read", path.display()))?;
    let rows: Vec<ManifestRow> = r
        .deserialize()
        .collect::<Result<_, _>>()
        .with_context(|| format!("{}: not a corpus manifest", path.display()))?;
    anyhow::ensure!(
        !rows.is_empty(),
        "{}: the manifest lists no clips",
        path.display()
    );
    Ok(rows)
}

/// Resolve a manifest path: absolute, or relative to the manifest's folder, or to `root`.
fn resolve(manifest: &Path, root: Option<&Path>, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    let beside = manifest.parent().unwrap_or(Path::new(".")).join(p);
    match root {
        Some(r) if !beside.exists() => r.join(p),
        _ => beside,
    }
}

/// `earshot features`: the 300-d clip vector of every manifest clip (two worker threads).
pub fn features(
    manifest: &Path,
    root: Option<&Path>,
    out: &Path,
    show_progress: bool,
) -> anyhow::Result<()> {
    let rows = read_manifest(manifest)?;
    let bar = crate::progress_bar(
        rows.len() as u64,
        "features [{bar:30}] {pos}/{len} clips, ETA {eta}",
        show_progress,
    );
    let next = AtomicUsize::new(0);
    type Outcome = Option<Result<Vec<f32>, String>>;
    let results: Mutex<Vec<Outcome>> = Mutex::new(vec![None; rows.len()]);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let fx = FeatureExtractor::new(MfccConfig::default());
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(row) = rows.get(i) else { break };
                    let path = resolve(manifest, root, &row.path);
                    let r = decode::decode(&path)
                        .and_then(|d| {
                            prepare(&d.channels, d.sample_rate).map_err(|e| e.to_string())
                        })
                        .and_then(|y| fx.clip_vector_of(&y).map_err(|e| e.to_string()))
                        .map_err(|e| format!("{}: {e}", path.display()));
                    if let Ok(mut g) = results.lock() {
                        g[i] = Some(r);
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let results = results
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a feature worker failed"))?;
    let mut items = Vec::with_capacity(rows.len());
    let mut vectors = Vec::with_capacity(rows.len() * 300);
    for (row, r) in rows.iter().zip(results) {
        let v = r
            .unwrap_or_else(|| Err(format!("{}: not processed", row.path)))
            .map_err(anyhow::Error::msg)?;
        vectors.extend_from_slice(&v);
        items.push(Item {
            id: row.id.clone(),
            label: row.label.clone(),
            source: row.source_package.clone(),
            licence: row.licence.clone(),
            preview: format!("previews/{}.ogg", row.id),
            split: row.split.clone(),
        });
    }
    let dim = vectors.len() / items.len().max(1);
    let index = Index::new(items, dim, vectors)?;
    let bytes = index.to_bytes(Storage::F32)?;
    std::fs::write(out, bytes).with_context(|| format!("{}: cannot be written", out.display()))?;
    eprintln!("wrote {}: {} clips x {dim}", out.display(), index.len());
    Ok(())
}

/// Read a clip-vector file.
pub fn read_features(path: &Path) -> anyhow::Result<Index> {
    let bytes = crate::evaluate::read_bytes(path)?;
    Index::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
}
