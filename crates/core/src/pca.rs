//! Principal component analysis to `k` dimensions (e.g. the 512-d CNN embeddings to 300-d, fitted
//! on the training clips): the eigenvectors of the covariance matrix by cyclic Jacobi rotations,
//! in `f64`. Exact and deterministic; O(dim³) per sweep, about a second for 512 dimensions.

use crate::{Error, Result};

/// Jacobi sweeps at most (convergence is quadratic; 512-d data needs ~10).
const MAX_SWEEPS: usize = 60;

/// `y = components · (x − mean)`, one row of `components` (unit length) per output dimension,
/// in order of decreasing variance.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    pub dim: usize,
    pub mean: Vec<f32>,
    /// `k` rows of `dim` values, row-major.
    pub components: Vec<f32>,
    /// Variance of the data along each component.
    pub variance: Vec<f64>,
    /// Total variance of the data (the trace of its covariance).
    pub total_variance: f64,
}

impl Pca {
    /// Fits on `rows` (row-major, `dim` values each), keeping `k` components. The sign of each
    /// component is fixed so that its largest-magnitude value is positive.
    pub fn fit(rows: &[f32], dim: usize, k: usize) -> Result<Self> {
        if dim == 0 || rows.is_empty() || !rows.len().is_multiple_of(dim) {
            return Err(Error::Invalid(format!(
                "PCA: {} values do not form rows of {dim}",
                rows.len()
            )));
        }
        if k == 0 || k > dim {
            return Err(Error::Invalid(format!(
                "PCA: cannot keep {k} of {dim} dimensions"
            )));
        }
        if rows.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid("PCA: non-finite values".into()));
        }
        let n = rows.len() / dim;
        let mut mean = vec![0f64; dim];
        for r in rows.chunks_exact(dim) {
            for (m, &v) in mean.iter_mut().zip(r) {
                *m += f64::from(v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        // Covariance (divided by n), dim × dim.
        let mut cov = vec![0f64; dim * dim];
        let mut c = vec![0f64; dim];
        for r in rows.chunks_exact(dim) {
            for ((ci, &v), m) in c.iter_mut().zip(r).zip(&mean) {
                *ci = f64::from(v) - m;
            }
            for i in 0..dim {
                let ci = c[i];
                if ci == 0.0 {
                    continue;
                }
                let row = &mut cov[i * dim..(i + 1) * dim];
                for (x, &cj) in row[i..].iter_mut().zip(&c[i..]) {
                    *x += ci * cj;
                }
            }
        }
        for i in 0..dim {
            for j in i..dim {
                let v = cov[i * dim + j] / n as f64;
                cov[i * dim + j] = v;
                cov[j * dim + i] = v;
            }
        }
        let total_variance = (0..dim).map(|i| cov[i * dim + i]).sum();
        let (values, vectors) = jacobi_eigen(cov, dim);
        let mut order: Vec<usize> = (0..dim).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let mut components = Vec::with_capacity(k * dim);
        let mut variance = Vec::with_capacity(k);
        for &e in order.iter().take(k) {
            // Eigenvector e is column e of `vectors`.
            let mut v: Vec<f64> = (0..dim).map(|i| vectors[i * dim + e]).collect();
            let big = v
                .iter()
                .copied()
                .max_by(|a, b| a.abs().total_cmp(&b.abs()))
                .unwrap_or(1.0);
            if big < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            components.extend(v.iter().map(|&x| x as f32));
            variance.push(values[e].max(0.0));
        }
        Ok(Self {
            dim,
            mean: mean.iter().map(|&m| m as f32).collect(),
            components,
            variance,
            total_variance,
        })
    }

    /// Number of output dimensions.
    pub fn k(&self) -> usize {
        self.components.len() / self.dim.max(1)
    }

    /// Projects one vector of `dim` values.
    pub fn project(&self, x: &[f32]) -> Result<Vec<f32>> {
        if x.len() != self.dim {
            return Err(Error::Invalid(format!(
                "PCA: {} values, expected {}",
                x.len(),
                self.dim
            )));
        }
        let c: Vec<f64> = x
            .iter()
            .zip(&self.mean)
            .map(|(&v, &m)| f64::from(v) - f64::from(m))
            .collect();
        Ok(self
            .components
            .chunks_exact(self.dim)
            .map(|row| {
                row.iter()
                    .zip(&c)
                    .map(|(&w, &v)| f64::from(w) * v)
                    .sum::<f64>() as f32
            })
            .collect())
    }

    /// Projects rows (row-major, `dim` values each): `k` values per row.
    pub fn project_rows(&self, rows: &[f32]) -> Result<Vec<f32>> {
        if self.dim == 0 || !rows.len().is_multiple_of(self.dim) {
            return Err(Error::Invalid(format!(
                "PCA: {} values do not form rows of {}",
                rows.len(),
                self.dim
            )));
        }
        let mut out = Vec::with_capacity(rows.len() / self.dim * self.k());
        for r in rows.chunks_exact(self.dim) {
            out.extend(self.project(r)?);
        }
        Ok(out)
    }
}

/// Eigen-decomposition of a symmetric `n × n` matrix (row-major) by cyclic Jacobi rotations:
/// (eigenvalues, eigenvectors as the columns of a row-major `n × n` matrix).
fn jacobi_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let total: f64 = a.iter().map(|x| x * x).sum();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off <= 1e-24 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // A ← Jᵀ A J on rows/columns p and q.
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random numbers in [-1, 1).
    fn noise(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    #[test]
    fn recovers_axes_and_variances() {
        // Independent coordinates with variances 9, 4, 1, 0.25 (times 1/3 for uniform), rotated.
        let dim = 4;
        let scales = [3.0f32, 2.0, 1.0, 0.5];
        let (c, s) = (0.6f32, 0.8f32);
        let mut seed = 7u64;
        let mut rows = Vec::new();
        for _ in 0..20_000 {
            let z: Vec<f32> = scales.iter().map(|&k| k * noise(&mut seed)).collect();
            // Rotate coordinates 0 and 1 in the plane, add an offset.
            rows.extend([
                c * z[0] - s * z[1] + 5.0,
                s * z[0] + c * z[1] - 1.0,
                z[2],
                z[3] + 2.0,
            ]);
        }
        let p = Pca::fit(&rows, dim, 3).unwrap();
        assert_eq!(p.k(), 3);
        let first = &p.components[..dim];
        assert!(
            (first[0] - c).abs() < 0.02 && (first[1] - s).abs() < 0.02,
            "{first:?}"
        );
        for (v, k) in p.variance.iter().zip(scales) {
            let want = f64::from(k * k) / 3.0;
            assert!((v / want - 1.0).abs() < 0.05, "{v} vs {want}");
        }
        assert!((p.mean[0] - 5.0).abs() < 0.05);
        // Components are orthonormal.
        for i in 0..3 {
            for j in 0..3 {
                let d: f32 = (0..dim)
                    .map(|t| p.components[i * dim + t] * p.components[j * dim + t])
                    .sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((d - want).abs() < 1e-5, "{i} {j} {d}");
            }
        }
        let y = p.project_rows(&rows[..8]).unwrap();
        assert_eq!(y.len(), 6);
    }

    #[test]
    fn bad_input() {
        assert!(Pca::fit(&[], 3, 1).is_err());
        assert!(Pca::fit(&[1.0, 2.0], 3, 1).is_err());
        assert!(Pca::fit(&[1.0, 2.0, 3.0], 3, 4).is_err());
        assert!(Pca::fit(&[1.0, 2.0, 3.0], 3, 0).is_err());
        assert!(Pca::fit(&[1.0, f32::NAN, 3.0], 3, 1).is_err());
        // One row: zero variance, still a valid (if arbitrary) basis.
        let p = Pca::fit(&[1.0, 2.0, 3.0], 3, 2).unwrap();
        assert_eq!(p.project(&[1.0, 2.0, 3.0]).unwrap(), vec![0.0, 0.0]);
        assert!(p.project(&[1.0]).is_err());
    }
}
