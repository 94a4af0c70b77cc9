// The two other browser engines behind one small interface, so that every scenario runs the
// same steps in both:
//  - WebKit: WebKitGTK's MiniBrowser driven by WebKitWebDriver (plain W3C WebDriver over
//    fetch), under xvfb-run because MiniBrowser has no headless mode;
//  - Firefox: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi, headless.
// Both come from Debian (scripts/setup.sh); nothing is downloaded.
//
// Clicks and typing are real input (WebDriver element click / send keys, BiDi input actions):
// pointerdown, pointerup and click reach the page as a person's would. Everything else is
// read with `evaluate`, which runs a self-contained function in the page, as Playwright's does.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export type EngineName = 'webkit' | 'firefox';

/** One tab of an engine, as the scenarios use it. */
export interface EnginePage {
  readonly engine: EngineName;
  /** Opens `url` and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Reloads the page and waits for its load event. */
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page (it may be async) and returns its JSON-serialisable result. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /**
   * Clicks the centre of the element `selector` with the mouse, once it is scrolled to the
   * middle of the screen (as a person would bring it into view: WebDriver's own scrolling
   * puts it at the bottom edge, under the fixed navigation).
   */
  click(selector: string): Promise<void>;
  /** Focuses the field `selector` and types `text` with the keyboard. */
  type(selector: string, text: string): Promise<void>;
  close(): Promise<void>;
}

/** A running engine: one per test worker; each test opens its own page. */
export interface Engine {
  readonly name: EngineName;
  readonly version: string;
  newPage(): Promise<EnginePage>;
  close(): Promise<void>;
}

/** The viewport every page gets: a phone's (WebKitGTK's window cannot be narrower than 447 px). */
export const VIEWPORT = { width: 390, height: 844 };

export function launchEngine(name: EngineName): Promise<Engine> {
  return name === 'webkit' ? launchWebKit() : launchFirefox();
}

/** Scrolls the element `selector` to the middle of the screen (run in the page). */
function centre(selector: string): void {
  const element = document.querySelector(selector);
  if (!element) throw new Error(`no ${selector} on the page`);
  element.scrollIntoView({ block: 'center', inline: 'center' });
}

// --- Firefox (puppeteer-core, WebDriver BiDi) ---

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/**
 * Keeps Firefox on loopback, as --host-resolver-rules does for Chromium: without these it looks
 * up detectportal.firefox.com, firefox.settings.services.mozilla.com and ads.mozilla.org.
 * Everything but loopback goes to a SOCKS proxy on a closed loopback port that would resolve
 * names itself; the remote settings host, which Firefox resolves anyway, is answered locally.
 * Checked with strace: no DNS query, no connection off loopback.
 */
const FIREFOX_PREFS = {
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.proxy.type': 1,
  'network.proxy.socks': '127.0.0.1',
  'network.proxy.socks_port': 1,
  'network.proxy.socks_remote_dns': true,
  'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
  'network.proxy.allow_hijacking_localhost': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  // What Firefox's own remote agent uses in tests: remote settings with no server at all.
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  // Firefox still resolves the remote settings host itself (not through the proxy): answer it here.
  'network.dns.localDomains': 'firefox.settings.services.mozilla.com',
};

async function launchFirefox(): Promise<Engine> {
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    defaultViewport: VIEWPORT,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
  const version = await browser.version();
  return {
    name: 'firefox',
    version,
    async newPage() {
      // A fresh user context per page: its own storage, caches and service workers.
      const context = await browser.createBrowserContext();
      return firefoxPage(await context.newPage(), () => context.close());
    },
    close: () => browser.close(),
  };
}

function firefoxPage(page: Page, closeContext: () => Promise<void>): EnginePage {
  return {
    engine: 'firefox',
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    async reload() {
      await page.reload({ waitUntil: 'load' });
    },
    evaluate: (fn, arg) => page.evaluate(fn as (arg: unknown) => unknown, arg) as never,
    async click(selector) {
      await page.evaluate(centre, selector);
      await page.click(selector);
    },
    type: (selector, text) => page.type(selector, text),
    close: closeContext,
  };
}

// --- WebKit (WebKitWebDriver, W3C WebDriver) ---

export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One WebDriver command; throws with the driver's error and message. */
async function command(base: string, method: string, path: string, body?: unknown, timeoutMs?: number): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
  });
  const answer = (await response.json()) as { value: any };
  if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${answer.value?.error}: ${answer.value?.message}`);
  return answer.value;
}

async function launchWebKit(): Promise<Engine> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Its own process group, so that closing ends xvfb-run, Xvfb and the driver together.
  const driver: ChildProcess = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  driver.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ready = await command(base, 'GET', '/status').then(
      (status) => status?.ready === true,
      () => false,
    );
    if (ready) break;
    if (driver.exitCode !== null || Date.now() > deadline) {
      throw new Error(`WebKitWebDriver did not start within 15 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let version = '';
  return {
    name: 'webkit',
    get version() {
      return version;
    },
    async newPage() {
      // A session per page: its own MiniBrowser process. On a loaded machine a MiniBrowser
      // now and then never answers the driver: such a start is given up after 20 s and made
      // once more (a test that then still has no browser fails on its own timeout).
      const capabilities = {
        capabilities: {
          alwaysMatch: {
            browserName: 'MiniBrowser',
            'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
          },
        },
      };
      const session = await command(base, 'POST', '/session', capabilities, 20_000).catch(() =>
        command(base, 'POST', '/session', capabilities, 20_000),
      );
      version = `MiniBrowser/${session.capabilities.browserVersion}`;
      const page = webKitPage(`${base}/session/${session.sessionId}`);
      await command(base, 'POST', `/session/${session.sessionId}/window/rect`, VIEWPORT);
      return page;
    },
    async close() {
      if (driver.exitCode === null && driver.pid !== undefined) {
        const exited = new Promise((resolve) => driver.once('exit', resolve));
        process.kill(-driver.pid, 'SIGTERM');
        await exited;
      }
    },
  };
}

function webKitPage(session: string): EnginePage {
  const send = (method: string, path: string, body?: unknown) => command(session, method, path, body);
  const element = async (selector: string): Promise<string> =>
    (await send('POST', '/element', { using: 'css selector', value: selector }))[ELEMENT_KEY];
  return {
    engine: 'webkit',
    goto: (url) => send('POST', '/url', { url }),
    reload: () => send('POST', '/refresh', {}),
    async evaluate(fn, arg) {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn.toString()})(arguments[0])).then(
          (value) => done({ value: value === undefined ? null : value }),
          (error) => done({ error: String(error && error.stack || error) }));`;
      const result = await send('POST', '/execute/async', { script, args: [arg === undefined ? null : arg] });
      if (result.error !== undefined) throw new Error(`in the page: ${result.error}`);
      return result.value;
    },
    async click(selector) {
      await this.evaluate(centre, selector);
      await send('POST', `/element/${await element(selector)}/click`, {});
    },
    async type(selector, text) {
      await send('POST', `/element/${await element(selector)}/value`, { text });
    },
    close: () => send('DELETE', ''),
  };
}
