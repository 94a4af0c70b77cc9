// The guidance: contents and sections (with the indicators that point to them), sources,
// search across the text and the indicators in any script, deep links that land on their
// section (also offline), and the way back to the checklist. The expected texts come from the
// content files the app ships, so the tests follow the content.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { expectHeading, expectMounted, indicator, openApp, setColorScheme, startFullObservation, waitForServiceWorkerControl } from './app';
import { LOCALES, toLatin, type LocaleTag, type Messages } from './locales';

type Text = { sr: string; en: string; hu?: string };
type Guidance = {
  updated: string;
  sections: { id: string; title: Text }[];
  sources: { url: string; title: Text; publisher: Text; published?: string | null; read?: string; note: Text }[];
};
type Catalogue = {
  areas: { id: string; title: Text; indicators: { id: string; text: Text; guidance: string }[] }[];
};

const CONTENT = path.join(__dirname, '../../public/content');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(CONTENT, file), 'utf8'));
const CURRENT: string = readJson('catalogue/index.json').current;
const GUIDANCE: Guidance = readJson(`guidance/${CURRENT}.json`);
const CATALOGUE: Catalogue = readJson(`catalogue/${CURRENT}.json`);
const INDICATORS = CATALOGUE.areas.flatMap((area) => area.indicators);

/** A content text as the UI shows it in `tag`. */
function localized(text: Text, tag: LocaleTag): string {
  if (tag === 'en') return text.en;
  // Hungarian as read: a Serbian name marked {sr|…} without its markup; Serbian Latin where
  // a text is not translated yet.
  if (tag === 'hu') return text.hu?.replace(/\{sr\|([^{}]*)\}/g, '$1') ?? toLatin(text.sr);
  return tag === 'sr-Latn' ? toLatin(text.sr) : text.sr;
}

/** A message with its `{placeholders}` filled in. */
function fill(message: string, values: Record<string, string>): string {
  return message.replace(/\{(\w+)\}/g, (_, name: string) => values[name]);
}

/** A message with `{placeholder}` standing for any number. */
function countPattern(message: string): RegExp {
  const escaped = message.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace('\\{count\\}', '\\d+')}$`);
}

async function chooseLocale(page: Page, tag: LocaleTag) {
  await page.addInitScript((locale) => localStorage.setItem('prepoznaj.locale', JSON.stringify(locale)), tag);
}

/** Opens the guidance at `address` and waits until its text is there. */
async function openGuidance(page: Page, address = '/guidance') {
  await openApp(page, address);
  await expect(page.getByTestId('guidance-section').first()).toBeAttached();
}

const searchBox = (page: Page, m: Messages) => page.getByRole('searchbox', { name: m.guidance_search_label });
const results = (page: Page) => page.getByTestId('guidance-results');
const sectionHeading = (page: Page, title: string) => page.getByRole('heading', { level: 2, name: title, exact: true });

/** The section's heading has focus and is on screen, below the sticky header. */
async function expectLandedOn(page: Page, title: string) {
  const heading = sectionHeading(page, title);
  await expect(heading).toBeFocused();
  await expect(heading).toBeInViewport();
  const header = (await page.getByRole('banner').boundingBox())!;
  const box = (await heading.boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(header.y + header.height - 1);
}

test.describe('guidance, in Serbian Cyrillic', () => {
  const m = LOCALES['sr-Cyrl'];

  test('the contents list every section, and each entry opens its section', async ({ page }) => {
    await openGuidance(page);
    await expectHeading(page, m.guidance_title);
    const contents = page.getByRole('navigation', { name: m.guidance_contents });
    await expect(contents.getByRole('link')).toHaveCount(GUIDANCE.sections.length + 1);
    for (const section of GUIDANCE.sections) {
      const link = contents.getByRole('link', { name: section.title.sr, exact: true });
      await expect(link).toHaveAttribute('href', `#${section.id}`);
      await link.click();
      await expect(page).toHaveURL(new RegExp(`#${section.id}$`));
      await expectLandedOn(page, section.title.sr);
    }
    await contents.getByRole('link', { name: m.guidance_sources_heading, exact: true }).click();
    await expectLandedOn(page, m.guidance_sources_heading);
  });

  test('every section lists the indicators that point to it', async ({ page }) => {
    await openGuidance(page);
    for (const section of GUIDANCE.sections) {
      const region = page.getByRole('region', { name: section.title.sr, exact: true });
      const linked = INDICATORS.filter((item) => item.guidance === section.id);
      const listed = region.getByTestId('guidance-indicators').getByRole('listitem');
      await expect(listed, section.id).toHaveCount(linked.length);
      for (const item of linked) {
        await expect(region.locator(`[data-indicator="${item.id}"]`)).toContainText(item.text.sr);
      }
    }
  });

  test('the text ends with its sources and the date it was last updated', async ({ page }) => {
    await openGuidance(page);
    const date = new Date(`${GUIDANCE.updated}T00:00:00Z`).toLocaleDateString('sr-Cyrl', {
      day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
    });
    const sources = page.getByRole('region', { name: m.guidance_sources_heading });
    await expect(sources.getByTestId('guidance-updated')).toHaveText(fill(m.guidance_updated, { date }));
    const listed = sources.getByTestId('guidance-source');
    await expect(listed).toHaveCount(GUIDANCE.sources.length);
    for (const [index, source] of GUIDANCE.sources.entries()) {
      // The Serbian title on a Serbian page, as a link to the source that opens in a new tab.
      const link = listed.nth(index).getByTestId('source-link');
      await expect(link).toHaveAttribute('href', source.url);
      await expect(link).toHaveAttribute('target', '_blank');
      await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
      await expect(link).toContainText(source.title.sr);
      await expect(listed.nth(index)).toContainText(source.publisher.sr);
      await expect(listed.nth(index)).toContainText(source.note.sr);
    }
    // An undated page says so and when it was read; a dated one gives its date.
    const undated = GUIDANCE.sources.findIndex((source) => !source.published);
    await expect(listed.nth(undated)).toContainText(fill(m.source_read, { date: '27. новембар 2026.' }));
    const dated = GUIDANCE.sources.findIndex((source) => source.published === '2018-01-29');
    await expect(listed.nth(dated)).toContainText('29. јануар 2018.');
  });

  test('a Latin query without diacritics finds Cyrillic text and marks it', async ({ page }) => {
    await openGuidance(page);
    await searchBox(page, m).fill('sumnja');
    await expect(results(page).getByRole('listitem').first()).toBeVisible();
    await expect(results(page).locator('mark', { hasText: /^сумња$/i }).first()).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: countPattern(m.guidance_search_count) })).toBeVisible();
    // The results take the place of the text.
    await expect(page.getByRole('navigation', { name: m.guidance_contents })).toBeHidden();

    await searchBox(page, m).fill('zastita');
    await expect(results(page).locator('mark', { hasText: /^заштита$/i }).first()).toBeVisible();
    // Indicators are searched too, and say which area they belong to.
    await searchBox(page, m).fill('izostaje');
    const area = localized(CATALOGUE.areas[0].title, 'sr-Cyrl');
    await expect(results(page).getByRole('listitem').filter({ hasText: fill(m.guidance_search_indicator, { area }) }).first()).toBeVisible();
  });

  test('no match shows the empty state; clearing brings the whole text back', async ({ page }) => {
    await openGuidance(page);
    const query = 'qqxzv';
    await searchBox(page, m).fill(query);
    await expect(page.getByRole('status').filter({ hasText: fill(m.guidance_search_empty, { query }) })).toBeVisible();
    await expect(page.getByText(m.guidance_search_empty_help)).toBeVisible();
    await expect(results(page)).toHaveCount(0);
    await expect(page.getByRole('navigation', { name: m.guidance_contents })).toBeHidden();

    await page.getByRole('button', { name: m.guidance_search_clear }).click();
    await expect(searchBox(page, m)).toHaveValue('');
    await expect(searchBox(page, m)).toBeFocused();
    await expect(page.getByRole('navigation', { name: m.guidance_contents })).toBeVisible();
    await expect(page.getByTestId('guidance-section')).toHaveCount(GUIDANCE.sections.length);

    // Emptying the box by hand does the same.
    await searchBox(page, m).fill('sumnja');
    await expect(results(page)).toBeVisible();
    await searchBox(page, m).fill('');
    await expect(results(page)).toHaveCount(0);
    await expect(page.getByRole('navigation', { name: m.guidance_contents })).toBeVisible();
  });

  test('a query with many results shows the first results and the rest on request', async ({ page }) => {
    await openGuidance(page);
    await searchBox(page, m).fill('дете');
    const status = page.getByRole('status').filter({ hasText: countPattern(m.guidance_search_count) });
    await expect(status).toBeVisible();
    const total = Number((await status.textContent())!.match(/\d+/)![0]);
    expect(total).toBeGreaterThan(10);
    const listed = results(page).getByRole('listitem');
    await expect(listed).toHaveCount(10);
    await page.getByRole('button', { name: fill(m.guidance_search_show_all, { count: String(total) }) }).click();
    await expect(listed).toHaveCount(total);
    await expect(listed.nth(10).getByRole('link')).toBeFocused();
    // A new query starts again with the first results only.
    await searchBox(page, m).fill('школа');
    await expect(listed).toHaveCount(10);
  });

  test('a case of a word, or its start, finds every case of it, with the word as typed first', async ({ page }) => {
    await openGuidance(page);
    const listed = results(page).getByRole('listitem');
    const count = page.getByRole('status').filter({ hasText: countPattern(m.guidance_search_count) });
    /** Every result of `query`, all shown, as "#section title", once the first marks `first`. */
    const resultsOf = async (query: string, first: RegExp) => {
      await searchBox(page, m).fill('');
      await expect(results(page)).toHaveCount(0);
      await searchBox(page, m).fill(query);
      await expect(listed.first().locator('mark', { hasText: first }).first()).toBeVisible();
      const total = Number((await count.textContent())!.match(/\d+/)![0]);
      if (total > 10) await page.getByRole('button', { name: fill(m.guidance_search_show_all, { count: String(total) }) }).click();
      await expect(listed).toHaveCount(total);
      const items = await results(page).getByRole('link').evaluateAll((links) =>
        links.map((link) => `${link.getAttribute('href')} ${link.querySelector('.guidance-result__title')?.textContent}`));
      return items.sort();
    };
    const protection = await resultsOf('заштита', /^заштита$/i);
    // The word as typed alone found 2 sections; its cases are in many more texts.
    expect(protection.length).toBeGreaterThan(10);
    // Results holding "заштита" itself come first, then those with only its other cases.
    const exact = await listed.evaluateAll((items) =>
      items.map((item) => [...item.querySelectorAll('mark')].some((mark) => mark.textContent!.toLowerCase() === 'заштита')));
    expect(exact[0]).toBe(true);
    const firstOther = exact.indexOf(false);
    expect(firstOther).toBeGreaterThan(0);
    expect(exact.slice(firstOther)).not.toContain(true);

    // The guidance never says "заштитом": every result is another case of the word.
    expect(await resultsOf('заштитом', /^заштит/i)).toEqual(protection);
    expect(await resultsOf('zastit', /^заштит/i)).toEqual(protection);
    // A function word alone ("ко", who) finds nothing, not every word with "ko" in it.
    await searchBox(page, m).fill('ко');
    await expect(page.getByRole('status').filter({ hasText: fill(m.guidance_search_empty, { query: 'ко' }) })).toBeVisible();
  });

  test('a result opens its section in the whole text', async ({ page }) => {
    await openGuidance(page);
    await searchBox(page, m).fill('sumnja');
    const first = results(page).getByRole('link').first();
    const href = await first.getAttribute('href');
    const section = GUIDANCE.sections.find((item) => `#${item.id}` === href)!;
    await first.click();
    await expect(searchBox(page, m)).toHaveValue('');
    await expectLandedOn(page, section.title.sr);
  });

  test('an address with #section lands on that section, also offline after the first visit', async ({ page, context }) => {
    const section = GUIDANCE.sections.find((item) => item.id === 'school-procedure')!;
    await openApp(page, '/guidance#school-procedure');
    await expectLandedOn(page, section.title.sr);

    await waitForServiceWorkerControl(page);
    await context.setOffline(true);
    await page.goto('/');
    await expectMounted(page);
    const response = await page.goto('/guidance#school-procedure');
    expect(response?.fromServiceWorker()).toBe(true);
    await expectMounted(page);
    await expectLandedOn(page, section.title.sr);
  });
});

test.describe('the way back to the checklist', () => {
  const m = LOCALES['sr-Cyrl'];
  const item = INDICATORS.find((candidate) => candidate.guidance === 'using-indicators')!;
  const section = GUIDANCE.sections.find((candidate) => candidate.id === item.guidance)!;

  test('opened from the checklist, the guidance offers the way back to that indicator', async ({ page }) => {
    const from = '/observe/0190a5d2-0000-7000-8000-000000000000?area=health';
    await openGuidance(page, `/guidance?from=${encodeURIComponent(from)}&indicator=${item.id}#${item.guidance}`);
    await expectLandedOn(page, section.title.sr);
    const back = page.getByRole('link', { name: m.guidance_back_to_checklist });
    // At the top and at the end of the section it opened.
    await expect(back).toHaveCount(2);
    const anchor = `indicator-${item.id.replaceAll('.', '-')}`;
    for (const link of await back.all()) await expect(link).toHaveAttribute('href', `${from}#${anchor}`);
    await expect(page.getByRole('region', { name: section.title.sr, exact: true }).getByRole('link', { name: m.guidance_back_to_checklist })).toBeVisible();
    const current = page.locator(`[data-indicator="${item.id}"]`);
    await expect(current).toHaveAttribute('aria-current', 'true');
    await expect(current).toContainText(m.guidance_indicator_current);
  });

  test('another site or page is never offered as the way back', async ({ page }) => {
    for (const from of ['https://example.com/observe/1', '//example.com/observe/1', '/settings', 'javascript:alert(1)']) {
      await openGuidance(page, `/guidance?from=${encodeURIComponent(from)}#school-procedure`);
      await expect(page.getByTestId('guidance-section').first()).toBeVisible();
      await expect(page.getByRole('link', { name: m.guidance_back_to_checklist })).toHaveCount(0);
    }
  });

  test("from an indicator's guidance link, the browser's back button returns to the same area", async ({ page }) => {
    const en = LOCALES.en;
    await chooseLocale(page, 'en');
    await startFullObservation(page);
    const area = CATALOGUE.areas.find((candidate) => candidate.indicators.some((other) => other.id === item.id))!;
    await page.goto(`${page.url()}?area=${area.id}`);
    await expectMounted(page);
    const checklist = page.url();
    await indicator(page, item.id).getByRole('link', { name: en.checklist_guidance }).click();
    await expect(page).toHaveURL(/\/guidance/);
    await expectLandedOn(page, section.title.en);
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`^${checklist.replace(/[.?]/g, '\\$&')}(#.*)?$`));
    // The app lock lives in one page load: back on the checklist, the PIN is asked again.
    await expectMounted(page);
    await expectHeading(page, en.checklist_title);
    await expect(indicator(page, item.id)).toBeVisible();
  });
});

/** A word to search for in each language, typed without its accents, and the word it marks. */
const SEARCHED: Record<'sr-Latn' | 'hu' | 'en', [string, RegExp]> = {
  'sr-Latn': ['zastita', /^zaštita$/i],
  hu: ['kenyszerkoldultatas', /^kényszerkoldultatás/i],
  en: ['cafe', /^café$/i],
};

for (const tag of ['sr-Latn', 'hu', 'en'] as const) {
  test.describe(`guidance, in ${tag}`, () => {
    const m = LOCALES[tag];
    test.beforeEach(async ({ page }) => chooseLocale(page, tag));

    test('contents, a deep link, the sources and the search follow the language', async ({ page }) => {
      const section = GUIDANCE.sections.find((item) => item.id === 'school-procedure')!;
      await openApp(page, '/guidance#school-procedure');
      await expectHeading(page, m.guidance_title);
      await expectLandedOn(page, localized(section.title, tag));
      const contents = page.getByRole('navigation', { name: m.guidance_contents });
      for (const item of GUIDANCE.sections) {
        await expect(contents.getByRole('link', { name: localized(item.title, tag), exact: true })).toBeVisible();
      }
      const date = new Date(`${GUIDANCE.updated}T00:00:00Z`).toLocaleDateString(tag === 'en' ? 'en-GB' : tag, {
        day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
      });
      await expect(page.getByTestId('guidance-updated')).toHaveText(fill(m.guidance_updated, { date }));
      // Each source's title in this language, as a link to the source.
      const first = page.getByTestId('guidance-source').first().getByTestId('source-link');
      await expect(first).toContainText(localized(GUIDANCE.sources[0].title, tag));
      await expect(first).toHaveAttribute('href', GUIDANCE.sources[0].url);
      const [query, marked] = SEARCHED[tag];
      // The one line that says whether this language's text still waits for a native reviewer.
      await expect(page.getByTestId('guidance-unreviewed')).toHaveCount(tag === 'hu' ? 1 : 0);
      await searchBox(page, m).fill(query);
      await expect(results(page).locator('mark', { hasText: marked }).first()).toBeVisible();
      await expect(page.getByRole('status').filter({ hasText: countPattern(m.guidance_search_count) })).toBeVisible();
      if (tag === 'hu') {
        // On a Hungarian page a Serbian term finds its section too, shown in Serbian and marked so.
        await searchBox(page, m).fill('prosjacenje');
        await expect(results(page).locator('[lang="sr-Latn"] mark', { hasText: /^prosjačenj/i }).first()).toBeVisible();
      }
      await searchBox(page, m).fill('qqxzv');
      await expect(page.getByRole('status').filter({ hasText: fill(m.guidance_search_empty, { query: 'qqxzv' }) })).toBeVisible();
    });
  });
}

test('the guidance has no WCAG 2.1 A/AA violations, light and dark, reading and searching', async ({ page }) => {
  test.setTimeout(120_000);
  const m = LOCALES['sr-Cyrl'];
  const found: string[] = [];
  const check = async (step: string) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await setColorScheme(page, colorScheme);
      const scan = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(scan.passes.length).toBeGreaterThan(0);
      for (const violation of scan.violations) {
        found.push(`${step} [${colorScheme}] ${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      }
    }
  };
  const from = encodeURIComponent('/observe/0190a5d2-0000-7000-8000-000000000000?area=health');
  const item = INDICATORS.find((candidate) => candidate.guidance === 'using-indicators')!;
  await openGuidance(page, `/guidance?from=${from}&indicator=${item.id}#using-indicators`);
  await check('reading, from the checklist');
  await searchBox(page, m).fill('sumnja');
  await expect(results(page)).toBeVisible();
  await check('results');
  await searchBox(page, m).fill('qqxzv');
  await expect(page.getByText(m.guidance_search_empty_help)).toBeVisible();
  await check('no results');
  expect(found).toEqual([]);
});
