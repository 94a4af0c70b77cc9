// Sync when a connection returns: a report finished offline reaches the school's server exactly
// once as soon as the phone is online, and the phone then keeps only its receipt; a server that
// is down is retried by the timer until it is back; a browser killed after the server stored a
// report (before the answer arrived) sends it again on its next start and the server answers
// with the first receipt; two tabs never send the same report. The server's database is read
// directly and every stored envelope is decrypted with the team member's key by the `age` CLI.
// In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted, waitForServiceWorkerControl } from './app';
import { lockUnlock, passAppLock, tapQuickSign } from './app-lock';
import {
  makeEnrolmentLink,
  markActedUpon,
  replaceMember,
  reportsOnServer,
  setUpTeam,
  signedTeamRequest,
  startServerWithDistCopy,
  type AppServer,
  type Team,
} from './app-server';
import { killBrowser, launchPhoneProfile } from './chromium';
import { LOCALES } from './locales';

const en = LOCALES.en;
const SCHOOL = 'ОШ „Бранко Радичевић“ Нови Сад';

function fill(message: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), message);
}

async function phone(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  await inEnglish(context);
  return context;
}

async function inEnglish(context: BrowserContext) {
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
}

/** Opens the enrolment link and enrols the phone. */
async function enrol(page: Page, team: Team) {
  await page.goto(team.enrolmentLink);
  await expectMounted(page);
  await page.getByRole('button', { name: en.enrol_button }).click();
  await expect(page.getByTestId('enrolled')).toBeVisible();
  // The app is cached for offline use before the tests take the network away.
  await waitForServiceWorkerControl(page);
}

/** A phone (browser context) enrolled with the team's link, on its enrolment page. */
async function enrolledPhone(browser: Browser, team: Team): Promise<{ context: BrowserContext; page: Page }> {
  const context = await phone(browser);
  const page = await context.newPage();
  await enrol(page, team);
  return { context, page };
}

/** Quick mode: one sign, then Finish. Returns the report's id. */
async function finishQuickObservation(page: Page, base: string): Promise<string> {
  await page.goto(`${base}/quick`);
  await expectMounted(page);
  await tapQuickSign(page, page.getByTestId('quick-sign').nth(1));
  await expect(page).toHaveURL(/\/quick\/[0-9a-f-]{36}$/);
  const id = /\/quick\/([0-9a-f-]{36})$/.exec(page.url())![1];
  await page.getByRole('button', { name: en.summary_finish }).click();
  await expect(page).toHaveURL(/\/summary$/);
  await expect(page.getByTestId('finished')).toBeVisible();
  return id;
}

/** The phone's outbox entries and observations, as stored in IndexedDB. */
function phoneStorage(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ outbox: string[]; observations: { id: string; status: string; answers: number }[] }>((resolve, reject) => {
        const opened = indexedDB.open('prepoznaj');
        opened.onerror = () => reject(opened.error);
        opened.onsuccess = () => {
          const database = opened.result;
          const transaction = database.transaction(['outbox', 'observations'], 'readonly');
          const outbox = transaction.objectStore('outbox').getAllKeys();
          const observations = transaction.objectStore('observations').getAll();
          transaction.oncomplete = () => {
            database.close();
            resolve({
              outbox: outbox.result.map(String),
              observations: observations.result.map((record) => ({
                id: record.id,
                status: record.status,
                answers: Object.keys(record.answers || {}).length + (record.quick_signs || []).length,
              })),
            });
          };
          transaction.onerror = () => reject(transaction.error);
        };
      }),
  );
}

/** The report is with the team: the phone shows it, and keeps only the receipt. */
async function expectOnlyReceipt(page: Page, base: string, id: string) {
  await page.goto(`${base}/observe`);
  await expectMounted(page);
  const record = page.locator(`[data-testid="record"][data-id="${id}"]`);
  await expect(record.getByTestId('report-status')).toHaveText(en.report_received);
  await expect(record).toContainText(en.report_receipt);
  await expect(page.getByTestId('sync-state')).toContainText(en.sync_all_sent);
  const stored = await phoneStorage(page);
  expect(stored.outbox).toEqual([]);
  expect(stored.observations.find((record) => record.id === id)).toEqual({ id, status: 'forgotten', answers: 0 });
}

/** The server holds exactly these reports, each an envelope the team member's key opens. */
function expectOnServer(server: AppServer, team: Team, ids: string[]) {
  const reports = reportsOnServer(server, team);
  expect(reports.map((report) => report.id).sort()).toEqual([...ids].sort());
  for (const report of reports) {
    const plaintext = JSON.parse(report.plaintext);
    expect(plaintext.format).toBe(1);
    expect(plaintext.observation.id).toBe(report.id);
    expect(plaintext.observation.status).toBe('complete');
  }
}

/** The report intake answers the first report `503` with `Retry-After: seconds`, then lets every report through. */
async function busyOnce(context: BrowserContext, seconds: number): Promise<{ refusals: number }> {
  const busy = { refusals: 0 };
  await context.route('**/api/v1/reports', async (route) => {
    if (busy.refusals > 0) return route.continue();
    busy.refusals += 1;
    await route.fulfill({
      status: 503,
      headers: { 'Retry-After': String(seconds) },
      contentType: 'application/json',
      body: '{"code":"store_unavailable","message":"busy"}',
    });
  });
  return busy;
}

test.describe('sync', () => {
  let server: AppServer;
  let team: Team;
  test.beforeEach(async () => {
    server = await startServerWithDistCopy();
    team = await setUpTeam(server, SCHOOL);
  });
  test.afterEach(async () => {
    await server.stop();
  });

  test('finished offline, sent once when the phone is online; the phone keeps only the receipt @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);

    await context.setOffline(true);
    const id = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveAttribute('data-status', 'waiting');
    await expect(page.getByTestId('sync-state')).toHaveText(new RegExp(`^${fill(en.sync_waiting, { count: 1 })}`));
    await expect(page.getByTestId('sync-send-now')).toBeVisible();
    expect(await axeViolations(page, 'waiting to be sent')).toEqual([]);
    expect(reportsOnServer(server, team)).toEqual([]);

    // Every screen says so, also those of the other bundles.
    await page.goto(`${server.url}/guidance`);
    await expectMounted(page);
    await expect(page.getByTestId('sync-status')).toHaveAttribute('data-waiting', '1');

    await page.goto(`${server.url}/observe/${id}/summary`);
    await expectMounted(page);
    await context.setOffline(false);
    await expect(page.getByTestId('report-status')).toHaveAttribute('data-status', 'received');
    await expect(page.getByTestId('sync-last')).toHaveText(/^Last contact with the server: \d\d\/\d\d\/\d{4} \d\d:\d\d$/);
    expectOnServer(server, team, [id]);
    await expectOnlyReceipt(page, server.url, id);
    expect(await axeViolations(page, 'receipt')).toEqual([]);

    // Later starts, online, send nothing again.
    let posts = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/v1/reports')) posts += 1;
    });
    await page.reload();
    await expectMounted(page);
    await expect(page.getByTestId('sync-state')).toContainText(en.sync_all_sent);
    expect(posts).toBe(0);
    expectOnServer(server, team, [id]);

    // The team acts on it: the next time the app comes to the screen, the receipt says so.
    await markActedUpon(server, team, id);
    await page.reload();
    await expectMounted(page);
    await expect(page.locator(`[data-testid="record"][data-id="${id}"]`).getByTestId('report-status')).toHaveText(
      en.report_acted_upon,
    );
    await context.close();
  });

  test('the server down: the report waits and the timer sends it once the server is back @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);
    await server.kill();

    const id = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_waiting_offline);
    await expect(page.getByTestId('sync-state')).toHaveText(new RegExp(`^${fill(en.sync_waiting, { count: 1 })}`));

    await server.restart();
    // No tap: the retry timer (backoff with jitter, at most five minutes) finds the server.
    await expect(page.getByTestId('report-status')).toHaveText(en.report_received, { timeout: 60_000 });
    expectOnServer(server, team, [id]);
    await expectOnlyReceipt(page, server.url, id);
    await context.close();
  });

  test('"Send now" tries a waiting report at once, even one the server asked to wait an hour @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);
    // The server is busy once and asks for an hour's patience.
    const busy = await busyOnce(context, 3600);
    const id = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_waiting_server);
    expect(busy.refusals).toBe(1);
    await page.getByTestId('sync-send-now').click();
    await expect(page.getByTestId('report-status')).toHaveText(en.report_received);
    expectOnServer(server, team, [id]);
    await context.close();
  });

  test('a revoked phone keeps its report until it is enrolled again, then sends it @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);
    const deviceId = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const opened = indexedDB.open('prepoznaj');
          opened.onerror = () => reject(opened.error);
          opened.onsuccess = () => {
            const read = opened.result.transaction('enrolment').objectStore('enrolment').get('this-phone');
            read.onsuccess = () => resolve(read.result.enrolment.device_id);
            read.onerror = () => reject(read.error);
          };
        }),
    );
    // The team revokes the phone (a lost phone, say) while a report waits on it.
    await context.setOffline(true);
    const id = await finishQuickObservation(page, server.url);
    const revoked = await signedTeamRequest(server, team, 'DELETE', `/api/v1/devices/${deviceId}`);
    expect(revoked.device.revoked_at).toBeGreaterThan(0);
    await context.setOffline(false);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_needs_enrolment);
    await expect(page.getByTestId('sync-needs-enrolment')).toHaveText(en.sync_needs_enrolment);
    expect(reportsOnServer(server, team)).toEqual([]);

    // A new link from the team: the report goes, once.
    await enrol(page, { ...team, enrolmentLink: await makeEnrolmentLink(server, team) });
    await expectOnlyReceipt(page, server.url, id);
    await expect(page.getByTestId('sync-needs-enrolment')).toHaveCount(0);
    expectOnServer(server, team, [id]);
    await context.close();
  });

  test('a report the server refuses for good shows why, never holds up the next, and can be tried again @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);
    await context.setOffline(true);
    const refused = await finishQuickObservation(page, server.url);
    const next = await finishQuickObservation(page, server.url);
    // The server refuses the first one as not an envelope (an app bug it would have to be).
    let refusing = true;
    await context.route('**/api/v1/reports', async (route) => {
      if (refusing && route.request().postDataJSON().report_id === refused) {
        await route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: '{"code":"not_an_age_envelope","message":"the envelope is not an age envelope"}',
        });
      } else {
        await route.continue();
      }
    });
    await page.goto(`${server.url}/observe`);
    await expectMounted(page);
    await context.setOffline(false);
    const refusedItem = page.locator(`[data-testid="record"][data-id="${refused}"]`);
    await expect(refusedItem.getByTestId('report-status')).toHaveText(fill(en.report_rejected, { code: 'not_an_age_envelope' }));
    await expect(page.locator(`[data-testid="record"][data-id="${next}"]`).getByTestId('report-status')).toHaveText(en.report_received);
    await expect(page.getByTestId('sync-rejected')).toHaveText(fill(en.sync_rejected, { count: 1 }));
    expectOnServer(server, team, [next]);
    expect(await axeViolations(page, 'refused report')).toEqual([]);

    // After the fix (here: the server accepts it), "Try again" sends it.
    refusing = false;
    await refusedItem.getByRole('button', { name: en.report_try_again }).click();
    await expect(refusedItem.getByTestId('report-status')).toHaveText(en.report_received);
    await expect(page.getByTestId('sync-rejected')).toHaveCount(0);
    expectOnServer(server, team, [refused, next]);
    await context.close();
  });

  test('a report waiting while the team changes is sealed again: only the current team can read it @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);
    await context.setOffline(true);
    const id = await finishQuickObservation(page, server.url);
    const newTeam = await replaceMember(server, team);
    await page.goto(`${server.url}/observe`);
    await expectMounted(page);
    await context.setOffline(false);
    await expect(page.locator(`[data-testid="record"][data-id="${id}"]`).getByTestId('report-status')).toHaveText(
      en.report_received,
    );
    // The new member's key opens it; the removed member's does not.
    expectOnServer(server, newTeam, [id]);
    expect(() => reportsOnServer(server, team)).toThrow();
    await context.close();
  });

  test('the retry timer asks for the team\'s keys before it sends: a member removed meanwhile cannot read the report @android', async ({ browser }) => {
    const { context, page } = await enrolledPhone(browser, team);
    // The server is busy once and asks for two seconds' patience: the retry timer sends next.
    const busy = await busyOnce(context, 2);
    const id = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_waiting_server);
    const newTeam = await replaceMember(server, team);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_received, { timeout: 60_000 });
    expect(busy.refusals).toBe(1);
    expectOnServer(server, newTeam, [id]);
    expect(() => reportsOnServer(server, team)).toThrow();
    await context.close();
  });

  test('two tabs: one sends, both show the receipt, the server has the report once @android', async ({ browser }) => {
    const { context, page: first } = await enrolledPhone(browser, team);
    await context.setOffline(true);
    const id = await finishQuickObservation(first, server.url);
    const second = await context.newPage();
    await second.goto(`${server.url}/observe`);
    await expectMounted(second);
    await expect(second.getByTestId('sync-status')).toHaveAttribute('data-waiting', '1');
    await first.goto(`${server.url}/observe`);
    await expectMounted(first);

    const posts: string[] = [];
    context.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/v1/reports')) posts.push(request.url());
    });
    // Both tabs hear `online` at the same moment.
    await context.setOffline(false);
    for (const page of [first, second]) {
      await expect(page.locator(`[data-testid="record"][data-id="${id}"]`).getByTestId('report-status')).toHaveText(
        en.report_received,
      );
      await expect(page.getByTestId('sync-status')).toHaveAttribute('data-waiting', '0');
    }
    expect(posts).toHaveLength(1);
    expectOnServer(server, team, [id]);
    await context.close();
  });

  test('a report waiting more than a day is flagged on every screen @android', async ({ browser }) => {
    const context = await phone(browser);
    const page = await context.newPage();
    await page.clock.install();
    await enrol(page, team);
    // The report intake is out of reach (a captive portal, say) for more than a day.
    await context.route('**/api/v1/reports', (route) => route.abort('connectionrefused'));
    await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_waiting_offline);
    await expect(page.getByTestId('sync-stale')).toHaveCount(0);
    await page.clock.fastForward('24:00:01');
    // A day without use locked the app; the warning shows outside the lock, the report's status
    // after the unlock.
    await expect(lockUnlock(page)).toBeVisible();
    await page.getByTestId('sync-send-now').click();
    await expect(page.getByTestId('sync-stale')).toHaveText(en.sync_stale);
    await passAppLock(page);
    await expect(page.getByTestId('report-status')).toContainText(en.report_stale);
    // The home screen (another bundle) says so too.
    await page.goto(`${server.url}/`);
    await expectMounted(page);
    await expect(page.getByTestId('sync-stale')).toHaveText(en.sync_stale);
    expect(await axeViolations(page, 'stale warning')).toEqual([]);
    await context.close();
  });

  test('a receipt stays for the period chosen under the receipts, then the phone deletes it @android', async ({ browser }) => {
    const context = await phone(browser);
    const page = await context.newPage();
    await page.clock.install();
    await enrol(page, team);
    const id = await finishQuickObservation(page, server.url);
    await expectOnlyReceipt(page, server.url, id);

    // 90 days unless the person chooses otherwise; the choice is remembered.
    const keep = page.getByLabel(en.receipts_keep);
    await expect(keep).toHaveValue('90');
    await keep.selectOption({ label: en.receipts_30 });
    expect(await axeViolations(page, 'receipts kept')).toEqual([]);
    await page.reload();
    await expectMounted(page);
    await expect(keep).toHaveValue('30');

    const day = 24 * 60 * 60 * 1000;
    // The phone's date moves on (the person comes back days later: timers the page had are
    // gone with it, so the clock is set, not fast-forwarded through a month of them).
    const later = async (ms: number) => page.clock.setSystemTime((await page.evaluate(() => Date.now())) + ms);
    await later(29 * day);
    await page.goto(`${server.url}/observe`);    await expectMounted(page);
    await expect(page.locator(`[data-testid="record"][data-id="${id}"]`)).toBeVisible();
    await expect(page.getByTestId('sync-state')).toContainText(en.sync_all_sent);
    expect((await phoneStorage(page)).observations.map((record) => record.id)).toEqual([id]);

    await later(day);
    await page.reload();
    await expectMounted(page);
    await expect.poll(async () => (await phoneStorage(page)).observations).toEqual([]);
    await page.reload();
    await expectMounted(page);
    await expect(page.locator(`[data-testid="record"][data-id="${id}"]`)).toHaveCount(0);
    await context.close();
  });

  test('in Safari outside the installed app, waiting reports come with the advice to install @iphone', async ({ browser }, testInfo) => {
    const context = await browser.newContext({ ...testInfo.project.use });
    await inEnglish(context);
    const page = await context.newPage();
    await enrol(page, team);
    await expect(page.getByTestId('sync-ios-install')).toHaveCount(0);
    await context.setOffline(true);
    await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('sync-ios-install')).toHaveText(en.sync_ios_install);
    await context.close();
  });
});

test('a browser killed after the server stored the report sends it again and gets the first receipt @android', async ({}, testInfo) => {
  const server = await startServerWithDistCopy();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-kill-sending-'));
  try {
    const team = await setUpTeam(server, SCHOOL);
    const use = { ...testInfo.project.use, baseURL: server.url };
    const launch = async () => {
      const context = await launchPhoneProfile(profile, { ...testInfo, project: { ...testInfo.project, use } } as typeof testInfo);
      await inEnglish(context);
      return context;
    };
    let context = await launch();
    let page = context.pages()[0] ?? (await context.newPage());
    await enrol(page, team);

    // The report reaches the server and is stored; the browser dies before the answer arrives.
    let killed = false;
    await context.route('**/api/v1/reports', async (route) => {
      const response = await route.fetch();
      expect(response.status()).toBe(201);
      killed = killBrowser(profile) > 0;
    });
    const id = await finishQuickObservation(page, server.url).catch(() => '');
    await expect.poll(() => killed).toBe(true);
    await context.close().catch(() => {});
    const stored = reportsOnServer(server, team);
    expect(stored).toHaveLength(1);
    const reportId = id || stored[0].id;

    // Started again: the report that was in flight is sent again; the server answers with the
    // receipt it gave the first time and stores nothing new.
    context = await launch();
    page = context.pages()[0] ?? (await context.newPage());
    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && response.url().endsWith('/api/v1/reports')) answers.push(response.status());
    });
    await page.goto(`${server.url}/observe`);
    await expectMounted(page);
    await expect(page.locator(`[data-testid="record"][data-id="${reportId}"]`).getByTestId('report-status')).toHaveText(
      en.report_received,
    );
    expect(answers).toEqual([200]);
    expectOnServer(server, team, [reportId]);
    await expectOnlyReceipt(page, server.url, reportId);
    await context.close();
  } finally {
    await server.stop();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('with the app closed, the service worker sends what waits when the browser wakes it (Background Sync) @android', async ({ browser }) => {
  const server = await startServerWithDistCopy();
  try {
    const team = await setUpTeam(server, SCHOOL);
    const { context, page } = await enrolledPhone(browser, team);
    await context.setOffline(true);
    const id = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveAttribute('data-status', 'waiting');

    // The app is closed; the connection returns; the browser fires the sync event the app
    // registered (here through DevTools, as Chromium would when the network comes back).
    const blank = await context.newPage();
    await page.close();
    await context.setOffline(false);
    const devtools = await context.newCDPSession(blank);
    const registration = new Promise<string>((resolve) => {
      devtools.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((candidate) => candidate.scopeURL === `${server.url}/` && !candidate.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    // The worker leaves sending to an app window still on screen, so the closed page must be
    // gone from the worker's clients before the browser wakes it.
    const versions = new Map<string, { registrationId: string; status: string; controlledClients?: string[] }>();
    devtools.on('ServiceWorker.workerVersionUpdated', ({ versions: updated }) => {
      for (const version of updated) versions.set(version.versionId, version);
    });
    await devtools.send('ServiceWorker.enable');
    const registrationId = await registration;
    await expect
      .poll(() =>
        [...versions.values()].some(
          (version) =>
            version.registrationId === registrationId &&
            version.status === 'activated' &&
            (version.controlledClients ?? []).length === 0,
        ),
      )
      .toBe(true);
    await devtools.send('ServiceWorker.dispatchSyncEvent', {
      origin: server.url,
      registrationId,
      tag: 'prepoznaj-outbox',
      lastChance: false,
    });
    await expect.poll(() => reportsOnServer(server, team).map((report) => report.id)).toEqual([id]);

    // Opened again, the app learns the report is with the team (its resend is answered with
    // the first receipt) and forgets everything but the receipt.
    const reopened = await context.newPage();
    await expectOnlyReceipt(reopened, server.url, id);
    expectOnServer(server, team, [id]);
    await context.close();
  } finally {
    await server.stop();
  }
});

test('a phone past the server\'s daily limit keeps its report and says why it waits @android', async ({ browser }) => {
  const server = await startServerWithDistCopy(['--reports-per-device-per-day', '1']);
  try {
    const team = await setUpTeam(server, SCHOOL);
    const { context, page } = await enrolledPhone(browser, team);
    const first = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_received);

    const second = await finishQuickObservation(page, server.url);
    await expect(page.getByTestId('report-status')).toHaveText(en.report_waiting_daily_limit);
    await expect(page.getByTestId('sync-state')).toHaveText(new RegExp(`^${fill(en.sync_waiting, { count: 1 })}`));
    expect(await axeViolations(page, 'waiting for the daily limit')).toEqual([]);
    expectOnServer(server, team, [first]);
    expect((await phoneStorage(page)).outbox).toEqual([second]);
    await context.close();
  } finally {
    await server.stop();
  }
});
