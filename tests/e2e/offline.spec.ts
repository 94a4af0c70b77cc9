// Offline: after one visit, every screen opens without a network, nothing fails to load,
// and the connection badge tells the person where they stand.
import { test, expect } from '@playwright/test';
import { expectHeading, expectMounted, openApp, waitForServiceWorkerControl } from './app';
import { DEFAULT_LOCALE, LOCALES, ROUTES } from './locales';

for (const tag of [DEFAULT_LOCALE, 'hu'] as const) test(`after the first visit every screen works offline, in ${tag}`, async ({ page, context }) => {
  const messages = LOCALES[tag];
  // The choice as a person made it earlier: each page then loads its table in this language.
  if (tag !== DEFAULT_LOCALE) await page.addInitScript((locale) => localStorage.setItem('prepoznaj.locale', JSON.stringify(locale)), tag);
  const failures: string[] = [];
  context.on('requestfailed', (request) => failures.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  context.on('response', (response) => {
    if (response.status() >= 400) failures.push(`${response.request().method()} ${response.url()}: HTTP ${response.status()}`);
  });

  await openApp(page, '/');
  await waitForServiceWorkerControl(page);
  const status = page.getByTestId('connection-status');
  await expect(status).toHaveAttribute('data-online', 'true');
  await expect(status).toHaveText(messages.status_online);

  await context.setOffline(true);
  await expect(status).toHaveAttribute('data-online', 'false');
  await expect(status).toHaveText(messages.status_offline);
  await expect(status).toHaveRole('status');

  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker()).toBe(true);
  await expectMounted(page);
  await expectHeading(page, messages.home_title);
  await expect(status).toHaveAttribute('data-online', 'false');

  const deepLinks = [...ROUTES, { path: '/observe?x=1', title: 'observe_title' as const }];
  for (const route of deepLinks) {
    const response = await page.goto(route.path);
    expect(response?.fromServiceWorker(), route.path).toBe(true);
    await expectMounted(page);
    await expectHeading(page, messages[route.title]);
    await expect(status).toHaveAttribute('data-online', 'false');
  }

  // Moving between screens inside the app while offline.
  await page.getByRole('navigation', { name: messages.nav_label }).getByRole('link', { name: messages.nav_contacts }).tap();
  await expect(page).toHaveURL(/\/contacts$/);
  await expectHeading(page, messages.contacts_title);

  await context.setOffline(false);
  await expect(status).toHaveAttribute('data-online', 'true');
  await expect(status).toHaveText(messages.status_online);

  expect(failures).toEqual([]);
});
