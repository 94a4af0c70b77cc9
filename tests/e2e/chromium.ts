// How the tests launch Chromium: Debian's /usr/bin/chromium with flags that keep it quiet
// and on loopback. The flags live in chromium-args.json so that tests/bench/load.mjs
// (plain node) uses exactly the same ones.
//
// --host-resolver-rules stops Chromium's own background lookups (googleapis.com etc.);
// 127.0.0.1 and localhost stay resolvable. Do not add a --disable-features here: it would
// replace Playwright's own list.
import { chromium, type BrowserContext, type TestInfo } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import args from './chromium-args.json';

export const CHROMIUM_ARGS: string[] = args;
export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * A real (not off-the-record) browser profile in `profile`, with the test project's phone
 * settings. Chromium evaluates installability only there, and only there does data outlive
 * the browser process.
 */
export function launchPhoneProfile(profile: string, testInfo: TestInfo): Promise<BrowserContext> {
  const { baseURL, viewport, userAgent, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    baseURL,
    viewport,
    userAgent,
    deviceScaleFactor,
    isMobile,
    hasTouch,
  });
}

/** SIGKILLs every Chromium process started with this profile; returns how many there were. */
export function killBrowser(profile: string): number {
  const processes = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`--user-data-dir=${profile}`))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
  for (const pid of processes) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone with its parent.
    }
  }
  return processes.length;
}
