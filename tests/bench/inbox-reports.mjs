// The team inbox benches' shared steps (tests/bench/inbox.mjs, tests/bench/unlock.mjs): a
// school with a team member set up through the real set-up page, 200 reports sent to it
// through the real intake (each an age envelope made with the `age` CLI, as the app writes
// one: one to three indicators observed), and one timed unlock of the inbox at 4× CPU.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DEADLINE_MS, PASSPHRASE, en, fillSetUp, mounted, register } from './team.mjs';

export const CPU_SLOWDOWN = 4;
export const REPORTS = 200;

const readJson = (file) => JSON.parse(fs.readFileSync(new URL(file, import.meta.url), 'utf8'));
const catalogueVersion = readJson('../../public/content/catalogue/index.json').current;
const indicators = readJson(`../../public/content/catalogue/${catalogueVersion}.json`).areas.flatMap((area) =>
  area.indicators.map((indicator) => indicator.id),
);

async function postJson(baseUrl, path, body, token) {
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
export async function sendReports(baseUrl, enrolmentLink) {
  // The fragment is `<code>.<pinned version's hash>`.
  const code = new URL(enrolmentLink).hash.slice(1).split('.')[0];
  const device = await postJson(baseUrl, '/api/v1/devices', { enrolment_code: code });
  const recipients = device.chain.at(-1).version.members.flatMap((member) => ['-r', member.recipient]);
  const start = Date.now() - REPORTS * 1_000;
  for (let index = 0; index < REPORTS; index++) {
    const text = plaintext(index, start + index * 1_000);
    const envelope = execFileSync('age', ['--encrypt', ...recipients], { input: text });
    await postJson(
      baseUrl,
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
export async function setUpMember(page, baseUrl, setupLink) {
  await fillSetUp(page, setupLink);
  await page.getByRole('button', { name: en.setup_start }).click();
  return register(page, baseUrl);
}

/** One unlock at 4×: [total from submission to 200 rows shown, key derivation] in ms. */
export async function timedUnlock(member, baseUrl) {
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
  // Playwright injects its polling script into the page on the first waitForFunction: done
  // here, unthrottled, it is not counted as the app's time (about 50 ms at 4×).
  await page.waitForFunction(() => true);
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

export const format = (ms) => `${ms.toFixed(0)} ms`;
export const load = () => os.loadavg()[0].toFixed(2);
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const worst = (values) => Math.max(...values);
