// Quick exit (issue 16), loaded by every page of the app in <head>, before its body and
// without `defer`, so that it decides before anything of the app is shown.
//
// The control on every screen (an element with data-quick-exit, in the header) and the Escape
// key pressed three times within two seconds hide the app and replace it with a neutral page,
// at once and without asking. location.replace: the page left is not kept as a history entry.
// Secrets held in the page's memory go with it (they are forgotten on `pagehide`).
//
// No back-button trail: the exit leaves a flag in this tab's sessionStorage. A page of the app
// reached with Back or Forward while it is set, loaded again or restored from the
// back/forward cache (`pageshow` with `persisted`), hides itself and leaves for the neutral
// page again; boot.js does not start the app in a hidden page. Opening the app on purpose (any
// other navigation: a link, the address, the installed app's icon) clears the flag.
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
      return sessionStorage.getItem(FLAG) !== null;
    } catch {
      return false;
    }
  };
  const leave = () => {
    document.documentElement.hidden = true;
    // Parses no further (no title, no body) while the neutral page loads.
    stop();
    try {
      sessionStorage.setItem(FLAG, '1');
    } catch {
      // Storage refused: the exit itself still happens.
    }
    location.replace(NEUTRAL_PAGE);
  };
  if (flagged()) {
    const [navigation] = performance.getEntriesByType('navigation');
    if (navigation?.type === 'back_forward') leave();
    else sessionStorage.removeItem(FLAG);
  }
  addEventListener('pageshow', (event) => event.persisted && flagged() && leave());
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
