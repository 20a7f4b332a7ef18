//! Model speed: `cargo bench -p earshot-core --bench model`.
//! The shipped `pkg/model.json`, forward through the audio branch (clip vectors of the shipped
//! evaluation features) and the text branch, for 1 and 1,000 inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{BenchmarkId, Criterion, Throughput};
    use earshot_core::Index;
    use earshot_core::Model;
    use earshot_core::Vocabulary;

    const MODEL: &str = include_str!("../../../pkg/model.json");
    const FEATURES: &[u8] = include_bytes!("../../../pkg/eval/features.bin");
    const VOCAB: &[u8] = include_bytes!("../../../pkg/vocab.bin");

    pub fn benches(c: &mut Criterion) {
        let model = Model::from_json(MODEL).unwrap();
        let features = Index::from_bytes(FEATURES).unwrap();
        let vocab = Vocabulary::from_bytes(VOCAB).unwrap();
        let dim = features.dim;
        assert_eq!(dim, model.audio_dim());
        let text = vocab.embed("dog barking in the rain").unwrap().vector;

        let mut g = c.benchmark_group("model_forward");
        g.sample_size(30).measurement_time(Duration::from_secs(6));
        for n in [1usize, 1000] {
            let clips: Vec<f32> = features
                .vectors()
                .iter()
                .copied()
                .cycle()
                .take(n * dim)
                .collect();
            let texts: Vec<f32> = text.iter().copied().cycle().take(n * text.len()).collect();
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new("audio", n), &clips, |b, x| {
                b.iter(|| model.embed_audio(black_box(x)).unwrap())
            });
            g.bench_with_input(BenchmarkId::new("text", n), &texts, |b, x| {
                b.iter(|| model.embed_text(black_box(x)).unwrap())
            });
        }
        g.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::benches);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
