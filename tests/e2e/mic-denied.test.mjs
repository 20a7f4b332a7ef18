// No microphone permission, or no microphone: a clear error, and the page keeps working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, read, upload, fixture, expected } from './helpers.mjs';

let env;
const pages = [];
before(async () => {
  env = await setup(['--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
});
after(async () => {
  try {
    for (const p of pages) assert.deepEqual(p.errors, [], 'uncaught errors in the page');
  } finally {
    await env?.close();
  }
});

async function clickRecordAndRead(page) {
  const before = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await page.click('[data-testid=record]');
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before, {
    timeout: 20_000,
  });
  return read(page);
}

test('permission denied by the browser → error sentence, button back to Record', async () => {
  // No --use-fake-ui-for-media-stream and no granted permission: headless Chromium denies.
  const page = await env.open({ permissions: [] });
  pages.push(page);
  const shown = await clickRecordAndRead(page);
  assert.match(shown.error ?? '', /microphone/i);
  assert.match(shown.error ?? '', /denied/i);
  assert.equal((await page.textContent('[data-testid=record]')).trim(), 'Record');
  const good = await upload(page, fixture('elec_chime.wav'));
  assert.equal(good.error, null);
  assert.equal(good.frames, expected(fixture('elec_chime.wav')).frames);
});

test('getUserMedia rejecting with NotFoundError → "No microphone" sentence', async () => {
  const page = await env.open({}, () => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
  });
  pages.push(page);
  const shown = await clickRecordAndRead(page);
  assert.match(shown.error ?? '', /No microphone was found/);
});

test('getUserMedia rejecting with NotAllowedError → "denied" sentence', async () => {
  const page = await env.open({}, () => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  pages.push(page);
  const shown = await clickRecordAndRead(page);
  assert.equal(shown.error, 'Microphone access was denied. Allow the microphone for this page and try again.');
});
