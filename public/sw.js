// Prepoznaj service worker: offline app shell, updates only with the person's consent.
//
// PRECACHE and VERSION are written by `xtask post-build` from the build output (hashed file
// names); never edit them by hand. Strategy:
//  - install: cache every file of this version; do NOT skipWaiting. A new version waits until
//    a tab posts "skip-waiting" (the "Update available — reload" button).
//  - activate: delete caches of older versions; claim clients only on the very first install,
//    when no other version controls a page (nothing can be disrupted then).
//  - fetch: same-origin GETs from the precache (cache first); navigations fall back to the
//    page of the bundle that serves the address (index.html for the shell) so that every deep
//    link works offline; /api/ is never cached.
const VERSION = '__PREPOZNAJ_VERSION__';
const PRECACHE = ['__PREPOZNAJ_PRECACHE__'];
// Feature bundles: the page that starts each one, and the addresses it serves.
const BUNDLES = ['__PREPOZNAJ_BUNDLES__'];
const CACHE_PREFIX = 'prepoznaj-shell-';
const CACHE_NAME = CACHE_PREFIX + VERSION;
const APP_SHELL = '/index.html';

let firstInstall = false;

self.addEventListener('install', (event) => {
  firstInstall = !self.registration.active;
  event.waitUntil(
    caches.open(CACHE_NAME).then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME).map((name) => caches.delete(name)),
      );
      if (firstInstall) {
        await self.clients.claim();
      }
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') {
    self.skipWaiting();
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  event.respondWith(respond(request, url));
});

function pageFor(pathname) {
  const bundle = BUNDLES.find((candidate) =>
    candidate.prefixes.some((prefix) => pathname === prefix || pathname.startsWith(prefix + '/')),
  );
  return bundle ? bundle.html : APP_SHELL;
}

async function respond(request, url) {
  const cache = await caches.open(CACHE_NAME);
  if (request.mode === 'navigate') {
    const shell = await cache.match(pageFor(url.pathname));
    if (shell) return shell;
    return fetch(request);
  }
  const cached = await cache.match(url.pathname);
  if (cached) return cached;
  return fetch(request);
}
