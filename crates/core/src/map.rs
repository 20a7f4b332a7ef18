//! A 2-D map of the joint space: the first two principal components of the index's
//! embeddings (PCA), found by power iteration with deflation. Deterministic and fast enough to
//! run when the app loads (a few milliseconds for thousands of 1024-d rows), so the map always
//! matches the shipped index, and any new embedding (a query, a library sound) projects onto it.

use crate::{Error, Result};

/// Power-iteration steps per component (convergence is checked earlier).
const MAX_ITERATIONS: usize = 500;
/// Stop when the direction moves less than this between steps (1 − |cos|).
const TOLERANCE: f64 = 1e-10;

/// The projection: `p = C · (x − mean)`, one row of `C` per map axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub dim: usize,
    pub mean: Vec<f32>,
    /// Two unit-length, orthogonal axes of `dim` values each.
    pub axes: [Vec<f32>; 2],
    /// Variance of the data along each axis.
    pub variance: [f64; 2],
}

impl Projection {
    /// Fit on `rows` (row-major, `dim` values each).
    pub fn fit(rows: &[f32], dim: usize) -> Result<Self> {
        if dim == 0 || rows.is_empty() || !rows.len().is_multiple_of(dim) {
            return Err(Error::Invalid(format!(
                "map: {} values do not form rows of {dim}",
                rows.len()
            )));
        }
        if rows.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid("map: non-finite values".into()));
        }
        let n = rows.len() / dim;
        let mut mean = vec![0f64; dim];
        for r in rows.chunks_exact(dim) {
            for (m, &v) in mean.iter_mut().zip(r) {
                *m += f64::from(v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let centred: Vec<f64> = rows
            .chunks_exact(dim)
            .flat_map(|r| r.iter().zip(&mean).map(|(&v, m)| f64::from(v) - m))
            .collect();
        let first = principal_axis(&centred, dim, None);
        let second = principal_axis(&centred, dim, Some(&first.0));
        let to_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        Ok(Self {
            dim,
            mean: to_f32(&mean),
            axes: [to_f32(&first.0), to_f32(&second.0)],
            variance: [first.1 / n as f64, second.1 / n as f64],
        })
    }

    /// Map coordinates of one vector.
    pub fn project(&self, x: &[f32]) -> Result<[f32; 2]> {
        if x.len() != self.dim {
            return Err(Error::Invalid(format!(
                "map: vector has {} dims, the map {}",
                x.len(),
                self.dim
            )));
        }
        let along = |axis: &[f32]| -> f32 {
            x.iter()
                .zip(&self.mean)
                .zip(axis)
                .map(|((&v, &m), &a)| (v - m) * a)
                .sum()
        };
        Ok([along(&self.axes[0]), along(&self.axes[1])])
    }

    /// Map coordinates of every row.
    pub fn project_all(&self, rows: &[f32]) -> Result<Vec<[f32; 2]>> {
        rows.chunks(self.dim).map(|r| self.project(r)).collect()
    }
}

/// The direction of largest variance of `x` (orthogonal to `not` when given) and the sum of
/// squares along it. Power iteration on `XᵀX` without forming it.
fn principal_axis(x: &[f64], dim: usize, not: Option<&[f64]>) -> (Vec<f64>, f64) {
    // A fixed, non-degenerate start: deterministic on every platform.
    let mut v: Vec<f64> = (0..dim).map(|i| 1.0 + (i % 7) as f64 * 0.1).collect();
    orthogonalise(&mut v, not);
    normalise(&mut v);
    let mut energy = 0.0;
    for _ in 0..MAX_ITERATIONS {
        let mut next = vec![0f64; dim];
        for r in x.chunks_exact(dim) {
            let s: f64 = r.iter().zip(&v).map(|(a, b)| a * b).sum();
            for (n, a) in next.iter_mut().zip(r) {
                *n += s * a;
            }
        }
        orthogonalise(&mut next, not);
        energy = normalise(&mut next);
        if energy == 0.0 {
            return (v, 0.0);
        }
        let cos: f64 = next.iter().zip(&v).map(|(a, b)| a * b).sum();
        v = next;
        if 1.0 - cos.abs() < TOLERANCE {
            break;
        }
    }
    // A sign convention so the map does not flip between runs or platforms: the largest
    // component is positive.
    let big = v
        .iter()
        .copied()
        .fold(0f64, |acc, c| if c.abs() > acc.abs() { c } else { acc });
    if big < 0.0 {
        v.iter_mut().for_each(|c| *c = -*c);
    }
    (v, energy)
}

fn orthogonalise(v: &mut [f64], not: Option<&[f64]>) {
    if let Some(u) = not {
        let d: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
        v.iter_mut().zip(u).for_each(|(a, b)| *a -= d * b);
    }
}

/// Scales `v` to unit length; returns its former length.
fn normalise(v: &mut [f64]) -> f64 {
    let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|a| *a /= n);
    }
    n
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Points spread 10 along (1,1,0)/√2, 3 along (0,0,1), 0.5 along (1,−1,0)/√2.
    fn cloud() -> Vec<f32> {
        let mut rows = Vec::new();
        let s = std::f32::consts::FRAC_1_SQRT_2;
        for i in 0..200 {
            let t = i as f32;
            let a = 10.0 * (t * 0.37).sin();
            let b = 3.0 * (t * 1.13).cos();
            let c = 0.5 * (t * 2.71).sin();
            rows.extend_from_slice(&[5.0 + a * s + c * s, -2.0 + a * s - c * s, 1.0 + b]);
        }
        rows
    }

    #[test]
    fn finds_the_axes_of_largest_variance_in_order() {
        let p = Projection::fit(&cloud(), 3).unwrap();
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let cos0: f32 = p.axes[0].iter().zip([s, s, 0.0]).map(|(a, b)| a * b).sum();
        let cos1: f32 = p.axes[1]
            .iter()
            .zip([0.0, 0.0, 1.0])
            .map(|(a, b)| a * b)
            .sum();
        assert!(cos0.abs() > 0.999, "first axis {:?}", p.axes[0]);
        assert!(cos1.abs() > 0.999, "second axis {:?}", p.axes[1]);
        assert!(p.variance[0] > p.variance[1]);
        let dot: f32 = p.axes[0].iter().zip(&p.axes[1]).map(|(a, b)| a * b).sum();
        assert!(dot.abs() < 1e-5);
        assert!((p.mean[0] - 5.0).abs() < 0.5 && (p.mean[2] - 1.0).abs() < 0.5);
    }

    #[test]
    fn projection_of_the_data_has_zero_mean_and_the_fitted_variance() {
        let rows = cloud();
        let p = Projection::fit(&rows, 3).unwrap();
        let pts = p.project_all(&rows).unwrap();
        let n = pts.len() as f64;
        for k in 0..2 {
            let m: f64 = pts.iter().map(|q| f64::from(q[k])).sum::<f64>() / n;
            let var: f64 = pts
                .iter()
                .map(|q| (f64::from(q[k]) - m).powi(2))
                .sum::<f64>()
                / n;
            assert!(m.abs() < 1e-3);
            assert!((var - p.variance[k]).abs() / p.variance[k] < 1e-3);
        }
    }

    #[test]
    fn is_deterministic_with_a_fixed_sign() {
        let rows = cloud();
        let a = Projection::fit(&rows, 3).unwrap();
        let b = Projection::fit(&rows, 3).unwrap();
        assert_eq!(a, b);
        let big = a.axes[0]
            .iter()
            .copied()
            .fold(0f32, |m, c| if c.abs() > m.abs() { c } else { m });
        assert!(big > 0.0);
    }

    #[test]
    fn rejects_bad_shapes_and_values() {
        assert!(Projection::fit(&[], 3).is_err());
        assert!(Projection::fit(&[1.0, 2.0], 3).is_err());
        assert!(Projection::fit(&[1.0, f32::NAN, 2.0], 3).is_err());
        let p = Projection::fit(&cloud(), 3).unwrap();
        assert!(p.project(&[1.0, 2.0]).is_err());
    }

    #[test]
    fn constant_data_maps_to_the_origin() {
        let rows = vec![1.0f32; 30];
        let p = Projection::fit(&rows, 3).unwrap();
        for q in p.project_all(&rows).unwrap() {
            assert_eq!(q, [0.0, 0.0]);
        }
    }
}
