// Quick exit (issue 16): a button in the header of every screen of every bundle, and the Escape
// key pressed three times, replace the app at once with a neutral page (a working calculator of
// the same origin, precached, offline too) that says nothing about the app. Back never returns
// into the app: a page reached with Back after an exit, loaded again or restored from the
// back/forward cache, leaves for the neutral page before it shows anything; opening the app on
// purpose shows it again; the app's other tabs leave too. Escape keeps its own meaning (a dialog still closes, a search still
// clears). The button is a named button in every locale, reachable with the keyboard; axe
// finds nothing on the app's screen or the neutral page.
import { test, expect, chromium, type BrowserContext, type Page } from '@playwright/test';
import { axeViolations, expectMounted, openApp, switchLocale, waitForServiceWorkerControl } from './app';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { DEFAULT_LOCALE, LOCALES, LOCALE_TAGS } from './locales';

const NEUTRAL_PATH = '/calculator.html';
const NEUTRAL_TITLES = ['Calculator', 'Kalkulator'];
const messages = LOCALES[DEFAULT_LOCALE];
/** Set by the test's own script whenever a page of the app shows anything. */
const SHOWN_KEY = 'test.app-shown';
/** Set by the test's own script when a page is restored from the back/forward cache. */
const RESTORED_KEY = 'test.restored';

/** Words that would give the app away, in every script. */
const GIVEAWAYS = [
  'prepoznaj',
  'препознај',
  'manifest',
  'trafficking',
  'трговин',
  'trgovin',
  'child',
  'дете',
  'dete',
  'деца',
  'deca',
  'school',
  'школ',
  'škol',
  'report',
  'observ',
];

/** One screen of each bundle's addresses. */
const SCREENS = ['/', '/settings', '/observe', '/quick', '/guidance', '/contacts', '/team', '/enrol', '/inbox'];

/**
 * Records in this tab's sessionStorage every frame in which a page of the app had something of
 * the app on screen (the header, the loading screen, the app's root, in a document that is not
 * hidden), checked just before each frame is drawn, and every restore from the back/forward
 * cache.
 */
async function watchForAppContent(context: BrowserContext): Promise<void> {
  await context.addInitScript(
    ([shownKey, restoredKey]) => {
      const check = () => {
        if (!document.documentElement?.hidden && document.querySelector('.app-header, #loading, #app')) {
          sessionStorage.setItem(shownKey, location.pathname);
        }
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
      addEventListener('pageshow', (event) => {
        if (event.persisted) sessionStorage.setItem(restoredKey, location.pathname);
      });
    },
    [SHOWN_KEY, RESTORED_KEY],
  );
}

function quickExitButton(page: Page, name: string = messages.quick_exit) {
  return page.getByRole('banner').getByRole('button', { name, exact: true });
}

/** The neutral page is on screen, working, and names nothing of the app. */
async function expectNeutralPage(page: Page): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`${NEUTRAL_PATH.replace('.', '\\.')}$`));
  await page.waitForLoadState('load');
  expect(NEUTRAL_TITLES).toContain(await page.title());
  await expect(page.locator('[data-display]')).toBeVisible();
  const html = (await page.content()).toLowerCase();
  for (const word of GIVEAWAYS) expect(html, `the neutral page says "${word}"`).not.toContain(word);
  await expect(page.locator('link[rel="manifest"], link[rel="icon"], meta[name="theme-color"]')).toHaveCount(0);
}

/** Whether the tab has an entry to go back (or forward) to (the Navigation API). */
function canGo(page: Page, direction: 'back' | 'forward'): Promise<boolean> {
  return page.evaluate((direction) => {
    const navigation = (globalThis as unknown as { navigation: { canGoBack: boolean; canGoForward: boolean } }).navigation;
    return direction === 'back' ? navigation.canGoBack : navigation.canGoForward;
  }, direction);
}

/** Goes back (or forward) until there is nothing more: every stop is the neutral page. */
async function travel(page: Page, direction: 'back' | 'forward'): Promise<number> {
  let steps = 0;
  while (await canGo(page, direction)) {
    expect(steps, 'the history ends').toBeLessThan(20);
    await (direction === 'back' ? page.goBack({ waitUntil: 'commit' }) : page.goForward({ waitUntil: 'commit' }));
    await expectNeutralPage(page);
    steps += 1;
  }
  return steps;
}

/** Works the calculator: 12 + 30 = 42. */
async function expectCalculatorWorks(page: Page): Promise<void> {
  for (const key of ['C', '1', '2', '+', '3', '0', '=']) {
    await page.locator(`[data-key="${key}"]`).click();
  }
  await expect(page.locator('[data-display]')).toHaveText('42');
}

test('every bundle has the quick exit in its header, and it leaves for the neutral page at once', async ({ page, context }) => {
  test.setTimeout(120_000);
  await watchForAppContent(context);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  for (const path of SCREENS) {
    await openApp(page, path);
    await expect(quickExitButton(page), path).toBeVisible();
    await quickExitButton(page).click();
    await expectNeutralPage(page);
  }
  expect(dialogs, 'no confirmation').toEqual([]);
});

test('after a quick exit, going back never shows the app again; opening it on purpose does', async ({ page, context }) => {
  test.setTimeout(120_000);
  await watchForAppContent(context);
  // A trail through three bundles, with moves inside a bundle (the router's own entries).
  await openApp(page, '/');
  await page.getByRole('navigation', { name: messages.nav_label }).getByRole('link', { name: messages.nav_settings }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await openApp(page, '/observe');
  await openApp(page, '/guidance');
  await page.getByRole('navigation', { name: messages.nav_label }).getByRole('link', { name: messages.nav_contacts }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expectMounted(page);
  expect(await page.evaluate(() => history.length)).toBeGreaterThanOrEqual(5);

  await quickExitButton(page).click();
  await expectNeutralPage(page);
  await page.evaluate((key) => sessionStorage.removeItem(key), SHOWN_KEY);

  expect(await travel(page, 'back'), 'went back through the whole trail').toBeGreaterThanOrEqual(4);
  expect(await page.evaluate((key) => sessionStorage.getItem(key), SHOWN_KEY), 'an app page showed itself').toBeNull();
  // Forward again, and back once more: the same.
  expect(await travel(page, 'forward')).toBeGreaterThanOrEqual(4);
  await travel(page, 'back');
  expect(await page.evaluate((key) => sessionStorage.getItem(key), SHOWN_KEY), 'an app page showed itself').toBeNull();

  // Opened on purpose (the address, a link, the installed app's icon): the app is there.
  await openApp(page, '/guidance');
  await expect(quickExitButton(page)).toBeVisible();
});

test('a quick exit in one tab hides the app in its other tabs too', async ({ page, context }) => {
  await openApp(page, '/observe');
  const other = await context.newPage();
  await openApp(other, '/guidance');
  await quickExitButton(page).click();
  await expectNeutralPage(page);
  await expectNeutralPage(other);
  await other.close();
});

test('a page restored from the back/forward cache after a quick exit leaves again before it shows anything', async ({ browserName }, testInfo) => {
  expect(browserName).toBe('chromium');
  // Playwright turns the back/forward cache off by default; this browser has it, as phones do.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
  try {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    await watchForAppContent(context);
    const page = await context.newPage();
    await openApp(page, '/');
    await waitForServiceWorkerControl(page);
    // Left with a link to another bundle (a new document): the shell's page may be kept.
    await page.getByRole('navigation', { name: messages.nav_label }).getByRole('link', { name: messages.nav_guidance }).click();
    await expect(page).toHaveURL(/\/guidance$/);
    await expectMounted(page);
    // Checking that the browser really restores app pages from the cache: back and forth once.
    // A page restored from the cache fires no load event: wait for the commit only.
    await page.goBack({ waitUntil: 'commit' });
    await expect(page).toHaveURL(/\/$/);
    await expect.poll(() => page.evaluate((key) => sessionStorage.getItem(key), RESTORED_KEY), 'the back/forward cache restored the page').toBe('/');
    await page.goForward({ waitUntil: 'commit' });
    await expect(page).toHaveURL(/\/guidance$/);
    await expectMounted(page);

    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await expectNeutralPage(page);
    await page.evaluate(([shown, restored]) => [shown, restored].forEach((key) => sessionStorage.removeItem(key)), [SHOWN_KEY, RESTORED_KEY]);

    await page.goBack({ waitUntil: 'commit' });
    await expectNeutralPage(page);
    expect(await page.evaluate((key) => sessionStorage.getItem(key), RESTORED_KEY), 'the shell came back from the cache').toBe('/');
    expect(await page.evaluate((key) => sessionStorage.getItem(key), SHOWN_KEY), 'the restored page showed itself').toBeNull();
    await context.close();
  } finally {
    await browser.close();
  }
});

test('Escape three times leaves; fewer, or spread out, do not; Escape still closes a dialog and clears a search', async ({ page }) => {
  await page.clock.install();
  await openApp(page, '/guidance');

  // Twice, then a pause longer than the window: still here, and the count starts again.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.clock.fastForward(2_500);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(quickExitButton(page)).toBeVisible();
  await page.clock.fastForward(2_500);

  // A search field's own Escape clears it, and does not leave by itself.
  const search = page.getByRole('searchbox');
  await search.fill('polic');
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(quickExitButton(page)).toBeVisible();
  await page.clock.fastForward(2_500);

  // A modal dialog (the app lock's dialogs are <dialog>s) closes on the first Escape, and two
  // more right after leave: three in a row.
  await page.evaluate(() => {
    const dialog = document.createElement('dialog');
    dialog.textContent = 'A dialog';
    dialog.dataset.testid = 'test-dialog';
    document.body.append(dialog);
    dialog.showModal();
  });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('test-dialog')).not.toHaveAttribute('open', '');
  await expect(quickExitButton(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expectNeutralPage(page);
});

test('offline, the quick exit still leaves for the neutral page, which works', async ({ page, context }, testInfo) => {
  const origin = new URL(testInfo.project.use.baseURL ?? '').origin;
  const outside: string[] = [];
  context.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) outside.push(request.url());
  });
  await openApp(page, '/');
  await waitForServiceWorkerControl(page);
  await context.setOffline(true);
  await openApp(page, '/contacts');
  const neutral = page.waitForResponse((response) => response.url().endsWith(NEUTRAL_PATH));
  await quickExitButton(page).click();
  expect((await neutral).fromServiceWorker()).toBe(true);
  await expectNeutralPage(page);
  await expectCalculatorWorks(page);
  await context.setOffline(false);
  expect(outside, 'requests to another origin').toEqual([]);
});

test('the quick exit is a named button in every locale, works from the keyboard, and axe finds nothing', async ({ page }) => {
  await openApp(page, '/');
  let current = DEFAULT_LOCALE;
  for (const tag of LOCALE_TAGS) {
    if (tag !== current) await switchLocale(page, current, tag);
    current = tag;
    await expect(quickExitButton(page, LOCALES[tag].quick_exit)).toBeVisible();
  }
  expect(await axeViolations(page, '/ with the quick exit')).toEqual([]);

  // Tab reaches it (after the skip link, the app's name and the language); Enter leaves.
  let focused = false;
  for (let presses = 0; presses < 10 && !focused; presses += 1) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.hasAttribute('data-quick-exit') ?? false);
  }
  expect(focused, 'Tab reaches the quick exit').toBe(true);
  await page.keyboard.press('Enter');
  await expectNeutralPage(page);
  await expectCalculatorWorks(page);
  expect(await axeViolations(page, 'the neutral page')).toEqual([]);
});
