// The download budget: a first visit (the app ready and cached for offline use) transfers at most
// 6 MB (gzip) of wasm, JS, CSS, model, CNN weights, vocabulary, index and everything else it asks for.
// `node tests/bench/budget.mjs --write` writes the same measurement to docs/benchmarks.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, firstLoad, FIRST_LOAD_BUDGET } from './helpers.mjs';
import { startServer } from './server.mjs';

test(`first load transfers at most ${FIRST_LOAD_BUDGET / 1e6} MB and fetches nothing twice`, async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const { total, rows } = await firstLoad(browser, server);
    const table = rows.map((r) => `${r.path} ${r.bytes}`).join('\n');
    assert.ok(total <= FIRST_LOAD_BUDGET, `first load ${total} B > ${FIRST_LOAD_BUDGET} B:\n${table}`);
    // The shipped model's CNN weights are precached with the rest (offline audio search).
    for (const kind of ['wasm', 'JS', 'CSS', 'model', 'vocabulary', 'index', 'CNN weights']) {
      assert.ok(rows.some((r) => r.kind === kind), `no ${kind} was loaded:\n${table}`);
    }
    // The service worker's precache revalidates what the page loaded (304) instead of a second copy.
    const model = rows.find((r) => r.kind === 'model');
    assert.ok(model.bytes < 2_000_000, `the model was downloaded more than once (${model.bytes} B)`);
  } finally {
    await browser.close();
    await server.close();
  }
});
