#!/usr/bin/env node
// After trunk's hashed build (a post_build hook, see Trunk.toml):
//
//   node scripts/postbuild.mjs [DIR]
//
// 1. The Content-Security-Policy allows no inline script, so trunk's inline start-up module is
//    moved into its own file, `boot-<hash>.js`, loaded with <script type="module" src>.
// 2. This build's precache list is written into the service worker. The version is a hash of every
//    shipped file's name and bytes, so any changed asset gives a new service worker and a new
//    cache; index.html gets <meta name="earshot-version">.
//
// DIR defaults to $TRUNK_STAGING_DIR, else dist/. Idempotent: running it twice on the same files
// gives the same output. Builds without pwa/sw.js (the bench page) get step 1 only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist');
const swPath = path.join(dir, 'sw.js');

// ---------- 1. no inline script ----------
const INLINE_MODULE = /<script type="module">\n?([\s\S]*?)<\/script>/g;
for (const page of fs.readdirSync(dir).filter((f) => f.endsWith('.html'))) {
  const file = path.join(dir, page);
  const html = fs.readFileSync(file, 'utf8');
  const out = html.replace(INLINE_MODULE, (_, code) => {
    const name = `boot-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
    fs.writeFileSync(path.join(dir, name), code);
    const integrity = `sha384-${crypto.createHash('sha384').update(code).digest('base64')}`;
    return `<script type="module" src="/${name}" integrity="${integrity}"></script>`;
  });
  if (/<script(?![^>]*\bsrc=)[^>]*>/.test(out)) {
    console.error(`postbuild: ${page} still has an inline script, which the CSP would block`);
    process.exit(2);
  }
  if (out !== html) {
    fs.writeFileSync(file, out);
    console.log(`postbuild: ${page}: start-up script moved to its own file`);
  }
}

// ---------- 2. the service worker's precache list ----------
const htmlPath = path.join(dir, 'index.html');
if (!fs.existsSync(swPath) || !fs.existsSync(htmlPath)) {
  console.log(`postbuild: no sw.js and index.html in ${dir}; no precache list`);
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
  console.error('postbuild: sw.js has no `const BUILD = … // @BUILD@` line');
  process.exit(2);
}
const read = (f) => (f === 'index.html' ? html : fs.readFileSync(path.join(dir, f)));
const files = walk(dir)
  .filter((f) => f !== 'sw.js' && !f.startsWith('.'))
  .sort();
// A CNN model's weights are fetched by the app on its first audio query. Small ones (the shipped
// student's, 0.7 MB) are precached like the rest, so audio search works offline from the install;
// large ones (the aisfx teacher's, 9.4 MB) are cached by the service worker on first use only, to
// keep the first visit within its download budget (docs/benchmarks.md).
const LAZY_OVER_BYTES = 2_000_000;
const isLazy = (f) => f.endsWith('.safetensors') && fs.statSync(path.join(dir, f)).size > LAZY_OVER_BYTES;
const built = files.filter((f) => !f.startsWith(PREVIEWS));
const shell = built.filter((f) => !isLazy(f));
const lazy = built.filter(isLazy);
const previews = files.filter((f) => f.startsWith(PREVIEWS)).map((f) => f.slice(PREVIEWS.length));
const previewsHash = digest(previews, (f) => fs.readFileSync(path.join(dir, PREVIEWS, f)));
// The version covers the whole build, previews and the worker template included.
const version = digest([...built, '@previews', 'sw.js'], (f) =>
  f === '@previews' ? previewsHash : f === 'sw.js' ? sw.replace(BUILD_LINE, '') : read(f),
);

const build = { version, shell: ['./', ...shell], lazy, previewsHash, previews };
fs.writeFileSync(swPath, sw.replace(BUILD_LINE, `const BUILD = ${JSON.stringify(build)}; // @BUILD@`));
fs.writeFileSync(
  htmlPath,
  html.replace('<head>', `<head>\n    <meta name="earshot-version" content="${version}" />`),
);
const bytes = shell.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
console.log(
  `precache: version ${version}, ${shell.length} files (${(bytes / 1e6).toFixed(2)} MB) precached, ` +
    `${lazy.length} files and ${previews.length} previews on demand`,
);
