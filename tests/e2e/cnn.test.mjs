// The app with a shipped model that names CNN features (crates/cli/eval/walnet): text queries
// need nothing more; the first audio query fetches the CNN's weights (once), embeds the sound
// with the CNN in the worker and answers exactly as `earshot search` does with that model.
// Without the weights the audio query fails with a visible sentence and the page stays usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, upload, results, labelsAndWords, textSearch, read, fixture } from './helpers.mjs';
import { startServer } from './server.mjs';
import { cnnDist } from './cnn-dist.mjs';

// The Ogg Vorbis preview earlier builds shipped for corpus clip sonic-656e1706e843-0 (a bass drum).
const PREVIEW = fixture('drum_bass_hard_preview.ogg');
const WEIGHTS = '/pkg/walnet.safetensors';
const TOP3 = ['fluid-da5d5aa98180-0', 'fluid-cf4a5cfecd09-0', 'hydrogen-5410ee8312dd-0'];

let browser;
const dirs = [];
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function open(server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
  return { context, page };
}

test('a CNN model: weights fetched on the first audio query only, answers as the CLI', async () => {
  const dir = cnnDist();
  dirs.push(dir);
  const server = await startServer(dir);
  const { context, page } = await open(server);
  try {
    // Text goes through the model's text branch: no CNN needed, nothing fetched for it.
    await textSearch(page, 'dog');
    assert.ok((await results(page)).length > 0);
    assert.equal(server.sent.get(WEIGHTS), undefined, 'weights fetched before any audio query');

    const shown = await upload(page, PREVIEW);
    assert.equal(shown.error, null);
    const r = await results(page);
    // `earshot search --model crates/cli/eval/walnet/model.json --audio <this preview>` with the
    // same index: fluid-da5d5aa98180-0 (0.9099), fluid-cf4a5cfecd09-0 (0.8903),
    // hydrogen-5410ee8312dd-0 (0.8883), labels led by Bass_drum.
    assert.deepEqual(r.slice(0, 3).map((x) => x.id), TOP3);
    assert.ok(Math.abs(r[0].score - 0.9099) < 2e-4, `score ${r[0].score}`);
    assert.equal((await labelsAndWords(page)).labels[0], 'Bass_drum');
    const once = server.sent.get(WEIGHTS);
    assert.ok(once > 8_000_000, `weights sent: ${once} B`);

    // The second audio query reuses the loaded CNN.
    await upload(page, PREVIEW);
    assert.deepEqual((await results(page)).slice(0, 3).map((x) => x.id), TOP3);
    assert.equal(server.sent.get(WEIGHTS), once);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('a CNN model without its weights: a visible sentence, then text search still works', async () => {
  const dir = cnnDist({ weights: false });
  dirs.push(dir);
  const server = await startServer(dir);
  const { context, page } = await open(server);
  try {
    const shown = await upload(page, PREVIEW);
    assert.match(shown.error ?? '', /Could not download the sound network's weights: HTTP 404/);
    await textSearch(page, 'dog');
    assert.equal((await read(page)).error, null);
    assert.ok((await results(page)).length > 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await server.close();
  }
});

test('a CNN model offline: the weights are not precached, kept on first use, and work offline', async () => {
  const dir = cnnDist({ postbuild: true });
  dirs.push(dir);
  const sw = fs.readFileSync(path.join(dir, 'sw.js'), 'utf8');
  const build = JSON.parse(sw.match(/const BUILD = (.*); \/\/ @BUILD@/)[1]);
  assert.deepEqual(build.lazy, ['pkg/walnet.safetensors']);
  assert.ok(!build.shell.includes('pkg/walnet.safetensors'));
  const server = await startServer(dir);
  const { context, page } = await open(server);
  try {
    await page.waitForSelector('[data-testid=offline][data-state=ready]', { timeout: 60_000 });
    assert.equal(server.sent.get(WEIGHTS), undefined, 'the install fetched the weights');
    await upload(page, PREVIEW);
    assert.deepEqual((await results(page)).slice(0, 3).map((x) => x.id), TOP3);
    assert.ok(server.sent.get(WEIGHTS) > 8_000_000);

    await context.setOffline(true);
    await server.close();
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    const shown = await upload(page, PREVIEW);
    assert.equal(shown.error, null);
    assert.deepEqual((await results(page)).slice(0, 3).map((x) => x.id), TOP3);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
    await server.close().catch(() => {});
  }
});
