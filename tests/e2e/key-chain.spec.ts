// A staff phone trusts only the team key chain it verified, on the real server, with two
// browser profiles: a team member's device (set up through the real pages) and a staff
// phone. A Playwright route on the staff phone plays a hostile server: every answer that
// carries the chain (POST /api/v1/devices, GET /api/v1/keys) gains a version that adds an
// attacker's `age1…` recipient (made by `age-keygen`), numbered next and linked to the head,
// but signed by nobody in the team.
// - At enrolment: the phone refuses, says the keys do not match the link, stores nothing and
//   sends nothing; a link without a pin is refused before any request.
// - After a proper enrolment: the next report still reaches the team (the member's inbox
//   opens it), the attacker's key opens nothing the phone sent (every POSTed envelope is
//   captured), and every screen, in every bundle, shows the warning with the reason and the
//   pinned keys' fingerprint.
// - A member added properly on the team device is picked up by the phone's next key check
//   (the warning clears) and can read the next report.
// - A phone enrolled with one school that opens another school's link is asked first, with
//   both fingerprints; "Keep" changes nothing, "Switch" seals what waits to the new school.
// In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectMounted, waitForServiceWorkerControl } from './app';
import { tapQuickSign } from './app-lock';
import { createHash } from 'node:crypto';
import { createSchool, setUpTeam, storedEnvelopes, startServerWithDistCopy, type AppServer, type Team } from './app-server';
import { LOCALES, plural, type PluralMessage } from './locales';
import { ageKey, checkAgainstGoldenFiles, headRecipients, withAddedRecipient } from './team-chain';
import { makeKey, PASSPHRASE, unlockToSign, type MadeKey } from './team-key';

const en = LOCALES.en;
const SCHOOL = 'ОШ „Јован Јовановић Змај“ Сремска Каменица';
const FINGERPRINT = /^[0-9a-f]{4}( [0-9a-f]{4}){4}$/;

function fill(message: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), message);
}

async function phone(browser: Browser, options: { serviceWorkers?: 'allow' | 'block' } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, ...options });
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  return context;
}

/** Whether the `age` CLI opens `envelope` with the identity file `identity`. */
function opensWith(envelope: Buffer, identity: string): boolean {
  return spawnSync('age', ['--decrypt', '-i', identity], { input: envelope }).status === 0;
}

/** Waits for `done` after a signed change on the team page, answering the passphrase prompt if the key is locked. */
async function signed(page: Page, done: ReturnType<Page['getByTestId']>) {
  const prompt = page.getByTestId('sign-unlock');
  await expect(done.or(prompt)).toBeVisible();
  if (await prompt.isVisible()) await unlockToSign(page);
  await expect(done).toBeVisible();
}

/** The team's first member, set up on `page` through the real set-up page; returns their key and an enrolment link. */
async function foundTeam(page: Page, server: AppServer, scratch: string): Promise<{ key: MadeKey; enrolmentLink: string }> {
  await page.goto(createSchool(server, SCHOOL));
  await expectMounted(page);
  const key = await makeKey(page, 'Marija Petrović', en.setup_register, scratch);
  await expect(page).toHaveURL(`${server.url}/team`);
  await expect(page.getByText(en.team_checking)).toHaveCount(0);
  await page.getByRole('button', { name: en.link_create }).click();
  await signed(page, page.getByTestId('enrolment-link'));
  const enrolmentLink = await page.getByTestId('enrolment-link').inputValue();
  expect(enrolmentLink).toMatch(new RegExp(`^${server.url}/enrol#[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$`));
  return { key, enrolmentLink };
}

/** Every answer that carries the chain, from now on, as a hostile server would rewrite it. */
async function rewriteChains(context: BrowserContext, attackerRecipient: string): Promise<{ rewritten: () => number }> {
  let rewritten = 0;
  await context.route(/\/api\/v1\/(keys|devices)$/, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    if (Array.isArray(body.chain)) {
      body.chain = withAddedRecipient(body.chain, attackerRecipient);
      rewritten += 1;
    }
    await route.fulfill({ response, json: body });
  });
  return { rewritten: () => rewritten };
}

/** Every envelope the phone POSTs to the server, as sent. */
function captureEnvelopes(context: BrowserContext): Buffer[] {
  const envelopes: Buffer[] = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/reports') {
      envelopes.push(Buffer.from(request.postDataJSON().envelope, 'base64'));
    }
  });
  return envelopes;
}

/** Quick mode: one sign, then Finish; waits until the server has it. Returns the report id. */
async function sendQuickObservation(page: Page, base: string): Promise<string> {
  await page.goto(`${base}/quick`);
  await expectMounted(page);
  await tapQuickSign(page, page.getByTestId('quick-sign').nth(1));
  await expect(page).toHaveURL(/\/quick\/[0-9a-f-]{36}$/);
  const id = /\/quick\/([0-9a-f-]{36})$/.exec(page.url())![1];
  await page.getByRole('button', { name: en.summary_finish }).click();
  await expect(page.getByTestId('finished')).toBeVisible();
  await expect(page.getByTestId('report-status')).toHaveText(en.report_received);
  return id;
}

/** The phone's enrolment record, its outbox's size and its observations' statuses, as stored in IndexedDB. */
function phoneStorage(page: Page): Promise<{ enrolment: unknown; outbox: number; statuses: string[] }> {
  return page.evaluate(
    () =>
      new Promise<{ enrolment: unknown; outbox: number; statuses: string[] }>((resolve, reject) => {
        const opened = indexedDB.open('prepoznaj');
        opened.onerror = () => reject(opened.error);
        opened.onsuccess = () => {
          const database = opened.result;
          const transaction = database.transaction(['enrolment', 'outbox', 'observations'], 'readonly');
          const enrolment = transaction.objectStore('enrolment').get('this-phone');
          const outbox = transaction.objectStore('outbox').count();
          const observations = transaction.objectStore('observations').getAll();
          transaction.oncomplete = () => {
            database.close();
            resolve({
              enrolment: enrolment.result ?? null,
              outbox: outbox.result,
              statuses: observations.result.map((record) => String(record.status)),
            });
          };
          transaction.onerror = () => reject(transaction.error);
        };
      }),
  );
}

/** The keys warning on the screen at `route`: headline, reason, and the pinned keys. */
async function expectWarningOn(page: Page, base: string, route: string, reason: string, pinnedFingerprint: string) {
  await page.goto(`${base}${route}`);
  await expectMounted(page);
  const warning = page.getByTestId('sync-keys-refused');
  await expect(warning, route).toBeVisible();
  await expect(warning.getByText(en.sync_keys_refused), route).toBeVisible();
  await expect(warning.getByTestId('sync-keys-reason'), route).toHaveText(reason);
  await expect(warning.getByTestId('sync-keys-pinned'), route).toHaveText(
    fill(en.sync_keys_pinned, { version: 1, fingerprint: pinnedFingerprint }),
  );
}

/** The fingerprint of a key set as phones show it: SHA-256 of the sorted recipients, one a line, first 10 bytes in groups. */
function keySetFingerprint(recipients: string[]): string {
  const text = [...new Set(recipients)].sort().map((recipient) => `${recipient}\n`).join('');
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 20);
  return hex.match(/.{4}/g)!.join(' ');
}

/** The name of the school the phone's stored enrolment sends to. */
function enrolledSchool(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      new Promise<string | null>((resolve, reject) => {
        const opened = indexedDB.open('prepoznaj');
        opened.onerror = () => reject(opened.error);
        opened.onsuccess = () => {
          const read = opened.result.transaction('enrolment').objectStore('enrolment').get('this-phone');
          read.onsuccess = () => resolve(read.result?.enrolment?.school?.name ?? null);
          read.onerror = () => reject(read.error);
        };
      }),
  );
}

test('the chain bytes this spec forges with are the domain crate’s golden ones', () => {
  checkAgainstGoldenFiles(process.cwd());
});

test.describe('a staff phone pins the team key chain', () => {
  let server: AppServer;
  let scratch: string;
  let attacker: { identityFile: string; recipient: string };
  test.beforeEach(async () => {
    server = await startServerWithDistCopy();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-key-chain-'));
    attacker = ageKey(scratch, 'attacker');
  });
  test.afterEach(async () => {
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('keys rewritten at enrolment: the phone is not enrolled, stores nothing and sends nothing @android', async ({ browser }) => {
    test.setTimeout(180_000);
    const member = await phone(browser);
    const { key, enrolmentLink } = await foundTeam(await member.newPage(), server, scratch);

    const staff = await phone(browser);
    const staffPage = await staff.newPage();
    const apiRequests: string[] = [];
    staff.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/v1/')) apiRequests.push(`${request.method()} ${url.pathname}`);
    });
    // A report finished before enrolment waits on the phone.
    await staffPage.goto(`${server.url}/quick`);
    await expectMounted(staffPage);
    await tapQuickSign(staffPage, staffPage.getByTestId('quick-sign').nth(1));
    await staffPage.getByRole('button', { name: en.summary_finish }).click();
    await expect(staffPage.getByTestId('not-enrolled')).toHaveText(en.finish_not_enrolled);

    // A link of the old form (no pin), or cut short: refused before anything is sent.
    for (const link of [enrolmentLink.slice(0, enrolmentLink.lastIndexOf('.')), enrolmentLink.slice(0, -5)]) {
      apiRequests.length = 0;
      await staffPage.goto('about:blank');
      await staffPage.goto(link);
      await expectMounted(staffPage);
      await expect(staffPage.getByTestId('enrol-error')).toHaveText(en.enrol_old_link);
      await expect(staffPage.getByRole('button', { name: en.enrol_button })).toHaveCount(0);
      expect(apiRequests.filter((request) => /link-checks|devices/.test(request))).toEqual([]);
    }

    // The whole link, with the server's answer rewritten: not enrolled.
    const forging = await rewriteChains(staff, attacker.recipient);
    await staffPage.goto('about:blank');
    await staffPage.goto(enrolmentLink);
    await expectMounted(staffPage);
    apiRequests.length = 0;
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrol-error')).toHaveText(en.enrol_keys_mismatch);
    expect(forging.rewritten()).toBe(1);
    await expect(staffPage.getByTestId('enrolled')).toHaveCount(0);
    const stored = await phoneStorage(staffPage);
    expect(stored.enrolment).toBeNull();
    expect(stored.outbox).toBe(0);
    expect(stored.statuses).toEqual(['complete']);
    // The phone still counts its report as waiting for an enrolment, and sent nothing.
    await staffPage.goto(`${server.url}/observe`);
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('sync-not-enrolled')).toHaveText(fill(en.sync_not_enrolled, { count: 1 }));
    expect(apiRequests.filter((request) => request.startsWith('POST /api/v1/reports'))).toEqual([]);

    // Without the rewrite the same link enrols, and the waiting report is sealed to the team.
    await staff.unrouteAll({ behavior: 'wait' });
    await staffPage.goto('about:blank');
    await staffPage.goto(enrolmentLink);
    await expectMounted(staffPage);
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: SCHOOL }));
    await expect(staffPage.getByTestId('waiting-unlock')).toHaveText(fill(en.enrol_waiting_unlock, { count: 1 }));
    expect((await phoneStorage(staffPage)).outbox).toBe(0);
    // The next unlock seals it to the verified team and sends it.
    await staffPage.goto(`${server.url}/observe`);
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('sync-status')).toHaveAttribute('data-waiting', '0');
    const sent = storedEnvelopes(server);
    expect(sent).toHaveLength(1);
    expect(opensWith(sent[0].envelope, key.identityFile)).toBe(true);
    expect(opensWith(sent[0].envelope, attacker.identityFile)).toBe(false);
    for (const context of [member, staff]) await context.close();
  });

  test('keys rewritten after enrolment: reports still reach only the team, every screen warns; a member added properly is picked up @android', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const member = await phone(browser);
    const teamPage = await member.newPage();
    const { key: keyA, enrolmentLink } = await foundTeam(teamPage, server, scratch);
    const teamFingerprint = await teamPage.getByTestId('key-set-fingerprint').innerText();
    expect(teamFingerprint).toMatch(FINGERPRINT);

    // A proper enrolment.
    const staff = await phone(browser);
    const envelopes = captureEnvelopes(staff);
    const staffPage = await staff.newPage();
    await staffPage.goto(enrolmentLink);
    await expectMounted(staffPage);
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: SCHOOL }));
    await expect(staffPage.getByTestId('key-set-fingerprint')).toHaveText(teamFingerprint);
    await waitForServiceWorkerControl(staffPage);

    // From now on the server adds the attacker's key. The phone's next key check refuses it.
    const forging = await rewriteChains(staff, attacker.recipient);
    await staffPage.goto(`${server.url}/observe`);
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('sync-keys-refused')).toBeVisible();
    expect(forging.rewritten()).toBeGreaterThan(0);
    const reportId = await sendQuickObservation(staffPage, server.url);

    // Every screen, in every bundle, says so, with the reason and the keys still used.
    for (const route of ['/', '/settings', '/observe', '/quick', '/guidance', '/contacts', '/enrol']) {
      await expectWarningOn(staffPage, server.url, route, en.sync_keys_unsigned, teamFingerprint);
    }
    // The enrolment page shows the pinned keys, not the server's.
    await expect(staffPage.getByTestId('key-set-fingerprint')).toHaveText(teamFingerprint);

    // The attacker's key opens nothing the phone sent; the team's does.
    expect(envelopes.length).toBeGreaterThan(0);
    for (const envelope of envelopes) {
      expect(opensWith(envelope, attacker.identityFile)).toBe(false);
      expect(opensWith(envelope, keyA.identityFile)).toBe(true);
    }
    // The team member's inbox opens the report.
    await teamPage.goto(`${server.url}/team`);
    await expectMounted(teamPage);
    await teamPage.getByTestId('open-inbox').click();
    await expect(teamPage).toHaveURL(`${server.url}/inbox`);
    await teamPage.getByLabel(en.inbox_passphrase).fill(PASSPHRASE);
    await teamPage.getByRole('button', { name: en.inbox_unlock }).click();
    const row = teamPage.locator(`[data-testid="inbox-report"][data-id="${reportId}"]`);
    await expect(row).toBeVisible();
    await row.getByRole('link').click();
    await expect(teamPage).toHaveURL(`${server.url}/inbox/${reportId}`);
    await expect(teamPage.locator('[data-answer="observed"]')).toHaveCount(1);

    // The team adds Jovan properly: his device makes his keys, Marija adds him after comparing.
    await staff.unrouteAll({ behavior: 'wait' });
    const deviceB = await phone(browser);
    const pageB = await deviceB.newPage();
    await pageB.goto(`${server.url}/team/join`);
    await expectMounted(pageB);
    const keyB = await makeKey(pageB, 'Jovan Jovanović', en.join_save_key, scratch);
    const fingerprintB = await pageB.getByTestId('waiting-fingerprint').innerText();
    const keysB = await pageB.getByTestId('waiting-public-key').inputValue();
    await teamPage.goto(`${server.url}/team`);
    await expectMounted(teamPage);
    await expect(teamPage.getByText(en.team_checking)).toHaveCount(0);
    await teamPage.getByLabel(en.add_name).fill('Jovan Jovanović');
    await teamPage.getByLabel(en.add_key).fill(keysB);
    await teamPage.getByRole('button', { name: en.add_check }).click();
    await expect(teamPage.getByTestId('add-member-fingerprint')).toHaveText(fingerprintB);
    await teamPage.getByLabel(en.add_match).check();
    await teamPage.getByRole('button', { name: en.add_approve }).click();
    await signed(teamPage, teamPage.getByTestId('member-added'));
    await expect(teamPage.getByTestId('member-added')).toHaveText(fill(en.add_done, { name: 'Jovan Jovanović' }));
    const teamWithB = await teamPage.getByTestId('key-set-fingerprint').innerText();
    expect(teamWithB).not.toBe(teamFingerprint);

    // The phone's next key check verifies the new version from its pin: the warning clears,
    // it seals to both members, and Jovan's key reads the next report.
    await staffPage.goto(`${server.url}/enrol`);
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('sync-keys-refused')).toHaveCount(0);
    await staffPage.reload();
    await expectMounted(staffPage);
    await expect(staffPage.getByTestId('key-set-fingerprint')).toHaveText(teamWithB);
    const sentBefore = envelopes.length;
    await sendQuickObservation(staffPage, server.url);
    const afterAdding = envelopes.slice(sentBefore);
    expect(afterAdding).toHaveLength(1);
    expect(opensWith(afterAdding[0], keyB.identityFile)).toBe(true);
    expect(opensWith(afterAdding[0], keyA.identityFile)).toBe(true);
    expect(opensWith(afterAdding[0], attacker.identityFile)).toBe(false);
    await expect(staffPage.getByTestId('sync-keys-refused')).toHaveCount(0);
    for (const context of [member, staff, deviceB]) await context.close();
  });

  test('another school’s link asks first, with both fingerprints; Keep changes nothing, Switch seals what waits to the new school @android', async ({
    browser,
  }) => {
    test.setTimeout(180_000);
    const schoolOne = SCHOOL;
    const schoolTwo = 'ОШ „Свети Сава“ Суботица';
    const teamOne: Team = await setUpTeam(server, schoolOne);
    const teamTwo: Team = await setUpTeam(server, schoolTwo);
    // Without a service worker: its Background Sync would send the waiting report past the
    // page's route (to school one), where this test needs it to wait.
    const staff = await phone(browser, { serviceWorkers: 'block' });
    const page = await staff.newPage();
    await page.goto(teamOne.enrolmentLink);
    await expectMounted(page);
    await page.getByRole('button', { name: en.enrol_button }).click();
    await expect(page.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: schoolOne }));

    // The intake is busy (503, "try again in an hour"): a report waits, sealed for school one.
    await staff.route('**/api/v1/reports', (route) =>
      route.fulfill({
        status: 503,
        headers: { 'Retry-After': '3600' },
        contentType: 'application/json',
        body: '{"code":"store_unavailable","message":"busy"}',
      }),
    );
    await page.goto(`${server.url}/quick`);
    await expectMounted(page);
    await tapQuickSign(page, page.getByTestId('quick-sign').nth(1));
    await page.getByRole('button', { name: en.summary_finish }).click();
    // The server's answer has come (leaving the page with the request under way would let it
    // reach the server past the route).
    await expect(page.getByTestId('report-status')).toHaveText(en.report_waiting_server);

    const askSwitch = async () => {
      await page.goto('about:blank');
      await page.goto(teamTwo.enrolmentLink);
      await expectMounted(page);
      await page.getByRole('button', { name: en.enrol_button }).click();
      const question = page.getByTestId('enrol-switch');
      await expect(question.getByRole('heading', { level: 2 })).toHaveText(
        fill(en.enrol_switch_question, { current: schoolOne, new: schoolTwo }),
      );
      await expect(question.getByRole('heading', { level: 2 })).toBeFocused();
      await expect(question.getByTestId('enrol-switch-current-fingerprint')).toHaveText(keySetFingerprint(headRecipients(teamOne.chain)));
      await expect(question.getByTestId('enrol-switch-new-fingerprint')).toHaveText(keySetFingerprint(headRecipients(teamTwo.chain)));
      await expect(question.getByTestId('enrol-switch-waiting')).toHaveText(
        fill(en.enrol_switch_waiting, { count: 1, current: schoolOne, new: schoolTwo }),
      );
      // Nothing changed before the answer.
      expect(await enrolledSchool(page)).toBe(schoolOne);
      return question;
    };

    // "Keep": the phone still sends to school one.
    await (await askSwitch()).getByRole('button', { name: fill(en.enrol_keep_button, { school: schoolOne }) }).click();
    await expect(page.getByTestId('enrol-kept')).toHaveText(fill(en.enrol_kept, { school: schoolOne }));
    expect(await enrolledSchool(page)).toBe(schoolOne);

    // "Switch": enrolled with school two, the waiting report sealed again for its team only.
    await (await askSwitch()).getByRole('button', { name: fill(en.enrol_switch_button, { school: schoolTwo }) }).click();
    await expect(page.getByTestId('enrolled')).toHaveText(fill(en.enrol_done, { school: schoolTwo }));
    expect(await enrolledSchool(page)).toBe(schoolTwo);
    // Its envelope is school one's, and this page cannot seal it again without the app lock's
    // key: it is held (never sent to school two as it is) until the next unlock, which says so.
    await expect(page.getByTestId('waiting-unlock')).toHaveText(fill(en.enrol_waiting_unlock, { count: 1 }));
    await staff.unrouteAll({ behavior: 'wait' });
    await page.goto(`${server.url}/observe`);
    await expect(page.getByTestId('lock-resealing')).toHaveText(plural(en.lock_resealing as PluralMessage, 'en', 1));
    expect(storedEnvelopes(server)).toHaveLength(0);
    await expectMounted(page);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_received);
    const stored = storedEnvelopes(server);
    expect(stored).toHaveLength(1);
    expect(opensWith(stored[0].envelope, teamTwo.identityFile)).toBe(true);
    expect(opensWith(stored[0].envelope, teamOne.identityFile)).toBe(false);
    await staff.close();
  });
});
