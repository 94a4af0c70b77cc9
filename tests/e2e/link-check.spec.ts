// Links are checked with the server before any work: a used or unknown team set-up link, and a
// withdrawn or unknown staff enrolment link, are refused with what to do before any key form or
// enrol button appears. A link that cannot be checked (no connection to the server) says so,
// checks again on request, and lets the person continue knowingly. A key waiting on the device
// whose link is refused is not shown as joining a team: /team offers to keep it for a new link
// or to delete it (after a confirmation). In English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted } from './app';
import { createSchool, foundTeam, setUpTeam, signedTeamRequest, startServerWithDistCopy, type AppServer, type Team } from './app-server';
import { LOCALES } from './locales';
import { makeKey } from './team-key';

const en = LOCALES.en;

async function phone(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  return context;
}

/** Opens `link` and waits for the check's refusal; nothing of the page's own steps shows. */
async function expectRefused(page: Page, link: string, message: string) {
  // A new document: a link differing from the page's address only in its fragment would not load one.
  await page.goto('about:blank');
  await page.goto(link);
  await expectMounted(page);
  await expect(page.getByTestId('link-refused')).toHaveText(message);
  await expect(page.getByTestId('link-checking')).toHaveCount(0);
  await expect(page.getByLabel(en.setup_passphrase, { exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: en.setup_register })).toHaveCount(0);
  await expect(page.getByRole('button', { name: en.enrol_button })).toHaveCount(0);
}

/** Redeems a set-up link through the API, as another device would have. */
async function useSetupLink(server: AppServer, link: string) {
  await foundTeam(server, link, 'Someone');
}

/** An enrolment link of the current form whose code no server knows. */
const UNKNOWN_ENROLMENT = `enrol#${'A'.repeat(43)}.${'A'.repeat(43)}`;

test.describe('links checked before any work', () => {
  // A server per test: checks count against the per-address limit on code attempts.
  let server: AppServer;
  let scratch: string;
  test.beforeEach(async () => {
    server = await startServerWithDistCopy();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-link-check-'));
  });
  test.afterEach(async () => {
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('used and unknown set-up links, withdrawn and unknown enrolment links are refused before any form', async ({ browser }) => {
    const team: Team = await setUpTeam(server, 'OŠ „Jovan Cvijić“ Kragujevac');
    const context = await phone(browser);
    const page = await context.newPage();

    const usedLink = createSchool(server, 'OŠ „Sveti Sava“ Subotica');
    await useSetupLink(server, usedLink);
    await expectRefused(page, usedLink, en.link_check_setup_used);
    expect(await axeViolations(page, 'set-up link refused')).toEqual([]);
    await expectRefused(page, `${server.url}/team/setup#${'A'.repeat(43)}`, en.link_check_setup_unknown);

    await expectRefused(page, `${server.url}/${UNKNOWN_ENROLMENT}`, en.link_check_enrol_unknown);
    const withdrawn = await signedTeamRequest(server, team, 'POST', '/api/v1/enrolment-links', {});
    const revoked = await signedTeamRequest(server, team, 'DELETE', `/api/v1/enrolment-links/${withdrawn.link.id}`);
    expect(revoked.link.revoked_at).toBeGreaterThan(0);
    const pin = new URL(team.enrolmentLink).hash.split('.')[1];
    await expectRefused(page, `${server.url}/enrol#${withdrawn.enrolment_code}.${pin}`, en.link_check_enrol_revoked);

    // A valid enrolment link shows the enrol button, and checking it used nothing.
    await page.goto('about:blank');
    await page.goto(team.enrolmentLink);
    await expectMounted(page);
    await page.getByRole('button', { name: en.enrol_button }).click();
    await expect(page.getByTestId('enrolled')).toBeVisible();
    await context.close();
  });

  test('a link that cannot be checked says so, checks again, and can be continued knowingly', async ({ browser }) => {
    const context = await phone(browser);
    const page = await context.newPage();
    await page.route('**/api/v1/link-checks', (route) => route.abort('internetdisconnected'));
    const link = createSchool(server, 'OŠ „Dositej Obradović“ Novi Sad');

    await page.goto(link);
    await expectMounted(page);
    await expect(page.getByTestId('link-unchecked')).toHaveText(en.link_check_offline);
    await expect(page.getByLabel(en.setup_passphrase, { exact: true })).toHaveCount(0);
    expect(await axeViolations(page, 'cannot check')).toEqual([]);
    await page.getByRole('button', { name: en.link_check_again }).click();
    await expect(page.getByTestId('link-unchecked')).toHaveText(en.link_check_offline);
    await page.getByRole('button', { name: en.link_check_continue }).click();
    await expect(page.getByLabel(en.setup_passphrase, { exact: true })).toBeVisible();

    // Once the server answers again, "Check again" finds the link valid.
    await page.reload();
    await expectMounted(page);
    await expect(page.getByTestId('link-unchecked')).toHaveText(en.link_check_offline);
    await page.unroute('**/api/v1/link-checks');
    await page.getByRole('button', { name: en.link_check_again }).click();
    await expect(page.getByLabel(en.setup_passphrase, { exact: true })).toBeVisible();
    await expect(page.getByTestId('link-unchecked')).toHaveCount(0);
    await context.close();
  });

  test('after a refused link, /team offers to keep the waiting key for a new link or delete it', async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await phone(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/team/join`);
    await expectMounted(page);
    await makeKey(page, 'Ana Anić', en.join_save_key, scratch);
    const fingerprint = await page.getByTestId('waiting-fingerprint').innerText();
    const usedLink = createSchool(server, 'OŠ „Njegoš“ Čačak');
    await useSetupLink(server, usedLink);

    await expectRefused(page, usedLink, en.link_check_setup_used);
    await expect(page.getByTestId('key-kept-hint')).toBeVisible();
    await page.goto(`${server.url}/team`);
    await expectMounted(page);
    const refused = page.getByTestId('refused-key');
    await expect(refused.getByRole('alert')).toHaveText(en.link_check_setup_used);
    await expect(page.getByTestId('refused-fingerprint')).toHaveText(fingerprint);
    await expect(page.getByTestId('key-awaiting-link')).toHaveCount(0);
    expect(await axeViolations(page, 'refused key')).toEqual([]);

    // Kept: the key waits for a new link again, shown with its fingerprint.
    await page.getByRole('button', { name: en.refused_key_keep }).click();
    await expect(page.getByTestId('waiting-fingerprint')).toHaveText(fingerprint);
    await page.reload();
    await expectMounted(page);
    await expect(page.getByTestId('waiting-fingerprint')).toHaveText(fingerprint);

    // Refused again, then deleted after a confirmation (Cancel keeps it).
    await expectRefused(page, usedLink, en.link_check_setup_used);
    await page.goto(`${server.url}/team`);
    await expectMounted(page);
    await page.getByRole('button', { name: en.refused_key_delete }).click();
    const dialog = page.getByRole('alertdialog', { name: en.refused_key_delete });
    await expect(dialog).toContainText(en.refused_key_delete_question);
    await dialog.getByRole('button', { name: en.observe_cancel }).click();
    await expect(page.getByTestId('refused-fingerprint')).toHaveText(fingerprint);
    await page.getByRole('button', { name: en.refused_key_delete }).click();
    await dialog.getByRole('button', { name: en.refused_key_delete }).click();
    await expect(page.getByText(en.team_no_key)).toBeVisible();
    await page.reload();
    await expectMounted(page);
    await expect(page.getByText(en.team_no_key)).toBeVisible();
    await context.close();
  });
});
