// Shared helpers for the end-to-end tests: browser launch, page setup, waiting for a result,
// and the expected duration / frame count computed from an audio file's own header.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, after } from 'node:test';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DIST, ROOT, startServer } from './server.mjs';

export const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'audio');
export const fixture = (name) => path.join(FIXTURES, name);

/** The score a sound or text shown next to the query itself gets (joint-space distance 0): the
 * built model's calibrated probability `σ(a)` for that kind of query, or 1 without calibration. */
export function scoreAtZero(kind) {
  const model = JSON.parse(fs.readFileSync(path.join(DIST, 'pkg', 'model.json'), 'utf8'));
  const c = model.calibration?.[kind === 'text' ? 'text_audio' : 'audio_audio'];
  return c ? 1 / (1 + Math.exp(-c.a)) : 1;
}

export const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Every request any page, worker or service worker makes must stay on 127.0.0.1 (or be a blob:
 * or data: URL), and no Content-Security-Policy violation may happen: both are collected for
 * every browser started with `launch`, and checked after each test file.
 */
export const offHost = [];
export const cspViolations = [];
const LOCAL = /^(http:\/\/127\.0\.0\.1(:\d+)?\/|blob:|data:)/;

export function watch(context) {
  context.on('request', (r) => {
    if (!LOCAL.test(r.url())) offHost.push(r.url());
  });
  context.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  context.on('weberror', (e) => {
    if (/Content Security Policy/i.test(String(e.error()))) cspViolations.push(String(e.error()));
  });
}

after(() => {
  assert.deepEqual(offHost, [], 'requests that left 127.0.0.1');
  assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
});

export async function launch(extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, ...extraArgs],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    watch(context);
    return context;
  };
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('close', () => context.close().catch(() => {}));
    return page;
  };
  return browser;
}

/**
 * Starts the server and a browser; returns { server, browser, open(), close() }.
 * `open(contextOptions)` gives a page that has loaded the app and is ready; uncaught page errors
 * are collected in `page.errors` (tests assert it stays empty).
 */
export async function setup(extraArgs = []) {
  const server = await startServer();
  const browser = await launch(extraArgs);
  const contexts = [];
  return {
    server,
    browser,
    async open(contextOptions = {}, initScript = null) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, ...contextOptions });
      contexts.push(context);
      const page = await context.newPage();
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(String(e?.stack ?? e)));
      // A Rust panic is reported by console_error_panic_hook before the wasm traps.
      page.on('console', (m) => {
        if (m.type() === 'error' && /panicked/.test(m.text())) page.errors.push(m.text());
      });
      if (initScript) await page.addInitScript(initScript);
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30_000 });
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/**
 * One browser page for the whole test file: opened before the first test (Chromium started with
 * `extraArgs`) and handed to `onReady(page, env)`; after the last test the page must have logged
 * no uncaught error, then everything is closed.
 */
export function onePagePerSuite(extraArgs, onReady) {
  let env;
  let page;
  before(async () => {
    env = await setup(extraArgs);
    page = await env.open();
    onReady(page, env);
  });
  after(async () => {
    try {
      assert.deepEqual(page?.errors ?? [], [], 'uncaught errors in the page');
    } finally {
      await env?.close();
    }
  });
}

const runs = (page) => page.evaluate(() => Number(document.querySelector('.app')?.dataset.runs ?? 0));

/** Runs `action` and waits for the app to finish the run it starts; returns what the page shows. */
export async function runAndRead(page, action, timeout = 60_000) {
  const before = await runs(page);
  await action();
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before, {
    timeout,
  });
  return read(page);
}

/** What the page currently shows. */
export function read(page) {
  return page.evaluate(() => {
    const q = (id) => document.querySelector(`[data-testid=${id}]`);
    const err = q('error');
    const visible = !!err && !err.hidden && getComputedStyle(err).display !== 'none' && err.offsetHeight > 0;
    return {
      state: document.querySelector('.app').dataset.state,
      error: visible ? err.textContent.trim() : null,
      errorText: err?.textContent ?? '',
      name: q('file-name')?.textContent ?? null,
      durationText: q('duration')?.textContent.trim() ?? null,
      seconds: q('duration')?.dataset.seconds === undefined ? null : Number(q('duration').dataset.seconds),
      framesText: q('frames')?.textContent.trim() ?? null,
      frames: q('frames')?.dataset.frames === undefined ? null : Number(q('frames').dataset.frames),
      source: q('source')?.textContent.trim() ?? null,
    };
  });
}

/** Pixel statistics of a canvas: size, distinct colours, share of pixels unlike the corner. */
export function canvasStats(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid=${id}]`);
    const { width: w, height: h } = c;
    const d = c.getContext('2d').getImageData(0, 0, w, h).data;
    const colours = new Set();
    let differ = 0;
    for (let i = 0; i < d.length; i += 4) {
      const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      if (colours.size < 5000) colours.add(k);
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) differ++;
    }
    return { width: w, height: h, cssWidth: c.clientWidth, colours: colours.size, differ: differ / (w * h) };
  }, testid);
}

/** Uploads a file (path, or { name, mimeType, buffer }) through the file input. */
export function upload(page, file) {
  return runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', file));
}

/** Drops a file on the page via a DataTransfer built in the page and a dispatched `drop`. */
export function drop(page, name, bytes, type = '') {
  return runAndRead(page, () =>
    page.evaluate(
      async ({ name, b64, type }) => {
        const bin = atob(b64);
        const u8 = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([u8], name, { type }));
        const target = document.querySelector('main') ?? document.body;
        target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        // Let the page render the highlight before dropping.
        await new Promise((r) => requestAnimationFrame(() => r()));
        window.__dragHighlight = document.querySelector('.app').classList.contains('dragging');
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { name, b64: Buffer.from(bytes).toString('base64'), type },
    ),
  );
}

// ---------- expected values from headers ----------

// The shipped model's front end (the student CNN, crates/core/src/cnn.rs): mono 44.1 kHz, one
// log-mel frame every 1 024 samples, centred, the last starting before the end.
export const TARGET_SR = 44100;
export const HOP = 1024;

/** Samples after the core's resampling to 44 100 Hz: round(n * 44100 / rate), at least 1. */
export function resampledLen(n, rate) {
  if (n === 0) return 0;
  if (rate === TARGET_SR) return n;
  return Math.max(1, Math.floor((2 * n * TARGET_SR + rate) / (2 * rate)));
}

/** The front end's frame count: ceil(n / 1024) + 1 of the resampled signal. */
export const expectedFrames = (n, rate) => {
  const m = resampledLen(n, rate);
  return m === 0 ? 0 : Math.ceil(m / HOP) + 1;
};

/** { rate, channels, samples } from a WAV, FLAC or Ogg Vorbis file's bytes. */
export function audioInfo(buf) {
  const tag = buf.toString('latin1', 0, 4);
  if (tag === 'RIFF') return wavInfo(buf);
  if (tag === 'fLaC') return flacInfo(buf);
  if (tag === 'OggS') return oggVorbisInfo(buf);
  throw new Error(`unknown format ${JSON.stringify(tag)}`);
}

function wavInfo(buf) {
  let off = 12;
  let fmt = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString('latin1', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      fmt = {
        channels: buf.readUInt16LE(off + 10),
        rate: buf.readUInt32LE(off + 12),
        blockAlign: buf.readUInt16LE(off + 20),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data before fmt');
      return { rate: fmt.rate, channels: fmt.channels, samples: Math.floor(size / fmt.blockAlign) };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

function flacInfo(buf) {
  // STREAMINFO is the first metadata block: 4-byte header at 4, body at 8.
  const b = buf.subarray(8, 8 + 34);
  const rate = (b[10] << 12) | (b[11] << 4) | (b[12] >> 4);
  const channels = ((b[12] >> 1) & 7) + 1;
  const samples = (b[13] & 0x0f) * 2 ** 32 + b.readUInt32BE(14);
  return { rate, channels, samples };
}

function oggVorbisInfo(buf) {
  // Identification header: first page's packet "\x01vorbis", rate at +12 after the packet type.
  const idPkt = buf.indexOf(Buffer.from('\x01vorbis', 'latin1'));
  const channels = buf[idPkt + 11];
  const rate = buf.readUInt32LE(idPkt + 12);
  // Granule position of the last page = total samples.
  const last = buf.lastIndexOf(Buffer.from('OggS', 'latin1'));
  const samples = Number(buf.readBigInt64LE(last + 6));
  return { rate, channels, samples };
}

/** Expected { seconds, frames } for the file at `p` (or a Buffer). */
export function expected(p) {
  const info = audioInfo(Buffer.isBuffer(p) ? p : fs.readFileSync(p));
  return { ...info, seconds: info.samples / info.rate, frames: expectedFrames(info.samples, info.rate) };
}

// ---------- search results ----------

/** The results list as shown: [{ id, label, score, rank }], best first. */
export function results(page) {
  return page.$$eval('[data-testid=result]', (els) =>
    els.map((e) => ({ id: e.dataset.id, label: e.dataset.label, score: Number(e.dataset.score), rank: Number(e.dataset.rank) })),
  );
}

/** Labels and words shown for the current query. */
export async function labelsAndWords(page) {
  return {
    labels: await page.$$eval('[data-testid=label-item]', (els) => els.map((e) => e.dataset.label)),
    words: await page.$$eval('[data-testid=word-item]', (els) => els.map((e) => e.dataset.word)),
  };
}

/** Types `query` into the search box and presses Enter; resolves when the run finished. */
export function textSearch(page, query) {
  return runAndRead(page, async () => {
    await page.fill('[data-testid=query-text]', query);
    await page.press('[data-testid=query-text]', 'Enter');
  });
}

/** State of the preview player: { playing, src }. */
export function player(page) {
  return page.evaluate(() => {
    const a = document.querySelector('[data-testid=player]');
    // `src` is what the page asked to play. `currentSrc` lags behind a new `src` until the
    // browser's resource selection runs, so right after a switch it can still name the preview
    // played before (the keyboard test's flake: Space on row 2 read as row 4 still playing).
    return { playing: !a.paused, src: a.src };
  });
}

// ---------- generated audio ----------

/**
 * Writes a 16-bit PCM WAV: `seconds` at `rate` Hz with `channels` channels, sample values from
 * `sample(i, t)` (i: frame index, t: seconds), clipped to ±1; every channel gets the same signal.
 */
export function writeWav(file, { seconds, rate, channels = 1, sample }) {
  const n = Math.round(seconds * rate);
  const bytes = 2 * n * channels;
  const buf = Buffer.alloc(44 + bytes);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + bytes, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(2 * rate * channels, 28);
  buf.writeUInt16LE(2 * channels, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(bytes, 40);
  for (let i = 0; i < n; i++) {
    const v = Math.round(Math.max(-1, Math.min(1, sample(i, i / rate))) * 32767);
    for (let c = 0; c < channels; c++) buf.writeInt16LE(v, 44 + 2 * (i * channels + c));
  }
  fs.writeFileSync(file, buf);
}

// ---------- download budget ----------

/** First-load transfer budget (bytes on the wire, gzip): issue 6. */
export const FIRST_LOAD_BUDGET = 6_000_000;

const KIND = [
  [/\.wasm$/, 'wasm'],
  [/\.m?js$/, 'JS'],
  [/\.css$/, 'CSS'],
  [/\/pkg\/model\.json$/, 'model'],
  [/\/pkg\/vocab\.bin$/, 'vocabulary'],
  [/\/pkg\/index\.bin$/, 'index'],
  [/\/pkg\/[^/]+\.safetensors$/, 'CNN weights'],
];

/**
 * A first visit in a fresh browser context until the app is ready and its service worker has
 * cached it for offline use: every body the server sent (gzip), by path and kind.
 * Returns { total, rows: [{ path, kind, bytes }] }, largest first.
 */
export async function firstLoad(browser, server) {
  server.sent.clear();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=offline][data-state=ready]', { timeout: 60_000 });
  } finally {
    await context.close();
  }
  const rows = [...server.sent]
    .map(([p, bytes]) => ({ path: p, kind: KIND.find(([re]) => re.test(p))?.[1] ?? 'other', bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return { total: rows.reduce((n, r) => n + r.bytes, 0), rows };
}
