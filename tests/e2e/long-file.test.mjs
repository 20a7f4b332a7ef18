// A page that never freezes: while a 10-minute file is decoded, featurised and searched (in the
// worker), the search box still takes typing; then the file's results arrive.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePerSuite, results, writeWav } from './helpers.mjs';

const RATE = 44_100;
const SECONDS = 600;

/** A 10-minute 16-bit mono WAV of a chirping tone with noise bursts. */
function longWav(file) {
  let seed = 1;
  writeWav(file, {
    seconds: SECONDS,
    rate: RATE,
    sample: (i, t) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const noise = (t % 2 < 0.2 ? 0.3 : 0.02) * (seed / 0x7fffffff - 0.5);
      return 0.4 * Math.sin(2 * Math.PI * (300 + 200 * Math.sin(t)) * t) + noise;
    },
  });
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
