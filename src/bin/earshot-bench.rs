//! The in-browser bench page (`bench.html`, built by `trunk build --release bench.html`):
//! exact search over a synthetic library of 10 000 and 100 000 sounds in wasm, timed with
//! `performance.now()`; the result is written into `<pre id="result">` as JSON for
//! `tests/bench/library.mjs`.

use earshot_web::library::{Library, Meta};

const DIM: usize = 1024;
const QUERIES: usize = 20;

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

fn library(n: usize, rng: &mut Lcg) -> Library {
    let mut lib = Library::new(DIM);
    let mut v = vec![0f32; DIM];
    for k in 0..n {
        v.iter_mut().for_each(|x| *x = rng.next());
        let meta = Meta {
            key: k as u64 + 1,
            name: format!("sound-{k}.wav"),
            seconds: 2.0,
            label: "Synthetic".into(),
            tags: Vec::new(),
            added: 0.0,
            audio: false,
        };
        let _ = lib.insert(meta, &v);
    }
    lib
}

fn main() {
    let mut rng = Lcg(7);
    let mut out = Vec::new();
    for n in [10_000usize, 100_000] {
        let lib = library(n, &mut rng);
        let mut times = Vec::new();
        let mut checksum = 0.0f64;
        for _ in 0..QUERIES {
            let q: Vec<f32> = (0..DIM).map(|_| rng.next()).collect();
            let t0 = now();
            let hits = lib.top_k(&q, 20);
            times.push(now() - t0);
            checksum += hits.first().map_or(0.0, |h| f64::from(h.1));
        }
        times.sort_by(f64::total_cmp);
        out.push(format!(
            r#"{{"items":{n},"median_ms":{:.3},"max_ms":{:.3},"queries":{QUERIES},"checksum":{checksum:.6}}}"#,
            times[times.len() / 2],
            times[times.len() - 1]
        ));
    }
    let json = format!("[{}]", out.join(","));
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("result"))
    {
        el.set_text_content(Some(&json));
        let _ = el.set_attribute("data-done", "1");
    }
}
