// Same answers as the CLI: one text and one audio query in Chromium against
// `earshot search --json` on the same input (ids equal, scores within 1e-4).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
