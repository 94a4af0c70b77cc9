// The app lock of a staff phone: what is typed is sealed before the lock takes effect (a
// canary typed into a note is nowhere in IndexedDB while locked) and intact after unlocking,
// also after the browser is killed while locked and relaunched offline; wrong PINs wait after
// the fifth; "Forgot PIN?" deletes exactly what it says and keeps the outbox; the lock screens
// have no axe violations. In English, for readable assertions.
import { test, expect, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axeViolations, expectMounted, indicator, startFullObservation, waitForServiceWorkerControl } from './app';
import { TEST_PIN, enterPin, lockButton, lockSetUp, lockUnlock, rawDatabase, setLock } from './app-lock';
import { killBrowser, launchPhoneProfile } from './chromium';
import { LOCALES, plural, type PluralMessage } from './locales';

const en = LOCALES.en;
const CANARY = 'canary-5e1d-spava-kod-ujaka';
const FIRST = 'behaviour.absent-without-reason';

async function inEnglish(page: Page): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
}

/** Answers the first indicator and types the canary into its note, without leaving it. */
async function writeCanary(page: Page): Promise<void> {
  const first = indicator(page, FIRST);
  await first.getByRole('radio', { name: en.answer_observed, exact: true }).check();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await first.getByLabel(en.checklist_note).click();
  await page.keyboard.type(CANARY);
}

/** After unlocking on the draft: the answer and the note are there. */
async function expectCanaryDraft(page: Page): Promise<void> {
  const first = indicator(page, FIRST);
  await expect(first.getByRole('radio', { name: en.answer_observed, exact: true })).toBeChecked();
  await expect(first.getByLabel(en.checklist_note)).toHaveValue(CANARY);
}

test('a note being typed is sealed when the app locks, and is intact after unlocking', async ({ page }) => {
  await inEnglish(page);
  await page.goto('/observe');
  await expectMounted(page, { passLock: false });
  await expect(lockSetUp(page)).toBeVisible();
  expect(await axeViolations(page, 'set-up')).toEqual([]);
  await setLock(page);
  await startFullObservation(page);
  await writeCanary(page);
  // Locked at once, while the note is still being typed (before its pause-save).
  await lockButton(page).click();
  await expect(lockUnlock(page)).toBeVisible();
  await expect.poll(async () => (await rawDatabase(page)).includes('"status":"draft"')).toBe(true);
  const raw = await rawDatabase(page);
  expect(raw).not.toContain(CANARY);
  expect(raw).not.toContain('spava');
  expect(await axeViolations(page, 'unlock')).toEqual([]);
  await enterPin(page);
  await expect(lockButton(page)).toBeVisible();
  await expectCanaryDraft(page);
});

/** Runs `body` with a fresh browser profile directory, removed afterwards. */
async function withProfile(body: (profile: string) => Promise<void>): Promise<void> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-lock-kill-'));
  try {
    await body(profile);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function launch(profile: string, testInfo: TestInfo): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launchPhoneProfile(profile, testInfo);
  const page = context.pages()[0] ?? (await context.newPage());
  await inEnglish(page);
  return { context, page };
}

test('killed while locked, relaunched offline, unlocked: the draft is intact', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    const { context, page } = await launch(profile, testInfo);
    await page.goto('/');
    await expectMounted(page, { passLock: false });
    await waitForServiceWorkerControl(page);
    await context.setOffline(true);
    await startFullObservation(page);
    await writeCanary(page);
    await lockButton(page).click();
    await expect(lockUnlock(page)).toBeVisible();
    await expect.poll(async () => (await rawDatabase(page)).includes('"status":"draft"')).toBe(true);
    expect(await rawDatabase(page)).not.toContain(CANARY);
    const draftUrl = page.url();

    expect(killBrowser(profile)).toBeGreaterThan(0);
    await context.close().catch(() => undefined);
    const again = await launch(profile, testInfo);
    try {
      await again.context.setOffline(true);
      await again.page.goto(draftUrl);
      await expectMounted(again.page, { passLock: false });
      await expect(lockUnlock(again.page)).toBeVisible();
      expect(await rawDatabase(again.page)).not.toContain(CANARY);
      await enterPin(again.page);
      await expect(lockButton(again.page)).toBeVisible();
      await expectCanaryDraft(again.page);
    } finally {
      await again.context.close();
    }
  });
});

test('after five wrong PINs each try waits, and the wait is shown', async ({ page }) => {
  await inEnglish(page);
  await page.goto('/observe');
  await expectMounted(page, { passLock: false });
  await setLock(page);
  await page.reload();
  await expectMounted(page, { passLock: false });
  const error = page.getByTestId('lock-unlock-error');
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await enterPin(page, '999999');
    await expect(error).toHaveText(en.lock_wrong);
  }
  await enterPin(page, '999999');
  const waiting = en.lock_wait.split('{time}')[0];
  await expect(error).toContainText(waiting);
  await expect(error).toContainText(/0:[0-3]\d/);
  await expect(lockUnlock(page).locator('button[type=submit]')).toBeDisabled();
  expect(await axeViolations(page, 'unlock waiting')).toEqual([]);
  // A reload does not end the wait: it is kept with the lock.
  await page.reload();
  await expectMounted(page, { passLock: false });
  await expect(error).toContainText(waiting);
});

test('"Forgot PIN?" says what it deletes, deletes exactly that, and keeps the outbox', async ({ page }) => {
  await inEnglish(page);
  await page.goto('/observe');
  await expectMounted(page, { passLock: false });
  await setLock(page);
  await startFullObservation(page);
  await writeCanary(page);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved', { timeout: 5_000 });
  // A sealed report waiting in the outbox (what the sender would send).
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const opening = indexedDB.open('prepoznaj');
        opening.onsuccess = () => {
          const transaction = opening.result.transaction('outbox', 'readwrite');
          transaction.objectStore('outbox').put({ id: 'waiting-report', submission: { envelope: 'age-encryption.org/v1 sealed' }, key_set_version: 1, queued_at: 1 });
          transaction.oncomplete = () => {
            opening.result.close();
            resolve();
          };
          transaction.onabort = () => reject(transaction.error);
        };
      }),
  );
  await lockButton(page).click();
  await page.getByTestId('lock-forgot').click();
  const loss = page.getByTestId('lock-reset-loss');
  await expect(loss).toContainText(plural(en.lock_reset_drafts as PluralMessage, 'en', 1));
  await expect(loss.getByRole('listitem')).toHaveCount(1);
  await expect(page.getByText(en.lock_reset_kept)).toBeVisible();
  expect(await axeViolations(page, 'reset')).toEqual([]);
  await setLock(page, '135791');
  // The draft is gone; the outbox's report stays.
  await page.goto('/observe');
  await expectMounted(page, { passLock: false });
  await enterPin(page, '135791');
  await expect(page.getByText(en.observe_drafts_empty)).toBeVisible();
  const raw = await rawDatabase(page);
  expect(raw).toContain('waiting-report');
  expect(raw).not.toContain(CANARY);
  // The old PIN opens nothing any more.
  await page.reload();
  await expectMounted(page, { passLock: false });
  await enterPin(page, TEST_PIN);
  await expect(page.getByTestId('lock-unlock-error')).toHaveText(en.lock_wrong);
});

test('Settings lead to the lock: set on first use, then its auto-lock time is chosen and kept', async ({ page }) => {
  await inEnglish(page);
  await page.goto('/settings');
  await expectMounted(page);
  const entry = page.getByTestId('settings-app-lock');
  await expect(entry).toHaveText(en.settings_app_lock);
  await entry.click();
  // No lock yet: the entry sets it, then shows its setting, focused for a screen reader.
  await expect(page).toHaveURL(/\/observe#lock-setting$/);
  await setLock(page);
  const heading = page.locator('#lock-setting-heading');
  await expect(heading).toBeFocused();
  await expect(heading).toBeInViewport();
  const auto = page.getByLabel(en.lock_auto_label);
  await expect(auto).toHaveValue('5');
  await auto.selectOption('10');
  await expect(page.locator('#lock-setting').getByText(en.lock_auto_saved)).toBeVisible();
  // Later, from Settings again: the unlock, then the kept choice.
  await page.goto('/settings');
  await expectMounted(page);
  await page.getByTestId('settings-app-lock').click();
  await expect(lockUnlock(page)).toBeVisible();
  await enterPin(page);
  await expect(page.getByLabel(en.lock_auto_label)).toHaveValue('10');
  await expect(page.locator('#lock-setting-heading')).toBeFocused();
  expect(await axeViolations(page, 'lock setting')).toEqual([]);
});

/** A platform authenticator on `page` (Chrome DevTools' virtual one), with or without PRF. */
async function screenLock(page: Page, hasPrf: boolean) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf,
      automaticPresenceSimulation: true,
    },
  });
  return {
    /** Whether the phone recognises its user (fingerprint, face, its own PIN). */
    recognises: (isUserVerified: boolean) => cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified }),
  };
}

/** The suite's server as `localhost`: WebAuthn takes a domain, never an IP address. */
const onLocalhost = (baseURL: string | undefined) => (baseURL ?? '').replace('127.0.0.1', 'localhost');

test("the phone's screen lock unlocks where it has PRF, and the PIN stays the way back", async ({ page, baseURL }) => {
  await inEnglish(page);
  const phone = await screenLock(page, true);
  await page.goto(`${onLocalhost(baseURL)}/observe#lock-setting`);
  await expectMounted(page, { passLock: false });
  await setLock(page);
  const setting = page.getByTestId('screen-lock-setting');
  await expect(setting.getByTestId('screen-lock-state')).toHaveText(en.lock_screen_off);
  await setting.getByTestId('screen-lock-turn-on').click();
  await expect(setting.getByTestId('screen-lock-state')).toHaveText(en.lock_screen_on);
  await expect(setting.getByTestId('screen-lock-turn-off')).toBeVisible();

  // Locked, and after a reload: the phone's own check opens the app, no PIN typed.
  await lockButton(page).click();
  await expect(lockUnlock(page)).toBeVisible();
  expect(await axeViolations(page, 'unlock with the screen lock')).toEqual([]);
  await page.getByTestId('screen-lock-unlock').click();
  await expect(lockButton(page)).toBeVisible();
  await page.reload();
  await expectMounted(page, { passLock: false });
  await page.getByTestId('screen-lock-unlock').click();
  await expect(lockButton(page)).toBeVisible();
  await expect(page.locator('#lock-unlock-secret')).toHaveCount(0);

  // Not recognised: a clear message, and the PIN opens it.
  await lockButton(page).click();
  await phone.recognises(false);
  await page.getByTestId('screen-lock-unlock').click();
  await expect(page.getByTestId('screen-lock-error')).toHaveText(en.lock_screen_not_allowed);
  await expect(lockUnlock(page)).toBeVisible();
  await enterPin(page);
  await expect(lockButton(page)).toBeVisible();

  // Turned off: only the PIN or passphrase opens the app again.
  await phone.recognises(true);
  await page.getByTestId('screen-lock-setting').getByTestId('screen-lock-turn-off').click();
  await expect(page.getByTestId('screen-lock-state')).toHaveText(en.lock_screen_off);
  await lockButton(page).click();
  await expect(lockUnlock(page)).toBeVisible();
  await expect(page.getByTestId('screen-lock-unlock')).toHaveCount(0);
  await enterPin(page);
  await expect(lockButton(page)).toBeVisible();
});

test("a phone whose screen lock has no PRF says so, and the lock stays the PIN's", async ({ page, baseURL }) => {
  await inEnglish(page);
  await screenLock(page, false);
  await page.goto(`${onLocalhost(baseURL)}/observe#lock-setting`);
  await expectMounted(page, { passLock: false });
  await setLock(page);
  const setting = page.getByTestId('screen-lock-setting');
  await setting.getByTestId('screen-lock-turn-on').click();
  await expect(setting.getByTestId('screen-lock-error')).toHaveText(en.lock_screen_unsupported);
  await expect(setting.getByTestId('screen-lock-state')).toHaveText(en.lock_screen_off);
  await lockButton(page).click();
  await expect(lockUnlock(page)).toBeVisible();
  await expect(page.getByTestId('screen-lock-unlock')).toHaveCount(0);
});
