// The set-up steps of a new protection-team key, shared by the specs that make one: name and
// passphrase, the recovery copy (a code of 30 groups: 1–15 the age key, 16–30 the signing
// key) downloaded and proven by typing two groups back, one of each key, then the
// page's finishing button. The recovery file is an age file locked with the recovery
// passphrase shown with the code; the `age` CLI opens it (under `script`: age reads
// passphrases only from a terminal). A change on the team page is signed with the unlocked
// key: `unlockToSign` answers the passphrase prompt that appears when the key is locked.
import { expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { LOCALES } from './locales';

const en = LOCALES.en;
/** The passphrase `makeKey` chooses. */
export const PASSPHRASE = 'plava reka ispod starog mosta kod crkve';

/** A member's key as the set-up steps showed it. */
export interface MadeKey {
  groups: string[];
  /** The downloaded recovery file (an age file), kept for restoring. */
  recoveryFile: string;
  /** The six words that open it, as the set-up showed them. */
  recoveryPassphrase: string;
  /** Its text, opened by the `age` CLI with the recovery passphrase: an age identity file. */
  identityFile: string;
}

/** `age --decrypt` of `file` with `passphrase` typed at its prompt, written to `output`. */
export function ageDecryptWithPassphrase(file: string, passphrase: string, output: string): void {
  const quoted = [file, output].map((name) => {
    expect(name).not.toContain("'");
    return `'${name}'`;
  });
  const run = spawnSync('script', ['--quiet', '--return', '--command', `age --decrypt --output ${quoted[1]} ${quoted[0]}`, '/dev/null'], {
    input: `${passphrase}\n`,
    encoding: 'utf8',
  });
  expect(run.status, run.stdout).toBe(0);
}

/** The shared set-up steps: name and passphrase, recovery copy downloaded and proven, then `finish`. */
export async function makeKey(page: Page, name: string, finish: string, scratch: string): Promise<MadeKey> {
  await page.getByLabel(en.setup_display_name).fill(name);
  await page.getByLabel(en.setup_passphrase, { exact: true }).fill(PASSPHRASE);
  await page.getByLabel(en.setup_passphrase_repeat).fill(PASSPHRASE);
  await page.getByRole('button', { name: en.setup_start }).click();
  const groups = await page.getByTestId('recovery-code').getByRole('listitem').allInnerTexts();
  expect(groups).toHaveLength(30);
  const recoveryPassphrase = await page.getByTestId('recovery-passphrase').innerText();
  expect(recoveryPassphrase).toMatch(/^[a-z-]+( [a-z-]+){5}$/);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: en.setup_download }).click();
  const base = path.join(scratch, name.split(' ')[0].toLowerCase());
  const recoveryFile = `${base}-recovery.age`;
  await (await downloading).saveAs(recoveryFile);
  const identityFile = `${base}-identity.txt`;
  ageDecryptWithPassphrase(recoveryFile, recoveryPassphrase, identityFile);
  await page.getByLabel(en.setup_recovery_saved).check();
  await page.getByRole('button', { name: en.setup_continue }).click();
  const fields = page.getByTestId('verify-form').getByRole('textbox');
  const labels = await page.getByTestId('verify-form').locator('label').allInnerTexts();
  for (const [index, label] of labels.entries()) {
    await fields.nth(index).fill(groups[Number(/\d+/.exec(label)![0]) - 1]);
  }
  await page.getByRole('button', { name: finish }).click();
  return { groups, recoveryFile, recoveryPassphrase, identityFile };
}

/** Answers the team page's passphrase prompt for a change to sign; the change then goes on. */
export async function unlockToSign(page: Page, passphrase: string = PASSPHRASE): Promise<void> {
  const prompt = page.getByTestId('sign-unlock');
  await expect(prompt).toBeVisible();
  await expect(prompt.getByRole('heading', { level: 2 })).toHaveText(en.sign_unlock_heading);
  await prompt.getByLabel(en.inbox_passphrase).fill(passphrase);
  await prompt.getByRole('button', { name: en.inbox_unlock }).click();
  await expect(prompt).toHaveCount(0);
}
