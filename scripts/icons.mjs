#!/usr/bin/env node
// Renders pwa/icon.svg to the PNG icons of the web manifest (192 and 512 px) with headless
// Chromium. Run once after changing the SVG: `node scripts/icons.mjs`; the PNGs are committed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const svg = fs.readFileSync(path.join(ROOT, 'pwa', 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<html><body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    const out = path.join(ROOT, 'pwa', 'icons', `icon-${size}.png`);
    await page.screenshot({ path: out, omitBackground: false });
    await page.close();
    console.log(`${path.relative(ROOT, out)} ${fs.statSync(out).size} B`);
  }
} finally {
  await browser.close();
}
