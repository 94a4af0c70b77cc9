// Nothing typed is ever lost: what the app shows as saved is on disk, so killing the browser
// process (SIGKILL, no chance to flush anything) and starting it again on the same profile,
// still offline, brings it back. That holds for answers, for a note typed and never left (a
// finger's tap on the next answer does not move focus; a phone kills a hidden browser without
// warning), for the start form as it is filled in, and for the person's choices (the language,
// how long receipts are kept).
//
// After the kill, the checks find things by id and value, not by their words: the test must
// not depend on which language the relaunched app speaks (that has its own test).
import { test, expect, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectHeading, expectMounted, indicator, switchLocale, waitForServiceWorkerControl } from './app';
import { killBrowser, launchPhoneProfile } from './chromium';
import { DEFAULT_LOCALE, LOCALES, type LocaleTag } from './locales';

const NOTE = 'Dolazi bez užine, umoran; kaže da radi noću.';
const REFERENCE = '7b-3';

/** Runs `body` with a fresh browser profile directory, removed afterwards. */
async function withProfile(body: (profile: string) => Promise<void>): Promise<void> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-kill-'));
  try {
    await body(profile);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The browser on `profile`, its first page, with the app installed (service worker in control). */
async function launch(profile: string, testInfo: TestInfo): Promise<{ context: BrowserContext; page: Page }> {
  const context = await launchPhoneProfile(profile, testInfo);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Opens the app online once (so it is installed), then goes offline. */
async function installThenGoOffline(context: BrowserContext, page: Page): Promise<void> {
  await page.goto('/');
  await expectMounted(page);
  await waitForServiceWorkerControl(page);
  await context.setOffline(true);
}

/** SIGKILLs the browser of `profile` and starts it again on the same profile, offline. */
async function killAndRelaunchOffline(profile: string, context: BrowserContext, testInfo: TestInfo): Promise<{ context: BrowserContext; page: Page }> {
  expect(killBrowser(profile)).toBeGreaterThan(0);
  await context.close().catch(() => undefined);
  const relaunched = await launch(profile, testInfo);
  await relaunched.context.setOffline(true);
  return relaunched;
}

/** Record `key` of IndexedDB store `store` in the app's database (undefined if there is none). */
function storedRecord(page: Page, store: string, key: string): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(
    ([store, key]) =>
      new Promise<Record<string, unknown> | undefined>((resolve) => {
        const open = indexedDB.open('prepoznaj');
        open.onerror = () => resolve(undefined);
        open.onsuccess = () => {
          const database = open.result;
          if (!database.objectStoreNames.contains(store)) {
            database.close();
            resolve(undefined);
            return;
          }
          const read = database.transaction(store).objectStore(store).get(key);
          read.onsuccess = () => resolve(read.result);
          read.onerror = () => resolve(undefined);
          database.close();
        };
      }),
    [store, key] as const,
  );
}

/** SIGKILLs the browser, relaunches it offline on the same profile, runs `check` on its page. */
async function afterKill(profile: string, context: BrowserContext, testInfo: TestInfo, check: (page: Page) => Promise<void>): Promise<void> {
  const again = await killAndRelaunchOffline(profile, context, testInfo);
  try {
    await check(again.page);
  } finally {
    await again.context.close();
  }
}

/** The value of choice `key` as the app recorded it in IndexedDB (undefined until then). */
async function recordedChoice(page: Page, key: string): Promise<unknown> {
  return (await storedRecord(page, 'preferences', key))?.json;
}

/** Switches to English and waits until the choice is recorded. */
async function chooseEnglish(page: Page): Promise<void> {
  await switchLocale(page, DEFAULT_LOCALE, 'en');
  await expect.poll(() => recordedChoice(page, 'prepoznaj.locale')).toBe('"en"');
}

const saveStatus = (page: Page) => page.getByTestId('save-status');
const answer = (page: Page, id: string, value: string) => indicator(page, id).locator(`input[type=radio][value="${value}"]`);
const noteField = (page: Page, id: string) => indicator(page, id).locator('textarea');

/** Starts a full observation from the start form as it is; returns the indicators' ids. */
async function startObservation(page: Page): Promise<string[]> {
  await page.goto('/observe/new');
  await expectMounted(page);
  await page.locator('form button[type=submit]').click();
  await expect(page).toHaveURL(/\/observe\/[0-9a-f-]{36}$/);
  const indicators = page.locator('[data-testid=indicator]');
  await expect(indicators.first()).toBeVisible();
  return indicators.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-indicator') ?? ''));
}

/** Starts an observation and answers its first six indicators "observed" with a finger;
 * returns their ids and the next indicator's. */
async function answerSix(page: Page): Promise<{ answered: string[]; next: string }> {
  const ids = await startObservation(page);
  const answered = ids.slice(0, 6);
  for (const id of answered) {
    await answer(page, id, 'observed').tap();
    await expect(answer(page, id, 'observed')).toBeChecked();
  }
  await expect(saveStatus(page)).toHaveAttribute('data-state', 'saved');
  return { answered, next: ids[6] };
}

/** Types the note of indicator `id` with the keyboard; the field keeps the focus. */
async function typeNote(page: Page, id: string): Promise<void> {
  const field = noteField(page, id);
  await field.tap();
  await page.keyboard.type(NOTE);
  await expect(field).toBeFocused();
}

/** After the relaunch: the six answers and the note are there. */
async function expectAnswersAndNote(page: Page, draftUrl: string, answered: string[]): Promise<void> {
  await page.goto(draftUrl);
  await expectMounted(page);
  for (const id of answered) {
    await expect(answer(page, id, 'observed')).toBeChecked();
  }
  await expect(noteField(page, answered[5])).toHaveValue(NOTE);
}

test('answers survive the browser process being killed right after they are saved', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    const { context, page } = await launch(profile, testInfo);
    await installThenGoOffline(context, page);
    await chooseEnglish(page);
    const ids = await startObservation(page);
    const chosen = ids.slice(0, 3);
    for (const id of chosen) {
      await answer(page, id, 'observed').check();
    }
    await expect(page.getByTestId('checklist-progress')).toContainText('3');
    await expect(saveStatus(page)).toHaveAttribute('data-state', 'saved');
    const draftUrl = page.url();

    await afterKill(profile, context, testInfo, async (again) => {
      await again.goto(draftUrl);
      await expectMounted(again);
      for (const id of chosen) {
        await expect(answer(again, id, 'observed')).toBeChecked();
      }
      await again.goto('/observe');
      await expectMounted(again);
      await expect(again.getByTestId('drafts').getByTestId('record')).toHaveCount(1);
      await expect(again.getByTestId('drafts')).toContainText(/3 of \d+ answered/);
    });
  });
});

test('a note typed and never left survives a kill right after a finger taps the next answer', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    const { context, page } = await launch(profile, testInfo);
    await installThenGoOffline(context, page);
    const { answered, next } = await answerSix(page);
    await typeNote(page, answered[5]);
    // The finger's tap answers without taking the focus from the note.
    await answer(page, next, 'not-sure').tap();
    await expect(noteField(page, answered[5])).toBeFocused();
    await expect(answer(page, next, 'not-sure')).toBeChecked();
    await expect(saveStatus(page)).toHaveAttribute('data-state', 'saved');
    const draftUrl = page.url();

    await afterKill(profile, context, testInfo, async (again) => {
      await expectAnswersAndNote(again, draftUrl, answered);
      await expect(answer(again, next, 'not-sure')).toBeChecked();
    });
  });
});

test('a note typed and never left survives a kill once the page is hidden (the screen locks)', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    const { context, page } = await launch(profile, testInfo);
    await page.clock.install();
    await installThenGoOffline(context, page);
    const { answered } = await answerSix(page);
    // The page's timers stop: a save now can only come from the page being hidden.
    await page.clock.pauseAt(Date.now() + 1_000);
    await typeNote(page, answered[5]);
    await expect(saveStatus(page)).toHaveAttribute('data-state', 'pending');
    // The screen locks: the page is hidden, and the browser fires `visibilitychange` (it
    // bubbles). Headless Chromium keeps a tab "visible" when another comes to the front, so the
    // test reports it as inbox.spec.ts does.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await expect(saveStatus(page)).toHaveAttribute('data-state', 'saved');
    const draftUrl = page.url();

    await afterKill(profile, context, testInfo, async (again) => {
      await expectAnswersAndNote(again, draftUrl, answered);
    });
  });
});

test('the start form survives a kill as it is filled in, reference typed and never left', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    const { context, page } = await launch(profile, testInfo);
    await installThenGoOffline(context, page);
    await page.goto('/observe/new');
    await expectMounted(page);
    await page.locator('input[name=setting][value=schoolyard]').check();
    await page.locator('input[name=role][value=other]').check();
    await page.locator('#age-band').selectOption('11-14');
    await page.locator('#reference').tap();
    await page.keyboard.type(REFERENCE);
    await expect(page.locator('#reference')).toBeFocused();
    await expect(saveStatus(page)).toHaveAttribute('data-state', 'saved');

    await afterKill(profile, context, testInfo, async (again) => {
      await again.goto('/observe/new');
      await expectMounted(again);
      await expect(again.locator('#reference')).toHaveValue(REFERENCE);
      await expect(again.locator('input[name=setting][value=schoolyard]')).toBeChecked();
      await expect(again.locator('input[name=role][value=other]')).toBeChecked();
      await expect(again.locator('#age-band')).toHaveValue('11-14');
      // Start makes it a draft and forgets the form: the next new observation starts empty.
      await again.locator('form button[type=submit]').click();
      await expect(again).toHaveURL(/\/observe\/[0-9a-f-]{36}$/);
      expect(await storedRecord(again, 'start_form', 'new-observation')).toBeUndefined();
    });
  });
});

test('the language choice survives a kill: Latin, then English', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    let { context, page } = await launch(profile, testInfo);
    await installThenGoOffline(context, page);
    let current: LocaleTag = DEFAULT_LOCALE;
    for (const chosen of ['sr-Latn', 'en'] as const) {
      await switchLocale(page, current, chosen);
      await expect.poll(() => recordedChoice(page, 'prepoznaj.locale')).toBe(JSON.stringify(chosen));
      ({ context, page } = await killAndRelaunchOffline(profile, context, testInfo));
      await page.goto('/');
      await expectMounted(page);
      await expect(page.locator('html')).toHaveAttribute('lang', chosen);
      await expectHeading(page, LOCALES[chosen].home_title);
      current = chosen;
    }
    await context.close();
  });
});

test('how long receipts are kept survives a kill', async ({}, testInfo) => {
  await withProfile(async (profile) => {
    const { context, page } = await launch(profile, testInfo);
    await installThenGoOffline(context, page);
    await chooseEnglish(page);
    // The choice is offered under finished observations: finish one (on a phone not enrolled).
    const [first] = await startObservation(page);
    await answer(page, first, 'observed').check();
    await expect(saveStatus(page)).toHaveAttribute('data-state', 'saved');
    await page.goto(`${page.url()}/summary`);
    await expectMounted(page);
    await page.getByRole('button', { name: LOCALES.en.summary_finish }).click();
    await page.getByRole('button', { name: LOCALES.en.summary_finish_yes }).click();
    await expect(page.getByTestId('finished')).toBeVisible();
    await page.goto('/observe');
    await expectMounted(page);
    await page.locator('#receipt-days').selectOption('30');
    await expect.poll(() => recordedChoice(page, 'prepoznaj.receipt-days')).toBe('30');

    await afterKill(profile, context, testInfo, async (again) => {
      await again.goto('/observe');
      await expectMounted(again);
      await expect(again.locator('#receipt-days')).toHaveValue('30');
    });
  });
});
