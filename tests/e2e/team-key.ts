// The set-up steps of a new protection-team key, shared by the specs that make one: name and
// passphrase, the recovery copy downloaded and proven by typing two groups back, then the
// page's finishing button.
import { expect, type Page } from '@playwright/test';
import * as path from 'node:path';
import { LOCALES } from './locales';

const en = LOCALES.en;
const PASSPHRASE = 'plava reka ispod mosta';

/** A member's key as the set-up steps showed it. */
export interface MadeKey {
  groups: string[];
  /** The downloaded recovery file, kept for the `age` CLI and for restoring. */
  recoveryFile: string;
}

/** The shared set-up steps: name and passphrase, recovery copy downloaded and proven, then `finish`. */
export async function makeKey(page: Page, name: string, finish: string, scratch: string): Promise<MadeKey> {
  await page.getByLabel(en.setup_display_name).fill(name);
  await page.getByLabel(en.setup_passphrase, { exact: true }).fill(PASSPHRASE);
  await page.getByLabel(en.setup_passphrase_repeat).fill(PASSPHRASE);
  await page.getByRole('button', { name: en.setup_start }).click();
  const groups = await page.getByTestId('recovery-code').getByRole('listitem').allInnerTexts();
  expect(groups).toHaveLength(15);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: en.setup_download }).click();
  const recoveryFile = path.join(scratch, `${name.split(' ')[0].toLowerCase()}-recovery.txt`);
  await (await downloading).saveAs(recoveryFile);
  await page.getByLabel(en.setup_recovery_saved).check();
  await page.getByRole('button', { name: en.setup_continue }).click();
  const fields = page.getByTestId('verify-form').getByRole('textbox');
  const labels = await page.getByTestId('verify-form').locator('label').allInnerTexts();
  for (const [index, label] of labels.entries()) {
    await fields.nth(index).fill(groups[Number(/\d+/.exec(label)![0]) - 1]);
  }
  await page.getByRole('button', { name: finish }).click();
  return { groups, recoveryFile };
}
