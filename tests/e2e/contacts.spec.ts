// Contacts: the national numbers with their sources and how sure we are; the school's own
// contacts entered, checked, reordered, removed after confirmation; shared as a link (with its
// QR code) or a file and imported on another phone only after a preview and a confirmation;
// Call and Copy in the checklist summary. Offline after the first visit wherever one phone is
// enough, in English for readable assertions.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import { axeViolations, expectMounted, indicator, startFullObservation, waitForServiceWorkerControl } from './app';
import { LOCALES } from './locales';
import national from '../../public/content/contacts/national.json';

const en = LOCALES.en;

type NationalContact = (typeof national.contacts)[number];

function nationalContact(id: string): NationalContact {
  const contact = national.contacts.find((candidate) => candidate.id === id);
  if (!contact) throw new Error(`no national contact ${id}`);
  return contact;
}

/** `message` with its `{placeholders}` filled, as the app does. */
function fill(message: string, values: Record<string, string | number>): string {
  return Object.entries(values).reduce((text, [name, value]) => text.replaceAll(`{${name}}`, String(value)), message);
}

async function inEnglish(context: BrowserContext) {
  await context.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
}

/** First visit online (the service worker caches the app), then offline. */
async function openOffline(page: Page) {
  await inEnglish(page.context());
  await page.goto('/');
  await expectMounted(page);
  await waitForServiceWorkerControl(page);
  await page.context().setOffline(true);
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await expectMounted(page);
}


/** Fills the form on /contacts/local and saves; waits until the app says it is saved. */
async function addLocalContact(page: Page, name: string, role: string, phone: string, shown: string) {
  await page.getByLabel(en.local_name, { exact: true }).fill(name);
  await page.getByLabel(en.local_role, { exact: true }).selectOption({ label: role });
  await page.getByLabel(en.local_phone, { exact: true }).fill(phone);
  await page.getByRole('button', { name: en.local_save, exact: true }).click();
  await expect(page.getByText(fill(en.local_saved, { name, number: shown }))).toBeVisible();
}

function schoolSection(page: Page) {
  return page.getByTestId('school-contacts');
}

function nationalCard(page: Page, id: string) {
  return page.getByRole('article', { name: nationalContact(id).name.en, exact: true });
}

test.describe('one phone, offline after the first visit', () => {
  test('national numbers: call links, what each is for, the last check, sources and how sure we are', async ({ page }) => {
    await openOffline(page);
    await open(page, '/contacts');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.contacts_title);

    const police = nationalCard(page, 'police-192');
    await expect(police.getByRole('link', { name: fill(en.contact_call, { number: '192' }) })).toHaveAttribute('href', 'tel:192');
    await expect(police.getByTestId('contact-hours')).toHaveText(nationalContact('police-192').hours!.en);
    // No source says the call to 192 is free: nothing is said about the cost.
    await expect(police.getByTestId('contact-cost')).toHaveCount(0);

    // A freephone number is dialled in national format, not after +381.
    const office = nationalCard(page, 'national-coordinator-office');
    await expect(office.getByRole('link', { name: fill(en.contact_call, { number: '0800 100 388' }) })).toHaveAttribute(
      'href',
      'tel:0800100388',
    );
    // Not known is said, not guessed; a cost no source states is not claimed.
    await expect(office.getByTestId('contact-hours')).toHaveText(en.contact_unknown);
    await expect(office.getByTestId('contact-cost')).toHaveCount(0);
    // What was checked, and that nobody called.
    await expect(office.getByTestId('last-verified')).toHaveText(
      'Checked against published sources on 27 November 2026; not called.',
    );
    await expect(office.getByTestId('last-verified')).toHaveText(fill(en.contact_checked_archived_sources, { date: '27 November 2026' }));
    await expect(office).toContainText(en.contact_confidence_medium);

    // A free call is shown with the source that says so, as a link that opens in a new tab.
    const nadel = nationalContact('nadel-116111');
    const nadelCost = nationalCard(page, 'nadel-116111').getByTestId('contact-cost');
    await expect(nadelCost).toContainText(en.contact_free);
    const freeSource = nadelCost.getByRole('link');
    await expect(freeSource).toHaveAttribute('href', nadel.free_call_source!);
    await expect(freeSource).toHaveAttribute('target', '_blank');
    await expect(freeSource).toHaveAttribute('rel', /noopener/);

    // The Centre, by its proper name.
    const centreContact = nationalContact('centre-trafficking-victims');
    expect(centreContact.name.en).toBe("Centre for Human Trafficking Victims' Protection");
    expect(centreContact.name.sr).toBe('Центар за заштиту жртава трговине људима');
    const centre = nationalCard(page, 'centre-trafficking-victims');
    await expect(centre.getByRole('heading')).toHaveText("Centre for Human Trafficking Victims' Protection");
    await expect(centre.getByRole('link', { name: fill(en.contact_call, { number: '+381 63 610 590' }) })).toHaveAttribute(
      'href',
      'tel:+38163610590',
    );
    await expect(centre).toContainText(en.contact_confidence_low);
    const note = centre.getByTestId('confidence-note');
    await expect(note).toBeHidden();
    await centre.getByText(en.contact_details_unsure).click();
    await expect(note).toHaveText(centreContact.confidence_note!.en);
    // Every source is a link to its address, with its English title on an English page.
    const sources = centre.getByTestId('sources').getByTestId('contact-source');
    await expect(sources).toHaveCount(centreContact.sources.length);
    for (const [index, source] of centreContact.sources.entries()) {
      const link = sources.nth(index).getByTestId('source-link');
      await expect(link).toHaveAttribute('href', source.url);
      await expect(link).toHaveAttribute('target', '_blank');
      await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
      await expect(link).toContainText(source.title.en);
      await expect(sources.nth(index)).toContainText(source.publisher.en);
    }

    // A line whose purpose no source confirms has no Call button, and says why; Copy stays.
    const atina = nationalCard(page, 'atina');
    await expect(atina.getByRole('link', { name: fill(en.contact_call, { number: '+381 61 63 84 071' }) })).toHaveCount(0);
    await expect(atina.locator('a[href^="tel:"]')).toHaveCount(0);
    await expect(atina.getByTestId('contact-no-call')).toHaveText(en.contact_no_call);
    await expect(atina.getByRole('button', { name: en.contact_copy })).toBeVisible();

    // A sure number says nothing about doubt.
    await expect(police).not.toContainText(en.contact_confidence_low);
    await expect(police).not.toContainText(en.contact_confidence_medium);

    // The school's own contacts come first; none yet: why, and where to add them.
    await expect(schoolSection(page).getByTestId('school-contacts-empty')).toHaveText(en.contacts_school_empty);
    const add = schoolSection(page).getByRole('link', { name: en.contacts_school_add });
    await expect(add).toHaveAttribute('href', '/contacts/local');
    expect(await axeViolations(page, '/contacts')).toEqual([]);
    await add.click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.local_title);
  });

  test('in Serbian, Call is formal and every source shows its Serbian title', async ({ page }) => {
    const sr = LOCALES['sr-Cyrl'];
    await page.goto('/contacts');
    await expectMounted(page);
    const police = page.getByRole('article', { name: nationalContact('police-192').name.sr, exact: true });
    await expect(police.getByRole('link', { name: 'Позовите 192' })).toHaveAttribute('href', 'tel:192');
    await expect(police.getByRole('button', { name: 'Копирајте број' })).toBeVisible();
    const centreContact = nationalContact('centre-trafficking-victims');
    const centre = page.getByRole('article', { name: 'Центар за заштиту жртава трговине људима', exact: true });
    await expect(centre.getByTestId('last-verified')).toHaveText(
      fill(sr.contact_checked_archived_sources, { date: '27. новембар 2026.' }),
    );
    const links = centre.getByTestId('source-link');
    await expect(links).toHaveCount(centreContact.sources.length);
    for (const [index, source] of centreContact.sources.entries()) {
      await expect(links.nth(index)).toContainText(source.title.sr);
      await expect(links.nth(index)).toHaveAttribute('href', source.url);
    }
  });

  test('a messy number is checked, saved in E.164 and shown first on /contacts', async ({ page }) => {
    await openOffline(page);
    await open(page, '/settings');
    await page.getByRole('link', { name: en.settings_local_contacts }).click();
    await expectMounted(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.local_title);
    await expect(page.getByTestId('local-empty')).toBeVisible();

    await addLocalContact(page, 'ЦСР Вождовац', en.local_role_social_care_centre, ' 011/394-2355 ', '+381 11 394 2355');
    await addLocalContact(page, 'Ana Petrović', en.local_role_protection_team_lead, '+381 (0) 63 123-456', '+381 63 123 456');
    const saved = page.getByTestId('local-contact');
    await expect(saved).toHaveCount(2);
    await expect(saved.first().getByTestId('local-contact-number')).toHaveText('+381 11 394 2355');
    // The form is empty again, ready for the next one.
    await expect(page.getByLabel(en.local_phone, { exact: true })).toHaveValue('');

    // Reorder: Ana first.
    await saved.nth(1).getByRole('button', { name: en.local_move_up }).click();
    await expect(saved.first()).toContainText('Ana Petrović');
    await expect(saved.first().getByRole('button', { name: en.local_move_down })).toBeFocused();

    // Edit: the form shows the number as it is dialled in Serbia, saving keeps the place.
    await saved.nth(1).getByRole('button', { name: en.local_edit }).click();
    await expect(page.getByLabel(en.local_phone, { exact: true })).toHaveValue('011 394 2355');
    await page.getByLabel(en.local_name, { exact: true }).fill('ЦСР Вождовац, дежурни');
    await page.getByRole('button', { name: en.local_save_changes }).click();
    await expect(page.getByText(fill(en.local_saved, { name: 'ЦСР Вождовац, дежурни', number: '+381 11 394 2355' }))).toBeVisible();
    await expect(saved).toHaveCount(2);
    await expect(saved.nth(1)).toContainText('ЦСР Вождовац, дежурни');
    expect(await axeViolations(page, '/contacts/local')).toEqual([]);

    await open(page, '/contacts');
    const school = schoolSection(page);
    const cards = school.getByTestId('contact-card');
    await expect(cards).toHaveCount(2);
    await expect(cards.first().getByRole('heading')).toHaveText('Ana Petrović');
    await expect(cards.first()).toContainText(en.local_role_protection_team_lead);
    await expect(cards.nth(1).getByRole('link', { name: fill(en.contact_call, { number: '+381 11 394 2355' }) })).toHaveAttribute(
      'href',
      'tel:+381113942355',
    );
    // "Your school" is above the national numbers.
    const schoolFirst = await school.evaluate(
      (section) => !!(section.compareDocumentPosition(document.querySelector('[data-testid=national-contacts]')!) & Node.DOCUMENT_POSITION_FOLLOWING),
    );
    expect(schoolFirst).toBe(true);
    await expect(school.getByRole('link', { name: en.contacts_school_edit })).toHaveAttribute('href', '/contacts/local');
  });

  test('the same number saved twice, however it is written, is saved with a warning', async ({ page }) => {
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'ЦСР Вождовац', en.local_role_social_care_centre, '011 394 2355', '+381 11 394 2355');
    const warning = page.getByRole('status').getByTestId('local-same-number');
    await expect(warning).toHaveCount(0);

    // The same number with the country code, dashes and the habitual (0): saved, and warned about.
    await addLocalContact(page, 'ЦСР – дежурни', en.local_role_social_care_centre, '+381 (0)11 394-2355', '+381 11 394 2355');
    await expect(warning).toHaveText(fill(en.local_same_number, { number: '+381 11 394 2355', other: 'ЦСР Вождовац' }));
    const saved = page.getByTestId('local-contact');
    await expect(saved).toHaveCount(2);
    await expect(saved.nth(1).getByTestId('local-contact-number')).toHaveText('+381 11 394 2355');
    expect(await axeViolations(page, 'same-number warning')).toEqual([]);

    // A different number: no warning.
    await addLocalContact(page, 'Полиција Вождовац', en.local_role_police_station, '011/397-2944', '+381 11 397 2944');
    await expect(warning).toHaveCount(0);

    // Changing a contact without changing its number is no duplicate of itself; changing
    // it to another saved number is.
    await saved.nth(2).getByRole('button', { name: en.local_edit }).click();
    await page.getByLabel(en.local_name, { exact: true }).fill('ПС Вождовац');
    await page.getByRole('button', { name: en.local_save_changes }).click();
    await expect(page.getByText(fill(en.local_saved, { name: 'ПС Вождовац', number: '+381 11 397 2944' }))).toBeVisible();
    await expect(warning).toHaveCount(0);
    await saved.nth(0).getByRole('button', { name: en.local_edit }).click();
    await page.getByLabel(en.local_phone, { exact: true }).fill('0113972944');
    await page.getByRole('button', { name: en.local_save_changes }).click();
    await expect(warning).toHaveText(fill(en.local_same_number, { number: '+381 11 397 2944', other: 'ПС Вождовац' }));
    await expect(saved).toHaveCount(3);
  });

  test('a wrong number or a missing name says why next to the field and saves nothing', async ({ page }) => {
    await openOffline(page);
    await open(page, '/contacts/local');
    const name = page.getByLabel(en.local_name, { exact: true });
    const phone = page.getByLabel(en.local_phone, { exact: true });
    await phone.fill('063 12');
    await page.getByRole('button', { name: en.local_save, exact: true }).click();

    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await expect(name).toBeFocused();
    await expect(name).toHaveAccessibleDescription(new RegExp(en.local_name_empty));
    await expect(phone).toHaveAttribute('aria-invalid', 'true');
    await expect(phone).toHaveAccessibleDescription(new RegExp(en.local_phone_too_short));
    await expect(page.getByText(en.local_phone_too_short)).toBeVisible();

    await name.fill('Полицијска станица');
    await expect(name).toHaveAttribute('aria-invalid', 'false');
    await phone.fill('045 123 456');
    await expect(page.getByText(en.local_phone_unknown_prefix)).toBeVisible();
    await page.getByRole('button', { name: en.local_save, exact: true }).click();
    await expect(phone).toBeFocused();
    expect(await axeViolations(page, '/contacts/local with errors')).toEqual([]);

    await expect(page.getByTestId('local-contact')).toHaveCount(0);
    await page.reload();
    await expectMounted(page);
    await expect(page.getByTestId('local-empty')).toBeVisible();
  });

  test('removing a contact asks first', async ({ page }) => {
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'Директорка', en.local_role_principal, '063 111 2222', '+381 63 111 2222');
    const contact = page.getByTestId('local-contact');
    await contact.getByRole('button', { name: en.local_remove }).click();
    const dialog = contact.getByRole('alertdialog', { name: en.local_remove });
    await expect(dialog).toContainText(fill(en.local_remove_question, { name: 'Директорка' }));
    await dialog.getByRole('button', { name: en.observe_cancel }).click();
    await expect(contact).toHaveCount(1);
    await page.reload();
    await expectMounted(page);
    await expect(contact).toHaveCount(1);

    await contact.getByRole('button', { name: en.local_remove }).click();
    await contact.getByRole('alertdialog').getByRole('button', { name: en.local_remove }).click();
    await expect(page.getByText(fill(en.local_removed, { name: 'Директорка' }))).toBeVisible();
    await expect(page.getByTestId('local-empty')).toBeVisible();
    await page.reload();
    await expectMounted(page);
    await expect(page.getByTestId('local-empty')).toBeVisible();
  });

  test('the editor, with its list, form and share code, fits a 360 px screen with thumb-sized controls', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'Центар за социјални рад Савски венац – дежурни радник', en.local_role_social_care_centre, '064 123 4567', '+381 64 123 4567');
    await addLocalContact(page, 'Директор', en.local_role_principal, '063 123 456', '+381 63 123 456');
    await expect(page.getByRole('img', { name: en.share_qr_label })).toBeVisible();
    for (const path of ['/contacts/local', '/contacts']) {
      if (path !== '/contacts/local') await open(page, path);
      const layout = await page.evaluate((min) => {
        const small: string[] = [];
        for (const control of document.querySelectorAll<HTMLElement>('main a[href], main button, main select, main input, main summary')) {
          const box = control.getBoundingClientRect();
          if (box.width === 0 || box.height === 0) continue;
          if (box.width < min || box.height < min) small.push(`${control.tagName} "${(control.textContent || control.id).trim().slice(0, 30)}" ${box.width}×${box.height}`);
        }
        return { small, scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth };
      }, 48);
      expect(layout.small, path).toEqual([]);
      expect(layout.scrollWidth, path).toBeLessThanOrEqual(layout.clientWidth);
    }
  });

  test('Copy puts the number on the clipboard and says so', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await openOffline(page);
    await open(page, '/contacts');
    const card = nationalCard(page, 'nadel-116111');
    await card.getByRole('button', { name: en.contact_copy }).click();
    await expect(card.getByRole('status')).toHaveText(en.contact_copied);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('116 111');
  });

  test('without a clipboard, Copy says how to copy by hand', async ({ page }) => {
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await openOffline(page);
    await open(page, '/contacts');
    const card = nationalCard(page, 'police-192');
    await card.getByRole('button', { name: en.contact_copy }).click();
    await expect(card.getByRole('status')).toHaveText(en.contact_copy_unavailable);
  });

  test('the checklist summary offers Call and Copy for every recommended contact', async ({ page }) => {
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'ЦСР Нови Београд', en.local_role_social_care_centre, '011 311 7000', '+381 11 311 7000');

    await startFullObservation(page);
    await indicator(page, 'behaviour.runs-away').getByRole('radio', { name: en.answer_observed, exact: true }).check();
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    await page.getByRole('link', { name: en.checklist_to_summary }).click();
    await expect(page.getByTestId('assessment')).toHaveAttribute('data-level', 'inform-today');

    const recommended = (id: string) => page.locator(`[data-testid=recommended-contact][data-contact="${id}"]`);
    await expect(recommended('social-care-centre').getByRole('link', { name: fill(en.contact_call, { number: '+381 11 311 7000' }) })).toHaveAttribute(
      'href',
      'tel:+381113117000',
    );
    await expect(recommended('social-care-centre')).toContainText('ЦСР Нови Београд');
    await expect(recommended('centre-trafficking-victims').getByRole('link', { name: fill(en.contact_call, { number: '+381 63 610 590' }) })).toHaveAttribute(
      'href',
      'tel:+38163610590',
    );
    await expect(recommended('centre-trafficking-victims').getByRole('button', { name: en.contact_copy })).toBeVisible();
    // Not entered on this phone: said so, with the way to enter it.
    await expect(recommended('school-team')).toContainText(en.summary_contact_missing);
    await expect(recommended('school-team').getByRole('link', { name: en.contacts_school_add })).toHaveAttribute('href', '/contacts/local');

    // An urgent sign: 192 first, at the top and in the list.
    await page.goto(page.url().replace(/\/summary$/, '') + '?area=all');
    await expectMounted(page);
    await indicator(page, 'communication.threatened').getByRole('radio', { name: en.answer_observed, exact: true }).check();
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
    await page.getByRole('link', { name: en.checklist_to_summary }).click();
    await expect(page.getByTestId('assessment')).toHaveAttribute('data-level', 'immediate-danger');
    await expect(page.getByTestId('call-police')).toHaveAttribute('href', 'tel:192');
    const first = page.getByTestId('recommended-contact').first();
    await expect(first).toHaveAttribute('data-contact', 'police-192');
    await expect(first.getByRole('link', { name: fill(en.contact_call, { number: '192' }) })).toHaveAttribute('href', 'tel:192');
  });
});

/** A new, empty phone: its own context, nothing cached, in English. */
async function freshPhone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await inEnglish(context);
  return { context, page: await context.newPage() };
}

test.describe('sharing between phones', () => {
  test('a share link opened on another phone previews the list and imports it only after confirmation', async ({ page, browser }) => {
    test.setTimeout(90_000);
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'Центар за социјални рад Чукарица', en.local_role_social_care_centre, '011 354 1111', '+381 11 354 1111');
    await addLocalContact(page, 'Школски полицајац', en.local_role_police_station, '192', '192');
    const link = await page.getByTestId('share-link').inputValue();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/contacts\/import#[A-Za-z0-9_-]+$/);
    await expect(page.getByRole('img', { name: en.share_qr_label })).toBeVisible();

    const other = await freshPhone(browser);
    try {
      const { page: otherPage } = other;
      await otherPage.goto(link);
      await expectMounted(otherPage);
      await expect(otherPage.getByRole('heading', { level: 1 })).toHaveText(en.import_title);
      const incoming = otherPage.getByTestId('import-incoming').getByRole('listitem');
      await expect(incoming).toHaveCount(2);
      await expect(incoming.first()).toContainText('Центар за социјални рад Чукарица');
      await expect(incoming.first()).toContainText(en.local_role_social_care_centre);
      await expect(incoming.first()).toContainText('+381 11 354 1111');
      await expect(otherPage.getByText(en.import_current_empty)).toBeVisible();
      expect(await axeViolations(otherPage, 'import preview')).toEqual([]);

      // Cancelled: nothing is imported.
      await otherPage.getByRole('button', { name: en.observe_cancel }).click();
      await expect(otherPage.getByText(en.import_cancelled)).toBeVisible();
      await otherPage.goto(new URL('/contacts', link).href);
      await expectMounted(otherPage);
      await expect(schoolSection(otherPage).getByTestId('school-contacts-empty')).toBeVisible();

      // Confirmed: the list is there, and the address no longer carries it.
      await otherPage.goto(link);
      await expectMounted(otherPage);
      const question = otherPage.getByRole('alertdialog', { name: fill(en.import_question, { count: 2 }) });
      await question.getByRole('button', { name: en.import_confirm }).click();
      await expect(otherPage.getByTestId('import-done')).toHaveText(fill(en.import_done, { count: 2 }));
      await expect(otherPage).toHaveURL(/\/contacts\/import$/);
      await otherPage.getByRole('link', { name: en.import_open_contacts }).click();
      const cards = schoolSection(otherPage).getByTestId('contact-card');
      await expect(cards).toHaveCount(2);
      await expect(cards.first().getByRole('link', { name: fill(en.contact_call, { number: '+381 11 354 1111' }) })).toHaveAttribute(
        'href',
        'tel:+381113541111',
      );
      await expect(cards.nth(1).getByRole('link', { name: fill(en.contact_call, { number: '192' }) })).toHaveAttribute('href', 'tel:192');

      // A second link shows what it would replace.
      await otherPage.goto(link);
      await expectMounted(otherPage);
      await expect(otherPage.getByTestId('import-current').getByRole('listitem')).toHaveCount(2);
    } finally {
      await other.context.close();
    }
  });

  test('a damaged or invalid link says what is wrong and changes nothing', async ({ page }) => {
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'Директор', en.local_role_principal, '063 555 1234', '+381 63 555 1234');
    const link = await page.getByTestId('share-link').inputValue();
    const [base, fragment] = link.split('#');

    await open(page, `${base}#${fragment.slice(0, Math.floor(fragment.length / 2))}`);
    await expect(page.getByTestId('import-problem')).toHaveText(en.import_error_link);
    await expect(page.getByTestId('import-preview')).toHaveCount(0);
    await open(page, '/contacts');

    // Well formed, but its number cannot be dialled.
    const invalid = Buffer.from(
      JSON.stringify({ format: 'prepoznaj-local-contacts', version: 1, contacts: [['Ana', 'principal', '063 12']] }),
    ).toString('base64url');
    await open(page, `${base}#${invalid}`);
    await expect(page.getByTestId('import-problem')).toHaveText(fill(en.import_error_entry, { position: 1, problem: en.local_phone_too_short }));

    await open(page, '/contacts');
    const cards = schoolSection(page).getByTestId('contact-card');
    await expect(cards).toHaveCount(1);
    await expect(cards.first().getByRole('heading')).toHaveText('Директор');
  });

  test('the list is exported as a file and imported from it after a preview', async ({ page, browser }) => {
    await openOffline(page);
    await open(page, '/contacts/local');
    await addLocalContact(page, 'Психолошкиња Ана', en.local_role_psychologist_or_pedagogue, '064 111 2233', '+381 64 111 2233');
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: en.share_download }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('prepoznaj-local-contacts.json');
    const file = await download.path();
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(exported).toEqual({
      format: 'prepoznaj-local-contacts',
      version: 1,
      contacts: [{ name: 'Психолошкиња Ана', role: 'psychologist_or_pedagogue', phone: '+381641112233' }],
    });

    const other = await freshPhone(browser);
    try {
      const { page: otherPage } = other;
      await otherPage.goto(new URL('/contacts/local', page.url()).href);
      await expectMounted(otherPage);
      const chooser = otherPage.getByLabel(en.import_file_label);

      await chooser.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
      await expect(otherPage.getByText(en.import_error_file)).toBeVisible();
      await expect(otherPage.getByTestId('import-preview')).toHaveCount(0);

      await chooser.setInputFiles(file);
      const preview = otherPage.getByTestId('import-preview');
      await expect(preview.getByTestId('import-incoming').getByRole('listitem')).toHaveText([/Психолошкиња Ана/]);
      await expect(otherPage.getByTestId('local-empty')).toBeVisible();
      await preview.getByRole('button', { name: en.import_confirm }).click();
      await expect(otherPage.getByText(fill(en.import_done, { count: 1 }))).toBeVisible();
      await expect(otherPage.getByTestId('local-contact')).toHaveText([/Психолошкиња Ана/]);
      await expect(otherPage.getByTestId('local-contact-number')).toHaveText('+381 64 111 2233');
    } finally {
      await other.context.close();
    }
  });
});
