// The app in the two engines other than Chromium (WebKit, as iPhones run it, and Firefox): the
// same steps in each, through the small adapter of engines.ts. Each test has its own server (a
// copy of dist/ on a free port: its own origin, so its own storage and service worker) and its
// own page. "Offline" is the server killed: every fetch the app makes then fails, as with no
// network, and only the service worker can answer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startServerWithDistCopy, type AppServer } from '../e2e/app-server';
import { geometryDrift } from '../e2e/layout-shift';
import { DEFAULT_LOCALE, LOCALES, navLabels, type LocaleTag, type Messages } from '../e2e/locales';
import { launchEngine, type Engine, type EngineName, type EnginePage } from './engines';
import { click, passAppLock, selectOption, text, type, url, waitFor, waitForScreen, waitForServiceWorker, waitForText } from './ui';

const test = base.extend<{ server: AppServer; app: EnginePage }, { engineName: EngineName; engine: Engine }>({
  engineName: ['webkit', { option: true, scope: 'worker' }],
  engine: [
    async ({ engineName }, use) => {
      const engine = await launchEngine(engineName);
      await use(engine);
      await engine.close();
    },
    { scope: 'worker' },
  ],
  server: async ({}, use) => {
    const server = await startServerWithDistCopy();
    await use(server);
    await server.stop();
  },
  app: async ({ engine }, use) => {
    const page = await engine.newPage();
    await use(page);
    await page.close();
  },
});

const sr = LOCALES[DEFAULT_LOCALE];
const en = LOCALES.en;

const CONTENT = path.join(__dirname, '../../public/content');
const readContent = (file: string) => JSON.parse(fs.readFileSync(path.join(CONTENT, file), 'utf8'));
const CURRENT: string = readContent('catalogue/index.json').current;
const GUIDANCE: { sections: { id: string; title: { sr: string } }[] } = readContent(`guidance/${CURRENT}.json`);

function fill(message: string, values: Record<string, string>): string {
  return message.replace(/\{(\w+)\}/g, (_, name: string) => values[name]);
}

/** Opens `path` on `server` and waits for the screen titled `heading` (behind the app lock on
 * an observation screen: passed with the suite's PIN). */
async function open(app: EnginePage, server: AppServer, path: string, heading: string) {
  await app.goto(`${server.url}${path}`);
  if (path.startsWith('/observe')) await passAppLock(app);
  await waitForScreen(app, heading);
}

/** The app will start in `tag` from the next page load (what the language switch stores). */
async function chooseLocale(app: EnginePage, server: AppServer, tag: LocaleTag) {
  await open(app, server, '/', sr.home_title);
  await app.evaluate((tag) => localStorage.setItem('prepoznaj.locale', JSON.stringify(tag)), tag);
}

/** Starts a full observation in English: the checklist's first area shows. */
async function startObservation(app: EnginePage, server: AppServer) {
  await chooseLocale(app, server, 'en');
  await open(app, server, '/observe', en.observe_title);
  await click(app, { css: 'main a', name: en.observe_start_full });
  await waitForScreen(app, en.start_title);
  await click(app, { css: 'input[type=radio]', name: en.setting_schoolyard });
  await click(app, { css: 'button', name: en.start_submit });
  await waitForScreen(app, en.checklist_title);
  expect(await url(app)).toMatch(/\/observe\/[0-9a-f-]{36}$/);
}

/** The header, title and navigation are all in `messages`' language, on the screen `heading`. */
async function expectScreenIn(app: EnginePage, tag: LocaleTag, heading: keyof Messages) {
  const messages = LOCALES[tag];
  await waitForScreen(app, messages[heading]);
  const shown = await app.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    nav: [...document.querySelectorAll('nav.navigation a')].map((link) => (link.textContent || '').trim()),
    select: (document.querySelector('header select') as HTMLSelectElement | null)?.value,
  }));
  expect(shown).toEqual({
    lang: tag,
    title: `${messages[heading]} — ${messages.app_name}`,
    nav: navLabels(messages),
    select: tag,
  });
}

test('home offers the emergency number and every task, in Serbian Cyrillic', async ({ app, server }) => {
  await open(app, server, '/', sr.home_title);
  await expectScreenIn(app, DEFAULT_LOCALE, 'home_title');
  expect(await text(app, 'main a[href="tel:192"]')).toBe(sr.home_emergency_call);
  await click(app, { css: 'main a[href="/guidance"]' });
  await waitForScreen(app, sr.guidance_title);
  expect(await url(app)).toMatch(/\/guidance$/);
});

test('an answer is saved as it is given and survives a reload', async ({ app, server }) => {
  await startObservation(app, server);
  const observed = '[data-indicator="behaviour.absent-without-reason"] input[value=observed]';
  await app.click(observed);
  const shownAndCounted = (observed: string) =>
    (document.querySelector(observed) as HTMLInputElement).checked &&
    /^1 of /.test(document.querySelector('[data-testid=checklist-progress]')?.textContent || '');
  await waitFor(app, 'the answer shown and counted', shownAndCounted, observed);
  await waitFor(app, 'the answer saved', () => document.querySelector('[data-testid=save-status]')?.getAttribute('data-state') === 'saved');

  await app.reload();
  await passAppLock(app);
  await waitForScreen(app, en.checklist_title);
  await waitFor(app, 'the answer, still there after the reload', shownAndCounted, observed);
  const checked = await app.evaluate(() => document.querySelectorAll('[data-testid=indicator] input:checked').length);
  expect(checked).toBe(1);
});

test('a Latin query without diacritics finds the Cyrillic guidance, and a result opens its section', async ({ app, server }) => {
  await open(app, server, '/guidance', sr.guidance_title);
  await waitFor(app, 'the guidance text', () => document.querySelector('[data-testid=guidance-section]') !== null);
  await type(app, { css: 'input[type=search]', name: sr.guidance_search_label }, 'sumnja');
  const count = new RegExp(`^${sr.guidance_search_count.replace('{count}', '[0-9]+').replace(/[()]/g, '\\$&')}$`).source;
  await waitFor(
    app,
    'marked results and their count',
    (count) =>
      [...document.querySelectorAll('[data-testid=guidance-results] mark')].some((mark) => /^сумња$/i.test(mark.textContent || '')) &&
      [...document.querySelectorAll('[role=status]')].some((status) => new RegExp(count).test((status.textContent || '').trim())),
    count,
  );

  const href = await app.evaluate(() => document.querySelector('[data-testid=guidance-results] a')?.getAttribute('href'));
  const section = GUIDANCE.sections.find((item) => `#${item.id}` === href);
  expect(section, `a result links to a section (${href})`).toBeDefined();
  await click(app, { css: '[data-testid=guidance-results] a' });
  await waitFor(
    app,
    `the section "${section!.title.sr}" focused and on screen, the search emptied`,
    (title) => {
      const focused = document.activeElement;
      const box = focused?.getBoundingClientRect();
      return (
        focused?.tagName === 'H2' &&
        (focused.textContent || '').trim() === title &&
        box !== undefined &&
        box.top >= 0 &&
        box.top < window.innerHeight &&
        (document.querySelector('input[type=search]') as HTMLInputElement).value === ''
      );
    },
    section!.title.sr,
  );
});

test("the school's own contact is saved in E.164 and listed first, with a call link", async ({ app, server }) => {
  await chooseLocale(app, server, 'en');
  await open(app, server, '/contacts/local', en.local_title);
  await type(app, { css: 'input', name: en.local_name }, 'ЦСР Вождовац');
  await selectOption(app, { css: 'select', name: en.local_role }, en.local_role_social_care_centre);
  await type(app, { css: 'input', name: en.local_phone }, ' 011/394-2355 ');
  await click(app, { css: 'button', name: en.local_save });
  await waitForText(app, '[data-testid=local-status]', fill(en.local_saved, { name: 'ЦСР Вождовац', number: '+381 11 394 2355' }));

  await open(app, server, '/contacts', en.contacts_title);
  const contacts = await waitFor(app, "the school's contact and the national ones", () => {
    const school = document.querySelector('[data-testid=school-contacts]');
    const national = document.querySelector('[data-testid=national-contacts]');
    const schoolLinks = [...(school?.querySelectorAll('[data-testid=contact-card] a[href^="tel:"]') || [])];
    if (!school || !national || schoolLinks.length === 0 || national.querySelector('a[href^="tel:"]') === null) return null;
    return {
      school: schoolLinks.map((link) => link.getAttribute('href')),
      schoolFirst: !!(school.compareDocumentPosition(national) & Node.DOCUMENT_POSITION_FOLLOWING),
      police: national.querySelector('a[href="tel:192"]') !== null,
    };
  });
  expect(contacts).toEqual({ school: ['tel:+381113942355'], schoolFirst: true, police: true });
});

test('after the first visit every bundle opens from the service worker with the server gone', async ({ app, server }) => {
  await open(app, server, '/', sr.home_title);
  await waitForServiceWorker(app);
  await server.kill();
  await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();

  await app.reload();
  await waitForScreen(app, sr.home_title);
  for (const [address, heading] of [
    ['/observe', sr.observe_title],
    ['/guidance', sr.guidance_title],
    ['/contacts', sr.contacts_title],
    ['/team', sr.team_title],
  ]) {
    await open(app, server, address, heading);
  }
  // Content files too: the guidance's text and the national contacts.
  await open(app, server, '/guidance', sr.guidance_title);
  await waitFor(app, 'the guidance text, offline', () => document.querySelectorAll('[data-testid=guidance-section]').length > 0);
  await open(app, server, '/contacts', sr.contacts_title);
  await waitFor(app, 'the national contacts, offline', () => document.querySelector('[data-testid=national-contacts] a[href="tel:192"]') !== null);
});

test('the chosen language is kept across a reload, another bundle and offline', async ({ app, server }) => {
  await open(app, server, '/', sr.home_title);
  await selectOption(app, { css: 'header select' }, 'hu');
  await expectScreenIn(app, 'hu', 'home_title');
  await waitForServiceWorker(app);

  await app.reload();
  await expectScreenIn(app, 'hu', 'home_title');
  await open(app, server, '/guidance', LOCALES.hu.guidance_title);
  await expectScreenIn(app, 'hu', 'guidance_title');

  await server.kill();
  await app.reload();
  await expectScreenIn(app, 'hu', 'guidance_title');
  await open(app, server, '/settings', LOCALES.hu.settings_title);
  await expectScreenIn(app, 'hu', 'settings_title');
});

test('the checklist stays where it is while the page is scrolled, with no input', async ({ app, server }) => {
  await startObservation(app, server);
  // The helper takes a Playwright page but only calls `evaluate`, which EnginePage has alike.
  const drift = await geometryDrift(app as unknown as Page);
  console.log(`${app.engine}: checklist drift ${JSON.stringify(drift)}`);
  test.info().annotations.push({ type: 'drift', description: JSON.stringify(drift) });
  expect(drift.visited).toBeGreaterThan(10);
  expect(
    drift.largest,
    `${drift.key} moved ${drift.largest} px between scroll positions ${drift.from} and ${drift.to}; ` +
      `${drift.positionsThatMoved} of ${drift.visited} positions moved something`,
  ).toBeLessThanOrEqual(1);
});

test('the quick exit leaves for the neutral page, and Back does not return to the app', async ({ app, server }) => {
  await open(app, server, '/', sr.home_title);
  await waitForServiceWorker(app);
  await open(app, server, '/guidance', sr.guidance_title);
  await click(app, { css: 'header button', name: sr.quick_exit });
  const onNeutralPage = () =>
    location.pathname === '/calculator.html' && document.readyState === 'complete' && document.querySelector('[data-display]') !== null;
  await waitFor(app, 'the neutral page', onNeutralPage);
  expect(await app.evaluate(() => document.title)).toBe('Calculator');
  // Back: the shell's page (kept by the engine's page cache, or loaded again) leaves again.
  await app.evaluate(() => history.back());
  await waitFor(app, 'the neutral page after Back', onNeutralPage);
  expect(await app.evaluate(() => document.querySelector('.app-header, #app'))).toBeNull();
});
