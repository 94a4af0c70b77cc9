// End-to-end encryption, from the operator's set-up link to a sealed report in a staff
// phone's outbox: the operator creates a school (`prepoznaj-server school create`), the first
// protection-team member opens the set-up link, has a weak passphrase refused and takes the
// suggested one, saves and proves a recovery copy (an age file the `age` CLI opens with the
// recovery passphrase shown with the code, and the code: both hold the signing key too), registers their
// keys (founding the team's key chain: its history shows version 1) and makes a staff
// enrolment link (signed: the locked key asks for the passphrase; the link pins the verified
// chain version); a staff phone finishes
// an observation before it is enrolled (it waits), enrols with the link (the waiting one is
// sealed), finishes another (sealed at once). The outbox then holds age envelopes and no
// plaintext. Then the team's lists: a link made for one phone only; a staff phone (naming itself
// "Android · Chrome" after its browser) enrols and sends a report; the team page lists the phone
// with its report and last contact and the link as full, and a second phone opening the link is
// told it is full before anything is asked; the phone's access is withdrawn from the list after a
// confirmation (signed), and its next report waits with "enrol again"; the link is withdrawn from
// the list. Zero axe violations on every new screen. In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted } from './app';
import { tapQuickSign } from './app-lock';
import { createSchool, startServerWithDistCopy, type AppServer } from './app-server';
import { LOCALES } from './locales';
import { ageDecryptWithPassphrase, makeKey, unlockToSign } from './team-key';

const en = LOCALES.en;
const SCHOOL = 'OŠ „Vuk Karadžić“ Beograd';
const SECOND_SCHOOL = 'OŠ „Jovan Cvijić“ Kragujevac';
/** A staff phone's browser, which the phone names itself after when it enrols. */
const ANDROID_CHROME_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
/** Four words someone chose: 20 characters, estimated at 36 bits (NIST SP 800-63-1, Appendix A). */
const WEAK_PASSPHRASE = 'zelena livada u maju';

function fill(message: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), message);
}

async function expectNoAxeViolations(page: Page, step: string) {
  expect(await axeViolations(page, step)).toEqual([]);
}

async function phone(browser: Browser, userAgent?: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, userAgent });
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  return context;
}

/** Quick mode: one sign, then Finish (with no connection if `offline`); the summary says what happens next. */
async function finishQuickObservation(page: Page, base: string, offline = false) {
  await page.goto(`${base}/quick`);
  await expectMounted(page);
  await tapQuickSign(page, page.getByTestId('quick-sign').nth(1));
  await expect(page).toHaveURL(/\/quick\/[0-9a-f-]{36}$/);
  await page.context().setOffline(offline);
  await page.getByRole('button', { name: en.summary_finish }).click();
  await expect(page).toHaveURL(/\/summary$/);
  await expect(page.getByTestId('finished')).toBeVisible();
}

/** Every outbox entry and observation status in the phone's IndexedDB. */
function readOutbox(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ outbox: { id: string; envelope: string; sha256: string; catalogue: string; keySetVersion: number }[]; statuses: string[] }>(
        (resolve, reject) => {
          const opened = indexedDB.open('prepoznaj');
          opened.onerror = () => reject(opened.error);
          opened.onsuccess = () => {
            const database = opened.result;
            const transaction = database.transaction(['outbox', 'observations'], 'readonly');
            const outbox = transaction.objectStore('outbox').getAll();
            const observations = transaction.objectStore('observations').getAll();
            transaction.oncomplete = () => {
              database.close();
              resolve({
                outbox: outbox.result.map((entry) => ({
                  id: entry.id,
                  envelope: entry.submission.envelope,
                  sha256: entry.submission.envelope_sha256,
                  catalogue: entry.submission.catalogue_version,
                  keySetVersion: entry.key_set_version,
                })),
                statuses: observations.result.map((record) => record.status),
              });
            };
            transaction.onerror = () => reject(transaction.error);
          };
        },
      ),
  );
}

test.describe('protection team and enrolment', () => {
  // One server and one school for the whole story; its phones are contexts of one browser.
  test.describe.configure({ mode: 'serial' });
  let server: AppServer;
  test.beforeAll(async () => {
    server = await startServerWithDistCopy();
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('set-up, recovery copy, registration, enrolment link; a staff phone enrols and its reports are sealed @android', async ({ browser }) => {
    test.setTimeout(180_000);
    const setupLink = createSchool(server, SCHOOL);

    // The team member's device.
    const member = await phone(browser);
    const team = await member.newPage();
    await team.goto(setupLink);
    await expectMounted(team);
    await expect(team.getByRole('heading', { level: 1 })).toHaveText(en.setup_title);
    await expectNoAxeViolations(team, 'passphrase');

    await team.getByLabel(en.setup_display_name).fill('Marija Petrović');
    await team.getByLabel(en.setup_passphrase, { exact: true }).fill('short');
    await team.getByLabel(en.setup_passphrase_repeat).fill('short');
    await team.getByRole('button', { name: en.setup_start }).click();
    await expect(team.getByRole('alert')).toHaveText(en.setup_passphrase_short);
    await team.getByLabel(en.setup_passphrase, { exact: true }).fill(WEAK_PASSPHRASE);
    await team.getByLabel(en.setup_passphrase_repeat).fill(WEAK_PASSPHRASE);
    await team.getByRole('button', { name: en.setup_start }).click();
    await expect(team.getByRole('alert')).toHaveText(fill(en.setup_passphrase_weak, { bits: 36, min: 45 }));
    await expect(team.getByLabel(en.setup_passphrase, { exact: true })).toHaveAttribute('aria-invalid', 'true');
    // The suggested passphrase: five words of the EFF list, shown and filled in both fields.
    await team.getByRole('button', { name: en.setup_passphrase_suggest }).click();
    const suggested = await team.getByTestId('suggested-passphrase').innerText();
    expect(suggested).toMatch(/^[a-z-]+( [a-z-]+){4}$/);
    await expect(team.getByRole('status').filter({ hasText: en.setup_passphrase_suggested })).toContainText(suggested);
    await expect(team.getByLabel(en.setup_passphrase, { exact: true })).toHaveValue(suggested);
    await expect(team.getByLabel(en.setup_passphrase_repeat)).toHaveValue(suggested);
    await expectNoAxeViolations(team, 'suggested passphrase');
    await team.getByLabel(en.setup_passphrase_repeat).fill(`${suggested}!`);
    await team.getByRole('button', { name: en.setup_start }).click();
    await expect(team.getByRole('alert')).toHaveText(en.setup_passphrase_mismatch);
    await team.getByLabel(en.setup_passphrase_repeat).fill(suggested);
    await team.getByRole('button', { name: en.setup_start }).click();

    // The recovery copy: the code and the recovery passphrase on screen, the file downloaded:
    // an age file, no key in plaintext, which the `age` CLI opens with the recovery passphrase.
    // The code holds both keys: groups 1–15 the age key, 16–30 the signing key, each part
    // ending with a group of two.
    const code = team.getByTestId('recovery-code').getByRole('listitem');
    await expect(code).toHaveCount(30);
    const groups = await code.allInnerTexts();
    expect(groups.map((group) => group.length)).toEqual([...Array(14).fill(4), 2, ...Array(14).fill(4), 2]);
    await expect(team.getByTestId('recovery-code').getByRole('list')).toHaveCount(2);
    const recoveryPassphrase = await team.getByTestId('recovery-passphrase').innerText();
    expect(recoveryPassphrase).toMatch(/^[a-z-]+( [a-z-]+){5}$/);
    const continueButton = team.getByRole('button', { name: en.setup_continue });
    await expect(continueButton).toBeDisabled();
    await expectNoAxeViolations(team, 'recovery');
    const downloading = team.waitForEvent('download');
    await team.getByRole('button', { name: en.setup_download }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('prepoznaj-team-key.age');
    const recoveryFile = fs.readFileSync(await download.path());
    expect(recoveryFile.subarray(0, 31).toString('latin1')).toBe('age-encryption.org/v1\n-> scrypt');
    expect(recoveryFile.toString('latin1')).not.toContain(groups.join(''));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-recovery-'));
    const opened = path.join(scratch, 'identity.txt');
    ageDecryptWithPassphrase(await download.path(), recoveryPassphrase, opened);
    const identity = fs.readFileSync(opened, 'utf8');
    expect(identity).toMatch(/^# public key: age1[0-9a-z]{58}$/m);
    expect(identity).toContain(`AGE-SECRET-KEY-1${groups.slice(0, 15).join('')}`);
    // The signing key made with it travels in the same file, as a comment age passes over.
    expect(identity).toMatch(/^# PREPOZNAJ-SIGNING-KEY-[0-9a-f]{64}$/m);
    fs.rmSync(scratch, { recursive: true });
    await expect(continueButton).toBeDisabled();
    await team.getByLabel(en.setup_recovery_saved).check();
    await continueButton.click();

    // Proving the copy: two groups typed back; a wrong one is refused.
    await expect(team.getByRole('heading', { name: en.setup_verify_heading })).toBeVisible();
    await expectNoAxeViolations(team, 'verify');
    const fields = team.getByTestId('verify-form').getByRole('textbox');
    await expect(fields).toHaveCount(2);
    const asked: number[] = [];
    for (const label of await team.getByTestId('verify-form').locator('label').allInnerTexts()) {
      asked.push(Number(/\d+/.exec(label)![0]) - 1);
    }
    // One group of each key.
    expect(asked[0]).toBeLessThan(15);
    expect(asked[1]).toBeGreaterThanOrEqual(15);
    await fields.nth(0).fill(groups[asked[0]]);
    await fields.nth(1).fill(groups[asked[1]] === 'QQQQ' ? 'PPPP' : 'QQQQ');
    await team.getByRole('button', { name: en.setup_register }).click();
    await expect(team.getByRole('alert').filter({ hasText: en.setup_verify_wrong })).toBeVisible();
    await fields.nth(1).fill(groups[asked[1]].toLowerCase());
    await team.getByRole('button', { name: en.setup_register }).click();

    // Registered: the team page with the school, the key's fingerprint, the team's keys.
    await expect(team).toHaveURL(`${server.url}/team`);
    await expect(team.getByTestId('team-member-of')).toHaveText(fill(en.setup_done, { school: SCHOOL }));
    await expect(team.getByTestId('own-fingerprint')).toHaveText(/^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    const teamFingerprint = await team.getByTestId('key-set-fingerprint').innerText();
    // The team's key chain, version 1, founded and signed on this device at set-up.
    await expect(team.getByText(en.team_checking)).toHaveCount(0);
    await expect(team.getByTestId('chain-warning')).toHaveCount(0);
    await expect(team.getByTestId('key-set-version')).toHaveText(fill(en.members_version, { version: 1 }));
    await expect(team.getByTestId('history-text')).toHaveText([
      fill(en.history_founded, { number: 1, name: 'Marija Petrović' }),
    ]);
    // Making a link is signed: the locked key asks for the passphrase first, then goes on.
    await team.getByRole('button', { name: en.link_create }).click();
    await expectNoAxeViolations(team, 'unlock to sign');
    await unlockToSign(team, suggested);
    const enrolmentLink = await team.getByTestId('enrolment-link').inputValue();
    // The link pins the chain version this device verified.
    expect(enrolmentLink).toMatch(new RegExp(`^${server.url}/enrol#[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$`));
    await expect(team.getByTestId('qr-code')).toBeVisible();
    await expectNoAxeViolations(team, 'team page');

    // The set-up link works once only: opened again, it is refused before any key is made.
    const second = await (await phone(browser)).newPage();
    await second.goto(setupLink);
    await expectMounted(second);
    await expect(second.getByTestId('link-refused')).toHaveText(en.link_check_setup_used);
    await expect(second.getByLabel(en.setup_passphrase, { exact: true })).toHaveCount(0);
    await second.context().close();

    // A staff phone: a report finished before enrolment waits on the phone. The server's
    // report intake is busy for now (503, "try again in an hour"), so the sealed reports stay
    // to be looked at and no retry timer fires during the test.
    const staff = await phone(browser);
    let busyAnswers = 0;
    await staff.route('**/api/v1/reports', async (route) => {
      busyAnswers += 1;
      await route.fulfill({
        status: 503,
        headers: { 'Retry-After': '3600' },
        contentType: 'application/json',
        body: '{"code":"store_unavailable","message":"busy"}',
      });
    });
    const staffPage = await staff.newPage();
    await finishQuickObservation(staffPage, server.url);
    await expect(staffPage.getByTestId('not-enrolled')).toHaveText(en.finish_not_enrolled);
    expect((await readOutbox(staffPage)).outbox).toEqual([]);

    // A wrong code says so; the real link enrols and seals the waiting report.
    await staffPage.goto(`${server.url}/enrol#${'A'.repeat(43)}.${'A'.repeat(43)}`);
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('link-refused')).toHaveText(en.link_check_enrol_unknown);
    await expect(staffPage.getByRole('button', { name: en.enrol_button })).toHaveCount(0);
    await staffPage.goto(enrolmentLink);
    await staffPage.reload();
    await expectMounted(staffPage);
    await expect(staffPage.getByRole('heading', { level: 1 })).toHaveText(en.enrol_title);
    await expectNoAxeViolations(staffPage, 'enrol');
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: SCHOOL }));
    // The waiting report is sealed with the app lock's key, which this page never holds: it is
    // sealed to the team at the next unlock, and the page says so.
    await expect(staffPage.getByTestId('waiting-unlock')).toHaveText(fill(en.enrol_waiting_unlock, { count: 1 }));
    await expect(staffPage.getByTestId('sealed-waiting')).toHaveCount(0);
    expect((await readOutbox(staffPage)).outbox).toEqual([]);
    await expect(staffPage.getByTestId('key-set-fingerprint')).toHaveText(teamFingerprint);
    await expect(staffPage).toHaveURL(`${server.url}/enrol`);
    await expectNoAxeViolations(staffPage, 'enrolled');

    // The team withdraws the link: phones enrolled with it stay enrolled, new ones cannot use it.
    await team.getByRole('button', { name: en.link_revoke }).click();
    await expect(team.getByTestId('link-revoked')).toHaveText(en.link_revoked);
    const latecomer = await (await phone(browser)).newPage();
    await latecomer.goto(enrolmentLink);
    await expectMounted(latecomer);
    await expect(latecomer.getByTestId('link-refused')).toHaveText(en.link_check_enrol_revoked);
    await expect(latecomer.getByRole('button', { name: en.enrol_button })).toHaveCount(0);
    await latecomer.context().close();

    // Enrolled: the next report is sealed at Finish, even offline.
    await finishQuickObservation(staffPage, server.url, true);
    await expect(staffPage.getByTestId('report-status')).toHaveText(en.report_waiting);
    await staffPage.context().setOffline(false);

    const { outbox, statuses } = await readOutbox(staffPage);
    expect(statuses).toEqual(['queued', 'queued']);
    expect(outbox).toHaveLength(2);
    for (const entry of outbox) {
      const envelope = Buffer.from(entry.envelope, 'base64');
      const text = envelope.toString('latin1');
      expect(text.startsWith('age-encryption.org/v1\n-> X25519 ')).toBe(true);
      expect(text.match(/^-> X25519 /gm)).toHaveLength(1);
      for (const plaintext of ['observed', 'quick', 'observer_role', 'catalogue_version', 'format']) {
        expect(text).not.toContain(plaintext);
      }
      expect(entry.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.keySetVersion).toBeGreaterThanOrEqual(1);
      expect(entry.catalogue).toMatch(/^[0-9a-z.-]+$/);
    }

    // Back online, the phone tried the new report too and was told to wait; nothing is under
    // way. The intake is reachable again: "Send now" delivers both; only receipts stay.
    await expect.poll(() => busyAnswers).toBeGreaterThanOrEqual(2);
    await expect(staffPage.getByTestId('report-status')).toHaveText(en.report_waiting_server);
    await expect(staffPage.getByTestId('sync-send-now')).toBeEnabled();
    await staff.unroute('**/api/v1/reports');
    await staffPage.getByTestId('sync-send-now').click();
    await expect(staffPage.getByTestId('report-status')).toHaveText(en.report_received);
    await expect(staffPage.getByTestId('sync-status')).toHaveAttribute('data-waiting', '0');
    const delivered = await readOutbox(staffPage);
    expect(delivered.outbox).toEqual([]);
    expect(delivered.statuses).toEqual(['forgotten', 'forgotten']);

    // Opening the enrolment page again says the phone is enrolled.
    await staffPage.goto(`${server.url}/enrol`);
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('enrolled')).toHaveText(fill(en.enrol_already, { school: SCHOOL }));
    await member.close();
    await staff.close();
  });

  test('the team sees its phones and links: reports sent, a full link refused, a phone withdrawn from the list @android', async ({ browser }) => {
    test.setTimeout(180_000);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-devices-'));
    const member = await phone(browser);
    const team = await member.newPage();
    await team.goto(createSchool(server, SECOND_SCHOOL));
    await expectMounted(team);
    await makeKey(team, 'Ana Ilić', en.setup_register, scratch);
    await expect(team).toHaveURL(`${server.url}/team`);
    await expect(team.getByText(en.team_checking)).toHaveCount(0);
    await expect(team.getByTestId('devices-empty')).toHaveText(en.devices_empty);
    await expect(team.getByTestId('links-empty')).toHaveText(en.links_empty);

    // A link for one phone only; a cap outside 1–500 is refused on the page.
    const cap = team.getByLabel(en.link_max_devices_label);
    await expect(cap).toHaveValue('50');
    await cap.fill('0');
    await team.getByRole('button', { name: en.link_create }).click();
    await expect(team.getByTestId('link-max-devices-invalid')).toHaveText(en.link_max_devices_invalid);
    await expect(cap).toHaveAttribute('aria-invalid', 'true');
    await cap.fill('1');
    await team.getByRole('button', { name: en.link_create }).click();
    await unlockToSign(team);
    const enrolmentLink = await team.getByTestId('enrolment-link').inputValue();
    const listedLink = team.getByTestId('listed-link');
    await expect(listedLink).toHaveCount(1);
    await expect(listedLink.getByTestId('link-devices')).toHaveText(fill(en.link_devices_of, { count: 0, max: 1 }));
    await expect(listedLink.getByTestId('link-status')).toHaveText(en.link_status_active);
    await expectNoAxeViolations(team, 'team page with links');

    // A staff phone enrols (naming itself after its browser) and sends one report.
    const staff = await phone(browser, ANDROID_CHROME_UA);
    const staffPage = await staff.newPage();
    await staffPage.goto(enrolmentLink);
    await expectMounted(staffPage);
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: SECOND_SCHOOL }));
    await finishQuickObservation(staffPage, server.url);
    await expect(staffPage.getByTestId('report-status')).toHaveText(en.report_received);

    // The link is full: another phone is refused before anything is asked of it.
    const latecomer = await (await phone(browser)).newPage();
    await latecomer.goto(enrolmentLink);
    await expectMounted(latecomer);
    await expect(latecomer.getByTestId('link-refused')).toHaveText(en.link_check_enrol_full);
    await expect(latecomer.getByRole('button', { name: en.enrol_button })).toHaveCount(0);
    await latecomer.context().close();

    // The team page lists the phone with its report and the link with its phone.
    await team.reload();
    await expectMounted(team);
    await expect(team.getByText(en.team_checking)).toHaveCount(0);
    const device = team.getByTestId('device');
    await expect(device).toHaveCount(1);
    await expect(device.getByTestId('device-name')).toHaveText('Android · Chrome');
    await expect(device.getByTestId('device-reports-sent')).toHaveText('1');
    await expect(device.getByTestId('device-last-seen')).not.toHaveText(en.device_never_seen);
    await expect(listedLink.getByTestId('link-devices')).toHaveText(fill(en.link_devices_of, { count: 1, max: 1 }));
    await expect(listedLink.getByTestId('link-status')).toHaveText(en.link_status_full);
    await expectNoAxeViolations(team, 'team page with phones');

    // Withdrawn from the list, after a confirmation (signed: the key is asked for again).
    await device.getByRole('button', { name: en.device_revoke }).click();
    const confirmation = team.getByRole('alertdialog', { name: en.device_revoke_label });
    await expect(confirmation).toContainText(fill(en.device_revoke_question, { name: 'Android · Chrome' }));
    await expectNoAxeViolations(team, 'withdraw a phone');
    await confirmation.getByRole('button', { name: en.device_revoke_confirm }).click();
    await unlockToSign(team);
    await expect(team.getByTestId('device-revoked')).toHaveText(fill(en.device_revoked, { name: 'Android · Chrome' }));
    await expect(device.getByTestId('device-revoked-on')).toBeVisible();
    await expect(device.getByRole('button', { name: en.device_revoke })).toHaveCount(0);

    // The withdrawn phone's next report waits, and the phone says to enrol again.
    await finishQuickObservation(staffPage, server.url);
    await expect(staffPage.getByTestId('report-status')).toHaveText(en.report_needs_enrolment);

    // The link is withdrawn from the list too.
    await listedLink.getByRole('button', { name: en.link_revoke_listed }).click();
    await team.getByRole('alertdialog', { name: en.link_revoke_label }).getByRole('button', { name: en.link_revoke_confirm }).click();
    await expect(team.getByTestId('listed-link-revoked')).toHaveText(en.link_revoked);
    await expect(listedLink.getByTestId('link-status')).toContainText(fill(en.link_status_revoked, { date: '' }).trim());
    await expectNoAxeViolations(team, 'team page after withdrawals');
    fs.rmSync(scratch, { recursive: true });
    await member.close();
    await staff.close();
  });
});
