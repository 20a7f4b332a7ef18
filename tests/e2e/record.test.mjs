// Recording through Chromium's fake microphone (a 3 s, 48 kHz WAV it loops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onePagePerSuite, read, fixture, canvasStats, results, labelsAndWords } from './helpers.mjs';

const MIC = fixture('mic_guit_harmonics_48k.wav');
const FAKE_MIC = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-audio-capture=${MIC}`,
  '--autoplay-policy=no-user-gesture-required',
];
let page;
onePagePerSuite(FAKE_MIC, (p) => {
  page = p;
});

test('record ~2 s, stop: the recording is analysed', async () => {
  const button = page.locator('[data-testid=record]');
  assert.equal((await button.textContent()).trim(), 'Record');
  const runsBefore = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await button.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=record]').textContent.trim() === 'Stop', null, {
    timeout: 15_000,
  });
  const t0 = Date.now();
  // The level meter moves while recording.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=level]').value) > 0.05, null, {
    timeout: 5_000,
  });
  // The time recorded shows against the limit, beside the labelled meter.
  assert.equal(await page.isVisible('[data-testid=rec-info]'), true);
  assert.match(await page.textContent('[data-testid=rec-info]'), /Level/);
  await page.waitForFunction(() => document.querySelector('[data-testid=rec-time]').textContent.trim() === '0:01 / 0:30',
    null, { timeout: 5_000 });
  await page.waitForTimeout(Math.max(0, 2000 - (Date.now() - t0)));
  await button.click();
  const recorded = (Date.now() - t0) / 1000;
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, runsBefore, {
    timeout: 30_000,
  });
  const shown = await read(page);
  assert.equal(shown.error, null, `unexpected error: ${shown.error}`);
  assert.ok(Math.abs(shown.seconds - recorded) <= 0.5, `duration ${shown.seconds} vs recorded ${recorded}`);
  assert.ok(shown.frames > 0, `frames ${shown.frames}`);
  assert.equal((await button.textContent()).trim(), 'Record');
  assert.equal(await page.evaluate(() => Number(document.querySelector('[data-testid=level]').value)), 0);
  assert.equal(await page.isVisible('[data-testid=rec-info]'), false, 'no empty meter when not recording');
  assert.ok((await canvasStats(page, 'waveform')).differ > 0.02, 'waveform drawn');
  // The recording ran as a query (decoded by the browser: WebM/Opus).
  assert.equal((await results(page)).length, 20);
  assert.ok((await labelsAndWords(page)).labels.length > 0, 'labels shown');
});

test('a recording under half a second is refused with a message, not searched', async () => {
  const button = page.locator('[data-testid=record]');
  const before = (await results(page)).map((r) => r.id);
  await button.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=record]').textContent.trim() === 'Stop', null, {
    timeout: 15_000,
  });
  await button.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=record]').textContent.trim() === 'Record', null, {
    timeout: 15_000,
  });
  await page.waitForSelector('[data-testid=error]', { timeout: 15_000 });
  const error = await page.textContent('[data-testid=error]');
  assert.match(error, /^The recording is too short \(0\.\d s\): record at least 0\.5 s\.$/);
  // Not searched: the previous recording's results stay (a search would have replaced them).
  await page.waitForTimeout(500);
  assert.deepEqual((await results(page)).map((r) => r.id), before);
});

test('Esc stops a recording, which is then searched', async () => {
  const button = page.locator('[data-testid=record]');
  const runsBefore = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await button.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=record]').textContent.trim() === 'Stop', null, {
    timeout: 15_000,
  });
  await page.waitForTimeout(1200);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=record]').textContent.trim() === 'Record', null, {
    timeout: 15_000,
  });
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, runsBefore, {
    timeout: 30_000,
  });
  const shown = await read(page);
  assert.equal(shown.error, null, `unexpected error: ${shown.error}`);
  assert.ok(shown.seconds >= 0.8 && shown.seconds < 3, `duration ${shown.seconds}`);
  assert.equal((await results(page)).length, 20);
});
