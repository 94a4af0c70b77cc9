// Team membership and key recovery, through the app on separate devices (browser contexts)
// of one server: member A sets up with the operator's link (founding the team's key chain);
// B makes keys on their own device (/team/join), A adds B after comparing the fingerprint
// (a signed chain version: the history names who added whom), B registers with the set-up
// link A got (unlocking the key to sign it); a staff phone's reports are then sealed to both
// keys (checked with the `age` CLI and B's recovery file). A server that alters the chain (a
// member slipped in, or an older version) is flagged on A's team page with the reason, and
// the members stay those A's device verified. A loses their phone: A's keys are restored in
// fresh profiles from the printed recovery code alone (a mistyped group is named) and from the
// recovery file: the same two keys, the chain's own, so B makes a new set-up link without a
// new chain version and the restored device registers and signs an enrolment link. A copy
// printed before the code held the signing key (groups 1–15) restores the age key with a new
// signing key, and the page says so: B registers those keys with a signed chain version that
// gives the "lost phone" link, the restored device registers with it, reads in its inbox the report
// sent before the phone was lost, and A's old device is refused. A removes B (a first try
// that meets a conflicting version asks to try again, after fetching the chain): the chain's
// version rises, B's device says B is no longer a member, and a report made after the
// removal no longer opens with B's key while one made before still does. Zero axe
// violations on every new screen. In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted, waitForServiceWorkerControl } from './app';
import { tapQuickSign } from './app-lock';
import { createSchool, startServerWithDistCopy, storedEnvelopes, type AppServer } from './app-server';
import { LOCALES } from './locales';
import { makeKey, PASSPHRASE, unlockToSign } from './team-key';

const en = LOCALES.en;
const SCHOOL = 'OŠ „Desanka Maksimović“ Niš';
const NEW_PASSPHRASE = 'crveni krov na brdu sedam iznad sela';
const FINGERPRINT = /^[0-9a-f]{4}( [0-9a-f]{4}){4}$/;
/** The keys a device shows to be added: its age public key and its signing key. */
const MEMBER_KEYS = /^age1[0-9a-z]{58}:[0-9a-f]{64}$/;
/** A member's set-up link made on a team device: the code and the school it is for. */
const MEMBER_SETUP_LINK = '/team/setup#[A-Za-z0-9_-]{43}\\.[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
/** An attacker's age key and a valid Ed25519 public key (RFC 8032, test 1). */
const ATTACKER = {
  id: '0192f3a4-0004-7000-8000-00000000000e',
  display_name: 'Attacker',
  recipient: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
  signing_key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  added_at: 1_796_548_041_710,
};

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

/** The history lines of the team's key chain, newest first. */
function history(page: Page) {
  return page.getByTestId('history-text');
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
  await tapQuickSign(page, page.getByTestId('quick-sign').nth(1));
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
    await unlockToSign(pageA);
    const enrolmentLink = await pageA.getByTestId('enrolment-link').inputValue();

    // Member B makes keys on their own device and waits with them and the fingerprint.
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
    const keysB = await pageB.getByTestId('waiting-public-key').inputValue();
    expect(keysB).toMatch(MEMBER_KEYS);
    const publicKeyB = keysB.split(':')[0];
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

    // A adds B: keys cut short, or the age key alone, are refused saying what is wrong; the
    // real ones show B's fingerprint for comparing.
    await pageA.getByLabel(en.add_name).fill('Jovan Jovanović');
    await pageA.getByLabel(en.add_key).fill(publicKeyB);
    await pageA.getByRole('button', { name: en.add_check }).click();
    await expect(pageA.getByRole('alert').filter({ hasText: en.add_keys_shape })).toBeVisible();
    await pageA.getByLabel(en.add_key).fill(keysB.slice(0, keysB.length - 2));
    await pageA.getByRole('button', { name: en.add_check }).click();
    await expect(pageA.getByRole('alert').filter({ hasText: en.add_keys_signing })).toBeVisible();
    await pageA.getByLabel(en.add_key).fill(`${publicKeyB.slice(0, 40)}:${keysB.split(':')[1]}`);
    await pageA.getByRole('button', { name: en.add_check }).click();
    await expect(pageA.getByRole('alert').filter({ hasText: en.add_keys_recipient })).toBeVisible();
    // Pasted with line breaks and in capitals, as a chat app might pass it on.
    await pageA.getByLabel(en.add_key).fill(`  ${keysB.slice(0, 31).toUpperCase()}\n${keysB.slice(31)}  `);
    await pageA.getByRole('button', { name: en.add_check }).click();
    await expect(pageA.getByTestId('add-member-fingerprint')).toHaveText(fingerprintB);
    const approve = pageA.getByRole('button', { name: en.add_approve });
    await expect(approve).toBeDisabled();
    await expectNoAxeViolations(pageA, 'add a member: compare');
    await pageA.getByLabel(en.add_match).check();
    await approve.click();
    await expect(pageA.getByTestId('member-added')).toHaveText(fill(en.add_done, { name: 'Jovan Jovanović' }));
    const setupLinkB = await pageA.getByTestId('member-setup-link').inputValue();
    expect(setupLinkB).toMatch(new RegExp(`^${server.url}${MEMBER_SETUP_LINK}`));
    await expect(pageA.getByTestId('member')).toHaveCount(2);
    const versionWithB = await keySetVersion(pageA);
    expect(versionWithB).toBe(versionAlone + 1);
    // The history: who added whom, signed on A's device.
    await expect(history(pageA)).toHaveText([
      fill(en.history_added, { number: versionWithB, name: 'Jovan Jovanović', signer: 'Marija Petrović' }),
      fill(en.history_founded, { number: versionAlone, name: 'Marija Petrović' }),
    ]);
    await expectNoAxeViolations(pageA, 'member added');

    // B opens the link on their device: the keys already there are registered, the request
    // signed with the key unlocked by B's passphrase (a wrong one says so).
    await pageB.goto(setupLinkB);
    await expectMounted(pageB);
    await expect(pageB.getByTestId('own-fingerprint')).toHaveText(fingerprintB);
    await expect(pageB.getByLabel(en.setup_display_name)).toHaveValue('Jovan Jovanović');
    await expectNoAxeViolations(pageB, 'register the waiting key');
    await pageB.getByLabel(en.inbox_passphrase).fill(`${PASSPHRASE}!`);
    await pageB.getByRole('button', { name: en.setup_register }).click();
    await expect(pageB.getByRole('alert').filter({ hasText: en.inbox_wrong_passphrase })).toBeVisible();
    await pageB.getByLabel(en.inbox_passphrase).fill(PASSPHRASE);
    await pageB.getByRole('button', { name: en.setup_register }).click();
    await expect(pageB).toHaveURL(`${server.url}/team`);
    await expect(pageB.getByTestId('own-fingerprint')).toHaveText(fingerprintB);
    await expect(pageB.getByText(en.team_checking)).toHaveCount(0);
    await expect(pageB.getByTestId('member')).toHaveCount(2);
    const versionRegistered = await keySetVersion(pageB);
    expect(versionRegistered).toBe(versionWithB);
    await expect(history(pageB)).toHaveCount(2);
    // A's page, reloaded, shows the same key set as B's.
    await openTeamPage(pageA, server.url);
    expect(await keySetVersion(pageA)).toBe(versionRegistered);
    await expect(pageA.getByTestId('key-set-fingerprint')).toHaveText(await pageB.getByTestId('key-set-fingerprint').innerText());
    await expect(pageA.getByTestId('chain-warning')).toHaveCount(0);

    // The server alters the chain A's device fetches. A member slipped into the version A's
    // device already verified is flagged with the reason (that version differs from the one
    // it verified), and the members stay the ones A's device verified…
    const membersA = await pageA.getByTestId('member-name').allInnerTexts();
    await pageA.route('**/api/v1/team/keys', async (route) => {
      const response = await route.fetch();
      const keys = await response.json();
      keys.chain.at(-1).version.members.push(ATTACKER);
      await route.fulfill({ response, json: keys });
    });
    await openTeamPage(pageA, server.url);
    await expect(pageA.getByTestId('chain-warning')).toContainText(en.chain_warning);
    await expect(pageA.getByTestId('chain-warning-reason')).toHaveText(
      fill(en.chain_error_fork, { number: versionRegistered }),
    );
    await expect(pageA.getByTestId('member-name')).toHaveText(membersA);
    expect(await keySetVersion(pageA)).toBe(versionRegistered);
    await expectNoAxeViolations(pageA, 'chain warning');
    // …and so is a chain cut back to an older version (a rollback).
    await pageA.unroute('**/api/v1/team/keys');
    await pageA.route('**/api/v1/team/keys', async (route) => {
      const response = await route.fetch();
      const keys = await response.json();
      keys.chain.pop();
      await route.fulfill({ response, json: keys });
    });
    await openTeamPage(pageA, server.url);
    await expect(pageA.getByTestId('chain-warning-reason')).toHaveText(
      fill(en.chain_error_rollback, { pinned: versionRegistered, offered: versionRegistered - 1 }),
    );
    await expect(pageA.getByTestId('member-name')).toHaveText(membersA);
    // The server's own chain verifies again: no warning.
    await pageA.unroute('**/api/v1/team/keys');
    await openTeamPage(pageA, server.url);
    await expect(pageA.getByTestId('chain-warning')).toHaveCount(0);
    await expect(pageA.getByTestId('member-name')).toHaveText(membersA);

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

    // A loses their phone. On a new one, both keys come back from the printed recovery code
    // alone…
    const fromCode = await phone(browser);
    const pageAC = await fromCode.newPage();
    await pageAC.goto(`${server.url}/team/recover`);
    await expectMounted(pageAC);
    await expect(pageAC.getByRole('heading', { level: 1 })).toHaveText(en.recover_title);
    await expectNoAxeViolations(pageAC, 'recover');
    await pageAC.getByLabel(en.recover_code).fill(keyA.groups.slice(0, 14).join(' '));
    await pageAC.getByLabel(en.setup_display_name).fill('Marija Petrović');
    await pageAC.getByLabel(en.recover_passphrase).fill(NEW_PASSPHRASE);
    await pageAC.getByLabel(en.setup_passphrase_repeat).fill(NEW_PASSPHRASE);
    await pageAC.getByRole('button', { name: en.recover_button }).click();
    await expect(pageAC.getByRole('alert').filter({ hasText: en.recover_code_length })).toBeVisible();
    // One character copied wrong in group 20: the checksum of the signing key's part says where.
    const misread = keyA.groups.map((group, index) => (index === 19 ? `${group[0] === 'Q' ? 'P' : 'Q'}${group.slice(1)}` : group));
    await pageAC.getByLabel(en.recover_code).fill(misread.join(' '));
    await pageAC.getByRole('button', { name: en.recover_button }).click();
    await expect(pageAC.getByRole('alert').filter({ hasText: fill(en.recover_code_mistake_groups, { first: 16, last: 30 }) })).toBeVisible();
    // Typed in lower case with dashes and group numbers, as people copy it.
    const typed = keyA.groups.map((group, index) => `${index + 1}. ${group.toLowerCase()}`).join(' - ');
    await pageAC.getByLabel(en.recover_code).fill(typed);
    await pageAC.getByRole('button', { name: en.recover_button }).click();
    await expect(pageAC.getByTestId('recovered')).toHaveText(en.recover_done);
    await expect(pageAC.getByTestId('waiting-fingerprint')).toHaveText(fingerprintA);
    await expect(pageAC.getByTestId('recovered-new-signing-key')).toHaveCount(0);
    const keysAC = await pageAC.getByTestId('waiting-public-key').inputValue();
    expect(keysAC).toMatch(MEMBER_KEYS);
    await expectNoAxeViolations(pageAC, 'restored, waiting for a set-up link');

    // …and, in another fresh profile, from the recovery file, which opens only with its
    // recovery passphrase: the same keys.
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
    // The recovery file and the printed code hold the same two keys.
    await expect(pageA3.getByTestId('waiting-public-key')).toHaveValue(keysAC);
    await fromFile.close();

    // Restored from the printed code, A's keys are the ones the chain lists: B's device makes
    // a new set-up link for them (signed), and the chain stays as it was. The restored device
    // registers with it and signs a team change (an enrolment link) with the code's signing key.
    await openTeamPage(pageB, server.url);
    const lostForm = pageB.getByTestId('lost-device-form');
    await pageB.getByRole('button', { name: fill(en.member_renew, { name: 'Marija Petrović' }) }).click();
    await lostForm.getByLabel(en.lost_keys).fill(keysAC);
    await lostForm.getByRole('button', { name: en.add_check }).click();
    await expect(lostForm.getByTestId('lost-device-fingerprint')).toHaveText(fingerprintA);
    await expectNoAxeViolations(pageB, 'lost phone: compare');
    await lostForm.getByLabel(en.add_match).check();
    await lostForm.getByRole('button', { name: en.lost_approve }).click();
    await unlockToSign(pageB);
    const sameKeysLink = await pageB.getByTestId('renewed-setup-link').inputValue();
    expect(sameKeysLink).toMatch(new RegExp(`^${server.url}${MEMBER_SETUP_LINK}`));
    expect(await keySetVersion(pageB)).toBe(versionRegistered);
    await pageAC.goto(sameKeysLink);
    await expectMounted(pageAC);
    await expect(pageAC.getByTestId('own-fingerprint')).toHaveText(fingerprintA);
    await pageAC.getByLabel(en.inbox_passphrase).fill(NEW_PASSPHRASE);
    await pageAC.getByRole('button', { name: en.setup_register }).click();
    await expect(pageAC).toHaveURL(`${server.url}/team`);
    await expect(pageAC.getByTestId('team-member-of')).toHaveText(fill(en.setup_done, { school: SCHOOL }));
    await openTeamPage(pageAC, server.url);
    await expect(pageAC.getByTestId('chain-warning')).toHaveCount(0);
    expect(await keySetVersion(pageAC)).toBe(versionRegistered);
    await pageAC.getByRole('button', { name: en.link_create }).click();
    await unlockToSign(pageAC, NEW_PASSPHRASE);
    await expect(pageAC.getByTestId('enrolment-link')).toHaveValue(new RegExp(`^${server.url}/enrol#[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$`));
    await expect(pageAC.getByTestId('member-error')).toHaveCount(0);

    // A copy printed before the code carried the signing key (groups 1–15, the age key alone)
    // restores the age key; the device makes a new signing key and says that another member
    // must register it.
    const restoredA = await phone(browser);
    const pageA2 = await restoredA.newPage();
    await pageA2.goto(`${server.url}/team/recover`);
    await expectMounted(pageA2);
    await pageA2.getByLabel(en.recover_code).fill(keyA.groups.slice(0, 15).join(' '));
    await pageA2.getByLabel(en.setup_display_name).fill('Marija Petrović');
    await pageA2.getByLabel(en.recover_passphrase).fill(NEW_PASSPHRASE);
    await pageA2.getByLabel(en.setup_passphrase_repeat).fill(NEW_PASSPHRASE);
    await pageA2.getByRole('button', { name: en.recover_button }).click();
    await expect(pageA2.getByTestId('recovered')).toHaveText(en.recover_done);
    await expect(pageA2.getByTestId('recovered-new-signing-key')).toHaveText(en.recover_new_signing_key);
    await expect(pageA2.getByTestId('waiting-fingerprint')).toHaveText(fingerprintA);
    const keysA2 = await pageA2.getByTestId('waiting-public-key').inputValue();
    expect(keysA2).toMatch(MEMBER_KEYS);
    expect(keysA2.split(':')[0]).toBe(keysAC.split(':')[0]);
    expect(keysA2).not.toBe(keysAC);
    await expectNoAxeViolations(pageA2, 'restored from an older code');

    // Restored from the older code, A's device has a new signing key: B registers those keys
    // (compared by fingerprint) with a signed chain version that gives the "lost phone" set-up
    // link; the restored device registers with it.
    await pageB.getByRole('button', { name: fill(en.member_renew, { name: 'Marija Petrović' }) }).click();
    await lostForm.getByLabel(en.lost_keys).fill(keysA2);
    await lostForm.getByRole('button', { name: en.add_check }).click();
    await expect(lostForm.getByTestId('lost-device-fingerprint')).toHaveText(fingerprintA);
    await lostForm.getByLabel(en.add_match).check();
    await lostForm.getByRole('button', { name: en.lost_approve }).click();
    await expect(pageB.getByTestId('renewed-setup-link')).not.toHaveValue(sameKeysLink);
    const lostPhoneLink = await pageB.getByTestId('renewed-setup-link').inputValue();
    expect(lostPhoneLink).toMatch(new RegExp(`^${server.url}${MEMBER_SETUP_LINK}`));
    await expect(history(pageB).first()).toHaveText(
      fill(en.history_reregistered, { number: versionRegistered + 1, name: 'Marija Petrović', signer: 'Jovan Jovanović' }),
    );
    await expectNoAxeViolations(pageB, 'lost phone link');
    await pageA2.goto(lostPhoneLink);
    await expectMounted(pageA2);
    await expect(pageA2.getByTestId('own-fingerprint')).toHaveText(fingerprintA);
    await pageA2.getByLabel(en.inbox_passphrase).fill(NEW_PASSPHRASE);
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
    // The lost phone's token no longer works, nor that of the device the newer keys replaced.
    for (const replaced of [pageA, pageAC]) {
      await openTeamPage(replaced, server.url);
      await expect(replaced.getByTestId('membership-ended')).toHaveText(en.team_replaced);
      await expect(replaced.getByRole('button', { name: en.link_create })).toHaveCount(0);
    }

    // A, on the restored device, removes B after a confirmation. The first try meets another
    // version appended first (409 chain_conflict): the device fetches the chain again and asks
    // A to try again; the second try goes through.
    const versionBeforeRemoval = await keySetVersion(pageA2);
    await pageA2.route('**/api/v1/team/chain', (route) =>
      route.fulfill({ status: 409, json: { code: 'chain_conflict', message: 'another version came first' } }),
    );
    await pageA2.getByRole('button', { name: fill(en.member_remove, { name: 'Jovan Jovanović' }) }).click();
    const dialog = pageA2.getByRole('alertdialog', { name: en.member_remove_label });
    await expect(dialog).toContainText(fill(en.member_remove_question, { name: 'Jovan Jovanović' }));
    await expectNoAxeViolations(pageA2, 'remove a member: confirm');
    await dialog.getByRole('button', { name: en.member_remove_confirm, exact: true }).click();
    const refetched = pageA2.waitForRequest((request) => request.url().endsWith('/api/v1/team/keys'));
    await unlockToSign(pageA2, NEW_PASSPHRASE);
    await expect(pageA2.getByTestId('member-error')).toHaveText(en.error_chain_conflict);
    await refetched;
    await expect(pageA2.getByTestId('member')).toHaveCount(2);
    await pageA2.unroute('**/api/v1/team/chain');
    await pageA2.getByRole('button', { name: fill(en.member_remove, { name: 'Jovan Jovanović' }) }).click();
    await dialog.getByRole('button', { name: en.member_remove_confirm, exact: true }).click();
    await expect(pageA2.getByTestId('member-removed')).toHaveText(fill(en.member_removed, { name: 'Jovan Jovanović' }));
    await expect(pageA2.getByTestId('member')).toHaveCount(1);
    const versionAfterRemoval = await keySetVersion(pageA2);
    expect(versionAfterRemoval).toBe(versionBeforeRemoval + 1);
    await expect(history(pageA2).first()).toHaveText(
      fill(en.history_removed, { number: versionAfterRemoval, name: 'Jovan Jovanović', signer: 'Marija Petrović' }),
    );
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

    for (const context of [deviceA, deviceB, fromCode, restoredA, staff]) await context.close();
  });
});
