//! The in-browser bench page (`bench.html`, built by
//! `trunk build --release -d dist-bench bench.html`).
//!
//! Opened plainly, it times library search over synthetic libraries of 10 000 and 100 000 sounds
//! (the exact f32 scan and the app's int8 scan + f32 rescoring) and writes the result into
//! `<pre id="result">` as JSON for `tests/bench/library.mjs`. Opened with `?manual`, it only
//! loads and exports the functions `tests/bench/browser.mjs` calls: the MFCC of a clip, and the
//! worker's text and audio queries with a library of a given size.

use earshot_core::FeatureExtractor;
use earshot_core::{top_k, Index, Metric};
use earshot_web::library::{Library, Meta};
use earshot_web::protocol::Scope;
use earshot_web::service::Service;
use wasm_bindgen::prelude::*;

const DIM: usize = 1024;
const QUERIES: usize = 20;
const TOP: usize = 20;

/// A small deterministic generator (the numbers only need to be spread out).
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

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn meta(k: usize) -> Meta {
    Meta {
        key: k as u64 + 1,
        name: format!("sound-{k}.wav"),
        seconds: 2.0,
        label: "Synthetic".into(),
        tags: Vec::new(),
        added: 0.0,
        audio: false,
        model: String::new(),
    }
}

fn library(n: usize, rng: &mut Lcg) -> Library {
    let mut lib = Library::new(DIM);
    let mut v = vec![0f32; DIM];
    for k in 0..n {
        v.iter_mut().for_each(|x| *x = rng.next());
        let _ = lib.insert(meta(k), &v);
    }
    lib
}

/// Median and maximum of `times` (sorted in place).
fn summary(times: &mut [f64]) -> String {
    times.sort_by(f64::total_cmp);
    format!(
        r#"{{"median_ms":{:.3},"max_ms":{:.3}}}"#,
        times[times.len() / 2],
        times[times.len() - 1]
    )
}

/// Bytes of wasm linear memory.
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65_536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Whether this build uses wasm SIMD (`-C target-feature=+simd128`).
#[wasm_bindgen]
pub fn simd128() -> bool {
    cfg!(target_feature = "simd128")
}

/// Top-20 search over a synthetic library of `n` sounds: the exact f32 scan and the library's
/// search (int8 scan, exact rescoring), alternating per query; `agree` counts queries whose two
/// answers are identical.
#[wasm_bindgen]
pub fn bench_search(n: usize, queries: usize, seed: u32) -> String {
    let mut rng = Lcg(u64::from(seed));
    let lib = library(n, &mut rng);
    let (mut exact_t, mut quant_t) = (Vec::new(), Vec::new());
    let mut agree = 0;
    for _ in 0..queries.max(1) {
        let q: Vec<f32> = (0..DIM).map(|_| rng.next()).collect();
        let t0 = now();
        let exact: Vec<(usize, f32)> = top_k(lib.vectors(), DIM, &q, TOP, Metric::ExpL2)
            .into_iter()
            .map(|h| (h.item, h.score))
            .collect();
        let t1 = now();
        let fast = lib.top_k(&q, TOP);
        let t2 = now();
        exact_t.push(t1 - t0);
        quant_t.push(t2 - t1);
        agree += usize::from(exact == fast);
    }
    format!(
        r#"{{"items":{n},"queries":{},"exact":{},"quantised":{},"agree":{agree},"memory_bytes":{}}}"#,
        exact_t.len(),
        summary(&mut exact_t),
        summary(&mut quant_t),
        wasm_memory_bytes()
    )
}

thread_local! {
    static EXTRACTOR: FeatureExtractor = FeatureExtractor::default();
}

/// The MFCC (100 coefficients, 128 mel bands, n_fft 1024, window 551, hop 220) of mono 22 050 Hz
/// `samples`; returns the sum of the coefficients (so nothing is optimised away).
#[wasm_bindgen]
pub fn mfcc_checksum(samples: &[f32]) -> f64 {
    EXTRACTOR.with(|fx| {
        fx.mfcc(samples)
            .map(|m| m.data.iter().map(|&v| f64::from(v)).sum())
            .unwrap_or(f64::NAN)
    })
}

/// The worker's query path (everything but the messages to the page): the shipped assets, plus a
/// library of synthetic sounds near the bundled clips.
#[wasm_bindgen]
pub struct QueryBench {
    service: Service,
    index: Index,
}

#[wasm_bindgen]
impl QueryBench {
    #[wasm_bindgen(constructor)]
    pub fn new(model_json: &str, vocab: &[u8], index: &[u8]) -> Result<QueryBench, String> {
        Ok(Self {
            service: Service::load(model_json, vocab, index)?,
            index: Index::from_bytes(index).map_err(|e| e.to_string())?,
        })
    }

    /// Replaces the library with `n` sounds: bundled embeddings plus a little noise.
    pub fn fill_library(&mut self, n: usize) {
        let lib = &mut self.service.library;
        lib.clear();
        let mut rng = Lcg(99);
        let dim = self.index.dim;
        let mut v = vec![0f32; dim];
        for k in 0..n {
            let src = self.index.vector(k % self.index.len());
            for (d, &s) in v.iter_mut().zip(src) {
                *d = s + 0.05 * rng.next();
            }
            let _ = lib.insert(meta(k), &v);
        }
    }

    pub fn library_len(&self) -> usize {
        self.service.library.len()
    }

    /// A text query over the bundled sounds and the library: ms.
    pub fn text(&self, query: &str) -> Result<f64, String> {
        let t0 = now();
        self.service.text(query, TOP, Scope::All)?;
        Ok(now() - t0)
    }

    /// An audio file as the query (decoded as the worker decodes it), over the bundled sounds and
    /// the library: ms.
    pub fn audio_file(&self, bytes: Vec<u8>, name: &str) -> Result<f64, String> {
        let t0 = now();
        let d = Service::decode_file(bytes, name)?;
        self.service
            .audio(name, &d.channels, d.sample_rate, TOP, Scope::All)?;
        Ok(now() - t0)
    }
}

fn main() {
    let manual = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("manual"));
    let json = if manual {
        format!(r#"{{"manual":true,"simd128":{}}}"#, simd128())
    } else {
        let runs: Vec<String> = [10_000usize, 100_000]
            .iter()
            .map(|&n| bench_search(n, QUERIES, 7))
            .collect();
        format!("[{}]", runs.join(","))
    };
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("result"))
    {
        el.set_text_content(Some(&json));
        let _ = el.set_attribute("data-done", "1");
    }
}
