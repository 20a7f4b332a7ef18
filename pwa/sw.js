// earshot's service worker: the app works offline after the first visit.
//
// `scripts/postbuild.mjs` runs after every trunk build and replaces the BUILD line below with
// this build's version (a hash of every shipped file) and its file lists, so the precache list
// always matches the hashed build and is never kept by hand.
//
// - install: every file of the app shell, the model, the vocabulary and the index go into the
//   cache `earshot-<version>`, each request revalidated (`cache: 'no-cache'`), so unchanged files
//   cost a 304 and changed ones are fetched anew;
// - a new version waits until the page asks it to take over (the page shows a reload prompt), so a
//   page never mixes files of two builds; on activation older caches are deleted;
// - files the app loads only when it needs them and too large to precache (`lazy`: a large CNN's
//   weights, over 2 MB) are kept in the version's cache on first use;
// - previews are cached on first play in `earshot-previews-<previews hash>`, or all at once when
//   the page sends {type: 'cache-previews'} (progress goes back as {type: 'previews-progress'}).
'use strict';

const BUILD = { version: 'dev', shell: [], lazy: [], previewsHash: 'dev', previews: [] }; // @BUILD@

const SHELL_CACHE = `earshot-${BUILD.version}`;
const PREVIEW_CACHE = `earshot-previews-${BUILD.previewsHash}`;
const PREVIEW_DIR = 'pkg/previews/';
const scope = new URL(self.registration.scope);
const shellUrls = new Set(BUILD.shell.map((p) => new URL(p, scope).href));
const lazyUrls = new Set(BUILD.lazy.map((p) => new URL(p, scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // One by one: a failure names the file (cache.addAll would only say that one failed).
      for (const href of shellUrls) {
        const response = await fetch(new Request(href, { cache: 'no-cache' }));
        if (!response.ok) throw new Error(`earshot offline cache: ${href} answered ${response.status}`);
        await cache.put(href, response);
      }
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('earshot-') && name !== SHELL_CACHE && name !== PREVIEW_CACHE) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const kind = event.data && event.data.type;
  if (kind === 'skip-waiting') {
    self.skipWaiting();
  } else if (kind === 'cache-previews') {
    event.waitUntil(cacheAllPreviews(event.source));
  }
});

async function cacheAllPreviews(client) {
  const cache = await caches.open(PREVIEW_CACHE);
  const total = BUILD.previews.length;
  let done = 0;
  let failed = 0;
  const report = (finished) =>
    client?.postMessage({ type: 'previews-progress', done, failed, total, finished });
  const queue = BUILD.previews.map((name) => new URL(PREVIEW_DIR + name, scope).href);
  // A few requests at a time, reporting every 50 files.
  const workerCount = 6;
  const run = async () => {
    for (let href = queue.pop(); href; href = queue.pop()) {
      try {
        if (!(await cache.match(href))) {
          const response = await fetch(href);
          if (!response.ok) throw new Error(String(response.status));
          await cache.put(href, response);
        }
      } catch {
        failed += 1;
      }
      done += 1;
      if (done % 50 === 0) report(false);
    }
  };
  await Promise.all(Array.from({ length: workerCount }, run));
  report(true);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return;
  url.hash = '';
  url.search = '';
  // The shell list holds './' too, so the start page is served like every other shell file.
  if (shellUrls.has(url.href)) {
    event.respondWith(fromShell(url.href, request));
  } else if (lazyUrls.has(url.href)) {
    event.respondWith(onFirstUse(url.href, request));
  } else if (url.href.startsWith(new URL(PREVIEW_DIR, scope).href)) {
    event.respondWith(preview(url.href, request));
  }
});

// This version's own cache only (never another build's), the network if it is missing.
async function fromShell(href, request) {
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match(href)) ?? fetch(request);
}

// Files the app fetches only when it needs them (a CNN model's weights): kept in this version's
// cache on first use, so they go with the version.
async function onFirstUse(href, request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(href);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(href, response.clone());
  return response;
}

// Cache on first play. Range requests (media elements) are answered from the whole file.
async function preview(href, request) {
  const cache = await caches.open(PREVIEW_CACHE);
  let response = await cache.match(href);
  if (!response) {
    response = await fetch(href);
    if (!response.ok) return response;
    await cache.put(href, response.clone());
  }
  const range = request.headers.get('range');
  return range ? sliced(response, range) : response;
}

async function sliced(response, range) {
  const body = await response.arrayBuffer();
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  const size = body.byteLength;
  let start = m && m[1] !== '' ? Number(m[1]) : 0;
  let end = m && m[2] !== '' ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (m && m[1] === '' && m[2] !== '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  }
  if (!m || start > end || start >= size) {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
  }
  return new Response(body.slice(start, end + 1), {
    status: 206,
    headers: {
      'content-type': response.headers.get('content-type') ?? 'audio/ogg',
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': String(end - start + 1),
    },
  });
}
