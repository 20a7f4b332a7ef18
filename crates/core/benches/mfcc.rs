//! Front-end speed: `cargo bench -p earshot-core --bench mfcc`.
//! A 30 s clip (real recordings looped): MFCC + Δ + ΔΔ + clip vector at 22 050 Hz, the MFCC alone, and
//! resampling 30 s from 44 100 Hz.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::Criterion;
    use earshot_core::{clip_vector, FeatureExtractor};
    use earshot_core::{prepare, resample, TARGET_SR};

    use crate::common::parse_wav16;

    const SECONDS: usize = 30;

    fn looped(x: &[f32], n: usize) -> Vec<f32> {
        x.iter().copied().cycle().take(n).collect()
    }

    pub fn benches(c: &mut Criterion) {
        let (sr, tabla) = parse_wav16(include_bytes!("../tests/fixtures/parity/tabla_loop.wav"));
        assert_eq!(sr, TARGET_SR);
        let y = looped(&tabla, SECONDS * TARGET_SR as usize);
        let fx = FeatureExtractor::default();
        let mut g = c.benchmark_group("front_end_30s");
        g.sample_size(20).measurement_time(Duration::from_secs(8));
        g.bench_function("mfcc_deltas_clip_vector_22050", |b| {
            b.iter(|| clip_vector(&fx.mfcc(black_box(&y)).unwrap()))
        });
        // What the browser bench times in wasm (tests/bench/browser.mjs): the MFCC alone, summed.
        g.bench_function("mfcc_22050", |b| {
            b.iter(|| {
                fx.mfcc(black_box(&y))
                    .unwrap()
                    .data
                    .iter()
                    .map(|&v| f64::from(v))
                    .sum::<f64>()
            })
        });
        g.bench_function("mel_db_22050", |b| {
            b.iter(|| fx.mel_db(black_box(&y)).unwrap())
        });

        let (sr44, brk) = parse_wav16(include_bytes!(
            "../tests/fixtures/resample/from44100_breakbeat.wav"
        ));
        assert_eq!(sr44, 44100);
        let x44 = looped(&brk, SECONDS * 44100);
        g.bench_function("resample_44100_to_22050", |b| {
            b.iter(|| resample(black_box(&x44), 44100, TARGET_SR).unwrap())
        });
        let stereo = vec![x44.clone(), x44.clone()];
        g.bench_function("prepare_stereo_44100_then_clip_vector", |b| {
            b.iter(|| {
                clip_vector(
                    &fx.mfcc(&prepare(black_box(&stereo), 44100).unwrap())
                        .unwrap(),
                )
            })
        });
        g.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::benches);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
