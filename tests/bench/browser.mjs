// Browser benchmarks of earshot's wasm in headless Chromium, one run, one browser:
//  - the MFCC of the same 30 s clip (tabla_loop.wav looped, 22 050 Hz) in earshot's wasm, in
//    Meyda and in Essentia.js (both from node_modules, served locally), and earshot's wasm
//    against the same Rust built natively (criterion's `front_end_30s/mfcc_22050`, read from
//    target/criterion: run `cargo bench -p earshot-core --bench mfcc` first);
//  - library search over 10,000 and 100,000 synthetic sounds: exact f32 scan vs the app's int8
//    scan with exact rescoring;
//  - the worker's query path (text, and a 10 s stereo 44.1 kHz WAV) with a library of 10,000 and
//    100,000 sounds, and the memory used;
// each in the bench page built without and with wasm SIMD (dist-bench, dist-bench-simd128:
// scripts/bench builds both).
//
//   node tests/bench/browser.mjs [--write] [--json] [--from saved.json]
//   (--write updates docs/benchmarks.md; --json prints the raw run first; --from re-renders one)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, writeWav } from '../e2e/helpers.mjs';
import { ROOT, startServer } from '../e2e/server.mjs';
import { writeSection, isMain } from './report.mjs';

const BUILDS = [
  { dir: 'dist-bench', name: 'wasm' },
  { dir: 'dist-bench-simd128', name: 'wasm + simd128' },
];
const ROUNDS = Number(process.env.EARSHOT_BENCH_ROUNDS ?? 7);
const QUERIES = ['dog', 'bird song', 'thunder', 'church bell', 'glass breaking', 'car engine', 'laughter',
  'water', 'drum', 'cat meow', 'door knock', 'applause', 'whistle', 'guitar', 'footsteps', 'rain'];
const SIZES = [10_000, 100_000];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

/** In the page: the three MFCC implementations on the same clip, interleaved per round. */
async function mfccInPage(rounds) {
  const script = (src) =>
    new Promise((ok, bad) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = ok;
      s.onerror = () => bad(new Error(`could not load ${src}`));
      document.head.append(s);
    });
  await script('/node_modules/meyda/dist/web/meyda.min.js');
  await script('/node_modules/essentia.js/dist/essentia-wasm.web.js');
  const { default: Essentia } = await import('/node_modules/essentia.js/dist/essentia.js-core.es.js');
  const essentia = new Essentia(await window.EssentiaWASM());

  // The clip: 16-bit mono PCM at 22 050 Hz, looped to 30 s (as crates/core/benches/mfcc.rs).
  const wav = new DataView(await (await fetch('/fixtures/parity/tabla_loop.wav')).arrayBuffer());
  let pos = 12;
  let pcm = null;
  while (pos + 8 <= wav.byteLength) {
    const id = String.fromCharCode(...[0, 1, 2, 3].map((i) => wav.getUint8(pos + i)));
    const len = wav.getUint32(pos + 4, true);
    if (id === 'data') {
      pcm = new Float32Array(len / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = wav.getInt16(pos + 8 + 2 * i, true) / 32768;
      break;
    }
    pos += 8 + len + (len & 1);
  }
  const RATE = 22050;
  const N_FFT = 1024;
  const HOP = 220;
  const y = new Float32Array(30 * RATE);
  for (let i = 0; i < y.length; i++) y[i] = pcm[i % pcm.length];
  // Centred frames as librosa (and earshot): n_fft/2 zeros each side, 1 + n/hop frames.
  const padded = new Float32Array(y.length + N_FFT);
  padded.set(y, N_FFT / 2);
  const frames = 1 + Math.floor(y.length / HOP);

  Object.assign(window.Meyda, {
    bufferSize: N_FFT,
    sampleRate: RATE,
    melBands: 128,
    numberOfMFCCCoefficients: 40, // Meyda's maximum
    windowingFunction: 'hanning',
  });
  const impl = {
    earshot: () => window.wasmBindings.mfcc_checksum(y),
    meyda: () => {
      let s = 0;
      for (let f = 0; f < frames; f++) s += window.Meyda.extract('mfcc', padded.subarray(f * HOP, f * HOP + N_FFT))[1];
      return s;
    },
    essentia: () => {
      let s = 0;
      for (let f = 0; f < frames; f++) {
        const v = essentia.arrayToVector(padded.subarray(f * HOP, f * HOP + N_FFT));
        const w = essentia.Windowing(v, true, N_FFT, 'hann', 0, false);
        const sp = essentia.Spectrum(w.frame, N_FFT);
        const m = essentia.MFCC(sp.spectrum, 2, RATE / 2, N_FFT / 2 + 1, 0, 'dbamp', 0, 'unit_sum', 128, 100, RATE);
        s += m.mfcc.get(1);
        v.delete();
        w.frame.delete();
        sp.spectrum.delete();
        m.mfcc.delete();
        m.bands.delete();
      }
      return s;
    },
  };
  const times = { earshot: [], meyda: [], essentia: [] };
  const checks = {};
  for (let r = -1; r < rounds; r++) {
    for (const [name, f] of Object.entries(impl)) {
      const t0 = performance.now();
      checks[name] = f();
      const ms = performance.now() - t0;
      if (r >= 0) times[name].push(ms); // round -1 warms up (JIT, filter banks, wasm tiers)
    }
  }
  return { times, checks, frames, seconds: y.length / RATE };
}

/** In the page: the worker's text and audio queries with libraries of each size. */
async function queriesInPage({ sizes, queries, audioRuns }) {
  const b = window.wasmBindings;
  const bytes = async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer());
  const model = await (await fetch('/pkg/model.json')).text();
  const qb = new b.QueryBench(model, await bytes('/pkg/vocab.bin'), await bytes('/pkg/index.bin'));
  const wav = await bytes('/scratch/ten-seconds.wav');
  for (const q of queries) qb.text(q); // the open-vocabulary words' first use
  const out = [];
  for (const n of sizes) {
    qb.fill_library(n);
    const text = [];
    for (let round = 0; round < 2; round++) for (const q of queries) text.push(qb.text(q));
    const audio = [];
    for (let i = 0; i < audioRuns; i++) audio.push(qb.audio_file(wav.slice(), 'ten-seconds.wav'));
    out.push({ items: qb.library_len(), text, audio, wasmMemory: b.wasm_memory_bytes() });
  }
  return out;
}

async function openBench(browser, url) {
  const page = await browser.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${url}?manual`);
  await page.waitForSelector('#result[data-done]', { timeout: 60_000 });
  await page.waitForFunction(() => !!window.wasmBindings?.mfcc_checksum, null, { timeout: 60_000 });
  return page;
}

/** criterion's median for `group/name` in ms, or null when it has not been run. */
export function criterionMs(id) {
  const f = path.join(ROOT, 'target', 'criterion', ...id.split('/'), 'new', 'estimates.json');
  if (!fs.existsSync(f)) return null;
  return JSON.parse(fs.readFileSync(f, 'utf8')).median.point_estimate / 1e6;
}

export async function run() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-browserbench-'));
  writeWav(path.join(scratch, 'ten-seconds.wav'), {
    seconds: 10,
    rate: 44_100,
    channels: 2,
    sample: (i, t) => 0.3 * Math.sin(2 * Math.PI * 440 * t) * Math.exp(-3 * (t % 1)) + 0.05 * Math.sin(2 * Math.PI * 97 * t),
  });
  const browser = await launch(['--enable-precise-memory-info']);
  const out = { builds: [], nativeMfccMs: criterionMs('front_end_30s/mfcc_22050') };
  try {
    for (const build of BUILDS) {
      const dist = path.join(ROOT, build.dir);
      if (!fs.existsSync(path.join(dist, 'index.html'))) {
        console.log(`(skipping ${build.name}: ${build.dir} is not built)`);
        continue;
      }
      const server = await startServer({
        '/': dist,
        '/node_modules/': path.join(ROOT, 'node_modules'),
        '/pkg/': path.join(ROOT, 'pkg'),
        '/fixtures/': path.join(ROOT, 'crates', 'core', 'tests', 'fixtures'),
        '/scratch/': scratch,
      });
      const r = { name: build.name };
      try {
        // Queries first, in a fresh page: wasm memory only grows, so its size is the peak.
        let page = await openBench(browser, server.url);
        r.simd128 = await page.evaluate(() => window.wasmBindings.simd128());
        const cdp = await page.context().newCDPSession(page);
        r.queries = await page.evaluate(queriesInPage, { sizes: SIZES, queries: QUERIES, audioRuns: 7 });
        r.jsHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
        if (page.errors.length) throw new Error(page.errors.join('\n'));
        await page.close();

        page = await openBench(browser, server.url);
        r.mfcc = await page.evaluate(mfccInPage, ROUNDS);
        r.search = [];
        for (const n of SIZES) {
          r.search.push(JSON.parse(await page.evaluate((n) => window.wasmBindings.bench_search(n, 20, 7), n)));
        }
        if (page.errors.length) throw new Error(page.errors.join('\n'));
        await page.close();
      } finally {
        await server.close();
      }
      out.builds.push(r);
      console.log(`${build.name}: done`);
    }
  } finally {
    await browser.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

const ms = (v) => `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;
const mb = (bytes) => `${Math.round(bytes / 2 ** 20)} MiB`;

export function tables(r) {
  const plain = r.builds.find((b) => !b.simd128) ?? r.builds[0];
  const simd = r.builds.find((b) => b.simd128);
  const lines = [];
  // MFCC
  const m = plain.mfcc;
  const med = (b, k) => median(b.mfcc.times[k]);
  const earshot = med(plain, 'earshot');
  const vsMeyda = med(plain, 'meyda') / earshot;
  const vsEss = med(plain, 'essentia') / earshot;
  lines.push(
    `**MFCC of a 30 s clip** (${m.frames} frames; median of ${m.times.earshot.length} interleaved rounds after one warm-up round):`,
    '',
    '| implementation | time | earshot is | target | met |',
    '|---|---|---|---|---|',
    `| earshot, wasm | ${ms(earshot)} | | | |`,
  );
  if (simd) lines.push(`| earshot, wasm + simd128 | ${ms(med(simd, 'earshot'))} | | | |`);
  lines.push(
    `| Meyda 5.6.3 (JS) | ${ms(med(plain, 'meyda'))} | ${vsMeyda.toFixed(1)}× faster | ≥ 3× | ${vsMeyda >= 3 ? 'yes' : '**no**'} |`,
    `| Essentia.js 0.1.3 (wasm) | ${ms(med(plain, 'essentia'))} | ${vsEss.toFixed(1)}× faster | ≥ 1.5× | ${vsEss >= 1.5 ? 'yes' : '**no**'} |`,
  );
  if (r.nativeMfccMs) {
    const ratio = earshot / r.nativeMfccMs;
    lines.push(
      `| earshot, native (criterion \`front_end_30s/mfcc_22050\`, same Rust) | ${ms(r.nativeMfccMs)} | wasm takes ${ratio.toFixed(2)}× native | within 2× | ${ratio <= 2 ? 'yes' : '**no**'} |`,
    );
    if (simd) {
      const rs = med(simd, 'earshot') / r.nativeMfccMs;
      lines.push(`| (wasm + simd128 vs native) | | ${rs.toFixed(2)}× native | within 2× | ${rs <= 2 ? 'yes' : '**no**'} |`);
    }
  }
  lines.push('');
  // Search
  lines.push(
    '**Library search, top 20 of synthetic 1024-d sounds** (median of 20 queries; max):',
    '',
    '| sounds | build | exact f32 scan | int8 scan + f32 rescoring of 1,000 (the app) | same top 20 | target (100k) | met |',
    '|---|---|---|---|---|---|---|',
  );
  for (const b of r.builds) {
    for (const s of b.search) {
      const target = s.items === 100000 ? '< 30 ms' : '';
      const met = s.items === 100000 ? (s.quantised.median_ms < 30 ? 'yes' : '**no**') : '';
      lines.push(
        `| ${s.items.toLocaleString('en')} | ${b.name} | ${ms(s.exact.median_ms)} (${ms(s.exact.max_ms)}) | ${ms(s.quantised.median_ms)} (${ms(s.quantised.max_ms)}) | ${s.agree}/${s.queries} | ${target} | ${met} |`,
      );
    }
  }
  lines.push('');
  // Queries
  lines.push(
    "**Query latency in the worker's code path** (`Service::text` / `decode_file` + `Service::audio` over the bundled 1,723 sounds and the library, top 20; no messaging or drawing), with memory after the queries:",
    '',
    '| library sounds | build | text (median of 32; p95) | 10 s stereo 44.1 kHz WAV (median of 7; p95) | wasm memory |',
    '|---|---|---|---|---|',
  );
  for (const b of r.builds) {
    for (const q of b.queries) {
      lines.push(
        `| ${q.items.toLocaleString('en')} | ${b.name} | ${ms(median(q.text))} (${ms(p95(q.text))}) | ${ms(median(q.audio))} (${ms(p95(q.audio))}) | ${mb(q.wasmMemory)} |`,
      );
    }
  }
  lines.push('', `JS heap in use after the queries (CDP \`Runtime.getHeapUsage\`): ${r.builds.map((b) => `${b.name} ${mb(b.jsHeap)}`).join(', ')}.`);
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  // --from FILE: the tables of a run saved with --json (its JSON line), with today's native MFCC.
  const from = process.argv.indexOf('--from');
  const r =
    from > 0
      ? { ...JSON.parse(fs.readFileSync(process.argv[from + 1], 'utf8').split('\n').find((l) => l.startsWith('{'))), nativeMfccMs: criterionMs('front_end_30s/mfcc_22050') }
      : await run();
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  const t = tables(r);
  console.log(t);
  if (process.argv.includes('--write')) {
    writeSection('browser-bench', 'earshot in the browser: MFCC, search and queries', '', t);
  }
}
