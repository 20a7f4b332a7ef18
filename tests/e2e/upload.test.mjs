// A real clip through the file input: duration and MFCC frame count match the file's header,
// the canvases are drawn, the file name is shown as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { onePagePerSuite, upload, read, canvasStats, expected, fixture } from './helpers.mjs';

let page;
let env;
onePagePerSuite([], (p, e) => {
  page = p;
  env = e;
});

test('the page starts empty, without an error', async () => {
  assert.equal(await page.title(), 'earshot');
  const shown = await read(page);
  assert.equal(shown.error, null);
  assert.equal(shown.seconds, null);
  for (const id of ['query-file', 'record', 'level', 'waveform', 'spectrogram', 'duration', 'frames']) {
    assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, id);
  }
  assert.equal(await page.getAttribute('[data-testid=query-file]', 'accept'), 'audio/*,.wav,.flac,.ogg,.mp3');
});

for (const name of ['ambi_choir.flac', 'elec_chime.wav', 'dong01.ogg']) {
  test(`upload ${name}: duration, frames and canvases`, async () => {
    const want = expected(fixture(name));
    const shown = await upload(page, fixture(name));
    assert.equal(shown.error, null, `unexpected error: ${shown.error}`);
    assert.equal(shown.state, 'done');
    assert.equal(shown.name, name);
    assert.ok(Math.abs(shown.seconds - want.seconds) < 0.01, `duration ${shown.seconds} vs ${want.seconds}`);
    assert.equal(shown.durationText, `${want.seconds.toFixed(2)} s`);
    assert.equal(shown.frames, want.frames, `frames ${shown.frames} vs ${want.frames}`);
    assert.equal(shown.framesText, String(want.frames));

    const wave = await canvasStats(page, 'waveform');
    const spec = await canvasStats(page, 'spectrogram');
    for (const [id, c] of [['waveform', wave], ['spectrogram', spec]]) {
      assert.ok(c.width >= c.cssWidth && c.cssWidth > 100, `${id} sized to its box: ${JSON.stringify(c)}`);
      assert.ok(c.differ > 0.02, `${id} is blank: ${JSON.stringify(c)}`);
    }
    assert.ok(spec.colours > 20, `spectrogram has too few colours: ${spec.colours}`);
  });
}

test('canvases are crisp on HiDPI (backing store = CSS size × devicePixelRatio)', async () => {
  const ctx = await env.browser.newContext({ deviceScaleFactor: 2, viewport: { width: 360, height: 800 } });
  const p = await ctx.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  await p.goto(env.server.url);
  await p.waitForFunction(() => document.body.dataset.ready === '1');
  const shown = await upload(p, fixture('elec_chime.wav'));
  assert.equal(shown.error, null);
  const c = await canvasStats(p, 'spectrogram');
  assert.equal(c.width, c.cssWidth * 2, JSON.stringify(c));
  assert.ok(c.cssWidth <= 360, 'fits a 360 px screen');
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling at 360 px');
  assert.deepEqual(p.errors, []);
  await ctx.close();
});

test('a file name is shown as text, never as HTML', async () => {
  const name = '<img src=x onerror="window.__xss=1">.wav';
  const shown = await upload(page, {
    name,
    mimeType: 'audio/wav',
    buffer: fs.readFileSync(fixture('elec_chime.wav')),
  });
  assert.equal(shown.error, null);
  assert.equal(shown.name, name);
  assert.equal(await page.evaluate(() => window.__xss ?? null), null);
  assert.equal(await page.locator('.facts img').count(), 0);
});
