#!/usr/bin/env node
// Budget of the team inbox on a throttled phone (a report, not a test).
//
//   PREPOZNAJ_SERVER_BIN=… PREPOZNAJ_DATA_DIR=… node tests/bench/inbox.mjs http://127.0.0.1:8080
//
// The server must run with that data directory (the bench creates its school with the
// operator's `prepoznaj-server school create`). A team member is set up through the real
// set-up page (their key locked with the passphrase in the browser); a staff device enrols
// with the team's link and sends 200 reports through the real intake, each an age envelope
// for the team's keys made with the `age` CLI (a report as the app writes it: one to three
// indicators observed). Pixel 7 emulation, Debian chromium, service workers blocked, 4× CPU
// slowdown (CDP Emulation.setCPUThrottlingRate) from the passphrase's submission until the
// list shows all 200 reports decrypted.
//
//  - first unlock: passphrase → key derivation (`prepoznaj:inbox-unlock`, scrypt) → the device's
//    (empty) store → download of every page → stored encrypted → 200 decrypted → listed.
//  - later unlock: the same with the 200 already on the device (what the inbox does offline).
// Each run's total is from the submission (the start of `prepoznaj:inbox-unlock`) to the
// frame in which the 200th row appears (a MutationObserver's mark). Budget: ≤ 2 s, key
// derivation included (it is reported separately, with the decryption of the 200 reports,
// `prepoznaj:inbox-decrypt`). 3 runs each, median and worst.
//
// Other work on the machine inflates every figure: the load average is printed with them.
// Exits 0 even when the target is missed; non-zero only when it could not measure.
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DEADLINE_MS, PASSPHRASE, benchTarget, chromiumArgs, createSchool, en, fillSetUp, mounted, newPhone, register } from './team.mjs';

const CPU_SLOWDOWN = 4;
const REPORTS = 200;
const RUNS = 3;
const TARGET_MS = 2_000;

const target = benchTarget('inbox.mjs');
const baseUrl = target.baseUrl;
const readJson = (file) => JSON.parse(fs.readFileSync(new URL(file, import.meta.url), 'utf8'));
const catalogueVersion = readJson('../../public/content/catalogue/index.json').current;
const indicators = readJson(`../../public/content/catalogue/${catalogueVersion}.json`).areas.flatMap((area) =>
  area.indicators.map((indicator) => indicator.id),
);

async function postJson(path, body, token) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

function uuid7(millis) {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(millis, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A finished observation as the app's report plaintext (`{"format": 1, "observation": …}`). */
function plaintext(index, millis) {
  const answers = {};
  for (let n = 0; n <= index % 3; n++) answers[indicators[(index * 7 + n * 13) % indicators.length]] = { answer: 'observed' };
  return JSON.stringify({
    format: 1,
    observation: {
      id: uuid7(millis),
      catalogue_version: catalogueVersion,
      mode: 'full',
      status: 'complete',
      started_at: millis - 60_000,
      completed_at: millis,
      updated_at: millis,
      context: { setting: 'classroom', observer_role: 'teacher' },
      answers,
    },
  });
}

/** 200 reports through the real intake, sealed with the `age` CLI to the team's keys. */
async function sendReports(enrolmentLink) {
  const code = new URL(enrolmentLink).hash.slice(1);
  const device = await postJson('/api/v1/devices', { enrolment_code: code });
  const recipients = device.key_set.keys.flatMap((member) => ['-r', member.public_key]);
  const start = Date.now() - REPORTS * 1_000;
  for (let index = 0; index < REPORTS; index++) {
    const text = plaintext(index, start + index * 1_000);
    const envelope = execFileSync('age', ['--encrypt', ...recipients], { input: text });
    await postJson(
      '/api/v1/reports',
      {
        report_id: JSON.parse(text).observation.id,
        envelope: envelope.toString('base64'),
        envelope_sha256: createHash('sha256').update(envelope).digest('hex'),
        catalogue_version: catalogueVersion,
        protocol_version: 1,
      },
      device.device_token,
    );
  }
}

/** The team member's set-up through the real page; returns a staff enrolment link. */
async function setUpMember(page, setupLink) {
  await fillSetUp(page, setupLink);
  await page.getByRole('button', { name: en.setup_start }).click();
  return register(page, baseUrl);
}

/** One unlock at 4×: [total from submission to 200 rows shown, key derivation] in ms. */
async function timedUnlock(member) {
  const { page } = member;
  await page.goto(`${baseUrl}/inbox`);
  await mounted(page);
  await page.getByLabel(en.inbox_passphrase).fill(PASSPHRASE);
  // The frame in which the 200th row is in the DOM.
  await page.evaluate((count) => {
    performance.clearMarks('bench:inbox-listed');
    performance.clearMeasures('prepoznaj:inbox-unlock');
    const observer = new MutationObserver(() => {
      if (document.querySelectorAll('[data-testid="inbox-report"]').length >= count) {
        observer.disconnect();
        requestAnimationFrame(() => performance.mark('bench:inbox-listed'));
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }, REPORTS);
  await member.throttle(CPU_SLOWDOWN);
  await page.getByRole('button', { name: en.inbox_unlock }).click();
  await page.waitForFunction(() => performance.getEntriesByName('bench:inbox-listed').length > 0, null, { timeout: DEADLINE_MS });
  await member.throttle(1);
  const failed = await page.getByTestId('inbox-report-failed').count();
  if (failed > 0) throw new Error(`${failed} reports could not be opened`);
  return page.evaluate(() => {
    const unlock = performance.getEntriesByName('prepoznaj:inbox-unlock').at(-1);
    const listed = performance.getEntriesByName('bench:inbox-listed').at(-1);
    if (!unlock || !listed) throw new Error('no prepoznaj:inbox-unlock measure');
    // The longest opening of the run is the one of all 200 (an empty store takes none).
    const decrypt = Math.max(...performance.getEntriesByName('prepoznaj:inbox-decrypt').map((entry) => entry.duration));
    return [listed.startTime - unlock.startTime, unlock.duration, decrypt];
  });
}

const format = (ms) => `${ms.toFixed(0)} ms`;
const load = () => os.loadavg()[0].toFixed(2);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const worst = (values) => Math.max(...values);

const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: chromiumArgs, headless: true });
try {
  console.log(`Team inbox: unlock and read ${REPORTS} reports at ${CPU_SLOWDOWN}× CPU slowdown (load average ${load()})`);
  const results = { first: [], later: [] };
  for (let run = 0; run < RUNS; run++) {
    // A new school and member per run: the first unlock downloads all 200.
    const member = await newPhone(browser);
    const enrolmentLink = await setUpMember(member.page, createSchool(target, `Inbox bench school ${Date.now()}`));
    await sendReports(enrolmentLink);
    results.first.push(await timedUnlock(member));
    results.later.push(await timedUnlock(member));
    await member.context.close();
  }
  for (const [name, runs] of [['first unlock (download + decrypt)', results.first], ['later unlock (on the device)', results.later]]) {
    const totals = runs.map(([total]) => total);
    const derivations = runs.map(([, derivation]) => derivation);
    const decryptions = runs.map(([, , decryption]) => decryption);
    const verdict = median(totals) <= TARGET_MS ? 'within' : 'OVER';
    console.log(`  ${name}: total median ${format(median(totals))}, worst ${format(worst(totals))}` +
      ` (of which key derivation median ${format(median(derivations))}, decrypting ${REPORTS} median ${format(median(decryptions))})` +
      ` — target ≤ ${TARGET_MS} ms: ${verdict}`);
  }
  console.log(`  (load average ${load()})`);
} finally {
  await browser.close();
}
