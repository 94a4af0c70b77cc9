// When the phone cannot save: a full disk, or a browser without IndexedDB (some private modes
// and in-app browsers). The person is told, translated, what happened and what to do; nothing
// is claimed as saved that is not, and nothing already saved is lost.
import { test, expect } from '@playwright/test';
import { expectMounted, indicator, waitForServiceWorkerControl } from './app';
import { TEST_PIN, lockSetUp } from './app-lock';
import { LOCALES } from './locales';

const en = LOCALES.en;

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
});

test('a full phone: starting is refused with what to do, and works once there is room', async ({ page, baseURL }) => {
  await page.goto('/');
  await expectMounted(page);
  await waitForServiceWorkerControl(page);

  // The browser's quota for this origin drops to nothing before anything is saved (a full
  // phone). Chromium checks writes against it when the database is first used. The first
  // thing the observation screens save is the app lock: refused, saying what to do.
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
  await page.goto('/observe/new');
  await expectMounted(page, { passLock: false });
  await lockSetUp(page).locator('#lock-secret').fill(TEST_PIN);
  await lockSetUp(page).locator('#lock-secret-repeat').fill(TEST_PIN);
  await lockSetUp(page).locator('button[type=submit]').click();
  await expect(page.getByRole('alert')).toHaveText(en.storage_not_saved);
  await expect(page).toHaveURL(/\/observe\/new$/);

  // Space is freed: the lock is set, the form starts the observation, answers are saved.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.goto('/observe');
  await expectMounted(page);
  await expect(page.getByText(en.observe_drafts_empty)).toBeVisible();
  await page.goto('/observe/new');
  await expectMounted(page);
  await page.getByRole('radio', { name: en.setting_schoolyard }).check();
  const start = page.getByRole('button', { name: en.start_submit });
  await start.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.checklist_title);
  const observed = indicator(page, 'behaviour.absent-without-reason').getByRole('radio', { name: en.answer_observed, exact: true });
  await observed.check();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await expectMounted(page);
  await expect(observed).toBeChecked();
});

test('a browser without IndexedDB: observing explains why it cannot save, the rest of the app works', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true }));
  await page.goto('/observe');
  // The app lock cannot be read either: the screen says why instead of asking for a PIN.
  await expectMounted(page, { passLock: false });
  await expect(page.getByRole('alert')).toHaveText(en.storage_unavailable);
  // Quick mode: the tap is not claimed as saved.
  await page.goto('/quick');
  await expectMounted(page);
  await page.getByTestId('quick-sign').first().click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('save-status')).toHaveText(en.storage_unavailable);
  // Calling for help does not depend on storage.
  await page.goto('/');
  await expectMounted(page);
  await expect(page.getByRole('link', { name: en.home_emergency_call })).toHaveAttribute('href', 'tel:192');
});
