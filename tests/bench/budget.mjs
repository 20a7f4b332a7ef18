// First-load download, asset by asset: `node tests/bench/budget.mjs [--write]`.
// The same measurement as tests/e2e/budget.test.mjs (which fails above the budget); --write puts
// the table into docs/benchmarks.md.
import { launch, firstLoad, FIRST_LOAD_BUDGET } from '../e2e/helpers.mjs';
import { startServer } from '../e2e/server.mjs';
import { writeSection, isMain } from './report.mjs';

const mb = (n) => (n / 1e6).toFixed(3);

export async function measure() {
  const server = await startServer();
  const browser = await launch();
  try {
    return await firstLoad(browser, server);
  } finally {
    await browser.close();
    await server.close();
  }
}

if (isMain(import.meta.url)) {
  const { total, rows } = await measure();
  const byKind = new Map();
  for (const r of rows) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + r.bytes);
  const table = [
    '| asset | kind | transferred (gzip) |',
    '|---|---|---:|',
    ...rows.filter((r) => r.bytes > 0).map((r) => `| \`${r.path}\` | ${r.kind} | ${r.bytes.toLocaleString('en')} B |`),
    `| **total** (${[...byKind].map(([k, n]) => `${k} ${mb(n)}`).join(', ')} MB) | | **${total.toLocaleString('en')} B = ${mb(total)} MB** of the ${mb(FIRST_LOAD_BUDGET)} MB budget |`,
  ].join('\n');
  console.log(table);
  if (process.argv.includes('--write')) {
    writeSection(
      'budget-bench',
      'First-load download budget',
      ': a first visit in a fresh profile until the app is ready and its service worker has cached it for offline use; every body the server sent, gzip as a static host sends it (the precache revalidates what the page already has: 304, no second copy)',
      table,
    );
  }
}
