// The observation flow: start, answer (saved at once), summary with advice, finish; quick
// mode; deleting a draft. Run offline after the first visit, in English for readable
// assertions (the English messages come from locales/en.json).
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { expectMounted, indicator, setColorScheme, startFullObservation, waitForServiceWorkerControl } from './app';
import { tapQuickSign } from './app-lock';
import { LOCALES } from './locales';

const en = LOCALES.en;

async function openOffline(page: Page) {
  await page.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  await page.goto('/');
  await expectMounted(page);
  await waitForServiceWorkerControl(page);
  await page.context().setOffline(true);
}

test.describe('observation flow, offline', () => {
  test('the reference refuses names and personal numbers, with the reason', async ({ page }) => {
    await openOffline(page);
    await page.goto('/observe/new');
    await expectMounted(page);
    const reference = page.getByLabel(en.start_reference);
    const start = page.getByRole('button', { name: en.start_submit });
    // The hint offers the team's case number, never a class such as "7b-3" (a year and a
    // class letter), and the field is described by it.
    await expect(reference).toHaveAccessibleDescription(en.start_reference_hint);
    const example = en.start_reference_hint.match(/“([^”]+)”/)![1];
    expect(example).not.toMatch(/\d\p{L}/u);
    await reference.fill('Ana Jovanović');
    await expect(page.getByText(en.reference_looks_like_name)).toBeVisible();
    await expect(start).toBeDisabled();
    await reference.fill('0101990710006');
    await expect(page.getByText(en.reference_looks_like_jmbg)).toBeVisible();
    await expect(start).toBeDisabled();
    await reference.fill(example);
    await expect(start).toBeEnabled();
  });

  test('a whole observation: answers survive reload, the summary advises, finishing locks it', async ({ page }) => {
    await openOffline(page);
    await startFullObservation(page);
    const first = indicator(page, 'behaviour.absent-without-reason');
    await first.getByRole('radio', { name: en.answer_observed, exact: true }).check();
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    await first.getByLabel(en.checklist_note).fill('Absent every Monday since October.');
    await first.getByLabel(en.checklist_note).blur();
    await expect(page.getByTestId('checklist-progress')).toContainText('1');

    // Another area, then reload: the area and the answers are kept.
    await page.getByRole('link', { name: en.checklist_next_area }).click();
    await expect(page).toHaveURL(/area=appearance/);
    await page.locator('[data-testid=indicator]').first().getByRole('radio', { name: en.answer_not_sure }).check();
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    await page.reload();
    await expectMounted(page);
    await expect(page).toHaveURL(/area=appearance/);
    await expect(page.locator('[data-testid=indicator]').first().getByRole('radio', { name: en.answer_not_sure })).toBeChecked();

    await page.getByRole('link', { name: en.checklist_to_summary }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.summary_title);
    await expect(page.getByTestId('assessment')).toHaveAttribute('data-level', 'keep-observing');
    await expect(page.getByTestId('guardrails').getByRole('listitem')).not.toHaveCount(0);
    await expect(page.getByText('Absent every Monday since October.')).toBeVisible();

    await page.getByRole('button', { name: en.summary_finish }).click();
    await page.getByRole('button', { name: en.summary_finish_yes }).click();
    await expect(page.getByTestId('finished')).toHaveText(en.summary_finished);

    // Finished: the checklist is no longer editable; the list shows it waiting for the phone to
    // be enrolled (this one is not).
    const url = page.url().replace(/\/summary$/, '');
    await page.goto(url);
    await expectMounted(page);
    await expect(page).toHaveURL(/\/summary$/);
    await page.goto('/observe');
    await expectMounted(page);
    await expect(page.getByTestId('finished').getByTestId('record')).toHaveCount(1);
    await expect(page.getByTestId('finished').getByTestId('report-status')).toHaveText(en.report_not_enrolled);
    await expect(page.getByTestId('sync-not-enrolled')).toHaveText(en.sync_not_enrolled.replace('{count}', '1'));
  });

  test('a finger, a mouse and the keyboard each answer, and every answer survives reload', async ({ page }) => {
    await openOffline(page);
    await startFullObservation(page);
    const first = indicator(page, 'behaviour.absent-without-reason');
    const second = indicator(page, 'behaviour.sudden-drop');
    const third = indicator(page, 'behaviour.fearful-withdrawn');

    // A finger: the answer is taken when it lifts; it shows, is saved, and gets its note field.
    await first.getByRole('radio', { name: en.answer_observed, exact: true }).tap();
    await expect(first.getByRole('radio', { name: en.answer_observed, exact: true })).toBeChecked();
    await expect(first.getByLabel(en.checklist_note)).toBeVisible();
    await expect(page.getByTestId('checklist-progress')).toHaveText(/^1 of /);
    // Tapping the label's text answers too, and changes the answer.
    await first.locator('label.answer', { hasText: en.answer_not_sure }).tap();
    await expect(first.getByRole('radio', { name: en.answer_not_sure })).toBeChecked();
    await expect(first.getByRole('radio', { name: en.answer_observed, exact: true })).not.toBeChecked();
    // A mouse.
    await second.getByRole('radio', { name: en.answer_not_observed }).click();
    await expect(second.getByRole('radio', { name: en.answer_not_observed })).toBeChecked();
    // The keyboard: arrow keys move through the answers and choose.
    await third.getByRole('radio', { name: en.answer_observed, exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(third.getByRole('radio', { name: en.answer_not_sure })).toBeChecked();
    await expect(page.getByTestId('checklist-progress')).toHaveText(/^3 of /);
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');

    await page.reload();
    await expectMounted(page);
    await expect(first.getByRole('radio', { name: en.answer_not_sure })).toBeChecked();
    await expect(second.getByRole('radio', { name: en.answer_not_observed })).toBeChecked();
    await expect(third.getByRole('radio', { name: en.answer_not_sure })).toBeChecked();
    await expect(page.getByTestId('checklist-progress')).toHaveText(/^3 of /);
  });

  test('an urgent sign puts the call to 192 first', async ({ page }) => {
    await openOffline(page);
    await startFullObservation(page);
    await page.goto(page.url() + '?area=all');
    await expectMounted(page);
    await indicator(page, 'communication.threatened').getByRole('radio', { name: en.answer_observed, exact: true }).check();
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    await page.getByRole('link', { name: en.checklist_to_summary }).click();
    const assessment = page.getByTestId('assessment');
    await expect(assessment).toHaveAttribute('data-level', 'immediate-danger');
    const call = page.getByTestId('call-police');
    await expect(call).toHaveAttribute('href', 'tel:192');
    // The call button is the first thing in the assessment, right under the page heading.
    const first = await assessment.evaluate((section) => section.firstElementChild?.getAttribute('data-testid'));
    expect(first).toBe('call-police');
    await expect(page.getByTestId('triggered')).toContainText('an adult is threatening to seriously hurt or kill');
  });

  test('the urgent threat is an adult\'s: the checklist says a classmate\'s threat is not it', async ({ page }) => {
    await openOffline(page);
    await startFullObservation(page);
    await page.goto(page.url() + '?area=all');
    await expectMounted(page);
    const threatened = indicator(page, 'communication.threatened');
    await expect(threatened).toContainText('The child says an adult is threatening to seriously hurt or kill them or someone close to them.');
    await expect(threatened).toContainText('A threat from another pupil is not this sign: that is peer violence');
    await expect(threatened).not.toContainText('someone is threatening them');
  });

  test('poverty alone stays "keep observing"; "inform today" puts the team first and outside numbers for consultation', async ({ page }) => {
    await openOffline(page);
    await startFullObservation(page);
    await page.goto(page.url() + '?area=all');
    await expectMounted(page);
    const observe = async (id: string) => {
      await indicator(page, id).getByRole('radio', { name: en.answer_observed, exact: true }).check();
      await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    };
    // Absent, falling marks, hungry and unkempt: poverty or neglect explain them as well.
    for (const id of ['behaviour.absent-without-reason', 'behaviour.sudden-drop', 'appearance.neglected']) await observe(id);
    const checklist = page.url();
    await page.getByRole('link', { name: en.checklist_to_summary }).click();
    const assessment = page.getByTestId('assessment');
    await expect(assessment).toHaveAttribute('data-level', 'keep-observing');
    await expect(assessment).toContainText('can have other causes, such as poverty, illness or difficulties at home');
    await expect(page.getByTestId('recommended-contact')).toHaveCount(1);
    await expect(page.getByTestId('consult-heading')).toHaveCount(0);

    // A child who has run away: tell the team today.
    await page.goto(checklist);
    await expectMounted(page);
    await observe('behaviour.runs-away');
    await page.getByRole('link', { name: en.checklist_to_summary }).click();
    await expect(assessment).toHaveAttribute('data-level', 'inform-today');
    await expect(assessment).toContainText('The team assesses what is happening and, where needed, informs the Centre for Social Work');
    await expect(assessment).not.toContainText('notify');
    const order = await page
      .locator('[data-testid=recommended-contact], [data-testid=consult-heading]')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('data-contact') ?? element.textContent));
    expect(order).toEqual(['school-team', en.summary_contacts_consult_heading, 'social-care-centre', 'centre-trafficking-victims']);
    await expect(page.getByRole('heading', { name: en.summary_contacts_consult_heading })).toBeVisible();
    await expect(page.getByRole('list', { name: en.summary_contacts_consult_heading }).getByTestId('recommended-contact')).toHaveCount(2);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((violation) => violation.id)).toEqual([]);
  });

  test('quick mode: one tap makes an observation, who to tell appears, finishing keeps it', async ({ page }) => {
    await openOffline(page);
    await page.goto('/quick');
    await expectMounted(page);
    const signs = page.getByTestId('quick-sign');
    expect(await signs.count()).toBeGreaterThanOrEqual(6);
    await tapQuickSign(page, signs.nth(2));
    await expect(signs.nth(2)).toHaveAttribute('aria-pressed', 'true');
    await expect(page).toHaveURL(/\/quick\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: en.quick_who_to_tell })).toBeVisible();
    await expect(page.getByTestId('assessment')).toBeVisible();
    await page.reload();
    await expectMounted(page);
    await expect(page.getByTestId('quick-sign').nth(2)).toHaveAttribute('aria-pressed', 'true');
    await page.getByRole('button', { name: en.summary_finish }).click();
    await expect(page).toHaveURL(/\/summary$/);
    await expect(page.getByTestId('finished')).toBeVisible();
  });

  test('quick mode: an adult taking the child away leads to 192; the signs are ones any staff member sees', async ({ page }) => {
    await openOffline(page);
    await page.goto('/quick');
    await expectMounted(page);
    const signs = page.getByTestId('quick-sign');
    // Signs only a teacher sees are gone.
    await expect(signs.filter({ hasText: 'in class' })).toHaveCount(0);
    await expect(signs.filter({ hasText: 'missing from school' })).toHaveCount(0);
    // What a cleaner, a janitor, a cook or a driver sees.
    for (const seen of [
      'The child sleeps at school, or washes themselves or their clothes there.',
      'The child is afraid to go home and stays at school long after lessons.',
      'Different adults you do not know come to collect the child.',
      'The child regularly hands money to an adult who waits at the school gate.',
      'The child begs or sells things near the school during school hours.',
    ]) {
      await expect(signs.filter({ hasText: seen })).toHaveCount(1);
    }
    // The threat that leads to 192 is an adult's, not a classmate's.
    await expect(signs.filter({ hasText: 'an adult is threatening to seriously hurt or kill' })).toHaveCount(1);
    await expect(signs.filter({ hasText: 'someone is threatening them' })).toHaveCount(0);

    const taken = signs.filter({ hasText: "An adult is trying to take the child away by force or against the child's will." });
    await tapQuickSign(page, taken);
    await expect(taken).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('assessment')).toHaveAttribute('data-level', 'immediate-danger');
    await expect(page.getByTestId('call-police')).toHaveAttribute('href', 'tel:192');
    await expect(page.getByTestId('recommended-contact').first()).toHaveAttribute('data-contact', 'police-192');
  });

  test('quick mode fits a 360 px phone, in Serbian too: every sign whole, thumb-sized, nothing wider than the screen', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 640 });
    await openOffline(page);
    for (const locale of ['en', 'sr-Cyrl'] as const) {
      // Runs after openOffline's own script, which chose English.
      await page.addInitScript((tag) => localStorage.setItem('prepoznaj.locale', JSON.stringify(tag)), locale);
      await page.goto('/quick');
      await expectMounted(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(LOCALES[locale].quick_title);
      const layout = await page.getByTestId('quick-sign').evaluateAll((signs) => ({
        count: signs.length,
        small: signs.filter((sign) => sign.getBoundingClientRect().height < 48).length,
        clipped: signs.filter((sign) => sign.scrollWidth > sign.clientWidth || sign.getBoundingClientRect().right > window.innerWidth).length,
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(layout.count, locale).toBe(10);
      expect(layout.small, locale).toBe(0);
      expect(layout.clipped, locale).toBe(0);
      expect(layout.scrollWidth, locale).toBeLessThanOrEqual(layout.clientWidth);
    }
  });

  test('a draft is listed with its progress and deleted only after confirmation', async ({ page }) => {
    await openOffline(page);
    await startFullObservation(page);
    await indicator(page, 'behaviour.absent-without-reason').getByRole('radio', { name: en.answer_not_observed }).check();
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    await page.goto('/observe');
    await expectMounted(page);
    const drafts = page.getByTestId('drafts').getByTestId('record');
    await expect(drafts).toHaveCount(1);
    await expect(drafts.first()).toContainText(/1 of \d+ answered/);
    await drafts.first().getByRole('button', { name: en.observe_delete }).click();
    await drafts.first().getByRole('button', { name: en.observe_cancel }).click();
    await expect(drafts).toHaveCount(1);
    await drafts.first().getByRole('button', { name: en.observe_delete }).click();
    await drafts.first().getByRole('button', { name: en.observe_delete_yes }).click();
    await expect(page.getByText(en.observe_drafts_empty)).toBeVisible();
    await page.reload();
    await expectMounted(page);
    await expect(page.getByText(en.observe_drafts_empty)).toBeVisible();
  });
});

test('a reference over the limit gives the limit in the right Serbian form', async ({ page }) => {
  await page.goto('/observe/new');
  await expectMounted(page);
  await page.getByLabel(LOCALES['sr-Cyrl'].start_reference).fill('7b-3-7b-3-7b-3-7b-3-7b-3-7');
  // 24 takes "знака" (as 2–4 and 22–24 do), never "24 знакова".
  await expect(page.getByText('Ознака је предугачка: највише 24 знака.')).toBeVisible();
  await expect(page.getByRole('button', { name: LOCALES['sr-Cyrl'].start_submit })).toBeDisabled();
});

test('every step of the flow has no WCAG 2.1 A/AA violations, light and dark', async ({ page }) => {
  test.setTimeout(120_000);
  const found: string[] = [];
  const check = async (step: string) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await setColorScheme(page, colorScheme);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const violation of results.violations) {
        found.push(`${step} [${colorScheme}] ${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      }
    }
  };
  await openOffline(page);
  await page.goto('/observe/new');
  await expectMounted(page);
  await page.getByLabel(en.start_reference).fill('Ana Jovanović');
  await expect(page.getByText(en.reference_looks_like_name)).toBeVisible();
  await check('start with an error');
  await page.getByLabel(en.start_reference).fill('');
  await page.getByRole('button', { name: en.start_submit }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.checklist_title);
  await indicator(page, 'behaviour.absent-without-reason').getByRole('radio', { name: en.answer_observed, exact: true }).check();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await check('checklist');
  await page.goto(page.url() + '?area=all');
  await expectMounted(page);
  await indicator(page, 'communication.threatened').getByRole('radio', { name: en.answer_observed, exact: true }).check();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await check('checklist, all areas');
  await page.getByRole('link', { name: en.checklist_to_summary }).click();
  await expect(page.getByTestId('assessment')).toHaveAttribute('data-level', 'immediate-danger');
  await page.getByRole('button', { name: en.summary_finish }).click();
  await check('summary, confirming');
  await page.goto('/quick');
  await expectMounted(page);
  await tapQuickSign(page, page.getByTestId('quick-sign').first());
  await expect(page.getByTestId('assessment')).toBeVisible();
  await check('quick mode');
  await page.goto('/observe');
  await expectMounted(page);
  await expect(page.getByTestId('drafts').getByTestId('record')).not.toHaveCount(0);
  await check('list');
  expect(found).toEqual([]);
});

test('Settings deletes every observation, cache, preference and the service worker, after confirmation', async ({ page }) => {
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('locale-set')) {
      localStorage.setItem('prepoznaj.locale', '"en"');
      sessionStorage.setItem('locale-set', '1');
    }
  });
  await page.goto('/');
  await expectMounted(page);
  await waitForServiceWorkerControl(page);
  await startFullObservation(page);
  await indicator(page, 'behaviour.absent-without-reason').getByRole('radio', { name: en.answer_observed, exact: true }).check();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');

  await page.goto('/settings');
  await expectMounted(page);
  await page.getByRole('button', { name: en.settings_delete_button }).click();
  await page.getByRole('button', { name: en.observe_cancel }).click();
  await expect(page.getByTestId('data-deleted')).toHaveCount(0);
  await page.getByRole('button', { name: en.settings_delete_button }).click();
  await page.getByRole('button', { name: en.settings_delete_yes }).click();
  await expect(page.getByTestId('data-deleted')).toHaveText(en.settings_deleted);

  const left = await page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((database) => database.name),
    caches: await caches.keys(),
    preferences: localStorage.length,
    workers: (await navigator.serviceWorker.getRegistrations()).length,
  }));
  expect(left).toEqual({ databases: [], caches: [], preferences: 0, workers: 0 });
});
