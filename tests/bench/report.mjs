// Writes one benchmark's section of docs/benchmarks.md, between `<!-- NAME:start` and
// `<!-- NAME:end -->` (appended under `heading` the first time).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../e2e/server.mjs';

/** The machine: CPU model (/proc/cpuinfo), cores (nproc), memory and the load average now. */
export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const load = os.loadavg().map((v) => v.toFixed(1)).join(' ');
  return `${cpu}, ${cores} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${load} at the end`;
}

export function writeSection(name, heading, intro, table, where = 'in headless Chromium', script = null) {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const doc = fs.readFileSync(file, 'utf8');
  const section = [
    `<!-- ${name}:start (written by \`${script ?? `node tests/bench/${name.replace(/-bench$/, '')}.mjs --write`}\`) -->`,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC ${where} (${machine()})${intro}:`,
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
