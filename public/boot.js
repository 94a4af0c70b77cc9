// Starts the Prepoznaj wasm app without any inline script (the CSP forbids inline scripts).
// trunk writes the hashed file names into two <meta> tags (see Trunk.toml: pattern_script).
// It also keeps an early `beforeinstallprompt` so that the app can offer installation even
// when the browser fires the event before the wasm has started.
window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  window.prepoznajInstallPrompt = event;
  window.dispatchEvent(new Event('prepoznaj-installable'));
});

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;

async function start() {
  const js = meta('prepoznaj-js');
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

start();
