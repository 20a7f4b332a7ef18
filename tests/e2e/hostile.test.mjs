// Hostile input in the page: the Content-Security-Policy (no inline script, nothing from another
// origin), text queries that are empty, blank, 100,000 characters long, emoji, right-to-left or
// HTML/script injections, and the same injections in file names and tags: always text, never
// markup, never run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { onePagePerSuite, runAndRead, results, upload, fixture, cspViolations, offHost } from './helpers.mjs';
import { DIST } from './server.mjs';

let page;
onePagePerSuite([], (p) => {
  page = p;
});

const INJECTIONS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script> dog',
  '"><svg onload=window.__pwned=1>',
];
const pwned = () => page.evaluate(() => window.__pwned === 1);
const runs = () => page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
const injectedElements = () =>
  page.evaluate(() => document.querySelectorAll('.app img, .app script, .app svg[onload], [onerror]').length);

function search(text) {
  return runAndRead(page, async () => {
    await page.fill('[data-testid=query-text]', text);
    await page.press('[data-testid=query-text]', 'Enter');
  });
}

test('the shipped page has a Content-Security-Policy and no inline script', () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const csp = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, 'no CSP meta');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/, 'scripts from this origin only, no unsafe-inline/eval');
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/);
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(scripts.length > 0);
  for (const s of scripts) assert.match(s, /\ssrc="\/[^"/][^"]*"/, `inline or foreign script: ${s}`);
});

test('the policy is enforced: an injected inline script and a foreign image are blocked', async () => {
  const seen = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = 1';
    document.body.append(s);
    const img = new Image();
    const loaded = new Promise((r) => {
      img.onload = () => r('loaded');
      img.onerror = () => r('blocked');
    });
    img.src = 'http://192.0.2.1/pixel.png';
    const outcome = await loaded;
    await new Promise((r) => setTimeout(r, 100));
    s.remove();
    return { violations: violations.sort(), outcome, ran: window.__pwned === 1 };
  });
  assert.equal(seen.ran, false, 'the inline script ran');
  assert.equal(seen.outcome, 'blocked');
  assert.deepEqual(seen.violations, ['img-src', 'script-src-elem']);
  // These two were provoked on purpose: take them out of the suite-wide checks.
  await page.waitForTimeout(200);
  assert.ok(cspViolations.length >= 1, 'the console reported the violations');
  cspViolations.length = 0;
  for (let i = offHost.length - 1; i >= 0; i--) if (offHost[i].startsWith('http://192.0.2.1/')) offHost.splice(i, 1);
});

test('empty and blank queries do nothing: no run, no error, the last results stay', async () => {
  await search('dog');
  const before = await results(page);
  const n = await runs();
  for (const q of ['', '   ', '\t \n']) {
    await page.fill('[data-testid=query-text]', q);
    await page.press('[data-testid=query-text]', 'Enter');
  }
  await page.waitForTimeout(600); // longer than the typing debounce
  assert.equal(await runs(), n);
  assert.deepEqual(await results(page), before);
  assert.equal(await page.isVisible('[data-testid=error]'), false);
});

test('a 100,000-character query is cut to the 1,000 the search accepts, and searches', async () => {
  // The box holds at most the core's MAX_QUERY_CHARS (1000); longer text (typed or pasted) stops there.
  const shown = await search('dog '.repeat(25_000));
  assert.equal((await page.inputValue('[data-testid=query-text]')).length, 1000);
  assert.equal(shown.error, null);
  assert.equal((await results(page))[0].label, 'Canidae_dogs_wolves');
});

test('emoji and right-to-left text: unknown words are named as text, known words still search', async () => {
  const emoji = await search('🐶🔥');
  assert.ok(emoji.error, 'no known word: an error');
  assert.match(emoji.error, /🐶🔥|known word|No word/i);
  const rtl = await search('كلب ينبح dog');
  assert.equal(rtl.error, null);
  assert.equal((await results(page))[0].label, 'Canidae_dogs_wolves');
  assert.match(await page.textContent('.app'), /كلب/);
});

for (const q of INJECTIONS) {
  test(`query ${JSON.stringify(q)} is shown as text and never runs`, async () => {
    const n = await injectedElements();
    await search(q);
    assert.equal(await pwned(), false);
    assert.equal(await injectedElements(), n, 'markup from the query reached the page');
    assert.equal(await page.inputValue('[data-testid=query-text]'), q);
  });
}

test('file names with markup are shown as text (upload and library)', async () => {
  const bytes = fs.readFileSync(fixture('elec_chime.wav'));
  const n = await injectedElements();
  for (const name of INJECTIONS.map((q) => `${q}.wav`)) {
    const shown = await upload(page, { name, mimeType: 'audio/wav', buffer: bytes });
    assert.equal(shown.error, null);
    assert.equal(shown.name, name);
  }
  await page.setInputFiles('[data-testid=library-add]', { name: `${INJECTIONS[0]}.wav`, mimeType: 'audio/wav', buffer: bytes });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=library-item]').length === 1, null, {
    timeout: 60_000,
  });
  const item = page.locator('[data-testid=library-item]').first();
  assert.equal(await item.getAttribute('data-name'), `${INJECTIONS[0]}.wav`);
  // Tags with markup: stored and shown as text, searchable as words.
  await item.locator('[data-testid=library-edit]').click();
  await page.fill('[data-testid=library-tags]', '<script>window.__pwned=1</script>, chime');
  await page.click('[data-testid=library-save]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=library-item]')?.dataset.tags?.startsWith('<script>'),
  );
  assert.match(await item.textContent(), /<script>window\.__pwned=1<\/script>/);
  assert.equal(await pwned(), false);
  assert.equal(await injectedElements(), n, 'markup from a file name or tag reached the page');
});
