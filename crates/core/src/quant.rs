//! Int8 copies of embedding rows for a fast first pass over large libraries, then an exact f32
//! rescoring of the best candidates.
//!
//! Each row `v` is stored relative to a fixed centre `μ` (the bundled index's mean in the app:
//! embeddings share a large common part, and quantising only what differs keeps the precision
//! where distances are decided) as codes `c = round((v − μ) / s)` in `-127..=127`, one scale per
//! row, `s = max|v − μ| / 127` (symmetric; the rule of the index file's i8 storage). The query
//! `q − μ` is quantised finer, to i16 codes `d` with scale `t`, so the scan is one integer dot
//! product per row:
//!
//! ```text
//! ‖q − v‖² ≈ ‖q − μ‖² − 2·s·t·(d·c) + s²·‖c‖²
//! ```
//!
//! `‖q − μ‖²` is the same for every row and `s²‖c‖²` is kept per row, so ranking reads one byte
//! per value (a quarter of the f32 traffic) with integer arithmetic. The best candidates by that
//! estimate are then rescored exactly ([`crate::index::l2_squared`] on the f32 rows) and the top k
//! returned, with exactly the scores (and tie order) of [`crate::index::top_k`] whenever the true
//! top k are among the candidates.

use crate::codes::scale_of;
pub use crate::codes::{dequantise, quantise};
use crate::index::{l2_squared, Hit};

/// Rows rescored exactly (at least; `10 × k` when that is more). Rescoring 1,000 rows reads 4 MB,
/// about a millisecond; fewer would miss true neighbours in dense regions of the joint space.
pub const RESCORE: usize = 1000;

/// The largest query code for rows of `dim`: 32 767, unless an i32 lane of [`dot`] (which adds
/// `dim / 4` products of at most 127 × code) could overflow.
fn query_code_max(dim: usize) -> f32 {
    let per_lane = dim.div_ceil(4).max(1) as f64;
    (f64::from(i32::MAX) / (127.0 * per_lane))
        .floor()
        .min(32_767.0) as f32
}

/// The query's i16 codes and scale.
fn quantise_query(v: &[f32]) -> (Vec<i16>, f32) {
    let max = query_code_max(v.len());
    let t = scale_of(v, max);
    (
        v.iter()
            .map(|&x| (x / t).round().clamp(-max, max) as i16)
            .collect(),
        t,
    )
}

/// `Σ qᵢ·cᵢ` of i16 query codes and int8 row codes, exact, so every build (native, wasm, wasm
/// SIMD) gives the same number.
#[inline]
pub fn dot(q: &[i16], c: &[i8]) -> i64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        dot_simd128(q, c)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        dot_lanes(q, c)
    }
}

/// wasm SIMD: 16 codes a step, widened to i16 and multiplied-and-paired by `i32x4.dot_i16x8_s`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot_simd128(q: &[i16], c: &[i8]) -> i64 {
    use core::arch::wasm32::*;
    let n = q.len().min(c.len());
    let (q, c) = (&q[..n], &c[..n]);
    let (cq, cc) = (q.chunks_exact(16), c.chunks_exact(16));
    let (tq, tc) = (cq.remainder(), cc.remainder());
    let mut acc = i32x4_splat(0);
    for (x, y) in cq.zip(cc) {
        // SAFETY: `x` is 16 i16 (32 bytes), `y` 16 bytes; v128_load needs no alignment.
        let (x0, x1, y) = unsafe {
            (
                v128_load(x.as_ptr().cast::<v128>()),
                v128_load(x[8..].as_ptr().cast::<v128>()),
                v128_load(y.as_ptr().cast::<v128>()),
            )
        };
        acc = i32x4_add(acc, i32x4_dot_i16x8(x0, i16x8_extend_low_i8x16(y)));
        acc = i32x4_add(acc, i32x4_dot_i16x8(x1, i16x8_extend_high_i8x16(y)));
    }
    let mut s = i64::from(i32x4_extract_lane::<0>(acc))
        + i64::from(i32x4_extract_lane::<1>(acc))
        + i64::from(i32x4_extract_lane::<2>(acc))
        + i64::from(i32x4_extract_lane::<3>(acc));
    for (&x, &y) in tq.iter().zip(tc) {
        s += i64::from(x) * i64::from(y);
    }
    s
}

/// Lanes of the portable dot product (independent accumulators the compiler can vectorise).
const LANES: usize = 16;

#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
#[inline]
fn dot_lanes(q: &[i16], c: &[i8]) -> i64 {
    let n = q.len().min(c.len());
    let (q, c) = (&q[..n], &c[..n]);
    let mut acc = [0i32; LANES];
    let (cq, cc) = (q.chunks_exact(LANES), c.chunks_exact(LANES));
    let (tq, tc) = (cq.remainder(), cc.remainder());
    for (x, y) in cq.zip(cc) {
        for j in 0..LANES {
            acc[j] += i32::from(x[j]) * i32::from(y[j]);
        }
    }
    let mut s: i64 = acc.iter().map(|&a| i64::from(a)).sum();
    for (&x, &y) in tq.iter().zip(tc) {
        s += i64::from(x) * i64::from(y);
    }
    s
}

/// Int8 rows (row-major codes, one scale per row, relative to a fixed centre) kept next to the
/// f32 rows they stand for.
#[derive(Debug, Clone, Default)]
pub struct Quantised {
    dim: usize,
    center: Vec<f32>,
    codes: Vec<i8>,
    scales: Vec<f32>,
    /// `s² · ‖c‖²` per row: the row's own term of the distance estimate.
    norms: Vec<f32>,
}

impl Quantised {
    /// Rows of `dim` values, centred on the origin.
    pub fn new(dim: usize) -> Self {
        Self::centred(vec![0.0; dim])
    }

    /// Rows of `center.len()` values, quantised relative to `center` (e.g. the mean of typical
    /// rows). A non-finite centre value counts as 0.
    pub fn centred(center: Vec<f32>) -> Self {
        Self {
            dim: center.len(),
            center: center
                .into_iter()
                .map(|v| if v.is_finite() { v } else { 0.0 })
                .collect(),
            ..Self::default()
        }
    }

    /// Quantises every row of row-major `vectors` (relative to `center`, `dim` values).
    pub fn from_rows(vectors: &[f32], center: Vec<f32>) -> Self {
        let mut q = Self::centred(center);
        let dim = q.dim.max(1);
        let n = vectors.len() / dim;
        q.codes.reserve(n * q.dim);
        q.scales.reserve(n);
        q.norms.reserve(n);
        for row in vectors.chunks_exact(dim) {
            q.push(row);
        }
        q
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn center(&self) -> &[f32] {
        &self.center
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Appends one row (`dim` values; a shorter row is padded with the centre, a longer one cut).
    pub fn push(&mut self, row: &[f32]) {
        let centred: Vec<f32> = self
            .center
            .iter()
            .enumerate()
            .map(|(i, &m)| row.get(i).map_or(0.0, |&x| x - m))
            .collect();
        let (c, s) = quantise(&centred);
        let sq: i64 = c.iter().map(|&x| i64::from(x) * i64::from(x)).sum();
        self.norms.push(s * s * sq as f32);
        self.codes.extend_from_slice(&c);
        self.scales.push(s);
    }

    /// Replaces row `i` (as [`Quantised::push`] would quantise `row`); out of range: nothing.
    pub fn set(&mut self, i: usize, row: &[f32]) {
        if i >= self.len() {
            return;
        }
        let mut one = Self::centred(self.center.clone());
        one.push(row);
        self.codes[i * self.dim..(i + 1) * self.dim].copy_from_slice(&one.codes);
        self.scales[i] = one.scales[0];
        self.norms[i] = one.norms[0];
    }

    /// Removes row `i` (later rows move up one, like `Vec::remove`).
    pub fn remove(&mut self, i: usize) {
        if i < self.len() {
            self.codes.drain(i * self.dim..(i + 1) * self.dim);
            self.scales.remove(i);
            self.norms.remove(i);
        }
    }

    pub fn clear(&mut self) {
        self.codes.clear();
        self.scales.clear();
        self.norms.clear();
    }

    /// Row `i`: its codes and scale (relative to the centre).
    pub fn row(&self, i: usize) -> (&[i8], f32) {
        (
            &self.codes[i * self.dim..(i + 1) * self.dim],
            self.scales[i],
        )
    }

    /// Row `i` as f32 again (centre added back).
    pub fn dequantised(&self, i: usize) -> Vec<f32> {
        let (c, s) = self.row(i);
        dequantise(c, s)
            .into_iter()
            .zip(&self.center)
            .map(|(v, m)| v + m)
            .collect()
    }

    /// The estimate of `‖q − v‖²` for every row (`query` of `dim` values).
    pub fn estimates(&self, query: &[f32]) -> Vec<f32> {
        let centred: Vec<f32> = query.iter().zip(&self.center).map(|(x, m)| x - m).collect();
        let qq: f32 = centred.iter().map(|x| x * x).sum();
        let (qc, t) = quantise_query(&centred);
        self.codes
            .chunks_exact(self.dim.max(1))
            .zip(self.scales.iter().zip(&self.norms))
            .map(|(c, (&s, &norm))| qq + norm - 2.0 * s * t * dot(&qc, c) as f32)
            .collect()
    }

    /// The positions of the `n` rows nearest to `query` by the int8 estimate of `‖q − v‖²`,
    /// in no particular order. A query of the wrong size gives nothing.
    pub fn candidates(&self, query: &[f32], n: usize) -> Vec<usize> {
        if query.len() != self.dim || n == 0 || self.is_empty() {
            return Vec::new();
        }
        let mut est: Vec<(f32, u32)> = self
            .estimates(query)
            .into_iter()
            .enumerate()
            .map(|(i, e)| (e, i as u32))
            .collect();
        if n < est.len() {
            est.select_nth_unstable_by(n - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            est.truncate(n);
        }
        est.into_iter().map(|(_, i)| i as usize).collect()
    }
}

/// Top-k by `exp(−‖q − v‖₂)` over row-major f32 `vectors` (and their int8 copy `quant`): an int8
/// scan picks `max(RESCORE, 10 k)` candidates, which are scored exactly. With no more rows than
/// candidates, this is the exact search. Best first; ties keep row order.
pub fn top_k_rescored(vectors: &[f32], quant: &Quantised, query: &[f32], k: usize) -> Vec<Hit> {
    top_k_rescoring(vectors, quant, query, k, RESCORE.max(k.saturating_mul(10)))
}

/// [`top_k_rescored`] with `candidates` rows rescored.
pub fn top_k_rescoring(
    vectors: &[f32],
    quant: &Quantised,
    query: &[f32],
    k: usize,
    candidates: usize,
) -> Vec<Hit> {
    let dim = quant.dim();
    if dim == 0 || query.len() != dim || k == 0 || vectors.len() != quant.len() * dim {
        return Vec::new();
    }
    let rows: Vec<usize> = if quant.len() <= candidates.max(k) {
        (0..quant.len()).collect()
    } else {
        quant.candidates(query, candidates.max(k))
    };
    let mut hits: Vec<Hit> = rows
        .into_iter()
        .map(|item| Hit {
            item,
            score: (-l2_squared(&vectors[item * dim..(item + 1) * dim], query).sqrt()).exp(),
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    hits.truncate(k);
    hits
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::index::{top_k, Index, Metric};

    /// xorshift64*: deterministic numbers for the tests.
    struct Rng(u64);
    impl Rng {
        fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        /// Uniform in [0, 1).
        fn uniform(&mut self) -> f32 {
            (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
        }
        /// Standard normal (Box–Muller).
        fn normal(&mut self) -> f32 {
            let u = self.uniform().max(1e-7);
            let v = self.uniform();
            (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
        }
    }

    #[test]
    fn quantise_dequantise_error_is_at_most_half_a_step() {
        let mut rng = Rng(3);
        for (dim, spread) in [(1usize, 1.0f32), (7, 0.01), (1024, 1.0), (1024, 40.0)] {
            let v: Vec<f32> = (0..dim).map(|_| spread * rng.normal()).collect();
            let (c, s) = quantise(&v);
            let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!((s - max / 127.0).abs() <= f32::EPSILON * max, "scale");
            assert!(
                c.iter().any(|&x| x.abs() == 127),
                "the largest value uses the full range"
            );
            let back = dequantise(&c, s);
            for (a, b) in v.iter().zip(&back) {
                assert!(
                    (a - b).abs() <= 0.5 * s * (1.0 + 1e-5),
                    "{a} vs {b}, step {s}"
                );
            }
            // Relative L2 error of a Gaussian row: ≈ max/σ / (127 √12), well under 3 %.
            let err: f32 = v.iter().zip(&back).map(|(a, b)| (a - b) * (a - b)).sum();
            let norm: f32 = v.iter().map(|a| a * a).sum();
            assert!(
                (err / norm).sqrt() < 0.03,
                "dim {dim}: {}",
                (err / norm).sqrt()
            );
        }
        let (c, s) = quantise(&[0.0; 4]);
        assert_eq!((c, s), (vec![0; 4], 1.0));
        assert_eq!(quantise(&[-2.54, 1.27]).0, vec![-127, 64]);
        // Centred rows come back within half a step of the row's own scale.
        let center = vec![5.0, -5.0, 0.5];
        let q = Quantised::from_rows(&[5.5, -5.25, 0.5], center);
        let back = q.dequantised(0);
        let s = q.row(0).1;
        assert!((s - 0.5 / 127.0).abs() < 1e-9);
        for (a, b) in [5.5f32, -5.25, 0.5].iter().zip(&back) {
            assert!((a - b).abs() <= 0.5 * s + 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn integer_dot_products_are_exact_at_the_extremes() {
        let q = vec![32_767i16; 1029];
        let c = vec![-127i8; 1029];
        assert_eq!(dot(&q, &c), -32_767 * 127 * 1029);
        let mixed: Vec<i16> = (0..1029i32)
            .map(|i| ((i * 61) % 62_000 - 31_000) as i16)
            .collect();
        let codes: Vec<i8> = (0..1029).map(|i| ((i * 37) % 255) as i8).collect();
        let plain: i64 = mixed
            .iter()
            .zip(&codes)
            .map(|(&a, &b)| i64::from(a) * i64::from(b))
            .sum();
        assert_eq!(dot(&mixed, &codes), plain);
        assert_eq!(query_code_max(1024), 32_767.0);
        assert!(query_code_max(1 << 20) * 127.0 * (1 << 18) as f32 <= i32::MAX as f32);
    }

    #[test]
    fn the_estimate_tracks_the_true_distance() {
        let mut rng = Rng(5);
        let dim = 1024;
        let rows: Vec<f32> = (0..50 * dim).map(|_| rng.normal()).collect();
        let q: Vec<f32> = (0..dim).map(|_| rng.normal()).collect();
        let quant = Quantised::from_rows(&rows, vec![0.0; dim]);
        for (i, est) in quant.estimates(&q).into_iter().enumerate() {
            let exact = l2_squared(&rows[i * dim..(i + 1) * dim], &q);
            assert!((est - exact).abs() < 0.01 * exact, "{est} vs {exact}");
        }
    }

    #[test]
    fn push_remove_and_clear_keep_rows_aligned() {
        let mut q = Quantised::new(3);
        q.push(&[1.0, 0.0, -1.0]);
        q.push(&[0.0, 2.0, 0.0]);
        q.push(&[0.5, 0.5, 0.5]);
        q.remove(1);
        assert_eq!(q.len(), 2);
        assert_eq!(q.row(1), (&[127i8, 127, 127][..], 0.5 / 127.0));
        q.remove(7);
        assert_eq!(q.len(), 2);
        // Replacing a row quantises it as a push would; the others stay.
        q.set(0, &[0.0, 2.0, 0.0]);
        assert_eq!(q.row(0), (&[0i8, 127, 0][..], 2.0 / 127.0));
        assert_eq!(q.row(1), (&[127i8, 127, 127][..], 0.5 / 127.0));
        q.set(9, &[1.0, 1.0, 1.0]);
        assert_eq!(q.len(), 2);
        q.clear();
        assert!(q.is_empty());
        assert!(q.candidates(&[1.0, 0.0, 0.0], 5).is_empty());
    }

    /// The shipped index's real embeddings (3,002), each as five near copies (noise of a tenth of
    /// the typical distance to the nearest other clip; none left on the file's own int8 grid).
    /// (Sized to run in seconds unoptimised.)
    /// The joint space has dense regions where hundreds of clips lie at almost the same distance
    /// from a query, so the true top 20 are decided by differences below the int8 error: the int8
    /// estimate alone gets some wrong (checked below, so the test can fail), while the 1,000
    /// rescored must always give the exact top 20. (With the 256-d InfoNCE space even the best 50
    /// estimates hold the exact top 20 in these queries; the 1024-d BCE space needed over 200.)
    #[test]
    fn rescored_top_20_equals_exact_top_20_on_real_embeddings() {
        const COPIES: usize = 5;
        let index = Index::from_bytes(include_bytes!("../../../pkg/index.bin")).unwrap();
        let dim = index.dim;
        let n0 = index.len();
        // Typical nearest-neighbour distance among the real clips.
        let mut nn: Vec<f32> = (0..n0)
            .step_by(43)
            .map(|i| {
                (0..n0)
                    .filter(|&j| j != i)
                    .map(|j| l2_squared(index.vector(i), index.vector(j)))
                    .fold(f32::INFINITY, f32::min)
                    .sqrt()
            })
            .collect();
        nn.sort_by(f32::total_cmp);
        let typical = nn[nn.len() / 2];
        assert!(typical > 0.0);
        let sigma = 0.1 * typical / (dim as f32).sqrt();

        let mut rng = Rng(11);
        let mut rows = Vec::with_capacity(n0 * COPIES * dim);
        for i in 0..n0 {
            for _ in 0..COPIES {
                rows.extend(index.vector(i).iter().map(|&x| x + sigma * rng.normal()));
            }
        }
        // The centre the app uses: the bundled index's mean.
        let mut mean = vec![0f32; dim];
        for i in 0..n0 {
            mean.iter_mut()
                .zip(index.vector(i))
                .for_each(|(m, v)| *m += v / n0 as f32);
        }
        let quant = Quantised::from_rows(&rows, mean);
        assert_eq!(quant.len(), n0 * COPIES);

        let (mut checked, mut alone_wrong) = (0, 0);
        for qi in (0..n0).step_by(n0 / 16) {
            // A query near a real clip (its cluster and neighbours are the answer), and a query
            // between two clips.
            let near: Vec<f32> = index
                .vector(qi)
                .iter()
                .map(|&x| x + sigma * rng.normal())
                .collect();
            let other = index.vector((qi * 31 + 5) % n0);
            let between: Vec<f32> = near.iter().zip(other).map(|(a, b)| 0.5 * (a + b)).collect();
            for q in [&near, &between] {
                let exact = top_k(&rows, dim, q, 20, Metric::ExpL2);
                assert_eq!(
                    top_k_rescored(&rows, &quant, q, 20),
                    exact,
                    "query near item {qi}"
                );
                // The estimate's own ranking: whether its best 20 are the answer.
                let mut by_estimate: Vec<(f32, usize)> = quant
                    .estimates(q)
                    .into_iter()
                    .enumerate()
                    .map(|(i, e)| (e, i))
                    .collect();
                by_estimate.sort_by(|a, b| a.0.total_cmp(&b.0));
                let rank = |n: usize| -> Vec<usize> {
                    let mut r: Vec<usize> = by_estimate[..n].iter().map(|e| e.1).collect();
                    r.sort_unstable();
                    r
                };
                let mut want: Vec<usize> = exact.iter().map(|h| h.item).collect();
                want.sort_unstable();
                alone_wrong += usize::from(rank(20) != want);
                checked += 1;
            }
        }
        assert!(checked >= 32);
        assert!(
            alone_wrong > 0,
            "int8 alone wrong {alone_wrong} of {checked}: too easy a test"
        );
    }

    #[test]
    fn small_sets_and_odd_requests() {
        let rows = [0.0, 0.0, 1.0, 0.0, 5.0, 5.0];
        let quant = Quantised::from_rows(&rows, vec![0.0; 2]);
        let hits = top_k_rescored(&rows, &quant, &[0.9, 0.0], 2);
        assert_eq!(hits, top_k(&rows, 2, &[0.9, 0.0], 2, Metric::ExpL2));
        assert_eq!(
            top_k_rescoring(&rows, &quant, &[0.9, 0.0], 1, 2),
            top_k(&rows, 2, &[0.9, 0.0], 1, Metric::ExpL2)
        );
        assert!(top_k_rescored(&rows, &quant, &[0.9], 2).is_empty());
        assert!(top_k_rescored(&rows, &quant, &[0.9, 0.0], 0).is_empty());
        assert_eq!(top_k_rescored(&rows, &quant, &[0.9, 0.0], 10).len(), 3);
        assert!(top_k_rescored(&rows[..4], &quant, &[0.9, 0.0], 2).is_empty());
    }
}
