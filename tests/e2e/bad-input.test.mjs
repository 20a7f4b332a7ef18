// Awkward inputs: the bad ones show a sentence naming the file, the odd-but-valid ones work,
// and after each one a good file still works and clears the error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePerSuite, upload, expected, fixture } from './helpers.mjs';
import { makeInputs } from './make-bad-inputs.mjs';

let page;
let dir;
let cases;
const GOOD = fixture('elec_chime.wav');

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-bad-'));
  cases = makeInputs(dir);
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
onePagePerSuite([], (p) => {
  page = p;
});

async function goodFileStillWorks() {
  const shown = await upload(page, GOOD);
  assert.equal(shown.error, null, 'the good file after it clears the error');
  assert.equal(shown.frames, expected(GOOD).frames);
}

const BAD = [
  'empty.wav',
  'notes.wav',
  'truncated.wav',
  'noise.mp3',
  'nan.wav',
  'no-samples.wav',
  'truncated.flac',
  'truncated.ogg',
];
const VALID = [
  'silence.wav',
  'one-sample.wav',
  'eight-channels.wav',
  'hires-192k.wav',
  'short-551.wav',
  'phone-8k.wav',
  'dc-offset.wav',
  'clipped.wav',
  'choir-named.wav',
];
// Damaged files whose readable part may decode: a result or a sentence, never a hang or a crash.
const EITHER = ['corrupt.flac', 'liar-2gb.wav'];

for (const name of BAD) {
  test(`bad input ${name}: a visible error naming the file, then a good file works`, async () => {
    const c = cases.find((x) => x.name === name);
    const shown = await upload(page, c.file);
    assert.equal(shown.state, 'error');
    assert.ok(shown.error, `no visible error for ${c.what}`);
    assert.ok(shown.error.includes(`“${name}”`), `error does not name the file: ${shown.error}`);
    assert.match(shown.error, /^[A-Z].*[.!?]$/, `not a sentence: ${shown.error}`);
    assert.doesNotMatch(shown.error, /panicked|RuntimeError|unreachable|JsValue|undefined/);
    assert.equal(shown.seconds, null, 'no stale result next to the error');
    await goodFileStillWorks();
  });
}

for (const name of VALID) {
  test(`valid input ${name}: works without an error`, async () => {
    const c = cases.find((x) => x.name === name);
    const want = expected(c.file);
    const shown = await upload(page, c.file);
    assert.equal(shown.error, null, `unexpected error for ${c.what}: ${shown.error}`);
    assert.equal(shown.state, 'done');
    assert.ok(Math.abs(shown.seconds - want.seconds) < 0.01, `duration ${shown.seconds} vs ${want.seconds}`);
    assert.equal(shown.frames, want.frames);
    // Decoded at the file's own rate (the core resamples, not the browser).
    const khz = String(want.rate / 1000);
    const ch = want.channels === 1 ? '1 channel' : `${want.channels} channels`;
    assert.ok(shown.source.startsWith(`${khz} kHz · ${ch}`), `source: ${shown.source}`);
    await goodFileStillWorks();
  });
}

for (const name of EITHER) {
  test(`damaged input ${name}: a result or a sentence naming the file, then a good file works`, async () => {
    const c = cases.find((x) => x.name === name);
    const shown = await upload(page, c.file);
    if (shown.error) {
      assert.equal(shown.state, 'error');
      assert.ok(shown.error.includes(`“${name}”`), `error does not name the file: ${shown.error}`);
      assert.match(shown.error, /^[A-Z].*[.!?]$/, `not a sentence: ${shown.error}`);
      assert.doesNotMatch(shown.error, /panicked|RuntimeError|unreachable|JsValue|undefined/);
    } else {
      assert.equal(shown.state, 'done');
      assert.ok(shown.seconds > 0, `a result shows a duration (${shown.durationText})`);
    }
    await goodFileStillWorks();
  });
}

test('a 2 GB file is refused before it is read, naming the limit', async () => {
  // Sparse: a WAV header, then 2 GB of nothing on disk.
  const big = path.join(dir, 'two-gigabytes.wav');
  fs.writeFileSync(big, fs.readFileSync(GOOD).subarray(0, 44));
  fs.truncateSync(big, 2 ** 31 + 44);
  const t0 = Date.now();
  const shown = await upload(page, big);
  assert.equal(shown.state, 'error');
  assert.equal(shown.error, 'Could not analyse “two-gigabytes.wav”: is 2147483692 bytes; the limit is 1024 MiB.');
  assert.ok(Date.now() - t0 < 10_000, 'refused without reading it');
  fs.rmSync(big);
  await goodFileStillWorks();
});

test('the NaN file names the problem', async () => {
  const shown = await upload(page, cases.find((x) => x.name === 'nan.wav').file);
  assert.match(shown.error ?? '', /NaN/);
});
