// Waiting on the app: mounted, controlled by its service worker, showing a heading.
import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { passAppLock } from './app-lock';
import { LOCALES, type LocaleTag, type Messages } from './locales';

/**
 * The wasm app has replaced the static loading shell and rendered its header; on an
 * observation screen it has also passed the app lock (set on the first visit, entered after
 * every page load: app-lock.ts), unless `passLock` is false (the lock's own tests).
 */
export async function expectMounted(page: Page, { passLock = true } = {}): Promise<void> {
  await expect(page.locator('#loading')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('connection-status')).toBeVisible();
  if (passLock && isLockedPath(new URL(page.url()).pathname)) await passAppLock(page);
}

/** Whether `path` is an observation screen behind the app lock (`/quick` itself is not). */
export function isLockedPath(path: string): boolean {
  return /^\/(observe(\/|$|\?)|quick\/)/.test(path);
}

/** Navigates to `path` and waits until the app has mounted (and, on an observation screen,
 * has passed the app lock: see app-lock.ts). */
export async function openApp(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expectMounted(page);
}

/** The page's only h1 reads `text`. */
export async function expectHeading(page: Page, text: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text);
}

/** Waits until a service worker controls the page (clients.claim() on first install). */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 15_000 });
}

/** The header's language switch, found by its label in the current locale. */
export function headerLanguageSelect(page: Page, current: Messages) {
  return page.getByRole('banner').getByRole('combobox', { name: current.language_label });
}

/** Switches the UI from `from` to `to` with the header's language select. */
export async function switchLocale(page: Page, from: LocaleTag, to: LocaleTag): Promise<void> {
  await headerLanguageSelect(page, LOCALES[from]).selectOption(to);
  await expect(page.locator('html')).toHaveAttribute('lang', to);
}

/** Names of the cache storage caches of this origin. */
export function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

/**
 * Asks the browser to check for a new service worker until it has fetched one: the first
 * version must be fully activated, or the browser may fold the check into the registration
 * still in progress (and an update check the app itself started, e.g. on focus, may have
 * seen the old script).
 */
export async function checkForUpdate(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.getRegistration().then((registration) => registration?.active?.state === 'activated'));
  await expect
    .poll(() =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration?.update();
        return registration?.installing != null || registration?.waiting != null;
      }),
    )
    .toBe(true);
}

/** Opens the start form from `/observe` under `base`, picks a setting, starts: the checklist shows. */
export async function startFullObservation(page: Page, base = ''): Promise<void> {
  const en = LOCALES.en;
  await page.goto(`${base}/observe`);
  await expectMounted(page);
  await page.getByRole('link', { name: en.observe_start_full }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.start_title);
  await page.getByRole('radio', { name: en.setting_schoolyard }).check();
  await page.getByRole('button', { name: en.start_submit }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.checklist_title);
  await expect(page).toHaveURL(/\/observe\/[0-9a-f-]{36}$/);
}

/** The checklist item of indicator `id`. */
export function indicator(page: Page, id: string) {
  return page.locator(`[data-indicator="${id}"]`);
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Switches the emulated colour scheme and waits until the buttons' colour transitions (120 ms)
 * have finished: axe must see the final colours, not a frame between light and dark.
 */
export async function setColorScheme(page: Page, colorScheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme });
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
}

/** Axe's WCAG 2.1 A/AA violations on the page as it is, light and dark. */
export async function axeViolations(page: Page, step: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await setColorScheme(page, colorScheme);
    const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
    expect(results.passes.length, 'axe ran its checks').toBeGreaterThan(0);
    for (const violation of results.violations) {
      found.push(`${step} [${colorScheme}] ${violation.id}: ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}
