// The protection team's inbox, end to end on one server with two phones: a team member set up
// through the real set-up page, and a staff phone enrolled with the team's link. The staff
// phone finishes an urgent observation offline, comes online and delivers it, then a second
// one; the second envelope is tampered with in the server's database. The member unlocks the
// inbox (a wrong passphrase first), sees the urgent report marked in words and the tampered
// one named and isolated, opens the report (marked seen), records that the team acted upon it
// (the note sealed only to the keys the device verified and the request signed, while the
// server slips an attacker's key into the team's keys); the staff phone then shows "acted upon", and the server's database holds no plaintext of
// the status note (canary). Print view, Lock, "Forget this report" (not downloaded again),
// a device without a key; the inbox locks itself once the app has not been used for the chosen
// minutes, hidden or on screen, also with the phone's clock set back. Zero axe violations on the list, the report and the print view. A full-checklist
// report reads its marked signs first (observed, then not sure, by area, with notes), the rest
// folded under its counts, and prints all 67.
// Status notes between two team devices: a change made on one shows on the other with its
// author; a server that lists a report as closed with a stranger's note or an unsigned one, or
// moves a real note onto another report, gets "not verified" with the reason beside those
// steps and "The server says: closed" beside a status that stays as the verified notes say.
// In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted, waitForServiceWorkerControl } from './app';
import { tapQuickSign } from './app-lock';
import { createSchool, sendObservation, startServerWithDistCopy, storedEnvelopes, uuid7, type AppServer, type RecordedAnswer } from './app-server';
import { LOCALES, plural } from './locales';
import { makeKey, PASSPHRASE as KEY_PASSPHRASE, unlockToSign } from './team-key';

const en = LOCALES.en;
const SCHOOL = 'ОШ „Десанка Максимовић“ Чачак';
const PASSPHRASE = 'zelena livada u maju kraj stare crkve';
const CANARY = 'canary-7f3a2b Razgovor sa pedagogom';

function fill(message: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), message);
}

async function phone(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  return context;
}

/** The team member's set-up through the real page; returns a staff enrolment link. */
async function setUpMember(page: Page, setupLink: string): Promise<string> {
  await page.goto(setupLink);
  await expectMounted(page);
  await page.getByLabel(en.setup_display_name).fill('Marija Petrović');
  await page.getByLabel(en.setup_passphrase, { exact: true }).fill(PASSPHRASE);
  await page.getByLabel(en.setup_passphrase_repeat).fill(PASSPHRASE);
  await page.getByRole('button', { name: en.setup_start }).click();
  const groups = await page.getByTestId('recovery-code').getByRole('listitem').allInnerTexts();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: en.setup_download }).click();
  await downloading;
  await page.getByLabel(en.setup_recovery_saved).check();
  await page.getByRole('button', { name: en.setup_continue }).click();
  const form = page.getByTestId('verify-form');
  const labels = await form.locator('label').allInnerTexts();
  for (const [index, label] of labels.entries()) {
    await form.getByRole('textbox').nth(index).fill(groups[Number(/\d+/.exec(label)![0]) - 1]);
  }
  await page.getByRole('button', { name: en.setup_register }).click();
  await expect(page.getByTestId('team-member-of')).toBeVisible();
  await page.getByRole('button', { name: en.link_create }).click();
  await unlockToSign(page, PASSPHRASE);
  const link = await page.getByTestId('enrolment-link').inputValue();
  // Reloaded, the team page starts locked again (the key stays unlocked in memory only).
  await page.reload();
  await expectMounted(page);
  await expect(page.getByTestId('team-member-of')).toBeVisible();
  return link;
}

/** Quick mode: the `sign`-th sign, then Finish; returns the report's id. */
async function finishQuickObservation(page: Page, base: string, sign: number): Promise<string> {
  await page.goto(`${base}/quick`);
  await expectMounted(page);
  await tapQuickSign(page, page.getByTestId('quick-sign').nth(sign));
  await expect(page).toHaveURL(/\/quick\/[0-9a-f-]{36}$/);
  const id = /\/quick\/([0-9a-f-]{36})$/.exec(page.url())![1];
  await page.getByRole('button', { name: en.summary_finish }).click();
  await expect(page.getByTestId('finished')).toBeVisible();
  return id;
}

/** Flips the last byte of report `id`'s envelope in the server's SQLite database. */
function tamperWithEnvelope(server: AppServer, id: string) {
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1])',
    '(envelope,) = db.execute("SELECT envelope FROM reports WHERE id = ?", (sys.argv[2],)).fetchone()',
    'changed = envelope[:-1] + bytes([envelope[-1] ^ 1])',
    'db.execute("UPDATE reports SET envelope = ? WHERE id = ?", (changed, sys.argv[2]))',
    'db.commit()',
  ].join('\n');
  execFileSync('python3', ['-c', script, path.join(server.data, 'prepoznaj.db'), id]);
}

/** Whether any file of the server's data directory (database, WAL) contains `text`. */
function serverFilesContain(server: AppServer, text: string): boolean {
  const needle = Buffer.from(text, 'utf8');
  return fs.readdirSync(server.data).some((name) => {
    const file = path.join(server.data, name);
    return fs.statSync(file).isFile() && fs.readFileSync(file).includes(needle);
  });
}

interface CatalogueArea {
  id: string;
  title: { en: string };
  indicators: { id: string; text: { en: string } }[];
}

/** The current indicator catalogue as shipped: its version and areas in checklist order. */
function currentCatalogue(): { version: string; areas: CatalogueArea[] } {
  const directory = path.join('public', 'content', 'catalogue');
  const version: string = JSON.parse(fs.readFileSync(path.join(directory, 'index.json'), 'utf8')).current;
  const areas: CatalogueArea[] = JSON.parse(fs.readFileSync(path.join(directory, `${version}.json`), 'utf8')).areas;
  return { version, areas };
}

async function unlock(page: Page, passphrase: string) {
  await page.getByLabel(en.inbox_passphrase).fill(passphrase);
  await page.getByRole('button', { name: en.inbox_unlock }).click();
}

test.describe('team inbox', () => {
  let server: AppServer;
  test.beforeAll(async () => {
    server = await startServerWithDistCopy();
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('a report from a staff phone is read, acted upon and the phone hears of it; tampering is isolated @android', async ({ browser }) => {
    test.setTimeout(300_000);
    const member = await phone(browser);
    const team = await member.newPage();
    const enrolmentLink = await setUpMember(team, createSchool(server, SCHOOL));

    // The staff phone: enrolled, an urgent observation finished offline, delivered once online.
    const staff = await phone(browser);
    const staffPage = await staff.newPage();
    await staffPage.goto(enrolmentLink);
    await expectMounted(staffPage);
    await staffPage.getByRole('button', { name: en.enrol_button }).click();
    await expect(staffPage.getByTestId('enrolled')).toBeVisible();
    await waitForServiceWorkerControl(staffPage);
    await staff.setOffline(true);
    const urgentId = await finishQuickObservation(staffPage, server.url, 0);
    await expect(staffPage.getByTestId('report-status')).toHaveAttribute('data-status', 'waiting');
    await staff.setOffline(false);
    await expect(staffPage.getByTestId('report-status')).toHaveAttribute('data-status', 'received');
    const tamperedId = await finishQuickObservation(staffPage, server.url, 1);
    await expect(staffPage.getByTestId('report-status')).toHaveAttribute('data-status', 'received');
    tamperWithEnvelope(server, tamperedId);

    // The inbox, linked from the team page, locked; a wrong passphrase says so.
    await team.getByTestId('open-inbox').click();
    await expect(team).toHaveURL(`${server.url}/inbox`);
    await expect(team.getByRole('heading', { level: 1 })).toHaveText(en.inbox_title);
    await unlock(team, `${PASSPHRASE}!`);
    await expect(team.getByRole('alert')).toHaveText(en.inbox_wrong_passphrase);
    await expect(team.getByTestId('inbox-report')).toHaveCount(0);
    await unlock(team, PASSPHRASE);

    // The list: the urgent report marked in words; the tampered one named, the other readable.
    const urgentRow = team.locator(`[data-testid="inbox-report"][data-id="${urgentId}"]`);
    await expect(urgentRow).toBeVisible();
    await expect(urgentRow.getByTestId('inbox-urgent')).toHaveText(en.inbox_urgent);
    await expect(urgentRow).toHaveAttribute('data-level', 'immediate-danger');
    await expect(urgentRow.getByTestId('inbox-status')).toHaveText(en.inbox_status_new);
    await expect(urgentRow).toContainText(en.role_maintenance_support);
    await expect(urgentRow).toContainText(fill(en.inbox_marked, { count: 1 }));
    const failedRow = team.locator(`[data-testid="inbox-report-failed"][data-id="${tamperedId}"]`);
    await expect(failedRow).toContainText(tamperedId);
    await expect(failedRow).toContainText(en.inbox_reason_damaged);
    expect(await axeViolations(team, 'inbox list')).toEqual([]);

    // The report: opening it marks it seen; everything recorded is there.
    await urgentRow.getByRole('link').click();
    await expect(team).toHaveURL(`${server.url}/inbox/${urgentId}`);
    await expect(team.getByTestId('inbox-report-status')).toHaveAttribute('data-status', 'seen');
    await expect(team.getByTestId('assessment')).toHaveAttribute('data-level', 'immediate-danger');
    // The catalogue's own name, never a bare id that reads like the Ministry's list.
    await expect(team.getByTestId('inbox-catalogue-version')).toHaveText('Prepoznaj 2026.1, built on the six areas of the 2021 revision');
    await expect(team.locator('[data-answer="observed"]')).toHaveCount(1);
    await expect(team.getByTestId('inbox-history-entry')).toHaveCount(1);
    expect(await axeViolations(team, 'report view')).toEqual([]);

    // Acted upon: whom the team informed, the date, a note (the canary).
    const form = team.getByTestId('inbox-acted-form');
    await form.getByRole('button', { name: en.inbox_acted_submit }).click();
    await expect(team.getByTestId('inbox-change-outcome')).toHaveText(en.inbox_nothing_done);
    await form.getByLabel(en.inbox_informed_social_care_centre).check();
    await form.getByLabel(en.inbox_informed_police).check();
    await form.getByLabel(en.inbox_date).fill('2026-12-03');
    await form.getByLabel(en.inbox_note).fill(CANARY);
    // The server slips an attacker's key into the team's keys it hands the inbox: the note is
    // sealed only to the keys this device verified (the one member), and the request is signed.
    const attackerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-attacker-'));
    const attackerIdentity = path.join(attackerDir, 'attacker.txt');
    execFileSync('age-keygen', ['-o', attackerIdentity], { stdio: 'ignore' });
    const attackerKey = /# public key: (age1[0-9a-z]{58})/.exec(fs.readFileSync(attackerIdentity, 'utf8'))![1];
    await team.route('**/api/v1/team/keys', async (route) => {
      const response = await route.fetch();
      const keys = await response.json();
      const head = keys.chain.at(-1).version;
      head.members.push({ ...head.members[0], id: '0192f3a4-0004-7000-8000-00000000000e', display_name: 'Attacker', recipient: attackerKey, signing_key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a' });
      await route.fulfill({ response, json: keys });
    });
    const statusChange = team.waitForRequest((request) => request.method() === 'POST' && /\/api\/v1\/team\/reports\/[^/]+\/status-changes$/.test(request.url()));
    await form.getByRole('button', { name: en.inbox_acted_submit }).click();
    const sent = await statusChange;
    expect(sent.headers()['prepoznaj-signature']).toMatch(/^t=\d+;sig=[0-9a-f]{128}$/);
    const noteEnvelope = Buffer.from(sent.postDataJSON().envelope, 'base64');
    expect(noteEnvelope.toString('latin1').match(/^-> X25519 /gm)).toHaveLength(1);
    const attackerOpens = spawnSync('age', ['--decrypt', '-i', attackerIdentity], { input: noteEnvelope });
    expect(attackerOpens.status).not.toBe(0);
    fs.rmSync(attackerDir, { recursive: true });
    await team.unroute('**/api/v1/team/keys');
    await expect(team.getByTestId('inbox-change-outcome')).toHaveText(en.inbox_saved);
    await expect(team.getByTestId('inbox-report-status')).toHaveAttribute('data-status', 'acted-upon');
    const acted = team.locator('[data-testid="inbox-history-entry"][data-status="acted-upon"]');
    await expect(acted).toContainText(CANARY);
    await expect(acted).toContainText(en.inbox_informed_police);

    // The printable record: no navigation, no buttons; accessible.
    await team.emulateMedia({ media: 'print' });
    await expect(team.getByRole('navigation')).toBeHidden();
    await expect(team.getByRole('button', { name: en.inbox_print })).toBeHidden();
    await expect(team.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(acted).toBeVisible();
    expect(await axeViolations(team, 'print view')).toEqual([]);
    await team.emulateMedia({ media: 'screen' });

    // The staff phone hears that the team acted; the server never saw the note.
    await staffPage.goto(`${server.url}/observe`);
    await expectMounted(staffPage);
    await expect(staffPage.locator(`[data-testid="record"][data-id="${urgentId}"]`).getByTestId('report-status')).toHaveText(
      en.report_acted_upon,
    );
    expect(serverFilesContain(server, CANARY)).toBe(false);
    expect(serverFilesContain(server, 'Razgovor')).toBe(false);

    // Lock: nothing readable stays on screen.
    await team.getByRole('link', { name: en.inbox_back }).click();
    await expect(urgentRow.getByTestId('inbox-status')).toHaveText(en.inbox_status_acted_upon);
    await team.getByTestId('inbox-lock').click();
    await expect(team.getByLabel(en.inbox_passphrase)).toBeVisible();
    await expect(team.getByTestId('inbox-report')).toHaveCount(0);
    await expect(team.getByTestId('inbox-report-failed')).toHaveCount(0);

    // Offline, the inbox opens with what this device already keeps, and says so.
    await member.setOffline(true);
    await unlock(team, PASSPHRASE);
    await expect(team.getByTestId('inbox-download')).toHaveText(en.inbox_offline);
    await expect(urgentRow.getByTestId('inbox-status')).toHaveText(en.inbox_status_acted_upon);
    await expect(failedRow).toBeVisible();
    await member.setOffline(false);

    // Forget the tampered report on this device: gone, and the next download does not bring it back.
    await failedRow.getByRole('link').click();
    await expect(team.getByTestId('inbox-open-failed')).toContainText(tamperedId);
    await team.getByRole('button', { name: en.inbox_forget }).click();
    await team.getByRole('button', { name: en.inbox_forget_yes }).click();
    await expect(team).toHaveURL(`${server.url}/inbox`);
    await expect(urgentRow).toBeVisible();
    await expect(failedRow).toHaveCount(0);
    const downloaded = team.waitForResponse((response) => response.url().includes('/api/v1/team/reports'));
    await team.getByRole('button', { name: en.inbox_refresh }).click();
    await downloaded;
    await expect(team.getByRole('button', { name: en.inbox_refresh })).toBeEnabled();
    await expect(team.getByTestId('inbox-count')).toHaveText(fill(en.inbox_count, { count: 1 }));
    await expect(failedRow).toHaveCount(0);

    // A device without a team key is told so and sent to the team page.
    const stranger = await (await phone(browser)).newPage();
    await stranger.goto(`${server.url}/inbox`);
    await expectMounted(stranger);
    await expect(stranger.getByTestId('inbox-no-key')).toHaveText(en.inbox_no_key);
    await expect(stranger.getByRole('link', { name: en.inbox_go_to_team })).toHaveAttribute('href', '/team');
    await stranger.context().close();
    await member.close();
    await staff.close();
  });

  test('a report reads marked signs first, by area with notes; the rest is folded with counts and printed whole @android', async ({ browser }) => {
    test.setTimeout(180_000);
    const { version, areas } = currentCatalogue();
    const indicators = areas.flatMap((area) => area.indicators.map((indicator) => ({ ...indicator, area: area.title.en })));
    const byId = (id: string) => indicators.find((indicator) => indicator.id === id)!;
    // Given out of checklist order, so the view's order is its own.
    const marked: [string, RecordedAnswer][] = [
      [areas[5].indicators[0].id, { answer: 'observed', note: 'Works at the market on school days.' }],
      [areas[3].indicators[2].id, { answer: 'observed', note: 'Says an older man will be angry if she tells.' }],
      [areas[0].indicators[1].id, { answer: 'observed' }],
      [areas[6].indicators[0].id, { answer: 'not-sure', note: 'Mentions a new friend online, older.' }],
      [areas[1].indicators[0].id, { answer: 'not-sure' }],
    ];
    const markedIds = new Set(marked.map(([id]) => id));
    const unanswered = indicators.filter((indicator) => !markedIds.has(indicator.id)).slice(-12);
    const unansweredIds = new Set(unanswered.map((indicator) => indicator.id));
    const notObserved = indicators.filter((indicator) => !markedIds.has(indicator.id) && !unansweredIds.has(indicator.id));
    const answers: Record<string, RecordedAnswer> = Object.fromEntries([
      ...marked,
      ...notObserved.map((indicator): [string, RecordedAnswer] => [indicator.id, { answer: 'not-observed' }]),
    ]);

    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
    await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
    const team = await context.newPage();
    const enrolmentLink = await setUpMember(team, createSchool(server, `${SCHOOL} 3`));
    const id = await sendObservation(server, enrolmentLink, version, answers);
    await team.goto(`${server.url}/inbox`);
    await expectMounted(team);
    await unlock(team, PASSPHRASE);
    await team.locator(`[data-testid="inbox-report"][data-id="${id}"]`).getByRole('link').click();
    await expect(team.locator('[data-answer="observed"]')).toHaveCount(3);
    await expect(team.getByTestId('inbox-history')).toBeVisible();
    // The report view's height at 360 px (a figure for the record, not a budget).
    console.log(`report view at 360 px: ${await team.evaluate(() => document.documentElement.scrollHeight)} CSS px`);

    // Observed first, then not sure: each by area in checklist order, each sign with its note.
    const groups = team.getByTestId('answer-group');
    expect(await groups.evaluateAll((found) => found.map((group) => group.getAttribute('data-group')))).toEqual([
      'observed',
      'not-sure',
      'not-observed',
      'unanswered',
    ]);
    const expectGroup = async (index: number, heading: string, ids: string[]) => {
      const group = groups.nth(index);
      await expect(group.getByRole('heading', { level: 3 })).toHaveText(heading);
      await expect(group.getByRole('heading', { level: 4 })).toHaveText([...new Set(ids.map((id) => byId(id).area))]);
      await expect(group.locator('li > span')).toHaveText(ids.map((id) => byId(id).text.en));
    };
    const observedIds = [areas[0].indicators[1].id, areas[3].indicators[2].id, areas[5].indicators[0].id];
    await expectGroup(0, `${en.answer_observed} (3)`, observedIds);
    await expectGroup(1, `${en.answer_not_sure} (2)`, [areas[1].indicators[0].id, areas[6].indicators[0].id]);
    const notes = groups.nth(0).getByRole('listitem');
    await expect(notes.nth(0).locator('.answer-note')).toHaveCount(0);
    await expect(notes.nth(1).locator('.answer-note')).toHaveText(answers[observedIds[1]].note!);
    await expect(notes.nth(2).locator('.answer-note')).toHaveText(answers[observedIds[2]].note!);
    await expect(groups.nth(1).getByRole('listitem').nth(1).locator('.answer-note')).toHaveText(answers[areas[6].indicators[0].id].note!);
    for (const index of [0, 1]) await expect(groups.nth(index)).toBeVisible();

    // The rest is folded under its counts.
    const rest = team.getByTestId('inbox-not-marked');
    const summary = rest.locator('summary');
    await expect(summary).toHaveText(fill(en.inbox_not_marked_summary, { not_observed: notObserved.length, unanswered: 12 }));
    expect(notObserved.length + 12 + 5).toBe(67);
    await expect(team.locator('li[data-answer="not-observed"]').first()).toBeHidden();
    await expect(team.locator('li[data-answer]').filter({ visible: true })).toHaveCount(5);
    expect(await axeViolations(team, 'report view, folded')).toEqual([]);

    // Opened (a tap on the summary), it shows the rest by area, with their answers.
    await summary.click();
    await expect(rest).toHaveAttribute('open', '');
    await expectGroup(2, `${en.answer_not_observed} (${notObserved.length})`, notObserved.map((indicator) => indicator.id));
    await expectGroup(3, `${en.answer_unanswered} (12)`, unanswered.map((indicator) => indicator.id));
    await expect(team.locator('li[data-answer]').filter({ visible: true })).toHaveCount(67);
    await summary.click();
    await expect(team.locator('li[data-answer]').filter({ visible: true })).toHaveCount(5);

    // Printed, the record is whole: every one of the 67 signs under its answer.
    await team.emulateMedia({ media: 'print' });
    const printed = team.locator('li[data-answer]').filter({ visible: true });
    await expect(printed).toHaveCount(67);
    expect((await printed.locator('span').allInnerTexts()).sort()).toEqual(indicators.map((indicator) => indicator.text.en).sort());
    for (const [answer, count] of [['observed', 3], ['not-sure', 2], ['not-observed', notObserved.length], ['unanswered', 12]] as const) {
      await expect(team.locator(`li[data-answer="${answer}"]`).filter({ visible: true })).toHaveCount(count);
    }
    await expect(groups.nth(2).getByRole('heading', { level: 3 })).toBeVisible();
    await expect(groups.nth(3).getByRole('heading', { level: 3 })).toBeVisible();
    await team.emulateMedia({ media: 'screen' });

    // Printing from the browser opens the fold for the print and folds it again after.
    await team.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    await expect(rest).toHaveAttribute('open', '');
    await team.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    await expect(rest).not.toHaveAttribute('open', '');
    await context.close();
  });

  test('the inbox locks itself once the app has not been used for the chosen minutes, hidden or on screen, whatever the clock says @android', async ({ browser }) => {
    test.setTimeout(120_000);
    const member = await phone(browser);
    const team = await member.newPage();
    await team.clock.install();
    await setUpMember(team, createSchool(server, `${SCHOOL} 2`));
    await team.getByTestId('open-inbox').click();
    const lockAfter = team.getByLabel(en.inbox_lock_after);
    // The choices read as counted things: "1 minute", not "1 minutes".
    await expect(lockAfter.locator('option')).toHaveText(['5 minutes', '1 minute', '15 minutes', '30 minutes']);
    await lockAfter.selectOption('1');
    await unlock(team, PASSPHRASE);
    await expect(team.getByTestId('inbox-empty')).toHaveText(en.inbox_empty);

    // The page's visibility as the browser reports it when the app goes to the background.
    const setHidden = (hidden: boolean) =>
      team.evaluate((hidden) => {
        Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);

    // Back within the minute: still unlocked.
    await setHidden(true);
    await team.clock.fastForward(30_000);
    await setHidden(false);
    await expect(team.getByTestId('inbox-empty')).toBeVisible();

    // Hidden for longer: locked, the passphrase asked for again.
    await setHidden(true);
    await team.clock.fastForward(61_000);
    await setHidden(false);
    await expect(team.getByLabel(en.inbox_passphrase)).toBeVisible();
    await expect(team.getByTestId('inbox-empty')).toHaveCount(0);
    await expect(team.getByText(fill(en.inbox_unlock_intro, { duration: plural(en.inbox_minutes, 'en', 1) }))).toBeVisible();

    // On screen, every use (a key, a touch) starts the minute again.
    await unlock(team, PASSPHRASE);
    await expect(team.getByTestId('inbox-empty')).toBeVisible();
    await team.clock.fastForward(45_000);
    await team.keyboard.press('Shift');
    await team.clock.fastForward(45_000);
    await team.getByRole('heading', { level: 1 }).tap();
    await team.clock.fastForward(45_000);
    await expect(team.getByTestId('inbox-empty')).toBeVisible();
    // A minute on screen without use: locked.
    await team.clock.fastForward(16_000);
    await expect(team.getByLabel(en.inbox_passphrase)).toBeVisible();
    await expect(team.getByTestId('inbox-empty')).toHaveCount(0);

    // The phone's clock set back an hour right after unlocking: the minute is still a minute.
    await unlock(team, PASSPHRASE);
    await expect(team.getByTestId('inbox-empty')).toBeVisible();
    const now = await team.evaluate(() => Date.now());
    await team.clock.setSystemTime(now - 3_600_000);
    await team.clock.fastForward(30_000);
    await expect(team.getByTestId('inbox-empty')).toBeVisible();
    await team.clock.fastForward(31_000);
    await expect(team.getByLabel(en.inbox_passphrase)).toBeVisible();
    await expect(team.getByTestId('inbox-empty')).toHaveCount(0);
    await member.close();
  });
});

// Its own server: the set-ups above count against the server's set-up attempt limit.
test.describe('status notes between team devices', () => {
  let server: AppServer;
  test.beforeAll(async () => {
    server = await startServerWithDistCopy();
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('a status change shows on another team device with its author; notes the chain does not vouch for are not verified and the server is only a hint @android', async ({ browser }) => {
    test.setTimeout(300_000);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-notes-'));
    const { version } = currentCatalogue();

    // Member A founds the team; member B makes keys on their own device and A adds them.
    const deviceA = await phone(browser);
    const pageA = await deviceA.newPage();
    await pageA.goto(createSchool(server, `${SCHOOL} 4`));
    await expectMounted(pageA);
    await makeKey(pageA, 'Marija Petrović', en.setup_register, scratch);
    await expect(pageA).toHaveURL(`${server.url}/team`);
    await pageA.getByRole('button', { name: en.link_create }).click();
    await unlockToSign(pageA, KEY_PASSPHRASE);
    const enrolmentLink = await pageA.getByTestId('enrolment-link').inputValue();
    const deviceB = await phone(browser);
    const pageB = await deviceB.newPage();
    await pageB.goto(`${server.url}/team/join`);
    await expectMounted(pageB);
    await makeKey(pageB, 'Jovan Jovanović', en.join_save_key, scratch);
    const keysB = await pageB.getByTestId('waiting-public-key').inputValue();
    const recipientB = keysB.split(':')[0];
    await pageA.getByLabel(en.add_name).fill('Jovan Jovanović');
    await pageA.getByLabel(en.add_key).fill(keysB);
    await pageA.getByRole('button', { name: en.add_check }).click();
    await pageA.getByLabel(en.add_match).check();
    await pageA.getByRole('button', { name: en.add_approve }).click();
    const setupLinkB = await pageA.getByTestId('member-setup-link').inputValue();
    await pageB.goto(setupLinkB);
    await expectMounted(pageB);
    await pageB.getByLabel(en.inbox_passphrase).fill(KEY_PASSPHRASE);
    await pageB.getByRole('button', { name: en.setup_register }).click();
    await expect(pageB).toHaveURL(`${server.url}/team`);

    // Two reports, sealed to both members' keys.
    const first = await sendObservation(server, enrolmentLink, version, {});
    const second = await sendObservation(server, enrolmentLink, version, {});

    // A opens the first (marked seen) and records that the team acted upon it.
    await pageA.goto(`${server.url}/inbox/${first}`);
    await expectMounted(pageA);
    await unlock(pageA, KEY_PASSPHRASE);
    await expect(pageA.getByTestId('inbox-report-status')).toHaveAttribute('data-status', 'seen');
    const form = pageA.getByTestId('inbox-acted-form');
    await form.getByLabel(en.inbox_informed_police).check();
    await form.getByRole('button', { name: en.inbox_acted_submit }).click();
    await expect(pageA.getByTestId('inbox-change-outcome')).toHaveText(en.inbox_saved);
    await expect(pageA.getByTestId('inbox-report-status')).toHaveAttribute('data-status', 'acted-upon');

    // The server lists the second report as closed, twice with notes no member signed (a
    // stranger's key, an earlier build's unsigned note), and acted upon with A's real note of
    // the first report moved onto it.
    const signedByStranger = (() => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const note = JSON.stringify({ school: uuid7(), report_id: second, change_id: uuid7(), author: uuid7(), status: 'closed', written_at: Date.now() });
      const signature = sign(null, Buffer.concat([Buffer.from('prepoznaj-status-note-v1\n'), Buffer.from(note)]), privateKey);
      return JSON.stringify({ format: 2, note, signature: signature.toString('hex') });
    })();
    const sealed = (plaintext: string) => execFileSync('age', ['--encrypt', '-r', recipientB], { input: plaintext });
    const listed = (envelope: Buffer, coarse: string, recordedAt: number) => ({
      change_id: uuid7(recordedAt),
      report_id: second,
      coarse_status: coarse,
      recorded_at: recordedAt,
      envelope: envelope.toString('base64'),
      envelope_sha256: createHash('sha256').update(envelope).digest('hex'),
    });
    await pageB.route(/\/api\/v1\/team\/reports(\?|$)/, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      const page = await response.json();
      const real = page.reports.find((report: { report_id: string }) => report.report_id === first);
      const moved = real.status_changes.find((change: { coarse_status: string }) => change.coarse_status === 'acted_upon');
      const target = page.reports.find((report: { report_id: string }) => report.report_id === second);
      const now = Date.now();
      target.status_changes.unshift(
        { ...moved, change_id: uuid7(now - 3_000), report_id: second },
        listed(sealed(signedByStranger), 'closed', now - 2_000),
        listed(sealed(JSON.stringify({ format: 1, status: 'closed', written_at: now })), 'closed', now - 1_000),
      );
      target.status = 'acted_upon';
      await route.fulfill({ response, json: page });
    });

    // B's inbox: A's steps on the first report, with A's name; the second stays new, with
    // the server's word beside it.
    await pageB.goto(`${server.url}/inbox`);
    await expectMounted(pageB);
    await unlock(pageB, KEY_PASSPHRASE);
    const firstRow = pageB.locator(`[data-testid="inbox-report"][data-id="${first}"]`);
    const secondRow = pageB.locator(`[data-testid="inbox-report"][data-id="${second}"]`);
    await expect(firstRow.getByTestId('inbox-status')).toHaveText(en.inbox_status_acted_upon);
    await expect(firstRow.getByTestId('inbox-server-disagrees')).toHaveCount(0);
    await expect(secondRow.getByTestId('inbox-status')).toHaveText(en.inbox_status_new);
    const disagreement = fill(en.inbox_server_disagrees, { status: en.inbox_status_closed });
    await expect(secondRow.getByTestId('inbox-server-disagrees')).toHaveText(disagreement);
    expect(await axeViolations(pageB, 'inbox list with a disagreement')).toEqual([]);
    await firstRow.getByRole('link').click();
    const historyB = pageB.getByTestId('inbox-history-entry');
    await expect(historyB).toHaveCount(2);
    await expect(historyB.nth(0)).toHaveAttribute('data-status', 'seen');
    await expect(historyB.nth(1)).toHaveAttribute('data-status', 'acted-upon');
    for (const index of [0, 1]) {
      await expect(historyB.nth(index)).toHaveAttribute('data-verified', 'true');
      await expect(historyB.nth(index).getByTestId('inbox-history-author')).toHaveText(fill(en.inbox_history_by, { name: 'Marija Petrović' }));
    }
    await expect(historyB.nth(1)).toContainText(en.inbox_informed_police);

    // The second report: B opening it marks it seen (B's own, verified step); the three steps
    // the server added are not verified, each with its reason, and count for nothing.
    await pageB.getByRole('link', { name: en.inbox_back }).click();
    await secondRow.getByRole('link').click();
    await expect(pageB.getByTestId('inbox-report-status')).toHaveAttribute('data-status', 'seen');
    await expect(pageB.getByTestId('inbox-server-disagrees')).toHaveText(disagreement);
    await expect(historyB).toHaveCount(4);
    const unverified = pageB.locator('[data-testid="inbox-history-entry"][data-verified="false"]');
    await expect(unverified).toHaveCount(3);
    const reason = (text: string) => fill(en.inbox_history_unverified, { reason: text });
    await expect(unverified.getByTestId('inbox-history-unverified')).toHaveText([
      reason(en.inbox_reason_note_other_change),
      reason(en.inbox_reason_note_unknown_author),
      reason(en.inbox_reason_note_unsigned),
    ]);
    const verifiedB = pageB.locator('[data-testid="inbox-history-entry"][data-verified="true"]');
    await expect(verifiedB.getByTestId('inbox-history-author')).toHaveText(fill(en.inbox_history_by, { name: 'Jovan Jovanović' }));
    // Still offered: the team can act on it, the server's "closed" decides nothing.
    await expect(pageB.getByTestId('inbox-acted-form')).toBeVisible();
    expect(await axeViolations(pageB, 'report with unverified steps')).toEqual([]);

    // A, without the rewrite, sees B's step with B's name, and no disagreement.
    await pageA.getByRole('link', { name: en.inbox_back }).click();
    await pageA.getByRole('button', { name: en.inbox_refresh }).click();
    const secondRowA = pageA.locator(`[data-testid="inbox-report"][data-id="${second}"]`);
    await expect(secondRowA.getByTestId('inbox-status')).toHaveText(en.inbox_status_seen);
    await expect(secondRowA.getByTestId('inbox-server-disagrees')).toHaveCount(0);
    await secondRowA.getByRole('link').click();
    await expect(pageA.getByTestId('inbox-history-author')).toHaveText(fill(en.inbox_history_by, { name: 'Jovan Jovanović' }));
    await deviceA.close();
    await deviceB.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
});

test('a report the team has not closed is flagged two weeks before the server deletes it @android', async ({ browser }) => {
  test.setTimeout(180_000);
  // This server keeps a report nobody closes for 10 days: every new one is within the warning.
  const server = await startServerWithDistCopy(['--unclosed-report-retention-days', '10']);
  try {
    const context = await phone(browser);
    const team = await context.newPage();
    const enrolmentLink = await setUpMember(team, createSchool(server, `${SCHOOL} retention`));
    const id = await sendObservation(server, enrolmentLink, currentCatalogue().version, {});
    await team.goto(`${server.url}/inbox`);
    await expectMounted(team);
    await unlock(team, PASSPHRASE);
    const row = team.locator(`[data-testid="inbox-report"][data-id="${id}"]`);
    const pattern = en.inbox_deletion_warning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('\\{date\\}', '.+');
    await expect(row.getByTestId('inbox-deletion-warning')).toHaveText(new RegExp(`^${pattern}$`));
    expect(await axeViolations(team, 'a report about to be deleted')).toEqual([]);
    await context.close();
  } finally {
    await server.stop();
  }
});

test('junk that got through is dismissed in bulk: selected, confirmed, each acted upon and closed; the rest untouched @android', async ({ browser }) => {
  test.setTimeout(180_000);
  const server = await startServerWithDistCopy();
  try {
    const context = await phone(browser);
    const team = await context.newPage();
    const enrolmentLink = await setUpMember(team, createSchool(server, `${SCHOOL} junk`));
    const version = currentCatalogue().version;
    const genuine = await sendObservation(server, enrolmentLink, version, {});
    const junk = [
      await sendObservation(server, enrolmentLink, version, {}),
      await sendObservation(server, enrolmentLink, version, {}),
      await sendObservation(server, enrolmentLink, version, {}),
    ];
    // One of them cannot even be opened: it is dismissed all the same.
    tamperWithEnvelope(server, junk[2]);
    await team.goto(`${server.url}/inbox`);
    await expectMounted(team);
    await unlock(team, PASSPHRASE);
    await expect(team.getByTestId('inbox-count')).toHaveText(fill(en.inbox_count, { count: 4 }));
    await expect(team.getByTestId('inbox-select')).toHaveCount(0);

    await team.getByTestId('inbox-select-start').click();
    await expect(team.getByTestId('inbox-select')).toHaveCount(4);
    await expect(team.getByTestId('inbox-dismiss')).toBeDisabled();
    for (const id of junk) {
      await team.locator(`[data-testid="inbox-select"][data-id="${id}"]`).check();
    }
    await expect(team.getByTestId('inbox-selected')).toHaveText(fill(en.inbox_selected, { count: 3 }));
    await team.getByTestId('inbox-dismiss').click();
    const confirm = team.getByRole('alertdialog', { name: en.inbox_dismiss_label });
    await expect(confirm).toContainText(fill(en.inbox_dismiss_confirm, { count: 3 }));
    expect(await axeViolations(team, 'bulk dismissal')).toEqual([]);
    // Cancel changes nothing.
    await confirm.getByRole('button', { name: en.observe_cancel }).click();
    await expect(team.getByTestId('inbox-selected')).toHaveText(fill(en.inbox_selected, { count: 3 }));
    await team.getByTestId('inbox-dismiss').click();
    // The team's keys are fetched and verified once for the run, not once per change: six
    // changes on a slow connection would otherwise wait for six more downloads.
    let keysFetched = 0;
    team.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/team/keys') keysFetched += 1;
    });
    await team.getByRole('alertdialog').getByRole('button', { name: en.inbox_dismiss_yes }).click();
    await expect(team.getByTestId('inbox-dismiss-progress')).toHaveText(fill(en.inbox_dismiss_done, { count: 3 }));
    expect(keysFetched).toBe(1);
    // Done: the selection ends, and the list (downloaded again) says so for the whole team.
    await expect(team.getByTestId('inbox-select')).toHaveCount(0);
    await team.getByRole('button', { name: en.inbox_refresh }).click();
    for (const id of junk.slice(0, 2)) {
      const row = team.locator(`[data-testid="inbox-report"][data-id="${id}"]`);
      await expect(row).toHaveAttribute('data-status', 'closed');
      await expect(row.getByTestId('inbox-server-disagrees')).toHaveCount(0);
    }
    await expect(team.locator(`[data-testid="inbox-report"][data-id="${genuine}"]`)).toHaveAttribute('data-status', 'new');
    // The server's coarse statuses: the three acted upon, the genuine one untouched.
    const statuses = Object.fromEntries(storedEnvelopes(server).map((report) => [report.id, report.status]));
    expect(statuses).toEqual({
      [genuine]: 'received',
      [junk[0]]: 'acted_upon',
      [junk[1]]: 'acted_upon',
      [junk[2]]: 'acted_upon',
    });
    // Each says why, in its history.
    await team.locator(`[data-testid="inbox-report"][data-id="${junk[0]}"] a`).click();
    await expect(team).toHaveURL(new RegExp(`/inbox/${junk[0]}$`));
    await expect(team.getByText(en.inbox_dismiss_note)).toBeVisible();
    await context.close();
  } finally {
    await server.stop();
  }
});
