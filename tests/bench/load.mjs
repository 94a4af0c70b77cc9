#!/usr/bin/env node
// Load-time benchmark of the home screen on a throttled phone (a report, not a test).
//
//   node tests/bench/load.mjs http://127.0.0.1:8080      (or PREPOZNAJ_BENCH_URL=…)
//
// Each measure is taken in every locale (the remembered choice set before the first load).
//
// "Interactive" = from navigation start (performance.timeOrigin) until the home screen's h1
// is in the DOM and the app has mounted: the static #loading shell is gone and the
// connection status exists. Read with performance.now() inside the page.
//
//  - cold: a fresh context per run (empty cache, service workers blocked) under Slow 4G
//    (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up) and 4× CPU slowdown. Median of 5.
//  - repeat offline: a fresh context per run; first visit unthrottled until the service
//    worker controls the page, then offline + 4× CPU slowdown, reload and measure. Median of 5.
//
// Exits 0 even when a target is missed; non-zero only when it could not measure.
import { chromium, devices } from '@playwright/test';
import * as fs from 'node:fs';
import { HOME_TITLES } from './home-titles.mjs';

const RUNS = 5;
const COLD_TARGET_MS = 2000;
const REPEAT_TARGET_MS = 600;
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const CPU_SLOWDOWN = 4;
const DEADLINE_MS = 60_000;

const baseUrl = process.argv[2] || process.env.PREPOZNAJ_BENCH_URL;
if (!baseUrl) {
  console.error('usage: node tests/bench/load.mjs <server url>   (or set PREPOZNAJ_BENCH_URL)');
  process.exit(2);
}
const homeUrl = new URL('/', baseUrl).href;
const chromiumArgs = JSON.parse(fs.readFileSync(new URL('../e2e/chromium-args.json', import.meta.url), 'utf8'));
const remember = (context, tag) =>
  context.addInitScript((locale) => localStorage.setItem('prepoznaj.locale', JSON.stringify(locale)), tag);
const { defaultBrowserType: _ignored, ...phone } = devices['Pixel 7'];

/** Resolves with performance.now() at the first frame where the home screen is interactive. */
function interactiveAt(page, homeTitle) {
  return page
    .waitForFunction(
      (title) => {
        const h1 = document.querySelector('main h1');
        const mounted = !document.getElementById('loading') && document.querySelector('[data-testid=connection-status]');
        return h1 && h1.textContent.trim() === title && mounted ? performance.now() : false;
      },
      homeTitle,
      { polling: 'raf', timeout: DEADLINE_MS },
    )
    .then((handle) => handle.jsonValue());
}

/** Records what crossed the (emulated) network: encodedDataLength per finished request. */
function recordTransfers(cdp) {
  const urls = new Map();
  const transfers = [];
  const inflight = new Set();
  cdp.on('Network.requestWillBeSent', (event) => {
    urls.set(event.requestId, event.request.url);
    inflight.add(event.requestId);
  });
  cdp.on('Network.loadingFinished', (event) => {
    inflight.delete(event.requestId);
    transfers.push({ url: urls.get(event.requestId), bytes: event.encodedDataLength });
  });
  cdp.on('Network.loadingFailed', (event) => {
    inflight.delete(event.requestId);
    transfers.push({ url: urls.get(event.requestId), bytes: 0, failed: event.errorText });
  });
  return { transfers, inflight };
}

async function settle(inflight) {
  const deadline = Date.now() + DEADLINE_MS;
  while (inflight.size > 0) {
    if (Date.now() > deadline) throw new Error(`${inflight.size} requests still in flight after ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function coldRun(browser, tag) {
  const context = await browser.newContext({ ...phone, serviceWorkers: 'block' });
  await remember(context, tag);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    const { transfers, inflight } = recordTransfers(cdp);
    const interactive = interactiveAt(page, HOME_TITLES[tag]);
    await page.goto(homeUrl, { waitUntil: 'commit', timeout: DEADLINE_MS });
    const ms = await interactive;
    await page.waitForLoadState('load', { timeout: DEADLINE_MS });
    await settle(inflight);
    return { ms, transfers };
  } finally {
    await context.close();
  }
}

async function repeatOfflineRun(browser, tag) {
  const context = await browser.newContext({ ...phone });
  await remember(context, tag);
  try {
    const page = await context.newPage();
    await page.goto(homeUrl, { timeout: DEADLINE_MS });
    await interactiveAt(page, HOME_TITLES[tag]);
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: DEADLINE_MS });
    await context.setOffline(true);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    const interactive = interactiveAt(page, HOME_TITLES[tag]);
    await page.reload({ waitUntil: 'commit', timeout: DEADLINE_MS });
    return { ms: await interactive };
  } finally {
    await context.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${Math.round(value)} ms`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: chromiumArgs, headless: true });
  try {
    const health = await fetch(new URL('/api/health', baseUrl)).then((response) => response.json());
    console.log(`bench: ${homeUrl} (server ${health.version}), ${phone.viewport.width}x${phone.viewport.height} Pixel 7 emulation, chromium ${browser.version()}`);
    console.log(`network: Slow 4G (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up); CPU ${CPU_SLOWDOWN}x slowdown; ${RUNS} runs each\n`);

    const verdict = (value, target) => (value <= target ? 'within' : 'OVER');
    for (const tag of Object.keys(HOME_TITLES)) {
      const cold = [];
      for (let run = 0; run < RUNS; run += 1) cold.push(await coldRun(browser, tag));
      const repeat = [];
      for (let run = 0; run < RUNS; run += 1) repeat.push(await repeatOfflineRun(browser, tag));

      const first = cold[0].transfers;
      const total = first.reduce((sum, transfer) => sum + transfer.bytes, 0);
      console.log(`[${tag}] cold load, bytes transferred (first run, encodedDataLength incl. headers):`);
      for (const transfer of [...first].sort((a, b) => b.bytes - a.bytes)) {
        const path = new URL(transfer.url).pathname;
        console.log(`  ${kb(transfer.bytes).padStart(10)}  ${path}${transfer.failed ? `  (failed: ${transfer.failed})` : ''}`);
      }
      console.log(`  ${kb(total).padStart(10)}  total, ${first.length} requests`);
      const coldRuns = cold.map((run) => run.ms);
      const repeatRuns = repeat.map((run) => run.ms);
      console.log(`[${tag}] cold interactive median: ${ms(median(coldRuns))} (runs: ${coldRuns.map(Math.round).join(', ')}) target <= ${COLD_TARGET_MS} ms: ${verdict(median(coldRuns), COLD_TARGET_MS)}`);
      console.log(`[${tag}] repeat offline interactive median: ${ms(median(repeatRuns))} (runs: ${repeatRuns.map(Math.round).join(', ')}) target <= ${REPEAT_TARGET_MS} ms: ${verdict(median(repeatRuns), REPEAT_TARGET_MS)}`);
      console.log(`[${tag}] cold bytes transferred: ${total} B (${kb(total)})\n`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`bench: could not measure: ${error.stack || error}`);
  process.exit(1);
});
