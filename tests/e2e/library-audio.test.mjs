// Keeping the sound file in the library (or only its fingerprint), playing kept sounds from the
// results, and the schema upgrade from a version-1 library (sounds only) to version 2 (+ audio).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { onePagePerSuite, runAndRead, results, writeWav } from './helpers.mjs';
import { ROOT } from './server.mjs';

const PREVIEWS = path.join(ROOT, 'pkg', 'previews');
const [KEPT, PRINT] = fs.readdirSync(PREVIEWS).sort().filter((_, i) => i % 500 === 7).slice(0, 2);

let page;
let env;
onePagePerSuite(['--autoplay-policy=no-user-gesture-required'], (p, e) => {
  page = p;
  env = e;
});

const waitCount = (p, n) =>
  p.waitForFunction((n) => document.querySelector('[data-testid=library-count]')?.textContent === String(n), n, {
    timeout: 60_000,
  });

/** Every record of an object store of the library database, read in the page. */
const storeCount = (p, store) =>
  p.evaluate(
    (store) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('earshot-library');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction(store).objectStore(store).count();
          req.onsuccess = () => {
            db.close();
            resolve(req.result);
          };
        };
      }),
    store,
  );

async function add(file, keep) {
  const n = await page.$$eval('[data-testid=library-item]', (l) => l.length);
  await page.selectOption('[data-testid=library-keep]', keep);
  await page.setInputFiles('[data-testid=library-add]', path.join(PREVIEWS, file));
  await waitCount(page, n + 1);
}

async function libraryResults(file) {
  await page.selectOption('[data-testid=scope]', 'library');
  await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', path.join(PREVIEWS, file)));
  return page.$$eval('[data-testid=result]', (l) =>
    l.map((r) => ({ id: r.dataset.id, canPlay: !!r.querySelector('[data-testid=play][data-library]') })),
  );
}

test('a kept sound plays from the results; a fingerprint-only one cannot', async () => {
  await waitCount(page, 0);
  const heading = () => page.locator('[data-testid=library-count-text]').textContent();
  assert.equal(await heading(), '(0 sounds)');
  await add(KEPT, 'file');
  assert.equal(await heading(), '(1 sound)');
  await add(PRINT, 'fingerprint');
  assert.equal(await heading(), '(2 sounds)');
  assert.equal(await storeCount(page, 'sounds'), 2);
  assert.equal(await storeCount(page, 'audio'), 1, 'only the kept file is stored');
  const rows = await libraryResults(KEPT);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => r.canPlay), [true, false], 'the kept sound first, playable');
  const plays = () =>
    page.waitForFunction(() => {
      const a = document.querySelector('[data-testid=player]');
      return a.src.startsWith('blob:') && !a.paused && a.currentTime > 0.05;
    }, null, { timeout: 20_000 });
  await page.locator('[data-testid=result]').first().locator('[data-testid=play]').click();
  await plays();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=player]').paused);
  // The library list plays a kept sound too; a fingerprint has nothing to play.
  await page.evaluate(() => { document.querySelector('[data-testid=player]').removeAttribute('src'); });
  await page.locator(`[data-testid=library-item][data-name="${KEPT}"] [data-testid=library-play]`).click();
  await plays();
  await page.keyboard.press('Escape');
  assert.equal(await page.locator(`[data-testid=library-item][data-name="${PRINT}"] [data-testid=library-play]`).count(), 0);
  // The kept sound's result drags out as its own file (fetched as the pointer comes near);
  // the fingerprint's cannot be dragged.
  const row = page.locator('[data-testid=result][data-library]').first();
  await row.hover();
  await page.waitForSelector('[data-testid=result][data-library][data-drag=ready]');
  const drag = await page.evaluate(async () => {
    const rows = [...document.querySelectorAll('[data-testid=result][data-library]')];
    const dt = new DataTransfer();
    rows[0].dispatchEvent(new DragEvent('dragstart', { dataTransfer: dt, bubbles: true, cancelable: true }));
    const [type, name, ...rest] = dt.getData('DownloadURL').split(':');
    const url = rest.join(':');
    // The page may not fetch blob: URLs (its CSP), but it may play them: the file is audio.
    const seconds = await new Promise((resolve) => {
      const a = new Audio();
      a.onloadedmetadata = () => resolve(a.duration);
      a.onerror = () => resolve(0);
      a.src = url;
    });
    return { type, name, url, seconds, draggable: rows.map((r) => r.draggable) };
  });
  assert.deepEqual(drag.draggable, [true, false]);
  assert.equal(drag.name, KEPT);
  assert.match(drag.type, /^audio\//);
  assert.ok(drag.url.startsWith('blob:'));
  assert.ok(drag.seconds > 0.1, `a playable file of ${drag.seconds} s`);
});

test('an export with audio imports back as playable sounds; a plain export as fingerprints', async () => {
  const save = async (testid) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
    const file = path.join(os.tmpdir(), `earshot-${testid}-${process.pid}.json`);
    await dl.saveAs(file);
    return file;
  };
  const withAudio = await save('library-export-audio');
  const plain = await save('library-export');
  const doc = JSON.parse(fs.readFileSync(withAudio, 'utf8'));
  const byName = Object.fromEntries(doc.items.map((i) => [i.name, i]));
  assert.ok(byName[KEPT].kept?.data.length > 1000, 'the kept file is in the export');
  assert.match(byName[KEPT].kept.type, /^audio\//);
  assert.equal(byName[PRINT].kept, undefined, 'a fingerprint has no file to export');
  assert.ok(!fs.readFileSync(plain, 'utf8').includes('"kept"'));
  const playable = () =>
    page.$$eval('[data-testid=library-item]', (l) =>
      Object.fromEntries(l.map((x) => [x.dataset.name, !!x.querySelector('[data-testid=library-play]')])),
    );
  const reimport = async (file) => {
    page.once('dialog', (d) => d.accept());
    await page.click('[data-testid=library-clear]');
    await waitCount(page, 0);
    await page.setInputFiles('[data-testid=library-import]', file);
    await waitCount(page, 2);
  };
  await reimport(plain);
  assert.deepEqual(await playable(), { [KEPT]: false, [PRINT]: false });
  assert.equal(await storeCount(page, 'audio'), 0);
  await reimport(withAudio);
  assert.deepEqual(await playable(), { [KEPT]: true, [PRINT]: false });
  assert.equal(await storeCount(page, 'audio'), 1);
  await page.evaluate(() => document.querySelector('[data-testid=player]').removeAttribute('src'));
  await page.locator(`[data-testid=library-item][data-name="${KEPT}"] [data-testid=library-play]`).click();
  await page.waitForFunction(() => {
    const a = document.querySelector('[data-testid=player]');
    return a.src.startsWith('blob:') && !a.paused && a.currentTime > 0.05;
  }, null, { timeout: 20_000 });
  await page.keyboard.press('Escape');
  fs.rmSync(withAudio, { force: true });
  fs.rmSync(plain, { force: true });
});

test('renaming keeps the audio; deleting removes it', async () => {
  const item = page.locator(`[data-testid=library-item][data-name="${KEPT}"]`);
  await item.locator('[data-testid=library-edit]').click();
  await page.fill('[data-testid=library-name]', 'my kept sound.ogg');
  await page.click('[data-testid=library-save]');
  await page.waitForSelector('[data-testid=library-item][data-name="my kept sound.ogg"]');
  assert.equal(await storeCount(page, 'audio'), 1);
  const rows = await libraryResults(KEPT);
  assert.equal(rows[0].canPlay, true, 'still playable after renaming');
  page.once('dialog', (d) => d.accept());
  await page.locator('[data-testid=library-item][data-name="my kept sound.ogg"] [data-testid=library-delete]').click();
  await waitCount(page, 1);
  // Deleted from storage once the undo time is over.
  await page.waitForSelector('[data-testid=undo]', { state: 'hidden', timeout: 20_000 });
  for (let t = 0; t < 100 && (await storeCount(page, 'sounds')) > 1; t++) await page.waitForTimeout(100);
  assert.equal(await storeCount(page, 'audio'), 0);
  assert.equal(await storeCount(page, 'sounds'), 1);
  await page.selectOption('[data-testid=scope]', 'bundled');
});

test('a version-1 library (sounds only) is upgraded in place and keeps its sounds', async () => {
  // The remaining sound's record, as version 1 stored it.
  const record = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('earshot-library');
        open.onsuccess = () => {
          const req = open.result.transaction('sounds').objectStore('sounds').getAll();
          req.onsuccess = () => {
            const r = req.result[0];
            open.result.close();
            resolve({ meta: r.meta, embedding: Array.from(r.embedding) });
          };
        };
      }),
  );
  const context = await env.browser.newContext();
  try {
    const p = await context.newPage();
    // Same origin, before the app ever runs there: write a version-1 database by hand.
    await p.goto(`${env.server.url}pkg/CREDITS.md`);
    await p.evaluate(
      (rec) =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('earshot-library', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('sounds', { autoIncrement: true });
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('sounds', 'readwrite');
            tx.objectStore('sounds').add({ meta: rec.meta, embedding: Float32Array.from(rec.embedding) });
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
          };
        }),
      record,
    );
    await p.goto(env.server.url);
    await p.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    await waitCount(p, 1);
    const schema = await p.evaluate(
      () =>
        new Promise((resolve) => {
          const open = indexedDB.open('earshot-library');
          open.onsuccess = () => {
            const db = open.result;
            resolve({ version: db.version, stores: [...db.objectStoreNames] });
            db.close();
          };
        }),
    );
    assert.deepEqual(schema, { version: 2, stores: ['audio', 'sounds'] });
    const name = JSON.parse(record.meta).name;
    assert.deepEqual(await p.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.name)), [name]);
    await p.selectOption('[data-testid=scope]', 'library');
    await runAndRead(p, () => p.setInputFiles('[data-testid=query-file]', path.join(PREVIEWS, PRINT)));
    const r = await results(p);
    assert.equal(r.length, 1);
    assert.match(r[0].id, /^library:\d+$/);
  } finally {
    await context.close();
  }
});

test('a compressed preview: the first 4 s as Ogg Opus, much smaller than the file, and it plays', async () => {
  // Ten seconds of a rising chirp with a pulse every half second.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-preview-')), 'chirp.wav');
  writeWav(file, {
    seconds: 10,
    rate: 44_100,
    channels: 2,
    sample: (i, t) => 0.4 * Math.sin(2 * Math.PI * (200 + 60 * t) * t) * (t % 0.5 < 0.25 ? 1 : 0.3),
  });
  const n = await page.$$eval('[data-testid=library-item]', (l) => l.length);
  await page.selectOption('[data-testid=library-keep]', 'preview');
  await page.setInputFiles('[data-testid=library-add]', file);
  await waitCount(page, n + 1);
  const stored = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('earshot-library');
        open.onsuccess = () => {
          const req = open.result.transaction('audio').objectStore('audio').getAll();
          req.onsuccess = async () => {
            const blobs = req.result;
            const head = blobs.length ? new Uint8Array(await blobs[0].slice(0, 36).arrayBuffer()) : [];
            open.result.close();
            resolve(blobs.map((b) => ({ type: b.type, size: b.size, head: String.fromCharCode(...head.slice(28, 36)) })));
          };
        };
      }),
  );
  assert.equal(stored.length, 1);
  assert.equal(stored[0].type, 'audio/ogg; codecs=opus');
  assert.equal(stored[0].head, 'OpusHead');
  assert.ok(stored[0].size < fs.statSync(file).size / 4, `preview ${stored[0].size} B`);
  await page.selectOption('[data-testid=scope]', 'library');
  await runAndRead(page, () => page.setInputFiles('[data-testid=query-file]', file));
  const first = page.locator('[data-testid=result]').first();
  assert.equal(await first.getAttribute('data-id'), (await first.getAttribute('data-id')).match(/^library:\d+$/)?.[0]);
  await first.locator('[data-testid=play]').click();
  const played = await page.waitForFunction(
    () => {
      const a = document.querySelector('[data-testid=player]');
      return a.src.startsWith('blob:') && !a.paused && a.currentTime > 0.05 && { duration: a.duration };
    },
    null,
    { timeout: 20_000 },
  );
  const { duration } = await played.jsonValue();
  assert.ok(duration > 3.9 && duration < 4.1, `preview lasts ${duration} s`);
  await page.keyboard.press('Escape');
  await page.selectOption('[data-testid=scope]', 'bundled');
});
