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

async function start(js) {
  const wasm = meta('prepoznaj-wasm');
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
