// Starts the Prepoznaj wasm app without any inline script (the CSP forbids inline scripts).
// trunk writes the hashed file names into two <meta> tags (see Trunk.toml: pattern_script).
// It also keeps an early `beforeinstallprompt` so that the app can offer installation even
// when the browser fires the event before the wasm has started.
window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  window.prepoznajInstallPrompt = event;
  window.dispatchEvent(new Event('prepoznaj-installable'));
});

// Plain IndexedDB for the person's choices, kept out of the shell's wasm: see
// src/storage/preferences.rs, which calls it.
window.prepoznajPreferences = (name, version, stores, key, json) =>
  new Promise((resolve, reject) => {
    const opening = indexedDB.open(name, version);
    opening.onupgradeneeded = () => {
      // Every store's records carry their key as `id` (src/storage/schema.rs, KEY_PATH).
      for (const store of stores) {
        if (!opening.result.objectStoreNames.contains(store)) {
          opening.result.createObjectStore(store, { keyPath: 'id' });
        }
      }
    };
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const database = opening.result;
      const done = (settle, value) => {
        database.close();
        settle(value);
      };
      try {
        const transaction = database.transaction('preferences', key ? 'readwrite' : 'readonly');
        const store = transaction.objectStore('preferences');
        if (key) store.put({ id: key, json });
        const all = store.getAll();
        transaction.oncomplete = () => done(resolve, all.result.map((record) => [record.id, record.json]));
        transaction.onabort = () => done(reject, transaction.error);
      } catch (error) {
        done(reject, error);
      }
    };
  });

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;

// This page's message tables, one per locale ("sr-Cyrl=/messages/… hu=/messages/…", written by
// the build): the wasm asks for a locale's table here (src/i18n.rs), and each is fetched once.
const messageTables = new Map(
  (meta('prepoznaj-messages') ?? '').split(' ').filter(Boolean).map((pair) => pair.split('=')),
);
const fetchedTables = new Map();
window.prepoznajMessages = (tag) => {
  if (!fetchedTables.has(tag)) {
    const url = messageTables.get(tag);
    fetchedTables.set(
      tag,
      url
        ? fetch(url).then((response) =>
            response.ok ? response.text() : Promise.reject(new Error(`${url}: ${response.status}`)),
          )
        : Promise.reject(new Error(`no message table for ${tag}`)),
    );
  }
  return fetchedTables.get(tag);
};

async function start(js) {
  const wasm = meta('prepoznaj-wasm');
  // The remembered locale's table (Cyrillic on a first visit), fetched beside the wasm so that
  // the first paint waits for no extra round trip. Its failure is the wasm's to handle.
  let remembered = 'sr-Cyrl';
  try {
    remembered = JSON.parse(localStorage.getItem('prepoznaj.locale')) ?? remembered;
  } catch {
    // No choice stored, or storage refused: the default.
  }
  window.prepoznajMessages(messageTables.has(remembered) ? remembered : 'sr-Cyrl').catch(() => {});
  try {
    const bindings = await import(js);
    await bindings.default({ module_or_path: wasm });
  } catch (error) {
    console.error('Prepoznaj failed to start', error);
    const status = document.querySelector('[data-boot-status]');
    if (status) {
      status.textContent =
        'Апликација није могла да се покрене. Освежите страницу. / The app could not start. Please reload.';
    }
  }
}

// A page without the tags (a wasm test's) only takes the functions above; a page that
// quick-exit.js hid is leaving and starts nothing.
const js = meta('prepoznaj-js');
if (js && !document.documentElement.hidden) start(js);
