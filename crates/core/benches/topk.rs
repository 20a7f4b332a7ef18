//! Search speed: `cargo bench -p earshot-core --bench topk` (`EARSHOT_BENCH_MAX=100000` skips the
//! 1M rows, which need 5 GB of memory).
//! Top-20 by `exp(−L2)` over 10k / 100k / 1M synthetic 1024-d rows: the exact f32 scan
//! (`index::top_k`) and the int8 scan with exact f32 rescoring of 1,000 candidates
//! (`quant::top_k_rescored`, what the app's library search uses).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::{BenchmarkId, Criterion, Throughput};
    use earshot_core::{top_k, Metric};
    use earshot_core::{top_k_rescored, Quantised};

    const DIM: usize = 1024;

    /// Deterministic uniform numbers in [-0.5, 0.5).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        }
    }

    pub fn benches(c: &mut Criterion) {
        let max: usize = std::env::var("EARSHOT_BENCH_MAX")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        let mut g = c.benchmark_group("top20_1024d");
        g.sample_size(10).measurement_time(Duration::from_secs(5));
        let mut rng = Lcg(7);
        let query: Vec<f32> = (0..DIM).map(|_| rng.next()).collect();
        for n in [10_000usize, 100_000, 1_000_000] {
            if n > max {
                continue;
            }
            let rows: Vec<f32> = (0..n * DIM).map(|_| rng.next()).collect();
            let quant = Quantised::from_rows(&rows, vec![0.0; DIM]);
            assert_eq!(
                top_k_rescored(&rows, &quant, &query, 20),
                top_k(&rows, DIM, &query, 20, Metric::ExpL2)
            );
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new("f32_exact", n), &rows, |b, r| {
                b.iter(|| top_k(r, DIM, black_box(&query), 20, Metric::ExpL2))
            });
            g.bench_with_input(BenchmarkId::new("int8_rescored", n), &rows, |b, r| {
                b.iter(|| top_k_rescored(r, &quant, black_box(&query), 20))
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
