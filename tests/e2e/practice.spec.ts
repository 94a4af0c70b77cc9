// Practice: made-up cases marked with the real list of signs, feedback per sign, the next step
// with its rule, quick practice, the printable record and the trainer's view. Practice works
// offline after the first visit, never creates an observation or touches the outbox, and
// brings a case back on the home screen once it is due (Playwright's clock moves the day).
import { test, expect, type Page } from '@playwright/test';
import practiceSet from '../../public/content/practice/2026.1.json';
import catalogue from '../../public/content/catalogue/2026.1.json';
import { axeViolations, expectHeading, expectMounted, indicator, openApp, switchLocale, waitForServiceWorkerControl } from './app';
import { DEFAULT_LOCALE, LOCALES, LOCALE_TAGS, plural, type LocaleTag } from './locales';

const messages = LOCALES[DEFAULT_LOCALE];

type Sign = { indicator: string; why: { sr: string } };
type Case = { id: string; level: string; signs: Sign[]; not_supported: Sign[]; title: { sr: string }; lesson: { sr: string } };
type Quick = { id: string; signs: string[]; text: { sr: string } };
const cases = practiceSet.cases as Case[];
const quickSituations = practiceSet.quick as Quick[];

/** The catalogue's text of a sign, in Serbian Cyrillic (the markup `{sr|…}` only appears in Hungarian). */
const signText = (id: string) =>
  catalogue.areas.flatMap((area) => area.indicators).find((candidate) => candidate.id === id)!.text.sr;

/** A case with at least `signs` signs whose step is `level` (any, if undefined), other than `except`. */
function pickCase(signs: number, level?: string, except?: string): Case {
  const found = cases.find((candidate) =>
    candidate.signs.length >= signs && (level === undefined || candidate.level === level) && candidate.id !== except);
  if (!found) throw new Error(`no practice case with ${signs} signs and level ${level}`);
  return found;
}

/** Every record of IndexedDB store `store` of the app's database ([] if the store is not there). */
function storeRecords(page: Page, store: string): Promise<unknown[]> {
  return page.evaluate(
    (store) =>
      new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open('prepoznaj');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const database = open.result;
          if (!database.objectStoreNames.contains(store)) {
            database.close();
            resolve([]);
            return;
          }
          const read = database.transaction(store).objectStore(store).getAll();
          read.onsuccess = () => {
            resolve(read.result);
            database.close();
          };
          read.onerror = () => reject(read.error);
        };
      }),
    store,
  );
}

/** Marks `observed` on each sign of `ids` in the case's list. */
async function mark(page: Page, ids: string[]): Promise<void> {
  for (const id of ids) await indicator(page, id).locator('input[value="observed"]').check();
}

async function chooseStep(page: Page, level: string): Promise<void> {
  await page.locator(`input[name="practice-step"][value="${level}"]`).check();
}

async function check(page: Page): Promise<void> {
  await page.getByRole('button', { name: messages.practice_check }).click();
  await expect(page.getByRole('heading', { level: 2, name: messages.practice_feedback_heading })).toBeFocused();
}

test('two cases offline, one right and one wrong: feedback per sign, nothing sent, and the case is due the next day', async ({ page, context }) => {
  const day = new Date('2026-12-07T09:00:00');
  await page.clock.setFixedTime(day);
  await openApp(page, '/');
  await waitForServiceWorkerControl(page);
  // The app's database as it is before any practice (a real observation store, outbox).
  await openApp(page, '/practice');
  await expectHeading(page, messages.practice_title);
  const observationsBefore = await storeRecords(page, 'observations');
  const outboxBefore = await storeRecords(page, 'outbox');
  await context.setOffline(true);

  // Done right: every sign, the right step.
  const right = pickCase(2, 'inform-today');
  await openApp(page, `/practice/case/${right.id}`);
  await expect(page.getByTestId('practice-band')).toHaveText(messages.practice_band);
  await expectHeading(page, right.title.sr);
  await mark(page, right.signs.map((sign) => sign.indicator));
  await chooseStep(page, right.level);
  await check(page);
  await expect(page.getByTestId('practice-result')).toHaveText(messages.practice_result_right);
  const found = page.getByTestId('practice-found').locator('[data-indicator]');
  await expect(found).toHaveCount(right.signs.length);
  for (const sign of right.signs) {
    await expect(found.and(page.locator(`[data-indicator="${sign.indicator}"]`))).toContainText(sign.why.sr);
  }
  await expect(page.getByTestId('practice-missed')).toHaveText(messages.practice_none_missed);
  await expect(page.getByTestId('practice-over')).toHaveText(messages.practice_none_over);
  await expect(page.getByTestId('practice-right-step')).toContainText(messages.practice_step_inform_today);
  await expect(page.getByTestId('practice-lesson')).toHaveText(right.lesson.sr);
  // After checking, the answers are kept as given.
  await expect(indicator(page, right.signs[0].indicator).locator('input[value="observed"]')).toBeDisabled();

  // Done wrong: a sign missed, a sign the case does not support, the wrong step.
  const wrong = pickCase(2, undefined, right.id);
  const missed = wrong.signs[1];
  const tempting = wrong.not_supported[0];
  await openApp(page, `/practice/case/${wrong.id}`);
  await mark(page, [wrong.signs[0].indicator, tempting.indicator]);
  await chooseStep(page, 'nothing-marked');
  await check(page);
  await expect(page.getByTestId('practice-result')).toHaveText(messages.practice_result_wrong);
  const missedItem = page.getByTestId('practice-missed').locator(`[data-indicator="${missed.indicator}"]`);
  await expect(missedItem).toContainText(signText(missed.indicator));
  await expect(missedItem).toContainText(missed.why.sr);
  await expect(missedItem.getByRole('link', { name: messages.practice_guidance_link })).toHaveAttribute('href', /^\/guidance\?/);
  const overItem = page.getByTestId('practice-over').locator(`[data-indicator="${tempting.indicator}"]`);
  await expect(overItem).toContainText(tempting.why.sr);
  await expect(page.getByText(messages.practice_chosen_step.replace('{step}', messages.practice_step_nothing_marked))).toBeVisible();

  // Practice made no observation and sent nothing: the stores are as they were.
  expect(await storeRecords(page, 'observations')).toEqual(observationsBefore);
  expect(await storeRecords(page, 'outbox')).toEqual(outboxBefore);
  const attempts = (await storeRecords(page, 'practice')) as { case: string; right: boolean; missed: string[] }[];
  expect(attempts.map(({ case: id, right: done }) => [id, done])).toEqual([[right.id, true], [wrong.id, false]]);
  expect(attempts[1].missed).toContain(missed.indicator);

  // The same day: nothing is due yet, and the home screen says nothing.
  await openApp(page, '/');
  await expectHeading(page, messages.home_title);
  const dueBadge = page.locator('.task__badge:not(:empty)');
  await expect(page.getByRole('link', { name: new RegExp(messages.home_practice_title) })).toBeVisible();
  await expect(dueBadge).toHaveCount(0);

  // A day later the missed case is due; the one done right waits three days.
  await page.clock.setFixedTime(new Date(day.getTime() + 24 * 3600 * 1000));
  await page.reload();
  await expectMounted(page);
  await expect(dueBadge).toHaveText(messages.home_practice_due.replace('{count}', '1'));
  await dueBadge.click();
  await expectHeading(page, messages.practice_title);
  await expect(page.getByTestId('practice-due')).toHaveText(plural(messages.practice_due, DEFAULT_LOCALE, 1));
  await expect(page.getByTestId('practice-start')).toHaveAttribute('href', `/practice/case/${wrong.id}`);
  await expect(page.getByTestId('practice-progress')).toHaveText(
    messages.practice_progress_done.replace('{done}', '2').replace('{total}', String(cases.length)));

  // The record for the school's file: two cases, no score.
  await openApp(page, '/practice/record');
  await expect(page.getByTestId('practice-record-summary')).toHaveText(plural(messages.practice_record_summary, DEFAULT_LOCALE, 2));
  await expect(page.getByTestId('practice-record')).not.toContainText('%');
  await expect(page.getByRole('button', { name: messages.practice_print })).toBeVisible();
});

test('an urgent case puts 192 first and never offers a call', async ({ page }) => {
  const urgent = pickCase(1, 'immediate-danger');
  await openApp(page, `/practice/case/${urgent.id}`);
  await mark(page, urgent.signs.map((sign) => sign.indicator));
  await chooseStep(page, 'inform-today');
  await check(page);
  await expect(page.getByTestId('practice-result')).toHaveText(messages.practice_result_wrong);
  await expect(page.getByTestId('practice-192-first')).toHaveText(messages.practice_first_192);
  await expect(page.getByTestId('practice-right-step')).toContainText(messages.practice_step_immediate_danger);
  await expect(page.getByText(messages.practice_rule_urgent)).toBeVisible();
  // Practice never dials: no call link anywhere on the page.
  await expect(page.locator('main a[href^="tel:"]')).toHaveCount(0);
});

test('checking without a next step asks for one and records nothing', async ({ page }) => {
  const any = cases[0];
  await openApp(page, `/practice/case/${any.id}`);
  await page.getByRole('button', { name: messages.practice_check }).click();
  await expect(page.getByRole('alert')).toHaveText(messages.practice_choose_step);
  await expect(page.getByTestId('practice-result')).toHaveCount(0);
  expect(await storeRecords(page, 'practice')).toEqual([]);
});

test('quick practice: five situations, right when the signs are the situation’s, 192 first when urgent', async ({ page }) => {
  await openApp(page, '/practice/quick');
  await expectHeading(page, messages.practice_quick_title);
  for (let number = 1; number <= 5; number += 1) {
    await expect(page.getByRole('heading', { level: 2 })).toHaveText(
      messages.practice_quick_situation.replace('{number}', String(number)).replace('{total}', '5'));
    const text = await page.getByTestId('practice-quick-text').textContent();
    const situation = quickSituations.find((candidate) => candidate.text.sr === text)!;
    expect(situation, `situation ${number} is one of the set`).toBeDefined();
    for (const sign of situation.signs) {
      await page.locator(`[data-testid="practice-quick-sign"][data-sign="${sign}"]`).click();
    }
    await page.getByRole('button', { name: messages.practice_quick_check }).click();
    await expect(page.getByTestId('practice-result')).toHaveText(messages.practice_result_right);
    const urgent = situation.signs.some((sign) => sign === 'danger' || sign === 'taken-by-force');
    await expect(page.getByTestId('practice-192-first')).toHaveCount(urgent ? 1 : 0);
    await page.getByTestId('practice-quick-next').click();
  }
  await expect(page.getByTestId('practice-quick-done')).toHaveText(plural(messages.practice_quick_done, DEFAULT_LOCALE, 5));
  await expect(page.getByTestId('practice-quick-done')).toBeFocused();
  const attempts = (await storeRecords(page, 'practice')) as { quick: boolean; right: boolean }[];
  expect(attempts.filter((attempt) => attempt.quick && attempt.right)).toHaveLength(5);
});

test('the trainer reveals a case step by step, and nothing is recorded', async ({ page }) => {
  const shown = pickCase(2, 'inform-today');
  await openApp(page, `/practice/facilitator?case=${shown.id}`);
  await expect(page.getByTestId('facilitator-text')).toBeVisible();
  const reveal = page.getByTestId('facilitator-reveal');
  const signs = page.getByTestId('facilitator-signs').locator('li');
  await expect(signs).toHaveCount(0);
  for (let count = 1; count <= shown.signs.length; count += 1) {
    await reveal.click();
    await expect(signs).toHaveCount(count);
    await expect(signs.nth(count - 1)).toContainText(shown.signs[count - 1].why.sr);
  }
  await expect(reveal).toHaveText(messages.practice_facilitator_reveal_not_supported);
  await reveal.click();
  await expect(page.getByText(shown.not_supported[0].why.sr)).toBeVisible();
  await reveal.click();
  await expect(page.getByTestId('facilitator-step')).toContainText(messages.practice_step_inform_today);
  await reveal.click();
  await expect(page.getByText(shown.lesson.sr)).toBeVisible();
  await expect(reveal).toHaveText(messages.practice_facilitator_start_over);
  expect(await storeRecords(page, 'practice')).toEqual([]);
});

test('every practice screen opens offline after the first visit', async ({ page, context }) => {
  await openApp(page, '/');
  await waitForServiceWorkerControl(page);
  await context.setOffline(true);
  const screens: [string, string][] = [
    ['/practice', messages.practice_title],
    [`/practice/case/${cases[0].id}`, cases[0].title.sr],
    ['/practice/quick', messages.practice_quick_title],
    ['/practice/record', messages.practice_record_title],
    ['/practice/facilitator', messages.practice_facilitator_title],
  ];
  for (const [path, heading] of screens) {
    const response = await page.goto(path);
    expect(response?.fromServiceWorker(), path).toBe(true);
    await expectMounted(page);
    await expectHeading(page, heading);
    await expect(page.getByTestId('practice-band')).toBeVisible();
  }
});

test('a case and its feedback have no WCAG 2.1 A/AA violations in any language or colour scheme', async ({ page }) => {
  const shown = pickCase(2, 'inform-today');
  await openApp(page, `/practice/case/${shown.id}`);
  await mark(page, [shown.signs[0].indicator, shown.not_supported[0].indicator]);
  await chooseStep(page, 'keep-observing');
  await check(page);
  const found: string[] = [];
  let current: LocaleTag = DEFAULT_LOCALE;
  for (const tag of LOCALE_TAGS) {
    if (tag !== current) await switchLocale(page, current, tag);
    current = tag;
    await expect(page.getByTestId('practice-band')).toHaveText(LOCALES[tag].practice_band);
    found.push(...(await axeViolations(page, `case feedback [${tag}]`)));
  }
  expect(found).toEqual([]);
});
