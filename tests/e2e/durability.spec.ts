// Nothing is lost when the browser dies: answers given offline are on disk the moment the app
// says "saved", so killing the browser process (SIGKILL, no chance to flush anything) and
// starting it again on the same profile, still offline, brings every answer back.
import { test, expect, type BrowserContext, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectMounted, waitForServiceWorkerControl } from './app';
import { killBrowser, launchPhoneProfile } from './chromium';
import { LOCALES } from './locales';

const en = LOCALES.en;

/** Opens the profile in English. (localStorage, unlike IndexedDB, is written to disk lazily,
 * so a killed browser may forget the language choice; that is a preference, not data.) */
async function launch(profile: string, testInfo: TestInfo): Promise<BrowserContext> {
  const context = await launchPhoneProfile(profile, testInfo);
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  return context;
}

test('answers survive the browser process being killed right after they are saved', async ({}, testInfo) => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-kill-'));
  try {
    const first = await launch(profile, testInfo);
    const page = first.pages()[0] ?? (await first.newPage());
    await page.goto('/');
    await expectMounted(page);
    await waitForServiceWorkerControl(page);
    await first.setOffline(true);
    await page.goto('/observe/new');
    await expectMounted(page);
    await page.getByRole('button', { name: en.start_submit }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.checklist_title);
    const indicators = page.locator('[data-testid=indicator]');
    const ids = await indicators.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-indicator')));
    const chosen = ids.slice(0, 3);
    for (const id of chosen) {
      await page.locator(`[data-indicator="${id}"]`).getByRole('radio', { name: en.answer_observed, exact: true }).check();
    }
    await expect(page.getByTestId('checklist-progress')).toContainText('3');
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    const draftUrl = page.url();
    expect(killBrowser(profile)).toBeGreaterThan(0);
    await first.close().catch(() => undefined);

    const second = await launch(profile, testInfo);
    try {
      await second.setOffline(true);
      const again = second.pages()[0] ?? (await second.newPage());
      await again.goto(draftUrl);
      await expectMounted(again);
      await expect(again.getByRole('heading', { level: 1 })).toHaveText(en.checklist_title);
      for (const id of chosen) {
        await expect(again.locator(`[data-indicator="${id}"]`).getByRole('radio', { name: en.answer_observed, exact: true })).toBeChecked();
      }
      await again.goto('/observe');
      await expect(again.getByTestId('drafts').getByTestId('record')).toHaveCount(1);
      await expect(again.getByTestId('drafts')).toContainText(/3 of \d+ answered/);
    } finally {
      await second.close();
    }
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
