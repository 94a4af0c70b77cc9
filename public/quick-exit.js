// Quick exit (issue 16), loaded by every page of the app in <head>, before its body and
// without `defer`, so that it decides before anything of the app is shown.
//
// The control on every screen (an element with data-quick-exit, in the header) and the Escape
// key pressed three times within two seconds hide the app and replace it with a neutral page,
// at once and without asking. location.replace: the page left is not kept as a history entry.
// Secrets held in the page's memory go with it (they are forgotten on `pagehide`).
//
// No back-button trail: the exit leaves a flag in localStorage (not sessionStorage: Firefox
// gives a page restored from its back/forward cache the sessionStorage it had when it was
// left). A page of the app reached with Back or Forward while it is set, loaded again or
// restored from the back/forward cache (`pageshow` with `persisted`), hides itself and leaves
// for the neutral page again; boot.js does not start the app in a hidden page. Opening the app
// on purpose (a link, the address, the installed app's icon, a reload) clears the flag. Other
// tabs of the app leave too when it is set (`storage` event).
//
// Escape keeps its own meaning: nothing here prevents it, so the first press still closes a
// dialog; a key held down counts once.
(() => {
  const NEUTRAL_PAGE = '/calculator.html';
  const FLAG = 'prepoznaj.exited';
  const PRESSES = 3;
  const WITHIN_MS = 2000;
  const flagged = () => {
    try {
      return localStorage.getItem(FLAG) !== null;
    } catch {
      return false;
    }
  };
  const leave = () => {
    document.documentElement.hidden = true;
    // Parses no further (no title, no body) while the neutral page loads.
    stop();
    try {
      localStorage.setItem(FLAG, '1');
    } catch {
      // Storage refused: the exit itself still happens.
    }
    location.replace(NEUTRAL_PAGE);
  };
  if (flagged()) {
    // How this page was reached: its Navigation Timing entry, else the older interface (0
    // navigate, 1 reload, 2 back or forward). Not knowing, it leaves.
    const [entry] = performance.getEntriesByType('navigation');
    const type = entry?.type ?? ['navigate', 'reload'][performance.navigation?.type];
    if (type === 'navigate' || type === 'reload') localStorage.removeItem(FLAG);
    else leave();
  }
  addEventListener('pageshow', (event) => event.persisted && flagged() && leave());
  addEventListener('storage', (event) => event.key === FLAG && event.newValue && leave());
  addEventListener(
    'click',
    (event) => {
      if (event.target.closest?.('[data-quick-exit]')) {
        event.preventDefault();
        leave();
      }
    },
    true,
  );
  let presses = [];
  addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Escape' || event.repeat || event.isComposing) return;
      const now = performance.now();
      presses = [...presses.filter((at) => now - at < WITHIN_MS), now];
      if (presses.length >= PRESSES) leave();
    },
    true,
  );
})();
