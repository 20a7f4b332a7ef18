#!/usr/bin/env node
// Writes this build's precache list into the service worker, after trunk's hashed build.
//
//   node scripts/pwa/precache.mjs [DIR]
//
// DIR defaults to $TRUNK_STAGING_DIR (trunk runs this as a post_build hook, see Trunk.toml), else
// dist/. The version is a hash of every shipped file's name and bytes, so any changed asset gives a
// new service worker and a new cache; index.html gets <meta name="earshot-version">. Idempotent:
// running it twice on the same files gives the same output. Builds without pwa/sw.js (the bench
// page) are left alone.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist');
const swPath = path.join(dir, 'sw.js');
const htmlPath = path.join(dir, 'index.html');
if (!fs.existsSync(swPath) || !fs.existsSync(htmlPath)) {
  console.log(`precache: no sw.js and index.html in ${dir}; nothing to do`);
  process.exit(0);
}

const PREVIEWS = 'pkg/previews/';
const VERSION_META = /\s*<meta name="earshot-version" content="[^"]*" \/>/;
const BUILD_LINE = /^const BUILD = .*\/\/ @BUILD@$/m;

function walk(root, rel = '') {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(root, p) : [p];
  });
}

function digest(files, read) {
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(f);
    h.update('\0');
    h.update(read(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

const html = fs.readFileSync(htmlPath, 'utf8').replace(VERSION_META, '');
const sw = fs.readFileSync(swPath, 'utf8');
if (!BUILD_LINE.test(sw)) {
  console.error('precache: sw.js has no `const BUILD = … // @BUILD@` line');
  process.exit(2);
}
const read = (f) => (f === 'index.html' ? html : fs.readFileSync(path.join(dir, f)));
const files = walk(dir)
  .filter((f) => f !== 'sw.js' && !f.startsWith('.'))
  .sort();
const shell = files.filter((f) => !f.startsWith(PREVIEWS));
const previews = files.filter((f) => f.startsWith(PREVIEWS)).map((f) => f.slice(PREVIEWS.length));
const previewsHash = digest(previews, (f) => fs.readFileSync(path.join(dir, PREVIEWS, f)));
// The version covers the whole build, previews and the worker template included.
const version = digest([...shell, '@previews', 'sw.js'], (f) =>
  f === '@previews' ? previewsHash : f === 'sw.js' ? sw.replace(BUILD_LINE, '') : read(f),
);

const build = { version, shell: ['./', ...shell], previewsHash, previews };
fs.writeFileSync(swPath, sw.replace(BUILD_LINE, `const BUILD = ${JSON.stringify(build)}; // @BUILD@`));
fs.writeFileSync(
  htmlPath,
  html.replace('<head>', `<head>\n    <meta name="earshot-version" content="${version}" />`),
);
const bytes = shell.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
console.log(
  `precache: version ${version}, ${shell.length} files (${(bytes / 1e6).toFixed(2)} MB) precached, ` +
    `${previews.length} previews on demand`,
);
