#!/usr/bin/env node
// Language and bundle benchmark on a throttled phone (a report, not a test).
//
//   node tests/bench/i18n.mjs http://127.0.0.1:8080      (or PREPOZNAJ_BENCH_URL=…)
//
//  - language switch: the app installed (its service worker controls the page and has
//    precached every table), a fresh page in Serbian Cyrillic at 4× CPU slowdown; from the
//    switch's `change` event to the first animation frame that shows the home heading in the
//    chosen language (its table fetched from the precache and read for the first time).
//    Median of 5 per locale. Target ≤ 150 ms.
//  - /observe right after install: the first visit to the home screen installs the app; then,
//    offline at 4× CPU slowdown, /observe is opened for the first time (its bundle and table
//    from the precache) until its page has mounted and shows its heading. Median of 5.
//    Target ≤ 1.0 s.
//  - /practice right after install, the same way, until the practice is interactive: its
//    cases and this device's attempts are loaded and "Start the next case" is there. Median
//    of 5. Target ≤ 1.0 s.
//
// Exits 0 even when a target is missed; non-zero only when it could not measure.
import { chromium, devices } from '@playwright/test';
import * as fs from 'node:fs';
import { HOME_TITLES } from './home-titles.mjs';

const RUNS = 5;
const SWITCH_TARGET_MS = 150;
const OBSERVE_TARGET_MS = 1000;
const PRACTICE_TARGET_MS = 1000;
const CPU_SLOWDOWN = 4;
const DEADLINE_MS = 60_000;

const baseUrl = process.argv[2] || process.env.PREPOZNAJ_BENCH_URL;
if (!baseUrl) {
  console.error('usage: node tests/bench/i18n.mjs <server url>   (or set PREPOZNAJ_BENCH_URL)');
  process.exit(2);
}
const chromiumArgs = JSON.parse(fs.readFileSync(new URL('../e2e/chromium-args.json', import.meta.url), 'utf8'));
const { defaultBrowserType: _ignored, ...phone } = devices['Pixel 7'];
const CYRILLIC_TITLE = HOME_TITLES['sr-Cyrl'];
const TARGETS = Object.fromEntries(Object.entries(HOME_TITLES).filter(([tag]) => tag !== 'sr-Cyrl'));

/**
 * Waits until the page has mounted and its main heading reads `title` (any heading if null),
 * and `ready` (a selector, if given) is in the page.
 */
async function mounted(page, title, ready = null) {
  await page.waitForFunction(
    ({ title, ready }) => {
      const h1 = document.querySelector('main h1');
      const mounted = !document.getElementById('loading') && document.querySelector('[data-testid=connection-status]');
      return mounted && h1 && (title === null || h1.textContent.trim() === title) && (ready === null || document.querySelector(ready));
    },
    { title, ready },
    { polling: 'raf', timeout: DEADLINE_MS },
  );
}

/** A fresh context with the app installed (the service worker controls the page). */
async function installed(browser) {
  const context = await browser.newContext({ ...phone });
  const page = await context.newPage();
  await page.goto(new URL('/', baseUrl).href, { timeout: DEADLINE_MS });
  await mounted(page, CYRILLIC_TITLE);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: DEADLINE_MS });
  return { context, page };
}

async function switchRun(browser, tag) {
  const { context, page } = await installed(browser);
  try {
    await page.reload();
    await mounted(page, CYRILLIC_TITLE);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    return await page.evaluate(
      ({ tag, title, deadline }) =>
        new Promise((resolve, reject) => {
          const select = document.querySelector('#header-language');
          const start = performance.now();
          select.value = tag;
          select.dispatchEvent(new Event('change', { bubbles: true }));
          const frame = () => {
            if (document.querySelector('main h1')?.textContent.trim() === title) resolve(performance.now() - start);
            else if (performance.now() - start > deadline) reject(new Error(`no ${tag} heading`));
            else requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        }),
      { tag, title: TARGETS[tag], deadline: DEADLINE_MS },
    );
  } finally {
    await context.close();
  }
}

/** Opens another bundle's `path` for the first time after install, offline, at 4× CPU, until
 * it has mounted (and `ready` is there). */
async function firstOpenRun(browser, path, ready = null) {
  const { context, page } = await installed(browser);
  try {
    await context.setOffline(true);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    const started = Date.now();
    await page.goto(new URL(path, baseUrl).href, { waitUntil: 'commit', timeout: DEADLINE_MS });
    await mounted(page, null, ready);
    const inPage = await page.evaluate(() => performance.now());
    return Math.min(inPage, Date.now() - started);
  } finally {
    await context.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${Math.round(value)} ms`;
const verdict = (value, target) => (value <= target ? 'within' : 'OVER');

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: chromiumArgs, headless: true });
  try {
    console.log(`bench: ${baseUrl}, Pixel 7 emulation, chromium ${browser.version()}, CPU ${CPU_SLOWDOWN}x slowdown, ${RUNS} runs each\n`);
    for (const tag of Object.keys(TARGETS)) {
      const runs = [];
      for (let run = 0; run < RUNS; run += 1) runs.push(await switchRun(browser, tag));
      console.log(`switch sr-Cyrl -> ${tag}, to painted: median ${ms(median(runs))} (runs: ${runs.map(Math.round).join(', ')}) target <= ${SWITCH_TARGET_MS} ms: ${verdict(median(runs), SWITCH_TARGET_MS)}`);
    }
    const observe = [];
    for (let run = 0; run < RUNS; run += 1) observe.push(await firstOpenRun(browser, '/observe'));
    console.log(`/observe first open after install (offline, from the precache): median ${ms(median(observe))} (runs: ${observe.map(Math.round).join(', ')}) target <= ${OBSERVE_TARGET_MS} ms: ${verdict(median(observe), OBSERVE_TARGET_MS)}`);
    const practice = [];
    for (let run = 0; run < RUNS; run += 1) practice.push(await firstOpenRun(browser, '/practice', '[data-testid=practice-start]'));
    console.log(`/practice first open after install, until interactive (offline, from the precache): median ${ms(median(practice))} (runs: ${practice.map(Math.round).join(', ')}) target <= ${PRACTICE_TARGET_MS} ms: ${verdict(median(practice), PRACTICE_TARGET_MS)}`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`bench: could not measure: ${error.stack || error}`);
  process.exit(1);
});
