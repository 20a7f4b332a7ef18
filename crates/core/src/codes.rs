//! Symmetric integer codes of a vector with one scale: `v ≈ code × scale`, `scale = max|v| /
//! max_code`. The rule of the index file's int8 storage ([`crate::index`]) and of the library's
//! int8 scan ([`crate::quant`]), kept here so that neither needs the other.

/// The largest row code magnitude.
pub(crate) const MAX_CODE: f32 = 127.0;

/// Symmetric int8 quantisation of one vector: `(codes, scale)` with `v ≈ code × scale`. An
/// all-zero vector gets scale 1. The error per value is at most `scale / 2`.
pub fn quantise(v: &[f32]) -> (Vec<i8>, f32) {
    let s = scale_of(v, MAX_CODE);
    (v.iter().map(|&x| code(x, s)).collect(), s)
}

/// `max|v| / max_code`, or 1 for an all-zero (or empty) vector.
pub(crate) fn scale_of(v: &[f32], max_code: f32) -> f32 {
    let s = v.iter().fold(0.0f32, |m, x| m.max(x.abs())) / max_code;
    if s > 0.0 && s.is_finite() {
        s
    } else {
        1.0
    }
}

#[inline]
pub(crate) fn code(x: f32, s: f32) -> i8 {
    (x / s).round().clamp(-MAX_CODE, MAX_CODE) as i8
}

/// `codes × scale`.
pub fn dequantise(codes: &[i8], scale: f32) -> Vec<f32> {
    codes.iter().map(|&c| f32::from(c) * scale).collect()
}
