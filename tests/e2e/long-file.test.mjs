// A page that never freezes: while a 10-minute file is decoded, featurised and searched (in the
// worker), the search box still takes typing; then the file's results arrive.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePerSuite, results } from './helpers.mjs';

const RATE = 44_100;
const SECONDS = 600;

/** A 10-minute 16-bit mono WAV of a chirping tone with noise bursts. */
function longWav(file) {
  const n = RATE * SECONDS;
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
  let seed = 1;
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const noise = (t % 2 < 0.2 ? 0.3 : 0.02) * (seed / 0x7fffffff - 0.5);
    const v = 0.4 * Math.sin(2 * Math.PI * (300 + 200 * Math.sin(t)) * t) + noise;
    buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32767), 44 + 2 * i);
  }
  fs.writeFileSync(file, buf);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-long-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let page;
onePagePerSuite([], (p) => {
  page = p;
});

test('typing while a 10-minute file is processed; then its results', async () => {
  const file = path.join(dir, 'ten-minutes.wav');
  longWav(file);
  const before = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await page.setInputFiles('[data-testid=query-file]', file);
  await page.waitForFunction(() => document.querySelector('.app').dataset.state === 'busy');
  await page.click('[data-testid=query-text]');
  await page.keyboard.type('rain', { delay: 10 });
  // The keys landed while the file was still being processed.
  const during = await page.evaluate(() => ({
    value: document.querySelector('[data-testid=query-text]').value,
    state: document.querySelector('.app').dataset.state,
    runs: Number(document.querySelector('.app').dataset.runs),
  }));
  assert.equal(during.value, 'rain');
  assert.equal(during.state, 'busy', 'the file was still being processed while typing');
  assert.equal(during.runs, before);
  // Typing started a text search that supersedes the file; run the file again without typing.
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before, { timeout: 120_000 });
  const again = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await page.setInputFiles('[data-testid=query-file]', file);
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, again, { timeout: 120_000 });
  const seconds = await page.evaluate(() => Number(document.querySelector('[data-testid=duration]').dataset.seconds));
  assert.equal(seconds, SECONDS);
  assert.equal((await results(page)).length, 20);
  assert.equal(await page.isVisible('[data-testid=error]'), false);
});
