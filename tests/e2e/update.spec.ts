// Updates: a new version waits for the person's go-ahead, then takes over after one reload.
import { test, expect } from '@playwright/test';
import { cacheNames, checkForUpdate, expectHeading, expectMounted, indicator, openApp, startFullObservation, switchLocale, waitForServiceWorkerControl } from './app';
import { startServerWithDistCopy, publishNewServiceWorkerVersion, type AppServer } from './app-server';
import { DEFAULT_LOCALE, LOCALES } from './locales';

let server: AppServer;
test.beforeEach(async () => {
  server = await startServerWithDistCopy();
});
test.afterEach(async () => {
  await server.stop();
});

test('a new version is offered, never forced, and applied on tap', async ({ page }) => {
  const other = 'en' as const;
  await openApp(page, `${server.url}/settings`);
  await waitForServiceWorkerControl(page);
  const [oldCache] = await cacheNames(page);
  const { oldVersion, newVersion } = publishNewServiceWorkerVersion(server.dist);
  expect(oldCache).toBe(`prepoznaj-shell-${oldVersion}`);

  // State a reload would lose: a marker on window, and the screen the person is on.
  await switchLocale(page, DEFAULT_LOCALE, other);
  await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
  let mainFrameNavigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) mainFrameNavigations += 1;
  });

  await checkForUpdate(page);

  const update = page.getByTestId('update-reload');
  await expect(update).toBeVisible();
  await expect(update).toHaveText(LOCALES[other].update_reload);
  await expect(update).toHaveRole('button');

  // The new version is installed and waiting; the old one still runs this page.
  await page.waitForFunction(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.waiting != null));
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
  expect(mainFrameNavigations).toBe(0);
  await expectHeading(page, LOCALES[other].settings_title);
  expect(await cacheNames(page)).toContain(oldCache);

  const reloaded = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await update.tap();
  await reloaded;
  await expectMounted(page);
  await expectHeading(page, LOCALES[other].settings_title);
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBeUndefined();

  await waitForServiceWorkerControl(page);
  await expect.poll(() => cacheNames(page)).toEqual([`prepoznaj-shell-${newVersion}`]);
  const registration = await page.evaluate(async () => {
    const current = await navigator.serviceWorker.getRegistration();
    return { waiting: current?.waiting != null, activeIsController: current?.active?.scriptURL === navigator.serviceWorker.controller?.scriptURL };
  });
  expect(registration).toEqual({ waiting: false, activeIsController: true });
  await expect(page.getByTestId('update-reload')).toHaveCount(0);
});

test('an update in the middle of an observation keeps every answer, before and after the reload', async ({ page }) => {
  const en = LOCALES.en;
  const answer = (id: string, name: string) => indicator(page, id).getByRole('radio', { name, exact: true });
  const saved = () => expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await page.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  await openApp(page, `${server.url}/`);
  await waitForServiceWorkerControl(page);
  await startFullObservation(page, server.url);
  const checklist = page.url();
  await answer('behaviour.absent-without-reason', en.answer_observed).check();
  await saved();

  const { newVersion } = publishNewServiceWorkerVersion(server.dist);
  await checkForUpdate(page);
  const update = page.getByTestId('update-reload');
  await expect(update).toBeVisible();

  // While the new version waits, the old one keeps working: answers are still saved.
  await answer('behaviour.sudden-drop', en.answer_not_sure).check();
  await saved();

  const reloaded = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await update.tap();
  await reloaded;
  await expectMounted(page);
  expect(page.url()).toBe(checklist);
  await expect(answer('behaviour.absent-without-reason', en.answer_observed)).toBeChecked();
  await expect(answer('behaviour.sudden-drop', en.answer_not_sure)).toBeChecked();
  await expect.poll(() => cacheNames(page)).toEqual([`prepoznaj-shell-${newVersion}`]);

  // The new version runs the checklist offline, from its own cache, and goes on saving.
  await page.context().setOffline(true);
  await page.reload();
  await expectMounted(page);
  await answer('behaviour.absent-without-reason', en.answer_not_observed).check();
  await saved();
  await page.reload();
  await expectMounted(page);
  await expect(answer('behaviour.absent-without-reason', en.answer_not_observed)).toBeChecked();
  await expect(answer('behaviour.sudden-drop', en.answer_not_sure)).toBeChecked();
});
