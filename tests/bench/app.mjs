// Browser benchmarks of the search app (headless Chromium, release build on loopback):
// first load → ready, text query → rendered results, a 10 s audio file → results, and how long
// the page's main thread is ever busy while a 10-minute file is processed.
//
//   node tests/bench/app.mjs            # prints the table
//   node tests/bench/app.mjs --write    # and rewrites its section of docs/benchmarks.md
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, writeWav } from '../e2e/helpers.mjs';
import { writeSection, isMain } from './report.mjs';
import { ROOT, startServer } from '../e2e/server.mjs';

const RUNS_LOAD = 7;
const QUERIES = ['dog', 'bird song', 'thunder', 'church bell', 'glass breaking', 'car engine', 'laughter',
  'water', 'drum', 'cat meow', 'door knock', 'applause', 'whistle', 'guitar', 'footsteps', 'rain'];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const fmt = (ms) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

/** A decaying 440 Hz tone over a low hum. */
const wav = (file, seconds, rate = 44_100, channels = 2) =>
  writeWav(file, {
    seconds,
    rate,
    channels,
    sample: (i, t) => 0.3 * Math.sin(2 * Math.PI * 440 * t) * Math.exp(-3 * (t % 1)) + 0.05 * Math.sin(2 * Math.PI * 97 * t),
  });

// Marks in the page: when ready is set, when results change, and the longest gap between frames.
const PROBE = () => {
  window.__bench = { ready: null, results: [], maxGap: 0 };
  new MutationObserver(() => {
    if (document.body?.dataset.ready === '1' && window.__bench.ready === null) window.__bench.ready = performance.now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
  let last = performance.now();
  const frame = (t) => {
    window.__bench.maxGap = Math.max(window.__bench.maxGap, t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
};

/** In the page: resolves with the ms from `start()` until the results list shows a new answer. */
const timeResults = (startCode) =>
  new Promise((resolve) => {
    const app = document.querySelector('.app');
    const before = Number(app.dataset.runs);
    const obs = new MutationObserver(() => {
      if (Number(app.dataset.runs) > before) {
        obs.disconnect();
        // Rendered: after the next frame is produced.
        requestAnimationFrame(() => resolve({ ms: performance.now() - window.__t0, state: app.dataset.state }));
      }
    });
    obs.observe(app, { attributes: true, attributeFilter: ['data-runs'] });
    window.__t0 = performance.now();
    // eslint-disable-next-line no-new-func
    new Function(startCode)();
  });

export async function run() {
  const server = await startServer();
  const browser = await launch();
  const out = {};
  try {
    // First load → ready (fresh context each time: nothing cached).
    const loads = [];
    for (let i = 0; i < RUNS_LOAD; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.addInitScript(PROBE);
      await page.goto(server.url);
      await page.waitForFunction(() => window.__bench.ready !== null, null, { timeout: 30_000 });
      loads.push(await page.evaluate(() => window.__bench.ready));
      await ctx.close();
    }
    out.load = { median: median(loads), max: Math.max(...loads), n: loads.length };

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.addInitScript(PROBE);
    await page.goto(server.url);
    await page.waitForFunction(() => window.__bench.ready !== null);

    const textQuery = (q) =>
      page.evaluate(
        ([q, code]) => {
          const input = document.querySelector('[data-testid=query-text]');
          input.value = q;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          return (0, eval)(`(${code})`)(
            `document.querySelector('[data-testid=query-text]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))`,
          );
        },
        [q, timeResults.toString()],
      );
    // The first query right after ready (the open-vocabulary words may not be warm yet).
    out.firstText = (await textQuery('dog')).ms;
    await page.waitForTimeout(3000); // let the worker finish warming up
    const text = [];
    for (let round = 0; round < 3; round++) for (const q of QUERIES) text.push((await textQuery(q)).ms);
    out.text = { median: median(text), p95: p95(text), n: text.length };

    // A 10 s stereo 44.1 kHz WAV through the file input (read, decode, MFCC, model, search, draw).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-'));
    const tenS = path.join(dir, 'ten-seconds.wav');
    wav(tenS, 10);
    const audio = [];
    for (let i = 0; i < 7; i++) {
      const handle = await page.$('[data-testid=query-file]');
      const timing = page.evaluate(
        (code) => (0, eval)(`(${code})`)(`/* started by the file input */`),
        timeResults.toString(),
      );
      await handle.setInputFiles(tenS);
      audio.push((await timing).ms);
    }
    out.audio = { median: median(audio), p95: p95(audio), n: audio.length };

    // Main thread during a 10-minute file: the longest gap between two frames.
    const tenM = path.join(dir, 'ten-minutes.wav');
    wav(tenM, 600, 44_100, 1);
    await page.evaluate(() => {
      window.__bench.maxGap = 0;
    });
    const long = page.evaluate((code) => (0, eval)(`(${code})`)(''), timeResults.toString());
    await page.setInputFiles('[data-testid=query-file]', tenM);
    out.long = { ms: (await long).ms, maxGap: await page.evaluate(() => window.__bench.maxGap) };
    fs.rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}

function table(r) {
  const ok = (v, limit) => (v < limit ? 'yes' : '**no**');
  return [
    '| measurement | result | target | met |',
    '|---|---|---|---|',
    `| first load → ready (median of ${r.load.n} fresh loads; max) | ${fmt(r.load.median)} (${fmt(r.load.max)}) | < 2 s | ${ok(r.load.median, 2000)} |`,
    `| text query → rendered results (median of ${r.text.n}; p95) | ${fmt(r.text.median)} (${fmt(r.text.p95)}) | < 50 ms | ${ok(r.text.median, 50)} |`,
    `| first text query right after ready | ${fmt(r.firstText)} | | |`,
    `| 10 s stereo 44.1 kHz WAV → results, incl. reading and decoding (median of ${r.audio.n}; p95) | ${fmt(r.audio.median)} (${fmt(r.audio.p95)}) | < 300 ms | ${ok(r.audio.median, 300)} |`,
    `| 10-minute WAV → results | ${fmt(r.long.ms)} | | |`,
    `| longest main-thread frame gap while the 10-minute file is processed | ${fmt(r.long.maxGap)} | | |`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const t = table(await run());
  console.log(t);
  if (process.argv.includes('--write')) {
    writeSection('app-bench', 'The search app in the browser', ', release build served gzip-compressed on 127.0.0.1', t);
  }
}
