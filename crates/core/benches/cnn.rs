//! Audio front ends on a 10 s stereo 44.1 kHz clip (a real recording, looped), everything a query
//! needs from samples to the clip vector: the MFCC clip vector (mix-down, resampling to 22 050 Hz,
//! MFCC + Δ + ΔΔ), the student CNN and the aisfx teacher (mix-down, log-mel at 44.1 kHz, every
//! block through the network, mean of the blocks); and one block through each network alone.
//! `cargo bench -p earshot-core --features cnn --bench cnn`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(all(feature = "cnn", not(target_arch = "wasm32")))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(all(feature = "cnn", not(target_arch = "wasm32")))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::Criterion;
    use earshot_core::cnn::{blocks, clip_embedding, FrontEnd, Student, Walnet};
    use earshot_core::{clip_vector, prepare, FeatureExtractor};

    use crate::common::parse_wav16;

    const SECONDS: usize = 10;

    pub fn benches(c: &mut Criterion) {
        let (sr, brk) = parse_wav16(include_bytes!(
            "../tests/fixtures/resample/from44100_breakbeat.wav"
        ));
        assert_eq!(sr, 44100);
        let x: Vec<f32> = brk.iter().copied().cycle().take(SECONDS * 44100).collect();
        let stereo = vec![x.clone(), x];
        let student =
            Student::from_safetensors(include_bytes!("../weights/student.safetensors")).unwrap();
        let teacher =
            Walnet::from_safetensors(include_bytes!("../weights/walnet.safetensors")).unwrap();
        let fx = FeatureExtractor::default();
        let front = FrontEnd::new();

        let mut g = c.benchmark_group("query_10s_stereo_44100");
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        g.bench_function("mfcc_clip_vector", |b| {
            b.iter(|| clip_vector(&fx.mfcc(&prepare(black_box(&stereo), sr).unwrap()).unwrap()))
        });
        g.bench_function("student_clip_embedding", |b| {
            b.iter(|| clip_embedding(&student, &front, black_box(&stereo), sr).unwrap())
        });
        g.bench_function("teacher_clip_embedding", |b| {
            b.iter(|| clip_embedding(&teacher, &front, black_box(&stereo), sr).unwrap())
        });
        g.finish();

        let mel = front.log_mel(&stereo[0]).unwrap();
        let (_, block) = blocks(&mel).unwrap();
        let one = &block[..block.len() / blocks(&mel).unwrap().0];
        let mut g = c.benchmark_group("one_block");
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        g.bench_function("student", |b| {
            b.iter(|| student.embed_blocks(1, black_box(one)).unwrap())
        });
        g.bench_function("teacher", |b| {
            b.iter(|| teacher.embed_blocks(1, black_box(one)).unwrap())
        });
        g.finish();
    }
}

#[cfg(all(feature = "cnn", not(target_arch = "wasm32")))]
criterion::criterion_group!(benches, native::benches);
#[cfg(all(feature = "cnn", not(target_arch = "wasm32")))]
criterion::criterion_main!(benches);

#[cfg(not(all(feature = "cnn", not(target_arch = "wasm32"))))]
fn main() {}
