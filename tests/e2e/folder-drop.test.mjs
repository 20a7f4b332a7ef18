// Dropping a folder (a real drag from the file system, through the DevTools protocol): every sound
// in it and its subfolders joins the library; other files are skipped and named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePerSuite } from './helpers.mjs';
import { ROOT } from './server.mjs';

let page;
onePagePerSuite([], (p) => {
  page = p;
});

const PREVIEWS = path.join(ROOT, 'pkg', 'previews');

test('a dropped folder adds the sounds of every subfolder and names what it skipped', async () => {
  const clips = fs.readdirSync(PREVIEWS).sort().filter((_, i) => i % 300 === 0).slice(0, 3);
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-folder-'));
  fs.mkdirSync(path.join(top, 'sub', 'deeper'), { recursive: true });
  const placed = [top, path.join(top, 'sub'), path.join(top, 'sub', 'deeper')];
  clips.forEach((c, i) => fs.copyFileSync(path.join(PREVIEWS, c), path.join(placed[i], c)));
  fs.writeFileSync(path.join(top, 'cover.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
  fs.writeFileSync(path.join(top, 'sub', 'notes.txt'), 'field notes');
  fs.copyFileSync(path.join(PREVIEWS, clips[0]), path.join(top, '.hidden.ogg'));
  try {
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: [top], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop']) {
      await cdp.send('Input.dispatchDragEvent', { type, x: 300, y: 300, data });
    }
    await page.waitForFunction(
      () => document.querySelector('[data-testid=library-count]')?.textContent === '3',
      null,
      { timeout: 60_000 },
    );
    await page.waitForSelector('[data-testid=progress]', { state: 'detached', timeout: 60_000 });
    const names = await page.$$eval('[data-testid=library-item]', (l) => l.map((x) => x.dataset.name));
    assert.deepEqual([...names].sort(), [...clips].sort());
    assert.equal(
      await page.textContent('[data-testid=library-note]'),
      'Skipped 3 files that are not sounds: .hidden.ogg, cover.jpg, notes.txt.',
    );
    assert.deepEqual(await page.$$eval('[data-testid=library-failure]', (l) => l.length), 0);
  } finally {
    fs.rmSync(top, { recursive: true, force: true });
  }
});

test('dragging several files says they go to the library; the drop shows its progress at the top', async () => {
  const clips = fs.readdirSync(PREVIEWS).sort().filter((_, i) => i % 50 === 1).slice(0, 30);
  const n = await page.$$eval('[data-testid=library-item]', (l) => l.length);
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: clips.map((c) => path.join(PREVIEWS, c)), dragOperationsMask: 1 };
  await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', x: 300, y: 300, data });
  await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x: 300, y: 300, data });
  await page.waitForFunction(() => document.querySelector('.app').classList.contains('dragging'));
  assert.equal((await page.textContent('[data-testid=drop-text]')).trim(), 'Drop to add 30 files to your library');
  await cdp.send('Input.dispatchDragEvent', { type: 'drop', x: 300, y: 300, data });
  await page.waitForSelector('[data-testid=top-progress]', { timeout: 10_000 });
  assert.match(await page.textContent('[data-testid=top-progress]'), /Adding to your library: \d+ of 30 sounds/);
  const box = await page.locator('[data-testid=top-progress]').boundingBox();
  assert.ok(box.y + box.height <= page.viewportSize().height, `progress at ${box.y} px`);
  await page.waitForSelector('[data-testid=top-progress]', { state: 'detached', timeout: 60_000 });
  await page.waitForFunction((want) => document.querySelector('[data-testid=library-count]')?.textContent === String(want),
    n + 30, { timeout: 60_000 });
});
