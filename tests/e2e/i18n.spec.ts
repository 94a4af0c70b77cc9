// Language and script: every switch changes what a person reads, and the choice sticks.
import { test, expect, type Page } from '@playwright/test';
import { expectHeading, expectMounted, headerLanguageSelect, openApp, switchLocale } from './app';
import { DEFAULT_LOCALE, LOCALES, LOCALE_TAGS, ROUTES, navLabels, type LocaleTag } from './locales';

async function expectScreenIn(page: Page, tag: LocaleTag, title: keyof typeof LOCALES['en']) {
  const messages = LOCALES[tag];
  await expect(page.locator('html')).toHaveAttribute('lang', tag);
  await expectHeading(page, messages[title]);
  await expect(page).toHaveTitle(`${messages[title]} — ${messages.app_name}`);
  const nav = page.getByRole('navigation', { name: messages.nav_label });
  await expect(nav.getByRole('link')).toHaveText(navLabels(messages));
  await expect(headerLanguageSelect(page, messages)).toHaveValue(tag);
  await expect(page.getByTestId('connection-status')).toHaveText(messages.status_online);
}

test('the app starts in Serbian Cyrillic', async ({ page }) => {
  await openApp(page, '/');
  await expectScreenIn(page, DEFAULT_LOCALE, 'home_title');
  await expect(page.getByRole('link', { name: LOCALES[DEFAULT_LOCALE].home_emergency_call })).toHaveAttribute('href', 'tel:192');
});

for (const target of LOCALE_TAGS.filter((tag) => tag !== DEFAULT_LOCALE)) {
  test(`switching to ${target} translates every screen and survives a reload`, async ({ page }) => {
    await openApp(page, '/');
    await switchLocale(page, DEFAULT_LOCALE, target);
    await expectScreenIn(page, target, 'home_title');
    expect(await page.evaluate(() => localStorage.getItem('prepoznaj.locale'))).toContain(target);

    await page.reload();
    await expectMounted(page);
    await expectScreenIn(page, target, 'home_title');

    for (const route of ROUTES) {
      await openApp(page, route.path);
      await expectScreenIn(page, target, route.title);
    }

    // Back to the default from the settings screen's own switch.
    await openApp(page, '/settings');
    await page.getByRole('main').getByRole('combobox', { name: LOCALES[target].language_label }).selectOption(DEFAULT_LOCALE);
    await expectScreenIn(page, DEFAULT_LOCALE, 'settings_title');
    await page.reload();
    await expectMounted(page);
    await expectScreenIn(page, DEFAULT_LOCALE, 'settings_title');
  });
}
