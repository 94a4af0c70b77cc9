// Accessibility: no axe violations on any screen, language or colour scheme; touch targets
// big enough for a thumb; readable base text; nothing scrolls sideways on a small phone.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { expectHeading, openApp, setColorScheme, switchLocale } from './app';
import { DEFAULT_LOCALE, LOCALES, LOCALE_TAGS, ROUTES, type LocaleTag } from './locales';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const MIN_TARGET_PX = 48;

/** Waits until the page's loaded content (if it has any after its heading) is there. */
async function expectReady(page: Page, route: (typeof ROUTES)[number]) {
  if (route.ready) await expect(page.locator(route.ready).first()).toBeVisible();
}

/** Opens the app with `tag` as the remembered language choice. */
async function chooseLocale(page: Page, tag: LocaleTag) {
  await page.addInitScript((locale) => localStorage.setItem('prepoznaj.locale', JSON.stringify(locale)), tag);
}

// One test per screen, so that the screens are checked in parallel.
for (const route of ROUTES) test(`no WCAG 2.1 A/AA violations on ${route.path} in any language or colour scheme`, async ({ page }) => {
  const found: string[] = [];
  await openApp(page, route.path);
  let current: LocaleTag = DEFAULT_LOCALE;
  for (const tag of LOCALE_TAGS) {
    if (tag !== current) await switchLocale(page, current, tag);
    current = tag;
    await expectHeading(page, LOCALES[tag][route.title]);
    await expectReady(page, route);
    for (const colorScheme of ['light', 'dark'] as const) {
      await setColorScheme(page, colorScheme);
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      expect(results.passes.length, 'axe ran its checks').toBeGreaterThan(0);
      for (const violation of results.violations) {
        const targets = violation.nodes.map((node) => node.target.join(' ')).join(', ');
        found.push(`${route.path} [${tag}, ${colorScheme}] ${violation.id} (${violation.impact}): ${violation.help} — ${targets}`);
      }
    }
  }
  expect(found).toEqual([]);
});

/**
 * Visible controls (except a skip link that is off-screen until focused) smaller than the minimum;
 * a radio or checkbox is measured by the label it sits in.
 */
async function undersizedTargets(page: Page): Promise<{ checked: number; small: string[] }> {
  return page.evaluate((min) => {
    const controls = document.querySelectorAll<HTMLElement>(
      'a[href], button, select, input:not([type=hidden]), textarea, [role=button], [role=link], [tabindex]:not([tabindex="-1"])',
    );
    const small: string[] = [];
    let checked = 0;
    for (const control of controls) {
      // A radio or checkbox inside its label is tapped through the label: that is its target.
      const wrapping = control.matches('input[type=radio], input[type=checkbox]') ? control.closest('label') : null;
      const box = (wrapping ?? control).getBoundingClientRect();
      const style = getComputedStyle(control);
      if (style.display === 'none' || style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
      const isSkipLink = control.getAttribute('href')?.startsWith('#') && control !== document.activeElement;
      if (isSkipLink && (box.bottom <= 0 || box.right <= 0)) continue;
      checked += 1;
      if (box.width < min || box.height < min) {
        const name = (control.getAttribute('aria-label') || control.textContent || control.id || '').trim().slice(0, 40);
        small.push(`<${control.tagName.toLowerCase()}> "${name}" ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
      }
    }
    return { checked, small };
  }, MIN_TARGET_PX);
}

test('every link, button and select is at least 48×48 CSS px', async ({ page }) => {
  const found: string[] = [];
  for (const tag of LOCALE_TAGS) {
    await chooseLocale(page, tag);
    for (const route of ROUTES) {
      await openApp(page, route.path);
      await expectHeading(page, LOCALES[tag][route.title]);
      await expectReady(page, route);
      const { checked, small } = await undersizedTargets(page);
      // At least the header's name link, the language select and the navigation.
      expect(checked, `${route.path} controls found`).toBeGreaterThanOrEqual(3);
      for (const target of small) found.push(`${route.path} [${tag}] ${target}`);
    }
  }
  expect(found).toEqual([]);
});

test('the skip link appears on focus and is big enough to tap', async ({ page }) => {
  await openApp(page, '/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: LOCALES['sr-Cyrl'].skip_to_content });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  const box = (await skip.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(MIN_TARGET_PX);
  expect(box.height).toBeGreaterThanOrEqual(MIN_TARGET_PX);
  await skip.press('Enter');
  // The next Tab lands in the page's content, past the header and its controls.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('main').locator(':focus')).toHaveCount(1);
});

test('base text is 16 px and nothing scrolls sideways at 320 px', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  const found: string[] = [];
  for (const tag of LOCALE_TAGS) {
    await chooseLocale(page, tag);
    for (const route of ROUTES) {
      await openApp(page, route.path);
      await expectHeading(page, LOCALES[tag][route.title]);
      await expectReady(page, route);
      const layout = await page.evaluate(() => ({
        rootFont: getComputedStyle(document.documentElement).fontSize,
        bodyFont: getComputedStyle(document.body).fontSize,
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      const where = `${route.path} [${tag}]`;
      if (layout.rootFont !== '16px' || layout.bodyFont !== '16px') found.push(`${where} font-size html ${layout.rootFont}, body ${layout.bodyFont}`);
      if (layout.scrollWidth > layout.clientWidth) found.push(`${where} scrolls sideways: ${layout.scrollWidth} > ${layout.clientWidth}`);
    }
  }
  expect(found).toEqual([]);
});
