// What each screen offers: the way around the app, the emergency number, and settings.
import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { expectHeading, expectMounted, openApp } from './app';
import { DEFAULT_LOCALE, LOCALES, ROUTES, navLabels } from './locales';

const messages = LOCALES[DEFAULT_LOCALE];
const titleOf = (path: string) => messages[ROUTES.find((route) => route.path === path)!.title];

/** The version in the workspace's Cargo.toml, which the app shows in settings. */
function workspaceVersion(): string {
  const manifest = fs.readFileSync('Cargo.toml', 'utf8');
  const version = /\[workspace\.package\][^[]*?\nversion\s*=\s*"([^"]+)"/.exec(manifest);
  if (!version) throw new Error('no [workspace.package] version in Cargo.toml');
  return version[1];
}

test('home offers the emergency number and every task, and each task opens its screen', async ({ page }) => {
  await openApp(page, '/');
  await expectHeading(page, messages.home_title);
  await expect(page).toHaveTitle(`${messages.home_title} — ${messages.app_name}`);
  const call = page.getByRole('link', { name: messages.home_emergency_call });
  await expect(call).toBeVisible();
  await expect(call).toHaveAttribute('href', 'tel:192');

  const tasks = [
    { name: messages.home_observe_title, path: '/observe' },
    { name: messages.home_guidance_title, path: '/guidance' },
    { name: messages.home_contacts_title, path: '/contacts' },
    { name: messages.home_settings_title, path: '/settings' },
  ];
  for (const task of tasks) {
    await openApp(page, '/');
    await page.getByRole('main').getByRole('link', { name: task.name }).tap();
    await expect(page).toHaveURL(new RegExp(`${task.path}$`));
    await expectMounted(page); // the observation screens are behind the app lock
    await expectHeading(page, titleOf(task.path));
  }
});

test('the bottom navigation and the app name lead everywhere', async ({ page }) => {
  await openApp(page, '/settings');
  const nav = page.getByRole('navigation', { name: messages.nav_label });
  await expect(nav.getByRole('link')).toHaveText(navLabels(messages));
  for (const link of await nav.getByRole('link').all()) {
    const href = (await link.getAttribute('href'))!;
    await link.tap();
    await expect(page).toHaveURL(new RegExp(`${href === '/' ? '/' : href}$`));
    await expectMounted(page); // the observation screens are behind the app lock
    await expectHeading(page, titleOf(href));
    await expect(link).toHaveAttribute('aria-current', 'page');
  }
  await page.getByRole('banner').getByRole('link', { name: messages.app_name }).tap();
  await expect(page).toHaveURL(/\/$/);
  await expectHeading(page, messages.home_title);
});

test('an unknown address says so and leads home', async ({ page }) => {
  await openApp(page, '/no/such/page');
  await expectHeading(page, messages.not_found_title);
  await expect(page).toHaveTitle(`${messages.not_found_title} — ${messages.app_name}`);
  await page.getByRole('main').getByRole('link', { name: messages.not_found_home }).tap();
  await expectHeading(page, messages.home_title);
});

test('settings report storage on this phone and the app version', async ({ page }) => {
  await openApp(page, '/settings');
  await expectHeading(page, messages.settings_title);
  const persistence = page.getByTestId('storage-persistence');
  await expect(persistence).toHaveAttribute('data-persistent', /^(true|false)$/);
  const persistent = (await persistence.getAttribute('data-persistent')) === 'true';
  await expect(persistence).toHaveText(persistent ? messages.settings_storage_persistent : messages.settings_storage_not_persistent);
  // "Заузето 1,2 MB од 10,0 GB доступних." — both numbers filled in, with units.
  const unit = `(${messages.unit_bytes}|${messages.unit_kilobytes}|${messages.unit_megabytes}|${messages.unit_gigabytes})`;
  const amount = `[0-9]+([.,][0-9])? ${unit}`;
  const usage = messages.settings_storage_usage
    .split(/\{used\}|\{quota\}/)
    .map((text) => text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'))
    .join(amount);
  await expect(page.getByTestId('storage-usage')).toHaveText(new RegExp(`^${usage}$`));
  // The version, and the build it runs: the hash of every file of the build, the service
  // worker's version (the build step prints it for the operator to publish).
  const build = /const VERSION = '([0-9a-f]{16})';/.exec(fs.readFileSync(`${process.env.PREPOZNAJ_DIST || 'dist'}/sw.js`, 'utf8'))![1];
  await expect(page.getByTestId('app-version')).toHaveText(
    `${messages.settings_version.replace('{version}', workspaceVersion())} · ${messages.settings_build.replace('{build}', build.match(/.{4}/g)!.join(' '))}`,
  );
});
