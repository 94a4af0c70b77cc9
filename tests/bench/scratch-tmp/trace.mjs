// Ad-hoc: trace the all-areas render and one answer, sum top-level main-thread events.
import { chromium, devices } from '@playwright/test';
import * as fs from 'node:fs';
const base = process.argv[2];
const chromiumArgs = JSON.parse(fs.readFileSync('/work/main/tests/e2e/chromium-args.json', 'utf8'));
const { defaultBrowserType: _i, ...phone } = devices['Pixel 7'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs, headless: true });
const context = await browser.newContext({ ...phone, serviceWorkers: 'block' });
const page = await context.newPage();
await page.goto(base + '/observe/new');
await page.locator('form button[type=submit]').click();
await page.waitForURL(/\/observe\/[0-9a-f-]{36}$/);
const url = page.url();
async function summarise(file, label) {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')).traceEvents;
  const mainTid = events.find((e) => e.name === 'CrRendererMain' || (e.args && e.args.name === 'CrRendererMain'));
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && mainTid && e.tid === mainTid.tid && e.pid === mainTid.pid);
  const cpu = tasks.reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000;
  console.log(label, 'main-thread task CPU', cpu.toFixed(1), 'ms over', tasks.length, 'tasks');
  const names = {};
  for (const e of events) if (e.ph === 'X' && ['FunctionCall','UpdateLayoutTree','Layout','Paint','PrePaint','Layerize','EventDispatch','v8.compile','ParseHTML','RunMicrotasks','HitTest','IntersectionObserverController::computeIntersections','TimerFire','FireAnimationFrame','Commit','UpdateLayer','ScrollableAreaUpdate'].includes(e.name)) {
    names[e.name] = (names[e.name] || 0) + e.dur / 1000;
  }
  console.log(label, Object.entries(names).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(' '));
}
for (let run = 0; run < 3; run++) {
  await page.goto(url);
  await page.locator('[data-testid=indicator]').first().waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await browser.startTracing(page, { path: '/tmp/trace-all.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const t0 = Date.now();
  await page.locator('a[href$="area=all"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=indicator]').length > 60);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  await browser.stopTracing();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await summarise('/tmp/trace-all.json', `all-areas run ${run}:`);
}
// answers
const cdp = await context.newCDPSession(page);
await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
await browser.startTracing(page, { path: '/tmp/trace-answer.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
for (let i = 0; i < 10; i++) {
  const radio = page.locator('[data-testid=indicator]').nth(i).locator('input[value=observed]');
  await radio.scrollIntoViewIfNeeded();
  const n = await page.evaluate(() => performance.getEntriesByName('prepoznaj:autosave').length);
  await radio.tap();
  await page.waitForFunction((n) => performance.getEntriesByName('prepoznaj:autosave').length > n, n);
}
await browser.stopTracing();
const m = await page.evaluate(() => performance.getEntriesByName('prepoznaj:autosave').map((e) => e.duration.toFixed(1)));
console.log('autosave', m.join(' '));
await summarise('/tmp/trace-answer.json', 'answers x10:');
{
  const events = JSON.parse(fs.readFileSync('/tmp/trace-answer.json', 'utf8')).traceEvents;
  const begins = events.filter((e) => e.name === 'prepoznaj:autosave' && (e.ph === 'b' || e.ph === 'B' || e.ph === 'R' || e.ph === 'X'));
  const ends = events.filter((e) => e.name === 'prepoznaj:autosave' && (e.ph === 'e' || e.ph === 'E'));
  console.log('measures', begins.length, ends.length);
  for (let i = 0; i < begins.length; i++) {
    const start = begins[i].ts, end = ends[i] ? ends[i].ts : begins[i].ts + (begins[i].dur || 0);
    const inWin = events.filter((e) => e.ph === 'X' && e.ts >= start && e.ts + (e.dur||0) <= end + 1 && e.tid === begins[i].tid);
    const sums = {};
    for (const e of inWin) if (['FunctionCall','UpdateLayoutTree','Layout','Paint','PrePaint','Layerize','EventDispatch','RunMicrotasks','HitTest','IntersectionObserverController::computeIntersections','FireAnimationFrame','Commit','RunTask','ParseHTML','TimerFire'].includes(e.name)) sums[e.name] = (sums[e.name]||0) + e.dur/1000;
    console.log(`win ${((end-start)/1000).toFixed(1)}ms`, Object.entries(sums).map(([k,v]) => `${k}=${v.toFixed(1)}`).join(' '));
  }
}
await browser.close();
