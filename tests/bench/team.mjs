// What the benches of end-to-end encryption share (seal.mjs, inbox.mjs): the operator's
// `school create`, a throttleable phone, and a team member's set-up through the real page.
import { devices } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export const PASSPHRASE = 'zelena livada u maju kraj stare crkve';
export const DEADLINE_MS = 120_000;

const readJson = (file) => JSON.parse(fs.readFileSync(new URL(file, import.meta.url), 'utf8'));
export const chromiumArgs = readJson('../e2e/chromium-args.json');
export const en = {
  ...readJson('../../locales/en.json'),
  ...readJson('../../locales/team/en.json'),
  ...readJson('../../locales/inbox/en.json'),
};
const { defaultBrowserType: _ignored, ...phone } = devices['Pixel 7'];

/** The server's URL, binary and data directory from the command line and environment. */
export function benchTarget(script) {
  const baseUrl = process.argv[2] || process.env.PREPOZNAJ_BENCH_URL;
  const serverBin = process.env.PREPOZNAJ_SERVER_BIN || 'target/release/prepoznaj-server';
  const dataDir = process.env.PREPOZNAJ_DATA_DIR;
  if (!baseUrl || !dataDir) {
    console.error(`usage: PREPOZNAJ_DATA_DIR=<server data dir> node tests/bench/${script} <server url>`);
    process.exit(2);
  }
  return { baseUrl, serverBin, dataDir };
}

/** `prepoznaj-server school create`; the printed set-up link. */
export function createSchool({ baseUrl, serverBin, dataDir }, name) {
  const stdout = execFileSync(serverBin, ['school', 'create', '--name', name, '--base-url', baseUrl], {
    env: { ...process.env, PREPOZNAJ_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  const link = stdout.split('\n').find((line) => line.startsWith(`${baseUrl}/team/setup#`));
  if (!link) throw new Error(`no set-up link in:\n${stdout}`);
  return link.trim();
}

/** A Pixel 7 in English, service workers blocked, with a CPU throttle. */
export async function newPhone(browser) {
  const context = await browser.newContext({ ...phone, serviceWorkers: 'block' });
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  const page = await context.newPage();
  page.setDefaultTimeout(DEADLINE_MS);
  const cdp = await context.newCDPSession(page);
  return { context, page, throttle: (rate) => cdp.send('Emulation.setCPUThrottlingRate', { rate }) };
}

export async function mounted(page) {
  await page.locator('#loading').waitFor({ state: 'detached' });
}

/** The set-up page up to "make my key" (not yet clicked). */
export async function fillSetUp(page, setupLink) {
  await page.goto(setupLink);
  await mounted(page);
  await page.getByLabel(en.setup_display_name).fill('Bench Member');
  await page.getByLabel(en.setup_passphrase, { exact: true }).fill(PASSPHRASE);
  await page.getByLabel(en.setup_passphrase_repeat).fill(PASSPHRASE);
}

/** From the recovery step: the copy saved and proven, the key registered; an enrolment link. */
export async function register(page, baseUrl) {
  const groups = await page.getByTestId('recovery-code').getByRole('listitem').allInnerTexts();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: en.setup_download }).click();
  await downloading;
  await page.getByLabel(en.setup_recovery_saved).check();
  await page.getByRole('button', { name: en.setup_continue }).click();
  const form = page.getByTestId('verify-form');
  const labels = await form.locator('label').allInnerTexts();
  for (const [index, label] of labels.entries()) {
    await form.getByRole('textbox').nth(index).fill(groups[Number(/\d+/.exec(label)[0]) - 1]);
  }
  await page.getByRole('button', { name: en.setup_register }).click();
  await page.waitForURL(`${baseUrl}/team`);
  await page.getByRole('button', { name: en.link_create }).click();
  // Making a link is signed: the key is unlocked for it with the passphrase.
  const prompt = page.getByTestId('sign-unlock');
  await prompt.getByLabel(en.inbox_passphrase).fill(PASSPHRASE);
  await prompt.getByRole('button', { name: en.inbox_unlock }).click();
  return page.getByTestId('enrolment-link').inputValue();
}
