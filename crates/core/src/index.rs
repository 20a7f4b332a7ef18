//! The embedding index: joint-space vectors of the indexed clips with their metadata, exact top-k
//! search (L2 as `exp(−‖a − b‖₂)`, or cosine), kNN label voting (k = 25, as in the paper) and the
//! binary file format.
//!
//! # File format (little-endian)
//! ```text
//! magic     8 bytes "ESINDEX\0"
//! version   u32     1
//! n         u32     items
//! dim       u32     joint-space size
//! dtype     u32     0: f32; 1: i8 with one f32 scale per row (value = code × scale); 2: f16
//! meta_len  u32     byte length of the metadata
//! meta      UTF-8 JSON: {"items": [{"id", "label", "source", "licence", "preview"}, ...], ...}
//! vectors   n × dim × 4 bytes (f32), or n × 4 bytes of scales then n × dim i8 codes, or
//!           n × dim × 2 bytes (IEEE half precision)
//! ```

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const MAGIC: &[u8; 8] = b"ESINDEX\0";
pub const VERSION: u32 = 1;

/// Neighbours voting for labels (the paper's k).
pub const KNN_K: usize = 25;

/// Metadata of one indexed clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub licence: String,
    /// Path of the preview, relative to the index file.
    #[serde(default)]
    pub preview: String,
    /// `train`, `validation` or `test` for corpus clips; empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub split: String,
}

impl Item {
    /// A sound known only by its id (a user's file): no class label, source or preview.
    pub fn unlabelled(id: String) -> Self {
        Self {
            id,
            label: String::new(),
            source: String::new(),
            licence: String::new(),
            preview: String::new(),
            split: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    items: Vec<Item>,
    #[serde(default)]
    extra: serde_json::Value,
}

/// How vectors are stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    F32,
    I8,
    /// Half precision: half the size of f32 with about three significant digits (clip vectors
    /// whose dimensions differ in scale, where one int8 scale per row would lose the small ones).
    F16,
}

/// Similarity used to rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `exp(−‖a − b‖₂)`, the joint space's similarity.
    ExpL2,
    Cosine,
}

/// A ranked hit: item position and score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub item: usize,
    pub score: f32,
}

#[derive(Debug, Clone)]
pub struct Index {
    pub items: Vec<Item>,
    pub dim: usize,
    vectors: Vec<f32>,
    pub extra: serde_json::Value,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Invalid(format!("index: {}", msg.into()))
}

impl Index {
    pub fn new(items: Vec<Item>, dim: usize, vectors: Vec<f32>) -> Result<Self> {
        if dim == 0 || vectors.len() != items.len() * dim {
            return Err(bad(format!(
                "{} values for {} items of {dim} dims",
                vectors.len(),
                items.len()
            )));
        }
        if vectors.iter().any(|v| !v.is_finite()) {
            return Err(bad("non-finite vector values"));
        }
        Ok(Self {
            items,
            dim,
            vectors,
            extra: serde_json::Value::Null,
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn vector(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// Exact top-k of `query` (ties keep index order).
    pub fn top_k(&self, query: &[f32], k: usize, metric: Metric) -> Result<Vec<Hit>> {
        if query.len() != self.dim {
            return Err(bad(format!(
                "query has {} dims, index has {}",
                query.len(),
                self.dim
            )));
        }
        Ok(top_k(&self.vectors, self.dim, query, k, metric))
    }

    /// kNN label voting: the share of the `k` nearest items (by `exp(−L2)`) carrying each label,
    /// best first; ties go to the label whose nearest voter is nearer.
    pub fn knn_labels(&self, query: &[f32], k: usize) -> Result<Vec<(String, f32)>> {
        let hits = self.top_k(query, k, Metric::ExpL2)?;
        let labels: Vec<&str> = hits
            .iter()
            .map(|h| self.items[h.item].label.as_str())
            .collect();
        Ok(vote(&labels)
            .into_iter()
            .map(|(l, s)| (l.to_string(), s))
            .collect())
    }

    pub fn to_bytes(&self, storage: Storage) -> Result<Vec<u8>> {
        let meta = serde_json::to_vec(&Meta {
            items: self.items.clone(),
            extra: self.extra.clone(),
        })
        .map_err(|e| bad(e.to_string()))?;
        let mut b = Vec::with_capacity(28 + meta.len() + self.vectors.len() * 4);
        b.extend_from_slice(MAGIC);
        let dtype = match storage {
            Storage::F32 => 0u32,
            Storage::I8 => 1,
            Storage::F16 => 2,
        };
        for v in [
            VERSION,
            self.items.len() as u32,
            self.dim as u32,
            dtype,
            meta.len() as u32,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&meta);
        match storage {
            Storage::F32 => self
                .vectors
                .iter()
                .for_each(|v| b.extend_from_slice(&v.to_le_bytes())),
            Storage::I8 => {
                let rows: Vec<(Vec<i8>, f32)> = self
                    .vectors
                    .chunks_exact(self.dim)
                    .map(crate::codes::quantise)
                    .collect();
                for (_, scale) in &rows {
                    b.extend_from_slice(&scale.to_le_bytes());
                }
                for (codes, _) in &rows {
                    b.extend(codes.iter().map(|&c| c as u8));
                }
            }
            Storage::F16 => self
                .vectors
                .iter()
                .for_each(|&v| b.extend_from_slice(&half::f16::from_f32(v).to_le_bytes())),
        }
        Ok(b)
    }

    /// Parse an index file; a wrong magic, version or size, or truncation, is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < 28 || &bytes[..8] != MAGIC {
            return Err(bad(
                if bytes.len() < 28 && bytes.starts_with(&MAGIC[..bytes.len().min(8)]) {
                    "file is truncated (header)".to_string()
                } else {
                    "not an earshot index file".to_string()
                },
            ));
        }
        let u = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize
        };
        let (version, n, dim, dtype, meta_len) = (u(8), u(12), u(16), u(20), u(24));
        if version != VERSION as usize {
            return Err(bad(format!(
                "version {version} is not supported (expected {VERSION})"
            )));
        }
        if dim == 0 || dim > 65_536 {
            return Err(bad(format!("invalid dimension {dim}")));
        }
        let row_bytes = match dtype {
            0 => dim * 4,
            1 => dim + 4,
            2 => dim * 2,
            _ => return Err(bad(format!("unknown vector type {dtype}"))),
        };
        let expected = n
            .checked_mul(row_bytes)
            .and_then(|v| v.checked_add(28 + meta_len))
            .ok_or_else(|| bad("sizes overflow"))?;
        if bytes.len() != expected {
            return Err(bad(format!(
                "file is {} bytes, its header says {expected} (truncated or damaged)",
                bytes.len()
            )));
        }
        let meta: Meta = serde_json::from_slice(&bytes[28..28 + meta_len])
            .map_err(|e| bad(format!("metadata is not valid ({e})")))?;
        if meta.items.len() != n {
            return Err(bad(format!(
                "metadata lists {} items, header says {n}",
                meta.items.len()
            )));
        }
        let body = &bytes[28 + meta_len..];
        let vectors: Vec<f32> = match dtype {
            0 => body
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            2 => body
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            _ => {
                let (scales, codes) = body.split_at(n * 4);
                let scales: Vec<f32> = scales
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                codes
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| f32::from(c as i8) * scales[i / dim])
                    .collect()
            }
        };
        let mut index = Self::new(meta.items, dim, vectors)?;
        index.extra = meta.extra;
        Ok(index)
    }
}

/// Lanes of the sums below: independent accumulators let the CPU (and the compiler's vector
/// units) work in parallel instead of waiting on one chain of additions.
const LANES: usize = 8;

/// `Σ f(aᵢ, bᵢ)` in a fixed order: lane `j` sums elements `j, j+8, …`, then the lanes are added
/// in order and the tail last. Same arithmetic natively and in wasm, so both agree bit for bit.
#[inline]
fn lane_sum(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..LANES {
            acc[j] += f(x[j], y[j]);
        }
    }
    let mut s = acc.iter().sum::<f32>();
    for (&x, &y) in ta.iter().zip(tb) {
        s += f(x, y);
    }
    s
}

/// Squared Euclidean distance.
#[inline]
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    lane_sum(a, b, |x, y| (x - y) * (x - y))
}

/// Dot product.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    lane_sum(a, b, |x, y| x * y)
}

/// Exact top-k over row-major `vectors` of `dim` (used by the index and the evaluation).
pub fn top_k(vectors: &[f32], dim: usize, query: &[f32], k: usize, metric: Metric) -> Vec<Hit> {
    let qn = dot(query, query).sqrt();
    let mut hits: Vec<Hit> = vectors
        .chunks_exact(dim)
        .enumerate()
        .map(|(item, v)| {
            let score = match metric {
                Metric::ExpL2 => (-l2_squared(v, query).sqrt()).exp(),
                Metric::Cosine => {
                    let vn = dot(v, v).sqrt();
                    if vn == 0.0 || qn == 0.0 {
                        0.0
                    } else {
                        dot(v, query) / (vn * qn)
                    }
                }
            };
            Hit { item, score }
        })
        .collect();
    let k = k.min(hits.len());
    if k == 0 {
        return Vec::new();
    }
    let by_score = |a: &Hit, b: &Hit| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item));
    if k < hits.len() {
        hits.select_nth_unstable_by(k - 1, by_score);
        hits.truncate(k);
    }
    hits.sort_by(by_score);
    hits
}

/// Label votes of ranked neighbours (nearest first): share of votes per label, best first; a tie
/// goes to the label whose first voter ranks higher.
pub fn vote<'a>(ranked_labels: &[&'a str]) -> Vec<(&'a str, f32)> {
    let mut tally: Vec<(&str, usize, usize)> = Vec::new(); // label, votes, first rank
    for (rank, &l) in ranked_labels.iter().enumerate() {
        match tally.iter_mut().find(|t| t.0 == l) {
            Some(t) => t.1 += 1,
            None => tally.push((l, 1, rank)),
        }
    }
    tally.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let n = ranked_labels.len().max(1) as f32;
    tally
        .into_iter()
        .map(|(l, v, _)| (l, v as f32 / n))
        .collect()
}

#[cfg(test)]
mod lane_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lane_sums_match_plain_sums() {
        for n in [0usize, 1, 7, 8, 9, 300, 1024, 1029] {
            let a: Vec<f32> = (0..n)
                .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
                .collect();
            let b: Vec<f32> = (0..n)
                .map(|i| ((i * 53) % 97) as f32 / 40.0 - 1.2)
                .collect();
            let plain_l2: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(x - y).powi(2))
                .sum();
            let plain_dot: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x * y)).sum();
            assert!(
                (f64::from(l2_squared(&a, &b)) - plain_l2).abs() <= 1e-4 * plain_l2.max(1.0),
                "n={n}"
            );
            assert!(
                (f64::from(dot(&a, &b)) - plain_dot).abs() <= 1e-4 * plain_dot.abs().max(1.0),
                "n={n}"
            );
        }
        assert_eq!(l2_squared(&[3.0], &[0.0]), 9.0);
        assert_eq!(dot(&[], &[]), 0.0);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(id: &str, label: &str) -> Item {
        Item {
            id: id.into(),
            label: label.into(),
            source: "s".into(),
            licence: "CC0".into(),
            preview: format!("p/{id}.ogg"),
            split: String::new(),
        }
    }

    fn index() -> Index {
        let items = vec![
            item("a", "Bark"),
            item("b", "Bark"),
            item("c", "Meow"),
            item("d", "Gong"),
        ];
        let v = vec![0.0, 0.0, 0.1, 0.0, 1.0, 1.0, -3.0, 0.5];
        Index::new(items, 2, v).unwrap()
    }

    #[test]
    fn top_k_ranks_by_exp_l2_and_cosine() {
        let ix = index();
        let hits = ix.top_k(&[0.9, 0.9], 3, Metric::ExpL2).unwrap();
        assert_eq!(hits.iter().map(|h| h.item).collect::<Vec<_>>(), [2, 1, 0]);
        let d = (0.1f32 * 0.1 * 2.0).sqrt();
        assert!((hits[0].score - (-d).exp()).abs() < 1e-6);
        let hits = ix.top_k(&[-1.0, 0.0], 2, Metric::Cosine).unwrap();
        assert_eq!(hits[0].item, 3);
        assert!(ix.top_k(&[1.0], 2, Metric::Cosine).is_err());
        assert_eq!(ix.top_k(&[0.0, 0.0], 10, Metric::ExpL2).unwrap().len(), 4);
    }

    #[test]
    fn knn_votes_share_and_break_ties_by_rank() {
        assert_eq!(
            vote(&["Meow", "Bark", "Bark", "Gong"]),
            [("Bark", 0.5), ("Meow", 0.25), ("Gong", 0.25)]
        );
        let ix = index();
        let labels = ix.knn_labels(&[0.05, 0.0], 3).unwrap();
        assert_eq!(labels[0].0, "Bark");
        assert!((labels[0].1 - 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn file_round_trip_in_every_storage() {
        let ix = index();
        let back = Index::from_bytes(&ix.to_bytes(Storage::F32).unwrap()).unwrap();
        assert_eq!(back.items, ix.items);
        assert_eq!(back.vectors(), ix.vectors());
        let back = Index::from_bytes(&ix.to_bytes(Storage::I8).unwrap()).unwrap();
        for (a, b) in back.vectors().iter().zip(ix.vectors()) {
            assert!((a - b).abs() <= 3.0 / 127.0, "{a} vs {b}");
        }
        // Half precision keeps small and large dimensions alike to about 1 part in 2,000.
        let wide = Index::new(
            ix.items.clone(),
            2,
            vec![-612.3, 0.0042, 1.0, 2.0, 3.5, -1e-3, 0.0, 7.25],
        )
        .unwrap();
        let bytes = wide.to_bytes(Storage::F16).unwrap();
        assert_eq!(
            bytes.len(),
            wide.to_bytes(Storage::F32).unwrap().len() - 4 * 2 * 2
        );
        let back = Index::from_bytes(&bytes).unwrap();
        assert_eq!(back.items, wide.items);
        for (a, b) in back.vectors().iter().zip(wide.vectors()) {
            assert!((a - b).abs() <= b.abs() / 2000.0, "{a} vs {b}");
        }
    }

    #[test]
    fn damaged_files_are_clear_errors() {
        let good = index().to_bytes(Storage::I8).unwrap();
        let msg = |b: &[u8]| Index::from_bytes(b).unwrap_err().to_string();
        assert!(msg(&good[..good.len() - 3]).contains("truncated"));
        assert!(msg(&good[..10]).contains("truncated"));
        assert!(msg(b"PK\x03\x04 a zip file, not an index at all").contains("not an earshot index"));
        let mut v = good.clone();
        v[8] = 2;
        assert!(msg(&v).contains("version 2"));
        let mut v = good.clone();
        v[16] = 3; // dim 3: sizes no longer add up
        assert!(msg(&v).contains("header says"));
        let mut v = good;
        v[28] = b'X'; // metadata JSON broken
        assert!(msg(&v).contains("metadata"));
        assert!(Index::new(vec![item("a", "x")], 2, vec![f32::NAN, 0.0]).is_err());
    }
}
