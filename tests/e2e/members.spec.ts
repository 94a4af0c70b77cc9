// Team membership and key recovery, through the app on separate devices (browser contexts)
// of one server: member A sets up with the operator's link; B makes a key on their own device
// (/team/join), A adds B after comparing the fingerprint, B registers with the set-up link A
// got; a staff phone's reports are then sealed to both keys (checked with the `age` CLI and
// B's recovery file). A loses their phone: A's key is restored in fresh profiles from the
// recovery code and from the recovery file (same fingerprint), B makes a "lost phone" link
// for A, the restored device registers with it, reads in its inbox the report sent before the
// phone was lost, and A's old device is refused. A removes B:
// the key set version rises, B's device says B is no longer a member, and a report made after
// the removal no longer opens with B's key while one made before still does. Zero axe
// violations on every new screen. In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted, waitForServiceWorkerControl } from './app';
import { createSchool, startServerWithDistCopy, storedEnvelopes, type AppServer } from './app-server';
import { LOCALES } from './locales';
import { makeKey } from './team-key';

const en = LOCALES.en;
const SCHOOL = 'OŠ „Desanka Maksimović“ Niš';
const NEW_PASSPHRASE = 'crveni krov na brdu sedam iznad sela';
const FINGERPRINT = /^[0-9a-f]{4}( [0-9a-f]{4}){4}$/;

function fill(message: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), message);
}

async function expectNoAxeViolations(page: Page, step: string) {
  expect(await axeViolations(page, step)).toEqual([]);
}

async function phone(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  return context;
}

/** The key set version the team page shows. */
async function keySetVersion(page: Page): Promise<number> {
  const text = await page.getByTestId('key-set-version').innerText();
  return Number(/\d+/.exec(text)![0]);
}

/** The team page after a fresh load, once it has checked the key set with the server. */
async function openTeamPage(page: Page, base: string) {
  await page.goto(`${base}/team`);
  await expectMounted(page);
  await expect(page.getByText(en.team_checking)).toHaveCount(0);
}

/** Whether the `age` CLI opens `envelope` with the identity file `identity`. */
function opensWith(envelope: Buffer, identity: string): boolean {
  return spawnSync('age', ['--decrypt', '-i', identity], { input: envelope }).status === 0;
}

/** Quick mode: one sign, then Finish; waits until the team has it. Returns the report id. */
async function sendQuickObservation(page: Page, base: string, server: AppServer): Promise<string> {
  const before = new Set(storedEnvelopes(server).map((report) => report.id));
  await page.goto(`${base}/quick`);
  await expectMounted(page);
  await page.getByTestId('quick-sign').nth(1).click();
  await expect(page).toHaveURL(/\/quick\/[0-9a-f-]{36}$/);
  await page.getByRole('button', { name: en.summary_finish }).click();
  await expect(page.getByTestId('finished')).toBeVisible();
  await expect(page.getByTestId('report-status')).toHaveText(en.report_received);
  const added = storedEnvelopes(server).filter((report) => !before.has(report.id));
  expect(added).toHaveLength(1);
  return added[0].id;
}

/** The key set version a staff phone keeps with its enrolment. */
function phoneKeySetVersion(page: Page): Promise<number | null> {
  return page.evaluate(
    () =>
      new Promise<number | null>((resolve, reject) => {
        const opened = indexedDB.open('prepoznaj');
        opened.onerror = () => reject(opened.error);
        opened.onsuccess = () => {
          const database = opened.result;
          const request = database.transaction('enrolment', 'readonly').objectStore('enrolment').getAll();
          request.onsuccess = () => {
            database.close();
            resolve(request.result[0]?.enrolment?.key_set?.version ?? null);
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

function envelopeOf(server: AppServer, id: string): Buffer {
  const report = storedEnvelopes(server).find((stored) => stored.id === id);
  if (!report) throw new Error(`no report ${id} on the server`);
  return report.envelope;
}

test.describe('team membership and key recovery', () => {
  let server: AppServer;
  let scratch: string;
  test.beforeAll(async () => {
    server = await startServerWithDistCopy();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-members-'));
  });
  test.afterAll(async () => {
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('a member is added by comparing fingerprints, recovers a lost phone, and is removed @android', async ({ browser }) => {
    test.setTimeout(300_000);

    // Member A: the school's first member, from the operator's link.
    const deviceA = await phone(browser);
    const pageA = await deviceA.newPage();
    await pageA.goto(createSchool(server, SCHOOL));
    await expectMounted(pageA);
    const keyA = await makeKey(pageA, 'Marija Petrović', en.setup_register, scratch);
    await expect(pageA).toHaveURL(`${server.url}/team`);
    await expect(pageA.getByText(en.team_checking)).toHaveCount(0);
    const fingerprintA = await pageA.getByTestId('own-fingerprint').innerText();
    expect(fingerprintA).toMatch(FINGERPRINT);
    const versionAlone = await keySetVersion(pageA);
    await expect(pageA.getByTestId('member')).toHaveCount(1);
    await expect(pageA.getByTestId('member')).toContainText(`Marija Petrović (${en.team_you})`);
    // The last member is never offered for removal (nor is anyone else here).
    await expect(pageA.getByRole('button', { name: /Remove/ })).toHaveCount(0);
    await pageA.getByRole('button', { name: en.link_create }).click();
    const enrolmentLink = await pageA.getByTestId('enrolment-link').inputValue();

    // Member B makes a key on their own device and waits with its public key and fingerprint.
    const deviceB = await phone(browser);
    const pageB = await deviceB.newPage();
    await pageB.goto(`${server.url}/team/join`);
    await expectMounted(pageB);
    await expect(pageB.getByRole('heading', { level: 1 })).toHaveText(en.join_title);
    await expectNoAxeViolations(pageB, 'join');
    const keyB = await makeKey(pageB, 'Jovan Jovanović', en.join_save_key, scratch);
    const waitingB = pageB.getByTestId('key-awaiting-link');
    await expect(waitingB).toBeVisible();
    const fingerprintB = await pageB.getByTestId('waiting-fingerprint').innerText();
    expect(fingerprintB).toMatch(FINGERPRINT);
    const publicKeyB = await pageB.getByTestId('waiting-public-key').inputValue();
    expect(publicKeyB).toMatch(/^age1[0-9a-z]{58}$/);
    expect(fs.readFileSync(keyB.identityFile, 'utf8')).toContain(`# public key: ${publicKeyB}`);
    await expect(waitingB.getByTestId('qr-code')).toBeVisible();
    await expectNoAxeViolations(pageB, 'waiting for a set-up link');
    // Reopened, the page shows the same waiting key: no second key is made.
    await pageB.reload();
    await expectMounted(pageB);
    await expect(pageB.getByTestId('waiting-fingerprint')).toHaveText(fingerprintB);
    await pageB.goto(`${server.url}/team`);
    await expectMounted(pageB);
    await expect(pageB.getByTestId('key-awaiting-link')).toContainText(en.team_waiting);
    await expect(pageB.getByTestId('waiting-fingerprint')).toHaveText(fingerprintB);

    // A adds B: a mistyped key is refused; the real one shows B's fingerprint for comparing.
    await pageA.getByLabel(en.add_name).fill('Jovan Jovanović');
    await pageA.getByLabel(en.add_key).fill(publicKeyB.slice(0, 40));
    await pageA.getByRole('button', { name: en.add_check }).click();
    await expect(pageA.getByRole('alert').filter({ hasText: en.add_key_invalid })).toBeVisible();
    // Pasted with line breaks and in capitals, as a chat app might pass it on.
    await pageA.getByLabel(en.add_key).fill(`  ${publicKeyB.slice(0, 31).toUpperCase()}\n${publicKeyB.slice(31)}  `);
    await pageA.getByRole('button', { name: en.add_check }).click();
    await expect(pageA.getByTestId('add-member-fingerprint')).toHaveText(fingerprintB);
    const approve = pageA.getByRole('button', { name: en.add_approve });
    await expect(approve).toBeDisabled();
    await expectNoAxeViolations(pageA, 'add a member: compare');
    await pageA.getByLabel(en.add_match).check();
    await approve.click();
    await expect(pageA.getByTestId('member-added')).toHaveText(fill(en.add_done, { name: 'Jovan Jovanović' }));
    const setupLinkB = await pageA.getByTestId('member-setup-link').inputValue();
    expect(setupLinkB).toMatch(new RegExp(`^${server.url}/team/setup#[A-Za-z0-9_-]{43}$`));
    await expect(pageA.getByTestId('member')).toHaveCount(2);
    const versionWithB = await keySetVersion(pageA);
    expect(versionWithB).toBeGreaterThan(versionAlone);
    await expectNoAxeViolations(pageA, 'member added');

    // B opens the link on their device: the key already there is registered.
    await pageB.goto(setupLinkB);
    await expectMounted(pageB);
    await expect(pageB.getByTestId('own-fingerprint')).toHaveText(fingerprintB);
    await expect(pageB.getByLabel(en.setup_display_name)).toHaveValue('Jovan Jovanović');
    await expectNoAxeViolations(pageB, 'register the waiting key');
    await pageB.getByRole('button', { name: en.setup_register }).click();
    await expect(pageB).toHaveURL(`${server.url}/team`);
    await expect(pageB.getByTestId('own-fingerprint')).toHaveText(fingerprintB);
    await expect(pageB.getByText(en.team_checking)).toHaveCount(0);
    await expect(pageB.getByTestId('member')).toHaveCount(2);
    const versionRegistered = await keySetVersion(pageB);
    expect(versionRegistered).toBeGreaterThanOrEqual(versionWithB);
    // A's page, reloaded, shows the same key set as B's.
    await openTeamPage(pageA, server.url);
    expect(await keySetVersion(pageA)).toBe(versionRegistered);
    await expect(pageA.getByTestId('key-set-fingerprint')).toHaveText(await pageB.getByTestId('key-set-fingerprint').innerText());

    // A staff phone enrolled with the school seals its report to both keys.
    const staff = await phone(browser);
    const staffPage = await staff.newPage();
    await staffPage.goto(enrolmentLink);
    await expectMounted(staffPage);
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: SCHOOL }));
    const beforeRemoval = await sendQuickObservation(staffPage, server.url, server);
    expect(opensWith(envelopeOf(server, beforeRemoval), keyA.identityFile)).toBe(true);
    expect(opensWith(envelopeOf(server, beforeRemoval), keyB.identityFile)).toBe(true);

    // Offline, the team page shows the team as last known and says so.
    await waitForServiceWorkerControl(pageA);
    await deviceA.setOffline(true);
    await pageA.reload();
    await expectMounted(pageA);
    await expect(pageA.getByTestId('members-offline')).toBeVisible();
    await expect(pageA.getByTestId('member')).toHaveCount(2);
    await deviceA.setOffline(false);

    // A loses their phone. On a new one, the key comes back from the recovery code…
    const restoredA = await phone(browser);
    const pageA2 = await restoredA.newPage();
    await pageA2.goto(`${server.url}/team/recover`);
    await expectMounted(pageA2);
    await expect(pageA2.getByRole('heading', { level: 1 })).toHaveText(en.recover_title);
    await expectNoAxeViolations(pageA2, 'recover');
    await pageA2.getByLabel(en.recover_code).fill(keyA.groups.slice(0, 14).join(' '));
    await pageA2.getByLabel(en.setup_display_name).fill('Marija Petrović');
    await pageA2.getByLabel(en.recover_passphrase).fill(NEW_PASSPHRASE);
    await pageA2.getByLabel(en.setup_passphrase_repeat).fill(NEW_PASSPHRASE);
    await pageA2.getByRole('button', { name: en.recover_button }).click();
    await expect(pageA2.getByRole('alert').filter({ hasText: en.recover_code_length })).toBeVisible();
    // Typed in lower case with dashes and group numbers, as people copy it.
    const typed = keyA.groups.map((group, index) => `${index + 1}. ${group.toLowerCase()}`).join(' - ');
    await pageA2.getByLabel(en.recover_code).fill(typed);
    await pageA2.getByRole('button', { name: en.recover_button }).click();
    await expect(pageA2.getByTestId('recovered')).toHaveText(en.recover_done);
    await expect(pageA2.getByTestId('waiting-fingerprint')).toHaveText(fingerprintA);
    await expectNoAxeViolations(pageA2, 'restored, waiting for a set-up link');

    // …and, in another fresh profile, from the recovery file, which opens only with its
    // recovery passphrase: the same key.
    const fromFile = await phone(browser);
    const pageA3 = await fromFile.newPage();
    await pageA3.goto(`${server.url}/team/recover`);
    await expectMounted(pageA3);
    await pageA3.getByLabel(en.recover_file, { exact: true }).setInputFiles(keyA.recoveryFile);
    await expect(pageA3.getByText(en.recover_file_read)).toBeVisible();
    await pageA3.getByLabel(en.setup_display_name).fill('Marija Petrović');
    await pageA3.getByLabel(en.recover_passphrase).fill(NEW_PASSPHRASE);
    await pageA3.getByLabel(en.setup_passphrase_repeat).fill(NEW_PASSPHRASE);
    const words = keyA.recoveryPassphrase.split(' ');
    await pageA3.getByLabel(en.recover_file_passphrase).fill(words.slice(0, 5).join(' '));
    await pageA3.getByRole('button', { name: en.recover_button }).click();
    await expect(pageA3.getByRole('alert').filter({ hasText: en.recover_file_passphrase_wrong })).toBeVisible();
    // Typed back in capitals with extra spaces, as people copy from paper.
    await pageA3.getByLabel(en.recover_file_passphrase).fill(` ${words.join('  ').toUpperCase()} `);
    await pageA3.getByRole('button', { name: en.recover_button }).click();
    await expect(pageA3.getByTestId('waiting-fingerprint')).toHaveText(fingerprintA);
    await fromFile.close();

    // B makes a "lost phone" set-up link for A; the restored device registers with it.
    await openTeamPage(pageB, server.url);
    await pageB.getByRole('button', { name: fill(en.member_renew, { name: 'Marija Petrović' }) }).click();
    const lostPhoneLink = await pageB.getByTestId('renewed-setup-link').inputValue();
    expect(lostPhoneLink).toMatch(new RegExp(`^${server.url}/team/setup#[A-Za-z0-9_-]{43}$`));
    await expectNoAxeViolations(pageB, 'lost phone link');
    await pageA2.goto(lostPhoneLink);
    await expectMounted(pageA2);
    await expect(pageA2.getByTestId('own-fingerprint')).toHaveText(fingerprintA);
    await pageA2.getByRole('button', { name: en.setup_register }).click();
    await expect(pageA2).toHaveURL(`${server.url}/team`);
    await expect(pageA2.getByTestId('own-fingerprint')).toHaveText(fingerprintA);
    await expect(pageA2.getByTestId('team-member-of')).toHaveText(fill(en.setup_done, { school: SCHOOL }));
    await expect(pageA2.getByText(en.team_checking)).toHaveCount(0);
    await expect(pageA2.getByTestId('member')).toHaveCount(2);
    // The restored device reads, in its inbox, the report sent before the phone was lost.
    await pageA2.getByTestId('open-inbox').click();
    await expect(pageA2).toHaveURL(`${server.url}/inbox`);
    await pageA2.getByLabel(en.inbox_passphrase).fill(NEW_PASSPHRASE);
    await pageA2.getByRole('button', { name: en.inbox_unlock }).click();
    const sentBefore = pageA2.locator(`[data-testid="inbox-report"][data-id="${beforeRemoval}"]`);
    await expect(sentBefore).toBeVisible();
    await sentBefore.getByRole('link').click();
    await expect(pageA2).toHaveURL(`${server.url}/inbox/${beforeRemoval}`);
    await expect(pageA2.getByTestId('assessment')).toBeVisible();
    await expect(pageA2.locator('[data-answer="observed"]')).toHaveCount(1);
    await openTeamPage(pageA2, server.url);
    // The lost phone's token no longer works.
    await openTeamPage(pageA, server.url);
    await expect(pageA.getByTestId('membership-ended')).toHaveText(en.team_replaced);
    await expect(pageA.getByRole('button', { name: en.link_create })).toHaveCount(0);

    // A, on the restored device, removes B after a confirmation.
    const versionBeforeRemoval = await keySetVersion(pageA2);
    await pageA2.getByRole('button', { name: fill(en.member_remove, { name: 'Jovan Jovanović' }) }).click();
    const dialog = pageA2.getByRole('alertdialog', { name: en.member_remove_label });
    await expect(dialog).toContainText(fill(en.member_remove_question, { name: 'Jovan Jovanović' }));
    await expectNoAxeViolations(pageA2, 'remove a member: confirm');
    await dialog.getByRole('button', { name: en.member_remove_confirm, exact: true }).click();
    await expect(pageA2.getByTestId('member-removed')).toHaveText(fill(en.member_removed, { name: 'Jovan Jovanović' }));
    await expect(pageA2.getByTestId('member')).toHaveCount(1);
    const versionAfterRemoval = await keySetVersion(pageA2);
    expect(versionAfterRemoval).toBeGreaterThan(versionBeforeRemoval);
    await expect(pageA2.getByRole('button', { name: /Remove/ })).toHaveCount(0);
    await expectNoAxeViolations(pageA2, 'member removed');

    // B's device says B is no longer a member.
    await openTeamPage(pageB, server.url);
    await expect(pageB.getByTestId('membership-ended')).toHaveText(fill(en.team_removed, { school: SCHOOL }));
    await expect(pageB.getByTestId('member')).toHaveCount(0);
    await expectNoAxeViolations(pageB, 'no longer a member');

    // The staff phone picks up the new key set when the app starts again; its next report is
    // sealed to A only. The report sent before still opens with B's key.
    await staffPage.goto(`${server.url}/observe`);
    await expectMounted(staffPage);
    await expect.poll(() => phoneKeySetVersion(staffPage), { timeout: 20_000 }).toBe(versionAfterRemoval);
    const afterRemoval = await sendQuickObservation(staffPage, server.url, server);
    expect(opensWith(envelopeOf(server, afterRemoval), keyA.identityFile)).toBe(true);
    expect(opensWith(envelopeOf(server, afterRemoval), keyB.identityFile)).toBe(false);
    expect(opensWith(envelopeOf(server, beforeRemoval), keyB.identityFile)).toBe(true);

    for (const context of [deviceA, deviceB, restoredA, staff]) await context.close();
  });
});
