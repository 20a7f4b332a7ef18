// The same clip dropped on the page (DataTransfer + dispatched drop) gives the same result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { onePagePerSuite, drop, upload, canvasStats, expected, fixture } from './helpers.mjs';

let page;
onePagePerSuite([], (p) => {
  page = p;
});

test('dropping a FLAC shows the same duration and frames as uploading it', async () => {
  const name = 'ambi_choir.flac';
  const want = expected(fixture(name));
  const dropped = await drop(page, name, fs.readFileSync(fixture(name)), 'audio/flac');
  assert.equal(dropped.error, null, `unexpected error: ${dropped.error}`);
  assert.equal(await page.evaluate(() => window.__dragHighlight), true, 'dragover highlights the page');
  assert.equal(await page.evaluate(() => document.querySelector('.app').classList.contains('dragging')), false);
  assert.equal(dropped.name, name);
  assert.ok(Math.abs(dropped.seconds - want.seconds) < 0.01, `duration ${dropped.seconds} vs ${want.seconds}`);
  assert.equal(dropped.frames, want.frames);
  assert.ok((await canvasStats(page, 'waveform')).differ > 0.02, 'waveform drawn');
  assert.ok((await canvasStats(page, 'spectrogram')).colours > 20, 'spectrogram drawn');

  const uploaded = await upload(page, fixture(name));
  assert.equal(uploaded.seconds, dropped.seconds);
  assert.equal(uploaded.frames, dropped.frames);
});

test('dropping a non-audio file shows an error; the next drop works', async () => {
  const bad = await drop(page, 'readme.txt', Buffer.from('hello, not audio'), 'text/plain');
  assert.match(bad.error ?? '', /readme\.txt/);
  const good = await drop(page, 'elec_chime.wav', fs.readFileSync(fixture('elec_chime.wav')), 'audio/wav');
  assert.equal(good.error, null);
  assert.equal(good.frames, expected(fixture('elec_chime.wav')).frames);
});
