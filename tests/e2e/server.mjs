// A tiny static file server over dist/ for the end-to-end tests (127.0.0.1, random free port).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = path.join(ROOT, 'dist');
/** The `earshot` command line as cargo builds it (`profile`: 'debug' or 'release'), in
 * $CARGO_TARGET_DIR when that is set. */
export const earshotBin = (profile = 'debug') =>
  path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target'), profile, 'earshot');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.bin': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

// Sent gzip-compressed when the browser accepts it, as a static host would.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.bin', '.md', '.txt', '.webmanifest']);

/**
 * Serves `root` (default dist/; or mounts, see below). Resolves to { url, port, sent, close() }.
 *
 * Like a static host: `cache-control: no-cache` with an ETag, so browsers revalidate and get
 * `304 Not Modified` for what they already hold. `sent` maps each path to the bytes of the bodies
 * sent for it (compressed size), for the download budget test.
 */
export async function startServer(root = DIST, port = 0) {
  // `root` is one folder, or mounts { '/prefix/': folder, ... } ('/' the site itself): each URL
  // is served from the folder of its longest prefix.
  const mounts = Object.fromEntries(
    Object.entries(typeof root === 'string' ? { '/': root } : root).map(([p, d]) => [p, path.resolve(d)]),
  );
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  if (!fs.existsSync(path.join(mounts['/'] ?? '', 'index.html'))) {
    throw new Error(`${mounts['/']}/index.html is missing: run \`trunk build --release\` first`);
  }
  const gzipped = new Map(); // file -> { mtime, body }
  const sent = new Map(); // path -> bytes
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const requested = rel;
    if (rel.endsWith('/')) rel += 'index.html';
    const prefix = prefixes.find((p) => rel.startsWith(p));
    if (!prefix) {
      res.writeHead(404).end();
      return;
    }
    const dir = mounts[prefix];
    const file = path.join(dir, path.normalize(rel.slice(prefix.length)));
    if (!file.startsWith(dir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const ext = path.extname(file).toLowerCase();
      const stat = fs.statSync(file);
      const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${gzip ? '-gz' : ''}"`;
      const headers = {
        'content-type': MIME[ext] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        etag,
        vary: 'accept-encoding',
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
      if (gzip) {
        let hit = gzipped.get(file);
        if (!hit || hit.mtime !== stat.mtimeMs) {
          hit = { mtime: stat.mtimeMs, body: zlib.gzipSync(body, { level: 9 }) };
          gzipped.set(file, hit);
        }
        body = hit.body;
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      if (req.method !== 'HEAD') sent.set(requested, (sent.get(requested) ?? 0) + body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = server.address().port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    sent,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// `[PORT=8080] node tests/e2e/server.mjs [dir]`: serve by hand (prints the URL).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : DIST;
  const s = await startServer(dir, Number(process.env.PORT ?? 0));
  console.log(`serving ${process.argv[2] ?? DIST} at ${s.url}`);
}
