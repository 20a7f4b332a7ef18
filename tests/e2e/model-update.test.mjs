// A library built with one model survives an update of the app to another model: sounds whose
// file is kept are embedded again (and searched in the new space), sounds kept without audio stay
// listed and are found by name and tags only, marked as needing their file again. Nothing is
// searched in the wrong space.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, runAndRead, scoreAtZero } from './helpers.mjs';
import { startServer, DIST, ROOT } from './server.mjs';

const PREVIEWS = path.join(ROOT, 'pkg', 'previews');
const [KEPT, PRINT] = fs.readdirSync(PREVIEWS).sort().filter((_, i) => i % 500 === 11).slice(0, 2);

// The "updated" build: the same site with another model.json (its bytes differ, so its id does;
// its weights are the same, so a sound embedded again must match its own file exactly).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-model-update-'));
const newPkg = path.join(tmp, 'pkg');
fs.mkdirSync(newPkg);
for (const entry of fs.readdirSync(path.join(DIST, 'pkg'))) {
  if (entry !== 'model.json') fs.symlinkSync(path.join(DIST, 'pkg', entry), path.join(newPkg, entry));
}
fs.writeFileSync(path.join(newPkg, 'model.json'), fs.readFileSync(path.join(DIST, 'pkg', 'model.json'), 'utf8') + '\n');
// The fingerprint-only sound has a name that says what it is.
const NAMED = path.join(tmp, 'thunderstorm rumble.mp3');
fs.copyFileSync(path.join(PREVIEWS, PRINT), NAMED);

const browser = await launch(['--autoplay-policy=no-user-gesture-required']);
let server = await startServer();
after(async () => {
  await browser.close().catch(() => {});
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** meta.model of every stored sound, by name. */
const storedModels = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('earshot-library');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('sounds').objectStore('sounds').getAll();
          req.onsuccess = () => {
            db.close();
            resolve(Object.fromEntries(req.result.map((r) => JSON.parse(r.meta)).map((m) => [m.name, m.model ?? ''])));
          };
        };
      }),
  );

const ready = (page) => page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30_000 });
const count = (page, n) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=library-count]')?.textContent === String(n), n, {
    timeout: 60_000,
  });

async function libraryQuery(page, file) {
  await page.selectOption('[data-testid=scope]', 'library');
  const shown = await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', file));
  assert.equal(shown.error, null);
  return page.$$eval('[data-testid=result]', (l) => l.map((r) => ({ id: r.dataset.id, score: Number(r.dataset.score) })));
}

test('after an update to another model the library is embedded again or marked, never searched in the old space', async () => {
  // Service workers off: each load takes what the server serves now, as after an update.
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await ready(page);
  await count(page, 0);
  await page.selectOption('[data-testid=library-keep]', 'file');
  await page.setInputFiles('[data-testid=library-add]', path.join(PREVIEWS, KEPT));
  await count(page, 1);
  await page.selectOption('[data-testid=library-keep]', 'fingerprint');
  await page.setInputFiles('[data-testid=library-add]', NAMED);
  await count(page, 2);
  const before = await storedModels(page);
  const oldModel = before[KEPT];
  assert.match(oldModel, /^crc32-/, 'each sound records the model that embedded it');
  assert.equal(before['thunderstorm rumble.mp3'], oldModel);
  const keys = Object.fromEntries(
    await page.$$eval('[data-testid=library-item]', (l) => l.map((e) => [e.dataset.name, e.dataset.key])),
  );

  // The app is updated: same address, another model.
  const port = server.port;
  await server.close();
  server = await startServer({ '/': DIST, '/pkg/': newPkg }, port);
  await page.reload();
  await ready(page);
  await count(page, 2);
  // The kept sound is analysed again by the new model; the other one waits for its file.
  await page.waitForFunction(
    (name) => document.querySelector(`[data-testid=library-item][data-name="${name}"]`)?.dataset.standing === 'current',
    KEPT,
    { timeout: 60_000 },
  );
  const after = await storedModels(page);
  assert.notEqual(after[KEPT], oldModel, 'the kept sound was stored again with the new model');
  assert.match(after[KEPT], /^crc32-/);
  assert.equal(after['thunderstorm rumble.mp3'], oldModel, 'a fingerprint cannot be redone');
  const marked = page.locator('[data-testid=library-item][data-name="thunderstorm rumble.mp3"]');
  assert.equal(await marked.getAttribute('data-standing'), 'needs-file');
  assert.match(await marked.locator('[data-testid=library-standing]').textContent(), /needs its file again/);
  assert.match(await page.locator('[data-testid=library-model-note]').textContent(), /found by name and tags only/);

  // The re-embedded sound is its own file's nearest sound in the new space.
  const own = await libraryQuery(page, path.join(PREVIEWS, KEPT));
  assert.equal(own[0].id, `library:${keys[KEPT]}`);
  assert.ok(Math.abs(own[0].score - scoreAtZero('audio')) < 1e-5, `self-similarity ${own[0].score}`);
  // The stale fingerprint is not searched by its audio: its own file does not find it as itself.
  const stale = await libraryQuery(page, NAMED);
  assert.ok(
    stale.every((r) => r.score < scoreAtZero('audio') - 1e-3),
    `no exact match through the old embedding: ${JSON.stringify(stale)}`,
  );
  // It is found by the words of its name (typed as they are, its point is the query's).
  const byName = await runAndRead(page, async () => {
    await page.fill('[data-testid=query-text]', 'thunderstorm rumble');
    await page.press('[data-testid=query-text]', 'Enter');
  });
  assert.equal(byName.error, null);
  const first = page.locator('[data-testid=result]').first();
  assert.equal(await first.getAttribute('data-id'), `library:${keys['thunderstorm rumble.mp3']}`);
  assert.ok(Math.abs(Number(await first.getAttribute('data-score')) - scoreAtZero('text')) < 1e-5);

  // Another reload: nothing left to redo, nothing lost.
  await page.reload();
  await ready(page);
  await count(page, 2);
  assert.equal(
    await page.locator(`[data-testid=library-item][data-name="${KEPT}"]`).getAttribute('data-standing'),
    'current',
  );
  assert.deepEqual(await storedModels(page), after);
  assert.deepEqual(errors, []);
  await context.close();
});
