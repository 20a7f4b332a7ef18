// Same answers as the CLI: one text and one audio query in Chromium against
// `earshot search --json` on the same input (ids equal, scores within 1e-4).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePerSuite, textSearch, upload, results, labelsAndWords, fixture } from './helpers.mjs';
import { ROOT, earshotBin } from './server.mjs';

const EARSHOT = earshotBin();
let page;
onePagePerSuite([], (p) => {
  page = p;
});

before(() => {
  // Builds the CLI if needed (a no-op after `cargo test --workspace`).
  execFileSync('cargo', ['build', '--quiet', '-p', 'earshot-cli'], { cwd: ROOT, stdio: 'inherit' });
});

const cli = (...args) =>
  JSON.parse(execFileSync(EARSHOT, ['search', ...args, '--top', '20', '--json'], { cwd: ROOT, encoding: 'utf8' }));

function assertSame(shown, want, words) {
  assert.deepEqual(shown.map((r) => r.id), want.results.map((r) => r.id), 'same ids in the same order');
  for (const [i, r] of shown.entries()) {
    const d = Math.abs(r.score - want.results[i].score);
    assert.ok(d <= 1e-4, `result ${i + 1} (${r.id}): ${r.score} vs CLI ${want.results[i].score}`);
    assert.equal(r.label, want.results[i].label);
  }
  assert.deepEqual(words.labels, want.labels.slice(0, words.labels.length).map((l) => l.label), 'same labels');
  assert.deepEqual(words.words, want.words.slice(0, words.words.length).map((w) => w.word), 'same words');
}

test('text query: the browser ranks exactly like `earshot search --text`', async () => {
  const q = 'dog barking in the rain';
  const shown = await textSearch(page, q);
  assert.equal(shown.error, null);
  assertSame(await results(page), cli('--text', q), await labelsAndWords(page));
});

test('audio query: the browser ranks exactly like `earshot search --audio`', async () => {
  const file = fixture('elec_chime.wav');
  const shown = await upload(page, file);
  assert.equal(shown.error, null);
  assertSame(await results(page), cli('--audio', file), await labelsAndWords(page));
});

test('a folder indexed by `earshot index --audio DIR --out FILE.json` imports into the library and ranks as the CLI ranks it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-cli-lib-'));
  const sounds = path.join(dir, 'sounds');
  fs.mkdirSync(path.join(sounds, 'drums'), { recursive: true });
  for (const [from, to] of [['elec_chime.wav', 'elec_chime.wav'], ['drum_bass_hard_preview.ogg', 'drums/kick.ogg'], ['dong01.ogg', 'dong.ogg']]) {
    fs.copyFileSync(fixture(from), path.join(sounds, to));
  }
  const lib = path.join(dir, 'mine.json');
  execFileSync(EARSHOT, ['index', '--audio', sounds, '--out', lib], { cwd: ROOT, stdio: 'pipe' });
  await page.setInputFiles('[data-testid=library-import]', lib);
  await page.waitForFunction(() => document.querySelector('[data-testid=library-count]')?.textContent === '3', null, {
    timeout: 30_000,
  });
  // Made with the running model: searched by their audio at once, no "needs its file again".
  const standing = await page.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.standing));
  assert.deepEqual(standing, ['current', 'current', 'current']);
  await page.selectOption('[data-testid=scope]', 'library');
  const query = fixture('drum_bass_hard_preview.ogg');
  assert.equal((await upload(page, query)).error, null);
  const shown = await page.$$eval('[data-testid=result]', (l) => l.map((r) => ({ name: r.querySelector('.label').textContent, score: Number(r.dataset.score) })));
  const want = JSON.parse(execFileSync(EARSHOT, ['search', '--index', lib, '--audio', query, '--json'], { cwd: ROOT, encoding: 'utf8' }));
  assert.deepEqual(shown.map((r) => r.name), want.results.map((r) => r.id));
  for (const [i, r] of shown.entries()) {
    assert.ok(Math.abs(r.score - want.results[i].score) <= 1e-4, `${r.name}: ${r.score} vs CLI ${want.results[i].score}`);
  }
  await page.selectOption('[data-testid=scope]', 'bundled');
  fs.rmSync(dir, { recursive: true, force: true });
});
