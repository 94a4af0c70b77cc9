#!/usr/bin/env node
// The passphrase lock's scrypt work factor against its budget on a throttled phone (a report,
// not a test).
//
//   PREPOZNAJ_SERVER_BIN=… PREPOZNAJ_DATA_DIR=… node tests/bench/unlock.mjs http://127.0.0.1:8080
//
// As tests/bench/inbox.mjs (same steps, tests/bench/inbox-reports.mjs): a team member set up
// through the real set-up page, 200 reports sent through the real intake, Pixel 7 emulation,
// Debian chromium, service workers blocked, 4× CPU slowdown (CDP Emulation.setCPUThrottlingRate)
// from the passphrase's submission until the list shows all 200 reports. Budgets, each:
//
//  - key derivation ≤ 1.5 s: the app's User Timing measure `prepoznaj:inbox-unlock` (scrypt
//    with the work factor of crates/prepoznaj-envelope/src/identity.rs, LOCK_WORK_FACTOR;
//    printed with the figures). Also at set-up: `prepoznaj:unlock` (opening the new key once,
//    same derivation) with the set-up's submission at 4×.
//  - the first 200 reports listed ≤ 0.5 s after it: from the end of the derivation to the frame
//    in which the 200th row appears; the first unlock (downloading and storing all 200) and a
//    later one (the 200 already on the device).
//
// Where the first unlock's time goes is printed under it: the app's User Timing measures of the
// run (median over the runs): `prepoznaj:inbox-download` (sending what waits, fetching the
// chain and every page of reports), `prepoznaj:inbox-decrypt` (opening all 200),
// `prepoznaj:inbox-read` (from the download's start to the 200 read), `prepoznaj:inbox-store`
// (keeping them in IndexedDB, after they are listed).
//
// scrypt's time doubles with each step of the factor: the figures at one factor give the next.
// Other work on the machine inflates every figure: the load average is printed with them.
// Exits 0 even when a target is missed; non-zero only when it could not measure.
import { chromium } from '@playwright/test';
import * as fs from 'node:fs';
import { CPU_SLOWDOWN, REPORTS, format, load, median, sendReports, timedUnlock, worst } from './inbox-reports.mjs';
import { benchTarget, chromiumArgs, createSchool, en, fillSetUp, newPhone, register } from './team.mjs';

const RUNS = 3;
const DERIVATION_TARGET_MS = 1_500;
const LISTED_TARGET_MS = 500;

const target = benchTarget('unlock.mjs');
const baseUrl = target.baseUrl;
const identitySource = fs.readFileSync(new URL('../../crates/prepoznaj-envelope/src/identity.rs', import.meta.url), 'utf8');
const workFactor = Number(/pub const LOCK_WORK_FACTOR: u8 = (\d+);/.exec(identitySource)?.[1]);
if (!workFactor) throw new Error('LOCK_WORK_FACTOR not found in identity.rs');

const PHASES = ['prepoznaj:inbox-download', 'prepoznaj:inbox-decrypt', 'prepoznaj:inbox-read', 'prepoznaj:inbox-store'];

/** The longest of each of `PHASES` this page measured (the one of all 200), by name. */
async function phases(page) {
  return page.evaluate((names) => Object.fromEntries(names.map((name) => {
    const entries = performance.getEntriesByName(name);
    return [name, entries.length ? Math.max(...entries.map((entry) => entry.duration)) : undefined];
  })), PHASES);
}

/** The set-up with its submission at 4×; returns the set-up's own unlock (ms) and an enrolment link. */
async function setUpThrottled(member, setupLink) {
  await fillSetUp(member.page, setupLink);
  await member.throttle(CPU_SLOWDOWN);
  await member.page.getByRole('button', { name: en.setup_start }).click();
  await member.page.getByTestId('recovery-code').waitFor();
  await member.throttle(1);
  const unlock = await member.page.evaluate(() => performance.getEntriesByName('prepoznaj:unlock').at(-1)?.duration);
  if (unlock === undefined) throw new Error('no prepoznaj:unlock measure');
  return [unlock, await register(member.page, baseUrl)];
}

const verdict = (value, targetMs) => (value <= targetMs ? 'within' : 'OVER');

const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: chromiumArgs, headless: true });
try {
  console.log(`Passphrase unlock, scrypt work factor 2^${workFactor}, at ${CPU_SLOWDOWN}× CPU slowdown (load average ${load()})`);
  const results = { setUp: [], first: [], later: [], firstPhases: [] };
  for (let run = 0; run < RUNS; run++) {
    const member = await newPhone(browser);
    const [setUpUnlock, enrolmentLink] = await setUpThrottled(member, createSchool(target, `Unlock bench school ${Date.now()}`));
    results.setUp.push(setUpUnlock);
    await sendReports(baseUrl, enrolmentLink);
    results.first.push(await timedUnlock(member, baseUrl));
    // The download's storing may go on after the list shows: wait until the refresh is done.
    await member.page.waitForFunction(
      (label) => [...document.querySelectorAll('button')].some((button) => button.textContent === label && !button.disabled),
      en.inbox_refresh,
    );
    results.firstPhases.push(await phases(member.page));
    results.later.push(await timedUnlock(member, baseUrl));
    await member.context.close();
  }
  console.log(`  key derivation at set-up: median ${format(median(results.setUp))}, worst ${format(worst(results.setUp))}` +
    ` — target ≤ ${DERIVATION_TARGET_MS} ms: ${verdict(median(results.setUp), DERIVATION_TARGET_MS)}`);
  for (const [name, runs] of [['first unlock (download + decrypt)', results.first], ['later unlock (on the device)', results.later]]) {
    const derivations = runs.map(([, derivation]) => derivation);
    const listed = runs.map(([total, derivation]) => total - derivation);
    console.log(`  ${name}: key derivation median ${format(median(derivations))}, worst ${format(worst(derivations))}` +
      ` — target ≤ ${DERIVATION_TARGET_MS} ms: ${verdict(median(derivations), DERIVATION_TARGET_MS)};` +
      ` ${REPORTS} reports listed after it median ${format(median(listed))}, worst ${format(worst(listed))}` +
      ` — target ≤ ${LISTED_TARGET_MS} ms: ${verdict(median(listed), LISTED_TARGET_MS)}`);
  }
  const phaseLine = PHASES.map((name) => {
    const values = results.firstPhases.map((measured) => measured[name]).filter((value) => value !== undefined);
    return `${name.replace('prepoznaj:inbox-', '')} ${values.length ? format(median(values)) : 'not measured'}`;
  }).join(', ');
  console.log(`  first unlock at ${CPU_SLOWDOWN}×, after the derivation (medians): ${phaseLine}`);
  console.log(`  (load average ${load()})`);
} finally {
  await browser.close();
}
