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
//    link works offline, except to a precached .html page, which is served as itself (the
//    quick exit's neutral page); /api/ is never cached.
//  - sync (Background Sync, where the browser has it): sends the sealed reports waiting in the
//    app's IndexedDB outbox, holding the same Web Lock as the app's sender so the two never send
//    at once, and only while no app window is on screen (that one sends by itself). Envelopes
//    are self-contained: no key or plaintext is needed. The worker only
//    sends; the app records the receipts on its next start (a resend of a stored report is
//    answered with its receipt, so nothing is stored twice). A failure makes the browser try
//    again later.
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
    // A page of its own (the quick exit's neutral page) is itself; any other address gets the
    // page of the bundle that serves it.
    const own = url.pathname.endsWith('.html') ? await cache.match(url.pathname) : undefined;
    const shell = own || (await cache.match(pageFor(url.pathname)));
    if (shell) return shell;
    return fetch(request);
  }
  const cached = await cache.match(url.pathname);
  if (cached) return cached;
  return fetch(request);
}

const OUTBOX_TAG = 'prepoznaj-outbox';
const OUTBOX_LOCK = 'prepoznaj-outbox';
const DATABASE = 'prepoznaj';

self.addEventListener('sync', (event) => {
  if (event.tag !== OUTBOX_TAG) return;
  event.waitUntil(
    self.navigator.locks
      ? self.navigator.locks.request(OUTBOX_LOCK, { ifAvailable: true }, (lock) => (lock ? sendOutbox() : undefined))
      : sendOutbox(),
  );
});

function request(idbRequest) {
  return new Promise((resolve, reject) => {
    idbRequest.onsuccess = () => resolve(idbRequest.result);
    idbRequest.onerror = () => reject(idbRequest.error);
  });
}

async function readOutbox() {
  const database = await request(indexedDB.open(DATABASE));
  // Never hold up the app's upgrade of its schema.
  database.onversionchange = () => database.close();
  try {
    const stores = database.objectStoreNames;
    if (!stores.contains('enrolment') || !stores.contains('outbox')) return { entries: [] };
    const transaction = database.transaction(['enrolment', 'outbox'], 'readonly');
    const [enrolment, entries] = await Promise.all([
      request(transaction.objectStore('enrolment').get('this-phone')),
      request(transaction.objectStore('outbox').getAll()),
    ]);
    return { token: enrolment && enrolment.enrolment.device_token, entries };
  } finally {
    database.close();
  }
}

async function sendOutbox() {
  // An app window on screen sends by itself (and shows what it did): leave it to it.
  const windows = await self.clients.matchAll({ type: 'window' });
  if (windows.some((client) => client.visibilityState === 'visible')) return;
  const { token, entries } = await readOutbox();
  if (!token) return;
  let retry = false;
  for (const entry of entries) {
    // Held after a change of school while the app was locked: its envelope is for the other
    // school's team, and the next unlock seals it again (src/storage/outbox.rs).
    if (entry.reseal_on_unlock) continue;
    try {
      const response = await fetch('/api/v1/reports', {
        method: 'POST',
        cache: 'no-store',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify(entry.submission),
      });
      if (response.status >= 500 || response.status === 408 || response.status === 429) retry = true;
    } catch (error) {
      retry = true;
    }
  }
  if (retry) throw new Error('some reports could not be sent; the browser tries again later');
}
