// The user's own library: add real clips (with one bad file), survive a reload, search it by
// scope, delete one, export / clear / import, and a full storage quota that changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePerSuite, runAndRead, results, scoreAtZero } from './helpers.mjs';
import { ROOT, startServer } from './server.mjs';

const PREVIEWS = path.join(ROOT, 'pkg', 'previews');
// 20 real recordings from different sources (every 80th preview).
const CLIPS = fs.readdirSync(PREVIEWS).filter((f) => f.endsWith('.mp3')).sort().filter((_, i) => i % 80 === 0).slice(0, 20);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-lib-'));
const BAD = path.join(dir, 'notes.wav');
fs.writeFileSync(BAD, 'these are my notes, not audio');
const EMPTY = path.join(dir, 'empty.wav');
fs.writeFileSync(EMPTY, '');

let page;
let env;
onePagePerSuite([], (p, e) => {
  page = p;
  env = e;
});

const count = () => page.evaluate(() => Number(document.querySelector('[data-testid=library-count]').textContent));
const waitCount = (n) =>
  page.waitForFunction((n) => Number(document.querySelector('[data-testid=library-count]')?.textContent) === n, n, { timeout: 60_000 });

test('the library starts empty; scope offers bundled, library and all', async () => {
  assert.equal(CLIPS.length, 20);
  await waitCount(0);
  const options = await page.$$eval('[data-testid=scope] option', (o) => o.map((x) => x.value));
  assert.deepEqual(options, ['bundled', 'library', 'all']);
});

test('adding 20 real clips, a text file and an empty file: progress, both failures listed, 20 stored', async () => {
  await page.setInputFiles('[data-testid=library-add]', [...CLIPS.map((f) => path.join(PREVIEWS, f)), BAD, EMPTY]);
  await page.waitForSelector('[data-testid=progress]', { timeout: 10_000 });
  assert.match(await page.textContent('[data-testid=progress]'), /of 22 sounds/);
  await waitCount(20);
  await page.waitForSelector('[data-testid=progress]', { state: 'detached', timeout: 60_000 });
  const failures = await page.$$eval('[data-testid=library-failure]', (l) =>
    Object.fromEntries(l.map((x) => [x.dataset.name, x.textContent])),
  );
  assert.deepEqual(Object.keys(failures).sort(), ['empty.wav', 'notes.wav']);
  assert.match(failures['empty.wav'], /the file is empty/);
  assert.equal(await page.locator('[data-testid=library-item]').count(), 20);
});

test('the library survives a reload, and its count is right the moment the page says ready', async () => {
  await page.reload();
  // Read in the same task as the attribute appears: no moment of "0 sounds".
  const atReady = await page.evaluate(
    () =>
      new Promise((done) => {
        const read = () => Number(document.querySelector('[data-testid=library-count]')?.textContent);
        if (document.body.dataset.ready === '1') return done(read());
        new MutationObserver((_, obs) => {
          if (document.body.dataset.ready === '1') {
            obs.disconnect();
            done(read());
          }
        }).observe(document.body, { attributes: true });
      }),
  );
  assert.equal(atReady, 20);
  const names = await page.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.name));
  assert.deepEqual([...names].sort(), [...CLIPS].sort());
});

test('scope "library" finds the clip itself first; "all" mixes it with bundled sounds', async () => {
  const clip = CLIPS[3];
  await page.selectOption('[data-testid=scope]', 'library');
  await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', path.join(PREVIEWS, clip)));
  let r = await results(page);
  assert.equal(r.length, 20);
  assert.ok(r[0].id.startsWith('library:'), r[0].id);
  assert.ok(Math.abs(r[0].score - scoreAtZero('audio')) < 1e-5, `score ${r[0].score}`);
  assert.equal(await page.locator('[data-testid=result]').first().getAttribute('data-library'), '1');
  assert.match(await page.locator('[data-testid=result]').first().textContent(), new RegExp(clip.replace('.', '\\.')));
  assert.ok(r.every((x) => x.id.startsWith('library:')));
  await page.selectOption('[data-testid=scope]', 'all');
  await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', path.join(PREVIEWS, clip)));
  r = await results(page);
  assert.ok(r[0].id.startsWith('library:'));
  assert.ok(r.some((x) => !x.id.startsWith('library:')), 'bundled sounds too');
  await page.selectOption('[data-testid=scope]', 'bundled');
  await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', path.join(PREVIEWS, clip)));
  assert.ok((await results(page)).every((x) => !x.id.startsWith('library:')));
});

test('delete one: it leaves the list and the shown results', async () => {
  const first = page.locator('[data-testid=library-item]').first();
  const name = await first.getAttribute('data-name');
  const key = await first.getAttribute('data-key');
  // Its own sound as the query, over the library: it is the first result.
  await page.selectOption('[data-testid=scope]', 'library');
  await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', path.join(PREVIEWS, name)));
  assert.equal((await results(page))[0].id, `library:${key}`);
  const names = () => page.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.name));
  // Deleted: out of the list, the count and the results at once, with an Undo for a few seconds.
  await first.locator('[data-testid=library-delete]').click();
  await waitCount(19);
  assert.ok(!(await names()).includes(name));
  assert.equal((await results(page)).length, 19);
  assert.match(await page.textContent('[data-testid=undo]'), /Deleted/);
  await page.click('[data-testid=undo-delete]');
  await waitCount(20);
  assert.ok((await names()).includes(name), 'back in the list');
  assert.equal((await results(page))[0].id, `library:${key}`, 'back in the results, where it was');
  assert.equal(await page.isVisible('[data-testid=undo]'), false);
  // Deleted again and left: after the undo time it is gone for good (the export below has 19).
  await page.locator(`[data-testid=library-item][data-key="${key}"] [data-testid=library-delete]`).click();
  await waitCount(19);
  await page.waitForSelector('[data-testid=undo]', { state: 'hidden', timeout: 20_000 });
  assert.ok(!(await names()).includes(name));
  const shown = await results(page);
  assert.equal(shown.length, 19);
  assert.ok(shown.every((r) => r.id !== `library:${key}`), 'the deleted sound left the results');
  await page.selectOption('[data-testid=scope]', 'bundled');
});

test('export, clear all (confirmed), import: the same 19 sounds come back', async () => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=library-export]')]);
  const file = path.join(dir, 'export.json');
  await dl.saveAs(file);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc.format, 'earshot-library');
  assert.equal(doc.items.length, 19);
  assert.ok(doc.items.every((i) => typeof i.embedding === 'string' && i.name && i.label));
  // Dismissing the confirmation keeps everything.
  page.once('dialog', (d) => d.dismiss());
  await page.click('[data-testid=library-clear]');
  await page.waitForTimeout(300);
  assert.equal(await count(), 19);
  page.once('dialog', (d) => d.accept());
  await page.click('[data-testid=library-clear]');
  await waitCount(0);
  await page.setInputFiles('[data-testid=library-import]', file);
  await waitCount(19);
  const names = await page.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.name).sort());
  assert.deepEqual(names, doc.items.map((i) => i.name).sort());
  // A file that is not an export is refused with a sentence.
  await page.setInputFiles('[data-testid=library-import]', BAD);
  await page.waitForSelector('[data-testid=error]:not([hidden])');
  assert.match(await page.textContent('[data-testid=error]'), /not an earshot library export/);
  assert.equal(await count(), 19);
});

test('rename and retag: kept across a reload, and the tags are searchable as text', async () => {
  const item = page.locator('[data-testid=library-item]').nth(2);
  const key = await item.getAttribute('data-key');
  const before = await item.getAttribute('data-name');
  // Esc leaves an edit without saving it.
  await item.locator('[data-testid=library-edit]').click();
  await page.fill('[data-testid=library-name]', 'not kept');
  await page.press('[data-testid=library-name]', 'Escape');
  await page.waitForSelector('[data-testid=library-name]', { state: 'detached' });
  assert.equal(await page.locator(`[data-testid=library-item][data-key="${key}"]`).getAttribute('data-name'), before);
  await item.locator('[data-testid=library-edit]').click();
  await page.fill('[data-testid=library-name]', 'garden <b>storm</b>.ogg');
  await page.fill('[data-testid=library-tags]', 'thunderstorm, heavy rain');
  await page.click('[data-testid=library-save]');
  const edited = page.locator(`[data-testid=library-item][data-key="${key}"]`);
  await page.waitForFunction((k) => document.querySelector(`[data-testid=library-item][data-key="${k}"]`)?.dataset.tags === 'thunderstorm, heavy rain', key);
  assert.equal(await edited.getAttribute('data-name'), 'garden <b>storm</b>.ogg');
  assert.equal(await edited.locator('b').count(), 0, 'the name is text, not HTML');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  await waitCount(19);
  assert.equal(await edited.getAttribute('data-tags'), 'thunderstorm, heavy rain');
  await page.selectOption('[data-testid=scope]', 'library');
  await runAndRead(page, async () => {
    await page.fill('[data-testid=query-text]', 'thunderstorm');
    await page.press('[data-testid=query-text]', 'Enter');
  });
  const r = await results(page);
  assert.equal(r[0].id, `library:${key}`);
  await page.selectOption('[data-testid=scope]', 'bundled');
});

test('a full storage quota: a clear error, nothing half-written, the library intact', async () => {
  // Chromium applies a quota override to IndexedDB only before the origin's first write, so this
  // runs on a new origin (a second server) whose quota leaves room for 3 sounds but not 25 more.
  const server = await startServer();
  const ctx = await env.browser.newContext();
  try {
    const p = await ctx.newPage();
    await p.goto(server.url);
    await p.waitForFunction(() => document.body.dataset.ready === '1');
    const shown = () =>
      p.evaluate(() => ({
        error: document.querySelector('[data-testid=error]').textContent,
        count: Number(document.querySelector('[data-testid=library-count]').textContent),
        progress: document.querySelector('[data-testid=progress]')?.textContent ?? null,
      }));
    const until = async (what, ok) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await shown();
        if (ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`waiting for ${what}: ${JSON.stringify(s)}`);
        await p.waitForTimeout(100);
      }
    };
    // The library is open (its database exists) before the quota is measured.
    await p.waitForSelector('[data-testid=library-count]');
    await p.waitForTimeout(500);
    const cdp = await ctx.newCDPSession(p);
    const origin = new URL(p.url()).origin;
    const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 100_000 });
    const all = fs.readdirSync(PREVIEWS).filter((f) => f.endsWith('.mp3')).sort().map((f) => path.join(PREVIEWS, f));
    await p.setInputFiles('[data-testid=library-add]', all.slice(0, 3));
    await until('3 sounds stored', (s) => s.count === 3);
    await p.setInputFiles('[data-testid=library-add]', all.slice(3, 28));
    const failed = await until('the storage error', (s) => /storage/i.test(s.error) && s.progress === null);
    assert.match(failed.error, /full.*nothing was added/);
    assert.equal(failed.count, 3);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await p.reload();
    await p.waitForFunction(() => document.body.dataset.ready === '1');
    await until('the library after reloading', (s) => s.count === 3);
    assert.equal(await p.locator('[data-testid=library-item]').count(), 3);
  } finally {
    await ctx.close();
    await server.close();
  }
});
