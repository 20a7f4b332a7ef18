//! The corpus as the CLI sees it: the manifest written by `scripts/corpus/build.py`, and the
//! clip-vector file (`earshot features`) that training, indexing and evaluation read.
//!
//! The clip-vector file uses the index format of `earshot_core::Index` with `dim` = 300 and one
//! item (id, label, source, licence, preview, split) per clip.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use earshot_core::AudioInput;
use earshot_core::Pca;
use earshot_core::{pack_tensor, AudioKind, Model, PcaJson};
use earshot_core::{Index, Item, Storage};

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

/// The audio front end of a model: for a model with CNN features, with the weights file its JSON
/// names, next to `model_path`.
pub fn load_input(model: &Model, model_path: &Path) -> anyhow::Result<AudioInput> {
    let weights = match model.audio_weights_file()? {
        Some(name) => {
            let path = model_path.parent().unwrap_or(Path::new(".")).join(name);
            Some((crate::files::read_bytes(&path)?, path))
        }
        None => None,
    };
    model
        .audio_front(weights.as_ref().map(|(b, _)| b.as_slice()))
        .with_context(|| {
            weights
                .as_ref()
                .map_or_else(String::new, |(_, p)| p.display().to_string())
        })
}

/// `work` on every row's decoded clip, one worker thread per core (at most 8), the results in
/// row order; the first failure, naming its file, is the error. `bar` counts the clips.
pub fn per_clip<T: Send>(
    manifest: &Path,
    root: Option<&Path>,
    rows: &[ManifestRow],
    bar: &indicatif::ProgressBar,
    work: impl Fn(&decode::Decoded) -> Result<T, String> + Sync,
) -> anyhow::Result<Vec<T>> {
    let paths: Vec<PathBuf> = rows
        .iter()
        .map(|r| resolve(manifest, root, &r.path))
        .collect();
    per_file(&paths, bar, work)
        .into_iter()
        .zip(&paths)
        .map(|(r, path)| r.map_err(|e| anyhow::anyhow!("{}: {e}", path.display())))
        .collect()
}

/// `work` on every file decoded, one worker thread per core (at most 8): each file's result in
/// the order of `paths` (the decoder's or `work`'s reason when it failed). `bar` counts the files.
pub fn per_file<T: Send>(
    paths: &[PathBuf],
    bar: &indicatif::ProgressBar,
    work: impl Fn(&decode::Decoded) -> Result<T, String> + Sync,
) -> Vec<Result<T, String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T, String>>>> =
        Mutex::new((0..paths.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                let r = decode::decode(path).and_then(|d| work(&d));
                if let Ok(mut g) = results.lock() {
                    g[i] = Some(r);
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    let results = match results.into_inner() {
        Ok(r) => r,
        Err(poisoned) => poisoned.into_inner(),
    };
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not processed (a worker thread failed)".into())))
        .collect()
}

/// `earshot features`: the clip vector of every manifest clip (one worker thread per core, at
/// most 8).
pub fn features(
    manifest: &Path,
    root: Option<&Path>,
    out: &Path,
    kind: AudioKind,
    weights: &Path,
    half: bool,
    show_progress: bool,
) -> anyhow::Result<()> {
    let rows = read_manifest(manifest)?;
    let bytes = match kind.weights() {
        Some(_) => Some(
            std::fs::read(weights)
                .with_context(|| format!("{}: cannot be read", weights.display()))?,
        ),
        None => None,
    };
    let input = AudioInput::new(kind, bytes.as_deref(), None)
        .with_context(|| format!("{}", weights.display()))?;
    let bar = crate::progress_bar(
        rows.len() as u64,
        "features [{bar:30}] {pos}/{len} clips, ETA {eta}",
        show_progress,
    );
    let results = per_clip(manifest, root, &rows, &bar, |d| {
        input
            .clip_feature(&d.channels, d.sample_rate)
            .map_err(|e| e.to_string())
    })?;
    let mut items = Vec::with_capacity(rows.len());
    let mut vectors = Vec::with_capacity(rows.len() * 300);
    for (row, v) in rows.iter().zip(results) {
        vectors.extend_from_slice(&v);
        items.push(Item {
            id: row.id.clone(),
            label: row.label.clone(),
            source: row.source_package.clone(),
            licence: row.licence.clone(),
            preview: format!("previews/{}.mp3", row.id),
            split: row.split.clone(),
        });
    }
    let dim = vectors.len() / items.len().max(1);
    let mut index = Index::new(items, dim, vectors)?;
    index.extra = serde_json::json!({"feature": kind.name()});
    let bytes = index.to_bytes(if half { Storage::F16 } else { Storage::F32 })?;
    std::fs::write(out, bytes).with_context(|| format!("{}: cannot be written", out.display()))?;
    eprintln!("wrote {}: {} clips x {dim}", out.display(), index.len());
    Ok(())
}

/// The feature name a clip-vector file records (`"mfcc"` for files written before it did).
pub fn feature_name(features: &Index) -> String {
    features
        .extra
        .get("feature")
        .and_then(|v| v.as_str())
        .unwrap_or("mfcc")
        .to_string()
}

/// The projection a clip-vector file's vectors went through (`earshot pca` keeps it in the
/// header), in the model JSON's form.
pub fn feature_projection(features: &Index) -> anyhow::Result<Option<PcaJson>> {
    if features.extra.get("pca").is_none() {
        return Ok(None);
    }
    let p = stored_projection(features)?;
    Ok(Some(PcaJson {
        from: p.dim,
        components: pack_tensor(&[features.dim, p.dim], &p.components, "f16"),
        mean: p.mean,
    }))
}

/// The weights file a model trained on these features needs (CNN features: the core's
/// `walnet.safetensors`, shipped next to the model).
pub fn feature_weights(features: &Index) -> Option<String> {
    AudioKind::of(&feature_name(features))
        .and_then(AudioKind::weights)
        .map(str::to_owned)
}

/// `earshot pca`: fit PCA to `k` dimensions on the train split's clip vectors and project every
/// clip. The fitted projection is kept in the output's header (`extra.pca`).
pub fn pca(features: &Path, k: usize, out: &Path, eval_out: Option<&Path>) -> anyhow::Result<()> {
    let f = read_features(features)?;
    let train: Vec<f32> = f
        .vectors()
        .chunks_exact(f.dim)
        .zip(&f.items)
        .filter(|(_, it)| it.split == "train")
        .flat_map(|(v, _)| v.iter().copied())
        .collect();
    anyhow::ensure!(!train.is_empty(), "{}: no train clips", features.display());
    let started = std::time::Instant::now();
    let p = Pca::fit(&train, f.dim, k)?;
    let vectors = p.project_rows(f.vectors())?;
    let total = p.total_variance.max(1e-30);
    let kept: f64 = p.variance.iter().sum();
    let mut index = Index::new(f.items.clone(), k, vectors)?;
    let name = format!("{}-pca{k}", feature_name(&f).trim_end_matches("-512"));
    index.extra = serde_json::json!({
        "feature": name,
        "pca": {"from": f.dim, "k": k, "fitted_on": "train", "variance_kept": kept / total,
                "mean": p.mean, "components": p.components},
    });
    let bytes = index.to_bytes(Storage::F32)?;
    std::fs::write(out, bytes).with_context(|| format!("{}: cannot be written", out.display()))?;
    if let Some(eval_out) = eval_out {
        index.extra = serde_json::json!({
            "feature": name,
            "pca": {"from": f.dim, "k": k, "fitted_on": "train", "variance_kept": kept / total},
        });
        let bytes = index.to_bytes(Storage::I8)?;
        std::fs::write(eval_out, bytes)
            .with_context(|| format!("{}: cannot be written", eval_out.display()))?;
    }
    eprintln!(
        "wrote {}: {} clips x {k} ({name}; {:.1} % of the train variance kept; {:.1} s)",
        out.display(),
        index.len(),
        100.0 * kept / total,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The projection `earshot pca` keeps in a clip-vector file's header, as it was fitted.
pub fn stored_projection(features: &Index) -> anyhow::Result<Pca> {
    let p = features
        .extra
        .get("pca")
        .context("its header holds no projection (not written by earshot pca)")?;
    let floats = |key: &str| -> anyhow::Result<Vec<f32>> {
        serde_json::from_value(p.get(key).cloned().unwrap_or_default())
            .with_context(|| format!("the header's pca.{key} is not a list of numbers"))
    };
    let from = p
        .get("from")
        .and_then(serde_json::Value::as_u64)
        .context("the header's pca.from is missing")? as usize;
    let (mean, components) = (floats("mean")?, floats("components")?);
    anyhow::ensure!(
        from > 0 && mean.len() == from && components.len() == features.dim * from,
        "the header's pca does not project {from} → {} dimensions",
        features.dim
    );
    Ok(Pca {
        dim: from,
        mean,
        components,
        variance: Vec::new(),
        total_variance: 0.0,
    })
}

/// `earshot pca --projection FILE`: project every clip of `features` with the projection kept in
/// FILE's header (e.g. augmented copies into the space of the originals); the output's header is
/// FILE's, so a model trained on either reads both the same way.
pub fn pca_apply(features: &Path, projection: &Path, out: &Path) -> anyhow::Result<()> {
    let f = read_features(features)?;
    let reference = read_features(projection)?;
    let p = stored_projection(&reference).with_context(|| format!("{}", projection.display()))?;
    anyhow::ensure!(
        p.dim == f.dim,
        "{}: {}-d vectors, the projection in {} takes {}-d",
        features.display(),
        f.dim,
        projection.display(),
        p.dim
    );
    let mut index = Index::new(f.items.clone(), p.k(), p.project_rows(f.vectors())?)?;
    index.extra = reference.extra.clone();
    let bytes = index.to_bytes(Storage::F32)?;
    std::fs::write(out, bytes).with_context(|| format!("{}: cannot be written", out.display()))?;
    eprintln!(
        "wrote {}: {} clips x {} (the projection of {})",
        out.display(),
        index.len(),
        p.k(),
        projection.display()
    );
    Ok(())
}

/// Read a clip-vector file.
pub fn read_features(path: &Path) -> anyhow::Result<Index> {
    let bytes = crate::files::read_bytes(path)?;
    Index::from_bytes(&bytes).with_context(|| format!("{}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_stored_projection_projects_as_the_fitted_one() {
        let dir = std::env::temp_dir().join(format!("earshot-pca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let items = |split: &str| {
            (0..6)
                .map(|i| Item {
                    id: format!("c{i}"),
                    label: "Dog".into(),
                    source: "p".into(),
                    licence: String::new(),
                    preview: String::new(),
                    split: split.into(),
                })
                .collect::<Vec<_>>()
        };
        let v: Vec<f32> = (0..18).map(|i| ((i * 7 % 11) as f32).sin()).collect();
        let mut raw = Index::new(items("train"), 3, v.clone()).unwrap();
        raw.extra = serde_json::json!({"feature": "student"});
        std::fs::write(dir.join("raw.bin"), raw.to_bytes(Storage::F32).unwrap()).unwrap();
        pca(&dir.join("raw.bin"), 2, &dir.join("fitted.bin"), None).unwrap();
        // Other vectors (a copy of the clips) with the fitted file's projection.
        let w: Vec<f32> = v.iter().map(|x| 2.0 * x + 0.5).collect();
        let copy = Index::new(items("train"), 3, w.clone()).unwrap();
        std::fs::write(dir.join("copy.bin"), copy.to_bytes(Storage::F32).unwrap()).unwrap();
        pca_apply(
            &dir.join("copy.bin"),
            &dir.join("fitted.bin"),
            &dir.join("out.bin"),
        )
        .unwrap();
        let fitted = read_features(&dir.join("fitted.bin")).unwrap();
        let out = read_features(&dir.join("out.bin")).unwrap();
        assert_eq!(out.extra, fitted.extra);
        let p = Pca::fit(&v, 3, 2).unwrap();
        let want = p.project_rows(&w).unwrap();
        for (a, b) in out.vectors().iter().zip(&want) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        // The originals through the stored projection are the fitted file's vectors.
        pca_apply(
            &dir.join("raw.bin"),
            &dir.join("fitted.bin"),
            &dir.join("again.bin"),
        )
        .unwrap();
        let again = read_features(&dir.join("again.bin")).unwrap();
        assert_eq!(again.vectors(), fitted.vectors());
        // A file without a projection, or of the wrong width, is refused.
        assert!(pca_apply(
            &dir.join("copy.bin"),
            &dir.join("raw.bin"),
            &dir.join("x.bin")
        )
        .is_err());
        assert!(pca_apply(
            &dir.join("fitted.bin"),
            &dir.join("fitted.bin"),
            &dir.join("x.bin")
        )
        .is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
