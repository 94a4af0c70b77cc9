// How the tests launch Chromium: Debian's /usr/bin/chromium with flags that keep it quiet
// and on loopback. The flags live in chromium-args.json so that tests/bench/load.mjs
// (plain node) uses exactly the same ones.
//
// --host-resolver-rules stops Chromium's own background lookups (googleapis.com etc.);
// 127.0.0.1 and localhost stay resolvable. Do not add a --disable-features here: it would
// replace Playwright's own list.
import args from './chromium-args.json';

export const CHROMIUM_ARGS: string[] = args;
export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
