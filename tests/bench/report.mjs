// Writes one benchmark's section of docs/benchmarks.md, between `<!-- NAME:start` and
// `<!-- NAME:end -->` (appended under `heading` the first time).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../e2e/server.mjs';

export function writeSection(name, heading, intro, table) {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const doc = fs.readFileSync(file, 'utf8');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    `<!-- ${name}:start (written by \`node tests/bench/${name.replace(/-bench$/, '')}.mjs --write\`) -->`,
    `Measured ${new Date().toISOString().slice(0, 10)} in headless Chromium (${cpu}, ${os.cpus().length} cores)${intro}:`,
    '',
    table,
    `<!-- ${name}:end -->`,
  ].join('\n');
  const re = new RegExp(`<!-- ${name}:start[\\s\\S]*?<!-- ${name}:end -->`);
  const next = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n## ${heading}\n\n${section}\n`;
  fs.writeFileSync(file, next);
  console.log(`wrote ${file}`);
}

/** True when `importMetaUrl` is the script node was started with. */
export const isMain = (importMetaUrl) =>
  !!process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(importMetaUrl).pathname);
