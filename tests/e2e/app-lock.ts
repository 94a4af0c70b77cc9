// The app lock of the observation screens (`/observe…`, `/quick/<id>`), for every spec that
// opens them: the first visit sets the lock, each later page load enters it. One PIN for the
// whole suite.
import { expect, type Locator, type Page } from '@playwright/test';

/** The suite's PIN (six digits, not one the rules refuse). */
export const TEST_PIN = '204817';

/** The lock's forms and the header's Lock button (shown once unlocked). */
export const lockSetUp = (page: Page) => page.getByTestId('lock-set-up');
export const lockUnlock = (page: Page) => page.getByTestId('lock-unlock');
export const lockButton = (page: Page) => page.getByTestId('app-lock');

/** Sets the first lock with `pin`, twice, and waits until the screens show. */
export async function setLock(page: Page, pin = TEST_PIN): Promise<void> {
  const form = lockSetUp(page);
  await form.locator('#lock-secret').fill(pin);
  await form.locator('#lock-secret-repeat').fill(pin);
  await form.locator('button[type=submit]').click();
  await expect(lockButton(page)).toBeVisible({ timeout: 15_000 });
}

/** Enters `pin` on the unlock screen (the screens then show, or the error does). */
export async function enterPin(page: Page, pin = TEST_PIN): Promise<void> {
  const form = lockUnlock(page);
  await form.locator('#lock-unlock-secret').fill(pin);
  await form.locator('button[type=submit]').click();
}

/**
 * On an observation screen just loaded: sets the lock if there is none yet, enters it if the
 * app is locked, and waits until the screens show (the Lock button is in the header).
 */
export async function passAppLock(page: Page, pin = TEST_PIN): Promise<void> {
  await expect(lockSetUp(page).or(lockUnlock(page)).or(lockButton(page))).toBeVisible({ timeout: 15_000 });
  if (await lockSetUp(page).isVisible()) {
    await setLock(page, pin);
  } else if (await lockUnlock(page).isVisible()) {
    await enterPin(page, pin);
    await expect(lockButton(page)).toBeVisible({ timeout: 15_000 });
  }
}

/** Every value of every store of the app's database, as JSON text (what a thief reads). */
export function rawDatabase(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const opening = indexedDB.open('prepoznaj');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const database = opening.result;
          const names = Array.from(database.objectStoreNames);
          const transaction = database.transaction(names, 'readonly');
          const all = names.map((store) => transaction.objectStore(store).getAll());
          transaction.oncomplete = () => {
            database.close();
            resolve(JSON.stringify(all.map((request) => request.result)));
          };
          transaction.onabort = () => reject(transaction.error);
        };
      }),
  );
}

/**
 * Taps a quick-mode sign: quick mode's signs open without the app lock, and the first tap that
 * saves asks for it; then the sign is tapped again.
 */
export async function tapQuickSign(page: Page, sign: Locator): Promise<void> {
  await sign.click();
  const needsLock = page.getByTestId('quick-needs-lock');
  await expect(needsLock.or(lockButton(page))).toBeVisible({ timeout: 15_000 });
  if (await needsLock.isVisible()) {
    await passAppLock(page);
    await sign.click();
  }
}
