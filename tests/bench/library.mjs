// Library benchmarks in headless Chromium:
//  - indexing 2,000 two-second files through [data-testid=library-add] (files/s, and the longest
//    gap between frames on the page meanwhile);
//  - exact search over synthetic libraries of 10,000 and 100,000 sounds (bench.html, built by
//    `trunk build --release -d dist-bench bench.html`).
//
//   node tests/bench/library.mjs [--write]     (--write updates docs/benchmarks.md)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch } from '../e2e/helpers.mjs';
import { ROOT, startServer } from '../e2e/server.mjs';

const FILES = 2000;
const RATE = 22_050;

function wav2s(file, seed) {
  const n = 2 * RATE;
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + 2 * n, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(2 * RATE, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(2 * n, 40);
  const f = 100 + (seed * 37) % 2000;
  let s = seed + 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const v = 0.3 * Math.sin((2 * Math.PI * f * i) / RATE) * Math.exp(-2 * (i / RATE)) + 0.05 * (s / 0x7fffffff - 0.5);
    buf.writeInt16LE(Math.round(v * 32767), 44 + 2 * i);
  }
  fs.writeFileSync(file, buf);
}

const PROBE = () => {
  window.__gap = 0;
  let last = performance.now();
  const frame = (t) => {
    window.__gap = Math.max(window.__gap, t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
};

export async function run() {
  const out = {};
  const browser = await launch();
  try {
    // Search over synthetic libraries (bench page).
    const benchDir = path.join(ROOT, 'dist-bench');
    const bench = await startServer(benchDir);
    const page = await browser.newPage();
    await page.goto(bench.url);
    await page.waitForSelector('#result[data-done]', { timeout: 120_000 });
    out.search = JSON.parse(await page.textContent('#result'));
    await page.close();
    await bench.close();

    // Indexing 2,000 files.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-libbench-'));
    const files = [];
    for (let i = 0; i < FILES; i++) {
      const f = path.join(dir, `clip-${String(i).padStart(4, '0')}.wav`);
      wav2s(f, i);
      files.push(f);
    }
    const server = await startServer();
    const ctx = await browser.newContext();
    const app = await ctx.newPage();
    await app.addInitScript(PROBE);
    await app.goto(server.url);
    await app.waitForFunction(() => document.body.dataset.ready === '1');
    await app.waitForFunction(() => document.querySelector('[data-testid=library-count]')?.textContent === '0');
    await app.evaluate(() => {
      window.__gap = 0;
    });
    const t0 = Date.now();
    await app.setInputFiles('[data-testid=library-add]', files);
    // The frame gap counts from here: handing 2,000 files to the input is the test tool's work.
    const handOver = await app.evaluate(() => {
      const g = window.__gap;
      window.__gap = 0;
      return g;
    });
    await app.waitForFunction((n) => document.querySelector('[data-testid=library-count]').textContent === String(n), FILES, {
      timeout: 600_000,
      polling: 100,
    });
    const seconds = (Date.now() - t0) / 1000;
    out.indexing = { files: FILES, seconds, perSecond: FILES / seconds, maxGap: await app.evaluate(() => window.__gap), handOver };
    await ctx.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await browser.close();
  }
  return out;
}

function table(r) {
  const rows = [
    '| measurement | result | target | met |',
    '|---|---|---|---|',
    `| index ${r.indexing.files} two-second WAV files (pick → stored in IndexedDB) | ${r.indexing.seconds.toFixed(1)} s = ${r.indexing.perSecond.toFixed(0)} files/s | ≥ 50 files/s | ${r.indexing.perSecond >= 50 ? 'yes' : '**no**'} |`,
    `| longest frame gap on the page while indexing (after the file input took the 2,000 files: ${r.indexing.handOver.toFixed(0)} ms) | ${r.indexing.maxGap.toFixed(0)} ms | | |`,
  ];
  for (const s of r.search) {
    const target = s.items === 100000 ? '< 30 ms' : '';
    const met = s.items === 100000 ? (s.median_ms < 30 ? 'yes' : '**no**') : '';
    rows.push(`| exact top-20 search over ${s.items.toLocaleString('en')} library sounds (median of ${s.queries}; max) | ${s.median_ms.toFixed(1)} ms (${s.max_ms.toFixed(1)} ms) | ${target} | ${met} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const r = await run();
  const t = table(r);
  console.log(t);
  if (process.argv.includes('--write')) {
    const file = path.join(ROOT, 'docs', 'benchmarks.md');
    const doc = fs.readFileSync(file, 'utf8');
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const section = [
      '<!-- library-bench:start (written by `node tests/bench/library.mjs --write`) -->',
      `Measured ${new Date().toISOString().slice(0, 10)} in headless Chromium (${cpu}, ${os.cpus().length} cores); the search rows come from \`bench.html\` (synthetic 1024-d embeddings, wasm):`,
      '',
      t,
      '<!-- library-bench:end -->',
    ].join('\n');
    const re = /<!-- library-bench:start[\s\S]*?<!-- library-bench:end -->/;
    const next = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n## Your library in the browser\n\n${section}\n`;
    fs.writeFileSync(file, next);
    console.log(`wrote ${file}`);
  }
}
