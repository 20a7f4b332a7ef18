// The search app: text queries (Enter and typing), results with playback and find-similar,
// labels and words, the keyboard path, the map, export, and loading without blocking typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  onePagePerSuite,
  textSearch,
  results,
  labelsAndWords,
  player,
  runAndRead,
  upload,
  fixture,
  scoreAtZero,
} from './helpers.mjs';

const INDEX_ITEMS = 3002; // pkg/index.bin (docs/corpus.md)
let page;
let env;
onePagePerSuite(['--autoplay-policy=no-user-gesture-required'], (p, e) => {
  page = p;
  env = e;
});

const isSortedDesc = (xs) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

test('loading: a progress indicator, then ready; typing works before the index is loaded', async () => {
  const ctx = await env.browser.newContext();
  const p = await ctx.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  // Hold the index back so the page is certainly still loading while we type.
  let release;
  const held = new Promise((r) => (release = r));
  await p.route('**/pkg/index.bin', async (route) => {
    await held;
    await route.continue();
  });
  await p.goto(env.server.url);
  await p.waitForSelector('[data-testid=query-text]');
  assert.equal(await p.isVisible('[data-testid=loading]'), true, 'loading indicator shown');
  assert.equal(await p.evaluate(() => document.body.dataset.ready), undefined);
  await p.type('[data-testid=query-text]', 'dog');
  await p.press('[data-testid=query-text]', 'Enter');
  assert.equal(await p.inputValue('[data-testid=query-text]'), 'dog');
  release();
  await p.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30_000 });
  await p.waitForSelector('[data-testid=result]', { timeout: 30_000 });
  assert.equal(await p.isVisible('[data-testid=loading]'), false, 'loading indicator gone');
  const r = await results(p);
  assert.equal(r.length, 20);
  assert.equal(r[0].label, 'Canidae_dogs_wolves', 'the query typed while loading ran once ready');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('text search "dog": 20 dog-first results, scores descending, labels and words', async () => {
  const shown = await textSearch(page, 'dog');
  assert.equal(shown.error, null);
  const r = await results(page);
  assert.equal(r.length, 20);
  assert.equal(r[0].label, 'Canidae_dogs_wolves');
  assert.ok(r.filter((x) => x.label === 'Canidae_dogs_wolves').length >= 3);
  assert.ok(isSortedDesc(r.map((x) => x.score)), 'scores descending');
  assert.ok(r.every((x) => x.score > 0 && x.score <= 1));
  assert.deepEqual(r.map((x) => x.rank), [...Array(20).keys()].map((i) => i + 1));
  const { labels, words } = await labelsAndWords(page);
  assert.ok(labels.slice(0, 3).includes('Canidae_dogs_wolves'), `labels ${labels}`);
  assert.ok(words.includes('dog'), `words ${words}`);
  // Each result shows its class as people say it, its source as a detail, and a score bar.
  const first = page.locator('[data-testid=result]').first();
  assert.match(await first.locator('.label').textContent(), /^Dog \/ wolf$/);
  assert.match(await first.locator('.source').textContent(), /^from \S/);
  assert.equal(await first.locator('.bar span').count(), 1);
  assert.match(await page.locator('[data-testid=label-item] .label').first().textContent(), /^Dog \/ wolf$/);
  // A text query has no clip: its facts and plots are not shown.
  assert.equal(await page.isVisible('[data-testid=clip]'), false);
  assert.equal(await page.isVisible('[data-testid=waveform]'), false);
});

test('a word with a minus leaves its sounds out: "drum -snare" shows drums but no snare', async () => {
  const drums = await textSearch(page, 'drum');
  assert.equal(drums.error, null);
  // "drum" names three classes alike; Snare_drum is among its labels (its sounds may or may not be
  // among the first 20, whichever class the model puts nearest).
  assert.ok((await labelsAndWords(page)).labels.includes('Snare_drum'), 'Snare_drum among the labels of plain "drum"');
  const shown = await textSearch(page, 'drum -snare');
  assert.equal(shown.error, null);
  const r = await results(page);
  assert.equal(r.length, 20);
  assert.ok(r.every((x) => x.label !== 'Snare_drum'), JSON.stringify(r.map((x) => x.label)));
  assert.ok(r.some((x) => /drum/i.test(x.label)), JSON.stringify(r.map((x) => x.label)));
  const { labels } = await labelsAndWords(page);
  assert.ok(!labels.includes('Snare_drum'), `labels ${labels}`);
  assert.match(await page.textContent('.status'), /leaving out snare/);
  const only = await textSearch(page, '-snare');
  assert.match(only.error ?? '', /besides what to leave out/);
});

test('typing runs the search after a short pause, without Enter', async () => {
  const before = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await page.fill('[data-testid=query-text]', '');
  await page.type('[data-testid=query-text]', 'bird', { delay: 30 });
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before);
  // On a slow machine a pause between keys may first search for "b" or "bi".
  await page.waitForFunction(() => /results for “bird”/.test(document.querySelector('.status').textContent));
  const r = await results(page);
  assert.equal(r.length, 20);
  assert.ok(r.slice(0, 10).some((x) => x.label === 'Bird'), JSON.stringify(r.slice(0, 10)));
});

test('a query with no known word shows a clear error and dims the results before it; the next query works', async () => {
  await textSearch(page, 'rain');
  const shown = await textSearch(page, 'qwxzvk zzqj');
  assert.ok(shown.error, 'error shown');
  assert.match(shown.error, /qwxzvk/);
  assert.match(shown.error, /vocabulary|known/i);
  assert.equal(await page.getAttribute('[data-testid=results]', 'data-stale'), '1');
  assert.notEqual(await page.$eval('[data-testid=results]', (e) => getComputedStyle(e).opacity), '1');
  const again = await textSearch(page, 'thunder');
  assert.equal(again.error, null);
  assert.equal(await page.getAttribute('[data-testid=results]', 'data-stale'), null);
  assert.equal((await results(page)).length, 20);
});

test('clicking a result plays its preview; Esc stops it', async () => {
  await textSearch(page, 'dog');
  const r = await results(page);
  await page.locator('[data-testid=result] [data-testid=play]').nth(1).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=player]').paused);
  const p = await player(page);
  assert.ok(p.src.endsWith(`/pkg/previews/${r[1].id}.mp3`), p.src);
  assert.equal(await page.locator('[data-testid=result].playing').getAttribute('data-id'), r[1].id);
  // The preview really is audio the browser can play (it advances).
  await page.waitForFunction(() => document.querySelector('[data-testid=player]').currentTime > 0.05);
  await page.keyboard.press('Escape');
  assert.equal((await player(page)).playing, false);
  assert.equal(await page.locator('[data-testid=result].playing').count(), 0);
  // Clicking the row itself plays too.
  assert.deepEqual(await results(page), r, 'the results did not change meanwhile');
  await page.locator('[data-testid=result]').nth(3).locator('.label').click();
  await page
    .waitForFunction(
      (id) => {
        const a = document.querySelector('[data-testid=player]');
        return !a.paused && a.src.endsWith(`/pkg/previews/${id}.mp3`);
      },
      r[3].id,
      { timeout: 10_000 },
    )
    .catch(async (e) => {
      const p = await player(page);
      throw new Error(`row 3 (${r[3].id}) did not play: playing=${p.playing} src=${p.src} (${e.message})`);
    });
  await page.keyboard.press('Escape');
});

test('find similar runs a result as an audio query: that clip comes first, at distance 0', async () => {
  await textSearch(page, 'bell');
  const r = await results(page);
  const shown = await runAndRead(page, () => page.locator('[data-testid=find-similar]').nth(2).click());
  assert.equal(shown.error, null);
  const s = await results(page);
  assert.equal(s[0].id, r[2].id);
  assert.ok(Math.abs(s[0].score - scoreAtZero('audio')) < 1e-6, `self-similarity ${s[0].score}`);
  assert.equal(s.length, 20);
  assert.ok((await labelsAndWords(page)).labels.length > 0);
});

test('keyboard: / focuses the box, arrows move and play, Space plays or stops, Enter finds similar, Esc stops', async () => {
  await page.locator('h1').click();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'query-text');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('cat');
  await page.keyboard.press('Enter');
  // Typing slowly may also have run a search for "c" or "ca": wait for the answer to "cat".
  await page.waitForFunction(() => /results for “cat”/.test(document.querySelector('.status').textContent));
  const r = await results(page);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.rank), '1');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.rank), '2');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.rank), '2');
  // Moving plays the result reached (audition, on by default).
  await page.waitForFunction(() => !document.querySelector('[data-testid=player]').paused);
  assert.ok((await player(page)).src.endsWith(`/pkg/previews/${r[1].id}.mp3`));
  // Space stops it, and plays it again.
  await page.keyboard.press(' ');
  assert.equal((await player(page)).playing, false);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !document.querySelector('[data-testid=player]').paused);
  assert.ok((await player(page)).src.endsWith(`/pkg/previews/${r[1].id}.mp3`));
  await page.keyboard.press('Escape');
  assert.equal((await player(page)).playing, false);
  await runAndRead(page, () => page.keyboard.press('Enter'));
  assert.equal((await results(page))[0].id, r[1].id, 'Enter found sounds similar to the focused result');
  // Focus is visible: the focused row has an outline.
  await page.keyboard.press('ArrowDown');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
});

test('with "Play as I move" off, the arrow keys only move', async () => {
  await textSearch(page, 'bell');
  await page.uncheck('[data-testid=audition]');
  await page.keyboard.press('Escape');
  assert.equal((await player(page)).playing, false);
  await page.locator('[data-testid=query-text]').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.rank), '2');
  await page.waitForTimeout(300);
  assert.equal((await player(page)).playing, false);
  await page.check('[data-testid=audition]');
  await page.locator('[data-testid=result][data-rank="2"]').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => !document.querySelector('[data-testid=player]').paused);
  const r = await results(page);
  assert.ok((await player(page)).src.endsWith(`/pkg/previews/${r[2].id}.mp3`));
  await page.keyboard.press('Escape');
});

test('a search answered again while the user moves through its results keeps the selection', async () => {
  await textSearch(page, 'bird');
  const r = await results(page);
  await page.locator('[data-testid=query-text]').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.rank), '2');
  // The same query runs again (as when the typing pause and Enter both start "bird"); its
  // answer arrives after the user has moved on.
  const shown = await runAndRead(page, () =>
    page.evaluate(() =>
      document
        .querySelector('[data-testid=query-text]')
        .dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })),
    ),
  );
  assert.equal(shown.error, null);
  assert.deepEqual(await results(page), r);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.rank), '2', 'focus stayed on row 2');
  assert.equal(await page.locator('[data-testid=result].selected').getAttribute('data-rank'), '2');
  // A second identical query while the first still runs is not sent: one answer, one run.
  const before = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await page.evaluate(() => {
    const box = document.querySelector('[data-testid=query-text]');
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  });
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before);
  await textSearch(page, 'cat');
  const runs = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  assert.equal(runs, before + 2, 'two Enters on a running query gave one run, then "cat" one more');
});

test('the map shows one point per index item; the query and its results are marked', async () => {
  const map = page.locator('[data-testid=map]');
  assert.equal(await map.locator('circle.point').count(), INDEX_ITEMS);
  assert.equal(await map.getAttribute('data-points'), String(INDEX_ITEMS));
  await textSearch(page, 'dog');
  assert.equal(await map.locator('[data-testid=map-hit]').count(), 20);
  assert.equal(await map.locator('[data-testid=map-query]').count(), 1);
  // Points of different classes have different colours.
  const colours = await map.locator('circle.point').evaluateAll((els) => new Set(els.map((e) => e.getAttribute('fill'))).size);
  assert.ok(colours >= 40, `${colours} colours`);
});

test('hovering a map point plays it; clicking it searches with it', async () => {
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=player]').paused);
  // A point not covered by another one, so the pointer lands on it.
  const item = await page.evaluate(() => {
    for (const c of document.querySelectorAll('[data-testid=map] circle.point')) {
      const b = c.getBoundingClientRect();
      c.scrollIntoView({ block: 'center' });
      const r = c.getBoundingClientRect();
      if (document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === c && b.width > 0) return Number(c.dataset.item);
    }
    return -1;
  });
  assert.ok(item >= 0, 'an uncovered point');
  const point = page.locator(`[data-testid=map] circle.point[data-item="${item}"]`);
  await point.hover({ force: true });
  await page.waitForFunction(() => !document.querySelector('[data-testid=player]').paused);
  const src = (await player(page)).src;
  await runAndRead(page, () => point.click({ force: true }));
  const r = await results(page);
  assert.ok(src.endsWith(`/pkg/previews/${r[0].id}.mp3`), `${src} vs ${r[0].id}`);
  assert.ok(Math.abs(r[0].score - scoreAtZero('audio')) < 1e-6);
  assert.equal(Number(await page.locator('[data-testid=map-hit]').first().getAttribute('data-item')), item);
  await page.keyboard.press('Escape');
});

/** Map dots no other dot covers, in view, with their centres in page coordinates. */
function uncoveredDots(n) {
  return page.evaluate((n) => {
    const map = document.querySelector('[data-testid=map]');
    map.scrollIntoView({ block: 'center' });
    const out = [];
    for (const c of map.querySelectorAll('circle.point')) {
      const r = c.getBoundingClientRect();
      const x = r.x + r.width / 2;
      const y = r.y + r.height / 2;
      if (r.width > 0 && document.elementFromPoint(x, y) === c) out.push({ item: Number(c.dataset.item), x, y });
      if (out.length === n) break;
    }
    return out;
  }, n);
}

test('the map: a legend by display names picks out a class; zoom, drag to pan, reset', async () => {
  const legend = page.locator('[data-testid=legend-item]');
  const names = await legend.allTextContents();
  assert.ok(names.length >= 40, `${names.length} classes`);
  assert.ok(names.every((t) => !t.includes('_')), 'display names');
  const dog = page.locator('[data-testid=legend-item]', { hasText: 'Dog / wolf' });
  const count = Number(await dog.getAttribute('data-count'));
  assert.ok(count >= 10);
  await dog.click();
  assert.equal(await dog.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('[data-testid=map-picked]').count(), count);
  await dog.click();
  assert.equal(await page.locator('[data-testid=map-picked]').count(), 0);
  const box = () => page.getAttribute('[data-testid=map]', 'viewBox').then((v) => v.split(' ').map(Number));
  assert.deepEqual(await box(), [0, 0, 1000, 620]);
  await page.click('[data-testid=map-zoom-in]');
  assert.deepEqual(await box(), [250, 155, 500, 310]);
  // A drag pans (and searches nothing).
  const runs = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  await page.locator('[data-testid=map]').scrollIntoViewIfNeeded();
  const b = await page.locator('[data-testid=map]').boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 - 100, b.y + b.height / 2 - 20, { steps: 5 });
  await page.mouse.up();
  const [x, y] = await box();
  assert.ok(x > 250 && y > 155, `panned to ${x}, ${y}`);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => Number(document.querySelector('.app').dataset.runs)), runs, 'no search');
  // Ctrl + wheel zooms further in.
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=map]').getAttribute('viewBox').split(' ')[2]) < 500);
  await page.click('[data-testid=map-reset]');
  assert.deepEqual(await box(), [0, 0, 1000, 620]);
});

test('the map names the dot under the pointer and plays it only after a rest, one at a time', async () => {
  await page.keyboard.press('Escape');
  await page.evaluate(() => {
    window.__plays = 0;
    document.querySelector('[data-testid=player]').addEventListener('play', () => window.__plays++);
  });
  const dots = await uncoveredDots(8);
  assert.equal(dots.length, 8);
  // Sweeping across eight dots plays none of them; each is named as the pointer passes.
  for (const d of dots) {
    await page.mouse.move(d.x, d.y);
    assert.equal(Number(await page.getAttribute('[data-testid=map-ring]', 'data-item')), d.item);
    await page.waitForTimeout(40);
  }
  assert.equal(await page.evaluate(() => window.__plays), 0, 'nothing played while sweeping');
  const label = (await page.textContent('[data-testid=map-label]')).trim();
  assert.ok(label && !label.includes('_'), label);
  // Resting on the last one plays it, once.
  await page.waitForFunction(() => window.__plays === 1);
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => window.__plays), 1);
  await page.keyboard.press('Escape');
});

test('the map from the keyboard: arrows pick dots, Enter searches with one and shows its results', async () => {
  await page.mouse.move(0, 0);
  await page.focus('[data-testid=map]');
  await page.keyboard.press('ArrowRight');
  const first = Number(await page.getAttribute('[data-testid=map-ring]', 'data-item'));
  await page.keyboard.press('ArrowRight');
  const second = Number(await page.getAttribute('[data-testid=map-ring]', 'data-item'));
  assert.notEqual(first, second);
  assert.ok((await page.textContent('[data-testid=map-info]')).includes('from '));
  assert.equal((await runAndRead(page, () => page.keyboard.press('Enter'))).error, null);
  const r = await results(page);
  assert.equal(Number(await page.locator('[data-testid=result]').first().getAttribute('data-item')), second);
  assert.ok(Math.abs(r[0].score - scoreAtZero('audio')) < 1e-6);
  // The results it found are brought into view.
  const rb = await page.locator('[data-testid=results]').boundingBox();
  assert.ok(rb.y < page.viewportSize().height && rb.y + rb.height > 0, `results at ${rb.y}`);
});

test('on a touch screen a tap picks a dot (named, not played), a second tap plays it', async () => {
  await page.keyboard.press('Escape');
  const [d] = await uncoveredDots(1);
  const runs = await page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
  const tap = () =>
    page.evaluate(({ x, y }) => {
      const map = document.querySelector('[data-testid=map]');
      const at = { clientX: x, clientY: y, bubbles: true, pointerType: 'touch', isPrimary: true };
      map.dispatchEvent(new PointerEvent('pointerdown', at));
      map.dispatchEvent(new PointerEvent('pointerup', at));
      map.dispatchEvent(new PointerEvent('pointerleave', { ...at, bubbles: false }));
      map.dispatchEvent(new MouseEvent('click', at));
    }, d);
  await tap();
  assert.equal(Number(await page.getAttribute('[data-testid=map-ring]', 'data-item')), d.item);
  assert.ok(await page.isVisible('[data-testid=map-similar]'));
  await page.waitForTimeout(500);
  assert.equal((await player(page)).playing, false, 'a first tap does not play');
  await tap();
  await page.waitForFunction(() => !document.querySelector('[data-testid=player]').paused);
  assert.equal(await page.evaluate(() => Number(document.querySelector('.app').dataset.runs)), runs, 'no search');
  await page.keyboard.press('Escape');
});

test('export: JSON and CSV hold the results shown, in order', async () => {
  await textSearch(page, 'dog barking');
  const r = await results(page);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  assert.equal(dl.suggestedFilename(), 'earshot-dog-barking.json');
  const json = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
  assert.deepEqual(json.query, { kind: 'text', value: 'dog barking' });
  assert.deepEqual(json.results.map((x) => x.id), r.map((x) => x.id));
  for (const [i, x] of json.results.entries()) assert.ok(Math.abs(x.score - r[i].score) < 1e-6);
  assert.ok(json.labels.length > 0 && json.words.length > 0);
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
  assert.equal(dl2.suggestedFilename(), 'earshot-dog-barking.csv');
  const lines = fs.readFileSync(await dl2.path(), 'utf8').trim().split(/\r\n/);
  assert.equal(lines[0], 'rank,id,label,score,source,licence,preview');
  assert.equal(lines.length, 21);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[1]), r.map((x) => x.id));
});

test('a result drags out as its preview file, named after its class, with its audio type', async () => {
  await textSearch(page, 'dog');
  const got = await page.evaluate(() => {
    const row = document.querySelector('[data-testid=result]');
    const dt = new DataTransfer();
    row.dispatchEvent(new DragEvent('dragstart', { dataTransfer: dt, bubbles: true, cancelable: true }));
    // Dragged over the page, a result is not offered as a query to drop.
    document.querySelector('main').dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    return {
      draggable: row.draggable,
      id: row.dataset.id,
      download: dt.getData('DownloadURL'),
      uri: dt.getData('text/uri-list'),
      overlay: document.querySelector('.app').classList.contains('dragging'),
    };
  });
  assert.equal(got.draggable, true);
  assert.equal(got.overlay, false);
  const [mime, name, ...rest] = got.download.split(':');
  const url = rest.join(':');
  assert.equal(mime, 'audio/mpeg');
  assert.match(name, /^Dog - wolf \S+\.mp3$/);
  assert.ok(name.includes(got.id.replace(/[^\w\-() ,]/g, '-')), `${name} names ${got.id}`);
  assert.equal(url, got.uri);
  const res = await page.request.get(url);
  assert.equal(res.status(), 200);
  const body = await res.body();
  assert.ok(body.length > 1000 && (body.subarray(0, 3).toString() === 'ID3' || body[0] === 0xff), 'an MP3 file');
});

test('an audio file query shows results, labels and words next to its waveform', async () => {
  const shown = await upload(page, fixture('dong01.ogg'));
  assert.equal(shown.error, null);
  assert.equal(shown.name, 'dong01.ogg');
  const r = await results(page);
  assert.equal(r.length, 20);
  assert.ok(isSortedDesc(r.map((x) => x.score)));
  const { labels, words } = await labelsAndWords(page);
  assert.ok(labels.length >= 1 && words.length >= 1);
  assert.equal(await page.locator('[data-testid=map-query]').count(), 1);
  // An audio query has a clip: its facts and plots are shown.
  assert.equal(await page.isVisible('[data-testid=clip]'), true);
  assert.equal(await page.isVisible('[data-testid=waveform]'), true);
});

test('the query shows as a chip (text, file, similar); removing it clears the page', async () => {
  const chip = async () => (await page.textContent('[data-testid=query-chip] .chip-text')).trim();
  await textSearch(page, 'dog barking');
  assert.equal(await chip(), '“dog barking”');
  assert.equal((await upload(page, fixture('dong01.ogg'))).error, null);
  assert.equal(await chip(), 'dong01.ogg');
  assert.equal(await page.inputValue('[data-testid=query-text]'), '', 'the box no longer shows the old text');
  // Similar names the sound by its class as people say it, never by an id.
  const r = await results(page);
  assert.equal((await runAndRead(page, () => page.locator('[data-testid=find-similar]').nth(1).click())).error, null);
  assert.match(await chip(), /^similar to this [A-Z][^_]* clip$/);
  assert.ok(!(await chip()).includes(r[1].id), await chip());
  // Removing the chip: no results, no clip, no status, an empty box ready for typing.
  await page.click('[data-testid=query-chip-clear]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=result]').length === 0);
  assert.equal(await page.isVisible('[data-testid=query-chip]'), false);
  assert.equal(await page.isVisible('[data-testid=clip]'), false);
  assert.equal((await page.textContent('.status')).trim(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'query-text');
  assert.equal((await textSearch(page, 'bell')).error, null);
  assert.equal((await results(page)).length, 20);
});

test('the map is square on a phone and wide on a desktop', async () => {
  const ratio = async (p) => {
    const box = await p.locator('[data-testid=map]').boundingBox();
    return box.height / box.width;
  };
  const wide = await ratio(page);
  assert.ok(Math.abs(wide - 0.62) < 0.02, `desktop map height / width ${wide}`);
  const ctx = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
  try {
    const phone = await ctx.newPage();
    await phone.goto(env.server.url);
    await phone.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    const r = await ratio(phone);
    assert.ok(Math.abs(r - 1) < 0.02, `phone map height / width ${r}`);
  } finally {
    await ctx.close();
  }
});

test('at 360 px wide everything fits without sideways scrolling', async () => {
  await page.setViewportSize({ width: 360, height: 800 });
  await textSearch(page, 'dog');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false);
  const box = await page.locator('[data-testid=result]').first().boundingBox();
  assert.ok(box.width <= 360 && box.width > 250, JSON.stringify(box));
  assert.ok(await page.locator('[data-testid=result] [data-testid=play]').first().isVisible());
  // The results start within the first screen, below the search controls.
  const top = (await page.locator('[data-testid=result]').first().boundingBox()).y;
  assert.ok(top + box.height <= 800, `first result ends at ${top + box.height} px`);
  // Labels wrap rather than being cut.
  const cut = await page.$$eval('[data-testid=result] .label', (ls) =>
    ls.filter((l) => l.scrollWidth > l.clientWidth + 1).map((l) => l.textContent));
  assert.deepEqual(cut, []);
  // Every control of the search bar and of a result is at least 44 × 44 px to tap.
  const small = await page.evaluate(() => {
    const sel = '.controls button, .controls select, .controls input[type=search], .controls .file-button,'
      + ' .results-panel button, .library-panel button, .library-panel .file-button';
    return [...document.querySelectorAll(sel)]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ what: e.dataset.testid ?? e.className, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 || r.height < 44)
      .map(({ what, r }) => `${what} ${Math.round(r.width)}×${Math.round(r.height)}`);
  });
  assert.deepEqual(small, []);
  await page.setViewportSize({ width: 1000, height: 900 });
});
