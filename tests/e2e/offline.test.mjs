// The installable offline app: a visit caches it (the student CNN's weights included), the page
// comes back with the network off (text queries, a first audio query, played and saved previews), and a rebuilt version replaces the old one only
// when the user reloads through the prompt, with nothing mixed from two builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, textSearch, results, upload, fixture } from './helpers.mjs';
import { DIST, ROOT, earshotBin, startServer } from './server.mjs';

const ARGS = ['--autoplay-policy=no-user-gesture-required'];

async function openApp(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e?.stack ?? e)));
  await page.goto(url);
  await ready(page);
  // The service worker has cached the app and controls the page.
  await page.waitForSelector('[data-testid=offline][data-state=ready]', { timeout: 60_000 });
  assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true);
  return { context, page };
}

const ready = (page) => page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
const version = (page) => page.$eval('meta[name=earshot-version]', (m) => m.content);

/** Plays result `i`'s preview and waits until audio is really flowing (or an error shows). */
async function playsPreview(page, i) {
  await page.locator('[data-testid=play]').nth(i).click();
  await page.waitForFunction(
    () => {
      const a = document.querySelector('[data-testid=player]');
      return (a.currentTime > 0.05 && !a.paused) || a.error;
    },
    null,
    { timeout: 20_000 },
  );
  const state = await page.evaluate(() => {
    const a = document.querySelector('[data-testid=player]');
    return { error: a.error?.code ?? null, src: a.currentSrc };
  });
  await page.keyboard.press('Escape');
  return state;
}

test('offline after one visit: reload with the network off, text and audio queries and previews work', async () => {
  const server = await startServer();
  const browser = await launch(ARGS);
  try {
    const { context, page } = await openApp(browser, server.url);
    // The install precached the student CNN's weights: no audio query has run yet.
    const weights = server.sent.get('/pkg/student.safetensors');
    assert.ok(weights > 500_000, `weights sent by the install: ${weights} B`);
    // A preview played online is kept; "make all previews available offline" saves every other.
    await textSearch(page, 'dog');
    const dog = await results(page);
    assert.equal((await playsPreview(page, 0)).error, null);
    await page.click('[data-testid=previews-offline]');
    await page.waitForFunction(
      () => /^All [\d,]+ previews are available offline\.$/.test(
        document.querySelector('[data-testid=previews-offline-status]').textContent,
      ),
      null,
      { timeout: 120_000 },
    );
    const saved = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('earshot-previews-'));
      return names.length === 1 ? (await (await caches.open(names[0])).keys()).length : -1;
    });
    assert.equal(saved, fs.readdirSync(path.join(DIST, 'pkg', 'previews')).length);

    await context.setOffline(true);
    await server.close();
    await page.reload();
    await ready(page);
    assert.match(await page.textContent('[data-testid=offline]'), /works offline/);

    await textSearch(page, 'dog');
    assert.deepEqual(await results(page), dog, 'the same answer offline');
    assert.equal((await playsPreview(page, 0)).error, null, 'the preview played online');

    await textSearch(page, 'thunder storm');
    const storm = await results(page);
    assert.equal(storm.length, 20);
    const played = await playsPreview(page, 3);
    assert.equal(played.error, null, `a saved preview plays offline (${played.src})`);

    // The first audio query of this page's life, offline: the CNN's weights come from the cache
    // and the answer is the CLI's (`earshot search --audio`, as tests/e2e/parity.test.mjs).
    assert.equal((await upload(page, fixture('elec_chime.wav'))).error, null);
    execFileSync('cargo', ['build', '--quiet', '-p', 'earshot-cli'], { cwd: ROOT, stdio: 'inherit' });
    const want = JSON.parse(
      execFileSync(earshotBin(), ['search', '--audio', fixture('elec_chime.wav'), '--top', '20', '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    );
    assert.deepEqual((await results(page)).map((r) => r.id), want.results.map((r) => r.id), 'the CLI\'s audio answer, offline');
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('a rebuilt app is offered as an update; after "Reload" the new build is served, with no mix and the library kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-update-'));
  fs.cpSync(DIST, dir, { recursive: true });
  const server = await startServer(dir);
  const browser = await launch(ARGS);
  try {
    const { page } = await openApp(browser, server.url);
    const v1 = await version(page);
    const credits = () => page.evaluate(async () => (await fetch('pkg/CREDITS.md')).text());
    const before = await credits();
    // The user's library must survive the new version.
    await page.setInputFiles('[data-testid=library-add]', fixture('elec_chime.wav'));
    await page.waitForFunction(() => document.querySelector('[data-testid=library-count]')?.textContent === '1', null, {
      timeout: 60_000,
    });

    // A rebuild with one changed asset: new content, a new precache list and version.
    fs.appendFileSync(path.join(dir, 'pkg', 'CREDITS.md'), '\nRebuilt for the update test.\n');
    execFileSync('node', [path.join(ROOT, 'scripts', 'postbuild.mjs'), dir]);

    // The next visit still runs the old build (no mix) and offers the new one.
    await page.reload();
    await ready(page);
    await page.waitForSelector('[data-testid=update]:not([hidden])', { timeout: 60_000 });
    assert.equal(await version(page), v1);
    assert.equal(await credits(), before, 'the old build keeps its own files');

    await Promise.all([page.waitForEvent('load'), page.click('[data-testid=update-reload]')]);
    await ready(page);
    const v2 = await version(page);
    assert.notEqual(v2, v1);
    assert.match(await credits(), /Rebuilt for the update test\.\n$/);
    assert.equal(await page.isVisible('[data-testid=update]'), false);
    const caches = await page.evaluate(() => caches.keys());
    assert.deepEqual(caches.filter((n) => !n.startsWith('earshot-previews-')), [`earshot-${v2}`]);
    await textSearch(page, 'dog');
    assert.equal((await results(page)).length, 20);
    await page.waitForFunction(() => document.querySelector('[data-testid=library-count]')?.textContent === '1');
    assert.deepEqual(
      await page.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.name)),
      ['elec_chime.wav'],
      'the library survived the update',
    );
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
