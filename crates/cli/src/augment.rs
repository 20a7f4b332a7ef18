//! Augmented copies of the clip vectors (`earshot train --augmented FILE`, `earshot lopo`): clip
//! vectors of the same clips after gain, EQ, noise, pitch and reverb
//! (`scripts/corpus/augment.py`), in the same space as the originals (`earshot pca
//! --projection`). Training takes, for each train clip in each step, the clip or one of its
//! copies at random; only clips in the train split ever have their copies looked up, so the
//! copies of validation, test and held-out clips never enter training.

use std::collections::HashMap;

use earshot_core::Index;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Every copy of every clip, by clip id (one vector per copy file that holds the clip).
#[derive(Debug, Clone, Default)]
pub struct Copies {
    by_id: HashMap<String, Vec<f32>>,
}

impl Copies {
    /// The copies in `files`, each checked against `features`: the same width, feature and
    /// projection, and at least one clip id in common.
    pub fn of(features: &Index, files: &[Index]) -> anyhow::Result<Self> {
        let mut out = Copies::default();
        let ids: std::collections::HashSet<&str> =
            features.items.iter().map(|it| it.id.as_str()).collect();
        for (k, f) in files.iter().enumerate() {
            let n = k + 1;
            anyhow::ensure!(
                f.dim == features.dim,
                "augmented file {n}: {}-d vectors, the features are {}-d",
                f.dim,
                features.dim
            );
            let (a, b) = (
                crate::corpus::feature_name(features),
                crate::corpus::feature_name(f),
            );
            anyhow::ensure!(
                a == b,
                "augmented file {n}: feature {b:?}, the features are {a:?}"
            );
            anyhow::ensure!(
                same_projection(features, f),
                "augmented file {n}: not projected as the features are (earshot pca --projection)"
            );
            let mut common = 0;
            for (i, it) in f.items.iter().enumerate() {
                if ids.contains(it.id.as_str()) {
                    common += 1;
                }
                out.by_id
                    .entry(it.id.clone())
                    .or_default()
                    .extend_from_slice(f.vector(i));
            }
            anyhow::ensure!(
                common > 0,
                "augmented file {n}: no clip id in common with the features"
            );
        }
        Ok(out)
    }

    /// The copies of clip `id` (rows of the features' width; empty when it has none).
    pub fn of_clip(&self, id: &str) -> &[f32] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// The copies of the clips of `features` in `split` (the rows training takes, in their
    /// order): one flat list of rows per clip.
    pub fn for_split(&self, features: &Index, split: &str) -> Vec<Vec<f32>> {
        features
            .items
            .iter()
            .filter(|it| it.split == split)
            .map(|it| self.of_clip(&it.id).to_vec())
            .collect()
    }
}

/// Whether two clip-vector files went through the same `earshot pca` projection (none, or one
/// whose numbers agree to float precision: a header read and written again may move a value by
/// its last digit).
fn same_projection(a: &Index, b: &Index) -> bool {
    let stored = |x: &Index| {
        x.extra
            .get("pca")
            .is_some()
            .then(|| crate::corpus::stored_projection(x).ok())
    };
    let close = |x: &[f32], y: &[f32]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(u, v)| (u - v).abs() <= 1e-6 * (1.0 + u.abs()))
    };
    match (stored(a), stored(b)) {
        (None, None) => true,
        (Some(Some(p)), Some(Some(q))) => {
            p.dim == q.dim && close(&p.mean, &q.mean) && close(&p.components, &q.components)
        }
        _ => false,
    }
}

/// The copies in the clip-vector files `paths` checked against `features` (`None` for none).
pub fn read(features: &Index, paths: &[std::path::PathBuf]) -> anyhow::Result<Option<Copies>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let files = paths
        .iter()
        .map(|p| crate::corpus::read_features(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let copies = Copies::of(features, &files).map_err(|e| {
        anyhow::anyhow!(
            "--augmented: {e} ({})",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    Ok(Some(copies))
}

/// Row `i` of `audio` (`dim` wide) or, drawn uniformly with it, one of `copies[i]` (rows of
/// `dim`, already scaled as `audio`). Draws nothing from `rng` for a clip without copies.
pub fn pick<'a>(
    audio: &'a [f32],
    copies: &'a [Vec<f32>],
    dim: usize,
    i: usize,
    rng: &mut ChaCha8Rng,
) -> &'a [f32] {
    let original = &audio[i * dim..(i + 1) * dim];
    let Some(c) = copies.get(i).filter(|c| c.len() >= dim) else {
        return original;
    };
    let k = rng.random_range(0..=c.len() / dim);
    if k == 0 {
        original
    } else {
        &c[(k - 1) * dim..k * dim]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use earshot_core::Item;
    use rand::SeedableRng;

    fn index(rows: &[(&str, &str)], base: f32) -> Index {
        let items = rows
            .iter()
            .map(|(id, split)| Item {
                id: id.to_string(),
                label: "Dog".into(),
                source: "p".into(),
                licence: String::new(),
                preview: String::new(),
                split: split.to_string(),
            })
            .collect::<Vec<_>>();
        let n = items.len();
        let v = (0..n * 2).map(|i| base + i as f32).collect();
        Index::new(items, 2, v).unwrap()
    }

    #[test]
    fn only_train_clips_get_their_copies() {
        let f = index(
            &[
                ("a", "train"),
                ("held", "unused"),
                ("b", "train"),
                ("v", "validation"),
            ],
            0.0,
        );
        let c1 = index(&[("a", ""), ("held", ""), ("b", ""), ("v", "")], 100.0);
        let c2 = index(&[("v", ""), ("held", ""), ("a", "")], 200.0);
        let copies = Copies::of(&f, &[c1, c2]).unwrap();
        let rows = copies.for_split(&f, "train");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], [100.0, 101.0, 204.0, 205.0]); // a: copy 1, then copy 2
        assert_eq!(rows[1], [104.0, 105.0]); // b: only in copy 1
        for r in &rows {
            // The held-out and validation clips' copies are nowhere among the train rows.
            for held in [102.0, 103.0, 106.0, 107.0, 200.0, 201.0, 202.0, 203.0] {
                assert!(!r.contains(&held), "{held} in {r:?}");
            }
        }
    }

    #[test]
    fn copies_must_match_the_features() {
        let f = index(&[("a", "train")], 0.0);
        let other = index(&[("z", "train")], 0.0);
        let e = Copies::of(&f, &[other]).unwrap_err().to_string();
        assert!(e.contains("no clip id in common"), "{e}");
        let pca = |shift: f32| {
            serde_json::json!({"feature": "student-pca2", "pca": {
                "from": 4, "k": 2, "mean": [0.1 + shift, 0.2, 0.3, 0.4],
                "components": [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]}})
        };
        let mut projected = f.clone();
        projected.extra = pca(0.0);
        let mut unprojected = f.clone();
        unprojected.extra = serde_json::json!({"feature": "student-pca2"});
        let e = Copies::of(&projected, &[unprojected])
            .unwrap_err()
            .to_string();
        assert!(e.contains("projected"), "{e}");
        let mut other = f.clone();
        other.extra = pca(0.01);
        assert!(Copies::of(&projected, &[other]).is_err());
        // The same projection written again (a last digit moved) is the same.
        let mut same = f.clone();
        same.extra = pca(1e-9);
        assert!(Copies::of(&projected, &[same]).is_ok());
        let wide = Index::new(f.items.clone(), 1, vec![0.0]).unwrap();
        assert!(Copies::of(&f, &[wide]).is_err());
    }

    #[test]
    fn pick_takes_the_clip_or_one_of_its_own_copies() {
        let audio = [0.0, 0.0, 1.0, 1.0];
        let copies = vec![vec![10.0, 10.0, 11.0, 11.0], vec![]];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let r = pick(&audio, &copies, 2, 0, &mut rng);
            assert!([0.0, 10.0, 11.0].contains(&r[0]), "{r:?}");
            seen.insert(r[0] as i32);
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        // Clip 1 has no copies: always itself, and the generator is left as it was.
        let mut a = ChaCha8Rng::seed_from_u64(9);
        let b = a.clone();
        assert_eq!(pick(&audio, &copies, 2, 1, &mut a), [1.0, 1.0]);
        assert_eq!(a, b);
    }
}
