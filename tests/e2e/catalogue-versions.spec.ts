// A new indicator catalogue ships as content (content/catalogue/index.json names the current
// one): new observations use it, while a draft started before keeps the catalogue it was
// started with, so its answers keep meaning what they meant when they were given.
import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkForUpdate, expectMounted, indicator, openApp, startFullObservation, waitForServiceWorkerControl } from './app';
import { publishNewServiceWorkerVersion, startServerWithDistCopy, type AppServer } from './app-server';
import { LOCALES } from './locales';

const en = LOCALES.en;
const INDICATOR = 'behaviour.absent-without-reason';

let server: AppServer;
test.beforeEach(async () => {
  server = await startServerWithDistCopy();
});
test.afterEach(async () => {
  await server.stop();
});

/** Ships catalogue `2099.1` in `dist`: the current one with one indicator reworded, and makes it current. */
function publishSecondCatalogue(dist: string): { oldText: string; newText: string } {
  const directory = path.join(dist, 'content', 'catalogue');
  const { current } = JSON.parse(fs.readFileSync(path.join(directory, 'index.json'), 'utf8'));
  const r1 = JSON.parse(fs.readFileSync(path.join(directory, `${current}.json`), 'utf8'));
  const r2 = structuredClone(r1);
  r2.version = '2099.1';
  const reworded = r2.areas.flatMap((area: { indicators: { id: string; text: { sr: string; en: string } }[] }) => area.indicators).find((item: { id: string }) => item.id === INDICATOR);
  const oldText: string = reworded.text.en;
  reworded.text = { sr: `${reworded.text.sr} (ревизија)`, en: `${oldText} (revised)` };
  fs.writeFileSync(path.join(directory, '2099.1.json'), JSON.stringify(r2));
  fs.writeFileSync(path.join(directory, 'index.json'), JSON.stringify({ current: '2099.1' }));
  for (const sibling of ['index.json.br', 'index.json.gz']) fs.rmSync(path.join(directory, sibling), { force: true });
  publishNewServiceWorkerVersion(dist);
  return { oldText, newText: reworded.text.en };
}

test('a draft keeps its catalogue when a new one ships; new observations use the new one', async ({ page }) => {
  const observed = () => indicator(page, INDICATOR).getByRole('radio', { name: en.answer_observed, exact: true });
  await page.addInitScript(() => localStorage.setItem('prepoznaj.locale', '"en"'));
  await openApp(page, `${server.url}/`);
  await waitForServiceWorkerControl(page);
  await startFullObservation(page, server.url);
  const oldDraft = page.url();
  await observed().check();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');

  const { oldText, newText } = publishSecondCatalogue(server.dist);
  await expect(indicator(page, INDICATOR)).toContainText(oldText);
  await checkForUpdate(page);
  const reloaded = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.getByTestId('update-reload').tap();
  await reloaded;
  await expectMounted(page);

  // The draft started on r1 still shows r1's wording, with its answer.
  expect(page.url()).toBe(oldDraft);
  await expect(indicator(page, INDICATOR)).toContainText(oldText);
  await expect(indicator(page, INDICATOR)).not.toContainText(newText);
  await expect(observed()).toBeChecked();

  // A new observation starts on r2.
  await startFullObservation(page, server.url);
  expect(page.url()).not.toBe(oldDraft);
  await expect(indicator(page, INDICATOR)).toContainText(newText);
  await expect(observed()).not.toBeChecked();

  // Both are listed; the old one's summary still uses r1.
  await page.goto(`${server.url}/observe`);
  await expectMounted(page);
  await expect(page.getByTestId('drafts').getByTestId('record')).toHaveCount(2);
  await page.goto(`${oldDraft}/summary`);
  await expectMounted(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en.summary_title);
  await expect(page.getByText(oldText).first()).toBeVisible();
  await expect(page.getByText(newText)).toHaveCount(0);
});
