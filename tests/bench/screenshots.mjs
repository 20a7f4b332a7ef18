// Screenshots of the app for the README: desktop and phone widths, after a text query and an
// audio query. `node tests/bench/screenshots.mjs` writes docs/screenshots/*.png.
import fs from 'node:fs';
import path from 'node:path';
import { launch, fixture } from '../e2e/helpers.mjs';
import { ROOT, startServer } from '../e2e/server.mjs';

const OUT = path.join(ROOT, 'docs', 'screenshots');
fs.mkdirSync(OUT, { recursive: true });
const server = await startServer();
const browser = await launch();
const runs = (page) => page.evaluate(() => Number(document.querySelector('.app').dataset.runs));
const settle = async (page, before) => {
  await page.waitForFunction((n) => Number(document.querySelector('.app').dataset.runs) > n, before);
  await page.waitForTimeout(300);
};
try {
  for (const [name, viewport, scale] of [
    ['desktop', { width: 1280, height: 900 }, 1],
    ['phone', { width: 360, height: 780 }, 2],
  ]) {
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: scale });
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    let n = await runs(page);
    await page.setInputFiles('[data-testid=query-file]', fixture('dong01.ogg'));
    await settle(page, n);
    await page.screenshot({ path: path.join(OUT, `${name}-audio.png`), fullPage: name === 'desktop' });
    n = await runs(page);
    await page.fill('[data-testid=query-text]', 'dog barking');
    await page.press('[data-testid=query-text]', 'Enter');
    await settle(page, n);
    await page.screenshot({ path: path.join(OUT, `${name}-text.png`), fullPage: false });
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`wrote ${OUT}`);
