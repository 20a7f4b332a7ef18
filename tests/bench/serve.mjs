// A static server for the browser benchmarks (127.0.0.1, random free port): each URL prefix is
// served from its own directory, so the bench page, the npm packages it compares against
// (node_modules), the shipped assets (pkg) and the audio fixtures all come from this machine.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.wav': 'audio/wav',
  '.bin': 'application/octet-stream',
};

/** `mounts`: { '/prefix/': directory, ... } ('/' last resort). Resolves to { url, close() }. */
export async function serveMounts(mounts) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const prefix = prefixes.find((p) => rel.startsWith(p));
    if (!prefix) {
      res.writeHead(404).end();
      return;
    }
    const root = path.resolve(mounts[prefix]);
    const file = path.join(root, path.normalize(rel.slice(prefix.length)));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(body);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
