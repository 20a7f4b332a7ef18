// Site storage blocked (a private window, or site data blocked in the browser's settings): the
// library and offline use are unavailable and say so in a sentence; searching still works, and
// adding sounds fails cleanly instead of half-working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_ARGS, CHROMIUM, watch, textSearch, results, fixture } from './helpers.mjs';
import { startServer } from './server.mjs';

test('storage blocked: a sentence about the library, search works, adding fails cleanly', async () => {
  // Chromium's content setting "block site data" (cookies = 2) denies IndexedDB and service workers.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-blocked-'));
  fs.mkdirSync(path.join(profile, 'Default'));
  fs.writeFileSync(
    path.join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }),
  );
  const server = await startServer();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: BASE_ARGS,
  });
  watch(context);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=error]:not([hidden])', { timeout: 30_000 });
    const message = await page.textContent('[data-testid=error]');
    assert.match(message, /^Your library is not available in this browser window: its storage is blocked/);
    assert.match(message, /Searching the bundled sounds still works\.$/);
    await page.waitForSelector('[data-testid=offline][data-state=failed]', { timeout: 30_000 });

    const shown = await textSearch(page, 'dog');
    assert.equal(shown.error, null);
    assert.equal((await results(page))[0].label, 'Canidae_dogs_wolves');

    await page.setInputFiles('[data-testid=library-add]', fixture('elec_chime.wav'));
    await page.waitForSelector('[data-testid=error]:not([hidden])', { timeout: 60_000 });
    const addError = await page.textContent('[data-testid=error]');
    assert.match(addError, /^Your library is not available/, addError);
    await page.waitForSelector('[data-testid=progress]', { state: 'detached', timeout: 60_000 });
    assert.equal(await page.textContent('[data-testid=library-count]'), '0');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
