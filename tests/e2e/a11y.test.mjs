// Accessibility: axe-core (pinned in package.json) finds no serious or critical violation in the
// page's main states, on a desktop and a phone; Tab reaches every control of a result; `?`
// shows the keyboard shortcuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { onePagePerSuite, textSearch, upload, fixture, results } from './helpers.mjs';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let page;
onePagePerSuite([], (p) => {
  page = p;
});

/** Serious and critical violations of WCAG 2 A/AA and axe's best practices, as short lines. */
async function violations(state) {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy does not apply.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return found.map((v) => `${state}: ${v}`);
}

test('no serious or critical axe violation: start, text results, audio results, error, help, phone', async () => {
  const found = [];
  found.push(...(await violations('start')));
  await textSearch(page, 'dog barking');
  found.push(...(await violations('text results')));
  assert.equal((await upload(page, fixture('dong01.ogg'))).error, null);
  found.push(...(await violations('audio results')));
  await textSearch(page, 'qwxzvk');
  found.push(...(await violations('error')));
  await page.keyboard.press('Escape');
  await page.click('body');
  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid=help]', { state: 'visible' });
  found.push(...(await violations('help')));
  await page.keyboard.press('Escape');
  // A library with a sound in it, then that sound just deleted (the Undo toast).
  await page.setInputFiles('[data-testid=library-add]', fixture('dong01.ogg'));
  await page.waitForFunction(() => document.querySelector('[data-testid=library-count]')?.textContent === '1', null, {
    timeout: 60_000,
  });
  found.push(...(await violations('library')));
  await page.click('[data-testid=library-delete]');
  await page.waitForSelector('[data-testid=undo]', { state: 'visible' });
  found.push(...(await violations('undo')));
  await page.click('[data-testid=undo-delete]');
  await page.setViewportSize({ width: 360, height: 800 });
  await textSearch(page, 'rain');
  found.push(...(await violations('phone')));
  await page.setViewportSize({ width: 1000, height: 900 });
  assert.deepEqual(found, []);
});

test('the search box placeholder reads at WCAG AA contrast (≥ 4.5:1)', async () => {
  const ratio = await page.evaluate(() => {
    const box = document.querySelector('[data-testid=query-text]');
    const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = rgb(c).map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const fg = lum(getComputedStyle(box, '::placeholder').color);
    const bg = lum(getComputedStyle(box).backgroundColor);
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  });
  assert.ok(ratio >= 4.5, `placeholder contrast ${ratio.toFixed(2)}:1`);
});

test('Tab reaches every control of the selected result: the row, Play, Similar', async () => {
  await textSearch(page, 'bell');
  assert.equal((await results(page)).length, 20);
  await page.focus('[data-testid=query-text]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement;
      const row = e?.closest('[data-testid=result]');
      return `${e?.dataset.testid}@${row?.dataset.rank}`;
    });
  assert.equal(await focused(), 'result@2');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'play@2');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'find-similar@2');
  // Shift+Tab goes back the same way.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), 'result@2');
  await page.keyboard.press('Escape');
});

test('? shows the keyboard shortcuts, Esc and the close button hide them', async () => {
  assert.equal(await page.isVisible('[data-testid=help]'), false);
  await page.click('body');
  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid=help]', { state: 'visible' });
  const text = await page.textContent('[data-testid=help]');
  for (const key of ['/', '↓', 'Space', 'Enter', 'Esc', '?']) assert.ok(text.includes(key), `${key} in ${text}`);
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=help]', { state: 'hidden' });
  // Typed into the search box, ? is a character, not the help.
  await page.fill('[data-testid=query-text]', '');
  await page.type('[data-testid=query-text]', 'what?');
  assert.equal(await page.isVisible('[data-testid=help]'), false);
  assert.equal(await page.inputValue('[data-testid=query-text]'), 'what?');
  // The footer's button opens it too; its close button hides it.
  await page.click('[data-testid=help-open]');
  await page.waitForSelector('[data-testid=help]', { state: 'visible' });
  await page.click('[data-testid=help-close]');
  await page.waitForSelector('[data-testid=help]', { state: 'hidden' });
});
