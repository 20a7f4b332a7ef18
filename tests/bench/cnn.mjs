// Audio features in the browser: what each audio front end costs in headless Chromium, in one
// run: the MFCC model (shipped before the student, crates/cli/eval/mfcc), the shipped student CNN
// (dist/ as built) and the aisfx teacher CNN (crates/cli/eval/walnet), each swapped into a copy
// of dist/ (tests/e2e/cnn-dist.mjs):
//  - the audio query of a 10 s clip as the worker reports it (decode, features, model, search);
//  - the first audio query, which also fetches (loopback) and loads a CNN's weights;
//  - the weights' download;
//  - indexing your library: 200 two-second WAVs through [data-testid=library-add] (files/s), and
//    the same folder through `earshot index --audio` with the shipped model (release build).
//
//   node tests/bench/cnn.mjs [--write]     (--write updates docs/benchmarks.md)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { launch, writeWav } from '../e2e/helpers.mjs';
import { startServer, DIST, ROOT, earshotBin } from '../e2e/server.mjs';
import { cnnDist, MFCC } from '../e2e/cnn-dist.mjs';
import { writeSection, isMain } from './report.mjs';
import { wav2s, indexFiles } from './library.mjs';

const RUNS = 5;
const LIBRARY_FILES = 200;

function clip10s(file) {
  let s = 7;
  writeWav(file, {
    seconds: 10,
    rate: 44_100,
    sample: (i, t) => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return 0.3 * Math.sin(2 * Math.PI * (220 + 20 * Math.sin(t)) * t) + 0.05 * (s / 0x7fffffff - 0.5);
    },
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Upload `file` as the audio query; resolves to [wall ms, worker ms from the status line]. */
async function query(page, file) {
  const before = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs ?? 0));
  const t0 = Date.now();
  await page.setInputFiles('[data-testid=query-file]', file);
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before, { timeout: 300_000 });
  const wall = Date.now() - t0;
  const status = await page.textContent('.status');
  const m = status.match(/in (\d+) ms/);
  if (!m) throw new Error(`no timing in the status line: ${status}`);
  return [wall, Number(m[1])];
}

/** `fn(page)` on a fresh page of the app served from `root`, once it is ready. */
async function onFreshPage(browser, root, fn) {
  const server = await startServer(root);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    return await fn(page);
  } finally {
    await context.close();
    await server.close();
  }
}

/** Files per second indexing `files` into the library of a fresh page. */
const indexing = (browser, root, files) => onFreshPage(browser, root, async (page) => files.length / (await indexFiles(page, files)));

/** The first audio query's wall time and the median worker time of the next ones. */
const measure = (browser, root, file) =>
  onFreshPage(browser, root, async (page) => {
    const [firstWall] = await query(page, file);
    const worker = [];
    for (let i = 0; i < RUNS; i++) worker.push((await query(page, file))[1]);
    return { firstWall, worker: median(worker) };
  });

export async function run() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-cnnbench-'));
  const file = path.join(tmp, 'ten-seconds.wav');
  clip10s(file);
  const libDir = path.join(tmp, 'library');
  fs.mkdirSync(libDir);
  const library = Array.from({ length: LIBRARY_FILES }, (_, i) => {
    const f = path.join(libDir, `clip-${String(i).padStart(3, '0')}.wav`);
    wav2s(f, i);
    return f;
  });
  const mfccDir = cnnDist({ model: MFCC });
  const walnetDir = cnnDist();
  const browser = await launch();
  const both = async (root) => ({ ...(await measure(browser, root, file)), perSecond: await indexing(browser, root, library) });
  const size = (file) => {
    const b = fs.readFileSync(path.join(ROOT, 'crates', 'core', 'weights', file));
    return { raw: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length };
  };
  try {
    execFileSync('cargo', ['build', '--release', '--quiet', '-p', 'earshot-cli'], { cwd: ROOT, stdio: 'inherit' });
    const t0 = process.hrtime.bigint();
    execFileSync(earshotBin('release'), ['index', '--audio', libDir, '--out', path.join(tmp, 'cli-index.bin')], { cwd: ROOT, stdio: 'ignore' });
    const cliPerSecond = LIBRARY_FILES / (Number(process.hrtime.bigint() - t0) / 1e9);
    const mfcc = await both(mfccDir);
    const student = await both(DIST);
    const cnn = await both(walnetDir);
    const wasm = fs.readdirSync(DIST).find((f) => /^earshot-worker.*\.wasm$/.test(f));
    const workerWasm = fs.readFileSync(path.join(DIST, wasm));
    return {
      cliPerSecond,
      mfcc,
      student,
      cnn,
      studentWeights: size('student.safetensors'),
      weights: size('walnet.safetensors'),
      workerWasm: { raw: workerWasm.length, gzip: zlib.gzipSync(workerWasm, { level: 9 }).length },
    };
  } finally {
    await browser.close();
    for (const d of [mfccDir, walnetDir, tmp]) fs.rmSync(d, { recursive: true, force: true });
  }
}

const B = (n) => `${n.toLocaleString('en')} B`;

function table(r) {
  const x = (a, b) => `${(a / b).toFixed(1)}×`;
  return [
    '| measurement | MFCC model | **student CNN (shipped)** | aisfx teacher CNN | student / MFCC | teacher / student |',
    '|---|---|---|---|---|---|',
    `| audio query of a 10 s WAV (44.1 kHz mono), time in the worker: decode, features, model, search (median of ${RUNS}; issue 16's target ≤ 150 ms) | ${r.mfcc.worker} ms | ${r.student.worker} ms | ${r.cnn.worker} ms | ${x(r.student.worker, r.mfcc.worker)} | ${x(r.cnn.worker, r.student.worker)} |`,
    `| first audio query on a fresh page, pick → results shown (a CNN model also fetches its weights over loopback and loads them) | ${r.mfcc.firstWall} ms | ${r.student.firstWall} ms | ${r.cnn.firstWall} ms | | |`,
    `| indexing your library: ${LIBRARY_FILES} two-second WAVs (22.05 kHz), pick → stored in IndexedDB (target ≥ 50 files/s) | ${r.mfcc.perSecond.toFixed(0)} files/s | ${r.student.perSecond.toFixed(1)} files/s | ${r.cnn.perSecond.toFixed(1)} files/s | ${(r.student.perSecond / r.mfcc.perSecond).toFixed(2)}× | ${(r.cnn.perSecond / r.student.perSecond).toFixed(2)}× |`,
    `| the same ${LIBRARY_FILES} files through \`earshot index --audio\` (release build, one worker per core, shipped model; target ≥ 4× the app) | | ${r.cliPerSecond.toFixed(0)} files/s | | | ${(r.cliPerSecond / r.student.perSecond).toFixed(1)}× the app |`,
    `| the CNN's weights (float16): the student's are precached with the app, the teacher's fetched on its first audio query | – | ${B(r.studentWeights.raw)} (${B(r.studentWeights.gzip)} gzip) | ${B(r.weights.raw)} (${B(r.weights.gzip)} gzip) | | |`,
    `| the worker's wasm as built now (it carries the CNN code for any model) | ${B(r.workerWasm.raw)} (${B(r.workerWasm.gzip)} gzip) | same | same | | |`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const t = table(await run());
  console.log(t);
  if (process.argv.includes('--write')) {
    writeSection('cnn-bench', 'Audio features in the browser', '; each model swapped into a copy of `dist/` (`tests/e2e/cnn-dist.mjs`)', t);
  }
}
